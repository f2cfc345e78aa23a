//! Pairs decoded messages with the actions waiting for them, by ActionID only (Asterisk
//! interleaves events freely with replies, and several actions may be in flight), and
//! follows each action's EventList from its `EventList: start` to its final event.
//!
//! Fixed capacity chosen by the caller (`Tracker<N>`), no allocation, no clock: an action
//! that never gets a reply stays pending until [`Tracker::forget`].

use super::lists::{parse_count, ListEnd, ListMarker, ListShape};
use crate::encode::ActionId;
use crate::message::{Kind, Message};
use core::fmt;

/// What a message means for the pending actions.
///
/// ```
/// use ami_proto::{Correlated, Decoded, Decoder, Item, Tracker};
/// let mut tracker: Tracker<1> = Tracker::new();
/// let mut d = Decoder::new();
/// let wire = b"Response: Success\r\nActionID: nobody\r\n\r\n";
/// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
/// assert_eq!(tracker.handle(&m), Correlated::UnknownResponse);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Correlated {
    /// The reply to a pending action. With `list`, items follow and the action stays
    /// pending until its list ends; otherwise the action is done.
    Response {
        /// The action.
        id: ActionId,
        /// A list was opened (`EventList: start`, or a successful reply to an action
        /// registered with a [`ListShape`]).
        list: bool,
    },
    /// An item of an open list.
    ListItem {
        /// The action.
        id: ActionId,
        /// 0 for the first item.
        index: u32,
        /// The event's name is one of the shape's items (always true without a shape).
        expected: bool,
    },
    /// The end of a list; the action is done.
    ListEnd {
        /// The action.
        id: ActionId,
        /// How it ended; check [`ListEnd::mismatch`].
        end: ListEnd,
    },
    /// An event with the ActionID of an action still waiting for its reply.
    ActionEvent {
        /// The action.
        id: ActionId,
    },
    /// An event without an ActionID.
    Unsolicited,
    /// A response with no ActionID, or one no pending action has.
    UnknownResponse,
    /// An event with an ActionID no pending action has.
    UnknownEvent,
    /// A message that is neither a response nor an event.
    Other,
}

/// Why an action could not be registered.
///
/// ```
/// let mut t: ami_proto::Tracker<0> = ami_proto::Tracker::new();
/// let err = t.register(ami_proto::ActionId::new(b"1").unwrap(), None).unwrap_err();
/// assert_eq!(err.to_string(), "0 actions are already waiting for replies");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrackError {
    /// All `capacity` slots hold pending actions.
    Full {
        /// The tracker's capacity.
        capacity: usize,
    },
    /// An action with this ActionID is already pending.
    Duplicate(ActionId),
}

impl fmt::Display for TrackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackError::Full { capacity } => {
                write!(f, "{capacity} actions are already waiting for replies")
            }
            TrackError::Duplicate(id) => write!(f, "ActionID `{id}` is already pending"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TrackError {}

#[derive(Debug, Clone, Copy)]
enum Stage {
    AwaitingResponse,
    InList { seen: u32 },
}

#[derive(Debug, Clone, Copy)]
struct Pending<'k> {
    id: ActionId,
    shape: Option<ListShape<'k>>,
    stage: Stage,
}

/// Pending actions, at most `N` at a time.
///
/// ```
/// use ami_proto::{ActionId, Correlated, Decoded, Decoder, Item, ListEnd, Tracker};
///
/// let mut tracker: Tracker<4> = Tracker::new();
/// let id = ActionId::new(b"7").unwrap();
/// tracker.register(id, None).unwrap();
///
/// let wire = b"Response: Success\r\nActionID: 7\r\nEventList: start\r\n\r\n\
///              Event: Newchannel\r\nChannel: X\r\n\r\n\
///              Event: DBGetResponse\r\nActionID: 7\r\n\r\n\
///              Event: DBGetComplete\r\nActionID: 7\r\nEventList: Complete\r\nListItems: 1\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let mut rest = &wire[..];
/// let mut seen = Vec::new();
/// while let Decoded::Item { item: Item::Message(m), consumed } = decoder.decode(rest) {
///     seen.push(tracker.handle(&m));
///     rest = &rest[consumed..];
/// }
/// assert_eq!(seen, [
///     Correlated::Response { id, list: true },
///     Correlated::Unsolicited,
///     Correlated::ListItem { id, index: 0, expected: true },
///     Correlated::ListEnd { id, end: ListEnd::Complete { seen: 1, listed: Some(1) } },
/// ]);
/// assert!(tracker.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct Tracker<'k, const N: usize> {
    slots: [Option<Pending<'k>>; N],
}

impl<const N: usize> Default for Tracker<'_, N> {
    fn default() -> Self {
        Tracker::new()
    }
}

impl<'k, const N: usize> Tracker<'k, N> {
    /// An empty tracker.
    ///
    /// ```
    /// let tracker: ami_proto::Tracker<16> = ami_proto::Tracker::new();
    /// assert_eq!(tracker.capacity(), 16);
    /// ```
    pub fn new() -> Self {
        Tracker { slots: [None; N] }
    }

    /// How many actions can be pending at once.
    ///
    /// ```
    /// assert_eq!(ami_proto::Tracker::<2>::new().capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        N
    }

    /// How many actions are pending.
    ///
    /// ```
    /// let mut t: ami_proto::Tracker<2> = ami_proto::Tracker::new();
    /// t.register(ami_proto::ActionId::new(b"1").unwrap(), None).unwrap();
    /// assert_eq!(t.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// True when nothing is pending.
    ///
    /// ```
    /// assert!(ami_proto::Tracker::<2>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` is pending.
    ///
    /// ```
    /// let t: ami_proto::Tracker<2> = ami_proto::Tracker::new();
    /// assert!(!t.is_pending(&ami_proto::ActionId::new(b"1").unwrap()));
    /// ```
    pub fn is_pending(&self, id: &ActionId) -> bool {
        self.find(id.as_bytes()).is_some()
    }

    /// The pending ActionIDs, in slot order.
    ///
    /// ```
    /// let mut t: ami_proto::Tracker<2> = ami_proto::Tracker::new();
    /// let id = ami_proto::ActionId::new(b"1").unwrap();
    /// t.register(id, None).unwrap();
    /// assert_eq!(t.pending().collect::<Vec<_>>(), [id]);
    /// ```
    pub fn pending(&self) -> impl Iterator<Item = ActionId> + '_ {
        self.slots.iter().flatten().map(|p| p.id)
    }

    /// Records that the action `id` was sent. Give `shape` for a list action whose reply
    /// may not say `EventList: start`, or for an action answered later by one final event
    /// (an `Async` Originate and its `OriginateResponse`).
    ///
    /// ```
    /// use ami_proto::{ActionId, TrackError, Tracker};
    ///
    /// let mut t: Tracker<1> = Tracker::new();
    /// let (a, b) = (ActionId::new(b"a").unwrap(), ActionId::new(b"b").unwrap());
    /// t.register(a, None).unwrap();
    /// assert_eq!(t.register(a, None), Err(TrackError::Duplicate(a)));
    /// assert_eq!(t.register(b, None), Err(TrackError::Full { capacity: 1 }));
    /// ```
    pub fn register(
        &mut self,
        id: ActionId,
        shape: Option<ListShape<'k>>,
    ) -> Result<(), TrackError> {
        if self.is_pending(&id) {
            return Err(TrackError::Duplicate(id));
        }
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(TrackError::Full { capacity: N })?;
        *slot = Some(Pending {
            id,
            shape,
            stage: Stage::AwaitingResponse,
        });
        Ok(())
    }

    /// Stops waiting for `id` (the caller gave up on it); false if it was not pending.
    ///
    /// ```
    /// let mut t: ami_proto::Tracker<1> = ami_proto::Tracker::new();
    /// let id = ami_proto::ActionId::new(b"1").unwrap();
    /// t.register(id, None).unwrap();
    /// assert!(t.forget(&id));
    /// assert!(!t.forget(&id));
    /// ```
    pub fn forget(&mut self, id: &ActionId) -> bool {
        match self.find(id.as_bytes()) {
            Some(i) => {
                self.slots[i] = None;
                true
            }
            None => false,
        }
    }

    /// Classifies one decoded message and updates the pending actions.
    ///
    /// ```
    /// use ami_proto::{ActionId, Correlated, Decoded, Decoder, Item, Tracker};
    /// let mut tracker: Tracker<1> = Tracker::new();
    /// let id = ActionId::new(b"1").unwrap();
    /// tracker.register(id, None).unwrap();
    /// let mut d = Decoder::new();
    /// let wire = b"Response: Success\r\nActionID: 1\r\n\r\n";
    /// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
    /// assert_eq!(tracker.handle(&m), Correlated::Response { id, list: false });
    /// ```
    pub fn handle(&mut self, message: &Message<'_>) -> Correlated {
        let found = message.action_id().and_then(|id| self.find(id));
        match message.kind() {
            Kind::Response => match found {
                Some(i) => self.response(i, message),
                None => Correlated::UnknownResponse,
            },
            Kind::Event => match (found, message.action_id()) {
                (Some(i), _) => self.event(i, message),
                (None, Some(_)) => Correlated::UnknownEvent,
                (None, None) => Correlated::Unsolicited,
            },
            Kind::Action | Kind::Other => Correlated::Other,
        }
    }

    fn find(&self, id: &[u8]) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|p| p.id.as_bytes() == id))
    }

    fn response(&mut self, i: usize, message: &Message<'_>) -> Correlated {
        let Some(pending) = self.slots[i] else {
            return Correlated::UnknownResponse;
        };
        let id = pending.id;
        let error = message.name().eq_ignore_ascii_case(b"Error");
        match pending.stage {
            Stage::InList { seen } => {
                // A reply while the list is open: only an error means anything (it ends it).
                if error {
                    self.slots[i] = None;
                    return Correlated::ListEnd {
                        id,
                        end: ListEnd::Error { seen },
                    };
                }
                Correlated::UnknownResponse
            }
            Stage::AwaitingResponse => {
                let start = ListMarker::of(message) == Some(ListMarker::Start);
                let list = start || (pending.shape.is_some() && !error);
                if list {
                    self.set_stage(i, Stage::InList { seen: 0 });
                } else {
                    self.slots[i] = None;
                }
                Correlated::Response { id, list }
            }
        }
    }

    fn event(&mut self, i: usize, message: &Message<'_>) -> Correlated {
        let Some(pending) = self.slots[i] else {
            return Correlated::UnknownEvent;
        };
        let id = pending.id;
        let Stage::InList { seen } = pending.stage else {
            return Correlated::ActionEvent { id };
        };
        let name = message.name();
        let end = match ListMarker::of(message) {
            Some(ListMarker::Cancelled) => Some(ListEnd::Cancelled { seen }),
            Some(ListMarker::Complete) => Some(complete(seen, message)),
            _ if pending.shape.is_some_and(|s| s.is_final(name)) => Some(complete(seen, message)),
            _ => None,
        };
        match end {
            Some(end) => {
                self.slots[i] = None;
                Correlated::ListEnd { id, end }
            }
            None => {
                self.set_stage(
                    i,
                    Stage::InList {
                        seen: seen.saturating_add(1),
                    },
                );
                Correlated::ListItem {
                    id,
                    index: seen,
                    expected: pending.shape.is_none_or(|s| s.is_item(name)),
                }
            }
        }
    }

    fn set_stage(&mut self, i: usize, stage: Stage) {
        if let Some(p) = self.slots[i].as_mut() {
            p.stage = stage;
        }
    }
}

fn complete(seen: u32, message: &Message<'_>) -> ListEnd {
    ListEnd::Complete {
        seen,
        listed: message.get("ListItems").and_then(parse_count),
    }
}
