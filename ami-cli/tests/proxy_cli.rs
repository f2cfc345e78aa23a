//! `ami proxy` as a user runs it: in front of a fake Asterisk, clients log in as users of
//! its manager.conf, actions go through, and each login, refused login and disconnection
//! is one log line on standard error, never with a secret.

use std::process::Stdio;
use std::time::Duration;

use ami_replay::{Capture, Pace, ReplayServer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{ChildStderr, Command};

fn corpus(path: &str) -> String {
    format!("{}/../corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

async fn line_with(
    lines: &mut Lines<BufReader<ChildStderr>>,
    what: &str,
    seen: &mut Vec<String>,
) -> String {
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("a log line with {what:?} in time; seen: {seen:?}"))
            .unwrap()
            .unwrap_or_else(|| panic!("ami proxy ended; seen: {seen:?}"));
        seen.push(line.clone());
        if line.contains(what) {
            return line;
        }
    }
}

/// Sends `request` and reads until a blank line ends a message that holds `until`.
async fn ask(stream: &mut TcpStream, request: &str, until: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    while !got.split("\r\n\r\n").any(|m| m.contains(until)) {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf))
            .await
            .expect("a reply in time")
            .unwrap();
        assert!(n > 0, "closed; got {got:?}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_serves_its_users_and_logs_them() {
    let upstream =
        ReplayServer::builder([Capture::load(corpus("asterisk-23.4.1/08_ping")).unwrap()])
            .pace(Pace::AsFastAsPossible)
            .start()
            .await
            .unwrap();
    let conf = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("proxy_cli.conf");
    std::fs::write(
        &conf,
        "[ops]\nsecret = downstream-secret\nread = all\nwrite = system,call\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args([
            "proxy",
            "--upstream",
            &upstream.addr().to_string(),
            "--users",
            conf.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .env("AMI_SECRET", "upstream-secret")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let listening = line_with(&mut lines, "proxy listening", &mut seen).await;
    let addr = listening.split("addr=").nth(1).unwrap().trim().to_string();

    let mut refused = TcpStream::connect(&addr).await.unwrap();
    let reply = ask(
        &mut refused,
        "Action: Login\r\nUsername: ops\r\nSecret: not-the-secret\r\n\r\n",
        "Authentication failed",
    )
    .await;
    assert!(
        reply.starts_with("Asterisk Call Manager/12.0.0\r\n"),
        "{reply}"
    );
    line_with(&mut lines, "login refused", &mut seen).await;

    let mut client = TcpStream::connect(&addr).await.unwrap();
    ask(
        &mut client,
        "Action: Login\r\nActionID: 1\r\nUsername: ops\r\nSecret: downstream-secret\r\n\r\n",
        "Authentication accepted",
    )
    .await;
    line_with(&mut lines, "client logged in", &mut seen).await;
    let pong = ask(
        &mut client,
        "Action: Ping\r\nActionID: mine\r\n\r\n",
        "Pong",
    )
    .await;
    assert!(pong.contains("ActionID: mine\r\n"), "{pong}");
    let denied = ask(
        &mut client,
        "Action: Originate\r\nActionID: o\r\nChannel: Local/1@x\r\n\r\n",
        "ActionID: o",
    )
    .await;
    assert!(denied.contains("Message: Permission denied"), "{denied}");
    ask(&mut client, "Action: Logoff\r\n\r\n", "Goodbye").await;
    line_with(&mut lines, "client disconnected", &mut seen).await;

    child.kill().await.unwrap();
    for line in &seen {
        for secret in ["not-the-secret", "downstream-secret", "upstream-secret"] {
            assert!(!line.contains(secret), "a secret in the log: {line}");
        }
    }
}
