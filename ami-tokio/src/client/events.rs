//! Event subscribers: any number of [`Events`] streams fed from one connection, each with
//! a bounded buffer; one that falls behind is told exactly how many items it missed and
//! never slows the connection or the others.
//!
//! The connection publishes what one socket read produced as one batch (a reference-
//! counted vector), so a subscriber costs one channel operation per read, not per event;
//! every item has a sequence number, from which a lagging subscriber's loss is counted.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use ami_proto::OwnedMessage;
use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// What a subscriber receives.
///
/// ```
/// use ami_tokio::ClientEvent;
/// fn describe(e: &ClientEvent) -> String {
///     match e {
///         ClientEvent::Event(m) => format!("event {}", String::from_utf8_lossy(m.message().name())),
///         ClientEvent::Lagged { missed } => format!("missed {missed}"),
///         other => format!("{other:?}"),
///     }
/// }
/// assert_eq!(describe(&ClientEvent::Lagged { missed: 3 }), "missed 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An event (a message whose first header is `Event:`) not part of a call's list.
    Event(OwnedMessage),
    /// The first login succeeded; `banner` is the server's greeting (over HTTP: the
    /// `Server` header of the login's reply, such as `Asterisk/23.4.1`). It comes before
    /// the events that follow the login; the configured filters are applied next (calls
    /// wait for them).
    Connected {
        /// `Asterisk Call Manager/...`.
        banner: Bytes,
    },
    /// A new connection is logged in after a loss: state kept from before (channel
    /// tables, queue members) may be stale; resynchronise.
    Reconnected {
        /// The new connection's greeting.
        banner: Bytes,
    },
    /// The connection was lost; calls in flight failed. Reconnection follows if the
    /// client is configured for it.
    Disconnected {
        /// Why.
        reason: Arc<str>,
    },
    /// This subscriber fell behind and missed exactly this many items.
    Lagged {
        /// Items missed.
        missed: u64,
    },
    /// A reply or event whose ActionID belongs to no call in flight (a late reply to a
    /// call that timed out, another program's ActionID): surfaced, never dropped.
    Unmatched(OwnedMessage),
    /// A block of text that is not made of headers (Asterisk 13's `Queues` reply).
    Text(Bytes),
    /// Malformed input; decoding went on after the next blank line.
    Malformed(ami_proto::Error),
    /// A section of an AJAM reply body that could not be decoded
    /// ([`HttpClient`](crate::HttpClient) only); decoding went on with the next section.
    /// Offsets are into that body.
    #[cfg(feature = "http")]
    MalformedBody(ami_http::DecodeError),
}

/// One read's worth of items, numbered from `first`.
#[derive(Debug)]
pub(crate) struct Batch {
    first: u64,
    items: Vec<ClientEvent>,
}

/// The sending side: numbers batches and publishes them.
#[derive(Debug)]
pub(crate) struct Hub {
    sender: broadcast::Sender<Arc<Batch>>,
    /// The next item's number; held while sending so a new subscriber's start is exact.
    next: Mutex<u64>,
}

impl Hub {
    pub(crate) fn new(capacity: usize) -> Self {
        Hub {
            sender: broadcast::channel(capacity).0,
            next: Mutex::new(0),
        }
    }

    /// Publishes `items` (nothing when empty).
    pub(crate) fn publish(&self, items: Vec<ClientEvent>) {
        if items.is_empty() {
            return;
        }
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let first = *next;
        *next += items.len() as u64;
        // No subscriber is not an error: the items are nobody's.
        let _ = self.sender.send(Arc::new(Batch { first, items }));
    }

    pub(crate) fn subscribe(&self) -> Events {
        let next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        Events {
            inner: BroadcastStream::new(self.sender.subscribe()),
            batch: None,
            index: 0,
            next: *next,
        }
    }
}

/// A stream of [`ClientEvent`]s from [`Client::events`](crate::Client::events). It ends
/// when the client is closed and dropped.
///
/// Events are kept for each subscriber up to the client's
/// [`event_buffer`](crate::ClientConfig::event_buffer); a subscriber further behind gets
/// [`ClientEvent::Lagged`] with the exact number of items it missed, then the oldest
/// items still kept.
#[derive(Debug)]
pub struct Events {
    inner: BroadcastStream<Arc<Batch>>,
    batch: Option<Arc<Batch>>,
    index: usize,
    /// The number of the next item this subscriber expects.
    next: u64,
}

impl Events {
    /// The next item, or `None` once the client is gone.
    ///
    /// ```no_run
    /// # async fn f(client: ami_tokio::Client) {
    /// let mut events = client.events();
    /// while let Some(event) = events.recv().await {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<ClientEvent> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next item if one is ready now, without waiting; `None` when none is (or the
    /// client is gone: [`recv`](Self::recv) tells which). For taking what arrived together
    /// in one go after a `recv`.
    ///
    /// ```no_run
    /// # async fn f(client: ami_tokio::Client) {
    /// let mut events = client.events();
    /// while let Some(first) = events.recv().await {
    ///     let mut ready = vec![first];
    ///     ready.extend(std::iter::from_fn(|| events.try_recv()));
    ///     println!("{} items at once", ready.len());
    /// }
    /// # }
    /// ```
    pub fn try_recv(&mut self) -> Option<ClientEvent> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(self).poll_next(&mut cx) {
            Poll::Ready(item) => item,
            Poll::Pending => None,
        }
    }
}

impl Stream for Events {
    type Item = ClientEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        let this = &mut *self;
        loop {
            if let Some(batch) = &this.batch {
                let number = batch.first + this.index as u64;
                if number > this.next {
                    // The batch starts after items this subscriber never got.
                    let missed = number - this.next;
                    this.next = number;
                    return Poll::Ready(Some(ClientEvent::Lagged { missed }));
                }
                if let Some(item) = batch.items.get(this.index) {
                    this.index += 1;
                    this.next = number + 1;
                    return Poll::Ready(Some(item.clone()));
                }
                this.batch = None;
            }
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Ready(Some(Ok(batch))) => {
                    // Skip what was published before this subscriber existed.
                    this.index = this.next.saturating_sub(batch.first) as usize;
                    this.batch = Some(batch);
                }
                // The next batch received tells how much was lost.
                Poll::Ready(Some(Err(BroadcastStreamRecvError::Lagged(_)))) => {}
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> ClientEvent {
        ClientEvent::Event(OwnedMessage::from_headers([("Event", n.to_string())]).unwrap())
    }

    #[tokio::test]
    async fn a_lagging_subscriber_gets_the_exact_count() {
        let hub = Hub::new(2);
        let mut slow = hub.subscribe();
        for n in 0..5 {
            hub.publish(vec![event(2 * n), event(2 * n + 1)]);
        }
        // Capacity 2 batches: batches 0..=2 (items 0..6) are gone.
        assert_eq!(slow.recv().await, Some(ClientEvent::Lagged { missed: 6 }));
        for n in 6..10 {
            assert_eq!(slow.recv().await, Some(event(n)));
        }
        drop(hub);
        assert_eq!(slow.recv().await, None);
    }

    #[tokio::test]
    async fn try_recv_takes_what_is_ready_and_recv_still_waits_afterwards() {
        let hub = Hub::new(8);
        let mut events = hub.subscribe();
        assert_eq!(events.try_recv(), None);
        hub.publish(vec![event(0), event(1)]);
        assert_eq!(events.try_recv(), Some(event(0)));
        assert_eq!(events.try_recv(), Some(event(1)));
        assert_eq!(events.try_recv(), None);
        // The waker registered by the last try_recv is replaced by recv's own.
        let waiting = tokio::spawn(async move { events.recv().await });
        tokio::task::yield_now().await;
        hub.publish(vec![event(2)]);
        assert_eq!(waiting.await.unwrap(), Some(event(2)));
    }

    #[tokio::test]
    async fn subscribers_start_at_their_subscription() {
        let hub = Hub::new(8);
        hub.publish(vec![event(0)]);
        let mut late = hub.subscribe();
        hub.publish(vec![event(1)]);
        assert_eq!(late.recv().await, Some(event(1)));
    }
}
