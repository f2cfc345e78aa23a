//! The reader of one server: turns what its AMI client delivers into numbered messages
//! in the server's buffer, never waiting on NATS.
//!
//! Every message of a connection gets the next sequence number, from 1; a new connection
//! starts again at 1 with the next connection number. A message that does not fit in the
//! buffer still takes its number, so a consumer sees the gap, and the loss is counted,
//! logged and announced on the state subject as soon as there is room again.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ami_proto::{Kind, Message};
use ami_tokio::{ClientEvent, Events};
use bytes::Bytes;
use md5::{Digest, Md5};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::buffer::{Buffer, Counters, Outgoing};
use crate::config::{Format, MessageId};
use crate::payload::{self, State};
use crate::subject::Subjects;

/// Header names of every published message.
pub mod headers {
    /// JetStream's de-duplication key.
    pub const MSG_ID: &str = "Nats-Msg-Id";
    /// The server's name from bridge.toml.
    pub const SERVER: &str = "Ami-Server";
    /// The AMI connection within this bridge run: 1, then 2 after a reconnect, ...
    pub const CONNECTION: &str = "Ami-Connection";
    /// The message's number within its connection, from 1, without gaps unless messages
    /// were dropped (and announced).
    pub const SEQ: &str = "Ami-Seq";
    /// The bridge's name (`[nats] name`).
    pub const BRIDGE: &str = "Ami-Bridge";
}

/// Losses not yet announced on the state subject, by reason.
#[derive(Debug)]
pub(crate) struct Drops {
    counters: Arc<Counters>,
    pending: Mutex<Vec<(&'static str, u64)>>,
}

impl Drops {
    pub(crate) fn new(counters: Arc<Counters>) -> Self {
        Drops {
            counters,
            pending: Mutex::new(Vec::new()),
        }
    }

    /// Counts `n` messages lost for `reason`; the reader announces them.
    pub(crate) fn add(&self, n: u64, reason: &'static str) {
        Counters::add(&self.counters.dropped, n);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += n,
            None => pending.push((reason, n)),
        }
    }

    fn take(&self) -> Vec<(&'static str, u64)> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn give_back(&self, reason: &'static str, n: u64) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += n,
            None => pending.insert(0, (reason, n)),
        }
    }
}

const BUFFER_FULL: &str = "the buffer was full (NATS too slow or unreachable)";
const LAGGED: &str = "the bridge fell behind the AMI connection";

/// What a reader needs to know about its server.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) server: String,
    pub(crate) subjects: Subjects,
    pub(crate) format: Format,
    pub(crate) message_id: MessageId,
    /// This bridge run, in every sequence-based message ID: a restarted bridge counts
    /// connections from 1 again, and must not collide with its previous run.
    pub(crate) run: String,
}

/// The reader of one server.
pub(crate) struct Reader {
    pub(crate) id: Identity,
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) drops: Arc<Drops>,
    pub(crate) connection: u64,
    pub(crate) seq: u64,
    /// Dropping since the buffer filled up (logged once per episode).
    pub(crate) full: bool,
}

impl Reader {
    pub(crate) fn new(
        id: Identity,
        buffer: Arc<Buffer>,
        counters: Arc<Counters>,
        drops: Arc<Drops>,
    ) -> Self {
        counters.connections.store(0, Ordering::Relaxed);
        Reader {
            id,
            buffer,
            counters,
            drops,
            connection: 1,
            seq: 0,
            full: false,
        }
    }

    /// Reads until the client is gone or `stop` is cancelled, then closes the buffer.
    pub(crate) async fn run(mut self, mut events: Events, stop: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.on_event(event),
                    None => break,
                },
                _ = tick.tick() => self.announce_drops(),
                _ = stop.cancelled() => {
                    let state = State::Disconnected { reason: "the bridge stopped", connection: self.connection };
                    self.push_state(&state);
                    break;
                }
            }
        }
        self.announce_drops();
        self.buffer.close();
    }

    fn on_event(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::Event(message) => {
                Counters::add(&self.counters.read, 1);
                self.push_message(&message.message(), message.as_bytes());
            }
            ClientEvent::Unmatched(message) => {
                Counters::add(&self.counters.read, 1);
                self.push_message(&message.message(), message.as_bytes());
            }
            ClientEvent::Text(text) => {
                Counters::add(&self.counters.read, 1);
                let subject = self.id.subjects.other();
                self.push(subject, payload::text(&text), None);
            }
            ClientEvent::Malformed(error) => {
                Counters::add(&self.counters.read, 1);
                let subject = self.id.subjects.other();
                self.push(subject, payload::malformed(&error), None);
            }
            ClientEvent::Connected { banner } | ClientEvent::Reconnected { banner } => {
                Counters::add(&self.counters.connections, 1);
                let banner = String::from_utf8_lossy(&banner);
                info!(server = %self.id.server, connection = self.connection, %banner, "AMI connected");
                let state = State::Connected {
                    banner: &banner,
                    connection: self.connection,
                };
                self.push_state(&state);
            }
            ClientEvent::Disconnected { reason } => {
                warn!(server = %self.id.server, connection = self.connection, %reason, "AMI connection lost");
                let state = State::Disconnected {
                    reason: &reason,
                    connection: self.connection,
                };
                self.push_state(&state);
                self.connection += 1;
                self.seq = 0;
            }
            ClientEvent::Lagged { missed } => {
                warn!(server = %self.id.server, missed, "the bridge fell behind its AMI client");
                self.seq += missed;
                self.drops.add(missed, LAGGED);
            }
            other => debug!(server = %self.id.server, ?other, "client notice not published"),
        }
    }

    /// An event (or a reply nobody waits for) on its subject.
    fn push_message(&mut self, message: &Message<'_>, wire: &[u8]) {
        let subject = if message.kind() == Kind::Event {
            self.id.subjects.event(message.name())
        } else {
            self.id.subjects.other()
        };
        let content = (self.id.message_id == MessageId::Content).then_some(wire);
        self.push(subject, payload::message(self.id.format, message), content);
    }

    fn push_state(&mut self, state: &State<'_>) {
        self.announce_drops();
        let subject = self.id.subjects.state();
        self.push(subject, state.to_json(), None);
    }

    /// Numbers a message and adds it to the buffer, or counts it as dropped.
    /// `content`: the wire bytes its message ID is a digest of, for `message_id = content`.
    fn push(&mut self, subject: String, payload: Bytes, content: Option<&[u8]>) {
        self.seq += 1;
        let message = Outgoing {
            subject: subject.into(),
            msg_id: self.msg_id(content),
            connection: self.connection,
            seq: self.seq,
            payload,
        };
        match self.buffer.push(message) {
            Ok(()) => {
                if self.full {
                    self.full = false;
                    info!(server = %self.id.server, "the buffer has room again");
                }
            }
            Err(_) => {
                if !self.full {
                    self.full = true;
                    warn!(
                        server = %self.id.server,
                        seq = self.seq,
                        "the buffer is full: dropping messages until JetStream takes more (counted, and announced on the state subject)"
                    );
                }
                self.drops.add(1, BUFFER_FULL);
            }
        }
    }

    /// The `Nats-Msg-Id` of the message numbered `self.seq`.
    fn msg_id(&self, content: Option<&[u8]>) -> String {
        let id = &self.id;
        match content {
            Some(bytes) => format!("{}.{}", id.server, hex(&Md5::digest(bytes))),
            None => format!("{}.{}.{}.{}", id.server, id.run, self.connection, self.seq),
        }
    }

    /// Announces the losses not yet announced, if there is room for the announcement.
    fn announce_drops(&mut self) {
        for (reason, missed) in self.drops.take() {
            if !self.buffer.has_room(1) {
                self.drops.give_back(reason, missed);
                continue;
            }
            warn!(server = %self.id.server, missed, reason, "messages were dropped");
            self.seq += 1;
            let message = Outgoing {
                subject: self.id.subjects.state().into(),
                msg_id: self.msg_id(None),
                connection: self.connection,
                seq: self.seq,
                payload: State::Dropped { missed, reason }.to_json(),
            };
            if let Err(message) = self.buffer.push(message) {
                // Taken meanwhile by nobody but us: cannot happen, but never lose the count.
                drop(message);
                self.seq -= 1;
                self.drops.give_back(reason, missed);
            }
        }
    }
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}
