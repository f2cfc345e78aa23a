//! Decoded items that own their bytes, for queues, channels, tasks and anything that
//! outlives the input buffer. [`OwnedMessage`] is the one owned message type of the
//! workspace: the tokio codec and client, the typed events of `ami-spec` and the AJAM
//! decoders all hand out this type.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use bytes::{Buf, Bytes, BytesMut};

use crate::decode::Error;
use crate::decode::{Decoded, Decoder, Item};
use crate::message::{Message, Span};

/// An owned copy of any [`Item`].
///
/// ```
/// use ami_proto::{Decoded, Decoder, OwnedItem};
///
/// let mut decoder = Decoder::new();
/// let wire = b"Asterisk Call Manager/2.10.6\r\nEvent: Hangup\r\n\r\n";
/// let mut items = Vec::new();
/// let mut rest = &wire[..];
/// while let Decoded::Item { item, consumed } = decoder.decode(rest) {
///     items.push(OwnedItem::new(&item));
///     rest = &rest[consumed..];
/// }
/// assert_eq!(items[0], OwnedItem::Banner(b"Asterisk Call Manager/2.10.6"[..].into()));
/// let OwnedItem::Message(hangup) = &items[1] else { panic!() };
/// assert_eq!(hangup.message().name(), b"Hangup");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnedItem {
    /// A copy of [`Item::Banner`].
    Banner(Bytes),
    /// A copy of [`Item::Message`].
    Message(OwnedMessage),
    /// A copy of [`Item::Text`].
    Text(Bytes),
}

impl OwnedItem {
    /// Copies `item` out of the decoder's buffer.
    ///
    /// ```
    /// use ami_proto::{Item, OwnedItem};
    /// let banner = OwnedItem::new(&Item::Banner(b"Asterisk Call Manager/12.0.0"));
    /// assert_eq!(banner, OwnedItem::Banner(b"Asterisk Call Manager/12.0.0"[..].into()));
    /// ```
    pub fn new(item: &Item<'_>) -> Self {
        match item {
            Item::Banner(line) => OwnedItem::Banner(Bytes::copy_from_slice(line)),
            Item::Message(message) => OwnedItem::Message(OwnedMessage::new(message)),
            Item::Text(text) => OwnedItem::Text(Bytes::copy_from_slice(text)),
        }
    }

    /// The borrowed view of this item, as the decoder gave it.
    ///
    /// ```
    /// use ami_proto::{Item, OwnedItem};
    /// let text = OwnedItem::Text(b"No queues."[..].into());
    /// assert!(matches!(text.item(), Item::Text(b"No queues.")));
    /// ```
    pub fn item(&self) -> Item<'_> {
        match self {
            OwnedItem::Banner(line) => Item::Banner(line),
            OwnedItem::Message(message) => Item::Message(message.message()),
            OwnedItem::Text(text) => Item::Text(text),
        }
    }
}

impl From<&Item<'_>> for OwnedItem {
    fn from(item: &Item<'_>) -> Self {
        OwnedItem::new(item)
    }
}

impl Decoder<'_> {
    /// Decodes the next item of `buf` and splits its bytes off `buf` without copying them:
    /// the item shares `buf`'s memory (see [`OwnedMessage::slice_of`] for what that means
    /// for memory). Bytes the decoder has used are removed from `buf` in every case.
    /// `None` means more input is needed.
    ///
    /// This is what a tokio codec or an IO loop over [`BytesMut`] calls.
    ///
    /// ```
    /// use ami_proto::{Decoder, OwnedItem};
    /// let mut buf = bytes::BytesMut::from(&b"Asterisk Call Manager/12.0.0\r\nEvent: A\r\n\r\nEvent: B"[..]);
    /// let mut decoder = Decoder::new();
    /// assert!(matches!(decoder.decode_owned(&mut buf), Some(Ok(OwnedItem::Banner(_)))));
    /// let Some(Ok(OwnedItem::Message(a))) = decoder.decode_owned(&mut buf) else { panic!() };
    /// assert_eq!(a.message().name(), b"A");
    /// assert!(decoder.decode_owned(&mut buf).is_none());
    /// ```
    pub fn decode_owned(&mut self, buf: &mut BytesMut) -> Option<Result<OwnedItem, Error>> {
        /// Where the item lies in `buf`, noted while the item borrows `buf`.
        enum Found {
            Banner(core::ops::Range<usize>),
            Text(core::ops::Range<usize>),
            Message(
                core::ops::Range<usize>,
                Arc<[Span]>,
                Option<(u32, u32)>,
                bool,
            ),
        }
        let (consumed, found) = match self.decode(buf) {
            Decoded::NeedMore { consumed } => {
                buf.advance(consumed);
                return None;
            }
            Decoded::Error { error, consumed } => {
                buf.advance(consumed);
                return Some(Err(error));
            }
            Decoded::Item { item, consumed } => {
                let range = |part: &[u8]| {
                    let start = part.as_ptr() as usize - buf.as_ptr() as usize;
                    start..start + part.len()
                };
                let found = match item {
                    Item::Banner(text) => Found::Banner(range(text)),
                    Item::Text(text) => Found::Text(range(text)),
                    Item::Message(m) => Found::Message(
                        range(m.as_bytes()),
                        m.spans().into(),
                        body_offsets(&m),
                        m.is_truncated(),
                    ),
                };
                (consumed, found)
            }
        };
        let taken = buf.split_to(consumed).freeze();
        Some(Ok(match found {
            Found::Banner(r) => OwnedItem::Banner(taken.slice(r)),
            Found::Text(r) => OwnedItem::Text(taken.slice(r)),
            Found::Message(r, spans, body, truncated) => OwnedItem::Message(OwnedMessage {
                bytes: taken.slice(r),
                span_range: (0, spans.len() as u32),
                spans,
                body,
                truncated,
            }),
        }))
    }
}

/// Where a `Response: Follows` body lies in its message.
pub(crate) fn body_offsets(message: &Message<'_>) -> Option<(u32, u32)> {
    message.command_body().map(|b| {
        // The body is a sub-slice of the message: its offset is the pointer distance.
        let start = b.as_ptr() as usize - message.as_bytes().as_ptr() as usize;
        (start as u32, (start + b.len()) as u32)
    })
}

/// A [`Message`] that owns its bytes and header positions. Cloning is cheap (two
/// reference counts), so one message can go to many subscribers.
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
///
/// let mut decoder = Decoder::new();
/// let wire = b"Event: Hangup\r\nChannel: X\r\n\r\n".to_vec();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(&wire) else { panic!() };
/// let owned = OwnedMessage::new(&m);
/// drop(wire);
/// assert_eq!(owned.message().get("Channel"), Some(&b"X"[..]));
/// ```
///
/// The messages a [`Connection`](crate::Connection) decodes from one read share that
/// read's buffer and header table (one allocation each per read, not per message), so a
/// message kept alive keeps its whole read allocated: [`detached`](Self::detached) copies
/// one out for long storage.
#[derive(Clone)]
pub struct OwnedMessage {
    bytes: Bytes,
    /// The table this message's header positions are in: its own, or one shared by the
    /// messages of a read.
    spans: Arc<[Span]>,
    /// This message's part of `spans`.
    span_range: (u32, u32),
    body: Option<(u32, u32)>,
    truncated: bool,
}

/// Equal when the messages are: same bytes, headers, body and truncation, wherever the
/// bytes are kept.
impl PartialEq for OwnedMessage {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
            && self.own_spans() == other.own_spans()
            && self.body == other.body
            && self.truncated == other.truncated
    }
}

impl Eq for OwnedMessage {}

impl OwnedMessage {
    /// Copies `message` into a buffer of its own.
    ///
    /// ```
    /// # use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
    /// # let mut d = Decoder::new();
    /// let wire = b"Response: Follows\r\nActionID: 1\r\nline\n--END COMMAND--\r\n\r\n";
    /// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
    /// assert_eq!(OwnedMessage::new(&m).message().command_body(), Some(&b"line\n"[..]));
    /// ```
    pub fn new(message: &Message<'_>) -> Self {
        OwnedMessage::with_bytes(message, Bytes::copy_from_slice(message.as_bytes()))
    }

    /// Keeps `message` without copying it: `buffer` must hold the bytes `message` was
    /// decoded from (for example a read buffer frozen into [`Bytes`]). Returns `None` when
    /// the message does not lie inside `buffer`.
    ///
    /// The result shares `buffer`'s memory: as long as it lives, all of `buffer` stays
    /// allocated. Use [`new`](Self::new) for messages kept for long.
    ///
    /// ```
    /// use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
    /// let buffer = bytes::Bytes::from_static(b"Event: A\r\n\r\nEvent: B\r\n\r\n");
    /// let mut decoder = Decoder::new();
    /// let Decoded::Item { item: Item::Message(a), .. } = decoder.decode(&buffer[12..]) else { panic!() };
    /// let b = OwnedMessage::slice_of(&buffer, &a).unwrap();
    /// assert_eq!(b.as_bytes(), b"Event: B\r\n\r\n");
    /// assert!(OwnedMessage::slice_of(&bytes::Bytes::from_static(b"other"), &a).is_none());
    /// ```
    pub fn slice_of(buffer: &Bytes, message: &Message<'_>) -> Option<Self> {
        let part = message.as_bytes();
        let start = (part.as_ptr() as usize).checked_sub(buffer.as_ptr() as usize)?;
        let end = start.checked_add(part.len())?;
        (end <= buffer.len()).then(|| OwnedMessage::with_bytes(message, buffer.slice(start..end)))
    }

    /// `bytes` holds exactly `message.as_bytes()`.
    fn with_bytes(message: &Message<'_>, bytes: Bytes) -> Self {
        OwnedMessage {
            bytes,
            spans: message.spans().into(),
            span_range: (0, message.spans().len() as u32),
            body: body_offsets(message),
            truncated: message.is_truncated(),
        }
    }

    /// A message whose bytes are `read[bytes]` and whose header positions are
    /// `spans[span_range]`: one of several sharing one read's buffers.
    pub(crate) fn in_read(
        read: &Bytes,
        bytes: core::ops::Range<usize>,
        spans: &Arc<[Span]>,
        span_range: (u32, u32),
        body: Option<(u32, u32)>,
        truncated: bool,
    ) -> Self {
        OwnedMessage {
            bytes: read.slice(bytes),
            spans: spans.clone(),
            span_range,
            body,
            truncated,
        }
    }

    /// A copy in buffers of its own, for keeping a message long after its read: a message
    /// from a [`Connection`](crate::Connection) shares its read's buffers, and keeping it
    /// keeps them.
    ///
    /// ```
    /// use ami_proto::{ConnEvent, Connection};
    /// let mut conn: Connection = Connection::new();
    /// conn.handle_input(b"Asterisk Call Manager/12.0.0\r\nEvent: A\r\n\r\nEvent: B\r\nX: 1\r\n\r\n");
    /// conn.poll_event(); // the banner
    /// conn.poll_event(); // A
    /// let Some(ConnEvent::Event(b)) = conn.poll_event() else { panic!() };
    /// let kept = b.detached();
    /// assert_eq!(kept, b);
    /// assert_eq!(kept.as_bytes(), b"Event: B\r\nX: 1\r\n\r\n");
    /// ```
    #[must_use]
    pub fn detached(&self) -> Self {
        OwnedMessage::new(&self.message())
    }

    fn own_spans(&self) -> &[Span] {
        &self.spans[self.span_range.0 as usize..self.span_range.1 as usize]
    }

    /// Builds a message from `Key: Value` pairs, in wire form (CRLF lines and the blank
    /// line): for messages that did not come from the TCP decoder (AJAM replies, JSON,
    /// tests). Returns `None` without headers, or when a key or value holds CR or LF, or a
    /// key holds `:` (the result would not decode as these headers).
    ///
    /// ```
    /// let m = ami_proto::OwnedMessage::from_headers([("Event", "Hangup"), ("Cause", "16")]).unwrap();
    /// assert_eq!(m.as_bytes(), b"Event: Hangup\r\nCause: 16\r\n\r\n");
    /// assert_eq!(m.message().get_str("cause"), Some("16"));
    /// assert!(ami_proto::OwnedMessage::from_headers([("Event", "a\r\nB: c")]).is_none());
    /// ```
    pub fn from_headers<K, V>(headers: impl IntoIterator<Item = (K, V)>) -> Option<Self>
    where
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut bytes = Vec::new();
        let mut spans = Vec::new();
        for (key, value) in headers {
            let (key, value) = (key.as_ref(), value.as_ref());
            let breaks = |b: &u8| matches!(b, b'\r' | b'\n');
            if key.is_empty() || key.iter().any(|b| breaks(b) || *b == b':') {
                return None;
            }
            if value.iter().any(breaks) {
                return None;
            }
            let offset = |bytes: &Vec<u8>| u32::try_from(bytes.len()).ok();
            let key_start = offset(&bytes)?;
            bytes.extend_from_slice(key);
            let key_end = offset(&bytes)?;
            bytes.extend_from_slice(b": ");
            let value_start = offset(&bytes)?;
            bytes.extend_from_slice(value);
            let value_end = offset(&bytes)?;
            bytes.extend_from_slice(b"\r\n");
            spans.push(Span {
                key_start,
                key_end,
                value_start,
                value_end,
            });
        }
        let count = spans.len() as u32;
        if spans.is_empty() {
            return None;
        }
        bytes.extend_from_slice(b"\r\n");
        Some(OwnedMessage {
            bytes: bytes.into(),
            spans: spans.into(),
            span_range: (0, count),
            body: None,
            truncated: false,
        })
    }

    /// A borrowed view with every [`Message`] accessor.
    ///
    /// ```
    /// # use ami_proto::{Decoded, Decoder, Item, Kind, OwnedMessage};
    /// # let mut d = Decoder::new();
    /// # let Decoded::Item { item: Item::Message(m), .. } = d.decode(b"Response: Success\r\n\r\n") else { panic!() };
    /// let owned = OwnedMessage::new(&m);
    /// assert_eq!(owned.message().kind(), Kind::Response);
    /// ```
    pub fn message(&self) -> Message<'_> {
        // Copied from a decoded message or built by `from_headers`: the spans are in
        // bounds and never empty.
        Message::from_parts(&self.bytes, self.own_spans(), self.body, self.truncated)
    }

    /// The message as on the wire.
    ///
    /// ```
    /// # use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
    /// # let mut d = Decoder::new();
    /// # let Decoded::Item { item: Item::Message(m), .. } = d.decode(b"Response: Success\r\n\r\n") else { panic!() };
    /// assert_eq!(OwnedMessage::new(&m).as_bytes(), b"Response: Success\r\n\r\n");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The message's bytes as a shared [`Bytes`] (no copy).
    ///
    /// ```
    /// let m = ami_proto::OwnedMessage::from_headers([("Response", "Success")]).unwrap();
    /// assert_eq!(&m.bytes()[..], b"Response: Success\r\n\r\n");
    /// ```
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// Shows the message as escaped text. In an action (a client's request, as a proxy or a
/// recorder sees them), the values of `Secret` and `Key` are hidden: a login's secret
/// never reaches a log through `Debug`.
///
/// ```
/// let login = ami_proto::OwnedMessage::from_headers([("Action", "Login"), ("Secret", "amp111")]).unwrap();
/// assert_eq!(format!("{login:?}"), r#"OwnedMessage("Action: Login\r\nSecret: <hidden>\r\n\r\n")"#);
/// ```
impl fmt::Debug for OwnedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message();
        if message.kind() != crate::message::Kind::Action {
            return write!(f, "OwnedMessage(\"{}\")", self.bytes.escape_ascii());
        }
        f.write_str("OwnedMessage(\"")?;
        for header in message.headers() {
            let secret = header.is("Secret") || header.is("Key");
            let value: &[u8] = if secret { b"<hidden>" } else { header.value };
            write!(
                f,
                "{}: {}\\r\\n",
                header.key.escape_ascii(),
                value.escape_ascii()
            )?;
        }
        f.write_str("\\r\\n\")")
    }
}
