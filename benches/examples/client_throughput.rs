//! The async client's throughput and latency on loopback, against the same bytes through
//! `ami decode --count` and through asterisk-rs-ami's client (issue 15's speed goals).
//!
//! ```text
//! cargo build --release -p ami-cli
//! cargo run --release -p benches --example client_throughput [-- CAPTURE]
//! ```
//!
//! CAPTURE defaults to `../shared/asterisk/23.4.1/load/busy.server.bin` (50 MB of a real
//! Asterisk under SIP load). A fake Asterisk (`ami-replay`) accepts the login, then writes
//! what followed the login in the capture as fast as the socket takes it, and closes. Each
//! figure is the best of 5 runs, from the login's reply to the last event delivered to
//! one subscriber (or to the process's exit for the `ami` commands). Then the median round
//! trip of `send(Ping)`, and the resident memory while a subscriber never reads.
//!
//! `AMI_BENCH_ROWS=client,ping` (any of `raw`, `client`, `typed`, `peer`, `listen`,
//! `decode`, `ping`, `memory`) runs only those rows, and `AMI_BENCH_RUNS=N` makes each the best of N
//! runs instead of 5, for profiling one of them.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ami_proto::{Decoded, Decoder, GenericAction};
use ami_replay::{Capture, Fault, Pace, ReplayServer};
use ami_tokio::{Client, ClientConfig, ClientEvent};

/// Runs per row (`AMI_BENCH_RUNS` overrides it).
fn runs() -> usize {
    std::env::var("AMI_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
}

fn main() {
    let capture = std::env::args().nth(1).map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/asterisk/23.4.1/load/busy.server.bin")
        },
        PathBuf::from,
    );
    let Ok(bytes) = std::fs::read(&capture) else {
        eprintln!("{} is not there: nothing to measure", capture.display());
        return;
    };
    // One copy, shared by every run's server (a run's setup is not its measurement).
    let stream = bytes::Bytes::copy_from_slice(
        ami_replay::after_login(&bytes).expect("a login reply in the capture"),
    );
    let events = count_items(&stream);
    let mb = stream.len() as f64 / 1e6;
    println!(
        "capture {} after the login: {mb:.1} MB, {events} items",
        capture.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let row = |what: &str, seconds: f64, delivered: u64| {
        println!(
            "| {what} | {:.0} | {:.0} | {delivered} |",
            delivered as f64 / seconds,
            mb / seconds
        );
    };
    println!("| path | events/s | MB/s | events delivered |\n| --- | ---: | ---: | ---: |");
    let rows = std::env::var("AMI_BENCH_ROWS").ok();
    let wanted = |name: &str| {
        rows.as_deref()
            .is_none_or(|r| r.split(',').any(|w| w == name))
    };
    runtime.block_on(async {
        if wanted("raw") {
            let (secs, n) = best(|| raw_run(&stream)).await;
            row("the socket alone (read and dropped, no decoding)", secs, n);
        }
        if wanted("client") {
            let (secs, n) = best(|| client_run(&stream, false)).await;
            row("`Client`, untyped", secs, n);
        }
        if wanted("typed") {
            let (secs, n) = best(|| client_run(&stream, true)).await;
            row("`Client`, typed (ami-spec)", secs, n);
        }
        if wanted("peer") {
            let (secs, n) = best(|| peer_run(&stream, events)).await;
            row("asterisk-rs-ami 0.8 client", secs, n);
        }
    });
    match ami_binary() {
        Some(ami) => {
            if wanted("listen") {
                let (secs, n) = runtime.block_on(best(|| listen_run(&ami, &stream)));
                row("`ami listen --count` (whole process)", secs, n);
            }
            if wanted("decode") {
                let (secs, n) = best_sync(|| decode_run(&ami, &capture));
                row(
                    "`ami decode --count FILE` (whole process, the whole file)",
                    secs,
                    n,
                );
            }
        }
        None => println!("(build `cargo build --release -p ami-cli` for the `ami` rows)"),
    }
    runtime.block_on(async {
        if wanted("ping") {
            let (median, p99) = raw_ping_round_trips(20_000).await;
            println!("\nPing round trip over loopback, by hand on the socket (the fake server's share): median {median:?}, p99 {p99:?} (20,000 in a row)");
            let (median, p99) = ping_round_trips(20_000).await;
            println!("send(Ping) round trip over loopback: median {median:?}, p99 {p99:?} (20,000 in a row)");
        }
    });
    if wanted("ping") {
        // One thread for the client's tasks, the caller and the fake server: no wake-up
        // crosses threads.
        let (median, p99) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(ping_round_trips(20_000));
        println!("send(Ping) round trip on a current-thread runtime: median {median:?}, p99 {p99:?} (20,000 in a row)");
    }
    runtime.block_on(async {
        if wanted("memory") {
            let (before, peak) = lagging_subscriber_memory(&stream).await;
            println!(
                "resident memory while one subscriber never reads the whole stream: {before} MiB before, {peak} MiB at most (VmHWM)"
            );
        }
    });
}

/// Messages, texts and errors in a stream without banner.
fn count_items(stream: &[u8]) -> u64 {
    let mut decoder = Decoder::new();
    let _ = decoder.finish(b"");
    let mut rest = stream;
    let mut n = 0;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { consumed, .. } | Decoded::Error { consumed, .. } => {
                n += 1;
                rest = &rest[consumed..];
            }
            Decoded::NeedMore { .. } => return n,
        }
    }
}

/// The best (shortest) of `RUNS` runs; each returns (seconds, events delivered).
async fn best<F, Fut>(mut run: F) -> (f64, u64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (f64, u64)>,
{
    let mut best = (f64::MAX, 0);
    for _ in 0..runs() {
        let this = run().await;
        if this.0 < best.0 {
            best = this;
        }
    }
    best
}

fn best_sync(mut run: impl FnMut() -> (f64, u64)) -> (f64, u64) {
    (0..runs())
        .map(|_| run())
        .fold((f64::MAX, 0), |b, r| if r.0 < b.0 { r } else { b })
}

fn ping_capture() -> Capture {
    Capture::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/asterisk-23.4.1/08_ping"))
        .unwrap()
}

/// A fake Asterisk that answers Ping as recorded, at once.
async fn ping_server() -> ReplayServer {
    ReplayServer::builder([ping_capture()])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap()
}

/// A fake Asterisk that writes `stream` after the login, then closes.
async fn streaming_server(stream: &bytes::Bytes) -> ReplayServer {
    ReplayServer::builder([ping_capture()])
        .pace(Pace::AsFastAsPossible)
        .stream_after_login(stream.clone())
        .fault(Fault::CloseAfterStream)
        .start()
        .await
        .unwrap()
}

fn config(addr: impl ToString) -> ClientConfig {
    ClientConfig::new(addr.to_string())
        .credentials("admin", "bench")
        .keepalive(None)
        .reconnect(None)
}

/// The fake server and loopback alone: log in by hand, read everything, decode nothing.
async fn raw_run(stream: &bytes::Bytes) -> (f64, u64) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = streaming_server(stream).await;
    let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    socket
        .write_all(b"Action: Login\r\nActionID: 1\r\nUsername: admin\r\nSecret: bench\r\n\r\n")
        .await
        .unwrap();
    let start = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0usize;
    loop {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert!(total >= stream.len());
    (secs, count_items(stream))
}

/// One subscriber counts (and, `typed`, types) every event until the server closes.
async fn client_run(stream: &bytes::Bytes, typed: bool) -> (f64, u64) {
    let server = streaming_server(stream).await;
    let (client, mut events) = Client::connect_with_events(config(server.addr()))
        .await
        .unwrap();
    let mut delivered = 0u64;
    let mut start = Instant::now();
    while let Some(item) = events.recv().await {
        match item {
            ClientEvent::Connected { .. } => start = Instant::now(),
            ClientEvent::Event(message) => {
                delivered += 1;
                if typed {
                    let event = ami_spec::Event::from_message(&message.message());
                    black_box(&event);
                }
            }
            ClientEvent::Disconnected { .. } => break,
            ClientEvent::Lagged { missed } => panic!("the subscriber lagged by {missed}"),
            _ => delivered += 1,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(client);
    (secs, delivered)
}

/// asterisk-rs-ami's client, one subscriber with room for every event.
async fn peer_run(stream: &bytes::Bytes, events: u64) -> (f64, u64) {
    use asterisk_rs_core::event::EventReceive;
    let server = streaming_server(stream).await;
    let addr = server.addr();
    let start = Instant::now();
    let client = asterisk_rs_ami::AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "bench")
        .event_capacity(events as usize + 1024)
        .build()
        .await
        .expect("asterisk-rs-ami logs in");
    let mut subscription = client.subscribe();
    let (mut delivered, mut lagged) = (0u64, 0u64);
    let mut last = start;
    // It has no end-of-stream signal for subscribers: stop after a quiet second.
    while let Ok(outcome) = tokio::time::timeout(Duration::from_secs(1), subscription.recv()).await
    {
        match outcome {
            EventReceive::Event(event) => {
                black_box(&event);
                delivered += 1;
                last = Instant::now();
            }
            EventReceive::Lagged(n) => lagged += n,
            EventReceive::Closed => break,
        }
        if delivered >= events {
            break;
        }
    }
    if lagged > 0 {
        println!("(asterisk-rs-ami's subscriber lost {lagged} events)");
    }
    ((last - start).as_secs_f64(), delivered)
}

/// The release `ami` beside this example's binary.
fn ami_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let ami = exe.parent()?.parent()?.join("ami");
    ami.exists().then_some(ami)
}

async fn listen_run(ami: &Path, stream: &bytes::Bytes) -> (f64, u64) {
    let server = streaming_server(stream).await;
    let start = Instant::now();
    let out = tokio::process::Command::new(ami)
        .args(["listen", "--count", &server.addr().to_string()])
        .env("AMI_SECRET", "bench")
        .output()
        .await
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, field(&out.stdout, "events="))
}

fn decode_run(ami: &Path, capture: &Path) -> (f64, u64) {
    let start = Instant::now();
    let out = Command::new(ami)
        .args(["decode", "--count"])
        .arg(capture)
        .output()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    (secs, field(&out.stdout, "events="))
}

/// A number after `name` in a `--count` line.
fn field(line: &[u8], name: &str) -> u64 {
    let text = String::from_utf8_lossy(line);
    text.split_whitespace()
        .find_map(|f| f.strip_prefix(name))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn ping_round_trips(n: usize) -> (Duration, Duration) {
    let server = ping_server().await;
    let client = Client::connect(config(server.addr())).await.unwrap();
    let ping = GenericAction::new("Ping");
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let reply = client.send(&ping).await.unwrap();
        times.push(start.elapsed());
        black_box(reply);
    }
    times.sort();
    (times[n / 2], times[n * 99 / 100])
}

/// The same round trips written and read by hand on the socket: what the fake server and
/// loopback cost without the client.
async fn raw_ping_round_trips(n: usize) -> (Duration, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = ping_server().await;
    let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    socket.set_nodelay(true).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // Waits for one whole reply (after the banner line for the login's).
    let mut reply = async |socket: &mut tokio::net::TcpStream, buf: &mut Vec<u8>| loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.drain(..end + 4);
            return;
        }
        let got = socket.read(&mut chunk).await.unwrap();
        assert!(got > 0, "the server closed");
        buf.extend_from_slice(&chunk[..got]);
    };
    socket
        .write_all(b"Action: Login\r\nActionID: 1\r\nUsername: admin\r\nSecret: bench\r\n\r\n")
        .await
        .unwrap();
    reply(&mut socket, &mut buf).await;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        let ping = format!("Action: Ping\r\nActionID: p{i}\r\n\r\n");
        socket.write_all(ping.as_bytes()).await.unwrap();
        reply(&mut socket, &mut buf).await;
        times.push(start.elapsed());
    }
    times.sort();
    (times[n / 2], times[n * 99 / 100])
}

/// Resident memory (MiB) before the stream, and the peak while one subscriber never reads.
async fn lagging_subscriber_memory(stream: &bytes::Bytes) -> (u64, u64) {
    let before = status_kib("VmRSS:") / 1024;
    let server = streaming_server(stream).await;
    let (client, sleeper) = Client::connect_with_events(config(server.addr()))
        .await
        .unwrap();
    let mut reader = client.events();
    while let Some(item) = reader.recv().await {
        if let ClientEvent::Disconnected { .. } = item {
            break;
        }
    }
    let peak = status_kib("VmHWM:") / 1024;
    drop(sleeper);
    (before, peak)
}

fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
