//! An action as Asterisk's manager reads it, and the replies it writes.
//!
//! Asterisk does not see an action through a decoder: it cuts the bytes into lines at every
//! LF (dropping a CR just before it), each line a C string, keeps at most 128 of them, and
//! looks a header up as the first line that starts with the name (any case) followed by a
//! colon, its value being the rest of the line with leading blanks skipped. A value that
//! holds a bare LF is therefore two lines to Asterisk, and so it is here: nothing after a
//! LF can become part of a value that is echoed back, such as the ActionID.

use alloc::vec::Vec;

use crate::Message;

use super::text::{lines, skip_blanks, until_nul};

/// Most header lines Asterisk keeps of one action (`AST_MAX_MANHEADERS`).
const MAX_LINES: usize = 128;

/// Asterisk reads an action into a 1,025-byte buffer: a line of this many bytes or more
/// before its LF does not fit.
const MAX_LINE: usize = 1024;

/// The header lines of an action, as Asterisk holds them.
pub(crate) struct ActionLines<'a> {
    lines: Vec<&'a [u8]>,
    /// More lines than Asterisk keeps: it then answers with an error and runs nothing.
    pub(crate) overflow: bool,
    /// A line too long for Asterisk's buffer: it then answers with an error and runs
    /// nothing. (What it keeps of such a line depends on how the bytes arrived, so the
    /// line is left out here.)
    pub(crate) line_too_long: bool,
}

impl<'a> ActionLines<'a> {
    pub(crate) fn new(action: &Message<'a>) -> ActionLines<'a> {
        let mut kept = Vec::new();
        let (mut overflow, mut line_too_long) = (false, false);
        let mut rest = action.as_bytes();
        for line in lines(action.as_bytes()) {
            // The length Asterisk's buffer sees: the line with its CR, if any.
            let raw_len = match memchr::memchr(b'\n', rest) {
                Some(lf) => {
                    rest = &rest[lf + 1..];
                    lf
                }
                None => rest.len(),
            };
            if line.is_empty() {
                break;
            }
            if raw_len >= MAX_LINE {
                line_too_long = true;
                continue;
            }
            if kept.len() == MAX_LINES {
                overflow = true;
                continue;
            }
            kept.push(until_nul(line));
        }
        ActionLines {
            lines: kept,
            overflow,
            line_too_long,
        }
    }

    /// The error reply Asterisk gives instead of running an action it could not read in
    /// full, if any.
    pub(crate) fn unreadable(&self) -> Option<Reply> {
        if self.overflow {
            Some(Reply::response(
                self,
                false,
                Some("Too many lines in message or allocation failure"),
            ))
        } else if self.line_too_long {
            Some(Reply::response(
                self,
                false,
                Some("Failed to parse message: line too long"),
            ))
        } else {
            None
        }
    }

    /// `astman_get_header`: the value of the first line `name:...`, or empty.
    pub(crate) fn get(&self, name: &str) -> &'a [u8] {
        let name = name.as_bytes();
        self.lines
            .iter()
            .find_map(|line| {
                let head = line.get(..name.len())?;
                (head.eq_ignore_ascii_case(name) && line.get(name.len()) == Some(&b':'))
                    .then(|| skip_blanks(&line[name.len() + 1..]))
            })
            .unwrap_or(b"")
    }
}

/// The bytes Asterisk writes in answer to an action, exactly.
///
/// ```
/// # use ami_proto::{Decoded, Decoder, Item};
/// use ami_proto::filter::{EventGate, Rules, UserConfig};
///
/// let wire = b"Action: Filter\r\nActionID: 7\r\nOperation: Add\r\nFilter: Event: (Newchannel\r\n\r\n";
/// # let mut decoder = Decoder::new();
/// # let Decoded::Item { item: Item::Message(action), .. } = decoder.decode(wire) else { panic!() };
/// let mut gate = EventGate::new(&UserConfig::new(b"u", Rules::default()));
/// let reply = gate.handle_filter_action(&action).reply;
/// assert_eq!(reply.as_bytes(), b"Response: Error\r\nActionID: 7\r\nMessage: Filter did not compile.  Check the syntax of the filter given.\r\n\r\n");
/// assert!(!reply.is_success());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    bytes: Vec<u8>,
    success: bool,
}

impl Reply {
    /// `astman_send_response_full`: `Response:`, the action's ActionID if it has one, then
    /// `Message:` if given, then the empty line.
    pub(crate) fn response(
        action: &ActionLines<'_>,
        success: bool,
        message: Option<&str>,
    ) -> Reply {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(if success {
            b"Response: Success\r\n"
        } else {
            b"Response: Error\r\n"
        });
        let id = action.get("ActionID");
        if !id.is_empty() {
            bytes.extend_from_slice(b"ActionID: ");
            bytes.extend_from_slice(id);
            bytes.extend_from_slice(b"\r\n");
        }
        if let Some(message) = message {
            bytes.extend_from_slice(b"Message: ");
            bytes.extend_from_slice(message.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        Reply { bytes, success }
    }

    /// The `Events` action's own success reply: `Response: Success`, the ActionID line
    /// printed into a 256-byte buffer (so cut to 255 bytes, line end included, as Asterisk
    /// cuts it), then `Events: On` or `Events: Off`.
    pub(crate) fn events(action: &ActionLines<'_>, on: bool) -> Reply {
        let mut bytes = Vec::from(&b"Response: Success\r\n"[..]);
        let id = action.get("ActionID");
        if !id.is_empty() {
            let mut line = Vec::from(&b"ActionID: "[..]);
            line.extend_from_slice(id);
            line.extend_from_slice(b"\r\n");
            line.truncate(255);
            bytes.extend_from_slice(&line);
        }
        bytes.extend_from_slice(if on {
            b"Events: On\r\n\r\n"
        } else {
            b"Events: Off\r\n\r\n"
        });
        Reply {
            bytes,
            success: true,
        }
    }

    /// The bytes to write to the session.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Whether it is `Response: Success`.
    pub fn is_success(&self) -> bool {
        self.success
    }
}
