//! A fake Asterisk that serves real AMI captures over TCP, and a recorder that writes them.
//!
//! Test an AMI client, or an application built on one, without a PBX: load captures of
//! real sessions ([`Capture`]) and serve them ([`ReplayServer`]) on a free loopback port,
//! in one line.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ami_replay::{Capture, ReplayServer};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/asterisk-23.4.1");
//! let server = ReplayServer::start([Capture::load(format!("{corpus}/08_ping"))?]).await?;
//!
//! let mut client = tokio::net::TcpStream::connect(server.addr()).await?;
//! client.write_all(b"Action: Login\r\nActionID: 1\r\nUsername: me\r\nSecret: x\r\n\r\n\
//!                    Action: Ping\r\nActionID: mine-42\r\n\r\n\
//!                    Action: Logoff\r\n\r\n").await?;
//! let mut session = String::new();
//! client.read_to_string(&mut session).await?;
//! assert_eq!(session, "Asterisk Call Manager/12.0.0\r\n\
//!     Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n\
//!     Response: Success\r\nActionID: mine-42\r\nPing: Pong\r\nTimestamp: 1795838496.182098\r\n\r\n\
//!     Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n");
//! # Ok(())
//! # }
//! ```
//!
//! - [`Capture`]: the three files of a recorded session (`NAME.server.bin`,
//!   `NAME.client.bin`, `NAME.timeline.jsonl`), checked against each other; any problem is
//!   a [`LoadError`] naming the file and the line or byte offset.
//! - [`ReplayServer`]: the recorded replies to the client's own requests, with its
//!   ActionIDs; the recorded events at the recorded pace; logins checked as Asterisk
//!   checks them ([`Users`]); Asterisk's own errors for what the capture lacks. Many
//!   clients at once, each its own session. [`Fault`]s and the server's handle make it
//!   misbehave on purpose (close mid-message or mid-list, go silent, send garbage,
//!   restart).
//! - [`Recorder`] and [`RecordedStream`]: write a live session in the same format, with
//!   login secrets masked.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]

mod asterisk;
mod capture;
mod error;
mod fault;
mod gate;
mod mask;
mod pace;
mod recorder;
mod requests;
mod rewrite;
mod script;
mod server;
mod session;
mod timeline;
mod users;

pub use capture::Capture;
pub use error::{LoadError, LoadErrorKind};
pub use fault::Fault;
pub use pace::{EventOrder, Pace};
pub use recorder::{RecordedStream, Recorder};
pub use server::{Builder, ReplayServer, Stats, REQUEST_LIMITS};
pub use timeline::{Chunk, Direction};
pub use users::Users;

use ami_proto::{Decoded, Decoder, Item, Kind};

/// The part of a server stream after the banner and the login's reply: what a client
/// receives once logged in. For [`Builder::stream_after_login`] with a raw capture such as
/// `../shared/asterisk/23.4.1/load/busy.server.bin`. `None` when the stream holds no
/// response (or does not decode up to one).
///
/// ```
/// let stream = b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\n\r\n";
/// assert_eq!(ami_replay::after_login(stream), Some(&b"Event: FullyBooted\r\n\r\n"[..]));
/// ```
pub fn after_login(server_stream: &[u8]) -> Option<&[u8]> {
    let mut decoder = Decoder::new();
    let mut rest = server_stream;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                let login = matches!(item, Item::Message(m) if m.kind() == Kind::Response);
                rest = &rest[consumed..];
                if login {
                    return Some(rest);
                }
            }
            Decoded::Error { .. } | Decoded::NeedMore { .. } => return None,
        }
    }
}

/// Internals for the fuzz targets; not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use std::sync::Arc;
    use std::time::Instant;

    use bytes::BytesMut;

    use crate::requests::RequestReader;
    use crate::server::{Counters, Settings};
    use crate::session::Engine;
    use crate::{Capture, EventOrder, LoadErrorKind, Pace};

    /// Loads a capture from its three files' contents and checks what holds for any input:
    /// an error names its file and points inside it; a loaded capture's script gives back
    /// its server bytes exactly, every reply takes any ActionID, and a session fed the
    /// capture's own client bytes neither panics nor writes more than the capture's
    /// server side and Asterisk's short replies allow.
    pub fn check_capture(server: &[u8], client: &[u8], timeline: &[u8]) {
        let capture = match Capture::from_parts("f", server, client, timeline) {
            Ok(capture) => capture,
            Err(error) => {
                let path = error.path().to_string_lossy().into_owned();
                assert!(
                    ["f.server.bin", "f.client.bin", "f.timeline.jsonl"].contains(&path.as_str()),
                    "{error}"
                );
                assert!(error.to_string().starts_with(&path));
                let len = match path.as_str() {
                    "f.server.bin" => server.len(),
                    "f.client.bin" => client.len(),
                    _ => timeline.len(),
                } as u64;
                if let Some(offset) = error.offset() {
                    assert!(offset <= len, "{error}");
                }
                if let LoadErrorKind::BadLine { line, .. } = error.kind() {
                    assert!(*line >= 1 && *line <= timeline.split(|&b| b == b'\n').count());
                }
                return;
            }
        };
        let script = capture.script();
        assert_eq!(
            script.recorded_stream(),
            server,
            "the script loses or adds bytes"
        );
        for exchange in &script.exchanges {
            let parts = exchange
                .reply
                .iter()
                .chain(exchange.later.iter().map(|l| &l.part));
            for part in parts {
                for id in [Some(&b"fuzz-id"[..]), None] {
                    let bytes = crate::rewrite::with_action_id(part, id);
                    if let Some(m) = &part.message {
                        let had = m.message().action_id();
                        let mut decoder = ami_proto::Decoder::new();
                        if let ami_proto::Decoded::Item {
                            item: ami_proto::Item::Message(again),
                            ..
                        } = decoder.decode(&bytes)
                        {
                            if let Some(had) = had {
                                match id {
                                    Some(id) => assert_eq!(again.action_id(), Some(id)),
                                    None => assert!(again.get_all("ActionID").all(|v| v != had)),
                                }
                            }
                        }
                    }
                }
            }
        }
        for order in [EventOrder::Clock, EventOrder::AsRecorded] {
            let settings = Arc::new(Settings {
                played: 1,
                captures: vec![capture.clone()],
                pace: Pace::AsFastAsPossible,
                order,
                loop_events: false,
                users: None,
                stream_after_login: None,
                request_limits: crate::REQUEST_LIMITS,
            });
            let mut engine = Engine::new(
                settings,
                Arc::new(Counters::default()),
                0,
                Default::default(),
            );
            let mut reader = RequestReader::new(crate::REQUEST_LIMITS);
            let mut buf = BytesMut::from(client);
            let mut written = 0usize;
            let mut requests = 0usize;
            while let Some(request) = reader.next(&mut buf) {
                requests += 1;
                if let Ok(request) = request {
                    engine.on_request(request, Instant::now());
                }
                engine.on_time(Instant::now());
                while let Some(bytes) = engine.pop_output() {
                    written += bytes.len();
                }
            }
            engine.on_time(Instant::now());
            while let Some(bytes) = engine.pop_output() {
                written += bytes.len();
            }
            // Each request gets its recorded reply (its ActionID may grow by the client's
            // length) or a short error of Asterisk's; events are the server's bytes.
            let bound = 2 * server.len() + requests * (512 + client.len());
            assert!(
                written <= bound,
                "{written} bytes written for {requests} requests"
            );
        }
    }
}
