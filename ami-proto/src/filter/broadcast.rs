//! An event as Asterisk queues it for every session: the text the filters search, the
//! classes the read and event masks are checked against, the name `name()` filters compare.

use crate::Message;

use super::class::Classes;
use super::event_filter::EventText;
use super::text::{name_hash, until_nul};

/// What the filter engine needs of a broadcast event, worked out once so that one event can
/// be checked against many sessions cheaply.
///
/// ```
/// use ami_proto::filter::{Broadcast, Classes};
/// # use ami_proto::{Decoded, Decoder, Item};
/// # let wire = b"Event: Newexten\r\nPrivilege: dialplan,all\r\nChannel: Local/100@test-0001;1\r\n\r\n";
/// # let mut decoder = Decoder::new();
/// # let Decoded::Item { item: Item::Message(message), .. } = decoder.decode(wire) else { panic!() };
/// let event = Broadcast::new(&message);
/// assert_eq!(event.classes(), Classes::DIALPLAN);
/// assert_eq!(event.name(), b"Newexten");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Broadcast<'a> {
    text: EventText<'a>,
    name: &'a [u8],
    classes: Classes,
}

impl<'a> Broadcast<'a> {
    /// The event `message` as Asterisk built it: its bytes (cut at a NUL, as Asterisk's C
    /// string would be), its name (the value of its first header), its classes (from
    /// `Privilege:`, none when absent).
    pub fn new(message: &Message<'a>) -> Broadcast<'a> {
        let name = message.name();
        Broadcast {
            text: EventText {
                text: until_nul(message.as_bytes()),
                name_hash: name_hash(name),
            },
            name,
            classes: message
                .get("Privilege")
                .map_or(Classes::NONE, Classes::from_privilege),
        }
    }

    /// The event name.
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The classes its `Privilege:` lists.
    pub fn classes(&self) -> Classes {
        self.classes
    }

    pub(crate) fn text(&self) -> &EventText<'a> {
        &self.text
    }
}
