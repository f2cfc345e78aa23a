//! What the list actions say about their answers is what the captures show: every action a
//! client sent is answered by a list exactly when its list shape says so, with the items
//! and the final event the shape names (conditions included: an `Async` Originate, a
//! Hangup of a `/regex/`).

mod common;

use std::collections::BTreeMap;

use ami_proto::{Action, Kind, ListMarker, ListShape, OwnedMessage};
use ami_spec::actions::{Hangup, Originate};
use ami_spec::list_action;

/// What the server sent for one ActionID.
#[derive(Default)]
struct Answer {
    /// The response said `EventList: start`.
    started: bool,
    /// The response was `Error`.
    error: bool,
    /// Events with the ActionID, in order.
    events: Vec<String>,
}

struct Request {
    message: OwnedMessage,
    capture: String,
    /// Whether the session receives every event at this point (`Events: off` at login, an
    /// `Events` action with `EventMask: off` or a `Filter` action stops some or all of
    /// them; an `Async` Originate's OriginateResponse is an event, so it may not be sent).
    events_on: bool,
}

fn exchanges() -> Vec<(Request, Answer)> {
    let mut out = Vec::new();
    for server in common::server_captures() {
        let capture = common::relative(&server);
        let sent = common::requests(&common::client_side(&server));
        let mut answers: BTreeMap<Vec<u8>, Answer> = BTreeMap::new();
        for reply in common::messages(&server) {
            let m = reply.message();
            let Some(id) = m.action_id() else { continue };
            let answer = answers.entry(id.to_vec()).or_default();
            match m.kind() {
                Kind::Response => {
                    answer.started |= ListMarker::of(&m) == Some(ListMarker::Start);
                    answer.error |= m.name().eq_ignore_ascii_case(b"Error");
                }
                Kind::Event => answer
                    .events
                    .push(String::from_utf8_lossy(m.name()).into_owned()),
                _ => {}
            }
        }
        let mut events_on = true;
        for request in sent {
            let m = request.message();
            if m.kind() != Kind::Action {
                continue;
            }
            let mask = match m.name() {
                b"Login" => m.get("Events"),
                b"Events" => m.get("EventMask"),
                _ => None,
            };
            if let Some(mask) = mask {
                events_on = !mask.eq_ignore_ascii_case(b"off");
            }
            if m.name() == b"Filter" {
                events_on = false;
            }
            let Some(answer) = m.action_id().and_then(|id| answers.remove(id)) else {
                continue;
            };
            out.push((
                Request {
                    message: request,
                    capture: capture.clone(),
                    events_on,
                },
                answer,
            ));
        }
    }
    out
}

/// The shape `list_action` gives a request, from its own headers.
fn shape_of(request: &OwnedMessage) -> Option<ListShape<'static>> {
    let m = request.message();
    let name = std::str::from_utf8(m.name()).unwrap();
    list_action(name)?.shape(|key| m.get(key))
}

#[test]
fn every_list_answer_is_the_shape_its_action_gives() {
    let mut lists = 0;
    let mut singles = 0;
    for (request, answer) in exchanges() {
        let m = request.message.message();
        let name = String::from_utf8_lossy(m.name()).into_owned();
        // UserEvent passes the client's ActionID into the event it raises; it is not an
        // answer.
        if name.eq_ignore_ascii_case("UserEvent") {
            continue;
        }
        let at = format!("{name} in {}", request.capture);
        let mut answer = answer;
        if name != "Originate" {
            // OriginateResponse is broadcast with the ActionID of the session that sent
            // the Originate: a monitoring session sees other sessions' `cap-2`
            // (23.4.1-sip/00_monitor_all_events).
            answer.events.retain(|e| e != "OriginateResponse");
        }
        match shape_of(&request.message) {
            Some(shape) => {
                if answer.error || (!request.events_on && answer.events.is_empty()) {
                    continue;
                }
                lists += 1;
                let (last, items) = answer
                    .events
                    .split_last()
                    .unwrap_or_else(|| panic!("{at}: no event ends the list"));
                assert!(shape.is_final(last.as_bytes()), "{at}: ends with {last}");
                for item in items {
                    assert!(shape.is_item(item.as_bytes()), "{at}: item {item}");
                    assert!(!shape.is_final(item.as_bytes()), "{at}: {item} twice");
                }
            }
            None => {
                singles += 1;
                assert!(!answer.started, "{at}: a list the action does not describe");
                assert!(
                    answer.events.is_empty(),
                    "{at}: events {:?} the action does not describe",
                    answer.events
                );
            }
        }
    }
    assert!(lists > 80, "{lists} lists");
    assert!(singles > 100, "{singles} single replies");
}

/// The typed actions give the same shapes: an Originate is answered by one
/// OriginateResponse exactly when Async is true as Asterisk reads it.
#[test]
fn typed_originate_and_hangup_follow_their_headers() {
    let mut originates = 0;
    for (request, answer) in exchanges() {
        let m = request.message.message();
        let at = &request.capture;
        let shape = if m.name() == b"Originate" {
            let mut typed = Originate::new(m.get_str("Channel").unwrap_or(""));
            if let Some(value) = m.get_str("Async") {
                typed = typed.r#async(value);
            }
            originates += 1;
            typed.list_shape()
        } else if m.name() == b"Hangup" {
            Hangup::new(m.get_str("Channel").unwrap_or("")).list_shape()
        } else {
            continue;
        };
        assert_eq!(shape, shape_of(&request.message), "{at}");
        let answered_later = !answer.events.is_empty();
        if !answer.error && (request.events_on || answered_later) {
            assert_eq!(shape.is_some(), answered_later, "{at}: {:?}", answer.events);
        }
    }
    assert!(originates >= 60, "{originates}");
}

#[test]
fn every_list_event_is_typed() {
    for list in ami_spec::LIST_ACTIONS {
        for name in list.items.iter().chain(&list.complete) {
            assert!(
                ami_spec::EVENT_NAMES.contains(name),
                "{}: {name}",
                list.action
            );
        }
    }
}
