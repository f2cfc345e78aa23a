//! Typed replies to actions. The `manager show` dumps do not document responses, so this
//! one type is written by hand: the headers every reply may carry, the rest kept as extras.

use ami_proto::{Kind, Message};
use serde::Serialize;

use crate::typed::{Extras, Layout, Slot, SlotValues, TypedHeaders, Value};

/// A `Response:` message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Response<'a> {
    /// `Success`, `Error`, `Follows` (13.x Command), `Goodbye` (Logoff), ...
    #[serde(rename = "Response")]
    pub response: Value<'a>,
    /// The `ActionID` the client chose, echoed.
    #[serde(rename = "ActionID", skip_serializing_if = "Option::is_none")]
    pub action_id: Option<Value<'a>>,
    /// Human-readable result text.
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    pub message: Option<Value<'a>>,
    /// `start` when the answer continues as a list of events.
    #[serde(rename = "EventList", skip_serializing_if = "Option::is_none")]
    pub event_list: Option<Value<'a>>,
    /// Every other header (action-specific answers such as `Value`, `Ping`, `Output`).
    #[serde(rename = "ExtraHeaders", skip_serializing_if = "Extras::is_empty")]
    pub extra: Extras<'a>,
}

impl<'a> Response<'a> {
    /// The headers this type has fields for (after `Response:`).
    pub const LAYOUT: &'static Layout =
        &Layout::new("Response", &["ActionID", "Message", "EventList"], &[]);

    /// Types a `Response:` message; `None` for other kinds.
    pub fn from_message(message: &Message<'a>) -> Option<Response<'a>> {
        if message.kind() != Kind::Response {
            return None;
        }
        let mut typed = Response {
            response: Value::new(message.name()),
            action_id: None,
            message: None,
            event_list: None,
            extra: Extras::new(*message, Self::LAYOUT),
        };
        Self::LAYOUT.walk(message, |slot, header, first| match slot {
            Slot::Key(0) if first => typed.action_id = Some(Value::new(header.value)),
            Slot::Key(1) if first => typed.message = Some(Value::new(header.value)),
            Slot::Key(2) if first => typed.event_list = Some(Value::new(header.value)),
            _ => {}
        });
        Some(typed)
    }

    /// Whether the action succeeded (`Response: Success`, any case).
    pub fn is_success(&self) -> bool {
        self.response.as_bytes().eq_ignore_ascii_case(b"Success")
    }

    /// The headers in wire order, documented ones taken from the fields.
    pub fn headers(&self) -> TypedHeaders<'a, '_> {
        TypedHeaders::new(self.extra.message(), Self::LAYOUT, self)
    }
}

impl<'a> SlotValues<'a> for Response<'a> {
    fn slot_value(&self, slot: usize) -> Option<&'a [u8]> {
        match slot {
            0 => self.action_id.map(|v| v.as_bytes()),
            1 => self.message.map(|v| v.as_bytes()),
            2 => self.event_list.map(|v| v.as_bytes()),
            _ => None,
        }
    }
}
