//! Collects a whole EventList into one value, for callers who would rather have the list
//! than its pieces. Needs `alloc`; the pieces themselves come from [`Connection`].
//!
//! [`Connection`]: crate::Connection

use alloc::vec::Vec;

use crate::connection::ConnEvent;
use crate::connection::ListEnd;
use crate::encode::ActionId;
use crate::message::OwnedMessage;

/// A finished list: the reply that opened it, its items in order, and how it ended.
///
/// ```
/// // See ListCollector for a whole run; a list is plain data:
/// fn count(list: &ami_proto::CollectedList) -> usize { list.items.len() }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CollectedList {
    /// The action.
    pub id: ActionId,
    /// The reply (`EventList: start`).
    pub response: OwnedMessage,
    /// The item events, in order.
    pub items: Vec<OwnedMessage>,
    /// How the list ended.
    pub end: ListEnd,
    /// The final event (or the error reply that ended the list).
    pub last: OwnedMessage,
}

/// What [`ListCollector::push`] made of an event.
///
/// ```
/// use ami_proto::{Collected, ConnEvent, ListCollector};
/// let mut lists = ListCollector::new();
/// assert_eq!(lists.push(ConnEvent::Text(b"x"[..].into())), Collected::Pass(ConnEvent::Text(b"x"[..].into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Collected {
    /// Not part of a list: handle it yourself.
    Pass(ConnEvent),
    /// Kept as part of a list still open.
    Held,
    /// A list is complete.
    List(CollectedList),
}

/// Gathers list events by ActionID until each list ends; lists may interleave.
///
/// ```
/// use ami_proto::{Collected, ConnEvent, Connection, ListCollector};
///
/// let mut conn: Connection = Connection::new();
/// conn.send(&ami_proto::GenericAction::new("DBGetTree").header("Family", "f")).unwrap();
/// conn.handle_input(b"Response: Success\r\nActionID: ami-1\r\nEventList: start\r\n\r\n\
///     Event: DBGetTreeResponse\r\nActionID: ami-1\r\nKey: /f/a\r\n\r\n\
///     Event: DBGetTreeComplete\r\nActionID: ami-1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n");
/// let mut lists = ListCollector::new();
/// let mut done = Vec::new();
/// while let Some(event) = conn.poll_event() {
///     if let Collected::List(list) = lists.push(event) {
///         done.push(list);
///     }
/// }
/// assert_eq!(done.len(), 1);
/// assert_eq!(done[0].items[0].message().get("Key"), Some(&b"/f/a"[..]));
/// assert!(!done[0].end.mismatch());
/// ```
#[derive(Debug, Default)]
pub struct ListCollector {
    open: Vec<(ActionId, OwnedMessage, Vec<OwnedMessage>)>,
}

impl ListCollector {
    /// No open lists.
    ///
    /// ```
    /// assert_eq!(ami_proto::ListCollector::new().open(), 0);
    /// ```
    pub fn new() -> Self {
        ListCollector::default()
    }

    /// Lists started and not yet ended.
    ///
    /// ```
    /// use ami_proto::{Collected, Connection, ListCollector};
    /// let mut conn: Connection = Connection::new();
    /// conn.send(&ami_proto::GenericAction::new("CoreShowChannels").header("A", "b")).unwrap();
    /// conn.handle_input(b"Response: Success\r\nActionID: ami-1\r\nEventList: start\r\n\r\n");
    /// let mut lists = ListCollector::new();
    /// assert_eq!(lists.push(conn.poll_event().unwrap()), Collected::Held);
    /// assert_eq!(lists.open(), 1);
    /// ```
    pub fn open(&self) -> usize {
        self.open.len()
    }

    /// Takes one event from [`Connection::poll_event`](crate::Connection::poll_event).
    ///
    /// ```
    /// use ami_proto::{Collected, ConnEvent, Connection, ListCollector};
    /// let mut conn: Connection = Connection::new();
    /// conn.send(&ami_proto::GenericAction::new("CoreShowChannels").header("A", "b")).unwrap();
    /// conn.handle_input(b"Response: Success\r\nActionID: ami-1\r\nEventList: start\r\n\r\n\
    ///     Event: CoreShowChannel\r\nActionID: ami-1\r\nChannel: PJSIP/1\r\n\r\n\
    ///     Event: CoreShowChannelsComplete\r\nActionID: ami-1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n");
    /// let mut lists = ListCollector::new();
    /// assert_eq!(lists.push(conn.poll_event().unwrap()), Collected::Held); // the reply
    /// assert_eq!(lists.push(conn.poll_event().unwrap()), Collected::Held); // an item
    /// let Collected::List(list) = lists.push(conn.poll_event().unwrap()) else { panic!() };
    /// assert_eq!(list.items.len(), 1);
    /// let other = ConnEvent::Text(b"x"[..].into());
    /// assert_eq!(lists.push(other.clone()), Collected::Pass(other));
    /// ```
    pub fn push(&mut self, event: ConnEvent) -> Collected {
        match event {
            ConnEvent::Response {
                id,
                list: true,
                message,
            } => {
                self.open.push((id, message, Vec::new()));
                Collected::Held
            }
            ConnEvent::ListItem { id, index, message } => match self.find(&id) {
                Some(i) => {
                    self.open[i].2.push(message);
                    Collected::Held
                }
                None => Collected::Pass(ConnEvent::ListItem { id, index, message }),
            },
            ConnEvent::ListEnd { id, end, message } => match self.find(&id) {
                Some(i) => {
                    let (id, response, items) = self.open.swap_remove(i);
                    Collected::List(CollectedList {
                        id,
                        response,
                        items,
                        end,
                        last: message,
                    })
                }
                None => Collected::Pass(ConnEvent::ListEnd { id, end, message }),
            },
            other => Collected::Pass(other),
        }
    }

    fn find(&self, id: &ActionId) -> Option<usize> {
        self.open.iter().position(|(open, _, _)| open == id)
    }
}
