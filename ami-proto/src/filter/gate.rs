//! One session's event gate: the state Asterisk keeps per logged-in session (read classes,
//! event mask, filters) and the decision, for each message, whether the session gets it.

use crate::Message;

use super::action::{ActionLines, Reply};
use super::broadcast::Broadcast;
use super::class::Classes;
use super::event_filter::{EventFilter, FilterError};
use super::filter_set::FilterSet;
use super::origin::Origin;
use super::rules::Rules;
use super::user::UserConfig;

/// What a session receives, as Asterisk decides it.
///
/// Made at login from the user's settings and the Login's `Events:` header; changed by the
/// session's `Events` and `Filter` actions.
///
/// ```
/// use ami_proto::filter::{Broadcast, EventGate, ManagerConf, Origin, Rules};
/// # use ami_proto::{Decoded, Decoder, Item};
/// # fn decode(wire: &[u8]) -> ami_proto::OwnedMessage {
/// #     let mut decoder = Decoder::new();
/// #     let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// #     ami_proto::OwnedMessage::new(&m)
/// # }
/// let conf = ManagerConf::parse(b"[ops]\nsecret = s\nread = call\neventfilter = !Channel: Local/\n", Rules::default()).unwrap();
/// let login = decode(b"Action: Login\r\nUsername: ops\r\nSecret: s\r\nEvents: on\r\n\r\n");
/// let gate = EventGate::login(conf.user("ops").unwrap(), &login.message());
///
/// let hangup = decode(b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/100-0001\r\n\r\n");
/// let local = decode(b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: Local/100@t-0001;1\r\n\r\n");
/// let varset = decode(b"Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: PJSIP/100-0001\r\n\r\n");
/// assert!(gate.deliver(&hangup.message(), Origin::Broadcast));
/// assert!(!gate.deliver(&local.message(), Origin::Broadcast)); // excluded by the filter
/// assert!(!gate.deliver(&varset.message(), Origin::Broadcast)); // dialplan is not read
/// assert!(gate.deliver(&varset.message(), Origin::Session)); // replies are never filtered
/// assert!(!gate.fully_booted()); // needs `system` in the read classes
/// ```
#[derive(Debug, Clone)]
pub struct EventGate {
    rules: Rules,
    read: Classes,
    mask: Classes,
    filters: FilterSet,
    greeted: bool,
    broken_events_action: bool,
}

/// What the `Filter` action did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FilterOutcome {
    /// The reply to write to the session.
    pub reply: Reply,
    /// Why the filter was not added, when it was not (Asterisk logs this as a warning;
    /// `None` for an unknown operation or an action it could not read, which it does not
    /// log).
    pub error: Option<FilterError>,
}

impl EventGate {
    /// The gate of a session that logged in as `user` without an `Events:` header (all
    /// events).
    pub fn new(user: &UserConfig) -> EventGate {
        EventGate::with_login_events(user, b"")
    }

    /// The gate of a session that logged in as `user` with this `Login` action (its
    /// `Events:` header sets the event mask). Checking the secret is the caller's job.
    pub fn login(user: &UserConfig, login: &Message<'_>) -> EventGate {
        let lines = ActionLines::new(login);
        EventGate::with_login_events(user, lines.get("Events"))
    }

    /// The gate of a session that logged in as `user` with `Events: <events>` (empty for no
    /// such header).
    pub fn with_login_events(user: &UserConfig, events: &[u8]) -> EventGate {
        // A session starts with every bit of its mask set (`send_events = -1`); an empty or
        // invalid `Events:` leaves it so.
        let mask = Classes::from_event_mask(events).unwrap_or(Classes::from_bits(u32::MAX));
        EventGate {
            rules: user.rules,
            read: user.read,
            mask,
            filters: user.filter_set().clone(),
            greeted: user.read.contains(Classes::SYSTEM) && mask.contains(Classes::SYSTEM),
            broken_events_action: user.broken_events_action,
        }
    }

    /// Whether the session gets `message`, which Asterisk wrote to it for the given reason
    /// (see [`Origin`]; [`CaptureOrigins`](super::CaptureOrigins) tells it for a capture).
    pub fn deliver(&self, message: &Message<'_>, origin: Origin) -> bool {
        match origin {
            Origin::Session => true,
            Origin::LoginGreeting => self.greeted,
            Origin::Broadcast => self.admits(&Broadcast::new(message)),
        }
    }

    /// Whether the session gets a broadcast event: all its classes are in the user's read
    /// classes and in the session's event mask, and the filters let it through.
    pub fn admits(&self, event: &Broadcast<'_>) -> bool {
        let classes = match self.rules {
            // Asterisk 13 raises `Newexten` as a `call` event.
            Rules::Asterisk13 if event.name() == b"Newexten" => Classes::CALL,
            _ => event.classes(),
        };
        self.read.contains(classes)
            && self.mask.contains(classes)
            && self.filters.admits(event.text())
    }

    /// Whether Asterisk wrote `FullyBooted` to this session after its Login (the user's
    /// read classes and the Login's event mask both include `system`).
    pub fn fully_booted(&self) -> bool {
        self.greeted
    }

    /// The read classes of the session.
    pub fn read_classes(&self) -> Classes {
        self.read
    }

    /// The event mask of the session (every bit set until Login `Events:` or the `Events`
    /// action sets it).
    pub fn event_mask(&self) -> Classes {
        self.mask
    }

    /// The session's filters, includes first.
    pub fn filters(&self) -> impl Iterator<Item = &EventFilter> {
        self.filters.iter()
    }

    /// Runs an `Events` action (`EventMask:` a number, `on`, `off` or a class list) and
    /// returns Asterisk's reply: `Events: On` for a mask with any class, `Events: Off` for
    /// none, `Invalid event mask` for an empty or negative one (the mask then stays). With
    /// `brokeneventsaction`, Asterisk sends nothing for a mask of exactly `all` or an
    /// invalid one: `None`.
    pub fn handle_events_action(&mut self, action: &Message<'_>) -> Option<Reply> {
        let lines = ActionLines::new(action);
        if let Some(reply) = lines.unreadable() {
            return Some(reply);
        }
        let mask = Classes::from_event_mask(lines.get("EventMask"));
        if let Some(mask) = mask {
            self.mask = mask;
        }
        match mask {
            Some(mask) if self.broken_events_action && mask == Classes::ALL => None,
            Some(mask) => Some(Reply::events(&lines, mask != Classes::NONE)),
            None if self.broken_events_action => None,
            None => Some(Reply::response(&lines, false, Some("Invalid event mask"))),
        }
    }

    /// Runs a `Filter` action and returns Asterisk's reply. `Operation: Add` (any case)
    /// adds the filter `Filter:` with the criteria `MatchCriteria:` (Asterisk 20+; Asterisk
    /// 13 ignores them) to the session's filters, which act on events queued after it;
    /// anything else answers `Unknown operation`.
    ///
    /// The action needs the `system` write class; checking it is the caller's job, as for
    /// every action.
    pub fn handle_filter_action(&mut self, action: &Message<'_>) -> FilterOutcome {
        let lines = ActionLines::new(action);
        if let Some(reply) = lines.unreadable() {
            return FilterOutcome { reply, error: None };
        }
        if !lines.get("Operation").eq_ignore_ascii_case(b"Add") {
            return FilterOutcome {
                reply: Reply::response(&lines, false, Some("Unknown operation")),
                error: None,
            };
        }
        let mut criteria = alloc::vec::Vec::from(&b"eventfilter"[..]);
        let match_criteria = lines.get("MatchCriteria");
        if !match_criteria.is_empty() {
            criteria.push(b'(');
            criteria.extend_from_slice(match_criteria);
            criteria.push(b')');
        }
        match EventFilter::parse(&criteria, lines.get("Filter"), self.rules) {
            Ok(filter) => {
                self.filters.add(filter);
                FilterOutcome {
                    reply: Reply::response(&lines, true, Some("Success")),
                    error: None,
                }
            }
            Err(error) => {
                let message = if error.is_compile_error() {
                    "Filter did not compile.  Check the syntax of the filter given."
                } else {
                    "Filter was formatted incorrectly.  Check the syntax of the filter given."
                };
                FilterOutcome {
                    reply: Reply::response(&lines, false, Some(message)),
                    error: Some(error),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proxy keeps gates in tasks on any thread and shares compiled filters.
    #[test]
    fn gates_and_their_filters_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<EventGate>();
        send_sync::<UserConfig>();
        send_sync::<super::super::ManagerConf>();
    }
}
