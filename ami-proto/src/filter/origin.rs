//! Where a message written to a session comes from, which decides whether filtering
//! applies: only events queued for every session go through the read classes, the event
//! mask and the filters.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::{Kind, Message};

/// How Asterisk came to write a message to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// An event queued for every session (`manager_event`): delivered only if the session's
    /// read classes and event mask cover its classes and its filters let it through.
    Broadcast,
    /// Written to this session only: a response to one of its actions, or an item or the
    /// completion event of one of its lists. Always delivered.
    Session,
    /// The `FullyBooted` event Asterisk writes right after a successful Login: delivered
    /// when the user's read classes and the Login's event mask both include `system`; the
    /// filters do not apply.
    LoginGreeting,
}

/// Tells the [`Origin`] of each message of a capture of one session's server side (an
/// `ami decode`-able file), in order: responses, and events carrying the ActionID of a
/// response seen before (list items), are [`Origin::Session`]; a `FullyBooted` right after
/// `Message: Authentication accepted` is the [`Origin::LoginGreeting`]; other events are
/// [`Origin::Broadcast`].
///
/// A capture does not say everything: an event this session caused that carries its own
/// ActionID (a `UserEvent` it sent) is taken for a list item.
///
/// ```
/// use ami_proto::filter::{CaptureOrigins, Origin};
/// # use ami_proto::{Decoded, Decoder, Item};
/// let wire = b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n\
///              Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n\
///              Event: DBGetResponse\r\nActionID: 1\r\n\r\n\
///              Event: Hangup\r\nPrivilege: call,all\r\n\r\n";
/// let mut origins = CaptureOrigins::new();
/// let mut seen = Vec::new();
/// let (mut decoder, mut rest) = (Decoder::new(), &wire[..]);
/// while let Decoded::Item { item: Item::Message(message), consumed } = decoder.decode(rest) {
///     seen.push(origins.origin(&message));
///     rest = &rest[consumed..];
/// }
/// assert_eq!(seen, [Origin::Session, Origin::LoginGreeting, Origin::Session, Origin::Broadcast]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CaptureOrigins {
    action_ids: BTreeSet<Vec<u8>>,
    after_login: bool,
}

impl CaptureOrigins {
    /// Nothing seen yet.
    pub fn new() -> CaptureOrigins {
        CaptureOrigins::default()
    }

    /// The origin of the next message of the capture.
    pub fn origin(&mut self, message: &Message<'_>) -> Origin {
        let after_login = core::mem::take(&mut self.after_login);
        match message.kind() {
            Kind::Response => {
                if let Some(id) = message.action_id() {
                    self.action_ids.insert(id.to_vec());
                }
                self.after_login = message.get("Message") == Some(b"Authentication accepted");
                Origin::Session
            }
            Kind::Event if after_login && message.name() == b"FullyBooted" => Origin::LoginGreeting,
            Kind::Event => match message.action_id() {
                Some(id) if self.action_ids.contains(id) => Origin::Session,
                _ => Origin::Broadcast,
            },
            Kind::Action | Kind::Other => Origin::Session,
        }
    }
}
