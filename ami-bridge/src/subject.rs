//! Subject names. A NATS subject is dot-separated tokens; a token may not be empty nor
//! hold `.`, `*`, `>` or white space. Server names are checked to be plain tokens; event
//! names come from the wire and are escaped, reversibly, so that any name has exactly one
//! subject and no name can reach another subject (`Foo.>` is `Foo%2E%3E`).

use std::fmt::Write;

/// Whether `s` is a plain token: ASCII letters, digits, `-` and `_`, at least one.
///
/// ```
/// assert!(ami_bridge::subject::is_token("pbx-1_a"));
/// assert!(!ami_bridge::subject::is_token("pbx.1"));
/// assert!(!ami_bridge::subject::is_token(""));
/// ```
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_plain)
}

fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Checks a subject prefix: plain tokens separated by dots (`ami`, `site1.ami`).
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.split('.').all(is_token) {
        Ok(())
    } else {
        Err(format!(
            "`{prefix}`: tokens of letters, digits, `-` and `_`, separated by dots"
        ))
    }
}

/// An event name as one subject token: bytes other than ASCII letters, digits, `-` and
/// `_` are written `%XX` (uppercase hex); an empty name is `%`.
///
/// ```
/// use ami_bridge::subject::event_token;
/// assert_eq!(event_token(b"Hangup"), "Hangup");
/// assert_eq!(event_token(b"AOC-D"), "AOC-D");
/// assert_eq!(event_token(b"Foo.>* x%"), "Foo%2E%3E%2A%20x%25");
/// assert_eq!(event_token(b""), "%");
/// ```
pub fn event_token(name: &[u8]) -> String {
    if name.is_empty() {
        return "%".into();
    }
    let mut out = String::with_capacity(name.len());
    for &b in name {
        if is_plain(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The subjects of one server.
///
/// ```
/// let s = ami_bridge::subject::Subjects::new("ami", "pbx1");
/// assert_eq!(s.event(b"Newchannel"), "ami.pbx1.event.Newchannel");
/// assert_eq!(s.state(), "ami.pbx1.state");
/// assert_eq!(s.other(), "ami.pbx1.other");
/// assert_eq!(s.action(), "ami.pbx1.action");
/// ```
#[derive(Debug, Clone)]
pub struct Subjects {
    /// `<prefix>.<server>`.
    base: String,
}

impl Subjects {
    /// The subjects of `server` under `prefix` (both checked by the configuration).
    pub fn new(prefix: &str, server: &str) -> Self {
        Subjects {
            base: format!("{prefix}.{server}"),
        }
    }

    /// `<prefix>.<server>.event.<EventName>`: every event, the name escaped by
    /// [`event_token`].
    pub fn event(&self, name: &[u8]) -> String {
        format!("{}.event.{}", self.base, event_token(name))
    }

    /// `<prefix>.<server>.other`: what the connection read that is not an event (a reply
    /// nobody waits for, a text block, malformed input), so that nothing is lost.
    pub fn other(&self) -> String {
        format!("{}.other", self.base)
    }

    /// `<prefix>.<server>.state`: the AMI connection's state and the bridge's losses.
    pub fn state(&self) -> String {
        format!("{}.state", self.base)
    }

    /// `<prefix>.<server>.action`: requests (core NATS request/reply, not stored).
    pub fn action(&self) -> String {
        format!("{}.action", self.base)
    }
}

/// The subjects the stream stores: events, others and states of every server under
/// `prefix` (not the action requests: a stream on them would answer each request with its
/// own acknowledgement).
///
/// ```
/// assert_eq!(ami_bridge::subject::stream_subjects("ami"), ["ami.*.event.>", "ami.*.other", "ami.*.state"]);
/// ```
pub fn stream_subjects(prefix: &str) -> Vec<String> {
    vec![
        format!("{prefix}.*.event.>"),
        format!("{prefix}.*.other"),
        format!("{prefix}.*.state"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a token back (for the test: the bridge never needs to).
    fn unescape(token: &str) -> Vec<u8> {
        if token == "%" {
            return Vec::new();
        }
        let mut out = Vec::new();
        let bytes = token.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn every_byte_gives_a_valid_token_that_reads_back() {
        for b in 0..=255u8 {
            for name in [vec![b], vec![b'A', b, b'z'], vec![b, b]] {
                let token = event_token(&name);
                assert!(!token.is_empty());
                assert!(
                    token
                        .bytes()
                        .all(|c| c.is_ascii_graphic() && !matches!(c, b'.' | b'*' | b'>')),
                    "{token:?}"
                );
                assert_eq!(unescape(&token), name);
            }
        }
        assert_eq!(unescape(&event_token(b"")), b"");
    }

    #[test]
    fn prefixes() {
        assert!(check_prefix("ami").is_ok());
        assert!(check_prefix("site-1.ami").is_ok());
        for bad in ["", ".ami", "ami.", "a..b", "a.*", "a.>", "a b"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}
