//! Which call each message of a reply body belongs to: the session's ActionIDs, an
//! [`ami_proto::Tracker`] that follows their replies and lists, and the [`Calls`] they
//! are delivered to, exactly as the TCP client delivers what its connection decoded.
//!
//! Over HTTP an action's reply, list items and list end come in its own reply body, but
//! what Asterisk sends later (an `Async` Originate's `OriginateResponse`) comes in the
//! body of a `WaitEvent` poll. Bodies travel on separate connections, so a poll can bring
//! such an event before the action's own reply has been read: the event is held for its
//! call and handled right after that reply.

use std::collections::HashMap;

use ami_http::{ActionParams, Encoding};
use ami_proto::{
    Action, ActionId, ActionIdAllocator, Config, ConnEvent, Correlated, OwnedItem, OwnedMessage,
    TrackError, Tracker,
};

use crate::client::{Calls, ClientEvent, Error, Sink, SLOTS};

/// The calls of one session and how their messages are told apart.
#[derive(Debug)]
pub(crate) struct Routing {
    tracker: Tracker<'static, SLOTS>,
    calls: Calls,
    /// Events with the ActionID of a call whose reply was not read yet.
    early: HashMap<ActionId, Vec<OwnedMessage>>,
    ids: ActionIdAllocator,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            tracker: Tracker::new(),
            calls: Calls::default(),
            early: HashMap::new(),
            ids: ActionIdAllocator::default(),
        }
    }
}

impl Routing {
    /// Starts a call: its ActionID (the action's own, or the next one), its parameters
    /// (checked by `ActionWriter`), tracking with the action's list shape, and `sink`.
    pub(crate) fn register<A: Action + ?Sized>(
        &mut self,
        action: &A,
        sink: Sink,
    ) -> Result<(ActionId, ActionParams), Error> {
        let id = match action.action_id() {
            Some(own) => ActionId::new(own).ok_or_else(|| {
                Error::ActionId("empty, longer than 48 bytes or holding CR, LF or NUL".into())
            })?,
            None => self.ids.next_id(),
        };
        let params = ActionParams::new(action, Some(id.as_bytes())).map_err(Error::Encode)?;
        self.tracker
            .register(id, action.list_shape())
            .map_err(|e| match e {
                TrackError::Duplicate(id) => {
                    Error::ActionId(format!("`{id}` is already in flight"))
                }
                other => Error::Disconnected {
                    reason: other.to_string().into(),
                },
            })?;
        self.calls.insert(id, sink);
        Ok((id, params))
    }

    /// Forgets call `id` (done, failed, or given up by its caller); events held for it
    /// go to the subscribers through `items`, as events.
    pub(crate) fn forget(&mut self, id: &ActionId, items: &mut Vec<ClientEvent>) {
        self.tracker.forget(id);
        self.calls.remove(id);
        if let Some(held) = self.early.remove(id) {
            items.extend(held.into_iter().map(ClientEvent::Event));
        }
    }

    /// Fails call `id` with `error`.
    pub(crate) fn fail(&mut self, id: &ActionId, error: Error, items: &mut Vec<ClientEvent>) {
        self.calls.fail(id, error);
        self.forget(id, items);
    }

    /// The session is gone: every call fails with `error`, and nothing is tracked any
    /// more (late replies become unmatched messages). Held events go to `items`.
    pub(crate) fn reset(&mut self, error: &Error, items: &mut Vec<ClientEvent>) {
        self.calls.fail_all(error);
        self.tracker = Tracker::new();
        for (_, held) in self.early.drain() {
            items.extend(held.into_iter().map(ClientEvent::Event));
        }
    }

    /// Whether call `id` still waits for its response.
    pub(crate) fn awaits_response(&self, id: &ActionId) -> bool {
        self.calls.contains(id) && !self.calls.has_response(id)
    }

    /// Decodes one reply body and delivers its messages; what is for nobody goes to
    /// `items`. `reply_to` is the call whose request the body answers: events held for
    /// it are handled after it. Returns the number of sections that could not be decoded.
    pub(crate) fn route_body(
        &mut self,
        encoding: Encoding,
        body: &[u8],
        config: Config,
        reply_to: Option<ActionId>,
        items: &mut Vec<ClientEvent>,
    ) -> usize {
        let mut malformed = 0;
        for item in ami_http::decode_with(encoding, body, config) {
            match item {
                Ok(OwnedItem::Message(message)) => self.route(message, items),
                Ok(OwnedItem::Text(text) | OwnedItem::Banner(text)) => {
                    items.push(ClientEvent::Text(text))
                }
                // An item of a newer ami-proto: said, not dropped silently.
                Ok(other) => tracing::warn!(item = ?other, "an AJAM item this client cannot route"),
                Err(error) => {
                    malformed += 1;
                    items.push(ClientEvent::MalformedBody(error));
                }
            }
        }
        if let Some(id) = reply_to {
            if let Some(held) = self.early.remove(&id) {
                for message in held {
                    if self.calls.has_response(&id) {
                        // Its list is open: the tracker now sees an item or the end.
                        self.route(message, items);
                    } else {
                        items.push(ClientEvent::Event(message));
                    }
                }
            }
        }
        malformed
    }

    /// One message, as `ami_proto::Connection` classifies it on TCP.
    fn route(&mut self, message: OwnedMessage, items: &mut Vec<ClientEvent>) {
        let event = match self.tracker.handle(&message.message()) {
            Correlated::Response { id, list } => ConnEvent::Response { id, list, message },
            Correlated::ListItem { id, index, .. } => ConnEvent::ListItem { id, index, message },
            Correlated::ListEnd { id, end } => ConnEvent::ListEnd { id, end, message },
            Correlated::ActionEvent { id } if self.calls.contains(&id) => {
                self.early.entry(id).or_default().push(message);
                return;
            }
            Correlated::ActionEvent { id } => ConnEvent::ActionEvent { id, message },
            Correlated::Unsolicited => ConnEvent::Event(message),
            // UnknownResponse, UnknownEvent, Other, and any later kind: surfaced, not dropped.
            _ => ConnEvent::Unmatched(message),
        };
        self.calls.deliver(event, items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::{GenericAction, ListEnd};
    use tokio::sync::oneshot;

    fn call(
        routing: &mut Routing,
        action: &GenericAction,
    ) -> (ActionId, oneshot::Receiver<Result<crate::Reply, Error>>) {
        let (tx, rx) = oneshot::channel();
        let (id, _) = routing.register(action, Sink::reply(tx)).unwrap();
        (id, rx)
    }

    fn names(items: &[ClientEvent]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                ClientEvent::Event(m) => {
                    format!("event {}", String::from_utf8_lossy(m.message().name()))
                }
                ClientEvent::Unmatched(m) => {
                    format!("unmatched {}", String::from_utf8_lossy(m.message().name()))
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_list_in_its_body_and_strays_to_subscribers() {
        let mut routing = Routing::default();
        let (id, mut rx) = call(&mut routing, &GenericAction::new("CoreShowChannels"));
        assert_eq!(id.as_bytes(), b"ami-1");
        let body = b"Response: Success\r\nActionID: ami-1\r\nEventList: start\r\n\r\n\
            Event: CoreShowChannel\r\nActionID: ami-1\r\nChannel: A\r\n\r\n\
            Event: Newchannel\r\nChannel: B\r\n\r\n\
            Response: Success\r\nActionID: other\r\n\r\n\
            Event: CoreShowChannelsComplete\r\nActionID: ami-1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n";
        let mut items = Vec::new();
        let malformed = routing.route_body(
            Encoding::Rawman,
            body,
            Config::default(),
            Some(id),
            &mut items,
        );
        assert_eq!(malformed, 0);
        assert_eq!(names(&items), ["event Newchannel", "unmatched Success"]);
        let reply = rx.try_recv().unwrap().unwrap();
        assert_eq!(reply.items().len(), 1);
        assert_eq!(
            reply.list_end(),
            Some(ListEnd::Complete {
                seen: 1,
                listed: Some(1)
            })
        );
        assert!(!routing.awaits_response(&id));
    }

    #[test]
    fn an_event_polled_before_its_reply_is_read_still_ends_the_list() {
        let mut routing = Routing::default();
        let originate = GenericAction::new("Originate")
            .header("Async", "true")
            .expect_final("OriginateResponse");
        let (id, mut rx) = call(&mut routing, &originate);
        let mut items = Vec::new();
        // A poll's body arrives first.
        let poll = b"Response: Success\r\nMessage: Waiting for Event completed.\r\n\r\n\
            Event: OriginateResponse\r\nActionID: ami-1\r\nResponse: Success\r\n\r\n";
        routing.route_body(Encoding::Rawman, poll, Config::default(), None, &mut items);
        assert_eq!(names(&items), ["unmatched Success"]);
        assert!(rx.try_recv().is_err());
        let reply = b"Response: Success\r\nActionID: ami-1\r\nMessage: Originate successfully queued\r\n\r\n";
        routing.route_body(
            Encoding::Rawman,
            reply,
            Config::default(),
            Some(id),
            &mut items,
        );
        let reply = rx.try_recv().unwrap().unwrap();
        assert_eq!(
            reply.message().get_str("Message"),
            Some("Originate successfully queued")
        );
        assert_eq!(reply.last().unwrap().message().name(), b"OriginateResponse");
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn held_events_of_a_call_that_needs_no_list_go_to_subscribers() {
        let mut routing = Routing::default();
        let (id, mut rx) = call(&mut routing, &GenericAction::new("Ping"));
        let mut items = Vec::new();
        let mxml = b"<ajax-response>\n<response type='object' id='unknown'><generic event='UserEvent' actionid='ami-1' /></response>\n</ajax-response>\n";
        routing.route_body(Encoding::Mxml, mxml, Config::default(), None, &mut items);
        assert!(items.is_empty());
        let reply = b"<ajax-response>\n<response type='object' id='unknown'><generic response='Success' actionid='ami-1' ping='Pong' /></response>\n</ajax-response>\n";
        routing.route_body(
            Encoding::Mxml,
            reply,
            Config::default(),
            Some(id),
            &mut items,
        );
        assert!(rx.try_recv().unwrap().unwrap().is_success());
        assert_eq!(names(&items), ["event UserEvent"]);
    }

    #[test]
    fn malformed_sections_are_counted_and_reported() {
        let mut routing = Routing::default();
        let (id, _rx) = call(&mut routing, &GenericAction::new("Ping"));
        let mut items = Vec::new();
        let body = b"<ajax-response>\n<response type='object' id='unknown'><generic response='Success' actionid='ami-1' x='&nbsp;' /></response>\n</ajax-response>\n";
        let malformed = routing.route_body(
            Encoding::Mxml,
            body,
            Config::default(),
            Some(id),
            &mut items,
        );
        assert_eq!(malformed, 1);
        assert!(matches!(items[..], [ClientEvent::MalformedBody(_)]));
        assert!(routing.awaits_response(&id));
        routing.fail(
            &id,
            Error::Http(crate::HttpError::NoReply { malformed }),
            &mut items,
        );
        assert!(!routing.awaits_response(&id));
    }

    #[test]
    fn own_action_ids_are_checked_and_unique() {
        let mut routing = Routing::default();
        let ping = GenericAction::new("Ping").header("ActionID", "mine");
        let _first = call(&mut routing, &ping);
        let (tx, _rx) = oneshot::channel();
        assert!(matches!(
            routing.register(&ping, Sink::reply(tx)),
            Err(Error::ActionId(_))
        ));
        let (tx, _rx) = oneshot::channel();
        let bad = GenericAction::new("Ping").header("X", "a\r\nAction: Hangup");
        assert!(matches!(
            routing.register(&bad, Sink::reply(tx)),
            Err(Error::Encode(_))
        ));
        let mut items = Vec::new();
        routing.reset(
            &Error::Disconnected {
                reason: "gone".into(),
            },
            &mut items,
        );
        let (tx, _rx) = oneshot::channel();
        assert!(routing.register(&ping, Sink::reply(tx)).is_ok());
    }

    mod property {
        use super::*;
        use ami_http::render::render;
        use proptest::collection::vec;
        use proptest::prelude::*;

        /// What a call is and how its messages come.
        #[derive(Debug, Clone, Copy)]
        enum Kind {
            /// `Response: Success`, and an event with its ActionID in a poll (before or
            /// after its reply is read).
            Single { event_first: bool },
            /// `Response: Error`.
            Refused,
            /// `EventList: start`, items and the end, all in its own body.
            EventList { items: u8 },
            /// Registered with a final event; items and the final event come in a poll,
            /// read before or after its own reply.
            Shaped { items: u8, events_first: bool },
        }

        fn kind() -> impl Strategy<Value = Kind> {
            prop_oneof![
                any::<bool>().prop_map(|event_first| Kind::Single { event_first }),
                Just(Kind::Refused),
                (0u8..4).prop_map(|items| Kind::EventList { items }),
                (0u8..3, any::<bool>()).prop_map(|(items, events_first)| Kind::Shaped {
                    items,
                    events_first
                }),
            ]
        }

        /// A body: its text, the call it answers (None: a poll), and its messages.
        struct Body {
            text: String,
            reply_to: Option<ActionId>,
            messages: usize,
        }

        proptest! {
            /// Whatever the order of replies and polls, in any encoding, every message of
            /// every body reaches its call (response, items, end) or the subscribers, and
            /// nothing is counted twice.
            #[test]
            fn every_message_reaches_its_call_or_the_subscribers(
                kinds in vec(kind(), 1..8),
                strays in 0usize..5,
                shuffle in vec(any::<u32>(), 32),
                encoding in 0usize..3,
            ) {
                let encoding = Encoding::ALL[encoding];
                let mut routing = Routing::default();
                let mut calls = Vec::new();
                let mut own = Vec::new();
                // (body, must come before the call's own body) per call with poll events.
                let mut polls: Vec<(Body, Option<(usize, bool)>)> = Vec::new();
                for (n, kind) in kinds.iter().enumerate() {
                    let action = match kind {
                        Kind::Shaped { .. } => GenericAction::new("Work").expect_final("Done"),
                        _ => GenericAction::new("Work"),
                    };
                    let (id, rx) = call(&mut routing, &action);
                    let id_text = String::from_utf8_lossy(id.as_bytes()).into_owned();
                    let mut text = String::new();
                    let mut messages = 1;
                    match kind {
                        Kind::Refused => text += &format!("Response: Error\r\nActionID: {id_text}\r\nMessage: no\r\n\r\n"),
                        Kind::EventList { items } => {
                            text += &format!("Response: Success\r\nActionID: {id_text}\r\nEventList: start\r\n\r\n");
                            for i in 0..*items {
                                text += &format!("Event: Item\r\nActionID: {id_text}\r\nIndex: {i}\r\n\r\n");
                            }
                            text += &format!("Event: ItemsComplete\r\nActionID: {id_text}\r\nEventList: Complete\r\nListItems: {items}\r\n\r\n");
                            messages += usize::from(*items) + 1;
                        }
                        Kind::Single { .. } | Kind::Shaped { .. } => {
                            text += &format!("Response: Success\r\nActionID: {id_text}\r\nMessage: queued\r\n\r\n");
                        }
                    }
                    own.push(Body { text, reply_to: Some(id), messages });
                    let poll = match kind {
                        Kind::Single { event_first } => Some((
                            format!("Event: Note\r\nActionID: {id_text}\r\n\r\n"),
                            1,
                            *event_first,
                        )),
                        Kind::Shaped { items, events_first } => {
                            let mut text = String::new();
                            for i in 0..*items {
                                text += &format!("Event: Progress\r\nActionID: {id_text}\r\nStep: {i}\r\n\r\n");
                            }
                            text += &format!("Event: Done\r\nActionID: {id_text}\r\nResponse: Success\r\n\r\n");
                            Some((text, usize::from(*items) + 1, *events_first))
                        }
                        _ => None,
                    };
                    if let Some((text, messages, first)) = poll {
                        let body = Body { text, reply_to: None, messages };
                        polls.push((body, Some((n, first))));
                    }
                    calls.push((id, rx, *kind));
                }
                let mut stray = String::new();
                for s in 0..strays {
                    stray += &format!("Event: Stray\r\nN: {s}\r\n\r\nResponse: Success\r\nActionID: nobody-{s}\r\n\r\n");
                }
                if strays > 0 {
                    polls.push((Body { text: stray, reply_to: None, messages: 2 * strays }, None));
                }

                // An order of all bodies: shuffled, then each call's poll moved before or
                // after its own body as its kind says.
                let mut order: Vec<(u32, bool, usize)> = (0..own.len())
                    .map(|i| (shuffle[i % shuffle.len()], true, i))
                    .chain((0..polls.len()).map(|i| (shuffle[(i + 7) % shuffle.len()] ^ 0x5555, false, i)))
                    .collect();
                order.sort();
                for (p, (_, constraint)) in polls.iter().enumerate() {
                    let Some((n, first)) = *constraint else { continue };
                    let at_own = order.iter().position(|o| o.1 && o.2 == n).unwrap();
                    let at_poll = order.iter().position(|o| !o.1 && o.2 == p).unwrap();
                    if (at_poll < at_own) != first {
                        order.swap(at_own, at_poll);
                    }
                }

                let mut sent = 0;
                let mut items = Vec::new();
                for (_, is_own, i) in order {
                    let body = if is_own { &own[i] } else { &polls[i].0 };
                    sent += body.messages;
                    let rendered = render(encoding, body.text.as_bytes());
                    let malformed = routing.route_body(encoding, &rendered, Config::default(), body.reply_to, &mut items);
                    prop_assert_eq!(malformed, 0);
                    if let Some(id) = body.reply_to {
                        prop_assert!(!routing.awaits_response(&id));
                    }
                }

                let mut received = 0;
                for (id, mut rx, kind) in calls {
                    let reply = rx.try_recv().expect("every call is answered").expect("with a reply");
                    prop_assert_eq!(reply.message().action_id(), Some(id.as_bytes()));
                    received += 1 + reply.items().len() + usize::from(reply.last().is_some());
                    match kind {
                        Kind::Single { .. } => prop_assert!(reply.is_success() && reply.list_end().is_none()),
                        Kind::Refused => prop_assert!(!reply.is_success()),
                        Kind::EventList { items: n } | Kind::Shaped { items: n, .. } => {
                            prop_assert_eq!(reply.items().len(), usize::from(n));
                            prop_assert!(reply.is_success());
                            let step = reply.items().iter().map(|m| m.message().get("Index").or(m.message().get("Step")).unwrap().to_vec());
                            let want = (0..n).map(|i| i.to_string().into_bytes());
                            prop_assert!(step.eq(want), "items in order");
                        }
                    }
                }
                for item in &items {
                    match item {
                        ClientEvent::Event(_) | ClientEvent::Unmatched(_) => received += 1,
                        other => prop_assert!(false, "{:?}", other),
                    }
                }
                prop_assert_eq!(received, sent);
            }
        }
    }
}
