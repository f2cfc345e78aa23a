//! Replies the proxy writes itself, byte for byte as Asterisk's `astman_send_response`
//! writes them: `Response:`, the request's ActionID when it had one, the other headers,
//! the empty line.

/// The `FullyBooted` written after a login whose user reads `system` events. Asterisk 20+
/// adds `Uptime` and `LastReload` (seconds since its start and last reload), which the
/// proxy does not know: it writes Asterisk 13's form.
pub const FULLY_BOOTED: &[u8] =
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n";

/// `Response: <status>`, the ActionID, then `headers`.
pub fn response(status: &[u8], id: Option<&[u8]>, headers: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"Response: ");
    out.extend_from_slice(status);
    out.extend_from_slice(b"\r\n");
    if let Some(id) = id {
        out.extend_from_slice(b"ActionID: ");
        out.extend_from_slice(id);
        out.extend_from_slice(b"\r\n");
    }
    for (key, value) in headers {
        out.extend_from_slice(key);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `Response: Error` with `Message: <message>`.
pub fn error(id: Option<&[u8]>, message: &[u8]) -> Vec<u8> {
    response(b"Error", id, &[(b"Message", message)])
}

/// `Logoff`'s answer.
pub fn goodbye(id: Option<&[u8]>) -> Vec<u8> {
    response(b"Goodbye", id, &[(b"Message", b"Thanks for all the fish.")])
}

/// An event the proxy writes to every logged-in client about its upstream connection
/// (`ProxyUpstreamLost`, `ProxyUpstreamRestored`), of class `system`, not filtered.
/// Control bytes of `reason` become spaces: it can never add a line.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub fn upstream_event(name: &str, reason: &str) -> Vec<u8> {
    let reason: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("Event: {name}\r\nPrivilege: system,all\r\nReason: {reason}\r\n\r\n").into_bytes()
}

/// `message` with its `ActionID` line replaced by `id` (removed for `None`): the bytes are
/// otherwise those Asterisk wrote.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub fn with_action_id(message: &ami_proto::Message<'_>, id: Option<&[u8]>) -> Vec<u8> {
    let bytes = message.as_bytes();
    let base = bytes.as_ptr() as usize;
    let Some(header) = message.headers().find(|h| h.is("ActionID")) else {
        return bytes.to_vec();
    };
    let start = header.key.as_ptr() as usize - base;
    let mut end = header.value.as_ptr() as usize - base + header.value.len();
    if bytes[end..].starts_with(b"\r\n") {
        end += 2;
    } else if bytes[end..].starts_with(b"\n") {
        end += 1;
    }
    let mut out = Vec::with_capacity(bytes.len() + 16);
    out.extend_from_slice(&bytes[..start]);
    if let Some(id) = id {
        out.extend_from_slice(b"ActionID: ");
        out.extend_from_slice(id);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&bytes[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::{Decoded, Decoder, Item};

    #[test]
    fn action_id_is_replaced_in_place() {
        let wire = b"Event: DBGetResponse\r\nActionID: ami-7\r\nFamily: f\r\n\r\n";
        let mut decoder = Decoder::new();
        let Decoded::Item {
            item: Item::Message(m),
            ..
        } = decoder.decode(wire)
        else {
            panic!()
        };
        assert_eq!(
            with_action_id(&m, Some(b"mine")),
            b"Event: DBGetResponse\r\nActionID: mine\r\nFamily: f\r\n\r\n"
        );
        assert_eq!(
            with_action_id(&m, None),
            b"Event: DBGetResponse\r\nFamily: f\r\n\r\n"
        );
        assert_eq!(
            upstream_event("ProxyUpstreamLost", "a\r\nAction: x"),
            b"Event: ProxyUpstreamLost\r\nPrivilege: system,all\r\nReason: a  Action: x\r\n\r\n"
        );
    }
}
