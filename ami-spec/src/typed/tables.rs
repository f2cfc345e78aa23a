//! What the specs say about every item, as static tables: for tools, and for the client's
//! list tracking of actions it only knows by name.

use ami_proto::ListShape;

use super::read::{ast_true, is_regex};

/// What the specs say about one event or action.
#[derive(Debug)]
pub struct ItemInfo {
    /// Wire name.
    pub name: &'static str,
    /// Asterisk versions whose dumps list it or whose captures show it.
    pub versions: &'static [&'static str],
    /// The `[Since]` versions, newest spec first.
    pub since: &'static [&'static str],
    /// One-line summary.
    pub synopsis: &'static str,
    /// The `[Privilege]` classes as the newest spec prints them: an action's write classes
    /// (`call`, `all`; `<none>` for an action any logged-in user may send). Empty for
    /// events, whose documentation prints none.
    pub privilege: &'static [&'static str],
    /// The captures an observed entry about it was written from (empty: only documented).
    pub observed_in: &'static [&'static str],
    /// The headers, in field order.
    pub fields: &'static [FieldInfo],
}

/// What the specs say about one header of an item.
#[derive(Debug)]
pub struct FieldInfo {
    /// Key as the newest spec documents it (`ReportXLSR` for a numbered family).
    pub key: &'static str,
    /// Spellings of older specs that differ in ASCII case only (`Allowoverlap`).
    pub other_spellings: &'static [&'static str],
    /// Whether every spec that documents it marks it required (for a header only observed
    /// entries list: whether every capture sent it).
    pub required: bool,
    /// Spec versions that document it (empty: only observed).
    pub versions: &'static [&'static str],
    /// Whether an observed entry lists it.
    pub observed: bool,
    /// How the event's accessor reads it.
    pub kind: ValueKind,
}

/// How an event accessor reads a header's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// As text (every action header, and numbered families).
    Text,
    /// As an integer ([`number`](super::number)): the documentation says it is a number.
    Number,
    /// As an open enum with these documented values.
    Enum(&'static [&'static str]),
}

/// When a list action is answered by a list at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListCondition {
    /// When this header is true as Asterisk reads it ([`ast_true`]): Originate's `Async`.
    True(&'static str),
    /// When this header is a `/regex/` ([`is_regex`]): Hangup's `Channel`.
    Regex(&'static str),
}

impl ListCondition {
    /// Whether the condition holds for the header's value (`None`: not sent).
    pub fn holds(&self, value: Option<&[u8]>) -> bool {
        let Some(value) = value.and_then(|v| core::str::from_utf8(v).ok()) else {
            return false;
        };
        match self {
            ListCondition::True(_) => ast_true(value),
            ListCondition::Regex(_) => is_regex(value),
        }
    }

    /// The header it reads.
    pub fn key(&self) -> &'static str {
        match self {
            ListCondition::True(key) | ListCondition::Regex(key) => key,
        }
    }
}

/// A list action and the events that answer it.
///
/// ```
/// use ami_spec::list_action;
///
/// let status = list_action("QueueStatus").unwrap();
/// assert_eq!(status.complete, Some("QueueStatusComplete"));
/// let shape = status.shape(|_| None).unwrap();
/// assert!(shape.is_item(b"QueueMember") && shape.is_final(b"QueueStatusComplete"));
///
/// // An Originate is answered by one OriginateResponse only when Async is true.
/// let originate = list_action("Originate").unwrap();
/// assert!(originate.shape(|_| None).is_none());
/// assert!(originate.shape(|key| (key == "Async").then_some(&b"yes"[..])).is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListAction {
    /// The action name.
    pub action: &'static str,
    /// Events sent once per item (`[List Responses]`; empty: any event with the ActionID).
    pub items: &'static [&'static str],
    /// The event that closes the list (`[Final Response]`).
    pub complete: Option<&'static str>,
    /// When the answer is a list at all (`None`: always).
    pub condition: Option<ListCondition>,
}

impl ListAction {
    /// The list shape of a request whose headers `get` gives (by key, ASCII case ignored),
    /// or `None` when this request is not answered by a list.
    pub fn shape<'h>(&self, get: impl Fn(&str) -> Option<&'h [u8]>) -> Option<ListShape<'static>> {
        let complete = self.complete?;
        if let Some(condition) = self.condition {
            if !condition.holds(get(condition.key())) {
                return None;
            }
        }
        Some(ListShape::new(self.items, complete))
    }
}
