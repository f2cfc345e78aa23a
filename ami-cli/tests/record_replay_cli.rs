//! `ami record` and `ami replay` as processes: a corpus capture replayed and recorded
//! through `ami record` comes back with the same server bytes (ActionIDs restored) and
//! its replies after their requests; the secret never reaches the files; a recording
//! interrupted by SIGINT loads; `ami replay` prints its address, refuses a wrong secret
//! of its manager.conf, serves several clients at once, and names a bad capture's file;
//! `ami record --proxy` records an application's bytes unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use ami_proto::{Config, Decoded, Decoder, GenericAction, Item, Kind, LineEndings, OwnedMessage};
use ami_replay::{Capture, Direction, EventOrder, Pace, ReplayServer};
use ami_tokio::{Client, ClientConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const SECRET: &str = "rec0rd-s3cret";

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

fn corpus(path: &str) -> Capture {
    Capture::load(corpus_root().join(path)).unwrap()
}

fn ami() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ami"));
    command.env_remove("AMI_SECRET").kill_on_drop(true);
    command
}

/// Every message of a stream (client streams may use bare LFs).
fn messages(bytes: &[u8]) -> Vec<OwnedMessage> {
    let mut decoder =
        Decoder::with_config(Config::default().with_line_endings(LineEndings::Lenient));
    let (mut rest, mut out) = (bytes, Vec::new());
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    out.push(OwnedMessage::new(&m));
                }
                rest = &rest[consumed..];
            }
            Decoded::Error { consumed, .. } => rest = &rest[consumed..],
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// A capture `ami record` can play from standard input: a plain Login first, then only
/// actions with a usable ActionID (or none), ending with a Logoff; and the Login's
/// username and `Events`, and the other requests as `ami encode --json` lines.
fn playable(capture: &Capture) -> Option<(String, Option<String>, Vec<String>)> {
    let requests = messages(capture.client_bytes());
    let (login, rest) = requests.split_first()?;
    let login = login.message();
    let text = |v: &[u8]| String::from_utf8(v.to_vec()).ok();
    if login.get("Action")? != b"Login" || login.get("Secret").is_none() {
        return None;
    }
    let last = rest.last()?.message();
    if !last.get("Action")?.eq_ignore_ascii_case(b"Logoff") {
        return None;
    }
    let mut ids = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for request in rest {
        let m = request.message();
        let action = m.get("Action")?;
        if action.is_empty()
            || action.eq_ignore_ascii_case(b"Login")
            || action.eq_ignore_ascii_case(b"Challenge")
            || m.get_all("ActionID").count() > 1
        {
            return None;
        }
        if let Some(id) = m.get("ActionID") {
            if id.is_empty() || !ids.insert(id.to_vec()) {
                return None;
            }
        }
        let mut pairs = Vec::new();
        for h in m.headers() {
            pairs.push(serde_json::json!([text(h.key)?, text(h.value)?]));
        }
        lines.push(serde_json::Value::Array(pairs).to_string());
    }
    Some((
        text(login.get("Username")?)?,
        login.get("Events").and_then(text),
        lines,
    ))
}

/// `stream` with each `ActionID: <recorded>` line given back its original value (or
/// removed, where the original request had none).
fn restore_ids(stream: &[u8], original: &HashMap<Vec<u8>, Option<Vec<u8>>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(stream.len());
    for line in stream.split_inclusive(|&b| b == b'\n') {
        let id = line
            .strip_prefix(b"ActionID: ")
            .map(|v| v.strip_suffix(b"\r\n").unwrap_or(v));
        match id.and_then(|id| original.get(id)) {
            Some(Some(was)) => {
                out.extend_from_slice(b"ActionID: ");
                out.extend_from_slice(was);
                out.extend_from_slice(b"\r\n");
            }
            Some(None) => {}
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Reads the first line a child prints (the bound address).
async fn first_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the address in time")
    .unwrap();
    line.trim().to_owned()
}

fn interrupt(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn exit_code(child: &mut Child) -> i32 {
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("ended in time")
        .unwrap()
        .code()
        .expect("ended by itself, not by the signal")
}

/// The three files of a recording, raw.
fn files(prefix: &Path) -> Vec<Vec<u8>> {
    ["server.bin", "client.bin", "timeline.jsonl"]
        .iter()
        .map(|s| std::fs::read(format!("{}.{s}", prefix.display())).unwrap())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_captures_recorded_through_ami_record_come_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut played = Vec::new();
    for version in ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"] {
        let mut names: Vec<String> = std::fs::read_dir(corpus_root().join(version))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".client.bin").map(str::to_owned)
            })
            .collect();
        names.sort();
        for name in names {
            let original = corpus(&format!("{version}/{name}"));
            let Some((user, events, lines)) = playable(&original) else {
                continue;
            };
            let server = ReplayServer::builder([original.clone()])
                .pace(Pace::AsFastAsPossible)
                .event_order(EventOrder::AsRecorded)
                .start()
                .await
                .unwrap();
            let prefix = dir.path().join(format!("{version}-{name}"));
            let mut command = ami();
            command
                .arg("record")
                .args(["--user", &user])
                .args(events.iter().flat_map(|e| ["--events", e.as_str()]))
                .arg(server.addr().to_string())
                .arg(&prefix)
                .env("AMI_SECRET", SECRET)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = command.spawn().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            stdin
                .write_all((lines.join("\n") + "\n").as_bytes())
                .await
                .unwrap();
            drop(stdin);
            let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
                .await
                .unwrap_or_else(|_| panic!("{version}/{name}: ami record ended in time"))
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{version}/{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );

            let recorded = Capture::load(&prefix).unwrap();
            // Which original ActionID each recorded request's stands for.
            let mut original_ids = HashMap::new();
            let (was, now) = (
                messages(original.client_bytes()),
                messages(recorded.client_bytes()),
            );
            assert_eq!(was.len(), now.len(), "{version}/{name}: every request sent");
            for (was, now) in was.iter().zip(&now) {
                let now = now.message().action_id().unwrap().to_vec();
                original_ids.insert(now, was.message().action_id().map(<[u8]>::to_vec));
            }
            assert_eq!(
                restore_ids(recorded.server_bytes(), &original_ids)
                    .escape_ascii()
                    .to_string(),
                original.server_bytes().escape_ascii().to_string(),
                "{version}/{name}: server bytes"
            );

            // The timeline: in time order, and every response after its request (events
            // are left out: those of other sessions' actions carry ActionIDs too, and may
            // look like ours).
            let timeline = recorded.timeline();
            assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at));
            let mut sent = std::collections::HashSet::new();
            for chunk in timeline {
                for m in messages(&chunk.bytes) {
                    let Some(id) = m.message().action_id().map(<[u8]>::to_vec) else {
                        continue;
                    };
                    match chunk.direction {
                        Direction::ClientToServer => {
                            sent.insert(id);
                        }
                        _ if m.message().kind() == Kind::Response => assert!(
                            sent.contains(&id),
                            "{version}/{name}: reply to {} before its request",
                            id.escape_ascii()
                        ),
                        _ => {}
                    }
                }
            }

            // The secret: masked with the same length, nowhere in the files.
            let login = &now[0];
            assert_eq!(
                login.message().get("Secret"),
                Some("*".repeat(SECRET.len()).as_bytes())
            );
            for file in files(&prefix) {
                assert!(!contains(&file, SECRET.as_bytes()), "{version}/{name}");
            }
            played.push(format!("{version}/{name}"));
        }
    }
    assert!(
        played.len() >= 90,
        "only {} playable: {played:?}",
        played.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_interrupted_by_sigint_is_complete() {
    // A capture with events, looped at its pace: ami record is mid-stream when stopped.
    let server = ReplayServer::builder([corpus("asterisk-23.4.1/41_originate_async_app")])
        .pace(Pace::Speed(20.0))
        .loop_events(true)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("live");
    let mut child = ami()
        .args(["record", &server.addr().to_string()])
        .arg(&prefix)
        .env("AMI_SECRET", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Valid between any two records: load while it runs, until a good number of events
    // are in. A load reads the three files one after the other, so it can straddle a
    // record (the bytes read before it, the timeline after): such a load fails, and one of
    // the next two, moments later, must not.
    let mut loads = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        loads += 1;
        assert!(loads < 1500, "no events recorded");
        // The recorder creates the timeline last.
        if !Path::new(&format!("{}.timeline.jsonl", prefix.display())).exists() {
            continue;
        }
        let mut loaded = Capture::load(&prefix);
        for wait in [5, 50] {
            if loaded.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(wait)).await;
            loaded = Capture::load(&prefix);
        }
        let capture = loaded.unwrap();
        if messages(capture.server_bytes()).len() > 20 {
            break;
        }
    }
    interrupt(&child);
    assert_eq!(exit_code(&mut child).await, 0);
    let capture = Capture::load(&prefix).unwrap();
    let client = messages(capture.client_bytes());
    assert_eq!(client.first().unwrap().message().name(), b"Login");
    assert_eq!(
        client.last().unwrap().message().name(),
        b"Logoff",
        "stopped with a Logoff"
    );
    for file in files(&prefix) {
        assert!(!contains(&file, SECRET.as_bytes()));
    }
}

/// `ami replay` with a manager.conf, on a free port.
async fn replay(args: &[&str], conf: &Path) -> (Child, String) {
    let mut child = ami()
        .arg("replay")
        .args(["--listen", "127.0.0.1:0", "--users"])
        .arg(conf)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = first_line(&mut child).await;
    (child, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ami_replay_checks_secrets_and_serves_several_clients() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("manager.conf");
    std::fs::write(
        &conf,
        format!(
            "[general]\nenabled = yes\n\n[admin]\nsecret = {SECRET}\nread = all\nwrite = all\n"
        ),
    )
    .unwrap();
    let ping = corpus_root().join("asterisk-23.4.1/08_ping");
    let dbget = corpus_root().join("asterisk-23.4.1/23_dbput_dbget");
    let (mut child, addr) = replay(
        &[
            "--as-fast-as-possible",
            ping.to_str().unwrap(),
            dbget.to_str().unwrap(),
        ],
        &conf,
    )
    .await;
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{addr}");

    // A wrong secret: refused as Asterisk refuses it.
    let wrong = ami()
        .args(["send", "--timeout", "10", &addr, "Ping"])
        .env("AMI_SECRET", "not-the-secret")
        .output()
        .await
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("Authentication failed"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    // Several clients at once, each its own session, each answered with the recorded
    // replies under its own ActionIDs.
    let clients = (0..6).map(|n| {
        let addr = addr.clone();
        tokio::spawn(async move {
            let config = ClientConfig::new(addr)
                .credentials("admin", SECRET)
                .events("off")
                .keepalive(None)
                .reconnect(None);
            let client = Client::connect(config).await.unwrap();
            let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
            assert_eq!(ping.message().get("Ping"), Some(&b"Pong"[..]), "client {n}");
            let unknown = client
                .send(&GenericAction::new("NoSuchAction"))
                .await
                .unwrap();
            assert_eq!(
                unknown.message().get("Message"),
                Some(&b"Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands."[..])
            );
            client.logoff().await.unwrap();
        })
    });
    for client in clients.collect::<Vec<_>>() {
        client.await.unwrap();
    }
    interrupt(&child);
    assert_eq!(exit_code(&mut child).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ami_replay_names_a_bad_capture() {
    let dir = tempfile::tempdir().unwrap();
    let ping = corpus("asterisk-23.4.1/08_ping");
    let prefix = dir.path().join("cut");
    let server = ping.server_bytes();
    std::fs::write(
        dir.path().join("cut.server.bin"),
        &server[..server.len() - 5],
    )
    .unwrap();
    std::fs::write(dir.path().join("cut.client.bin"), ping.client_bytes()).unwrap();
    std::fs::copy(
        corpus_root().join("asterisk-23.4.1/08_ping.timeline.jsonl"),
        dir.path().join("cut.timeline.jsonl"),
    )
    .unwrap();
    let out = ami()
        .args(["replay", "--listen", "127.0.0.1:0"])
        .arg(&prefix)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cut.server.bin"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_records_an_applications_bytes_unchanged() {
    let capture = corpus("asterisk-23.4.1/08_ping");
    let server = ReplayServer::builder([capture.clone()])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("app");
    let mut child = ami()
        .args([
            "record",
            "--proxy",
            "127.0.0.1:0",
            &server.addr().to_string(),
        ])
        .arg(&prefix)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = first_line(&mut child).await;
    // The application: the capture's own client, in one write.
    let mut app = tokio::net::TcpStream::connect(&addr).await.unwrap();
    app.write_all(capture.client_bytes()).await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), app.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap();
    assert!(received.ends_with(b"Message: Thanks for all the fish.\r\n\r\n"));
    // The files are written as the bytes pass: complete once the application has them.
    let recorded = Capture::load(&prefix).unwrap();
    assert_eq!(recorded.server_bytes()[..], received[..]);
    let secret_masked = capture
        .client_bytes()
        .escape_ascii()
        .to_string()
        .replace("amp111", "******");
    assert_eq!(
        recorded.client_bytes().escape_ascii().to_string(),
        secret_masked
    );
    interrupt(&child);
    assert_eq!(exit_code(&mut child).await, 0);
}
