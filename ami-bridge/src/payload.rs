//! What a message's payload holds: an event or another item in `ami decode`'s JSON Lines
//! object (or its typed object), and the bridge's own state objects.

use ami_proto::{Item, Message};
use bytes::Bytes;
use serde::Serialize;

use crate::config::Format;

/// An event (or a reply nobody waits for) as `ami decode` writes it, without the newline.
///
/// ```
/// use ami_bridge::config::Format;
/// let m = ami_proto::OwnedMessage::from_headers([("Event", "Hangup"), ("Cause", "16")]).unwrap();
/// let json = ami_bridge::payload::message(Format::Json, &m.message());
/// assert_eq!(&json[..], br#"{"type":"event","headers":[["Event","Hangup"],["Cause","16"]]}"#);
/// ```
pub fn message(format: Format, message: &Message<'_>) -> Bytes {
    let mut out = Vec::with_capacity(message.as_bytes().len() + message.as_bytes().len() / 2);
    // Writing into a Vec cannot fail.
    let _ = match format {
        Format::Json => ami_json::write_item_object(&mut out, &Item::Message(*message)),
        Format::Typed => ami_json::write_typed_object(&mut out, message),
    };
    out.into()
}

/// A block of text that is not headers, as `ami decode` writes it.
pub fn text(text: &[u8]) -> Bytes {
    let mut out = Vec::new();
    let _ = ami_json::write_item_object(&mut out, &Item::Text(text));
    out.into()
}

/// Malformed input, as `ami decode` writes it (`{"type":"error","offset":N,...}`).
pub fn malformed(error: &ami_proto::Error) -> Bytes {
    let mut out = Vec::new();
    let _ = ami_json::write_error_object(&mut out, error);
    out.into()
}

/// What the bridge says on a server's state subject.
///
/// ```
/// use ami_bridge::payload::State;
/// let json = State::Disconnected { reason: "read failed", connection: 2 }.to_json();
/// assert_eq!(&json[..], br#"{"type":"disconnected","reason":"read failed","connection":2}"#);
/// let json = State::Dropped { missed: 7, reason: "the buffer was full" }.to_json();
/// assert_eq!(&json[..], br#"{"type":"dropped","missed":7,"reason":"the buffer was full"}"#);
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
#[non_exhaustive]
pub enum State<'a> {
    /// Logged in (after every login): `{"type":"connected","banner":"...","connection":N}`.
    Connected {
        /// The server's greeting (`Asterisk Call Manager/12.0.0`).
        banner: &'a str,
        /// Which connection of this bridge run (1 for the first).
        connection: u64,
    },
    /// The AMI connection ended; the bridge reconnects.
    Disconnected {
        /// Why.
        reason: &'a str,
        /// The connection that ended.
        connection: u64,
    },
    /// Messages that were never published: their sequence numbers are missing.
    Dropped {
        /// How many.
        missed: u64,
        /// Why (the buffer was full, the bridge fell behind the AMI connection, JetStream
        /// refused them).
        reason: &'a str,
    },
}

impl State<'_> {
    /// The payload.
    pub fn to_json(&self) -> Bytes {
        serde_json::to_vec(self).expect("a state serializes").into()
    }
}
