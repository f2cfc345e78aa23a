//! Typed replies to actions. The `manager show` dumps do not document responses, so this
//! one view is written by hand: the headers every reply may carry, the rest read as extras.

use core::fmt;

use ami_proto::{Kind, Message};

use crate::typed::{debug_view, text, Extras, Layout};

/// A `Response:` message, viewed in place like a typed event.
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item};
/// use ami_spec::Response;
///
/// let wire = b"Response: Success\r\nActionID: 7\r\nMessage: Pong\r\nPing: Pong\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// let reply = Response::from_message(&m).unwrap();
/// assert!(reply.is_success());
/// assert_eq!(reply.action_id(), Some("7"));
/// assert_eq!(reply.message(), Some("Pong"));
/// assert_eq!(reply.extra().get_str("Ping"), Some("Pong"));
/// ```
#[derive(Clone, Copy)]
pub struct Response<'a>(Message<'a>);

impl<'a> Response<'a> {
    /// The headers this view has accessors for (after `Response:`).
    pub const LAYOUT: &'static Layout =
        &Layout::new("Response", &["ActionID", "Message", "EventList"], &[]);

    /// Views a `Response:` message; `None` for other kinds.
    pub fn from_message(message: &Message<'a>) -> Option<Response<'a>> {
        (message.kind() == Kind::Response).then_some(Response(*message))
    }

    /// The message this view reads.
    pub fn as_message(&self) -> &Message<'a> {
        &self.0
    }

    /// `Success`, `Error`, `Follows` (13.x Command), `Goodbye` (Logoff), ...; `None` if not
    /// UTF-8 (the bytes are `as_message().name()`).
    pub fn response(&self) -> Option<&'a str> {
        text(Some(self.0.name()))
    }

    /// Whether the action succeeded (`Response: Success`, ASCII case ignored).
    pub fn is_success(&self) -> bool {
        self.0.name().eq_ignore_ascii_case(b"Success")
    }

    /// The `ActionID` the client chose, echoed.
    pub fn action_id(&self) -> Option<&'a str> {
        text(self.0.get("ActionID"))
    }

    /// Human-readable result text.
    pub fn message(&self) -> Option<&'a str> {
        text(self.0.get("Message"))
    }

    /// `start` when the answer continues as a list of events.
    pub fn event_list(&self) -> Option<&'a str> {
        text(self.0.get("EventList"))
    }

    /// Every other header (action-specific answers such as `Value`, `Ping`, `Output`).
    pub fn extra(&self) -> Extras<'a> {
        Extras::new(self.0, Self::LAYOUT)
    }
}

impl fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_view(f, &self.0, Self::LAYOUT)
    }
}

/// `{"Response": ..., "ActionID": ..., "Message": ..., "EventList": ..., "ExtraHeaders": [...]}`.
#[cfg(feature = "serde")]
impl serde::Serialize for Response<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::json::serialize_response(&self.0, Self::LAYOUT, s)
    }
}
