//! The bounded buffer between a server's AMI reader and its publisher: every message
//! stays in it, waiting or in flight (sent, or to be sent again after a failure), until
//! JetStream acknowledges it. The reader never
//! waits on it (the AMI connection must keep being read): when it is full, new messages
//! are refused, and the reader counts them as dropped.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use async_nats::header::HeaderName;
use async_nats::{HeaderMap, Subject};
use bytes::Bytes;
use tokio::sync::Notify;

use crate::reader::headers;

/// One message to publish. It holds only what differs from one message to the next; its
/// headers are written when it is handed to the NATS client ([`Outgoing::headers`]), so
/// that a buffered message costs its payload and little more.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) subject: Subject,
    /// `Nats-Msg-Id`.
    pub(crate) msg_id: String,
    /// `Ami-Connection`.
    pub(crate) connection: u64,
    /// `Ami-Seq`.
    pub(crate) seq: u64,
    pub(crate) payload: Bytes,
}

const MSG_ID: HeaderName = HeaderName::from_static(headers::MSG_ID);
const SERVER: HeaderName = HeaderName::from_static(headers::SERVER);
const CONNECTION: HeaderName = HeaderName::from_static(headers::CONNECTION);
const SEQ: HeaderName = HeaderName::from_static(headers::SEQ);
const BRIDGE: HeaderName = HeaderName::from_static(headers::BRIDGE);

impl Outgoing {
    /// `Nats-Msg-Id` and the `Ami-*` headers, for the server named `server` (`Ami-Server`)
    /// of the bridge named `bridge` (`Ami-Bridge`).
    pub(crate) fn headers(&self, server: &str, bridge: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(MSG_ID, self.msg_id.as_str());
        map.insert(SERVER, server);
        map.insert(CONNECTION, self.connection.to_string());
        map.insert(SEQ, self.seq.to_string());
        map.insert(BRIDGE, bridge);
        map
    }
}

/// The buffer of one server.
#[derive(Debug)]
pub(crate) struct Buffer {
    state: Mutex<State>,
    /// Wakes the publisher: a message arrived, or the buffer was closed.
    wake: Notify,
    limit: usize,
}

#[derive(Debug, Default)]
struct State {
    waiting: VecDeque<Outgoing>,
    /// Taken by the publisher and not yet acknowledged (or given back).
    in_flight: usize,
    /// The reader is done: once empty, the publisher ends.
    closed: bool,
}

impl Buffer {
    /// A buffer holding at most `limit` messages, waiting and in flight together.
    pub(crate) fn new(limit: usize) -> Self {
        Buffer {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            limit,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every step under the lock is one push or pop: the data stays consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `message` at the end, or gives it back when the buffer is full.
    pub(crate) fn push(&self, message: Outgoing) -> Result<(), Outgoing> {
        let mut state = self.lock();
        if state.waiting.len() + state.in_flight >= self.limit {
            return Err(message);
        }
        state.waiting.push_back(message);
        drop(state);
        self.wake.notify_one();
        Ok(())
    }

    /// Whether `n` more messages fit.
    pub(crate) fn has_room(&self, n: usize) -> bool {
        let state = self.lock();
        state.waiting.len() + state.in_flight + n <= self.limit
    }

    /// The oldest waiting message, now in flight.
    pub(crate) fn take(&self) -> Option<Outgoing> {
        let mut state = self.lock();
        let message = state.waiting.pop_front()?;
        state.in_flight += 1;
        Some(message)
    }

    /// `n` messages in flight were acknowledged (or given up): they leave the buffer.
    pub(crate) fn finished(&self, n: usize) {
        let mut state = self.lock();
        state.in_flight -= n;
    }

    /// No more messages will come.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_one();
    }

    /// Closed and empty: the publisher is done.
    pub(crate) fn is_finished(&self) -> bool {
        let state = self.lock();
        state.closed && state.waiting.is_empty() && state.in_flight == 0
    }

    /// Messages in the buffer, waiting and in flight.
    pub(crate) fn len(&self) -> usize {
        let state = self.lock();
        state.waiting.len() + state.in_flight
    }

    /// Waits until a message arrives, one is given back, or the buffer is closed (returns
    /// at once if that happened since the last wait).
    pub(crate) async fn changed(&self) {
        self.wake.notified().await
    }
}

/// What one server's bridge has done so far (see [`ServerStats`](crate::ServerStats)).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) read: AtomicU64,
    pub(crate) published: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) republished: AtomicU64,
    pub(crate) connections: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u64) -> Outgoing {
        Outgoing {
            subject: format!("s.{n}").into(),
            msg_id: format!("a.run.1.{n}"),
            connection: 1,
            seq: n,
            payload: Bytes::new(),
        }
    }

    #[test]
    fn headers_carry_the_message_id_and_where_it_comes_from() {
        let headers = message(7).headers("pbx1", "bridge-a");
        let get = |name: &str| headers.get(name).map(|v| v.as_str().to_string());
        assert_eq!(get(headers::MSG_ID).as_deref(), Some("a.run.1.7"));
        assert_eq!(get(headers::SERVER).as_deref(), Some("pbx1"));
        assert_eq!(get(headers::CONNECTION).as_deref(), Some("1"));
        assert_eq!(get(headers::SEQ).as_deref(), Some("7"));
        assert_eq!(get(headers::BRIDGE).as_deref(), Some("bridge-a"));
        assert_eq!(headers.len(), 5);
    }

    #[test]
    fn the_limit_counts_waiting_and_in_flight() {
        let buffer = Buffer::new(2);
        buffer.push(message(1)).unwrap();
        buffer.push(message(2)).unwrap();
        assert!(buffer.push(message(3)).is_err());
        let first = buffer.take().unwrap();
        assert_eq!(first.subject.as_str(), "s.1");
        assert!(buffer.push(message(3)).is_err(), "in flight still counts");
        buffer.finished(1);
        buffer.push(message(3)).unwrap();
        assert_eq!(buffer.len(), 2);
    }

    #[test]
    fn finished_when_closed_and_empty() {
        let buffer = Buffer::new(10);
        buffer.push(message(1)).unwrap();
        buffer.close();
        assert!(!buffer.is_finished());
        let _ = buffer.take().unwrap();
        assert!(!buffer.is_finished(), "in flight");
        buffer.finished(1);
        assert!(buffer.is_finished());
    }
}
