//! A client's queue of bytes to write: bounded in messages, filled by the fan-out, the
//! session and the forwarded actions, emptied by the client's writer.
//!
//! Messages stay the reference-counted bytes they arrived in: an event admitted by many
//! clients sits once in memory however many queues hold it, and the writer hands what
//! queued up to one vectored write instead of copying it together. A message stops
//! counting against the bound once it has been written to the socket.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    messages: mpsc::UnboundedSender<Bytes>,
    queued: Arc<AtomicUsize>,
    limit: usize,
}

/// Why messages were not queued.
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
    messages: mpsc::UnboundedReceiver<Bytes>,
    queued: Arc<AtomicUsize>,
    /// Taken from the queue, not yet written.
    taken: VecDeque<Bytes>,
}

/// A queue for at most `limit` messages not yet written.
pub(crate) fn outbox(limit: usize) -> (Outbox, OutboxReader) {
    let (messages, receiver) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    (
        Outbox {
            messages,
            queued: queued.clone(),
            limit,
        },
        OutboxReader {
            messages: receiver,
            queued,
            taken: VecDeque::new(),
        },
    )
}

impl Outbox {
    /// Queues `message`.
    pub(crate) fn push(&self, message: Bytes) -> Result<(), Refused> {
        self.push_all([message])
    }

    /// Queues `messages` in order, all or none.
    pub(crate) fn push_all<I>(&self, messages: I) -> Result<(), Refused>
    where
        I: IntoIterator<Item = Bytes>,
        I::IntoIter: ExactSizeIterator,
    {
        let messages = messages.into_iter();
        let count = messages.len();
        let before = self.queued.fetch_add(count, Ordering::AcqRel);
        if before + count > self.limit {
            self.queued.fetch_sub(count, Ordering::AcqRel);
            return Err(Refused::Full);
        }
        for message in messages {
            self.messages.send(message).map_err(|_| Refused::Closed)?;
        }
        Ok(())
    }
}

/// At most this many messages go to one vectored write (below every system's `IOV_MAX`).
const MAX_SLICES: usize = 64;

impl OutboxReader {
    /// Waits for queued messages, then writes what is queued, up to about `max` bytes, in
    /// as few system calls as the socket takes. `Ok(false)` once every [`Outbox`] is gone
    /// and the queue is empty.
    pub(crate) async fn write_next(
        &mut self,
        writer: &mut (impl AsyncWrite + Unpin),
        max: usize,
    ) -> io::Result<bool> {
        let Some(first) = self.messages.recv().await else {
            return Ok(false);
        };
        let mut size = first.len();
        self.taken.push_back(first);
        while size < max {
            match self.messages.try_recv() {
                Ok(message) => {
                    size += message.len();
                    self.taken.push_back(message);
                }
                Err(_) => break,
            }
        }
        while !self.taken.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let used = self.taken.len().min(MAX_SLICES);
            for (slice, message) in slices.iter_mut().zip(&self.taken) {
                *slice = IoSlice::new(message);
            }
            let mut n = writer.write_vectored(&slices[..used]).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            while n > 0 {
                let front = &mut self.taken[0];
                if n >= front.len() {
                    n -= front.len();
                    self.taken.pop_front();
                    self.queued.fetch_sub(1, Ordering::AcqRel);
                } else {
                    front.advance(n);
                    n = 0;
                }
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// A socket that takes at most `step` bytes a call, as a full one does.
    struct Trickle {
        written: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.poll_write_vectored(cx, &[IoSlice::new(buf)])
        }

        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            self.calls += 1;
            let mut n = 0;
            for buf in bufs {
                let take = buf.len().min(self.step - n);
                self.written.extend_from_slice(&buf[..take]);
                n += take;
                if n == self.step {
                    break;
                }
            }
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            true
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn message(n: usize) -> Bytes {
        Bytes::from(format!("Event: E{n}\r\n\r\n"))
    }

    #[tokio::test]
    async fn messages_count_until_written_even_across_partial_writes() {
        let (outbox, mut reader) = outbox(3);
        outbox.push_all([message(0), message(1)]).unwrap();
        assert_eq!(
            outbox.push_all([message(2), message(3)]),
            Err(Refused::Full)
        );
        outbox.push(message(2)).unwrap();
        assert_eq!(outbox.push(message(3)), Err(Refused::Full));
        let mut socket = Trickle {
            written: Vec::new(),
            step: 5,
            calls: 0,
        };
        assert!(reader.write_next(&mut socket, 1 << 16).await.unwrap());
        assert_eq!(
            socket.written,
            [message(0), message(1), message(2)].concat()
        );
        // 39 bytes, 5 a call.
        assert_eq!(socket.calls, 8);
        outbox
            .push_all([message(3), message(4), message(5)])
            .unwrap();
    }

    #[tokio::test]
    async fn one_write_takes_what_queued_up_to_about_the_size_given() {
        let (outbox, mut reader) = outbox(100);
        outbox.push_all((0..10).map(message)).unwrap();
        let mut socket = Trickle {
            written: Vec::new(),
            step: 1 << 20,
            calls: 0,
        };
        assert!(reader.write_next(&mut socket, 20).await.unwrap());
        // 13 bytes each: the second makes 26 >= 20.
        assert_eq!((socket.written.len(), socket.calls), (26, 1));
        assert!(reader.write_next(&mut socket, 1 << 16).await.unwrap());
        assert_eq!((socket.written.len(), socket.calls), (130, 2));
        drop(outbox);
        assert!(!reader.write_next(&mut socket, 1 << 16).await.unwrap());
    }

    #[tokio::test]
    async fn a_write_spans_many_messages_in_slices_of_the_system_limit() {
        let (outbox, mut reader) = outbox(1000);
        outbox.push_all((0..200).map(message)).unwrap();
        let mut socket = Trickle {
            written: Vec::new(),
            step: 1 << 20,
            calls: 0,
        };
        assert!(reader.write_next(&mut socket, 1 << 20).await.unwrap());
        assert_eq!(socket.calls, 200usize.div_ceil(MAX_SLICES));
        let expected: Vec<u8> = (0..200).flat_map(|n| message(n).to_vec()).collect();
        assert_eq!(socket.written, expected);
    }

    #[test]
    fn a_queue_without_its_writer_is_closed() {
        let (outbox, reader) = outbox(10);
        drop(reader);
        assert_eq!(outbox.push(message(0)), Err(Refused::Closed));
    }
}
