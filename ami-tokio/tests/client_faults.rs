//! The client against a fake Asterisk that misbehaves on purpose (`ami-replay`'s faults):
//! logins that fail or are cut, connections dropped mid-message, mid-list and with calls
//! in flight, a server that stops answering, malformed bytes, restarts in a row, and a
//! subscriber that never reads.

mod support;

use std::time::Duration;

use ami_proto::GenericAction;
use ami_replay::{Capture, Fault, Pace, ReplayServer};
use ami_tokio::{Client, ClientEvent, Error, Events, LoginError};

fn ping_capture() -> Capture {
    support::capture("asterisk-23.4.1", "08_ping")
}

fn lists_capture() -> Capture {
    support::capture("asterisk-23.4.1", "23_dbput_dbget")
}

fn dbget_tree() -> GenericAction {
    GenericAction::new("DBGetTree").header("Family", "amitest")
}

async fn server(faults: impl IntoIterator<Item = Fault>) -> ReplayServer {
    let mut builder = ReplayServer::builder([lists_capture()])
        .fallback([ping_capture()])
        .pace(Pace::AsFastAsPossible);
    for fault in faults {
        builder = builder.fault(fault);
    }
    builder.start().await.unwrap()
}

/// The next item that is not an event, within 10 s.
async fn next_status(events: &mut Events) -> ClientEvent {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("a status in time")
            .expect("the stream goes on");
        if !matches!(item, ClientEvent::Event(_)) {
            return item;
        }
    }
}

#[tokio::test]
async fn md5_login_against_the_real_challenge_exchange() {
    for version in ["asterisk-13.38.3", "asterisk-23.4.1"] {
        let replay = ReplayServer::builder([support::capture(version, "06_challenge_md5")])
            .users(support::users())
            .fallback([ping_capture()])
            .pace(Pace::AsFastAsPossible)
            .start()
            .await
            .unwrap();
        let client = Client::connect(support::config(replay.addr()).md5())
            .await
            .unwrap();
        assert!(client
            .send(&GenericAction::new("Ping"))
            .await
            .unwrap()
            .is_success());
        let wrong = support::config(replay.addr())
            .md5()
            .credentials("admin", "not-the-secret");
        let err = Client::connect(wrong).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Login {
                    reason: LoginError::Refused(_),
                    ..
                }
            ),
            "{version}: {err:?}"
        );
        assert_eq!(err.to_string(), "login refused (Authentication failed)");
        let plain_wrong = support::config(replay.addr()).credentials("admin", "nope");
        assert!(matches!(
            Client::connect(plain_wrong).await,
            Err(Error::Login { .. })
        ));
    }
}

#[tokio::test]
async fn a_connection_dropped_during_the_login_is_a_clear_error() {
    let replay = server([Fault::CloseOnLogin]).await;
    let err = Client::connect(support::config(replay.addr()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Login {
                reason: LoginError::Closed,
                ..
            }
        ),
        "{err:?}"
    );
    // Nobody listening: a connect error naming the address.
    let addr = replay.addr();
    replay.shutdown().await;
    let err = Client::connect(support::config(addr)).await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[tokio::test]
async fn mid_message_and_mid_list_drops_fail_the_call_then_reconnect() {
    let replay = server([Fault::CloseMidList { items: 1 }]).await;
    let (client, mut events) = Client::connect_with_events(support::config(replay.addr()))
        .await
        .unwrap();
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Connected { .. }
    ));
    let err = client.send(&dbget_tree()).await.unwrap_err();
    assert!(matches!(err, Error::Disconnected { .. }), "{err:?}");
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Disconnected { .. }
    ));
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Reconnected { .. }
    ));

    // Now cut inside a message: 30 bytes into the next session's first reply.
    replay.set_faults([Fault::CloseAfterBytes(
        "Asterisk Call Manager/12.0.0\r\n".len() as u64 + 90,
    )]);
    replay.disconnect_all();
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Disconnected { .. }
    ));
    // The login reply itself is cut: the attempt fails, the client keeps trying.
    replay.set_faults([]);
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Reconnected { .. }
    ));
    let reply = client.send(&dbget_tree()).await.unwrap();
    assert!(reply.is_success());
}

#[tokio::test]
async fn fifty_calls_in_flight_fail_at_once_when_the_connection_drops() {
    let replay = server([Fault::GoSilent { after: 1 }]).await;
    let client = Client::connect(support::config(replay.addr()).timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&GenericAction::new("Ping")).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dropped = std::time::Instant::now();
    replay.disconnect_all();
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(matches!(err, Error::Disconnected { .. }), "{err:?}");
    }
    assert!(
        dropped.elapsed() < Duration::from_secs(5),
        "failed at once, not by timeout"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_calls_out_and_is_declared_dead() {
    let replay = server([Fault::GoSilent { after: 1 }]).await;
    let config = support::config(replay.addr())
        .keepalive(Some(Duration::from_millis(200)))
        .keepalive_timeout(Duration::from_millis(200));
    let (client, mut events) = Client::connect_with_events(config).await.unwrap();
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Connected { .. }
    ));
    // 100 calls more than the connection has slots: each times out, none is refused.
    let calls: Vec<_> = (0..164)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .send_timeout(&GenericAction::new("Ping"), Duration::from_millis(100))
                    .await
            })
        })
        .collect();
    for call in calls {
        let result = call.await.unwrap();
        assert!(
            matches!(
                result,
                Err(Error::Timeout { .. }) | Err(Error::Disconnected { .. })
            ),
            "{result:?}"
        );
    }
    match next_status(&mut events).await {
        ClientEvent::Disconnected { reason } => {
            assert!(reason.contains("keepalive"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn malformed_bytes_are_reported_and_the_connection_goes_on() {
    let garbage =
        b"Response: Success\r\nthis line has no colon\r\n\r\nEvent: AfterGarbage\r\nX: 1\r\n\r\n";
    let replay = server([Fault::SendAfterLogin(garbage[..].into())]).await;
    let (client, mut events) = Client::connect_with_events(support::config(replay.addr()))
        .await
        .unwrap();
    let mut saw_malformed = false;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ClientEvent::Malformed(e) => saw_malformed = e.offset > 0,
            ClientEvent::Event(m) if m.message().name() == b"AfterGarbage" => break,
            _ => {}
        }
    }
    assert!(saw_malformed);
    assert!(client
        .send(&GenericAction::new("Ping"))
        .await
        .unwrap()
        .is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_restarts_in_a_row_reconnect_without_growth() {
    let replay = server([]).await;
    let (client, mut events) = Client::connect_with_events(support::config(replay.addr()))
        .await
        .unwrap();
    assert!(matches!(
        next_status(&mut events).await,
        ClientEvent::Connected { .. }
    ));
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        replay.restart().await.unwrap();
        assert!(matches!(
            next_status(&mut events).await,
            ClientEvent::Disconnected { .. }
        ));
        assert!(matches!(
            next_status(&mut events).await,
            ClientEvent::Reconnected { .. }
        ));
        assert!(client
            .send(&GenericAction::new("Ping"))
            .await
            .unwrap()
            .is_success());
        tasks.push(metrics.num_alive_tasks());
    }
    // The replay server's own tasks come and go; the client's stay one.
    assert!(tasks[19] <= tasks[0], "alive tasks grew: {tasks:?}");
    assert_eq!(replay.stats().logged_in, 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_never_reads_misses_an_exact_count_and_slows_nobody() {
    // The largest corpus stream, as fast as the socket takes it, after the login.
    let stream = std::fs::read(
        support::corpus().join("asterisk-23.4.1/90_event_stream_50_originates.server.bin"),
    )
    .unwrap();
    let after_login = ami_replay::after_login(&stream).unwrap().to_vec();
    // Both subscribers must exist before the login: start the client first, on a port
    // where nobody listens yet (it retries), then the server there.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = support::config(addr).event_buffer(64).read_size(4096);
    let (client, mut sleeper) = Client::start(config);
    let mut reader = client.events();
    let _replay = ReplayServer::builder([lists_capture()])
        .listen(addr)
        .fallback([ping_capture()])
        .pace(Pace::AsFastAsPossible)
        .stream_after_login(after_login.clone())
        .start()
        .await
        .unwrap();
    // Every decoded item is published once, after the Connected item.
    let published = 1 + items_in(&after_login);
    // 64 reads of at most 4 KiB kept per subscriber: less than the stream.
    assert!(after_login.len() > 64 * 4096 * 2);
    // The other subscriber reads as fast as it can; it may or may not keep up.
    let reading = tokio::spawn(async move { drain(&mut reader, 500).await });
    // Calls go on while the sleeper sleeps.
    for _ in 0..10 {
        assert!(client
            .send(&GenericAction::new("Ping"))
            .await
            .unwrap()
            .is_success());
    }
    let (read, reader_missed) = reading.await.unwrap();
    assert_eq!(read + reader_missed, published, "the reader");
    // The sleeper wakes up: what it gets plus what it missed is everything published.
    let (got, missed) = drain(&mut sleeper, 100).await;
    assert!(missed > 0, "the sleeper fell behind");
    assert_eq!(
        got + missed,
        published,
        "the sleeper: missed {missed}, got {got}"
    );
}

/// Reads until `quiet_ms` pass without an item: (items received, items reported missed).
async fn drain(events: &mut Events, quiet_ms: u64) -> (u64, u64) {
    let (mut got, mut missed) = (0, 0);
    while let Ok(Some(item)) =
        tokio::time::timeout(Duration::from_millis(quiet_ms), events.recv()).await
    {
        match item {
            ClientEvent::Lagged { missed: n } => missed += n,
            _ => got += 1,
        }
    }
    (got, missed)
}

/// Messages, texts and errors the decoder finds in `bytes` (a stream without banner).
fn items_in(bytes: &[u8]) -> u64 {
    let mut decoder = ami_proto::Decoder::new();
    // No banner in this stream: any first line is a message's.
    let _ = decoder.finish(b"");
    let mut rest = bytes;
    let mut n = 0;
    loop {
        match decoder.decode(rest) {
            ami_proto::Decoded::Item { consumed, .. }
            | ami_proto::Decoded::Error { consumed, .. } => {
                n += 1;
                rest = &rest[consumed..];
            }
            ami_proto::Decoded::NeedMore { .. } => return n,
        }
    }
}

/// A connection that ends after its login was announced but before its filters are
/// applied (the server closes right after the login's reply and a few events, leaving the
/// `Filter` action unanswered) is announced as ended too: a subscriber never sees two
/// logins in a row without a `Disconnected` between them.
#[tokio::test]
async fn a_connection_lost_while_its_filters_are_applied_is_announced() {
    let replay = ReplayServer::builder([support::capture("asterisk-23.4.1", "02_login_success")])
        .stream_after_login(&b"Event: Test\r\n\r\n"[..])
        .fault(Fault::CloseAfterStream)
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let (_client, mut events) = Client::start(support::config(replay.addr()).filter("Event: Test"));
    for round in 0..5 {
        let login = next_status(&mut events).await;
        assert!(
            matches!(
                (round, &login),
                (0, ClientEvent::Connected { .. })
                    | (1.., ClientEvent::Reconnected { .. })
                    | (1.., ClientEvent::Connected { .. })
            ),
            "round {round}: {login:?}"
        );
        let end = next_status(&mut events).await;
        assert!(
            matches!(end, ClientEvent::Disconnected { .. }),
            "round {round}: {end:?} after {login:?}"
        );
    }
}
