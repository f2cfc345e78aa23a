//! The server misbehaving on purpose, and several clients at once.

mod support;

use std::time::Duration;

use ami_proto::GenericAction;
use ami_replay::{after_login, EventOrder, Fault, Pace, ReplayServer};
use ami_tokio::{AmiCodec, Frame};
use futures_util::{SinkExt, StreamExt};
use support::{first_difference, load, play_lockstep};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

const LOGIN: &[u8] =
    b"Action: Login\r\nActionID: L\r\nUsername: admin\r\nSecret: x\r\nEvents: off\r\n\r\n";

/// Reads until the server closes, or panics after 5 s without a byte.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
        .await
        .expect("the server closes")
        .unwrap();
    out
}

/// Reads until `needle` has arrived.
async fn read_past(stream: &mut TcpStream, got: &mut Vec<u8>, needle: &[u8]) {
    let mut buf = [0; 4096];
    while find(got, needle).is_none() {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the server answers")
            .unwrap();
        assert!(
            n > 0,
            "closed before {}: {}",
            needle.escape_ascii(),
            got.escape_ascii()
        );
        got.extend_from_slice(&buf[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Nothing arrives for a while (the socket stays open).
async fn stays_quiet(stream: &mut TcpStream) {
    let mut buf = [0; 64];
    let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
    assert!(read.is_err(), "expected silence, got {read:?}");
}

#[tokio::test]
async fn close_on_login() {
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .fault(Fault::CloseOnLogin)
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(LOGIN).await.unwrap();
    assert_eq!(
        read_to_close(&mut stream).await,
        b"Asterisk Call Manager/12.0.0\r\n"
    );
    assert_eq!(server.stats().logged_in, 0);
    assert_eq!(server.stats().accepted, 1);
}

#[tokio::test]
async fn close_after_n_bytes_cuts_anywhere() {
    let capture = load("asterisk-23.4.1", "24_coreshowchannels_none");
    // The whole session, as the fault-free server writes it.
    let full = {
        let server = ReplayServer::builder([capture.clone()])
            .pace(Pace::AsFastAsPossible)
            .start()
            .await
            .unwrap();
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream.write_all(&capture.client_bytes()[..]).await.unwrap();
        read_to_close(&mut stream).await
    };
    assert!(full.len() > 200);
    for cut in [1, 30, 31, 45, 100, full.len() as u64 - 1] {
        let server = ReplayServer::builder([capture.clone()])
            .pace(Pace::AsFastAsPossible)
            .fault(Fault::CloseAfterBytes(cut))
            .start()
            .await
            .unwrap();
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let _ = stream.write_all(&capture.client_bytes()[..]).await;
        let got = read_to_close(&mut stream).await;
        assert_eq!(got, full[..cut as usize], "cut at {cut}");
    }
}

#[tokio::test]
async fn close_mid_list() {
    let capture = load("asterisk-23.4.1", "59_misc_lists");
    for items in [0, 1, 3] {
        let server = ReplayServer::builder([capture.clone()])
            .fault(Fault::CloseMidList { items })
            .start()
            .await
            .unwrap();
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: off\r\n\r\nAction: ShowDialPlan\r\nActionID: mine\r\n\r\n")
            .await
            .unwrap();
        let got = read_to_close(&mut stream).await;
        let text = String::from_utf8(got).unwrap();
        let list = &text[text
            .find("Response: Success\r\nActionID: mine\r\nEventList: start")
            .unwrap()..];
        assert_eq!(
            list.matches("Event: ListDialplan\r\n").count(),
            items,
            "{list}"
        );
        assert!(!list.contains("EventList: Complete"));
        assert_eq!(
            list.matches("ActionID: mine\r\n").count(),
            items + 1,
            "the items carry our ActionID"
        );
    }
}

#[tokio::test]
async fn go_silent_then_disconnect() {
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .fault(Fault::GoSilent { after: 1 })
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(LOGIN).await.unwrap();
    let mut got = Vec::new();
    read_past(&mut stream, &mut got, b"Authentication accepted\r\n\r\n").await;
    stream
        .write_all(b"Action: Ping\r\nActionID: p\r\n\r\n")
        .await
        .unwrap();
    stays_quiet(&mut stream).await;
    assert_eq!(server.stats().requests, 2, "the Ping was read");
    server.disconnect_all();
    assert!(read_to_close(&mut stream).await.is_empty());

    // From the handle, for the sessions already open.
    server.set_faults([]);
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(LOGIN).await.unwrap();
    let mut got = Vec::new();
    read_past(&mut stream, &mut got, b"Authentication accepted\r\n\r\n").await;
    stream
        .write_all(b"Action: Ping\r\nActionID: p\r\n\r\n")
        .await
        .unwrap();
    read_past(&mut stream, &mut got, b"ActionID: p\r\nPing: Pong").await;
    server.go_silent();
    tokio::time::sleep(Duration::from_millis(50)).await;
    stream
        .write_all(b"Action: Ping\r\nActionID: q\r\n\r\n")
        .await
        .unwrap();
    stays_quiet(&mut stream).await;
}

/// Malformed bytes after the login (a fault) and later (from the handle): a codec client
/// reports them and goes on with the next message.
#[tokio::test]
async fn malformed_input_after_login_and_on_demand() {
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .fault(Fault::SendAfterLogin(
            "Event: Broken\r\nno colon here\r\n\r\n".into(),
        ))
        .start()
        .await
        .unwrap();
    let stream = TcpStream::connect(server.addr()).await.unwrap();
    let mut framed = Framed::new(stream, AmiCodec::new());
    let login = GenericAction::new("Login")
        .header("ActionID", "L")
        .header("Username", "admin")
        .header("Secret", "x")
        .header("Events", "off");
    framed.send(&login).await.unwrap();
    let mut next = async || framed.next().await.unwrap().unwrap();
    assert!(matches!(next().await, Frame::Banner(_)));
    assert!(
        matches!(next().await, Frame::Message(m) if m.message().action_id() == Some(&b"L"[..]))
    );
    assert!(matches!(next().await, Frame::Malformed(_)));
    framed
        .send(&GenericAction::new("Ping").header("ActionID", "after"))
        .await
        .unwrap();
    let Frame::Message(pong) = framed.next().await.unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(pong.message().get("Ping"), Some(&b"Pong"[..]));
    assert_eq!(pong.message().action_id(), Some(&b"after"[..]));

    server.send_raw(&b"Event: Bad\r\n\xff\xfe not AMI\r\n\r\n"[..]);
    assert!(matches!(
        framed.next().await.unwrap().unwrap(),
        Frame::Malformed(_)
    ));
    framed
        .send(&GenericAction::new("Ping").header("ActionID", "again"))
        .await
        .unwrap();
    let Frame::Message(pong) = framed.next().await.unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(pong.message().action_id(), Some(&b"again"[..]));
}

#[tokio::test]
async fn restart_twenty_times_on_the_same_port() {
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let addr = server.addr();
    for round in 0..20 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(LOGIN).await.unwrap();
        let mut got = Vec::new();
        read_past(&mut stream, &mut got, b"Authentication accepted\r\n\r\n").await;
        server.restart().await.unwrap();
        assert_eq!(server.addr(), addr);
        assert!(
            read_to_close(&mut stream).await.is_empty(),
            "round {round}: the session was dropped"
        );
    }
    let stats = server.stats();
    assert_eq!((stats.accepted, stats.logged_in, stats.active), (20, 20, 0));
}

/// Many clients at once, each its own session of the same capture with its own
/// ActionIDs, on a runtime with two worker threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_each_get_their_own_session() {
    let capture = load("asterisk-13.38.3", "56_pipelined_and_fragmented");
    let events = load("asterisk-23.4.1", "42_originate_async_exten");
    for capture in [capture, events] {
        let server = ReplayServer::builder([capture.clone()])
            .pace(Pace::AsFastAsPossible)
            .event_order(EventOrder::AsRecorded)
            .start()
            .await
            .unwrap();
        let clients: Vec<_> = (0..40)
            .map(|_| {
                let capture = capture.clone();
                let addr = server.addr();
                tokio::spawn(async move { play_lockstep(addr, &capture).await })
            })
            .collect();
        for client in clients {
            let played = client.await.unwrap();
            assert!(
                played.received == played.expected,
                "{}: {}",
                capture.name(),
                first_difference(&played.received, &played.expected)
            );
        }
        assert_eq!(server.stats().accepted, 40);
    }
}

/// With several captures, connection n plays capture n modulo their number; an action a
/// session's capture lacks is answered from the others.
#[tokio::test]
async fn several_captures_in_turn_and_replies_from_the_others() {
    let thirteen = load("asterisk-13.38.3", "58_logoff");
    let twenty_three = load("asterisk-23.4.1", "08_ping");
    let server = ReplayServer::start([thirteen, twenty_three]).await.unwrap();
    for (n, banner) in ["2.10.6", "12.0.0", "2.10.6"].iter().enumerate() {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: off\r\n\r\nAction: Ping\r\nActionID: p\r\n\r\nAction: Logoff\r\n\r\n")
            .await
            .unwrap();
        let text = String::from_utf8(read_to_close(&mut stream).await).unwrap();
        assert!(
            text.starts_with(&format!("Asterisk Call Manager/{banner}\r\n")),
            "{n}: {text}"
        );
        // 58_logoff has no Ping: the 23.4.1 capture's answers it.
        assert!(
            text.contains("ActionID: p\r\nPing: Pong\r\nTimestamp: 1795838496.182098\r\n"),
            "{n}: {text}"
        );
    }
}

/// A raw stream after the login, as fast as the socket takes it: the 50 MB load capture
/// when `../shared` is there, else the largest corpus stream.
#[tokio::test]
async fn stream_after_login_and_loop() {
    let busy = support::corpus_root().join("../../shared/asterisk/23.4.1/load/busy.server.bin");
    let stream_bytes = match std::fs::read(&busy) {
        Ok(bytes) => after_login(&bytes).unwrap().to_vec(),
        Err(_) => load("asterisk-23.4.1", "90_event_stream_50_originates")
            .server_bytes()
            .to_vec(),
    };
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .stream_after_login(stream_bytes.clone())
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(LOGIN).await.unwrap();
    let mut got = Vec::new();
    read_past(&mut stream, &mut got, b"Authentication accepted\r\n\r\n").await;
    let head = find(&got, b"Authentication accepted\r\n\r\n").unwrap() + 27;
    let mut buf = vec![0; 1 << 16];
    while got.len() < head + stream_bytes.len() {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        got[head..] == stream_bytes[..],
        "the stream arrives byte for byte"
    );

    // Looping events: 02_login_success's two events again and again.
    let capture = load("asterisk-23.4.1", "02_login_success");
    let server = ReplayServer::builder([capture])
        .pace(Pace::AsFastAsPossible)
        .loop_events(true)
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"Action: Login\r\nUsername: a\r\nSecret: b\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    while got
        .windows(19)
        .filter(|w| w == b"Event: FullyBooted\r")
        .count()
        < 5
    {
        let n = stream.read(&mut buf).await.unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    let events: Vec<&str> = text
        .split("\r\n\r\n")
        .filter(|m| m.starts_with("Event: "))
        .take(6)
        .collect();
    assert!(
        events[0].starts_with("Event: FullyBooted")
            && events[1].starts_with("Event: SuccessfulAuth")
    );
    assert_eq!(events[0], events[2]);
    assert_eq!(events[1], events[3]);
}

/// A stream after the login, then the close: a client that reads to the end gets the
/// login reply and exactly the stream's bytes.
#[tokio::test]
async fn close_after_stream_ends_the_session_once_the_stream_is_written() {
    let stream_bytes = b"Event: One\r\n\r\nEvent: Two\r\nX: y\r\n\r\n";
    let server = ReplayServer::builder([load("asterisk-23.4.1", "08_ping")])
        .stream_after_login(&stream_bytes[..])
        .fault(Fault::CloseAfterStream)
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"Action: Login\r\nActionID: L\r\nUsername: admin\r\nSecret: x\r\n\r\n")
        .await
        .unwrap();
    let mut all = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut all),
    )
    .await
    .expect("the server closes")
    .unwrap();
    assert!(all.ends_with(stream_bytes), "{}", all.escape_ascii());
    assert!(
        all.starts_with(b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nActionID: L\r\n")
    );
}
