//! 10,000 failed logins leave nothing behind: the proxy's memory (this process's RSS:
//! the test is alone in its binary) stops growing once warm.

mod support;

use std::time::Duration;

use ami_proto::filter::{ManagerConf, Rules};
use support::Conn;

fn users() -> ManagerConf {
    ManagerConf::parse(
        b"[ops]\nsecret = s3cret\nread = all\nwrite = all\n",
        Rules::default(),
    )
    .unwrap()
}

/// The process's resident memory in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_wrong_logins_leave_nothing_behind() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let addr = proxy.addr();
    let attempt = |n: usize| async move {
        let mut conn = Conn::connect(addr).await;
        let reply = conn.login("ops", &format!("guess-{n}")).await;
        assert_eq!(
            reply.message().get("Message"),
            Some(&b"Authentication failed"[..])
        );
        assert!(conn.next().await.is_none());
    };
    let run = |from: usize, to: usize| async move {
        // 20 at a time.
        let mut tasks = tokio::task::JoinSet::new();
        for n in from..to {
            if tasks.len() == 20 {
                tasks.join_next().await.unwrap().unwrap();
            }
            tasks.spawn(attempt(n));
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    };
    let gone = || async {
        tokio::time::timeout(Duration::from_secs(10), async {
            while proxy.clients() > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("every refused client is gone");
    };
    // The first 3,000 warm up the allocator and the runtime.
    let mut rss = Vec::new();
    for round in 0..10 {
        run(round * 1_000, (round + 1) * 1_000).await;
        gone().await;
        rss.push(rss_kb());
    }
    eprintln!("RSS after each 1,000 refused logins (kB): {rss:?}");
    let (before, after) = (rss[2], rss[9]);
    // 7,000 more refused logins; a leak of even 1 kB each would show as 7 MB.
    assert!(
        after < before + 4_096,
        "RSS grew from {before} kB to {after} kB: {rss:?}"
    );
    // And the proxy still works.
    let mut conn = Conn::connect(addr).await;
    assert_eq!(
        conn.login("ops", "s3cret").await.message().get("Message"),
        Some(&b"Authentication accepted"[..])
    );
}
