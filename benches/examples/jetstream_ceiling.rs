//! What nats-server itself takes, without AMI: the bridge's messages for the busy capture
//! (the same subjects, `Nats-Msg-Id` and `Ami-*` headers and JSON payloads, built before
//! the clock starts) published by one async-nats connection straight into a fresh
//! JetStream stream, every publish acknowledged, `IN_FLIGHT` acknowledgements outstanding
//! at most, awaited in publish order. The bound `bridge_throughput` is measured against.
//!
//! ```text
//! cargo run --release -p benches --example jetstream_ceiling [-- IN_FLIGHT [CAPTURE]]
//! ```
//!
//! IN_FLIGHT defaults to 512 (the bridge's default `in_flight`). Rows: file storage with
//! message IDs (the bridge's default), file storage without message IDs (no
//! de-duplication), memory storage with message IDs, and the first again with a pull
//! consumer reading every message back meanwhile (`bridge_throughput`'s path without AMI).
//! Best of `RUNS` each, with the CPU time this process and nats-server used per message.

use std::collections::VecDeque;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ami_bridge::testing::NatsServer;
use ami_bridge::{config::Format, headers, payload, subject::Subjects, Config};
use ami_proto::{Decoded, Decoder, Item, Kind};
use async_nats::jetstream::{self, consumer, message::PublishMessage};
use async_nats::HeaderMap;
use benches::process::{cpu_seconds, status_mib};
use bytes::Bytes;
use futures_util::StreamExt;

const RUNS: usize = 3;

type AckFuture = <jetstream::context::PublishAckFuture as IntoFuture>::IntoFuture;

/// One message as the bridge would publish it.
struct Outgoing {
    subject: String,
    headers: HeaderMap,
    payload: Bytes,
}

#[derive(Clone, Copy)]
struct Setup {
    name: &'static str,
    memory: bool,
    message_ids: bool,
    /// A pull consumer on another connection reads every message back meanwhile (as in
    /// `bridge_throughput`); the run ends when it has them all.
    consumer: bool,
}

fn main() {
    let in_flight: usize = std::env::args()
        .nth(1)
        .map_or(512, |n| n.parse().expect("IN_FLIGHT is a number"));
    let capture = std::env::args().nth(2).map_or_else(
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
    let stream = ami_replay::after_login(&bytes).expect("a login reply in the capture");
    let with_ids = messages(stream, true);
    let without_ids = messages(stream, false);
    let payload_bytes: usize = with_ids.iter().map(|m| m.payload.len()).sum();
    println!(
        "{} messages, {:.1} MB of JSON payloads, {in_flight} in flight",
        with_ids.len(),
        payload_bytes as f64 / 1e6
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let setups = [
        Setup {
            name: "file storage, Nats-Msg-Id (the bridge's default)",
            memory: false,
            message_ids: true,
            consumer: false,
        },
        Setup {
            name: "file storage, no Nats-Msg-Id",
            memory: false,
            message_ids: false,
            consumer: false,
        },
        Setup {
            name: "memory storage, Nats-Msg-Id",
            memory: true,
            message_ids: true,
            consumer: false,
        },
        Setup {
            name: "file storage, Nats-Msg-Id, read back by a consumer meanwhile",
            memory: false,
            message_ids: true,
            consumer: true,
        },
    ];
    println!(
        "| stream | events/s | seconds | CPU µs/event: publisher, nats-server | nats-server VmHWM MiB |\n\
         | --- | ---: | ---: | ---: | ---: |"
    );
    for setup in setups {
        let messages = if setup.message_ids {
            &with_ids
        } else {
            &without_ids
        };
        let mut best: Option<Run> = None;
        for _ in 0..RUNS {
            let run = runtime.block_on(one_run(messages, setup, in_flight));
            eprintln!("{}: {:.2} s", setup.name, run.seconds);
            if best.as_ref().is_none_or(|b| run.seconds < b.seconds) {
                best = Some(run);
            }
        }
        let best = best.unwrap();
        let per_event = |cpu: f64| cpu * 1e6 / messages.len() as f64;
        println!(
            "| {} | {:.0} | {:.2} | {:.1}, {:.1} | {} |",
            setup.name,
            messages.len() as f64 / best.seconds,
            best.seconds,
            per_event(best.own_cpu),
            per_event(best.nats_cpu),
            best.nats_hwm_mib
        );
    }
}

/// Every item of the capture as the bridge's reader turns it into a message (without its
/// `Nats-Msg-Id` unless `message_ids`).
fn messages(stream: &[u8], message_ids: bool) -> Vec<Outgoing> {
    let subjects = Subjects::new("ami", "busy");
    let mut decoder = Decoder::new();
    let (mut at, mut seq, mut out) = (0, 0u64, Vec::new());
    loop {
        let (subject, payload) = match decoder.decode(&stream[at..]) {
            Decoded::Item { item, consumed } => {
                at += consumed;
                match item {
                    Item::Message(m) if m.kind() == Kind::Event => {
                        (subjects.event(m.name()), payload::message(Format::Json, &m))
                    }
                    Item::Message(m) => (subjects.other(), payload::message(Format::Json, &m)),
                    Item::Text(t) => (subjects.other(), payload::text(t)),
                    // The banner, which the bridge does not publish (nor would it an item
                    // of a kind this harness does not know).
                    _ => continue,
                }
            }
            Decoded::Error { error, consumed } => {
                at += consumed;
                (subjects.other(), payload::malformed(&error))
            }
            Decoded::NeedMore { .. } => return out,
        };
        seq += 1;
        let mut headers = HeaderMap::new();
        if message_ids {
            headers.insert(headers::MSG_ID, format!("busy.run.1.{seq}").as_str());
        }
        headers.insert(headers::SERVER, "busy");
        headers.insert(headers::CONNECTION, "1");
        headers.insert(headers::SEQ, seq.to_string().as_str());
        headers.insert(headers::BRIDGE, "ami-bridge");
        out.push(Outgoing {
            subject,
            headers,
            payload,
        });
    }
}

struct Run {
    /// From the first publish to the last acknowledgement (and the last message read back,
    /// with a consumer).
    seconds: f64,
    /// CPU seconds (user and system) this process and nats-server spent meanwhile.
    own_cpu: f64,
    nats_cpu: f64,
    nats_hwm_mib: u64,
}

async fn one_run(messages: &[Outgoing], setup: Setup, in_flight: usize) -> Run {
    let nats = NatsServer::start().unwrap();
    let storage = if setup.memory { "memory" } else { "file" };
    let config = Config::parse(&format!(
        "[stream]\nstorage = \"{storage}\"\n[[server]]\nname = \"busy\"\naddress = \"h\"\n\
         user = \"u\"\nsecret_env = \"S\"\n"
    ))
    .unwrap();
    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = jetstream::ContextBuilder::new()
        .max_ack_inflight(in_flight + 64)
        .backpressure_on_inflight(true)
        .build(client);
    js.create_stream(ami_bridge::stream::settings(&config.stream, "ami"))
        .await
        .unwrap();
    let pid = nats.pid();
    let (own_before, nats_before) = (cpu_seconds(None), cpu_seconds(pid));
    let start = Instant::now();
    let consumer = setup
        .consumer
        .then(|| tokio::spawn(read_back(nats.url(), messages.len())));
    let mut flight = VecDeque::with_capacity(in_flight);
    for message in messages {
        if flight.len() == in_flight {
            let oldest: AckFuture = flight.pop_front().unwrap();
            oldest.await.expect("acknowledged");
        }
        let publish = PublishMessage::build()
            .payload(message.payload.clone())
            .headers(message.headers.clone());
        let ack = js
            .send_publish(message.subject.clone(), publish)
            .await
            .expect("handed to the client");
        flight.push_back(ack.into_future());
    }
    for ack in flight {
        ack.await.expect("acknowledged");
    }
    if let Some(consumer) = consumer {
        consumer.await.unwrap();
    }
    let seconds = start.elapsed().as_secs_f64();
    Run {
        seconds,
        own_cpu: cpu_seconds(None) - own_before,
        nats_cpu: cpu_seconds(pid) - nats_before,
        nats_hwm_mib: status_mib(pid, "VmHWM:"),
    }
}

/// Reads `n` messages from the stream with a pull consumer (no acknowledgements), as
/// `bridge_throughput`'s consumer does.
async fn read_back(url: String, n: usize) {
    let js = jetstream::new(async_nats::connect(url).await.unwrap());
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
    for _ in 0..n {
        messages.next().await.unwrap().unwrap();
    }
}
