//! Channel variables (`channelvars` in manager.conf) as (channel, name, value), whichever of
//! the two wire shapes carried them:
//!
//! - `ChanVariable(SIP/100-0000000d): NAME=value`: the key names the channel
//!   (OriginateResponse and others);
//! - `ChanVariable: NAME=value`, `DestChanVariable: NAME=value`, ...: the key has a role
//!   prefix and the channel is that role's `<Prefix>Channel` header in the same message.

use crate::message::{Header, Headers, Message};

const CHAN_VARIABLE: &[u8] = b"ChanVariable";

/// One channel variable found in a message.
///
/// ```
/// use ami_proto::{chan_var, Header};
/// let v = chan_var(Header { key: b"DestChanVariable", value: b"X=1" }).unwrap();
/// assert_eq!((v.role, v.channel), (&b"Dest"[..], None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChanVar<'a> {
    /// The role prefix of the key: empty for `ChanVariable`, `Dest` for `DestChanVariable`.
    pub role: &'a [u8],
    /// The channel the variable belongs to: from the key's parentheses, else from the
    /// message's `<role>Channel` header; `None` if neither exists.
    pub channel: Option<&'a [u8]>,
    /// The variable's name (before the first `=`).
    pub name: &'a [u8],
    /// Its value (after the first `=`; may be empty, may hold `=`).
    pub value: &'a [u8],
}

/// Reads one header as a channel variable, without looking up the channel of the
/// prefixed shape (see [`chan_vars`] for that).
///
/// ```
/// use ami_proto::{chan_var, Header};
///
/// let h = Header { key: b"ChanVariable(PJSIP/101-00000014)", value: b"MYVAR=a=b" };
/// let v = chan_var(h).unwrap();
/// assert_eq!(v.channel, Some(&b"PJSIP/101-00000014"[..]));
/// assert_eq!((v.name, v.value), (&b"MYVAR"[..], &b"a=b"[..]));
/// assert!(chan_var(Header { key: b"Channel", value: b"X=1" }).is_none());
/// ```
pub fn chan_var(header: Header<'_>) -> Option<ChanVar<'_>> {
    let key = header.key;
    let (head, channel) = match key.iter().position(|&b| b == b'(') {
        Some(open) if key.last() == Some(&b')') => {
            (&key[..open], Some(&key[open + 1..key.len() - 1]))
        }
        Some(_) => return None,
        None => (key, None),
    };
    let role_len = head.len().checked_sub(CHAN_VARIABLE.len())?;
    if !head[role_len..].eq_ignore_ascii_case(CHAN_VARIABLE) {
        return None;
    }
    let eq = header.value.iter().position(|&b| b == b'=')?;
    Some(ChanVar {
        role: &head[..role_len],
        channel,
        name: &header.value[..eq],
        value: &header.value[eq + 1..],
    })
}

/// Every channel variable of `message`, in wire order, with its channel resolved.
///
/// ```
/// use ami_proto::{chan_vars, Decoded, Decoder, Item};
///
/// let wire = b"Event: Hangup\r\nChannel: SIP/100-0000000d\r\nDestChannel: SIP/101-0000000e\r\n\
///              ChanVariable: A=1\r\nDestChanVariable: A=2\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// let vars: Vec<_> = chan_vars(&m).map(|v| (v.channel.unwrap(), v.value)).collect();
/// assert_eq!(vars, [(&b"SIP/100-0000000d"[..], &b"1"[..]), (&b"SIP/101-0000000e"[..], &b"2"[..])]);
/// ```
pub fn chan_vars<'a>(message: &Message<'a>) -> ChanVars<'a> {
    ChanVars {
        headers: message.headers(),
        all: message.headers(),
    }
}

/// Iterator returned by [`chan_vars`].
///
/// ```
/// use ami_proto::{chan_vars, Decoded, Decoder, Item};
/// let mut d = Decoder::new();
/// let wire = b"Event: OriginateResponse\r\nChannel: L/1\r\nChanVariable(L/1): A=1\r\n\r\n";
/// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
/// assert_eq!(chan_vars(&m).count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ChanVars<'a> {
    headers: Headers<'a>,
    all: Headers<'a>,
}

impl<'a> Iterator for ChanVars<'a> {
    type Item = ChanVar<'a>;

    fn next(&mut self) -> Option<ChanVar<'a>> {
        loop {
            let mut var = match chan_var(self.headers.next()?) {
                Some(var) => var,
                None => continue,
            };
            if var.channel.is_none() {
                var.channel = self
                    .all
                    .clone()
                    .find(|h| is_role_channel(h.key, var.role))
                    .map(|h| h.value);
            }
            return Some(var);
        }
    }
}

/// Whether `key` is `<role>Channel` (ASCII case-insensitive).
fn is_role_channel(key: &[u8], role: &[u8]) -> bool {
    key.len() == role.len() + 7
        && key[..role.len()].eq_ignore_ascii_case(role)
        && key[role.len()..].eq_ignore_ascii_case(b"Channel")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let h = |key: &'static [u8], value: &'static [u8]| Header { key, value };
        let v = chan_var(h(b"ChanVariable", b"X=")).unwrap();
        assert_eq!(
            (v.role, v.channel, v.name, v.value),
            (&b""[..], None, &b"X"[..], &b""[..])
        );
        let v = chan_var(h(b"TransfererChanVariable", b"X=1")).unwrap();
        assert_eq!(v.role, b"Transferer");
        assert!(chan_var(h(b"ChanVariable", b"no equals")).is_none());
        assert!(chan_var(h(b"ChanVariable(unclosed", b"X=1")).is_none());
        assert!(chan_var(h(b"Variable", b"X=1")).is_none());
        assert!(chan_var(h(b"hanVariable", b"X=1")).is_none());
        let v = chan_var(h(b"ChanVariable()", b"X=1")).unwrap();
        assert_eq!(v.channel, Some(&b""[..]));
    }
}
