//! The connection state machine replaying every real transcript pair in socket order:
//! it sends what the real client sent (byte for byte where the client wrote CRLF requests
//! with ActionIDs), every request gets its reply, every list its items, and the events come
//! out the same however the server's bytes are chunked.

mod replay;

use ami_proto::{
    ActionIdAllocator, Collected, Config, ConnEvent, ConnState, Connection, Credentials, Decoded,
    Decoder, ErrorKind, GenericAction, Item, Limits, ListCollector, ListEnd, ListShape,
    LoginFailure,
};
use replay::{Request, Step, Transcript};
use std::collections::HashMap;

const ASYNC_ORIGINATE: ListShape<'static> = ListShape::new(&[], "OriginateResponse");

fn is_async_originate(r: &Request) -> bool {
    r.name.eq_ignore_ascii_case(b"Originate")
        && r.get("Async")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"yes"))
}

fn is_login(r: &Request) -> bool {
    r.is_action && (r.name == b"Login" || r.name == b"Challenge")
}

/// The allocator that reproduces the first login request's ActionID (`cap-1`, `lf-1`, ...),
/// so that the connection's own login actions carry the real client's ActionIDs.
fn login_ids(t: &Transcript) -> ActionIdAllocator {
    let id = t.steps.iter().find_map(|s| match s {
        Step::Sent(r) if is_login(r) => r.get("ActionID"),
        _ => None,
    });
    let id = std::str::from_utf8(id.unwrap_or(b"cap-1")).unwrap();
    let digits = id.len() - id.bytes().rev().take_while(u8::is_ascii_digit).count();
    ActionIdAllocator::starting_at(&id[..digits], id[digits..].parse().unwrap()).unwrap()
}

#[derive(Debug, Default)]
struct Outcome {
    events: Vec<ConnEvent>,
    sent: Vec<u8>,
    /// Requests the connection could not send as the client did (no Action, no ActionID).
    unsendable: usize,
    /// The client's requests, to compare with what was sent.
    requests: Vec<Request>,
    names: HashMap<Vec<u8>, Vec<u8>>,
    pending: Vec<Vec<u8>>,
    state: Option<ConnState>,
}

/// Replays `t`; `piece` splits every server read into pieces of at most that many bytes.
fn replay(t: &Transcript, piece: usize, secrets: &HashMap<&str, String>) -> Outcome {
    let mut out = Outcome::default();
    let mut conn: Connection<'_, 64> = Connection::with_ids(login_ids(t));
    let mut creds_store = Vec::new();
    for step in &t.steps {
        match step {
            Step::Sent(r) => {
                out.requests.push(r.clone());
                if is_login(r) {
                    // After the Challenge reply the connection sent the Login itself.
                    if r.name == b"Challenge" || conn.state() != ConnState::LoggingIn {
                        creds_store.push(r.clone());
                    }
                } else if let Some(id) = r.get("ActionID").filter(|_| r.is_action) {
                    // The transcripts write ActionID first, as `send` expects.
                    assert!(r.headers[0].0.eq_ignore_ascii_case(b"ActionID"));
                    let name = std::str::from_utf8(&r.name).unwrap();
                    let mut action = r
                        .headers
                        .iter()
                        .fold(GenericAction::new(name), |a, (k, v)| a.header(k, v));
                    if is_async_originate(r) {
                        action = action.expect_list(ASYNC_ORIGINATE);
                    }
                    let sent = conn.send(&action).unwrap();
                    assert_eq!(sent.as_bytes(), id);
                    out.names.insert(id.to_vec(), r.name.clone());
                } else {
                    out.unsendable += 1;
                }
            }
            Step::Received(bytes) => {
                for chunk in bytes.chunks(piece) {
                    conn.handle_input(chunk);
                    while let Some(e) = conn.poll_event() {
                        out.events.push(e);
                    }
                }
            }
        }
        // Start the login when its request comes up, with credentials from that request.
        if let Some(r) = creds_store.pop() {
            let user = std::str::from_utf8(r.get("Username").unwrap_or(b"admin")).unwrap();
            let md5 = r.name == b"Challenge";
            let secret: &str = match r.get("Secret") {
                Some(s) => std::str::from_utf8(s).unwrap(),
                None if t.name.starts_with("07_") => "not-the-secret",
                None => &secrets[user],
            };
            // Leak: the connection borrows its credentials for the test's duration.
            let (user, secret): (&'static str, &'static str) = (
                Box::leak(user.to_owned().into_boxed_str()),
                Box::leak(secret.to_owned().into_boxed_str()),
            );
            let mut creds = if md5 {
                Credentials::md5(user, secret)
            } else {
                Credentials::plain(user, secret)
            };
            // Challenge has no Events header: the later Login of 06/07 says `off`.
            let events = if md5 {
                Some(&b"off"[..])
            } else {
                r.get("Events")
            };
            if let Some(e) = events {
                creds = creds.with_events(Box::leak(
                    String::from_utf8(e.to_vec()).unwrap().into_boxed_str(),
                ));
            }
            conn.login(creds).unwrap();
        }
        if let Some(bytes) = conn.poll_transmit() {
            out.sent.extend_from_slice(&bytes);
        }
    }
    conn.handle_eof();
    while let Some(e) = conn.poll_event() {
        out.events.push(e);
    }
    out.pending = conn.pending().map(|id| id.as_bytes().to_vec()).collect();
    out.state = Some(conn.state());
    out
}

/// The (action, headers) of every request in `wire`, line endings aside.
fn requests_of(wire: &[u8]) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut d = Decoder::with_config(
        ami_proto::Config::default().with_line_endings(ami_proto::LineEndings::Lenient),
    );
    let mut rest = wire;
    let mut out = Vec::new();
    while let Decoded::Item { item, consumed } = d.decode(rest) {
        if let Item::Message(m) = item {
            out.push(
                m.headers()
                    .map(|h| (h.key.to_vec(), h.value.to_vec()))
                    .collect(),
            );
        }
        rest = &rest[consumed..];
    }
    out
}

#[test]
fn replays_every_transcript_pair() {
    let secrets: HashMap<&str, String> = ["admin", "reader"]
        .into_iter()
        .map(|u| (u, replay::secret(u)))
        .collect();
    let transcripts = replay::all();
    let (mut replies, mut lists, mut items, mut events, mut byte_exact) = (0, 0, 0, 0, 0);
    let mut mismatches = Vec::new();
    let mut per_version: HashMap<&str, usize> = HashMap::new();
    for t in &transcripts {
        *per_version.entry(t.version).or_default() += 1;
        let ctx = format!("{}/{}", t.version, t.name);
        let out = replay(t, usize::MAX, &secrets);

        // What was sent: the client's requests, except those it cannot send as written.
        let want: Vec<_> = requests_of(&t.client)
            .into_iter()
            .filter(|r| r[0].0 == b"Action" && r.iter().any(|(k, _)| k == b"ActionID"))
            .collect();
        // 07's real client sent a made-up key; ours is computed from a wrong secret.
        let strip_key = |mut requests: Vec<Vec<(Vec<u8>, Vec<u8>)>>| {
            if t.name.starts_with("07_") {
                for r in &mut requests {
                    r.retain(|(k, _)| k != b"Key");
                }
            }
            requests
        };
        assert_eq!(strip_key(requests_of(&out.sent)), strip_key(want), "{ctx}");
        let crlf_only = !t.name.starts_with("55_");
        if out.unsendable == 0 && crlf_only && !t.name.starts_with("07_") {
            assert_eq!(
                out.sent.escape_ascii().to_string(),
                t.client.escape_ascii().to_string(),
                "{ctx}"
            );
            byte_exact += 1;
        }

        // Every request got its reply; lists hold the items their final event counts.
        let mut open: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut replied = Vec::new();
        let mut unmatched = 0;
        let mut login = None;
        for e in &out.events {
            match e {
                ConnEvent::Response { id, list, .. } => {
                    replies += 1;
                    replied.push(id.as_bytes().to_vec());
                    if *list {
                        open.insert(id.as_bytes().to_vec(), 0);
                    }
                }
                ConnEvent::ListItem { id, index, .. } => {
                    let n = open.get_mut(id.as_bytes()).unwrap();
                    assert_eq!(*index, *n);
                    *n += 1;
                    items += 1;
                }
                ConnEvent::ListEnd { id, end, message } => {
                    let n = open.remove(id.as_bytes()).unwrap();
                    assert_eq!(end.seen(), n, "{ctx}");
                    assert!(matches!(end, ListEnd::Complete { .. }), "{ctx}: {end:?}");
                    if end.mismatch() {
                        mismatches.push(format!(
                            "{ctx}: {:?}",
                            String::from_utf8_lossy(message.message().name())
                        ));
                    }
                    lists += 1;
                }
                ConnEvent::LoggedIn => login = Some(true),
                ConnEvent::LoginFailed(why, _) => {
                    assert_eq!(*why, LoginFailure::Refused);
                    login = Some(false)
                }
                ConnEvent::Unmatched(m) => {
                    unmatched += 1;
                    let m = m.message();
                    let known = m.kind() == ami_proto::Kind::Response
                        || matches!(m.name(), b"UserEvent" | b"OriginateResponse");
                    assert!(known, "{ctx}: {m:?}");
                }
                ConnEvent::Event(_) => events += 1,
                ConnEvent::Closed { error } => assert_eq!(*error, None, "{ctx}"),
                ConnEvent::DecodeError(e) => panic!("{ctx}: {e}"),
                ConnEvent::Banner(_) | ConnEvent::Text(_) | ConnEvent::ActionEvent { .. } => {}
                other => panic!("{ctx}: an event this test does not know: {other:?}"),
            }
        }
        let logs_in = out.requests.iter().any(is_login);
        let expect_login = logs_in.then(|| !matches!(&t.name[..3], "04_" | "07_"));
        assert_eq!(login, expect_login, "{ctx}");
        assert_eq!(out.state, Some(ConnState::Closed));
        for id in &out.pending {
            let name = &out.names[id];
            let known = name == b"IAXnetstats"
                || (t.version == "asterisk-13.38.3" && name == b"Queues")
                || (name == b"Originate" && replied.contains(id));
            assert!(
                known,
                "{ctx}: {} got no reply",
                String::from_utf8_lossy(name)
            );
        }
        // Replies to what could not be paired are surfaced (54's lone CRLF gets one too),
        // as are UserEvents and other sessions' OriginateResponses.
        let lone_crlf = usize::from(t.name.starts_with("54_"));
        let stray_events = out
            .events
            .iter()
            .filter(|e| matches!(e, ConnEvent::Unmatched(m) if m.message().kind() == ami_proto::Kind::Event))
            .count();
        assert_eq!(
            unmatched - stray_events,
            out.unsendable + lone_crlf,
            "{ctx}"
        );

        // The same events whatever the chunking (7-byte reads, and 1-byte reads for the
        // smaller transcripts).
        let sevens = replay(t, 7, &secrets);
        assert_eq!(sevens.events, out.events, "{ctx}: 7-byte reads");
        if t.server.len() < 64 * 1024 {
            let ones = replay(t, 1, &secrets);
            assert_eq!(ones.events, out.events, "{ctx}: 1-byte reads");
        }

        // The collector turns the pieces into whole lists.
        let mut collector = ListCollector::new();
        let mut collected = 0;
        for e in out.events.clone() {
            if let Collected::List(list) = collector.push(e) {
                assert_eq!(list.items.len() as u32, list.end.seen());
                collected += 1;
            }
        }
        assert_eq!(collector.open(), open.len(), "{ctx}");
        let ends = out
            .events
            .iter()
            .filter(|e| matches!(e, ConnEvent::ListEnd { .. }))
            .count();
        assert_eq!(collected, ends, "{ctx}");
    }
    eprintln!(
        "pairs {per_version:?}; replies {replies}, lists {lists}, items {items}, \
         unsolicited events {events}, byte-exact client streams {byte_exact}/{}",
        transcripts.len()
    );
    assert_eq!(mismatches.len(), 3, "{mismatches:#?}");
    assert!(mismatches
        .iter()
        .all(|m| m.contains("OutboundRegistrationDetailComplete")));
}

#[test]
fn refuses_injection_and_overflow_without_sending() {
    let mut conn: Connection<'_, 1> = Connection::with_ids(ActionIdAllocator::default());
    assert!(conn
        .send(&GenericAction::new("Originate").header("Channel", "a\nAction: Hangup"))
        .is_err());
    assert!(
        conn.pending().next().is_none(),
        "a refused action is not tracked"
    );
    conn.send(&GenericAction::new("Ping").header("ActionID", "1"))
        .unwrap();
    let err = conn
        .send(&GenericAction::new("Ping").header("ActionID", "2"))
        .unwrap_err();
    assert!(matches!(err, ami_proto::SendError::Track(_)));
    assert_eq!(
        conn.poll_transmit().unwrap(),
        b"Action: Ping\r\nActionID: 1\r\n\r\n"
    );
    conn.handle_eof();
    assert!(matches!(
        conn.send(&GenericAction::new("Ping").header("A", "b")),
        Err(ami_proto::SendError::Closed)
    ));
}

#[test]
fn refuses_a_second_action_id() {
    let mut conn: Connection = Connection::new();
    let twice = GenericAction::new("Ping")
        .header("ActionID", "3")
        .header("ActionID", "4");
    let err = conn.send(&twice).unwrap_err();
    assert!(
        matches!(err, ami_proto::SendError::Encode(e) if e.kind == ami_proto::EncodeErrorKind::DuplicateActionId),
        "{err:?}"
    );
    assert_eq!(conn.poll_transmit(), None);
    assert_eq!(conn.pending().count(), 0);
}

#[test]
fn secret_never_in_debug_even_while_queued() {
    let mut conn: Connection = Connection::new();
    conn.login(Credentials::plain("admin", "s3cr3t-value"))
        .unwrap();
    let text = format!("{conn:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    let wire = conn.poll_transmit().unwrap();
    assert!(
        wire.windows(12).any(|w| w == b"s3cr3t-value"),
        "but it is sent"
    );
}

#[test]
fn decodes_with_the_config_it_was_given() {
    let big_event = format!("Event: VarSet\r\nValue: {}\r\n\r\n", "x".repeat(100));
    let events_of = |conn: &mut Connection| {
        conn.handle_input(b"Asterisk Call Manager/12.0.0\r\n");
        conn.handle_input(big_event.as_bytes());
        conn.handle_input(b"Event: FullyBooted\r\n\r\n");
        std::iter::from_fn(|| conn.poll_event()).collect::<Vec<_>>()
    };
    let limits = Limits::DEFAULT.with_max_message(64);
    let config = Config::default().with_limits(limits);
    let limited = events_of(&mut Connection::with_config(
        ActionIdAllocator::default(),
        config,
    ));
    assert_eq!(limited.len(), 3, "{limited:?}");
    assert!(matches!(limited[0], ConnEvent::Banner(_)));
    assert!(
        matches!(&limited[1], ConnEvent::DecodeError(e) if e.kind == ErrorKind::MessageTooLarge { limit: 64 }),
        "{limited:?}"
    );
    assert!(matches!(limited[2], ConnEvent::Event(_)));
    // The default limits take the large event.
    let default = events_of(&mut Connection::new());
    assert_eq!(default.len(), 3, "{default:?}");
    assert!(default[1..]
        .iter()
        .all(|e| matches!(e, ConnEvent::Event(_))));
}
