//! The async client: one AMI connection driven in a background task, used from any
//! number of tasks through cheap [`Client`] handles.
//!
//! As quinn drives quinn-proto, the client drives [`ami_proto::Connection`], which alone
//! knows the login, ActionIDs, replies and lists. What lives here is what needs IO and
//! time: the socket (TCP or TLS), timeouts, keepalive, reconnection, the map from
//! ActionID to waiting caller, and the fan-out of events to subscribers.
//!
//! - A call takes one of the connection's tracking slots for as long as it waits
//!   (a semaphore, first come first served): more calls than slots wait their turn,
//!   they never fail for lack of room. One slot is kept for the keepalive `Ping`.
//! - Dropping a call's future (a timeout, a `select!`) forgets its ActionID at once;
//!   its late reply reaches subscribers as [`ClientEvent::Unmatched`].
//! - Calls in flight when the connection drops fail with [`Error::Disconnected`];
//!   calls made while reconnecting wait for the new connection (within their timeout).

mod calls;
mod config;
mod driver;
mod error;
mod events;
mod reply;
mod tls;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ami_proto::{Action, ActionId, Connection, GenericAction, OwnedMessage, SendError, TrackError};
use tokio::sync::{mpsc, oneshot, watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

pub use config::{ClientConfig, Flow, Reconnect, Secret, DEFAULT_PORT, DEFAULT_TLS_PORT};
pub use error::{Error, LoginError};
pub use events::{ClientEvent, Events};
pub use reply::{ListPart, ListStream, Reply};
pub use tls::TlsConfig;

pub(crate) use calls::{Calls, Sink};
#[cfg(feature = "http")]
pub(crate) use driver::{random_unit, Io};
pub(crate) use events::Hub;

/// Tracking slots of a connection: `ami_proto::DEFAULT_PENDING`.
pub(crate) const SLOTS: usize = ami_proto::DEFAULT_PENDING;

/// A handle to one AMI connection. Clone it freely: all clones share the connection,
/// which closes when the last clone is dropped (or on [`logoff`](Self::logoff)).
///
/// ```no_run
/// use ami_proto::GenericAction;
/// use ami_tokio::{Client, ClientConfig};
///
/// # async fn run() -> Result<(), ami_tokio::Error> {
/// let client = Client::connect(ClientConfig::new("127.0.0.1").credentials("admin", "amp111")).await?;
/// let reply = client.send(&GenericAction::new("Ping")).await?;
/// assert!(reply.is_success());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    handle: Arc<Handle>,
}

/// Closes the connection when the last [`Client`] clone goes.
#[derive(Debug)]
struct Handle {
    shared: Arc<Shared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.close("the client was dropped");
    }
}

impl Client {
    /// Connects and logs in (then applies the configured filters); fails at once if any
    /// of that fails, with the reason (no retry: a wrong secret is an answer, not a
    /// fault). Once connected, lost connections are re-established per the config's
    /// [`Reconnect`] policy.
    pub async fn connect(config: ClientConfig) -> Result<Client, Error> {
        Client::connect_with_events(config)
            .await
            .map(|(client, _)| client)
    }

    /// Like [`connect`](Self::connect), with a subscriber that exists before the login:
    /// it sees [`ClientEvent::Connected`] and every event after the login (`FullyBooted`).
    pub async fn connect_with_events(config: ClientConfig) -> Result<(Client, Events), Error> {
        let (ready, outcome) = oneshot::channel();
        let (client, events) = Client::spawn(config, Some(ready));
        match outcome.await {
            Ok(Ok(())) => Ok((client, events)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(client.handle.shared.closed_error()),
        }
    }

    /// Returns at once and connects in the background, retrying per the config's
    /// [`Reconnect`] policy from the first attempt; calls wait for the connection
    /// (within their timeout). The subscriber sees every connection attempt's outcome.
    pub fn start(config: ClientConfig) -> (Client, Events) {
        Client::spawn(config, None)
    }

    fn spawn(
        config: ClientConfig,
        ready: Option<oneshot::Sender<Result<(), Error>>>,
    ) -> (Client, Events) {
        let shared = Arc::new(Shared::new(config));
        let events = shared.hub.subscribe();
        tokio::spawn(driver::run(shared.clone(), ready));
        let client = Client {
            handle: Arc::new(Handle { shared }),
        };
        (client, events)
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.handle.shared
    }

    /// Sends `action` and waits for its reply, matched by ActionID; for a list action
    /// (per its [`list_shape`](Action::list_shape) or an `EventList: start` reply) the
    /// whole list. Times out after the config's [`timeout`](ClientConfig::timeout).
    ///
    /// The action is any [`Action`]: an `ami-spec` typed action or a
    /// [`GenericAction`]. Events keep flowing to subscribers meanwhile.
    pub async fn send<A: Action + ?Sized>(&self, action: &A) -> Result<Reply, Error> {
        self.send_timeout(action, self.shared().config.timeout)
            .await
    }

    /// [`send`](Self::send) with its own timeout.
    pub async fn send_timeout<A: Action + ?Sized>(
        &self,
        action: &A,
        timeout: Duration,
    ) -> Result<Reply, Error> {
        let call = async {
            let (tx, rx) = oneshot::channel();
            let _call = self.start_call(action, Sink::reply(tx)).await?;
            rx.await
                .unwrap_or_else(|_| Err(self.shared().closed_error()))
        };
        tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(Error::Timeout { after: timeout }))
    }

    /// Sends a list action and returns once its response arrived (within the config's
    /// timeout); the items then arrive through the returned stream as Asterisk sends
    /// them, for lists too long to hold at once. Dropping the stream forgets the action.
    pub async fn send_streaming<A: Action + ?Sized>(
        &self,
        action: &A,
    ) -> Result<(OwnedMessage, ListStream), Error> {
        let timeout = self.shared().config.timeout;
        let call = async {
            let (response_tx, response_rx) = oneshot::channel();
            let (parts_tx, parts_rx) = mpsc::unbounded_channel();
            let sink = Sink::Stream {
                response: Some(response_tx),
                parts: parts_tx,
            };
            let guard = self.start_call(action, sink).await?;
            let response = response_rx
                .await
                .unwrap_or_else(|_| Err(self.shared().closed_error()))?;
            let stream = ListStream {
                parts: parts_rx,
                done: false,
                _call: guard,
            };
            Ok((response, stream))
        };
        tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(Error::Timeout { after: timeout }))
    }

    /// Waits for a slot and a ready connection, then queues the action.
    async fn start_call<A: Action + ?Sized>(
        &self,
        action: &A,
        mut sink: Sink,
    ) -> Result<CallGuard, Error> {
        let shared = self.shared();
        let permit = shared
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| shared.closed_error())?;
        loop {
            let generation = shared.wait_ready().await?;
            match shared.queue(action, generation, sink)? {
                Queued::Yes(id) => {
                    return Ok(CallGuard {
                        shared: shared.clone(),
                        id,
                        generation,
                        _permit: Some(permit),
                    })
                }
                // The connection changed between the wait and the queueing: wait again.
                Queued::NotReady(back) => sink = back,
            }
        }
    }

    /// A new subscriber: every event from now on (see [`Events`]).
    pub fn events(&self) -> Events {
        self.shared().hub.subscribe()
    }

    /// Sends `Logoff`, waits for its `Goodbye` (within the config's timeout), and closes
    /// the client: no reconnection, later calls fail with [`Error::Closed`].
    pub async fn logoff(&self) -> Result<(), Error> {
        self.shared().expect_close("logged off");
        let said = self.send(&GenericAction::new("Logoff")).await;
        self.shared().close("logged off");
        let mut phase = self.shared().phase.subscribe();
        let _ = phase.wait_for(|p| matches!(p, Phase::Closed(_))).await;
        said.map(|_| ())
    }

    /// Bytes read from the server so far, over every connection.
    pub fn bytes_received(&self) -> u64 {
        self.shared().bytes_received.load(Ordering::Relaxed)
    }

    /// True until the client is closed (logged off, out of reconnect attempts).
    pub fn is_open(&self) -> bool {
        !matches!(*self.shared().phase.borrow(), Phase::Closed(_))
    }
}

/// Where the driver is; callers wait on it.
#[derive(Debug, Clone)]
pub(crate) enum Phase {
    Connecting,
    /// Logged in with filters applied; the number tells connections (or HTTP sessions)
    /// apart.
    Ready(u64),
    Closed(Arc<str>),
}

impl Phase {
    /// The error of a call that finds the client closed.
    pub(crate) fn closed_error(phase: &watch::Sender<Phase>) -> Error {
        let reason = match &*phase.borrow() {
            Phase::Closed(reason) => reason.clone(),
            _ => "the client's task ended".into(),
        };
        Error::Closed { reason }
    }

    /// Waits until a connection (or session) is ready; its number.
    pub(crate) async fn wait_ready(phase: &watch::Sender<Phase>) -> Result<u64, Error> {
        let mut watching = phase.subscribe();
        loop {
            match &*watching.borrow_and_update() {
                Phase::Ready(generation) => return Ok(*generation),
                Phase::Closed(reason) => {
                    return Err(Error::Closed {
                        reason: reason.clone(),
                    })
                }
                Phase::Connecting => {}
            }
            if watching.changed().await.is_err() {
                return Err(Phase::closed_error(phase));
            }
        }
    }
}

/// What the client's handles and its driver share.
#[derive(Debug)]
struct Shared {
    config: ClientConfig,
    state: Mutex<State>,
    /// Wakes the writer: bytes are queued in the connection.
    wake_writer: Notify,
    /// One permit per tracking slot, but one kept for the keepalive.
    slots: Arc<Semaphore>,
    hub: Hub,
    phase: watch::Sender<Phase>,
    /// Cancelled when the client must close now.
    shutdown: CancellationToken,
    /// Cancelled by `logoff`: the coming end of the connection is wanted.
    closing: CancellationToken,
    close_reason: Mutex<Option<Arc<str>>>,
    bytes_received: AtomicU64,
}

/// The connection and the calls waiting on it, behind one lock.
#[derive(Debug, Default)]
struct State {
    conn: Option<Connection<'static>>,
    /// Counts connections: a call belongs to the one it was sent on.
    generation: u64,
    ready: bool,
    calls: Calls,
}

enum Queued {
    Yes(ActionId),
    NotReady(Sink),
}

impl Shared {
    fn new(config: ClientConfig) -> Self {
        let hub = Hub::new(config.event_buffer);
        Shared {
            config,
            state: Mutex::new(State::default()),
            wake_writer: Notify::new(),
            slots: Arc::new(Semaphore::new(SLOTS - 1)),
            hub,
            phase: watch::Sender::new(Phase::Connecting),
            shutdown: CancellationToken::new(),
            closing: CancellationToken::new(),
            close_reason: Mutex::new(None),
            bytes_received: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every step is one call
        // into the connection or the map): keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Says the connection's coming end is wanted, for `reason` (the first reason given
    /// wins): no reconnection after it.
    fn expect_close(&self, reason: &str) {
        let mut slot = self.close_reason.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| reason.into());
        self.closing.cancel();
    }

    /// Asks the driver to close now, with `reason` (the first reason given wins).
    fn close(&self, reason: &str) {
        self.expect_close(reason);
        self.shutdown.cancel();
    }

    fn closed_error(&self) -> Error {
        Phase::closed_error(&self.phase)
    }

    /// Waits until a connection is ready; its number.
    async fn wait_ready(&self) -> Result<u64, Error> {
        Phase::wait_ready(&self.phase).await
    }

    /// Queues `action` on connection `generation` if it is still the ready one.
    fn queue<A: Action + ?Sized>(
        &self,
        action: &A,
        generation: u64,
        sink: Sink,
    ) -> Result<Queued, Error> {
        let mut state = self.lock();
        if !state.ready || state.generation != generation {
            return Ok(Queued::NotReady(sink));
        }
        let id = state.send(action)?;
        state.calls.insert(id, sink);
        drop(state);
        self.wake_writer.notify_one();
        Ok(Queued::Yes(id))
    }
}

impl State {
    /// Queues `action` on the current connection.
    fn send<A: Action + ?Sized>(&mut self, action: &A) -> Result<ActionId, Error> {
        let conn = self.conn.as_mut().ok_or_else(|| Error::Disconnected {
            reason: "no connection".into(),
        })?;
        conn.send(action).map_err(|e| match e {
            SendError::Encode(e) => Error::Encode(e),
            SendError::BadActionId => {
                Error::ActionId("empty, longer than 48 bytes or holding CR, LF or NUL".into())
            }
            SendError::Track(TrackError::Duplicate(id)) => {
                Error::ActionId(format!("`{id}` is already in flight"))
            }
            other => Error::Disconnected {
                reason: other.to_string().into(),
            },
        })
    }
}

/// Keeps a call registered while its caller waits; dropped early (timeout, `select!`,
/// a dropped future or stream), it forgets the ActionID so the slot is free again.
#[derive(Debug)]
pub(crate) struct CallGuard {
    shared: Arc<Shared>,
    id: ActionId,
    generation: u64,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if state.generation == self.generation && state.calls.remove(&self.id) {
            if let Some(conn) = state.conn.as_mut() {
                conn.forget(&self.id);
            }
        }
    }
}
