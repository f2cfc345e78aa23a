//! Messages: a decoded [`Message`] is a borrowed view of its bytes plus the positions of
//! its headers; an [`OwnedMessage`] keeps one past the buffer it came from (`alloc`);
//! [`chan_vars`] reads the `ChanVariable` headers of an event.

mod chan_var;
#[cfg(feature = "alloc")]
pub(crate) mod owned;

use core::str;

pub use chan_var::{chan_var, chan_vars, ChanVar, ChanVars};
#[cfg(feature = "alloc")]
pub use owned::{OwnedItem, OwnedMessage};

/// Where one header line sits inside its message: the slot type of the header storage
/// lent with [`Decoder::with_storage`](crate::Decoder::with_storage), and what
/// [`Message::spans`] returns.
///
/// ```
/// use ami_proto::{Config, Decoded, Decoder, Item, Span};
///
/// let mut slots = [Span::default(); 8];
/// let mut decoder = Decoder::with_storage(Config::default(), &mut slots);
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(b"Response: Success\r\nPing: Pong\r\n\r\n") else { panic!() };
/// let second = m.spans()[1];
/// assert_eq!(&m.as_bytes()[second.key()], b"Ping");
/// assert_eq!(&m.as_bytes()[second.value()], b"Pong");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte of the key.
    pub(crate) key_start: u32,
    /// One past the last byte of the key (the colon).
    pub(crate) key_end: u32,
    /// First byte of the value (after `": "`, or after `":"` when no space follows).
    pub(crate) value_start: u32,
    /// One past the last byte of the value (the CR of the line's CRLF).
    pub(crate) value_end: u32,
}

impl Span {
    /// The key's bytes, as offsets from the start of the message.
    pub fn key(&self) -> core::ops::Range<usize> {
        self.key_start as usize..self.key_end as usize
    }

    /// The value's bytes, as offsets from the start of the message.
    pub fn value(&self) -> core::ops::Range<usize> {
        self.value_start as usize..self.value_end as usize
    }
}

/// What a message is, from its first header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// First header `Event:` (sent by the server).
    Event,
    /// First header `Response:` (the server's reply to an action).
    Response,
    /// First header `Action:` (a client request).
    Action,
    /// Any other first header.
    Other,
}

impl Kind {
    /// Classifies a message by its first key (ASCII case-insensitive).
    pub fn from_first_key(key: &[u8]) -> Kind {
        if key.eq_ignore_ascii_case(b"Event") {
            Kind::Event
        } else if key.eq_ignore_ascii_case(b"Response") {
            Kind::Response
        } else if key.eq_ignore_ascii_case(b"Action") {
            Kind::Action
        } else {
            Kind::Other
        }
    }
}

/// One `Key: Value` header, borrowed from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // Complete: a header is its key and its value; callers build one to test chan_var.
pub struct Header<'a> {
    /// The key, exactly as on the wire.
    pub key: &'a [u8],
    /// The value, exactly as on the wire after the separator (may hold bare LFs and
    /// non-UTF-8 bytes).
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The key as text (keys are ASCII in practice).
    pub fn key_str(&self) -> Result<&'a str, str::Utf8Error> {
        str::from_utf8(self.key)
    }

    /// The value as text, if it is valid UTF-8.
    pub fn value_str(&self) -> Result<&'a str, str::Utf8Error> {
        str::from_utf8(self.value)
    }

    /// Whether the key equals `key`, ignoring ASCII case.
    pub fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key.as_bytes())
    }
}

/// A complete message: headers in wire order (duplicates kept) and, for a legacy
/// `Response: Follows` Command reply, its raw output body.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) spans: &'a [Span],
    pub(crate) kind: Kind,
    pub(crate) body: Option<(u32, u32)>,
    pub(crate) truncated: bool,
}

impl<'a> Message<'a> {
    /// Builds a message view from its bytes and header spans (offsets into `bytes`), for
    /// [`OwnedMessage`](crate::OwnedMessage), which keeps both.
    ///
    /// # Panics
    /// If a span or `body` lies outside `bytes` or `spans` is empty.
    #[cfg(feature = "alloc")]
    pub(crate) fn from_parts(
        bytes: &'a [u8],
        spans: &'a [Span],
        body: Option<(u32, u32)>,
        truncated: bool,
    ) -> Message<'a> {
        for s in spans {
            assert!(s.key_start <= s.key_end && s.key_end <= s.value_start);
            assert!(s.value_start <= s.value_end && s.value_end as usize <= bytes.len());
        }
        if let Some((start, end)) = body {
            assert!(start <= end && end as usize <= bytes.len());
        }
        let first = spans.first().expect("a message has at least one header");
        let kind = Kind::from_first_key(&bytes[first.key_start as usize..first.key_end as usize]);
        Message {
            bytes,
            spans,
            kind,
            body,
            truncated,
        }
    }

    /// What kind of message this is (from its first header).
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The value of the first header: the event name, `Success`/`Error`/`Follows`, or the
    /// action name.
    pub fn name(&self) -> &'a [u8] {
        self.header_at(0).value
    }

    /// The whole message as on the wire, terminator included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Always false: a message has at least one header.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The raw header positions (offsets into [`as_bytes`](Self::as_bytes)).
    pub fn spans(&self) -> &'a [Span] {
        self.spans
    }

    /// The `index`-th header in wire order.
    ///
    /// # Panics
    /// If `index >= self.len()`.
    pub fn header_at(&self, index: usize) -> Header<'a> {
        let s = self.spans[index];
        Header {
            key: &self.bytes[s.key_start as usize..s.key_end as usize],
            value: &self.bytes[s.value_start as usize..s.value_end as usize],
        }
    }

    /// All headers in wire order, duplicates included.
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            bytes: self.bytes,
            spans: self.spans.iter(),
        }
    }

    /// The value of the first header named `key` (ASCII case-insensitive).
    pub fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.headers().find(|h| h.is(key)).map(|h| h.value)
    }

    /// The value of the first header named `key`, if it is valid UTF-8.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|v| str::from_utf8(v).ok())
    }

    /// The values of every header named `key`, in wire order (`ChanVariable`, `Output`,
    /// `Variable`, ...).
    pub fn get_all<'k>(&self, key: &'k str) -> impl Iterator<Item = &'a [u8]> + 'k
    where
        'a: 'k,
    {
        self.headers().filter(move |h| h.is(key)).map(|h| h.value)
    }

    /// The `ActionID` header, if any.
    pub fn action_id(&self) -> Option<&'a [u8]> {
        self.get("ActionID")
    }

    /// Whether this is a legacy (Asterisk <= 13) Command reply: `Response: Follows`.
    pub fn is_follows(&self) -> bool {
        self.kind == Kind::Response && self.name().eq_ignore_ascii_case(b"Follows")
    }

    /// The raw output of a legacy `Response: Follows` Command reply: exactly the bytes
    /// between the last header line and `--END COMMAND--` (lines end in bare LF).
    /// `None` when the message has no such body.
    pub fn command_body(&self) -> Option<&'a [u8]> {
        self.body.map(|(s, e)| &self.bytes[s as usize..e as usize])
    }

    /// True when a `Response: Follows` body ended at a blank line without the
    /// `--END COMMAND--` marker (a cut-off reply).
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The lines of a Command reply's output, whichever form arrived: the legacy body split
    /// at its LFs, or the values of the `Output:` headers (Asterisk >= 14, and the hybrid
    /// `Response: Follows` + `Output:` form).
    pub fn command_output(&self) -> OutputLines<'a> {
        match self.command_body() {
            Some(body) => OutputLines::Body(body),
            None => OutputLines::Headers(self.headers()),
        }
    }
}

/// Iterator over a message's headers in wire order.
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    bytes: &'a [u8],
    spans: core::slice::Iter<'a, Span>,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;

    #[inline]
    fn next(&mut self) -> Option<Header<'a>> {
        let s = self.spans.next()?;
        Some(Header {
            key: &self.bytes[s.key_start as usize..s.key_end as usize],
            value: &self.bytes[s.value_start as usize..s.value_end as usize],
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for Headers<'_> {}

/// The output lines of a Command reply, see [`Message::command_output`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum OutputLines<'a> {
    /// Remaining legacy body; lines end in LF, the last LF does not start another line.
    Body(&'a [u8]),
    /// Remaining headers; only `Output` ones are yielded.
    Headers(Headers<'a>),
}

impl<'a> Iterator for OutputLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            OutputLines::Body(rest) => {
                if rest.is_empty() {
                    return None;
                }
                let (line, tail) = match memchr::memchr(b'\n', rest) {
                    Some(i) => (&rest[..i], &rest[i + 1..]),
                    None => (*rest, &rest[rest.len()..]),
                };
                *rest = tail;
                Some(line)
            }
            OutputLines::Headers(headers) => headers.find(|h| h.is("Output")).map(|h| h.value),
        }
    }
}
