//! What a client sends, framed as Asterisk frames it: any LF ends a line (CRLF, bare LF or a
//! mix, see the `55_lf_only` transcripts), a blank line ends a message, and a blank line
//! where a message would start is an empty request (Asterisk answers it "Missing action in
//! request", see `54_no_action_header`).

use ami_proto::{Config, Decoder, Limits, LineEndings, OwnedItem, OwnedMessage};
use bytes::{Buf, BytesMut};

/// One request read from a client.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    /// A `Key: Value` message (usually, but not always, starting with `Action:`).
    Message(OwnedMessage),
    /// A blank line where a message would start.
    Empty,
    /// Lines without a `Key:` (the decoder's banner or text block): Asterisk finds no
    /// `Action` header in them.
    NoHeaders,
}

impl Request {
    /// The `Action` header's value, `None` when there is none (or it is empty: Asterisk
    /// treats both as a missing action).
    pub(crate) fn action(&self) -> Option<&[u8]> {
        match self {
            Request::Message(m) => m.message().get("Action").filter(|v| !v.is_empty()),
            _ => None,
        }
    }

    /// The request as a message, if it is one.
    pub(crate) fn message(&self) -> Option<ami_proto::Message<'_>> {
        match self {
            Request::Message(m) => Some(m.message()),
            _ => None,
        }
    }

    /// The first `ActionID` header's value, `None` when there is none or it is empty
    /// (Asterisk echoes only a non-empty one).
    pub(crate) fn action_id(&self) -> Option<&[u8]> {
        self.get("ActionID").filter(|v| !v.is_empty())
    }

    /// The first value of header `key` (ASCII case-insensitive).
    pub(crate) fn get(&self, key: &str) -> Option<&[u8]> {
        match self {
            Request::Message(m) => m.message().get(key),
            _ => None,
        }
    }

    /// Every header but `Action` and `ActionID`, in order: what tells two requests of the
    /// same action apart.
    pub(crate) fn arguments(&self) -> Vec<(&[u8], &[u8])> {
        match self {
            Request::Message(m) => m
                .message()
                .headers()
                .filter(|h| !h.is("Action") && !h.is("ActionID"))
                .map(|h| (h.key, h.value))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Splits a client byte stream into [`Request`]s.
#[derive(Debug)]
pub(crate) struct RequestReader {
    decoder: Decoder<'static>,
    /// The next byte starts a message, so a blank line there is an empty request. False
    /// while the decoder skips a malformed message (it owns the blank line that ends it).
    at_boundary: bool,
    /// Bytes consumed so far.
    position: u64,
}

impl RequestReader {
    pub(crate) fn new(limits: Limits) -> Self {
        RequestReader {
            decoder: Decoder::with_config(
                Config::default()
                    .with_line_endings(LineEndings::Lenient)
                    .with_limits(limits),
            ),
            at_boundary: true,
            position: 0,
        }
    }

    /// Bytes of the stream consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// The next request at the front of `buf`, whose bytes are removed from it; `None`
    /// when `buf` ends inside one. A malformed request is an error, and reading goes on
    /// after its blank line.
    pub(crate) fn next(&mut self, buf: &mut BytesMut) -> Option<Result<Request, ami_proto::Error>> {
        if self.at_boundary {
            let blank = match buf.first()? {
                b'\n' => 1,
                b'\r' => match buf.get(1) {
                    None => return None,
                    Some(b'\n') => 2,
                    Some(_) => 0,
                },
                _ => 0,
            };
            if blank > 0 {
                buf.advance(blank);
                self.position += blank as u64;
                return Some(Ok(Request::Empty));
            }
        }
        let before = buf.len();
        let item = self.decoder.decode_owned(buf);
        self.position += (before - buf.len()) as u64;
        let request = match item? {
            Ok(OwnedItem::Message(m)) => Request::Message(m),
            // A banner, text, or any other item that is not a message.
            Ok(_) => Request::NoHeaders,
            Err(error) => {
                self.at_boundary = false;
                return Some(Err(error));
            }
        };
        self.at_boundary = true;
        Some(Ok(request))
    }

    #[cfg(test)]
    /// At the end of the stream: an error if `rest` (the bytes never consumed) starts a
    /// request that never ended.
    pub(crate) fn finish(&mut self, rest: &[u8]) -> Option<ami_proto::Error> {
        self.position += rest.len() as u64;
        self.decoder.finish(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(wire: &[u8], step: usize) -> Vec<String> {
        let mut reader = RequestReader::new(Limits::DEFAULT);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for piece in wire.chunks(step) {
            buf.extend_from_slice(piece);
            while let Some(request) = reader.next(&mut buf) {
                out.push(match request {
                    Ok(Request::Message(m)) => format!("M {}", m.as_bytes().escape_ascii()),
                    Ok(Request::Empty) => "E".to_owned(),
                    Ok(Request::NoHeaders) => "N".to_owned(),
                    Err(e) => format!("X {e}"),
                });
            }
        }
        assert!(reader.finish(&buf).is_none());
        assert_eq!(reader.position(), wire.len() as u64);
        out
    }

    #[test]
    fn blank_lines_between_messages_are_empty_requests_in_any_chunking() {
        let wire = b"Action: Ping\nActionID: 1\n\nActionID: x\r\nFoo: bar\r\n\r\n\r\n\nAction: Logoff\r\n\r\n";
        let want = [
            "M Action: Ping\\nActionID: 1\\n\\n",
            "M ActionID: x\\r\\nFoo: bar\\r\\n\\r\\n",
            "E",
            "E",
            "M Action: Logoff\\r\\n\\r\\n",
        ];
        for step in 1..wire.len() {
            assert_eq!(read_all(wire, step), want, "reads of {step}");
        }
    }

    #[test]
    fn lines_without_keys_are_requests_without_action() {
        let got = read_all(b"hello\r\n\r\nAction: Ping\r\n\r\n", 64);
        assert_eq!(got[0], "N");
        assert_eq!(got.last().unwrap(), "M Action: Ping\\r\\n\\r\\n");
    }

    #[test]
    fn request_accessors() {
        let mut buf = BytesMut::from(&b"Action: Getvar\r\nActionID: \r\nVariable: X\r\n\r\n"[..]);
        let r = RequestReader::new(Limits::DEFAULT)
            .next(&mut buf)
            .unwrap()
            .unwrap();
        assert_eq!(r.action(), Some(&b"Getvar"[..]));
        assert_eq!(r.action_id(), None, "an empty ActionID is no ActionID");
        assert_eq!(r.arguments(), [(&b"Variable"[..], &b"X"[..])]);
        assert_eq!(Request::Empty.action(), None);
    }
}
