//! Which events a session is sent, and the replies to `Events` and `Filter`: ami-proto's
//! filter engine ([`ami_proto::filter::EventGate`]), which decides as Asterisk does from
//! the user's `read` classes and `eventfilter`s, the Login's `Events` header, and the
//! session's `Events` and `Filter` actions, and writes Asterisk's exact reply bytes.
//!
//! Without [`Users`](crate::Users), a session is a user that reads every class, without
//! filters.

use ami_proto::filter::{self, Classes, Origin, Rules, UserConfig};
use ami_proto::Message;
use bytes::Bytes;

/// A session's event gate.
#[derive(Debug, Clone)]
pub(crate) struct EventGate {
    inner: filter::EventGate,
}

impl Default for EventGate {
    /// Before any login: every event (none is played before one anyway).
    fn default() -> Self {
        EventGate {
            inner: filter::EventGate::new(&anyone()),
        }
    }
}

/// The user of a server without users: reads and writes every class.
fn anyone() -> UserConfig {
    let mut user = UserConfig::new(b"", Rules::default());
    user.read = Classes::ALL;
    user.write = Classes::ALL;
    user
}

impl EventGate {
    /// The gate of a session that logged in with `login`, as `user` (`None`: a server
    /// without users).
    pub(crate) fn login(user: Option<&UserConfig>, login: &Message<'_>) -> EventGate {
        let inner = match user {
            Some(user) => filter::EventGate::login(user, login),
            None => filter::EventGate::login(&anyone(), login),
        };
        EventGate { inner }
    }

    /// Runs an `Events` action: Asterisk's reply (none with `brokeneventsaction` for some
    /// masks).
    pub(crate) fn events_action(&mut self, action: &Message<'_>) -> Option<Bytes> {
        self.inner
            .handle_events_action(action)
            .map(|reply| reply.into_bytes().into())
    }

    /// Runs a `Filter` action: Asterisk's reply.
    pub(crate) fn filter_action(&mut self, action: &Message<'_>) -> Bytes {
        self.inner
            .handle_filter_action(action)
            .reply
            .into_bytes()
            .into()
    }

    /// Whether the session is sent `event`, an event of the capture no request of this
    /// session asked for (Asterisk queued it for every session).
    pub(crate) fn passes(&self, event: &Message<'_>) -> bool {
        self.inner.deliver(event, Origin::Broadcast)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::OwnedMessage;

    fn message(headers: &[(&str, &str)]) -> OwnedMessage {
        OwnedMessage::from_headers(headers.iter().copied()).unwrap()
    }

    fn event(privilege: &str, channel: &str) -> OwnedMessage {
        message(&[
            ("Event", "Hangup"),
            ("Privilege", privilege),
            ("Channel", channel),
        ])
    }

    #[test]
    fn masks_filters_and_read_classes_as_asterisk() {
        let call = event("call,all", "PJSIP/1-01");
        let local = event("call,all", "Local/1@t-01;1");
        let user = message(&[("Event", "UserEvent"), ("Privilege", "user,all")]);
        let login = message(&[("Action", "Login"), ("Events", "off")]);
        let mut gate = EventGate::login(None, &login.message());
        assert!(!gate.passes(&call.message()), "Events: off");
        let events = message(&[
            ("Action", "Events"),
            ("ActionID", "e"),
            ("EventMask", "call"),
        ]);
        assert_eq!(
            &gate.events_action(&events.message()).unwrap()[..],
            b"Response: Success\r\nActionID: e\r\nEvents: On\r\n\r\n"
        );
        assert!(gate.passes(&call.message()) && !gate.passes(&user.message()));
        let filter = message(&[
            ("Action", "Filter"),
            ("Operation", "Add"),
            ("Filter", "!Channel: Local/"),
        ]);
        assert_eq!(
            &gate.filter_action(&filter.message())[..],
            b"Response: Success\r\nMessage: Success\r\n\r\n"
        );
        assert!(gate.passes(&call.message()) && !gate.passes(&local.message()));

        let mut reader = UserConfig::new(b"reader", Rules::default());
        reader.read = Classes::parse_list(b"user");
        let login = message(&[("Action", "Login")]);
        let gate = EventGate::login(Some(&reader), &login.message());
        assert!(!gate.passes(&call.message()) && gate.passes(&user.message()));
    }
}
