//! A client's queue of bytes to write: bounded in messages, filled by the fan-out, the
//! session and the forwarded actions, emptied by the client's writer.
//!
//! The fan-out hands a client every event of one upstream read that it admits as one
//! chunk, so the queue holds chunks while its bound counts messages: the bound means the
//! same whether events came one by one or together. A message stops counting once it
//! has been written to the socket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    chunks: mpsc::UnboundedSender<Chunk>,
    queued: Arc<AtomicUsize>,
    limit: usize,
}

/// Bytes holding `messages` whole messages.
#[derive(Debug)]
struct Chunk {
    bytes: Bytes,
    messages: usize,
}

/// Why bytes were not queued.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// More than the limit would be waiting: the client does not keep up.
    Full,
    /// The writer is gone (the client is leaving).
    Closed,
}

/// The writer's side.
#[derive(Debug)]
pub(crate) struct OutboxReader {
    chunks: mpsc::UnboundedReceiver<Chunk>,
    queued: Arc<AtomicUsize>,
}

/// A queue for at most `limit` messages not yet written.
pub(crate) fn outbox(limit: usize) -> (Outbox, OutboxReader) {
    let (chunks, receiver) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    (
        Outbox {
            chunks,
            queued: queued.clone(),
            limit,
        },
        OutboxReader {
            chunks: receiver,
            queued,
        },
    )
}

impl Outbox {
    /// Queues `bytes`, which hold `messages` messages.
    pub(crate) fn push(&self, bytes: Bytes, messages: usize) -> Result<(), Refused> {
        let before = self.queued.fetch_add(messages, Ordering::AcqRel);
        if before + messages > self.limit {
            self.queued.fetch_sub(messages, Ordering::AcqRel);
            return Err(Refused::Full);
        }
        self.chunks
            .send(Chunk { bytes, messages })
            .map_err(|_| Refused::Closed)
    }
}

impl OutboxReader {
    /// Waits for queued bytes, then takes what is queued up to about `max` bytes: returns
    /// them (borrowing `scratch` when there are several chunks) and how many messages they
    /// hold, to be given to [`written`](Self::written) once written. `None` once every
    /// [`Outbox`] is gone and the queue is empty.
    pub(crate) async fn next<'a>(
        &mut self,
        scratch: &'a mut Vec<u8>,
        max: usize,
    ) -> Option<(Taken<'a>, usize)> {
        let first = self.chunks.recv().await?;
        if self.chunks.is_empty() {
            return Some((Taken::One(first.bytes), first.messages));
        }
        scratch.clear();
        scratch.extend_from_slice(&first.bytes);
        let mut messages = first.messages;
        while scratch.len() < max {
            match self.chunks.try_recv() {
                Ok(chunk) => {
                    scratch.extend_from_slice(&chunk.bytes);
                    messages += chunk.messages;
                }
                Err(_) => break,
            }
        }
        Some((Taken::Gathered(scratch), messages))
    }

    /// Says that `messages` taken by [`next`](Self::next) are written: they no longer count
    /// against the limit.
    pub(crate) fn written(&self, messages: usize) {
        self.queued.fetch_sub(messages, Ordering::AcqRel);
    }
}

/// Bytes taken from the queue.
pub(crate) enum Taken<'a> {
    /// One chunk, as it was queued.
    One(Bytes),
    /// Several chunks copied together.
    Gathered(&'a [u8]),
}

impl Taken<'_> {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Taken::One(bytes) => bytes,
            Taken::Gathered(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_limit_counts_messages_until_they_are_written() {
        let (outbox, mut reader) = outbox(3);
        assert_eq!(
            outbox.push(Bytes::from_static(b"a\r\n\r\nb\r\n\r\n"), 2),
            Ok(())
        );
        assert_eq!(
            outbox.push(Bytes::from_static(b"c\r\n\r\nd\r\n\r\n"), 2),
            Err(Refused::Full)
        );
        assert_eq!(outbox.push(Bytes::from_static(b"c\r\n\r\n"), 1), Ok(()));
        let mut scratch = Vec::new();
        let (taken, messages) = reader.next(&mut scratch, 1 << 16).await.unwrap();
        assert_eq!(taken.as_slice(), b"a\r\n\r\nb\r\n\r\nc\r\n\r\n");
        assert_eq!(messages, 3);
        // Taken but not yet written: still counted.
        assert_eq!(
            outbox.push(Bytes::from_static(b"d\r\n\r\n"), 1),
            Err(Refused::Full)
        );
        reader.written(messages);
        assert_eq!(outbox.push(Bytes::from_static(b"d\r\n\r\n"), 1), Ok(()));
        let (taken, messages) = reader.next(&mut scratch, 1 << 16).await.unwrap();
        assert!(matches!(taken, Taken::One(_)));
        assert_eq!((taken.as_slice(), messages), (&b"d\r\n\r\n"[..], 1));
    }

    #[tokio::test]
    async fn gathering_stops_near_the_size_given() {
        let (outbox, mut reader) = outbox(10);
        for _ in 0..4 {
            outbox.push(Bytes::from_static(b"0123456789"), 1).unwrap();
        }
        let mut scratch = Vec::new();
        let (taken, messages) = reader.next(&mut scratch, 15).await.unwrap();
        assert_eq!((taken.as_slice().len(), messages), (20, 2));
        drop(outbox);
        let (taken, messages) = reader.next(&mut scratch, 15).await.unwrap();
        assert_eq!((taken.as_slice().len(), messages), (20, 2));
        assert!(reader.next(&mut scratch, 15).await.is_none());
    }

    #[test]
    fn a_queue_without_its_writer_is_closed() {
        let (outbox, reader) = outbox(10);
        drop(reader);
        assert_eq!(
            outbox.push(Bytes::from_static(b"x"), 1),
            Err(Refused::Closed)
        );
    }
}
