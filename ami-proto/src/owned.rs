//! Decoded items that own their bytes, for queues, channels, comparisons and anything that
//! outlives the input buffer.

use alloc::vec::Vec;
use core::fmt;

use crate::decoder::Item;
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
/// assert_eq!(items[0], OwnedItem::Banner(b"Asterisk Call Manager/2.10.6".to_vec()));
/// let OwnedItem::Message(hangup) = &items[1] else { panic!() };
/// assert_eq!(hangup.message().name(), b"Hangup");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedItem {
    /// A copy of [`Item::Banner`].
    Banner(Vec<u8>),
    /// A copy of [`Item::Message`].
    Message(OwnedMessage),
    /// A copy of [`Item::Text`].
    Text(Vec<u8>),
}

impl OwnedItem {
    /// Copies `item` out of the decoder's buffer.
    pub fn new(item: &Item<'_>) -> Self {
        match item {
            Item::Banner(line) => OwnedItem::Banner(line.to_vec()),
            Item::Message(message) => OwnedItem::Message(OwnedMessage::new(message)),
            Item::Text(text) => OwnedItem::Text(text.to_vec()),
        }
    }
}

impl From<&Item<'_>> for OwnedItem {
    fn from(item: &Item<'_>) -> Self {
        OwnedItem::new(item)
    }
}

/// An owned copy of a [`Message`]: its bytes and header positions.
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
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedMessage {
    bytes: Vec<u8>,
    spans: Vec<Span>,
    body: Option<(u32, u32)>,
    truncated: bool,
}

impl OwnedMessage {
    /// Copies `message`.
    ///
    /// ```
    /// # use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
    /// # let mut d = Decoder::new();
    /// let wire = b"Response: Follows\r\nActionID: 1\r\nline\n--END COMMAND--\r\n\r\n";
    /// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
    /// assert_eq!(OwnedMessage::new(&m).message().command_body(), Some(&b"line\n"[..]));
    /// ```
    pub fn new(message: &Message<'_>) -> Self {
        let bytes = message.as_bytes();
        let body = message.command_body().map(|b| {
            // The body is a sub-slice of the message: its offset is the pointer distance.
            let start = b.as_ptr() as usize - bytes.as_ptr() as usize;
            (start as u32, (start + b.len()) as u32)
        });
        OwnedMessage {
            bytes: bytes.to_vec(),
            spans: message.spans().to_vec(),
            body,
            truncated: message.is_truncated(),
        }
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
        // Copied from a decoded message: the spans are in bounds and never empty.
        Message::from_parts(&self.bytes, &self.spans, self.body, self.truncated)
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
}

impl fmt::Debug for OwnedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnedMessage(\"{}\")", self.bytes.escape_ascii())
    }
}
