//! NATS killed (SIGKILL) and restarted while Asterisk keeps sending: the bridge keeps its
//! AMI connection and buffers; within the buffer's limit nothing is lost and JetStream's
//! de-duplication stores what was sent twice once; beyond it, the loss is counted and
//! announced on the state subject, and the sequence numbers show exactly where.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use ami_replay::{Pace, ReplayServer};
use support::*;

/// A fake Asterisk with no stream of its own (the test writes events with `send_raw`),
/// and a bridge on `nats` with the `[publish]` settings `publish`.
async fn setup(nats: &NatsServer, publish: &str) -> (ReplayServer, ami_bridge::Bridge) {
    let replay = ReplayServer::builder([capture("02_login_success")])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let secret = secret_file("amp111");
    let text = config_text(
        &nats.url(),
        secret.path(),
        &[("pbx", replay.addr().to_string())],
        "",
        &format!("[publish]\nack_timeout_secs = 0.5\n{publish}\n"),
    );
    let bridge = start(&text).await;
    (replay, bridge)
}

/// Waits until the bridge's AMI client has logged in and what the fake Asterisk sends
/// after a login (`FullyBooted`, `SuccessfulAuth`) is stored; returns how many of those.
async fn logged_in(consumer: &mut Consumer) -> usize {
    assert!(
        consumer
            .until(Duration::from_secs(30), |c| c.count("pbx") >= 1)
            .await,
        "not logged in: {:?}",
        consumer.received
    );
    consumer.drain(Duration::from_millis(500)).await;
    consumer.count("pbx")
}

/// Each message once (by message ID) and every sequence number above the one before.
fn once_and_in_order(got: &[&Received]) {
    let ids: HashSet<&str> = got.iter().map(|r| r.msg_id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "a message arrived twice");
    for pair in got.windows(2) {
        assert!(
            pair[1].seq > pair[0].seq,
            "out of order: {} after {}",
            pair[1].seq,
            pair[0].seq
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_killed_mid_stream_loses_nothing_within_the_buffer() {
    logs();
    let mut nats = NatsServer::start().unwrap();
    let (replay, bridge) = setup(&nats, "buffer = 100000").await;
    let mut consumer = Consumer::new(&nats.url(), "restart").await;
    let login_events = logged_in(&mut consumer).await;

    let (before, rest) = split_items(&busy(6_000), 2_000);
    replay.send_raw(before.clone());
    assert!(
        consumer
            .until(Duration::from_secs(60), |c| c.count("pbx")
                >= login_events + 2_000)
            .await
    );

    nats.kill();
    replay.send_raw(rest.clone());
    // The bridge reads all of it while NATS is down, and holds it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while bridge.stats()[0].read < 6_000 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            bridge.stats()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let held = bridge.stats()[0].buffered;
    assert!(held >= 3_000, "held {held} while NATS was down");
    nats.restart().unwrap();

    assert!(
        consumer
            .until(Duration::from_secs(90), |c| c.count("pbx")
                >= login_events + 6_000)
            .await,
        "after the restart: {:?} of 6000",
        consumer.items
    );
    consumer.drain(Duration::from_secs(1)).await;
    let got = consumer.of("pbx");
    once_and_in_order(&got);
    let mut all = before.to_vec();
    all.extend_from_slice(&rest);
    let want = expected(&all);
    let items: Vec<(String, Vec<u8>)> = got
        .iter()
        .filter(|r| !r.is_state())
        .skip(login_events)
        .map(|r| (r.suffix().to_owned(), r.payload.clone()))
        .collect();
    assert_eq!(items.len(), want.len());
    assert!(items == want, "the events differ from the capture's");
    let seqs: Vec<u64> = got.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=got.len() as u64).collect::<Vec<_>>(), "no gap");

    let stats = bridge.shutdown(Duration::from_secs(10)).await;
    assert_eq!(stats[0].dropped, 0, "{stats:?}");
    assert!(stats[0].republished > 0, "{stats:?}");
    assert_eq!(stats[0].connections, 1, "the AMI connection was kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_buffer_the_loss_is_counted_and_announced() {
    logs();
    let mut nats = NatsServer::start().unwrap();
    let (replay, bridge) = setup(&nats, "buffer = 300\nin_flight = 64").await;
    let mut consumer = Consumer::new(&nats.url(), "overflow").await;
    let login_events = logged_in(&mut consumer).await;

    nats.kill();
    let events = busy(2_000);
    replay.send_raw(events.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while bridge.stats()[0].read < 2_000 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            bridge.stats()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let during = bridge.stats()[0].clone();
    assert_eq!(during.buffered, 300, "{during:?}");
    assert_eq!(during.dropped, 1_700, "{during:?}");
    nats.restart().unwrap();

    // What was held arrives, then the announcement of what was not.
    assert!(
        consumer
            .until(Duration::from_secs(90), |c| c
                .of("pbx")
                .iter()
                .any(|r| r.is_state() && r.json()["type"] == "dropped"))
            .await,
        "no dropped state: {:?}",
        consumer.items
    );
    consumer.drain(Duration::from_secs(1)).await;
    let got = consumer.of("pbx");
    once_and_in_order(&got);
    let dropped: u64 = got
        .iter()
        .filter(|r| r.is_state() && r.json()["type"] == "dropped")
        .map(|r| r.json()["missed"].as_u64().unwrap())
        .sum();
    let stats = bridge.shutdown(Duration::from_secs(10)).await;
    assert_eq!(dropped, stats[0].dropped, "announced as counted");
    assert_eq!(stats[0].dropped, 1_700);
    // Every event is either stored or counted: the stored ones are the first ones read,
    // in order, and the sequence numbers skip exactly the dropped ones.
    let items: Vec<(String, Vec<u8>)> = got
        .iter()
        .filter(|r| !r.is_state())
        .skip(login_events)
        .map(|r| (r.suffix().to_owned(), r.payload.clone()))
        .collect();
    let want = expected(&events);
    assert_eq!(
        items.len() as u64 + dropped,
        want.len() as u64,
        "{:?}",
        got.iter()
            .map(|r| (r.seq, r.stream_seq, r.suffix().to_owned()))
            .filter(|r| r.2 == "state" || r.0 < 5 || r.0 > 295)
            .collect::<Vec<_>>()
    );
    assert!(items[..] == want[..items.len()], "stored events differ");
    let last = got.last().unwrap();
    assert_eq!(
        last.seq,
        got.len() as u64 + dropped,
        "the sequence counts the dropped messages"
    );
}
