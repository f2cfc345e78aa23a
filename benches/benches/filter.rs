//! The event filter engine's rate, in events × users per second: every event of a real
//! stream checked against the 60 users of `corpus/filter-oracle/` (their read classes,
//! Login event masks, manager.conf filters and runtime Filter/Events actions, as the
//! oracle recorded them), the way a proxy fans one upstream event out to its clients
//! ([`Broadcast`] worked out once per event, then one decision per user).
//!
//! Streams: the oracle's reference burst (496 events), and the 50 MB busy capture
//! (`../shared/asterisk/23.4.1/load/busy.server.bin`, or the path in `AMI_BUSY_CAPTURE`;
//! skipped with a note when absent).
//!
//! `cargo bench -p benches --bench filter` (`AMI_BENCH_CLOCK=cpu` to measure the thread's
//! CPU time instead of wall time)

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ami_proto::filter::{Broadcast, EventGate, ManagerConf, Rules};
use ami_proto::{Decoded, Decoder, Item, Kind, OwnedMessage};
use criterion::measurement::Measurement;
use criterion::{Criterion, Throughput};

#[path = "common/cpu_clock.rs"]
mod cpu_clock;
use cpu_clock::ThreadCpuTime;

const BUSY_CAPTURE: &str = "../../shared/asterisk/23.4.1/load/busy.server.bin";

fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/filter-oracle")
}

/// The messages of a stream with their offsets.
fn decode(bytes: &[u8]) -> Vec<(usize, OwnedMessage)> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        match decoder.decode(&bytes[at..]) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    let start = m.as_bytes().as_ptr() as usize - bytes.as_ptr() as usize;
                    out.push((start, OwnedMessage::new(&m)));
                }
                at += consumed;
            }
            Decoded::Error { consumed, .. } => at += consumed,
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// The 60 oracle users' sessions as they stood at the burst.
fn gates() -> Vec<EventGate> {
    let dir = oracle_dir();
    let conf = ManagerConf::parse(
        &std::fs::read(dir.join("manager.conf")).unwrap(),
        Rules::default(),
    )
    .expect("manager.conf");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("filters.json")).unwrap()).unwrap();
    let mut gates = Vec::new();
    for user in json["users"].as_array().unwrap() {
        let name = user["user"].as_str().unwrap();
        let client = decode(&std::fs::read(dir.join(format!("{name}.client.bin"))).unwrap());
        let mut gate = EventGate::login(conf.user(name).unwrap(), &client[0].1.message());
        for (_, action) in &client[1..] {
            let action = action.message();
            match action.name() {
                b"Filter" => drop(gate.handle_filter_action(&action)),
                b"Events" => drop(gate.handle_events_action(&action)),
                _ => {}
            }
        }
        gates.push(gate);
    }
    assert_eq!(gates.len(), 60);
    gates
}

/// How many (event, user) pairs pass: every event checked against every gate.
fn fan_out(events: &[OwnedMessage], gates: &[EventGate]) -> usize {
    let mut delivered = 0;
    for event in events {
        let message = event.message();
        let broadcast = Broadcast::new(&message);
        for gate in gates {
            delivered += usize::from(gate.admits(&broadcast));
        }
    }
    delivered
}

fn bench<M: Measurement>(c: &mut Criterion<M>) {
    let gates = gates();
    let dir = oracle_dir();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("filters.json")).unwrap()).unwrap();
    let reference = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == "reference")
        .unwrap();
    let (start, end) = (
        reference["offsets"]["burst_start"].as_u64().unwrap() as usize,
        reference["offsets"]["burst_end"].as_u64().unwrap() as usize,
    );
    let burst: Vec<OwnedMessage> =
        decode(&std::fs::read(dir.join("reference.server.bin")).unwrap())
            .into_iter()
            .filter(|(at, m)| *at >= start && at + m.as_bytes().len() <= end)
            .map(|(_, m)| m)
            .collect();

    let mut group = c.benchmark_group("filter");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements((burst.len() * gates.len()) as u64));
    eprintln!(
        "oracle burst: {} events x {} users, {} deliveries",
        burst.len(),
        gates.len(),
        fan_out(&burst, &gates)
    );
    group.bench_function("oracle_burst_60_users", |b| {
        b.iter(|| fan_out(black_box(&burst), &gates))
    });

    let path = match std::env::var_os("AMI_BUSY_CAPTURE") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(BUSY_CAPTURE),
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let events: Vec<OwnedMessage> = decode(&bytes)
                .into_iter()
                .map(|(_, m)| m)
                .filter(|m| m.message().kind() == Kind::Event)
                .collect();
            eprintln!(
                "busy capture: {} events x {} users, {} deliveries",
                events.len(),
                gates.len(),
                fan_out(&events, &gates)
            );
            group.throughput(Throughput::Elements((events.len() * gates.len()) as u64));
            group.sample_size(10);
            group.bench_function("busy_capture_60_users", |b| {
                b.iter(|| fan_out(black_box(&events), &gates))
            });
        }
        Err(e) => eprintln!("skipping busy_capture_60_users: {} ({e})", path.display()),
    }
    group.finish();
}

fn run<M: Measurement>(c: Criterion<M>) {
    let mut c = c.configure_from_args();
    bench(&mut c);
    c.final_summary();
}

fn main() {
    if std::env::var("AMI_BENCH_CLOCK").is_ok_and(|v| v == "cpu") {
        run(Criterion::default().with_measurement(ThreadCpuTime));
    } else {
        run(Criterion::default());
    }
}
