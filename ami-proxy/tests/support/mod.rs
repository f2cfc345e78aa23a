//! Shared by the proxy tests: the oracle's files, a fake Asterisk, a proxy in front of it,
//! and a raw AMI client that reads messages one by one.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ami_proto::filter::{ManagerConf, Rules};
use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
use ami_proxy::{Proxy, ProxyConfig};
use ami_replay::{Capture, Pace, ReplayServer};
use ami_tokio::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

pub fn oracle(name: &str) -> Vec<u8> {
    std::fs::read(corpus().join("filter-oracle").join(name)).unwrap()
}

pub fn filters_json() -> serde_json::Value {
    serde_json::from_slice(&oracle("filters.json")).unwrap()
}

/// A user's phase of its server stream (`burst_start`..`burst_end`, or `0`..`burst_start`).
pub fn phase(user: &serde_json::Value, from: &str, to: &str) -> Vec<u8> {
    let name = user["user"].as_str().unwrap();
    let offset = |p: &str| match p {
        "start" => 0,
        p => user["offsets"][p].as_u64().unwrap() as usize,
    };
    oracle(&format!("{name}.server.bin"))[offset(from)..offset(to)].to_vec()
}

/// Every message of `bytes`, in order.
pub fn messages(bytes: &[u8]) -> Vec<OwnedMessage> {
    let (mut decoder, mut rest, mut out) = (Decoder::new(), bytes, Vec::new());
    while let Decoded::Item { item, consumed } = decoder.decode(rest) {
        if let Item::Message(m) = item {
            out.push(OwnedMessage::new(&m));
        }
        rest = &rest[consumed..];
    }
    out
}

/// The oracle's manager.conf as Asterisk 20+ reads it.
pub fn oracle_conf() -> ManagerConf {
    ManagerConf::parse(&oracle("manager.conf"), Rules::Asterisk20).unwrap()
}

/// A fake Asterisk that answers Ping (and what else `08_ping` and `23_dbput_dbget` hold),
/// writing events only when told (`send_raw`).
pub async fn upstream() -> ReplayServer {
    let capture = |name: &str| Capture::load(corpus().join("asterisk-23.4.1").join(name)).unwrap();
    ReplayServer::builder([capture("08_ping")])
        .fallback([capture("23_dbput_dbget")])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap()
}

pub fn proxy_config(upstream: SocketAddr, users: ManagerConf) -> ProxyConfig {
    let client = ClientConfig::new(upstream.to_string())
        .credentials("proxy", "upstream")
        .keepalive(None)
        .timeout(Duration::from_secs(20))
        .reconnect(Some(ami_tokio::Reconnect::new(
            Duration::from_millis(10),
            Duration::from_millis(100),
        )));
    ProxyConfig::new(client, users)
        .listen("127.0.0.1:0".parse().unwrap())
        .failed_login_delay(Duration::ZERO)
}

pub async fn proxy(upstream: SocketAddr, users: ManagerConf) -> Proxy {
    Proxy::start(proxy_config(upstream, users)).await.unwrap()
}

/// A raw AMI client.
pub struct Conn {
    stream: TcpStream,
    decoder: Decoder<'static>,
    buf: Vec<u8>,
    pub banner: Vec<u8>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut conn = Conn {
            stream,
            decoder: Decoder::new(),
            buf: Vec::new(),
            banner: Vec::new(),
        };
        conn.read_more().await;
        match conn.decoder.decode(&conn.buf) {
            Decoded::Item {
                item: Item::Banner(banner),
                consumed,
            } => {
                conn.banner = banner.to_vec();
                conn.buf.drain(..consumed);
            }
            _ => panic!("no banner first"),
        }
        conn
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Reads more bytes; false when the connection closed.
    async fn read_more(&mut self) -> bool {
        let mut chunk = [0u8; 16384];
        let n = tokio::time::timeout(Duration::from_secs(20), self.stream.read(&mut chunk))
            .await
            .expect("bytes in time")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// The next message; `None` when the connection closed.
    pub async fn next(&mut self) -> Option<OwnedMessage> {
        loop {
            match self.decoder.decode(&self.buf) {
                Decoded::Item { item, consumed } => {
                    let message = match item {
                        Item::Message(m) => Some(OwnedMessage::new(&m)),
                        other => panic!("the proxy sent {other:?}"),
                    };
                    self.buf.drain(..consumed);
                    return message;
                }
                Decoded::Error { error, .. } => panic!("the proxy sent bad bytes: {error}"),
                Decoded::NeedMore { consumed } => {
                    self.buf.drain(..consumed);
                    if !self.read_more().await {
                        return None;
                    }
                }
            }
        }
    }

    /// Messages until the response with this ActionID (included).
    pub async fn until_response(&mut self, id: &[u8]) -> Vec<OwnedMessage> {
        let mut out = Vec::new();
        loop {
            let m = self.next().await.expect("a response before the close");
            let done = m.message().kind() == ami_proto::Kind::Response
                && m.message().action_id() == Some(id);
            out.push(m);
            if done {
                return out;
            }
        }
    }

    /// Logs in with a plain secret; the login's response.
    pub async fn login(&mut self, user: &str, secret: &str) -> OwnedMessage {
        self.send(
            format!(
                "Action: Login\r\nActionID: login\r\nUsername: {user}\r\nSecret: {secret}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await;
        self.until_response(b"login").await.pop().unwrap()
    }
}
