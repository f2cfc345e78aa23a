//! Publishes one server's buffer to JetStream, keeping up to `in_flight` publishes
//! waiting for their acknowledgements, in buffer order.
//!
//! A message leaves the buffer only when JetStream acknowledges it. When NATS fails (no
//! acknowledgement in time, the connection lost, no stream answering yet), every message
//! not acknowledged goes back to the front of the buffer, in order, and is sent again,
//! one at a time until an acknowledgement comes back, then at full speed. Its message ID
//! is the same, so JetStream stores it once even if the first copy did arrive. A message
//! JetStream itself refuses (too large for the stream, a full stream that discards new
//! messages) is tried [`REFUSALS`] times, then given up: counted, logged and announced as
//! dropped, so one bad message cannot stop a server's stream.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::{self};
use tracing::{error, info, warn};

use crate::buffer::{Buffer, Counters, Outgoing};
use crate::reader::Drops;

/// How many times JetStream may refuse a message before it is given up.
pub(crate) const REFUSALS: u32 = 3;

type AckFuture =
    Pin<Box<dyn Future<Output = Result<PublishAck, jetstream::context::PublishError>> + Send>>;

/// One message in flight.
struct Flying {
    message: Outgoing,
    refusals: u32,
    ack: AckFuture,
}

/// A message to send, with the refusals it has had.
struct Pending {
    message: Outgoing,
    refusals: u32,
}

/// What became of handing a message to the NATS client.
enum Sent {
    Flying(Flying),
    /// The client could not take it now.
    Back(Pending),
    /// It can never be sent (larger than NATS's `max_payload`): given up.
    Never,
}

/// What became of a publish.
enum Outcome {
    Stored {
        duplicate: bool,
    },
    /// NATS or JetStream did not answer: send it again.
    Lost(String),
    /// JetStream answered with an error about this message.
    Refused(String),
}

fn outcome(result: Result<PublishAck, jetstream::context::PublishError>) -> Outcome {
    match result {
        Ok(ack) => Outcome::Stored {
            duplicate: ack.duplicate,
        },
        Err(e) => match e.kind() {
            PublishErrorKind::TimedOut
            | PublishErrorKind::BrokenPipe
            | PublishErrorKind::StreamNotFound
            | PublishErrorKind::MaxAckPending => Outcome::Lost(e.to_string()),
            _ => Outcome::Refused(e.to_string()),
        },
    }
}

/// The publisher of one server.
pub(crate) struct Publisher {
    /// `Ami-Server`.
    pub(crate) server: String,
    /// `Ami-Bridge`.
    pub(crate) bridge: String,
    pub(crate) jetstream: jetstream::Context,
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) drops: Arc<Drops>,
    pub(crate) in_flight: usize,
}

impl Publisher {
    /// Publishes until the buffer is closed and empty.
    pub(crate) async fn run(self) {
        let mut flight: VecDeque<Flying> = VecDeque::new();
        // Messages given back after a failure keep their refusal counts here, at the
        // front of the buffer's order.
        let mut again: VecDeque<Pending> = VecDeque::new();
        let mut window = self.in_flight;
        let mut backoff = Backoff::default();
        loop {
            while flight.len() < window {
                let next = match again.pop_front() {
                    Some(pending) => pending,
                    None => match self.buffer.take() {
                        Some(message) => Pending {
                            message,
                            refusals: 0,
                        },
                        None => break,
                    },
                };
                match self.send(next).await {
                    Sent::Flying(flying) => flight.push_back(flying),
                    Sent::Never => self.buffer.finished(1),
                    Sent::Back(pending) => {
                        // The client could not take it (NATS down long enough to fill
                        // its own queue): everything in flight is in doubt too.
                        again.push_front(pending);
                        self.recover(
                            &mut flight,
                            &mut again,
                            "the NATS client is not taking messages",
                        )
                        .await;
                        window = 1;
                        backoff.wait().await;
                    }
                }
            }
            let room = flight.len() < window;
            let Some(oldest) = flight.front_mut() else {
                if again.is_empty() && self.buffer.is_finished() {
                    return;
                }
                self.buffer.changed().await;
                continue;
            };
            let result = tokio::select! {
                biased;
                result = &mut oldest.ack => result,
                _ = self.buffer.changed(), if room => continue,
            };
            let done = flight.pop_front().expect("the oldest was there");
            match outcome(result) {
                Outcome::Stored { duplicate } => {
                    self.stored(duplicate);
                    if window == 1 && self.in_flight > 1 {
                        info!(server = %self.server, "NATS acknowledges again; publishing at full speed");
                    }
                    window = self.in_flight;
                    backoff = Backoff::default();
                }
                Outcome::Lost(why) => {
                    again.push_back(Pending {
                        message: done.message,
                        refusals: done.refusals,
                    });
                    self.recover(&mut flight, &mut again, &why).await;
                    window = 1;
                    backoff.wait().await;
                }
                Outcome::Refused(why) => {
                    self.refused(done.message, done.refusals + 1, why, &mut again)
                }
            }
        }
    }

    /// Hands a message to the NATS client.
    async fn send(&self, pending: Pending) -> Sent {
        let publish = PublishMessage::build()
            .payload(pending.message.payload.clone())
            .headers(pending.message.headers(&self.server, &self.bridge));
        match self
            .jetstream
            .send_publish(pending.message.subject.clone(), publish)
            .await
        {
            Ok(ack) => Sent::Flying(Flying {
                message: pending.message,
                refusals: pending.refusals,
                ack: ack.into_future(),
            }),
            Err(e) if e.kind() == PublishErrorKind::MaxPayloadExceeded => {
                self.give_up(&pending.message, &e.to_string());
                Sent::Never
            }
            Err(e) => {
                warn!(server = %self.server, error = %e, "cannot hand a message to the NATS client");
                Sent::Back(pending)
            }
        }
    }

    fn stored(&self, duplicate: bool) {
        self.buffer.finished(1);
        Counters::add(&self.counters.published, 1);
        if duplicate {
            Counters::add(&self.counters.duplicates, 1);
        }
    }

    /// JetStream refused a message: try again, or give it up after [`REFUSALS`].
    fn refused(
        &self,
        message: Outgoing,
        refusals: u32,
        why: String,
        again: &mut VecDeque<Pending>,
    ) {
        if refusals >= REFUSALS {
            self.give_up(&message, &why);
            self.buffer.finished(1);
            return;
        }
        warn!(server = %self.server, subject = %message.subject, error = %why, "JetStream refused a message; sending it again");
        again.push_back(Pending { message, refusals });
    }

    fn give_up(&self, message: &Outgoing, why: &str) {
        error!(server = %self.server, subject = %message.subject, error = %why, "JetStream refuses this message: it is dropped");
        self.drops.add(1, "JetStream refused it");
    }

    /// After a failure: waits for the outcome of everything still in flight; what was not
    /// stored joins `again`, in order.
    async fn recover(
        &self,
        flight: &mut VecDeque<Flying>,
        again: &mut VecDeque<Pending>,
        why: &str,
    ) {
        let mut resend = 0u64;
        // `again` holds the failed oldest one(s): those in flight came after them.
        let mut later = Vec::new();
        for flying in flight.drain(..) {
            match outcome(flying.ack.await) {
                Outcome::Stored { duplicate } => self.stored(duplicate),
                Outcome::Lost(_) => later.push(Pending {
                    message: flying.message,
                    refusals: flying.refusals,
                }),
                Outcome::Refused(why) => {
                    let refusals = flying.refusals + 1;
                    if refusals >= REFUSALS {
                        self.give_up(&flying.message, &why);
                        self.buffer.finished(1);
                    } else {
                        later.push(Pending {
                            message: flying.message,
                            refusals,
                        });
                    }
                }
            }
        }
        for pending in later {
            again.push_back(pending);
        }
        resend += again.len() as u64;
        Counters::add(&self.counters.republished, resend);
        warn!(
            server = %self.server,
            reason = %why,
            to_resend = resend,
            buffered = self.buffer.len(),
            "publishing to JetStream failed; sending the unacknowledged messages again"
        );
    }
}

/// Waits between attempts while NATS fails: 100 ms doubling up to 5 s.
#[derive(Debug, Default)]
struct Backoff {
    attempts: u32,
}

impl Backoff {
    async fn wait(&mut self) {
        let delay = Duration::from_millis(100)
            .saturating_mul(1 << self.attempts.min(6))
            .min(Duration::from_secs(5));
        self.attempts += 1;
        tokio::time::sleep(delay).await;
    }
}
