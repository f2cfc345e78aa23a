//! The AJAM client: the manager over HTTP (Asterisk's `http.conf` with manager.conf's
//! `webenabled = yes`), used through the same calls, replies and event stream as the TCP
//! [`Client`](crate::Client).
//!
//! - A call is one HTTP request: the action's parameters in the query (a `Login` as a
//!   POST form), percent-encoded from exactly the headers `ActionWriter` accepts, so no
//!   value can add a parameter or a header. Its reply, list items and list end come back
//!   in the body, in the configured encoding, and are matched by ActionID as on TCP.
//! - Events are not pushed over HTTP: a background task polls them with `WaitEvent`
//!   (which also keeps the session alive) and publishes each body's events as one batch
//!   to the subscribers, exactly as the TCP client publishes one socket read.
//! - On the cookie paths a reply under a new `mansession_id` means the session is gone
//!   (see [`HttpError::SessionExpired`]): the call fails, subscribers see
//!   [`ClientEvent::Disconnected`], the task logs in again and announces
//!   [`ClientEvent::Reconnected`]. A failed poll is handled the same way.
//! - On the digest paths every request carries an `Authorization` computed for its exact
//!   target; `401` challenges (the first one, and a new nonce every minute or so) are
//!   answered without the caller noticing. Asterisk gives no sign there when a session
//!   expired: the next request silently starts a new one (events queued in the old one are
//!   lost), which polling, by keeping the session busy, avoids.
//!
//! Logs (`tracing`) name the action and the path, never a parameter value: the secret is
//! only ever in a POST body (cookie login) or nowhere (digest).

mod config;
mod driver;
mod error;
mod routing;
mod session;
mod transport;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ami_http::ActionParams;
use ami_proto::{Action, ActionId, GenericAction};
use bytes::Bytes;
use http::header::SERVER;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client::{ClientEvent, Error, Events, Hub, Phase, Reply, Sink, SLOTS};

pub use config::{HttpConfig, UrlError};
pub use error::HttpError;

use routing::Routing;
use session::{Session, Verdict};
use transport::{Answer, Transport};

/// How many times one request is sent before giving up: the first `401` challenge, then
/// new nonces (every minute, or when the poll and a call overtook each other).
const MAX_CHALLENGES: usize = 6;

/// A handle to one AJAM session. Clone it freely: all clones share the session, which
/// ends when the last clone is dropped (or on [`logoff`](Self::logoff)).
///
/// ```no_run
/// use ami_proto::GenericAction;
/// use ami_tokio::{ClientEvent, Encoding, HttpClient, HttpConfig};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = HttpConfig::new("http://127.0.0.1:8088")?
///     .credentials("admin", "amp111")
///     .encoding(Encoding::Mxml);
/// let client = HttpClient::connect(config).await?;
/// let mut events = client.events();
/// let reply = client.send(&GenericAction::new("CoreShowChannels")).await?;
/// println!("{} channels", reply.items().len());
/// while let Some(ClientEvent::Event(e)) = events.recv().await {
///     println!("{}", String::from_utf8_lossy(e.message().name()));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct HttpClient {
    handle: Arc<Handle>,
}

/// Ends the session when the last [`HttpClient`] clone goes.
#[derive(Debug)]
struct Handle {
    shared: Arc<Shared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.close("the client was dropped");
    }
}

impl HttpClient {
    /// Logs in (cookie paths: a `Login` POST; digest paths: a `Ping` that answers the
    /// first challenge) and starts polling events; fails at once if the login fails, with
    /// the reason (a wrong secret is [`Error::Login`]). Once logged in, a lost session is
    /// logged in again per the config's [`reconnect`](HttpConfig::reconnect) policy.
    pub async fn connect(config: HttpConfig) -> Result<HttpClient, Error> {
        HttpClient::connect_with_events(config)
            .await
            .map(|(client, _)| client)
    }

    /// Like [`connect`](Self::connect), with a subscriber that exists before the login:
    /// it sees [`ClientEvent::Connected`] and every event polled after it.
    pub async fn connect_with_events(config: HttpConfig) -> Result<(HttpClient, Events), Error> {
        let shared = Arc::new(Shared::new(config)?);
        let events = shared.hub.subscribe();
        let (ready, outcome) = oneshot::channel();
        tokio::spawn(driver::run(shared.clone(), ready));
        let client = HttpClient {
            handle: Arc::new(Handle { shared }),
        };
        match outcome.await {
            Ok(Ok(())) => Ok((client, events)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(client.shared().closed_error()),
        }
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.handle.shared
    }

    /// Sends `action` and waits for its reply, matched by ActionID; for a list action
    /// (per its [`list_shape`](Action::list_shape) or an `EventList: start` reply) the
    /// whole list, whose end may come with a later poll (an `Async` Originate's
    /// `OriginateResponse`). Times out after the config's
    /// [`timeout`](HttpConfig::timeout).
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
        let call = self.shared().call(action, Purpose::User);
        tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(Error::Timeout { after: timeout }))
    }

    /// A new subscriber: every event from now on (see [`Events`]).
    pub fn events(&self) -> Events {
        self.shared().hub.subscribe()
    }

    /// Sends `Logoff` (within the config's timeout) and closes the client: no new login,
    /// later calls fail with [`Error::Closed`].
    pub async fn logoff(&self) -> Result<(), Error> {
        let shared = self.shared();
        shared.expect_close("logged off");
        let said = self.send(&GenericAction::new("Logoff")).await;
        shared.close("logged off");
        let mut phase = shared.phase.subscribe();
        let _ = phase.wait_for(|p| matches!(p, Phase::Closed(_))).await;
        said.map(|_| ())
    }

    /// Body bytes received so far, over every request.
    pub fn bytes_received(&self) -> u64 {
        self.shared().bytes_received.load(Ordering::Relaxed)
    }

    /// True until the client is closed (logged off, dropped, out of login attempts).
    pub fn is_open(&self) -> bool {
        !matches!(*self.shared().phase.borrow(), Phase::Closed(_))
    }
}

/// Who makes a call, which decides what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// A user's call: waits for a free slot and a logged-in session.
    User,
    /// The task's own call (poll, keepalive), made while the session is logged in.
    Driver,
    /// The login that starts session `generation`.
    Login(u64),
}

/// What the client's handles and its task share.
#[derive(Debug)]
struct Shared {
    config: HttpConfig,
    transport: Transport,
    session: Session,
    routing: Mutex<Routing>,
    /// One permit per tracking slot, but one kept for the task's poll or keepalive.
    slots: Arc<Semaphore>,
    hub: Hub,
    phase: watch::Sender<Phase>,
    /// The highest session generation a reply showed gone (0: none).
    expired: watch::Sender<u64>,
    /// The `Server` header of the last login's reply (the "banner").
    server: Mutex<Bytes>,
    /// Held by a user's call for its whole digest exchange (see `exchange`).
    digest_turn: tokio::sync::Mutex<()>,
    /// Cancelled when the client must close now.
    shutdown: CancellationToken,
    /// Cancelled by `logoff`: the coming end of the session is wanted.
    closing: CancellationToken,
    close_reason: Mutex<Option<Arc<str>>>,
    bytes_received: AtomicU64,
}

/// Keeps a call registered while it runs; dropped (done, failed, timed out, or its
/// future dropped), it forgets the ActionID.
struct Registered<'s> {
    shared: &'s Shared,
    id: ActionId,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut items = Vec::new();
        self.shared.routing().forget(&self.id, &mut items);
        self.shared.hub.publish(items);
    }
}

impl Shared {
    fn new(config: HttpConfig) -> Result<Shared, Error> {
        let transport = Transport::new(&config)?;
        let session = Session::new(
            config.endpoint.clone(),
            config.username.clone(),
            config.secret.clone(),
        );
        Ok(Shared {
            hub: Hub::new(config.event_buffer),
            transport,
            session,
            routing: Mutex::new(Routing::default()),
            slots: Arc::new(Semaphore::new(SLOTS - 1)),
            phase: watch::Sender::new(Phase::Connecting),
            expired: watch::Sender::new(0),
            server: Mutex::new(Bytes::new()),
            digest_turn: tokio::sync::Mutex::new(()),
            shutdown: CancellationToken::new(),
            closing: CancellationToken::new(),
            close_reason: Mutex::new(None),
            bytes_received: AtomicU64::new(0),
            config,
        })
    }

    fn routing(&self) -> MutexGuard<'_, Routing> {
        // Every step under the lock leaves consistent data: keep going after a panic.
        self.routing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Says the session's coming end is wanted, for `reason` (the first reason given
    /// wins): no new login after it.
    fn expect_close(&self, reason: &str) {
        let mut slot = self.close_reason.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| reason.into());
        self.closing.cancel();
    }

    /// Asks the task to close now, with `reason` (the first reason given wins).
    fn close(&self, reason: &str) {
        self.expect_close(reason);
        self.shutdown.cancel();
    }

    fn reason(&self) -> Arc<str> {
        let slot = self.close_reason.lock().unwrap_or_else(|e| e.into_inner());
        slot.clone().unwrap_or_else(|| "closed".into())
    }

    fn closed_error(&self) -> Error {
        Phase::closed_error(&self.phase)
    }

    /// One call: register it, send its request, deliver its body, wait for the rest of
    /// its list if a later poll brings it.
    async fn call<A: Action + ?Sized>(&self, action: &A, purpose: Purpose) -> Result<Reply, Error> {
        let _permit = match purpose {
            Purpose::User => Some(
                self.slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| self.closed_error())?,
            ),
            Purpose::Driver | Purpose::Login(_) => None,
        };
        if purpose == Purpose::User {
            Phase::wait_ready(&self.phase).await?;
        }
        let (tx, rx) = oneshot::channel();
        let (id, params) = self.routing().register(action, Sink::reply(tx))?;
        let _registered = Registered { shared: self, id };
        debug!(action = action.name(), id = %id, "request");
        let answer = self.exchange(&params, purpose).await?;
        self.bytes_received
            .fetch_add(answer.body.len() as u64, Ordering::Relaxed);
        let mut items = Vec::new();
        {
            let mut routing = self.routing();
            let encoding = self.session.endpoint().encoding();
            let malformed = routing.route_body(
                encoding,
                &answer.body,
                self.config.decoder,
                Some(id),
                &mut items,
            );
            if routing.awaits_response(&id) {
                routing.fail(
                    &id,
                    Error::Http(HttpError::NoReply { malformed }),
                    &mut items,
                );
            }
        }
        self.hub.publish(items);
        rx.await.unwrap_or_else(|_| Err(self.closed_error()))
    }

    /// Sends the request for `params` with the session's credentials until it gets its
    /// reply: digest challenges are answered, an expired session is reported to the task.
    ///
    /// With digest, Asterisk takes a nonce count (`nc`) only if it is higher than every one
    /// it has seen, so requests that overtake each other on their way are refused as
    /// stale: calls are sent one at a time (the task's poll alongside them).
    async fn exchange(&self, params: &ActionParams, purpose: Purpose) -> Result<Answer, Error> {
        let login = match purpose {
            Purpose::Login(generation) => Some(generation),
            Purpose::User | Purpose::Driver => None,
        };
        let digest = self.session.endpoint().auth() == ami_http::Auth::Digest;
        let _turn = match purpose {
            Purpose::User if digest => Some(self.digest_turn.lock().await),
            _ => None,
        };
        for _ in 0..MAX_CHALLENGES {
            let (request, sent) = self.session.request(params, login.is_some())?;
            let answer = self.transport.send(request).await?;
            match self.session.judge(&answer, &sent, login)? {
                Verdict::Reply => {
                    if login.is_some() {
                        let server = answer.headers.get(SERVER).map(|v| v.as_bytes());
                        *self.server.lock().unwrap_or_else(|e| e.into_inner()) =
                            Bytes::copy_from_slice(server.unwrap_or_default());
                    }
                    return Ok(answer);
                }
                Verdict::Retry => debug!("answering a digest challenge"),
                Verdict::Expired { generation } => {
                    self.expired.send_if_modified(|gone| {
                        let newer = generation > *gone;
                        if newer {
                            *gone = generation;
                        }
                        newer
                    });
                    return Err(Error::Http(HttpError::SessionExpired));
                }
            }
        }
        Err(Error::Http(HttpError::TooManyChallenges))
    }

    /// Publishes `items` to every subscriber (one batch).
    fn publish(&self, items: Vec<ClientEvent>) {
        self.hub.publish(items);
    }
}
