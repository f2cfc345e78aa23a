//! Two fake Asterisk servers playing real captures → the bridge → a real nats-server →
//! a durable consumer: every message of both arrives, in each server's order, once.

mod support;

use std::time::Duration;

use ami_replay::ReplayServer;
use support::*;

/// Busy-PBX events for server `a`.
const BUSY_EVENTS: usize = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_of_two_servers_once_and_in_order() {
    logs();
    let nats = NatsServer::start().unwrap();
    let a_bytes = busy(BUSY_EVENTS);
    // 1,902 events with the replies and late OriginateResponses of 50 async originates,
    // which reach the bridge as messages nobody waits for.
    let b_bytes = after_login_of("90_event_stream_50_originates");
    let a = ReplayServer::builder([capture("02_login_success")])
        .stream_after_login(a_bytes.clone())
        .start()
        .await
        .unwrap();
    let b = ReplayServer::builder([capture("02_login_success")])
        .stream_after_login(b_bytes.clone())
        .start()
        .await
        .unwrap();
    let secret = secret_file("amp111");
    let text = config_text(
        &nats.url(),
        secret.path(),
        &[("a", a.addr().to_string()), ("b", b.addr().to_string())],
        "",
        "",
    );
    let bridge = start(&text).await;
    let mut consumer = Consumer::new(&nats.url(), "every-event").await;

    let want_a = expected(&a_bytes);
    let want_b = expected(&b_bytes);
    assert_eq!(want_a.len(), BUSY_EVENTS);
    assert!(want_b.len() > 1900, "{}", want_b.len());
    let (na, nb) = (want_a.len(), want_b.len());
    let done = consumer
        .until(Duration::from_secs(120), |c| {
            c.count("a") >= na && c.count("b") >= nb
        })
        .await;
    assert!(done, "received {:?} of a={na} b={nb}", consumer.items);
    consumer.drain(Duration::from_secs(1)).await;

    for (server, want) in [("a", &want_a), ("b", &want_b)] {
        let got = consumer.of(server);
        // One `connected` state (where the login's announcement fell among the first
        // events); every other message is an item of the stream, as ami decode writes
        // it, in order.
        let states: Vec<_> = got.iter().filter(|r| r.is_state()).collect();
        assert_eq!(states.len(), 1, "{server}: {states:?}");
        assert_eq!(states[0].json()["type"], "connected");
        let items: Vec<(String, Vec<u8>)> = got
            .iter()
            .filter(|r| !r.is_state())
            .map(|r| (r.suffix().to_string(), r.payload.clone()))
            .collect();
        assert_eq!(items.len(), want.len(), "{server}: count");
        for (i, (got, want)) in items.iter().zip(want.iter()).enumerate() {
            assert_eq!(
                got,
                want,
                "{server}: message {i} differs: {} vs {}",
                String::from_utf8_lossy(&got.1),
                String::from_utf8_lossy(&want.1)
            );
        }
        // One connection, numbered 1..=N without a gap or a repeat.
        let seqs: Vec<u64> = got.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=got.len() as u64).collect::<Vec<_>>(), "{server}");
        assert!(got.iter().all(|r| r.connection == 1));
    }
    let total = consumer.received.len() as u64;
    assert_eq!(stream_messages(&nats.url()).await, total);

    let stats = bridge.shutdown(Duration::from_secs(5)).await;
    for s in &stats {
        assert_eq!(s.dropped, 0, "{s:?}");
        assert_eq!(s.duplicates, 0, "{s:?}");
    }
    // The shutdown announced itself on each state subject.
    consumer.drain(Duration::from_secs(1)).await;
    for server in ["a", "b"] {
        let last = consumer.of(server).last().unwrap().json();
        assert_eq!(last["type"], "disconnected", "{server}");
        assert_eq!(last["reason"], "the bridge stopped", "{server}");
    }
}
