//! Every request of every real transcript, sent through the `Client` to a fake Asterisk
//! that serves the transcript (`ami-replay`), gets the reply and list items the real
//! Asterisk sent, with the client's own ActionIDs.

mod support;

use std::collections::HashMap;

use ami_proto::{
    Config, Decoded, Decoder, GenericAction, Item, LineEndings, Message, OwnedMessage,
};
use ami_replay::{Pace, ReplayServer};
use ami_tokio::{Client, ClientEvent};

/// A message as compared here: its headers without `ActionID`, and a Follows body.
type Shape = (Vec<(Vec<u8>, Vec<u8>)>, Option<Vec<u8>>);

fn shape(m: &Message<'_>) -> Shape {
    let headers = m
        .headers()
        .filter(|h| !h.is("ActionID"))
        .map(|h| (h.key.to_vec(), h.value.to_vec()))
        .collect();
    (headers, m.command_body().map(<[u8]>::to_vec))
}

/// Every message of a stream.
fn messages(bytes: &[u8], lenient: bool) -> Vec<OwnedMessage> {
    let config = Config::default().with_line_endings(if lenient {
        LineEndings::Lenient
    } else {
        LineEndings::Crlf
    });
    let mut decoder = Decoder::with_config(config);
    let mut rest = bytes;
    let mut out = Vec::new();
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    out.push(OwnedMessage::new(&m));
                }
                rest = &rest[consumed..];
            }
            Decoded::Error { consumed, .. } => rest = &rest[consumed..],
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// What the real server sent for one ActionID: the response, then its events.
fn recorded(server: &[OwnedMessage]) -> HashMap<Vec<u8>, Vec<Shape>> {
    let mut out: HashMap<Vec<u8>, Vec<Shape>> = HashMap::new();
    for m in server {
        if let Some(id) = m.message().action_id() {
            out.entry(id.to_vec())
                .or_default()
                .push(shape(&m.message()));
        }
    }
    out
}

fn is_true(value: &[u8]) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t.as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_gets_its_recorded_reply_and_items() {
    let (mut requests, mut lists, mut items) = (0, 0, 0);
    let mut untagged_actions = std::collections::BTreeSet::new();
    let mut skipped = Vec::new();
    for (name, capture) in support::all_captures() {
        let client_requests = messages(capture.client_bytes(), true);
        let server = messages(capture.server_bytes(), false);
        let login = client_requests.iter().find(|r| {
            r.message()
                .get("Action")
                .is_some_and(|a| a.eq_ignore_ascii_case(b"Login"))
        });
        // Sessions about the login itself (no login, a refused one) are the login tests'.
        let refused = server
            .iter()
            .any(|m| m.message().get_str("Message") == Some("Authentication failed"));
        if login.is_none() || refused || name.ends_with("05_action_before_login") {
            skipped.push(name);
            continue;
        }
        let replay = ReplayServer::builder([capture.clone()])
            .pace(Pace::AsFastAsPossible)
            .start()
            .await
            .unwrap();
        let (client, mut events) = Client::connect_with_events(support::config(replay.addr()))
            .await
            .unwrap();
        let want = recorded(&server);
        for request in &client_requests {
            let m = request.message();
            let Some(action) = m.get_str("Action") else {
                continue;
            };
            if ["login", "challenge", "logoff"].contains(&action.to_ascii_lowercase().as_str()) {
                continue;
            }
            let mut sent = m
                .headers()
                .filter(|h| !h.is("Action") && !h.is("ActionID"))
                .fold(GenericAction::new(action), |a, h| a.header(h.key, h.value));
            // An Async Originate ends with its OriginateResponse, which Asterisk sends
            // only to a session that receives call events (not with `Events: off`).
            let answered_later = m.action_id().is_some_and(|id| {
                server.iter().any(|s| {
                    s.message().action_id() == Some(id)
                        && s.message().name() == b"OriginateResponse"
                })
            });
            let originate_async =
                action.eq_ignore_ascii_case("Originate") && m.get("Async").is_some_and(is_true);
            if originate_async && answered_later {
                sent = sent.expect_final("OriginateResponse");
            }
            let untagged = m.action_id().is_some_and(|id| !want.contains_key(id));
            if untagged {
                // Replies that carry no ActionID cannot be matched: the call times out.
                // Asterisk 13 answers `Queues` with bare CLI text (it reaches subscribers
                // as text), and 13 and 23 answer `IAXnetstats` with nothing to show with
                // a lone CRLF.
                let err = client
                    .send_timeout(&sent, std::time::Duration::from_millis(300))
                    .await
                    .unwrap_err();
                assert!(matches!(err, ami_tokio::Error::Timeout { .. }), "{name}");
                if action.eq_ignore_ascii_case("Queues") {
                    loop {
                        if let ClientEvent::Text(text) = events.recv().await.unwrap() {
                            assert!(text.starts_with(b"support has "), "{name}");
                            break;
                        }
                    }
                }
                untagged_actions.insert(format!("{}/{action}", &name[..name.find('/').unwrap()]));
                continue;
            }
            let reply = client
                .send(&sent)
                .await
                .unwrap_or_else(|e| panic!("{name}: {action}: {e}"));
            requests += 1;
            let Some(id) = m.action_id() else {
                // No recorded ActionID to find the reply by: the reply must only be one.
                assert!(reply.items().is_empty(), "{name}: {action}");
                continue;
            };
            let mut got = vec![shape(&reply.message())];
            got.extend(reply.items().iter().map(|i| shape(&i.message())));
            got.extend(reply.last().map(|l| shape(&l.message())));
            // Events with the ActionID belong to the reply only in a list (UserEvent's
            // own event echoes its ActionID and goes to subscribers).
            let expected: Vec<Shape> = if reply.list_end().is_some() {
                want[id].clone()
            } else {
                want[id][..1].to_vec()
            };
            let opened = want[id][0].0.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case(b"EventList") && v.eq_ignore_ascii_case(b"start")
            });
            assert!(
                !opened || reply.list_end().is_some(),
                "{name}: {action}: the recorded reply opened a list"
            );
            assert_eq!(
                got.len(),
                expected.len(),
                "{name}: {action} ({}): message count",
                String::from_utf8_lossy(id)
            );
            assert!(got == expected, "{name}: {action}: messages differ");
            if reply.list_end().is_some() {
                lists += 1;
                items += reply.items().len();
            }
        }
        client.logoff().await.unwrap();
    }
    eprintln!(
        "{requests} requests, {lists} lists with {items} items; untagged replies: \
         {untagged_actions:?}; login-only sessions left to the login tests: {skipped:?}"
    );
    let untagged: Vec<&str> = untagged_actions.iter().map(String::as_str).collect();
    assert_eq!(
        untagged,
        [
            "asterisk-13.38.3/IAXnetstats",
            "asterisk-13.38.3/Queues",
            "asterisk-23.4.1/IAXnetstats"
        ]
    );
    assert!(requests > 300, "{requests}");
}
