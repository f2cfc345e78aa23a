//! An Asterisk connection that drops shows on `ami.<server>.state` (`disconnected`, then
//! `connected` with the next connection number), and the server's events resume under the
//! new connection, numbered from 1 again.

mod support;

use std::time::Duration;

use ami_replay::{Pace, ReplayServer};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_asterisk_connection_is_announced_and_the_stream_resumes() {
    logs();
    let nats = NatsServer::start().unwrap();
    // 1,902 events of 50 async originates, streamed after every login.
    let stream = after_login_of("90_event_stream_50_originates");
    let want = expected(&stream);
    let replay = ReplayServer::builder([capture("02_login_success")])
        .stream_after_login(stream.clone())
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let secret = secret_file("amp111");
    let text = config_text(
        &nats.url(),
        secret.path(),
        &[("pbx", replay.addr().to_string())],
        "reconnect_min_secs = 0.05\nreconnect_max_secs = 0.2\n",
        "",
    );
    let bridge = start(&text).await;
    let mut consumer = Consumer::new(&nats.url(), "state").await;
    let n = want.len();
    assert!(
        consumer
            .until(Duration::from_secs(60), |c| c.count("pbx") >= n)
            .await,
        "first connection: {:?} of {n}",
        consumer.items
    );

    replay.disconnect_all();
    assert!(
        consumer
            .until(Duration::from_secs(60), |c| c.count("pbx") >= 2 * n)
            .await,
        "second connection: {:?} of {}",
        consumer.items,
        2 * n
    );
    consumer.drain(Duration::from_millis(500)).await;

    let got = consumer.of("pbx");
    let states: Vec<(u64, u64, String)> = got
        .iter()
        .filter(|r| r.is_state())
        .map(|r| {
            (
                r.connection,
                r.seq,
                r.json()["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let kinds: Vec<&str> = states.iter().map(|s| s.2.as_str()).collect();
    assert_eq!(
        kinds,
        ["connected", "disconnected", "connected"],
        "{states:?}"
    );
    // The disconnection is the last message of connection 1, the new login the first of
    // connection 2; each payload names its connection.
    let state_payloads: Vec<_> = got.iter().filter(|r| r.is_state()).collect();
    assert_eq!(state_payloads[1].json()["connection"], 1);
    assert_eq!(state_payloads[2].json()["connection"], 2);
    assert_eq!((states[1].0, states[2].0, states[2].1), (1, 2, 1));

    for connection in [1, 2] {
        let of: Vec<_> = got.iter().filter(|r| r.connection == connection).collect();
        let seqs: Vec<u64> = of.iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            (1..=of.len() as u64).collect::<Vec<_>>(),
            "{connection}"
        );
        let items: Vec<(String, Vec<u8>)> = of
            .iter()
            .filter(|r| !r.is_state())
            .map(|r| (r.suffix().to_owned(), r.payload.clone()))
            .collect();
        assert_eq!(items.len(), n, "connection {connection}");
        assert!(items == want, "connection {connection}: the stream differs");
    }
    let stats = bridge.shutdown(Duration::from_secs(5)).await;
    assert_eq!(stats[0].connections, 2);
    assert_eq!(stats[0].dropped, 0);
}
