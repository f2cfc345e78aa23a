//! EventList vocabulary: what a message says about a list (`EventList: start`, `Complete`,
//! `Cancelled`), what the caller knows about a list action, and how a list ended.

use crate::message::Message;

/// The value of a message's `EventList` header (compared ASCII case-insensitively: Asterisk
/// writes `start` in lower case and `Complete` capitalised).
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item, ListMarker};
/// let mut d = Decoder::new();
/// let wire = b"Event: X\r\nEventList: Cancelled\r\n\r\n";
/// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
/// assert_eq!(ListMarker::of(&m), Some(ListMarker::Cancelled));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListMarker {
    /// `EventList: start`, in a response: items follow.
    Start,
    /// `EventList: Complete`, in the last event.
    Complete,
    /// `EventList: Cancelled`: the list ended early.
    Cancelled,
    /// Any other value.
    Other,
}

impl ListMarker {
    /// The marker of `message`, `None` without an `EventList` header.
    ///
    /// ```
    /// use ami_proto::{Decoded, Decoder, Item, ListMarker};
    ///
    /// let mut d = Decoder::new();
    /// let wire = b"Response: Success\r\nEventList: start\r\n\r\n";
    /// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
    /// assert_eq!(ListMarker::of(&m), Some(ListMarker::Start));
    /// ```
    pub fn of(message: &Message<'_>) -> Option<ListMarker> {
        let value = message.get("EventList")?;
        Some(if value.eq_ignore_ascii_case(b"start") {
            ListMarker::Start
        } else if value.eq_ignore_ascii_case(b"Complete") {
            ListMarker::Complete
        } else if value.eq_ignore_ascii_case(b"Cancelled") {
            ListMarker::Cancelled
        } else {
            ListMarker::Other
        })
    }
}

/// What the caller knows about a list action, for replies that do not say
/// `EventList: start` (and to tell expected items from others): the item events and the
/// event that ends the list, as `manager show command NAME` prints them under
/// `[List Responses]` and `[Final Response]`.
///
/// ```
/// use ami_proto::ListShape;
///
/// const STATUS: ListShape<'static> = ListShape::new(&["Status"], "StatusComplete");
/// assert!(STATUS.is_item(b"status"));
/// assert!(STATUS.is_final(b"StatusComplete"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListShape<'k> {
    /// Names of the item events (empty: any event with the ActionID is an item).
    pub items: &'k [&'k str],
    /// Name of the event that ends the list.
    pub final_event: &'k str,
}

impl<'k> ListShape<'k> {
    /// A shape from item event names and the final event's name.
    ///
    /// ```
    /// let shape = ami_proto::ListShape::new(&[], "OriginateResponse");
    /// assert!(shape.is_item(b"Anything"));
    /// ```
    pub const fn new(items: &'k [&'k str], final_event: &'k str) -> Self {
        ListShape { items, final_event }
    }

    /// Whether an event named `name` is one of the expected items.
    ///
    /// ```
    /// let shape = ami_proto::ListShape::new(&["DBGetResponse"], "DBGetComplete");
    /// assert!(!shape.is_item(b"Newchannel"));
    /// ```
    pub fn is_item(&self, name: &[u8]) -> bool {
        self.items.is_empty()
            || self
                .items
                .iter()
                .any(|i| name.eq_ignore_ascii_case(i.as_bytes()))
    }

    /// Whether an event named `name` ends the list.
    ///
    /// ```
    /// let shape = ami_proto::ListShape::new(&[], "DBGetComplete");
    /// assert!(shape.is_final(b"dbgetcomplete"));
    /// ```
    pub fn is_final(&self, name: &[u8]) -> bool {
        name.eq_ignore_ascii_case(self.final_event.as_bytes())
    }
}

/// How a list ended.
///
/// ```
/// let end = ami_proto::ListEnd::Complete { seen: 3, listed: Some(3) };
/// assert_eq!(end.seen(), 3);
/// assert!(!end.mismatch());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListEnd {
    /// The final event arrived (`EventList: Complete`, or the caller's final event).
    Complete {
        /// Items seen.
        seen: u32,
        /// Its `ListItems` header, if any.
        listed: Option<u32>,
    },
    /// An event said `EventList: Cancelled`.
    Cancelled {
        /// Items seen before.
        seen: u32,
    },
    /// A `Response: Error` with the list's ActionID arrived.
    Error {
        /// Items seen before.
        seen: u32,
    },
}

impl ListEnd {
    /// Items seen before the end.
    ///
    /// ```
    /// assert_eq!(ami_proto::ListEnd::Cancelled { seen: 2 }.seen(), 2);
    /// ```
    pub fn seen(&self) -> u32 {
        match *self {
            ListEnd::Complete { seen, .. }
            | ListEnd::Cancelled { seen }
            | ListEnd::Error { seen } => seen,
        }
    }

    /// True when the final event's `ListItems` differs from the items seen (Asterisk
    /// 23.4.1's PJSIPShowRegistrationsOutbound counts only its registrations, not the
    /// AuthDetail events between them).
    ///
    /// ```
    /// use ami_proto::ListEnd;
    /// assert!(ListEnd::Complete { seen: 4, listed: Some(2) }.mismatch());
    /// assert!(!ListEnd::Complete { seen: 4, listed: None }.mismatch());
    /// ```
    pub fn mismatch(&self) -> bool {
        matches!(*self, ListEnd::Complete { seen, listed: Some(n) } if n != seen)
    }
}

/// Parses a decimal `ListItems` value; `None` if it is not a number that fits in a `u32`.
pub(crate) fn parse_count(value: &[u8]) -> Option<u32> {
    if value.is_empty() || value.len() > 10 {
        return None;
    }
    value.iter().try_fold(0u32, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts() {
        assert_eq!(parse_count(b"0"), Some(0));
        assert_eq!(parse_count(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_count(b"4294967296"), None);
        assert_eq!(parse_count(b""), None);
        assert_eq!(parse_count(b" 1"), None);
        assert_eq!(parse_count(b"1a"), None);
    }
}
