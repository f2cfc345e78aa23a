//! Every user of `corpus/filter-oracle` through the proxy: a fake Asterisk writes the
//! unfiltered reference session's burst once, and each of the 60 clients, logged in to
//! the proxy with the Login and the Filter/Events actions it sent to the real Asterisk,
//! receives exactly the events Asterisk sent it, byte for byte, in order; the proxy's
//! replies to those actions are Asterisk's, byte for byte.

mod support;

use ami_proto::Kind;
use support::{filters_json, messages, oracle, phase, Conn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_oracle_user_gets_its_burst_through_the_proxy() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), support::oracle_conf()).await;
    let json = filters_json();
    let users = json["users"].as_array().unwrap();
    assert_eq!(users.len(), 60);
    let mut conns = Vec::new();
    for user in users {
        let name = user["user"].as_str().unwrap();
        let mut conn = Conn::connect(proxy.addr()).await;
        assert_eq!(conn.banner, b"Asterisk Call Manager/12.0.0");
        // What the user sent before the burst: its Login, then its Filter/Events actions.
        let sent = messages(&oracle(&format!("{name}.client.bin")));
        let recorded: Vec<_> = messages(&phase(user, "start", "burst_start"))
            .into_iter()
            .filter(|m| m.message().kind() == Kind::Response)
            .collect();
        let mut replies = Vec::new();
        let mut greetings = 0;
        for action in sent.iter().take_while(|a| {
            let n = a.message().get("Action").unwrap().to_ascii_lowercase();
            n == b"login" || n == b"filter" || n == b"events"
        }) {
            conn.send(action.as_bytes()).await;
            let id = action.message().action_id().unwrap().to_vec();
            for m in conn.until_response(&id).await {
                match m.message().kind() {
                    Kind::Response => replies.push(m),
                    _ => greetings += usize::from(m.message().name() == b"FullyBooted"),
                }
            }
        }
        // A Ping through to the fake Asterisk, with its reply back under our ActionID.
        conn.send(b"Action: Ping\r\nActionID: after-login\r\n\r\n")
            .await;
        let mut ping = conn.until_response(b"after-login").await;
        let pong = ping.pop().unwrap();
        assert_eq!(pong.message().get("Ping"), Some(&b"Pong"[..]), "{name}");
        greetings += ping
            .iter()
            .filter(|m| m.message().name() == b"FullyBooted")
            .count();
        assert_eq!(
            ping.iter()
                .filter(|m| m.message().name() != b"FullyBooted")
                .count(),
            0
        );
        // Replies: Asterisk's bytes.
        assert_eq!(replies.len(), recorded.len(), "{name}");
        for (got, want) in replies.iter().zip(&recorded) {
            assert!(
                got.as_bytes() == want.as_bytes(),
                "{name}: {:?} vs {:?}",
                String::from_utf8_lossy(got.as_bytes()),
                String::from_utf8_lossy(want.as_bytes())
            );
        }
        // FullyBooted after the login exactly when Asterisk sent one.
        let recorded_greetings = messages(&phase(user, "start", "burst_start"))
            .iter()
            .filter(|m| m.message().name() == b"FullyBooted")
            .count();
        assert_eq!(greetings, recorded_greetings.min(1), "{name}: FullyBooted");
        conns.push((name.to_string(), user, conn));
    }
    assert_eq!(proxy.clients(), 60);
    let reference = users.iter().find(|u| u["user"] == "reference").unwrap();
    upstream.send_raw(phase(reference, "burst_start", "burst_end"));
    let mut total = 0;
    for (name, user, conn) in &mut conns {
        let expected = messages(&phase(user, "burst_start", "burst_end"));
        for (n, want) in expected.iter().enumerate() {
            let got = conn
                .next()
                .await
                .unwrap_or_else(|| panic!("{name}: closed"));
            assert!(
                got.as_bytes() == want.as_bytes(),
                "{name}: message {n}: {:?}, expected {:?}",
                String::from_utf8_lossy(got.message().name()),
                String::from_utf8_lossy(want.message().name())
            );
        }
        total += expected.len();
        // Nothing more: the reply to a Ping comes after anything else queued.
        conn.send(b"Action: Ping\r\nActionID: after-burst\r\n\r\n")
            .await;
        let rest = conn.until_response(b"after-burst").await;
        assert_eq!(rest.len(), 1, "{name}: {} messages more", rest.len() - 1);
    }
    assert!(total > 5_000, "{total} events checked");
}
