//! Bridges many Asterisk servers to NATS JetStream: each server's events become stored,
//! replayable messages any NATS client can consume, and actions are sent by NATS
//! request/reply through a write-class allow-list. `ami bridge --nats URL --config
//! bridge.toml` runs it; this crate is the library behind it.
//!
//! # Subjects
//!
//! | subject | what | stored |
//! | --- | --- | --- |
//! | `ami.<server>.event.<EventName>` | every event, as `ami decode` writes it | yes |
//! | `ami.<server>.other` | what is not an event: a reply nobody waits for, text, malformed input | yes |
//! | `ami.<server>.state` | `connected`, `disconnected` (the AMI connection), `dropped` (losses) | yes |
//! | `ami.<server>.action` | requests: one action as `ami encode --json` reads it | no (request/reply) |
//!
//! Event names from the wire are escaped into one subject token ([`subject::event_token`]).
//! The prefix `ami` is `[nats] subject_prefix`.
//!
//! # Headers
//!
//! Every stored message carries [`headers::SERVER`] (the server's name),
//! [`headers::CONNECTION`] and [`headers::SEQ`] (the message's number within this AMI
//! connection, from 1, without gaps unless a `dropped` state announced the loss), and
//! [`headers::MSG_ID`] (`Nats-Msg-Id`: server, bridge run, connection and sequence), so
//! that JetStream's de-duplication window stores a message sent again after a NATS
//! failure once.
//!
//! # Delivery
//!
//! The AMI connection is read without ever waiting on NATS: each server has a bounded
//! buffer (`[publish] buffer`) holding messages until JetStream acknowledges them. While
//! NATS is down the bridge keeps the AMI connection and buffers; once the buffer is full,
//! new messages are dropped, counted ([`ServerStats::dropped`]), logged, and announced on
//! the state subject (`{"type":"dropped","missed":N,...}`) as soon as there is room.
//!
//! # Configuration
//!
//! ```
//! let config = ami_bridge::Config::parse(r#"
//!     [nats]
//!     url = "nats://127.0.0.1:4222"
//!
//!     [stream]
//!     name = "AMI"
//!     max_bytes = 1073741824
//!
//!     [publish]
//!     format = "json"        # or "typed"
//!     buffer = 100000
//!
//!     [[server]]
//!     name = "pbx1"
//!     address = "10.0.0.5:5038"
//!     user = "bridge"
//!     secret_env = "PBX1_SECRET"     # or secret_file = "/run/secrets/pbx1"
//!     events = "call,agent"
//!     filters = ["!Event: (Newexten|VarSet)"]
//!     allow_write = "reporting"
//!     allow_actions = ["Ping"]
//! "#).unwrap();
//! assert_eq!(config.servers[0].allow_list().check("CoreShowChannels"), Ok(()));
//! assert!(config.servers[0].allow_list().check("Originate").is_err());
//! ```
//!
//! The secret is read from the environment variable or the file when the bridge starts,
//! never from the command line, and never shown by `Debug` or the logs.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod allow;
mod bridge;
mod buffer;
pub mod config;
pub mod payload;
mod publisher;
mod reader;
mod responder;
pub mod stream;
pub mod subject;
pub mod testing;

pub use bridge::{Bridge, ServerStats, StartError};
pub use config::{Config, ConfigError};
pub use reader::headers;
