//! `ami proxy` under load: a fake Asterisk writes the events of a real busy capture at a
//! fixed rate to the proxy, and N downstream clients, each a user with its own read classes
//! and two filters (one legacy, one advanced), read at full speed. Reports every client's
//! count against what the filter engine says it should get, the latency from the fake
//! Asterisk's write to the client's read (p50, p99, max), and the proxy's memory and CPU.
//!
//! ```text
//! cargo build --release -p ami-cli
//! cargo run --release -p benches --example proxy_load [-- RATE SECONDS CLIENTS [CAPTURE]]
//! ```
//!
//! Defaults: 10,000 events/s for 10 s, 200 clients,
//! `../shared/asterisk/23.4.1/load/busy.server.bin`. The proxy is `target/release/ami proxy`
//! (or `$AMI_BIN`), a process of its own, so that its memory is its own. Each event gets a
//! `BenchSeq: N` header after its first line, so that a client can tell when it was written.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_proto::filter::{EventGate, ManagerConf, Origin, Rules};
use ami_proto::{Decoded, Decoder, Item, Kind, OwnedMessage};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The users' read classes and filters, in turn.
const PROFILES: [(&str, &str, &str); 8] = [
    (
        "all",
        "eventfilter = !Event: VarSet",
        "eventfilter(action(exclude),name(Newexten)) =",
    ),
    (
        "call",
        "eventfilter = Event: (Newchannel|Hangup|Newstate)",
        "eventfilter(action(exclude),header(Channel),method(starts_with)) = Local/",
    ),
    (
        "call,dialplan",
        "eventfilter = !Event: RTCP",
        "eventfilter(action(include),name(VarSet)) =",
    ),
    (
        "agent,call",
        "eventfilter(name(Hangup)) =",
        "eventfilter = !Channel: Local/",
    ),
    (
        "system,call,reporting",
        "eventfilter = !Event: (VarSet|Newexten)",
        "eventfilter(header(Channel),method(contains)) = PJSIP",
    ),
    (
        "all",
        "eventfilter(action(exclude),name(RTCPSent)) =",
        "eventfilter = !Event: RTCPReceived",
    ),
    (
        "dialplan",
        "eventfilter = Event: Newexten",
        "eventfilter(action(exclude),header(Application),method(exact)) = NoOp",
    ),
    (
        "cdr,call,user",
        "eventfilter(name(Cdr)) =",
        "eventfilter = Event: Hangup",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rate: u64 = args.first().map_or(10_000, |a| a.parse().unwrap());
    let seconds: u64 = args.get(1).map_or(10, |a| a.parse().unwrap());
    let clients: usize = args.get(2).map_or(200, |a| a.parse().unwrap());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let capture = args.get(3).map_or_else(
        || root.join("../shared/asterisk/23.4.1/load/busy.server.bin"),
        PathBuf::from,
    );
    let Ok(bytes) = std::fs::read(&capture) else {
        eprintln!("{} is not there: nothing to measure", capture.display());
        return;
    };
    let ami =
        std::env::var_os("AMI_BIN").map_or_else(|| root.join("target/release/ami"), PathBuf::from);
    let total = (rate * seconds) as usize;
    let events = tagged_events(ami_replay::after_login(&bytes).unwrap(), total);
    let conf_text = users_conf(clients);
    let conf = ManagerConf::parse(conf_text.as_bytes(), Rules::default()).unwrap();
    let expected: Vec<usize> = (0..clients)
        .map(|n| {
            let gate = EventGate::new(conf.user(format!("u{n}")).unwrap());
            events
                .iter()
                .filter(|e| gate.deliver(&e.message(), Origin::Broadcast))
                .count()
        })
        .collect();
    println!(
        "{} events at {rate}/s for {seconds} s to {clients} clients ({} deliveries expected)",
        events.len(),
        expected.iter().sum::<usize>()
    );
    let conf_path = std::env::temp_dir().join(format!("proxy_load_{}.conf", std::process::id()));
    std::fs::write(&conf_path, conf_text).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(ami, conf_path, events, expected, rate));
}

/// The first `total` events after the login (but its FullyBooted), cycling through the capture, each with
/// `BenchSeq: N` after its first line.
fn tagged_events(stream: &[u8], total: usize) -> Vec<OwnedMessage> {
    let mut originals = Vec::new();
    let (mut decoder, mut rest) = (Decoder::new(), stream);
    while let Decoded::Item { item, consumed } = decoder.decode(rest) {
        if let Item::Message(m) = item {
            // The capture's FullyBooted greets its own login; the proxy takes the one
            // after its login as its own, as it should, so it is not load.
            if m.kind() == Kind::Event && m.name() != b"FullyBooted" {
                originals.push(m.as_bytes().to_vec());
            }
        }
        rest = &rest[consumed..];
    }
    (0..total)
        .map(|n| {
            let original = &originals[n % originals.len()];
            let eol = original.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
            let tagged = [
                &original[..eol],
                format!("BenchSeq: {n}\r\n").as_bytes(),
                &original[eol..],
            ]
            .concat();
            let mut decoder = Decoder::new();
            match decoder.decode(&tagged) {
                Decoded::Item {
                    item: Item::Message(m),
                    ..
                } => OwnedMessage::new(&m),
                _ => unreachable!("a tagged event decodes"),
            }
        })
        .collect()
}

fn users_conf(clients: usize) -> String {
    let mut text = String::from("[general]\nenabled = yes\n\n");
    for n in 0..clients {
        let (read, first, second) = PROFILES[n % PROFILES.len()];
        text.push_str(&format!(
            "[u{n}]\nsecret = s\nwrite = all\nread = {read}\n{first}\n{second}\n\n"
        ));
    }
    text
}

async fn run(
    ami: PathBuf,
    conf: PathBuf,
    events: Vec<OwnedMessage>,
    expected: Vec<usize>,
    rate: u64,
) {
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    let mut proxy = tokio::process::Command::new(&ami)
        .args(["proxy", "--upstream", &upstream_addr.to_string(), "--users"])
        .arg(&conf)
        .args(["--listen", "127.0.0.1:0"])
        .env("AMI_SECRET", "upstream")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (cargo build --release -p ami-cli)", ami.display()));
    let pid = proxy.id().unwrap();
    let (socket, _) = upstream.accept().await.unwrap();
    let (mut from_proxy, mut to_proxy) = socket.into_split();
    to_proxy
        .write_all(b"Asterisk Call Manager/12.0.0\r\n")
        .await
        .unwrap();
    // Answer every action (the login, keepalive Pings) with a success.
    let (replies_tx, mut replies_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let mut pending = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = from_proxy.read(&mut buf).await {
            if n == 0 {
                return;
            }
            pending.extend_from_slice(&buf[..n]);
            while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let request = String::from_utf8_lossy(&pending[..end]).into_owned();
                pending.drain(..end + 4);
                let id = request
                    .lines()
                    .find_map(|l| l.strip_prefix("ActionID: "))
                    .unwrap_or("");
                let message = if request.contains("Action: Login") {
                    "Message: Authentication accepted\r\n"
                } else {
                    "Ping: Pong\r\n"
                };
                let reply = format!("Response: Success\r\nActionID: {id}\r\n{message}\r\n");
                if replies_tx.send(reply.into_bytes()).is_err() {
                    return;
                }
            }
        }
    });
    let login = replies_rx.recv().await.unwrap();
    to_proxy.write_all(&login).await.unwrap();
    let mut log = BufReader::new(proxy.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = log.next_line().await.unwrap().expect("the proxy's log");
        if let Some(addr) = line.split("addr=").nth(1) {
            break addr.trim().to_string();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });

    // When each event was written, in nanoseconds from `start`.
    let written: Arc<Vec<AtomicU64>> =
        Arc::new((0..events.len()).map(|_| AtomicU64::new(0)).collect());
    let start = Instant::now();
    let mut readers = Vec::new();
    for (n, want) in expected.iter().enumerate() {
        let mut conn = TcpStream::connect(&addr).await.unwrap();
        conn.write_all(
            format!("Action: Login\r\nUsername: u{n}\r\nSecret: s\r\nEvents: on\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        readers.push(tokio::spawn(read_client(
            conn,
            *want,
            written.clone(),
            start,
        )));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cpu_before = cpu_ticks(pid);
    // The fixed rate: every millisecond, the events due by then.
    let began = Instant::now();
    let mut sent = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    while sent < events.len() {
        tick.tick().await;
        while let Ok(reply) = replies_rx.try_recv() {
            to_proxy.write_all(&reply).await.unwrap();
        }
        let due = ((began.elapsed().as_secs_f64() * rate as f64) as usize).min(events.len());
        let mut batch = Vec::new();
        let now = start.elapsed().as_nanos() as u64;
        for (n, event) in events.iter().enumerate().take(due).skip(sent) {
            written[n].store(now, Ordering::Relaxed);
            batch.extend_from_slice(event.as_bytes());
        }
        sent = due;
        to_proxy.write_all(&batch).await.unwrap();
    }
    let sending = began.elapsed();
    let rss = status_kib(pid, "VmRSS:");
    let mut latencies = Vec::new();
    let mut short = Vec::new();
    for (n, reader) in readers.into_iter().enumerate() {
        let (got, want, mut lat) = tokio::time::timeout(Duration::from_secs(30), reader)
            .await
            .expect("clients finish")
            .unwrap();
        if got != want {
            short.push(format!("u{n} got {got} of {want}"));
        }
        latencies.append(&mut lat);
    }
    let cpu = (cpu_ticks(pid) - cpu_before) as f64 / 100.0;
    let peak = status_kib(pid, "VmHWM:");
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "sent in {:.2} s ({:.0} events/s); {} deliveries; clients short of their events: {} {short:?}",
        sending.as_secs_f64(),
        events.len() as f64 / sending.as_secs_f64(),
        latencies.len(),
        short.len()
    );
    println!(
        "latency write->read: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; proxy RSS {} MiB at the end, {} MiB peak; proxy CPU {cpu:.1} s ({:.0}% of one core)",
        at(0.5),
        at(0.99),
        at(1.0),
        rss / 1024,
        peak / 1024,
        100.0 * cpu / sending.as_secs_f64()
    );
    let _ = proxy.kill().await;
    let _ = std::fs::remove_file(conf);
}

/// Reads one client's stream until it has `want` tagged events (or 5 s of silence); returns
/// how many it got, `want`, and each one's latency in microseconds. It only looks for the
/// `BenchSeq:` lines (the counts are checked against the filter engine's): with 200 clients
/// on the proxy's own 2 cores, a full decode per client would measure the harness.
async fn read_client(
    mut conn: TcpStream,
    want: usize,
    written: Arc<Vec<AtomicU64>>,
    start: Instant,
) -> (usize, usize, Vec<u32>) {
    let tag = memchr::memmem::Finder::new(b"\r\nBenchSeq: ");
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut latencies = Vec::with_capacity(want);
    while latencies.len() < want {
        let n = match tokio::time::timeout(Duration::from_secs(5), conn.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => break,
        };
        let now = start.elapsed().as_nanos() as u64;
        buf.extend_from_slice(&chunk[..n]);
        let mut at = 0;
        while let Some(found) = tag.find(&buf[at..]) {
            let digits = at + found + tag.needle().len();
            let Some(eol) = memchr::memchr(b'\r', &buf[digits..]) else {
                break;
            };
            let seq: usize = std::str::from_utf8(&buf[digits..digits + eol])
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("a BenchSeq number");
            let sent = written[seq].load(Ordering::Relaxed);
            latencies.push(((now.saturating_sub(sent)) / 1000) as u32);
            at = digits + eol;
        }
        // Keep a tag cut by the read's end.
        let keep = buf.len().saturating_sub(at).min(64);
        buf.drain(..buf.len() - keep);
    }
    (latencies.len(), want, latencies)
}

fn status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User plus system CPU time of a process, in clock ticks (1/100 s).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}
