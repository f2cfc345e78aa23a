//! Shared by the bridge's tests: real captures, fake Asterisk servers (ami-replay), a real
//! nats-server, a bridge.toml for them, and a durable consumer that collects what the
//! stream holds.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ami_bridge::{Bridge, Config};
use ami_proto::{Decoded, Decoder, Item, Kind};
use ami_replay::Capture;
use async_nats::jetstream::{self, consumer};
use bytes::Bytes;
use futures_util::StreamExt;

pub use ami_bridge::testing::NatsServer;

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// A capture of `corpus/asterisk-23.4.1`.
pub fn capture(name: &str) -> Capture {
    Capture::load(corpus().join("asterisk-23.4.1").join(name)).unwrap()
}

/// The first `events` messages a client receives after logging in to the busy PBX of
/// `shared/asterisk/23.4.1/load` (50 MB, 89,552 messages), cut at a message's end.
pub fn busy(events: usize) -> Bytes {
    let path = shared().join("asterisk/23.4.1/load/busy.server.bin");
    let all = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let after = ami_replay::after_login(&all).expect("a login reply");
    let mut decoder = Decoder::new();
    let mut at = 0;
    for _ in 0..events {
        match decoder.decode(&after[at..]) {
            Decoded::Item { consumed, .. } => at += consumed,
            other => panic!("the busy capture stops decoding: {other:?}"),
        }
    }
    Bytes::copy_from_slice(&after[..at])
}

/// The server messages of a capture after its login reply (what a client gets from
/// `stream_after_login` with them).
pub fn after_login_of(name: &str) -> Bytes {
    let path = corpus()
        .join("asterisk-23.4.1")
        .join(format!("{name}.server.bin"));
    let all = std::fs::read(&path).unwrap();
    Bytes::copy_from_slice(ami_replay::after_login(&all).unwrap())
}

/// What the bridge must publish for a stream of server bytes: (subject suffix, payload)
/// for every item, in order: events on `event.<Name>`, anything else on `other`.
pub fn expected(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                let mut line = Vec::new();
                ami_json::write_item_object(&mut line, &item).unwrap();
                let subject = match item {
                    Item::Message(m) if m.kind() == Kind::Event => {
                        format!("event.{}", ami_bridge::subject::event_token(m.name()))
                    }
                    _ => "other".to_string(),
                };
                out.push((subject, line));
                rest = &rest[consumed..];
            }
            Decoded::NeedMore { .. } => break,
            Decoded::Error { error, .. } => panic!("capture does not decode: {error}"),
        }
    }
    out
}

/// A file holding `secret`, for `secret_file` (kept for the test's life).
pub fn secret_file(secret: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), secret).unwrap();
    file
}

/// bridge.toml for `servers` (name, address) with `extra` server keys, on `nats`.
pub fn config_text(
    nats: &str,
    secret: &Path,
    servers: &[(&str, String)],
    extra: &str,
    top: &str,
) -> String {
    let mut text = format!("[nats]\nurl = \"{nats}\"\nname = \"test-bridge\"\n{top}\n");
    for (name, addr) in servers {
        text.push_str(&format!(
            "[[server]]\nname = \"{name}\"\naddress = \"{addr}\"\nuser = \"admin\"\n\
             secret_file = \"{}\"\nauth = \"plain\"\nkeepalive_secs = 0\n{extra}\n",
            secret.display()
        ));
    }
    text
}

pub fn config(text: &str) -> Config {
    Config::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub async fn start(text: &str) -> Bridge {
    Bridge::start(&config(text)).await.unwrap()
}

/// One message as a consumer received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub subject: String,
    /// The subject after `ami.<server>.`.
    pub suffix: String,
    pub server: String,
    pub connection: u64,
    pub seq: u64,
    pub msg_id: String,
    /// Where JetStream stored it.
    pub stream_seq: u64,
    pub payload: Vec<u8>,
}

impl Received {
    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.payload).unwrap()
    }

    pub fn is_state(&self) -> bool {
        self.suffix == "state"
    }
}

/// A durable pull consumer on the bridge's stream, acknowledging what it receives. A
/// message JetStream delivers again (its acknowledgement was lost with a NATS that was
/// killed) has the stream sequence of its first delivery: it is counted in `redelivered`
/// and not received twice.
pub struct Consumer {
    messages: consumer::pull::Stream,
    pub received: Vec<Received>,
    pub redelivered: usize,
    seen: std::collections::HashSet<u64>,
    /// Per server: messages that are not states.
    pub items: BTreeMap<String, usize>,
}

impl Consumer {
    pub async fn new(nats_url: &str, durable: &str) -> Consumer {
        let client = async_nats::connect(nats_url).await.unwrap();
        let js = jetstream::new(client);
        let stream = js.get_stream("AMI").await.unwrap();
        let consumer = stream
            .get_or_create_consumer(
                durable,
                consumer::pull::Config {
                    durable_name: Some(durable.to_string()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let messages = consumer.messages().await.unwrap();
        Consumer {
            messages,
            received: Vec::new(),
            redelivered: 0,
            seen: Default::default(),
            items: BTreeMap::new(),
        }
    }

    /// Receives until `done` holds for what was received, or `within` passes.
    pub async fn until(&mut self, within: Duration, done: impl Fn(&Consumer) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while !done(self) {
            let next = tokio::time::timeout_at(deadline, self.messages.next()).await;
            let Ok(Some(message)) = next else {
                return done(self);
            };
            let Ok(message) = message else { continue };
            let header = |name: &str| {
                message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(name))
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default()
            };
            let stream_seq = message.info().map(|i| i.stream_sequence).unwrap_or(0);
            if !self.seen.insert(stream_seq) {
                self.redelivered += 1;
                let _ = message.ack().await;
                continue;
            }
            let server = header("Ami-Server");
            let subject = message.subject.to_string();
            let suffix = subject
                .strip_prefix(&format!("ami.{server}."))
                .unwrap_or(&subject)
                .to_string();
            if suffix != "state" {
                *self.items.entry(server.clone()).or_default() += 1;
            }
            self.received.push(Received {
                subject,
                suffix,
                server,
                connection: header("Ami-Connection").parse().unwrap_or(0),
                seq: header("Ami-Seq").parse().unwrap_or(0),
                msg_id: header("Nats-Msg-Id"),
                stream_seq,
                payload: message.payload.to_vec(),
            });
            let _ = message.ack().await;
        }
        true
    }

    /// Receives for `quiet` more: nothing else should come.
    pub async fn drain(&mut self, quiet: Duration) {
        self.until(quiet, |_| false).await;
    }

    /// What one server published, in stream order.
    pub fn of(&self, server: &str) -> Vec<&Received> {
        self.received
            .iter()
            .filter(|r| r.server == server)
            .collect()
    }

    /// Messages of `server` received that are not states.
    pub fn count(&self, server: &str) -> usize {
        self.items.get(server).copied().unwrap_or(0)
    }
}

/// The number of messages the stream holds.
pub async fn stream_messages(nats_url: &str) -> u64 {
    let client = async_nats::connect(nats_url).await.unwrap();
    let js = jetstream::new(client);
    let mut stream = js.get_stream("AMI").await.unwrap();
    stream.info().await.unwrap().state.messages
}

/// Logs to the test's output (`cargo test -- --nocapture` shows them), once per binary.
pub fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "ami_bridge=info".into()),
        )
        .with_test_writer()
        .try_init();
}

/// `bytes` cut after its first `n` items: (those items, the rest).
pub fn split_items(bytes: &Bytes, n: usize) -> (Bytes, Bytes) {
    let mut decoder = Decoder::new();
    let mut at = 0;
    for _ in 0..n {
        match decoder.decode(&bytes[at..]) {
            Decoded::Item { consumed, .. } => at += consumed,
            other => panic!("fewer than {n} items: {other:?}"),
        }
    }
    (bytes.slice(..at), bytes.slice(at..))
}
