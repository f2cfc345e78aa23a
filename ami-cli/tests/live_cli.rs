//! `ami send` and `ami listen` against a fake Asterisk on 127.0.0.1 (`ami-replay`): replies,
//! lists, refusals and their exit statuses, the secret from the environment only, events
//! as `ami decode` prints them, `--count`, and reconnection.

use std::process::Stdio;
use std::time::Duration;

use ami_replay::{Capture, Fault, Pace, ReplayServer, Users};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// A file of the repository's `corpus/`.
fn corpus(path: &str) -> String {
    format!("{}/../corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

const SECRET: &str = "s3cr3t-for-the-cli";

fn capture(path: &str) -> Capture {
    Capture::load(corpus(path)).unwrap()
}

async fn server(faults: impl IntoIterator<Item = Fault>) -> ReplayServer {
    let mut builder = ReplayServer::builder([capture("asterisk-23.4.1/23_dbput_dbget")])
        .fallback([capture("asterisk-23.4.1/08_ping")])
        .users(Users::new().user("admin", SECRET))
        .pace(Pace::AsFastAsPossible);
    for fault in faults {
        builder = builder.fault(fault);
    }
    builder.start().await.unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `ami ARGS...` with `secret` in `AMI_SECRET` (or none).
async fn ami(args: &[&str], secret: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ami"));
    command
        .args(args)
        .env_remove("AMI_SECRET")
        .kill_on_drop(true);
    if let Some(secret) = secret {
        command.env("AMI_SECRET", secret);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("ami ended in time")
        .unwrap();
    Run {
        code: out.status.code().expect("ami ended by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_prints_replies_and_lists_with_their_exit_statuses() {
    let replay = server([]).await;
    let addr = replay.addr().to_string();

    let run = ami(&["send", &addr, "Ping"], Some(SECRET)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["type"], "response");
    assert!(out[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "Ping" && h[1] == "Pong"));

    let run = ami(
        &["send", &addr, "DBGetTree", "Family=amitest"],
        Some(SECRET),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert!(out.len() >= 2, "{}", run.stdout);
    assert_eq!(out[0]["type"], "response");
    let last = out.last().unwrap();
    assert!(
        last["headers"][0][1]
            .as_str()
            .unwrap()
            .ends_with("Complete"),
        "{last}"
    );
    assert!(out[1..].iter().all(|l| l["type"] == "event"));

    // Asterisk's own refusal: printed, status 1.
    let run = ami(&["send", &addr, "NoSuchAction"], Some(SECRET)).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("Invalid/unknown command"),
        "{}",
        run.stdout
    );
}

/// An Async Originate's reply does not say `EventList: start`; ami-spec's list description
/// makes `ami send` wait for its OriginateResponse all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_waits_for_the_event_ami_spec_says_ends_the_answer() {
    let replay = ReplayServer::builder([capture("asterisk-23.4.1/41_originate_async_app")])
        .users(Users::new().user("admin", SECRET))
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let addr = replay.addr().to_string();
    let run = ami(
        &[
            "send",
            &addr,
            "Originate",
            "Channel=Local/100@test/n",
            "Application=Wait",
            "Data=2",
            "Async=yes",
        ],
        Some(SECRET),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 2, "{}", run.stdout);
    assert_eq!(out[0]["type"], "response");
    assert!(!run.stdout.contains("EventList"), "{}", run.stdout);
    assert_eq!(out[1]["type"], "event");
    assert_eq!(
        out[1]["headers"][0],
        serde_json::json!(["Event", "OriginateResponse"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_failures_are_one_line_with_their_status() {
    let replay = server([]).await;
    let addr = replay.addr().to_string();

    let run = ami(&["send", &addr, "Ping"], Some("wrong")).await;
    assert_eq!((run.code, run.stdout.as_str()), (3, ""));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("login refused"), "{}", run.stderr);
    assert!(!run.stderr.contains("wrong") && !run.stderr.contains(SECRET));

    let run = ami(&["send", &addr, "Ping"], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("AMI_SECRET"), "{}", run.stderr);

    let run = ami(
        &["send", &addr, "Ping", "X=a\rAction: Hangup"],
        Some(SECRET),
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refused"), "{}", run.stderr);

    let run = ami(&["send", &addr, "Ping", "--bogus"], Some(SECRET)).await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    let silent = server([Fault::GoSilent { after: 1 }]).await;
    let silent_addr = silent.addr().to_string();
    let run = ami(
        &["send", "--timeout", "0.5", &silent_addr, "Ping"],
        Some(SECRET),
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("no reply within"), "{}", run.stderr);

    let gone = replay.addr().to_string();
    replay.shutdown().await;
    let run = ami(&["send", &gone, "Ping"], Some(SECRET)).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
}

/// The part of the 50-originates capture a logged-in client receives.
fn event_stream() -> Vec<u8> {
    let bytes = std::fs::read(corpus(
        "asterisk-23.4.1/90_event_stream_50_originates.server.bin",
    ))
    .unwrap();
    ami_replay::after_login(&bytes).unwrap().to_vec()
}

/// `ami decode`'s lines for a stream without banner.
async fn decoded_lines(stream: &[u8], args: &[&str]) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("live_cli_stream.bin");
    // The stream has no banner: give it one so that `ami decode` reads it the same way.
    let mut file = b"Asterisk Call Manager/12.0.0\r\n".to_vec();
    file.extend_from_slice(stream);
    std::fs::write(&path, file).unwrap();
    let mut all = vec!["decode"];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    let run = ami(&all, None).await;
    run.stdout.lines().skip(1).map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_prints_what_decode_prints_then_ends_when_the_server_closes() {
    let stream = event_stream();
    let replay = ReplayServer::builder([capture("asterisk-23.4.1/08_ping")])
        .users(Users::new().user("admin", SECRET))
        .pace(Pace::AsFastAsPossible)
        .stream_after_login(stream.clone())
        .start()
        .await
        .unwrap();
    let want = decoded_lines(&stream, &[]).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(["listen", &replay.addr().to_string()])
        .env("AMI_SECRET", SECRET)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = out.next_line().await.unwrap().unwrap();
    assert_eq!(
        first,
        r#"{"type":"connected","banner":"Asterisk Call Manager/12.0.0"}"#
    );
    let mut got = Vec::new();
    while got.len() < want.len() {
        let line = tokio::time::timeout(Duration::from_secs(30), out.next_line())
            .await
            .expect("lines in time")
            .unwrap()
            .unwrap();
        got.push(line);
    }
    assert!(got == want, "listen's lines differ from decode's");
    replay.disconnect_all();
    let last = out.next_line().await.unwrap().unwrap();
    assert!(
        last.starts_with(r#"{"type":"disconnected","reason":"#),
        "{last}"
    );
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_count_matches_decode_count() {
    let stream = event_stream();
    let replay = ReplayServer::builder([capture("asterisk-23.4.1/08_ping")])
        .pace(Pace::AsFastAsPossible)
        .stream_after_login(stream.clone())
        .start()
        .await
        .unwrap();
    let decoded = decoded_lines(&stream, &["--count"]).await;
    let want = ami(
        &[
            "decode",
            "--count",
            &corpus("asterisk-23.4.1/90_event_stream_50_originates.server.bin"),
        ],
        None,
    )
    .await;
    assert_eq!(want.code, 0);
    let child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(["listen", "--count", &replay.addr().to_string()])
        .env("AMI_SECRET", SECRET)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Let the stream through, then close.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    replay.disconnect_all();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).unwrap();
    // The events are the stream's; listen also read the banner and the login reply.
    let events = |l: &str| {
        l.split(' ')
            .find(|f| f.starts_with("events="))
            .map(str::to_owned)
    };
    assert!(decoded.is_empty(), "--count prints one line: {decoded:?}");
    assert_eq!(
        events(line.trim()),
        events(want.stdout.trim()),
        "{line} vs {}",
        want.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_reconnect_reports_each_connection() {
    let replay = server([]).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args([
            "listen",
            "--reconnect",
            "--filter",
            "Event: Newchannel",
            &replay.addr().to_string(),
        ])
        .env("AMI_SECRET", SECRET)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_status = async || loop {
        let line = tokio::time::timeout(Duration::from_secs(30), out.next_line())
            .await
            .expect("a line in time")
            .unwrap()
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        if value["type"] != "event" {
            return value;
        }
    };
    assert_eq!(next_status().await["type"], "connected");
    for _ in 0..3 {
        replay.restart().await.unwrap();
        assert_eq!(next_status().await["type"], "disconnected");
        assert_eq!(next_status().await["type"], "connected");
    }
    assert_eq!(replay.stats().logged_in, 4);
}

/// `ami listen`'s event lines until the server closes, with `args` before the address.
async fn listen_lines(replay: &ReplayServer, args: &[&str]) -> Vec<String> {
    let addr = replay.addr().to_string();
    let mut all = vec!["listen"];
    all.extend_from_slice(args);
    all.push(&addr);
    let run = ami(&all, Some(SECRET)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .filter(|l| l.starts_with(r#"{"type":"event""#))
        .map(str::to_owned)
        .collect()
}

/// The unfiltered session's burst of `corpus/filter-oracle` (events only).
fn oracle_burst() -> Vec<u8> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(corpus("filter-oracle/filters.json")).unwrap())
            .unwrap();
    let reference = &json["users"][0];
    assert_eq!(reference["user"], "reference");
    let offset = |phase: &str| reference["offsets"][phase].as_u64().unwrap() as usize;
    std::fs::read(corpus("filter-oracle/reference.server.bin")).unwrap()
        [offset("burst_start")..offset("burst_end")]
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_filters_locally_as_ami_filter_does() {
    let stream = oracle_burst();
    let replay = ReplayServer::builder([capture("asterisk-23.4.1/08_ping")])
        .pace(Pace::AsFastAsPossible)
        .stream_after_login(stream.clone())
        .fault(Fault::CloseAfterStream)
        .start()
        .await
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let conf = dir.join("listen_local_filter.conf");
    std::fs::write(
        &conf,
        "[admin]\nread = call,dialplan\neventfilter(name(Hangup))=\neventfilter = Event: VarSet\neventfilter = !Channel: Local/100@\n",
    )
    .unwrap();
    let conf = conf.to_str().unwrap();
    let burst_file = dir.join("listen_local_filter.bin");
    std::fs::write(&burst_file, &stream).unwrap();
    let filtered = ami(
        &[
            "filter",
            "--conf",
            conf,
            "--user",
            "admin",
            burst_file.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_eq!(filtered.code, 0, "{}", filtered.stderr);
    let want: Vec<String> = filtered.stdout.lines().map(str::to_owned).collect();
    assert!(want.len() > 10, "{}", want.len());
    assert!(want.iter().all(
        |l| l.starts_with(r#"{"type":"event","headers":[["Event","Hangup"]"#)
            || l.starts_with(r#"{"type":"event","headers":[["Event","VarSet"]"#)
    ));
    assert_eq!(listen_lines(&replay, &["--conf", conf]).await, want);
    // The same lines given one by one, on a `read = all` user: nothing else of class call
    // or dialplan matches the includes.
    let lines = listen_lines(
        &replay,
        &[
            "--local-filter",
            "eventfilter(name(Hangup))=",
            "--local-filter",
            "Event: VarSet",
            "--local-filter",
            "eventfilter=!Channel: Local/100@",
        ],
    )
    .await;
    assert_eq!(lines, want);
    // A line Asterisk would drop is refused.
    let run = ami(
        &[
            "listen",
            "--local-filter",
            "eventfilter(method(bogus))=x",
            "127.0.0.1:1",
        ],
        Some(SECRET),
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
}
