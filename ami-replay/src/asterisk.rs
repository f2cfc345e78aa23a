//! Replies the server writes itself, byte for byte as Asterisk's `astman_send_response`
//! writes them (`Response:`, `ActionID:` only when the request had a non-empty one, then the
//! other headers, then a blank line). Tests compare each with a real transcript.

use bytes::Bytes;

/// `Response: <status>`, the client's ActionID, then `headers`.
pub(crate) fn response(status: &str, id: Option<&[u8]>, headers: &[(&str, &[u8])]) -> Bytes {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"Response: ");
    out.extend_from_slice(status.as_bytes());
    out.extend_from_slice(b"\r\n");
    if let Some(id) = id {
        out.extend_from_slice(b"ActionID: ");
        out.extend_from_slice(id);
        out.extend_from_slice(b"\r\n");
    }
    for (key, value) in headers {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.into()
}

fn error(id: Option<&[u8]>, message: &[u8]) -> Bytes {
    response("Error", id, &[("Message", message)])
}

/// An action Asterisk does not know (`53_unknown_action`).
pub(crate) fn unknown_action(id: Option<&[u8]>, action: &[u8]) -> Bytes {
    let mut message = b"Invalid/unknown command: ".to_vec();
    message.extend_from_slice(action);
    message.extend_from_slice(b". Use Action: ListCommands to show available commands.");
    error(id, &message)
}

/// A request without `Action` (`54_no_action_header`).
pub(crate) fn missing_action(id: Option<&[u8]>) -> Bytes {
    error(id, b"Missing action in request")
}

/// An action other than Login, Challenge or Logoff before a login (`05_action_before_login`).
pub(crate) fn permission_denied(id: Option<&[u8]>) -> Bytes {
    error(id, b"Permission denied")
}

/// A wrong secret or key (`04_login_wrong_secret`, `07_challenge_md5_wrong_key`).
pub(crate) fn authentication_failed(id: Option<&[u8]>) -> Bytes {
    error(id, b"Authentication failed")
}

/// A good login (`02_login_success`).
pub(crate) fn authentication_accepted(id: Option<&[u8]>) -> Bytes {
    response("Success", id, &[("Message", b"Authentication accepted")])
}

/// A second login on a logged-in session.
pub(crate) fn already_authenticated(id: Option<&[u8]>) -> Bytes {
    response("Success", id, &[("Message", b"Already authenticated")])
}

/// `Logoff` (`58_logoff`).
pub(crate) fn goodbye(id: Option<&[u8]>) -> Bytes {
    response("Goodbye", id, &[("Message", b"Thanks for all the fish.")])
}

/// `Challenge` with `AuthType: MD5` (`06_challenge_md5`).
pub(crate) fn challenge(id: Option<&[u8]>, challenge: &[u8]) -> Bytes {
    response("Success", id, &[("Challenge", challenge)])
}

/// `Challenge` without `AuthType: MD5`.
pub(crate) fn must_specify_authtype(id: Option<&[u8]>) -> Bytes {
    error(id, b"Must specify AuthType")
}
