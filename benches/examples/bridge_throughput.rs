//! ami-bridge's end-to-end rate (issue 20's goal: 100,000 events/s): the real busy capture
//! from a fake Asterisk through the bridge into JetStream (file storage, acknowledged
//! publishes) and out to a consumer, on this machine, with the process's memory.
//!
//! ```text
//! cargo run --release -p benches --example bridge_throughput [-- CAPTURE [IN_FLIGHT]]
//! ```
//!
//! CAPTURE defaults to `../shared/asterisk/23.4.1/load/busy.server.bin` (50 MB), IN_FLIGHT
//! (the bridge's `[publish] in_flight`) to its default, 512. Each run
//! starts a fresh `nats-server -js` (its store in a temporary directory), a fake Asterisk
//! (`ami-replay`) that writes what followed the login in the capture as fast as the socket
//! takes it, the bridge, and a JetStream pull consumer (no acknowledgements) on another
//! NATS connection. Timed from `Bridge::start` to the last event received by the consumer
//! (and, separately, to the last acknowledgement JetStream gave the bridge). The best of
//! `RUNS`. The memory is this process's (the fake Asterisk's copy of the capture, the
//! bridge's buffer, the consumer), nats-server's is its own (VmHWM of its process).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ami_bridge::testing::NatsServer;
use ami_bridge::{Bridge, Config};
use ami_proto::{Decoded, Decoder};
use ami_replay::{Capture, Pace, ReplayServer};
use async_nats::jetstream::{self, consumer};
use benches::process::{cpu_seconds, status_mib};
use futures_util::StreamExt;

const RUNS: usize = 3;

fn main() {
    let capture = std::env::args().nth(1).map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/asterisk/23.4.1/load/busy.server.bin")
        },
        PathBuf::from,
    );
    let in_flight: usize = std::env::args()
        .nth(2)
        .map_or(512, |n| n.parse().expect("IN_FLIGHT is a number"));
    let Ok(bytes) = std::fs::read(&capture) else {
        eprintln!("{} is not there: nothing to measure", capture.display());
        return;
    };
    let stream = ami_replay::after_login(&bytes)
        .expect("a login reply in the capture")
        .to_vec();
    drop(bytes);
    let items = count_items(&stream);
    println!(
        "capture {} after the login: {:.1} MB, {items} items; {in_flight} in flight",
        capture.display(),
        stream.len() as f64 / 1e6
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rss_before = status_mib(None, "VmRSS:");
    let mut best: Option<Run> = None;
    for _ in 0..RUNS {
        let run = runtime.block_on(one_run(&stream, items, in_flight));
        println!(
            "run: {:.2} s to the consumer, {:.2} s to the last ack; CPU µs per event: \
             this process {:.1}, nats-server {:.1}; nats-server VmHWM {} MiB",
            run.consumed,
            run.acked,
            run.cpu.own * 1e6 / items as f64,
            run.cpu.nats * 1e6 / items as f64,
            run.nats_hwm_mib
        );
        if best.as_ref().is_none_or(|b| run.consumed < b.consumed) {
            best = Some(run);
        }
    }
    let best = best.unwrap();
    let peak = status_mib(None, "VmHWM:");
    println!("| path | events/s | seconds | events |\n| --- | ---: | ---: | ---: |");
    println!(
        "| fake Asterisk → bridge → JetStream (acknowledged) | {:.0} | {:.2} | {items} |",
        items as f64 / best.acked,
        best.acked
    );
    println!(
        "| fake Asterisk → bridge → JetStream → consumer | {:.0} | {:.2} | {items} |",
        items as f64 / best.consumed,
        best.consumed
    );
    println!(
        "CPU per event (the best run): this process {:.1} µs, nats-server {:.1} µs",
        best.cpu.own * 1e6 / items as f64,
        best.cpu.nats * 1e6 / items as f64
    );
    println!(
        "memory: this process {rss_before} MiB before, {peak} MiB at most (VmHWM); nats-server {} MiB at most",
        best.nats_hwm_mib
    );
}

struct Run {
    consumed: f64,
    acked: f64,
    cpu: Cpu,
    nats_hwm_mib: u64,
}

/// CPU seconds (user and system) used from `Bridge::start` to the last acknowledgement.
struct Cpu {
    /// This process: the fake Asterisk, the bridge, the consumer.
    own: f64,
    nats: f64,
}

async fn one_run(stream: &[u8], items: u64, in_flight: usize) -> Run {
    let nats = NatsServer::start().unwrap();
    let replay = ReplayServer::builder([Capture::load(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/asterisk-23.4.1/08_ping"),
    )
    .unwrap()])
    .pace(Pace::AsFastAsPossible)
    .stream_after_login(stream.to_vec())
    .start()
    .await
    .unwrap();
    std::env::set_var("BENCH_AMI_SECRET", "bench");
    let config = Config::parse(&format!(
        "[nats]\nurl = \"{}\"\n[publish]\nbuffer = 1000000\nin_flight = {in_flight}\n\
         [[server]]\nname = \"busy\"\naddress = \"{}\"\nuser = \"admin\"\n\
         secret_env = \"BENCH_AMI_SECRET\"\nauth = \"plain\"\nkeepalive_secs = 0\n",
        nats.url(),
        replay.addr()
    ))
    .unwrap();
    let (own_before, nats_before) = (cpu_seconds(None), cpu_seconds(nats.pid()));
    let start = Instant::now();
    let bridge = Bridge::start(&config).await.unwrap();
    let js = jetstream::new(async_nats::connect(nats.url()).await.unwrap());
    let consumer = js
        .get_stream("AMI")
        .await
        .unwrap()
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(2_000)
        .messages()
        .await
        .unwrap();
    let mut received = 0u64;
    let mut acked = None;
    while received < items {
        let message = tokio::time::timeout(Duration::from_secs(120), messages.next())
            .await
            .expect("messages keep coming")
            .unwrap()
            .unwrap();
        if !message.subject.ends_with(".state") {
            received += 1;
        }
        if acked.is_none() && bridge.stats()[0].published > items {
            acked = Some(start.elapsed().as_secs_f64());
        }
    }
    let consumed = start.elapsed().as_secs_f64();
    while bridge.stats()[0].published <= items {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let acked = acked.unwrap_or_else(|| start.elapsed().as_secs_f64());
    let stats = bridge.stats();
    assert_eq!(stats[0].dropped, 0, "{stats:?}");
    let cpu = Cpu {
        own: cpu_seconds(None) - own_before,
        nats: cpu_seconds(nats.pid()) - nats_before,
    };
    let nats_hwm_mib = status_mib(nats.pid(), "VmHWM:");
    bridge.shutdown(Duration::from_secs(5)).await;
    Run {
        consumed,
        acked,
        cpu,
        nats_hwm_mib,
    }
}

fn count_items(stream: &[u8]) -> u64 {
    let mut decoder = Decoder::new();
    let (mut at, mut n) = (0, 0);
    while let Decoded::Item { consumed, .. } = decoder.decode(&stream[at..]) {
        at += consumed;
        n += 1;
    }
    n
}
