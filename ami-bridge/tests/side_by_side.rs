//! Two bridges on one stream, as the README's "several bridges side by side" describes:
//! the same Asterisk read by both for availability, with `message_id = "content"`, is
//! stored once per event; each bridge's own states stay apart.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use ami_replay::{Pace, ReplayServer};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_server_in_two_bridges_is_stored_once() {
    logs();
    let nats = NatsServer::start().unwrap();
    let stream = after_login_of("90_event_stream_50_originates");
    let want = expected(&stream);
    // Content IDs need events whose bytes differ (Asterisk's `timestampevents = yes`);
    // this capture's events all do.
    let distinct: HashSet<&Vec<u8>> = want.iter().map(|(_, payload)| payload).collect();
    assert_eq!(distinct.len(), want.len());
    let replay = ReplayServer::builder([capture("02_login_success")])
        .stream_after_login(stream.clone())
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let secret = secret_file("amp111");
    let config = |name: &str| {
        config_text(
            &nats.url(),
            secret.path(),
            &[("pbx", replay.addr().to_string())],
            "message_id = \"content\"\n",
            "",
        )
        .replace("name = \"test-bridge\"", &format!("name = \"{name}\""))
    };
    let east = start(&config("east")).await;
    let west = start(&config("west")).await;
    let mut consumer = Consumer::new(&nats.url(), "side-by-side").await;
    let n = want.len();
    // Both bridges read every event; wait until both have published all of them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = [&east, &west]
            .iter()
            .all(|b| b.stats()[0].published > n as u64);
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?} {:?}",
            east.stats(),
            west.stats()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        consumer
            .until(Duration::from_secs(30), |c| c.count("pbx") >= n)
            .await
    );
    consumer.drain(Duration::from_secs(1)).await;

    let got = consumer.of("pbx");
    let items: Vec<(String, Vec<u8>)> = got
        .iter()
        .filter(|r| !r.is_state())
        .map(|r| (r.suffix().to_owned(), r.payload.clone()))
        .collect();
    // Each message once, every message of the stream (events and the replies nobody
    // waited for, on `other`).
    let stored: HashSet<&(String, Vec<u8>)> = items.iter().collect();
    assert_eq!(stored.len(), items.len(), "a message was stored twice");
    assert_eq!(items.len(), n);
    assert_eq!(stored, want.iter().collect::<HashSet<_>>());
    // One `connected` state per bridge: states are numbered, not content-addressed.
    let states = got.iter().filter(|r| r.is_state()).count();
    assert_eq!(states, 2);
    let east = east.shutdown(Duration::from_secs(5)).await;
    let west = west.shutdown(Duration::from_secs(5)).await;
    assert_eq!(
        east[0].duplicates + west[0].duplicates,
        n as u64,
        "the second copy of every event was a duplicate"
    );
}
