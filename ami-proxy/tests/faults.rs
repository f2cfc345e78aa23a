//! Faults around the proxy: a client that never reads, a client that leaves in the middle
//! of a list, Asterisk going away in the middle of a burst, and 1,000 clients coming and
//! going.

mod support;

use std::time::Duration;

use ami_proto::filter::{ManagerConf, Rules};
use ami_proto::Kind;
use support::{filters_json, messages, phase, Conn};
use tokio::net::TcpStream;

fn users() -> ManagerConf {
    ManagerConf::parse(
        b"[ops]\nsecret = s3cret\nread = all\nwrite = all\n",
        Rules::default(),
    )
    .unwrap()
}

/// The reference session's burst of the oracle.
fn burst() -> Vec<u8> {
    let json = filters_json();
    let reference = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == "reference")
        .unwrap()
        .clone();
    phase(&reference, "burst_start", "burst_end")
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} in time"));
}

async fn logged_in(addr: std::net::SocketAddr) -> Conn {
    let mut conn = Conn::connect(addr).await;
    conn.login("ops", "s3cret").await;
    // Past the FullyBooted.
    conn.send(b"Action: Ping\r\nActionID: ready\r\n\r\n").await;
    conn.until_response(b"ready").await;
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_cut_off_and_the_others_get_everything() {
    let upstream = support::upstream().await;
    let config = support::proxy_config(upstream.addr(), users()).queue_limit(2_000);
    let proxy = ami_proxy::Proxy::start(config).await.unwrap();
    let mut reader = logged_in(proxy.addr()).await;
    // Logs in, then never reads again.
    let mut stalled = logged_in(proxy.addr()).await;
    let burst = burst();
    let per_burst = messages(&burst).len();
    // 100 × 130 kB: far more than the socket buffers and the queue hold.
    let rounds = 100;
    // The reader tells how far it got; a burst goes out once it has read the previous
    // one, so that only the stalled client falls behind.
    let (progress, mut read) = tokio::sync::watch::channel(0usize);
    let reading = tokio::spawn(async move {
        let mut seen = 0;
        while seen < per_burst * rounds {
            let m = reader.next().await.expect("the reader stays connected");
            assert_eq!(m.message().kind(), Kind::Event);
            seen += 1;
            if seen % per_burst == 0 {
                progress.send_replace(seen);
            }
        }
        reader
    });
    for round in 0..rounds {
        upstream.send_raw(burst.clone());
        tokio::time::timeout(
            Duration::from_secs(20),
            read.wait_for(|&seen| seen >= (round + 1) * per_burst),
        )
        .await
        .expect("the reader keeps up")
        .unwrap();
    }
    let mut reader = reading.await.unwrap();
    wait_for("the stalled client's disconnection", || {
        proxy.clients() == 1
    })
    .await;
    // The stalled client finds its connection closed once it reads what was sent.
    let mut closed = false;
    for _ in 0..per_burst * rounds {
        if stalled.next().await.is_none() {
            closed = true;
            break;
        }
    }
    assert!(closed, "the stalled client was disconnected");
    reader
        .send(b"Action: Ping\r\nActionID: still\r\n\r\n")
        .await;
    assert_eq!(reader.until_response(b"still").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_mid_list_harms_no_one() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let mut other = logged_in(proxy.addr()).await;
    for n in 0..20 {
        let mut leaving = logged_in(proxy.addr()).await;
        // A list, then gone before its items come back.
        leaving
            .send(format!("Action: DBGetTree\r\nActionID: tree-{n}\r\n\r\nAction: DBGet\r\nActionID: get-{n}\r\nFamily: captest\r\nKey: k1\r\n\r\n").as_bytes())
            .await;
        drop(leaving);
    }
    wait_for("the leaving clients' disconnection", || {
        proxy.clients() == 1
    })
    .await;
    other
        .send(b"Action: DBGet\r\nActionID: mine\r\nFamily: captest\r\nKey: k1\r\n\r\n")
        .await;
    let got = other.until_response(b"mine").await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        other.next().await.unwrap().message().name(),
        b"DBGetResponse"
    );
    assert_eq!(
        other.next().await.unwrap().message().name(),
        b"DBGetComplete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_loss_mid_burst_keeps_clients_and_logs_in_again() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let mut client = logged_in(proxy.addr()).await;
    let logins = upstream.stats().logged_in;
    let burst = burst();
    let half = messages(&burst).len() / 2;
    // Half a burst (cut at a message boundary), then Asterisk goes silent with an action
    // pending, then away.
    let cut = {
        let mut at = 0;
        for _ in 0..half {
            at = burst[at..]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap()
                + at
                + 4;
        }
        at
    };
    upstream.send_raw(burst[..cut].to_vec());
    for _ in 0..half {
        assert_eq!(client.next().await.unwrap().message().kind(), Kind::Event);
    }
    upstream.go_silent();
    client
        .send(b"Action: Ping\r\nActionID: pending\r\n\r\n")
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The next upstream session greets the proxy's login with a FullyBooted.
    upstream.set_faults([ami_replay::Fault::SendAfterLogin(
        b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"[..].into(),
    )]);
    upstream.disconnect_all();
    let mut lost = false;
    let mut failed = false;
    while !(lost && failed) {
        let m = client.next().await.expect("the client stays connected");
        let m = m.message();
        if m.name() == b"ProxyUpstreamLost" {
            assert!(m.get("Reason").is_some());
            lost = true;
        } else if m.action_id() == Some(b"pending") {
            assert_eq!(m.name(), b"Error");
            failed = true;
        }
    }
    // The proxy logs in again by itself, and says so.
    loop {
        let m = client.next().await.expect("the client stays connected");
        if m.message().name() == b"ProxyUpstreamRestored" {
            break;
        }
    }
    assert_eq!(upstream.stats().logged_in, logins + 1);
    client
        .send(b"Action: Ping\r\nActionID: again\r\n\r\n")
        .await;
    let mut again = client.until_response(b"again").await;
    let pong = again.pop().unwrap();
    assert_eq!(pong.message().get("Ping"), Some(&b"Pong"[..]));
    // The FullyBooted Asterisk wrote after the proxy's new login was the proxy's.
    assert!(again.is_empty(), "{} messages more", again.len());
    // And events flow again.
    upstream.send_raw(burst.clone());
    for _ in 0..messages(&burst).len() {
        assert_eq!(client.next().await.unwrap().message().kind(), Kind::Event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_come_and_go() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let addr = proxy.addr();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..1_000 {
        if tasks.len() == 25 {
            tasks.join_next().await.unwrap().unwrap();
        }
        tasks.spawn(async move {
            if n % 3 == 0 {
                // Some just connect and close.
                let stream = TcpStream::connect(addr).await.unwrap();
                drop(stream);
                return;
            }
            let mut conn = logged_in(addr).await;
            if n % 3 == 1 {
                conn.send(b"Action: Logoff\r\nActionID: bye\r\n\r\n").await;
                let bye = conn.until_response(b"bye").await.pop().unwrap();
                assert_eq!(bye.message().name(), b"Goodbye");
                assert!(conn.next().await.is_none());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    wait_for("every client gone", || proxy.clients() == 0).await;
    let mut last = logged_in(addr).await;
    upstream.send_raw(burst());
    assert_eq!(last.next().await.unwrap().message().kind(), Kind::Event);
}
