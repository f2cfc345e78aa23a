//! Every transcript of `corpus/` served by the replay server to a plain TCP client that
//! sends the transcript's requests with ActionIDs of its own: it receives the recorded
//! server stream byte for byte, with its ActionIDs in place of the recorded ones.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
use ami_replay::{Capture, EventOrder, Pace, ReplayServer};
use support::{all_prefixes, first_difference, load, play_lockstep, users};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn every_transcript_replays_byte_exact_with_the_clients_action_ids() {
    let (mut transcripts, mut bytes, mut renamed) = (0, 0, 0);
    for prefix in all_prefixes() {
        let capture = Capture::load(&prefix).unwrap();
        let server = ReplayServer::builder([capture.clone()])
            .users(users())
            .pace(Pace::AsFastAsPossible)
            .event_order(EventOrder::AsRecorded)
            .start()
            .await
            .unwrap();
        let played = play_lockstep(server.addr(), &capture).await;
        assert!(
            played.received == played.expected,
            "{}: {}",
            prefix.display(),
            first_difference(&played.received, &played.expected)
        );
        if played.received != capture.server_bytes()[..] {
            renamed += 1;
        }
        let stats = server.stats();
        assert_eq!(
            (stats.accepted, stats.active),
            (1, 0),
            "{}",
            prefix.display()
        );
        transcripts += 1;
        bytes += played.received.len();
    }
    eprintln!("{transcripts} transcripts replayed, {bytes} server bytes, {renamed} with renamed ActionIDs");
    assert!(transcripts >= 108);
    assert!(renamed >= 100, "the ActionIDs were not renamed");
}

/// The replies a plain client gets at the recorded pace (10 times faster), events flowing
/// by the clock: each request's reply and list items are the recorded ones with its
/// ActionIDs, and the events are the recorded ones, in order.
#[tokio::test]
async fn at_the_recorded_pace_replies_and_events_are_the_recorded_ones() {
    for (version, name) in [
        ("asterisk-23.4.1", "41_originate_async_app"),
        ("asterisk-13.38.3", "30_queue"),
        ("asterisk-23.4.1-sip", "22_originate_pjsip"),
    ] {
        let capture = load(version, name);
        let speed = 10.0;
        let server = ReplayServer::builder([capture.clone()])
            .pace(Pace::Speed(speed))
            .start()
            .await
            .unwrap();
        let renamed = support::rename_ids(capture.client_bytes());
        let (expected, _) = support::expected_server(&capture, &renamed);
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let started = Instant::now();
        // Every request at once but the Logoff, which waits for everything else (the
        // events included) to arrive: the server answers each request as it comes.
        let logoff = find(&renamed.client, b"Action: Logoff").unwrap();
        stream.write_all(&renamed.client[..logoff]).await.unwrap();
        let want_before_logoff = messages(&expected).len() - 1;
        let mut received = Vec::new();
        let mut buf = vec![0; 65536];
        while messages(&received).len() < want_before_logoff {
            let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert!(n > 0, "{version}/{name}: closed early");
            received.extend_from_slice(&buf[..n]);
        }
        let elapsed = started.elapsed();
        stream.write_all(&renamed.client[logoff..]).await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut received))
            .await
            .unwrap()
            .unwrap();

        let (got, want) = (messages(&received), messages(&expected));
        // Replies: grouped by ActionID, in order, the same.
        assert_eq!(by_id(&got), by_id(&want), "{version}/{name}");
        // Events (no ActionID): the same, in the same order.
        let events = |m: &[OwnedMessage]| -> Vec<Vec<u8>> {
            m.iter()
                .filter(|m| {
                    m.message().action_id().is_none()
                        && m.message().kind() == ami_proto::Kind::Event
                })
                .map(|m| m.as_bytes().to_vec())
                .collect()
        };
        let (got_events, want_events) = (events(&got), events(&want));
        assert!(!got_events.is_empty(), "{version}/{name}: no events");
        assert!(got_events == want_events, "{version}/{name}: events differ");
        // Events are never early: the last one came at least its recorded delay after the
        // login, divided by the speed.
        let login_at = capture
            .timeline()
            .iter()
            .find(|c| c.bytes.starts_with(b"Response: Success"))
            .unwrap()
            .at;
        let last = last_event_time(&capture, got_events.last().unwrap());
        assert!(
            elapsed >= (last - login_at).div_f64(speed),
            "{version}/{name}: {elapsed:?} for events recorded over {:?}",
            last - login_at
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Every item of a server stream, as owned messages (text and banner left out).
fn messages(stream: &[u8]) -> Vec<OwnedMessage> {
    let mut decoder = Decoder::new();
    let mut rest = stream;
    let mut out = Vec::new();
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    out.push(OwnedMessage::new(&m));
                }
                rest = &rest[consumed..];
            }
            Decoded::NeedMore { .. } => return out,
            Decoded::Error { error, .. } => panic!("{error}"),
        }
    }
}

fn by_id(messages: &[OwnedMessage]) -> HashMap<Vec<u8>, Vec<Vec<u8>>> {
    let mut out: HashMap<Vec<u8>, Vec<Vec<u8>>> = HashMap::new();
    for m in messages {
        if let Some(id) = m.message().action_id() {
            out.entry(id.to_vec())
                .or_default()
                .push(m.as_bytes().to_vec());
        }
    }
    out
}

/// When the server wrote the chunk holding `event`.
fn last_event_time(capture: &Capture, event: &[u8]) -> Duration {
    let server = capture.server_bytes();
    let at = server
        .windows(event.len())
        .position(|w| w == event)
        .unwrap();
    let mut offset = 0;
    for chunk in capture.timeline() {
        if chunk.direction == ami_replay::Direction::ServerToClient {
            if at < offset + chunk.bytes.len() {
                return chunk.at;
            }
            offset += chunk.bytes.len();
        }
    }
    unreachable!()
}

/// The replies the server writes itself are Asterisk's, byte for byte: each compared with
/// a transcript's, against a capture that does not hold that request.
#[tokio::test]
async fn asterisks_own_replies_are_the_recorded_bytes() {
    // A capture with no Ping, no Events, no Filter, no NoSuchActionAtAll.
    let bare = load("asterisk-23.4.1", "02_login_success");
    let server = ReplayServer::builder([bare])
        .users(users())
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let cases: [(&str, &str, &[u8], &[u8]); 6] = [
        (
            "asterisk-23.4.1",
            "05_action_before_login",
            b"Action: Ping\r\nActionID: cap-1\r\n\r\n",
            b"Response: Error\r\nActionID: cap-1\r\nMessage: Permission denied\r\n\r\n",
        ),
        (
            "asterisk-23.4.1",
            "53_unknown_action",
            b"Action: NoSuchActionAtAll\r\nActionID: cap-2\r\n\r\n",
            b"Response: Error\r\nActionID: cap-2\r\nMessage: Invalid/unknown command: NoSuchActionAtAll. Use Action: ListCommands to show available commands.\r\n\r\n",
        ),
        (
            "asterisk-13.38.3",
            "54_no_action_header",
            b"\r\n",
            b"Response: Error\r\nMessage: Missing action in request\r\n\r\n",
        ),
        (
            "asterisk-23.4.1",
            "51_events_off_on",
            b"Action: Events\r\nActionID: cap-2\r\nEventMask: off\r\n\r\n",
            b"Response: Success\r\nActionID: cap-2\r\nEvents: Off\r\n\r\n",
        ),
        (
            "asterisk-23.4.1",
            "52_filter",
            b"Action: Filter\r\nActionID: cap-5\r\nOperation: Frobnicate\r\nFilter: x\r\n\r\n",
            b"Response: Error\r\nActionID: cap-5\r\nMessage: Unknown operation\r\n\r\n",
        ),
        (
            "asterisk-23.4.1",
            "52_filter",
            b"Action: Filter\r\nActionID: cap-2\r\nOperation: Add\r\nFilter: Event: Newchannel\r\n\r\n",
            b"Response: Success\r\nActionID: cap-2\r\nMessage: Success\r\n\r\n",
        ),
    ];
    for (version, name, request, reply) in cases {
        let recorded = load(version, name);
        assert!(
            recorded
                .server_bytes()
                .windows(reply.len())
                .any(|w| w == reply),
            "{name} does not hold the reply the test expects"
        );
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let before_login = name.starts_with("05");
        let mut wire = Vec::new();
        if !before_login {
            wire.extend_from_slice(b"Action: Login\r\nUsername: admin\r\nSecret: ");
            wire.extend_from_slice(support::secret("admin").as_bytes());
            wire.extend_from_slice(b"\r\nEvents: off\r\n\r\n");
        }
        wire.extend_from_slice(request);
        wire.extend_from_slice(b"Action: Logoff\r\n\r\n");
        stream.write_all(&wire).await.unwrap();
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await.unwrap();
        assert!(
            received.windows(reply.len()).any(|w| w == reply),
            "{name}: got {}",
            received.escape_ascii()
        );
    }
    // The failed login's reply and close (04, with the one-second wait scaled away).
    let recorded = load("asterisk-23.4.1", "04_login_wrong_secret");
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(&recorded.client_bytes()[..])
        .await
        .unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await.unwrap();
    assert_eq!(received, recorded.server_bytes()[..]);
}
