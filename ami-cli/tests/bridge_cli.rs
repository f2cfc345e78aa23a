//! `ami bridge` as a process: a fake Asterisk (`ami-replay`) and a real nats-server on
//! 127.0.0.1, the secret from a file named in bridge.toml (nothing secret on the command
//! line), the connection's state and an action through NATS, SIGTERM ends it with status 0.

use std::process::Stdio;
use std::time::Duration;

use ami_bridge::testing::NatsServer;
use ami_replay::{Capture, Pace, ReplayServer, Users};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::process::Command;

const SECRET: &str = "s3cr3t-for-the-bridge";

fn capture(path: &str) -> Capture {
    Capture::load(format!("{}/../corpus/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_publishes_state_answers_actions_and_stops_on_sigterm() {
    let nats = NatsServer::start().unwrap();
    let replay = ReplayServer::builder([capture("asterisk-23.4.1/02_login_success")])
        .fallback([capture("asterisk-23.4.1/08_ping")])
        .users(Users::new().user("admin", SECRET))
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[[server]]\nname = \"pbx\"\naddress = \"{}\"\nuser = \"admin\"\n\
             secret_file = {:?}\nauth = \"plain\"\nallow_actions = [\"Ping\"]\n",
            replay.addr(),
            secret.display().to_string()
        ),
    )
    .unwrap();

    let client = async_nats::connect(nats.url()).await.unwrap();
    let mut states = client.subscribe("ami.pbx.state").await.unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(["bridge", "--nats", &nats.url(), "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let state = tokio::time::timeout(Duration::from_secs(30), states.next())
        .await
        .expect("a state in time")
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&state.payload).unwrap();
    assert_eq!(state["type"], "connected", "{state}");

    let reply = tokio::time::timeout(
        Duration::from_secs(20),
        client.request(
            "ami.pbx.action",
            Bytes::from_static(br#"{"Action":"Ping"}"#),
        ),
    )
    .await
    .expect("a reply in time")
    .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["type"], "reply", "{reply}");
    assert_eq!(reply["success"], true, "{reply}");

    let pid = child.id().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("ami bridge stopped in time")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
    assert!(!stderr.contains(SECRET), "the secret was logged: {stderr}");
    let state = tokio::time::timeout(Duration::from_secs(10), states.next())
        .await
        .expect("the stop announced")
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&state.payload).unwrap();
    assert_eq!(state["reason"], "the bridge stopped", "{state}");
}
