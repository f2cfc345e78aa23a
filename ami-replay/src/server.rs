//! The fake Asterisk: a listener on loopback (or a given address) that gives every
//! connection its own session of a capture.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ami_proto::Limits;
use bytes::Bytes;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::broadcast;
use tokio::task::{JoinHandle, JoinSet};

use crate::capture::Capture;
use crate::fault::{Fault, Faults};
use crate::pace::{EventOrder, Pace};
use crate::session::{self, Command, Engine};
use crate::users::Users;

/// What every session of a server shares.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The captures sessions play (the first `played` of them), then those that only
    /// answer what the played ones lack.
    pub(crate) captures: Vec<Capture>,
    pub(crate) played: usize,
    pub(crate) pace: Pace,
    pub(crate) order: EventOrder,
    pub(crate) loop_events: bool,
    pub(crate) users: Option<Users>,
    pub(crate) stream_after_login: Option<Bytes>,
    pub(crate) request_limits: Limits,
}

/// Live counts, shared with the sessions.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) accepted: AtomicUsize,
    pub(crate) logged_in: AtomicUsize,
    pub(crate) active: AtomicUsize,
    pub(crate) requests: AtomicUsize,
}

/// What a server has seen, for tests to assert on (see [`ReplayServer::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Connections accepted since the server started (restarts included).
    pub accepted: usize,
    /// Successful logins.
    pub logged_in: usize,
    /// Connections open now.
    pub active: usize,
    /// Requests read (answered or not, malformed ones included).
    pub requests: usize,
}

/// Requests are read with these limits unless [`Builder::request_limits`] says otherwise:
/// far above Asterisk's own (1,024-byte lines, 128 headers), small enough that a client
/// cannot make a session hold much memory.
pub const REQUEST_LIMITS: Limits = Limits::DEFAULT
    .with_max_line(64 * 1024)
    .with_max_message(1024 * 1024)
    .with_max_headers(4096);

struct Shared {
    settings: Arc<Settings>,
    counters: Arc<Counters>,
    faults: Mutex<Vec<Fault>>,
    commands: broadcast::Sender<Command>,
}

/// A fake Asterisk serving [`Capture`]s on TCP, for tests and for `ami replay`.
///
/// Each connection is its own session of one capture (the n-th connection plays capture
/// n modulo their number): the capture's banner first; then
/// - `Login`: accepted for any user, or, with [`Builder::users`], checked as Asterisk
///   checks it (plain `Secret`, or MD5 `Key` after a `Challenge`); the reply is the one
///   recorded (else Asterisk's own); a failed login is answered after Asterisk's one-second
///   wait (scaled by the [`Pace`]) and the connection closed. The Login's `Events` header
///   sets the event mask;
/// - before a login, any action but `Login`, `Challenge` and `Logoff` gets `Permission
///   denied`, as Asterisk answers it;
/// - every other action gets the recorded reply to the same action (where the capture has
///   several, the one whose headers are most alike, an unused one first), from this
///   session's capture or else from the other captures (and the [`Builder::fallback`]
///   ones), with the client's `ActionID` in
///   place of the recorded one (none if the client sent none), list items and the list's
///   end included; replies recorded later (an `Async` Originate's `OriginateResponse`)
///   follow after their recorded delay;
/// - an action no capture recorded gets Asterisk's `Invalid/unknown command` error; a
///   request without `Action` gets `Missing action in request`; `Events` and `Filter`
///   change the session's event mask and filters and are answered as Asterisk answers
///   them, by ami-proto's filter engine ([`ami_proto::filter`]), which also decides which
///   events the session is sent from its user's `read` classes and `eventfilter`s
///   ([`Builder::users`]);
/// - `Logoff` gets its `Goodbye`, then the connection closes;
/// - after the login, the capture's events (every message no request asked for) are played
///   in recorded order at the recorded pace ([`Builder::pace`], [`Builder::loop_events`],
///   [`Builder::event_order`]), through the session's event mask.
///
/// Dropping the server closes the listener and every session.
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use ami_replay::{Capture, ReplayServer};
/// let capture = Capture::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/asterisk-23.4.1/08_ping"))?;
/// let server = ReplayServer::start([capture]).await?;
/// let stream = tokio::net::TcpStream::connect(server.addr()).await?;
/// # drop(stream);
/// # Ok(())
/// # }
/// ```
pub struct ReplayServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayServer")
            .field("addr", &self.addr)
            .field("captures", &self.shared.settings.captures)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Settings for a [`ReplayServer`], from [`ReplayServer::builder`].
///
/// ```
/// # async fn demo(captures: Vec<ami_replay::Capture>) -> std::io::Result<()> {
/// use ami_replay::{EventOrder, Fault, Pace, ReplayServer, Users};
/// let server = ReplayServer::builder(captures)
///     .listen("127.0.0.1:0".parse().unwrap())
///     .pace(Pace::Speed(10.0))
///     .event_order(EventOrder::AsRecorded)
///     .loop_events(true)
///     .users(Users::new().user("admin", "amp111"))
///     .fault(Fault::CloseMidList { items: 2 })
///     .start()
///     .await?;
/// # drop(server);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `start`"]
pub struct Builder {
    captures: Vec<Capture>,
    fallback: Vec<Capture>,
    addr: SocketAddr,
    pace: Pace,
    order: EventOrder,
    loop_events: bool,
    users: Option<Users>,
    faults: Vec<Fault>,
    stream_after_login: Option<Bytes>,
    request_limits: Limits,
}

impl Builder {
    /// Where to listen (default `127.0.0.1:0`, a free port on loopback).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// How fast events play (default: as recorded).
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        self
    }

    /// Where events go among the replies (default [`EventOrder::Clock`]).
    pub fn event_order(mut self, order: EventOrder) -> Self {
        self.order = order;
        self
    }

    /// Play the events again from the first once the last has played, for ever (the
    /// replies are not replayed; a capture without events does not loop).
    pub fn loop_events(mut self, yes: bool) -> Self {
        self.loop_events = yes;
        self
    }

    /// Check logins against these users (default: accept any login).
    pub fn users(mut self, users: Users) -> Self {
        self.users = Some(users);
        self
    }

    /// Captures that no session plays but whose replies answer what a session's own
    /// capture lacks (after the other played captures): a `Ping` for keepalives, say,
    /// beside a capture of events.
    ///
    /// ```
    /// # async fn demo(events: ami_replay::Capture, ping: ami_replay::Capture) -> std::io::Result<()> {
    /// let server = ami_replay::ReplayServer::builder([events]).fallback([ping]).start().await?;
    /// # drop(server);
    /// # Ok(())
    /// # }
    /// ```
    pub fn fallback(mut self, captures: impl IntoIterator<Item = Capture>) -> Self {
        self.fallback.extend(captures);
        self
    }

    /// Add a fault to every session (see [`Fault`]).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// After the login, write these bytes as fast as the socket takes them, instead of
    /// the captures' events (with [`loop_events`](Self::loop_events), again and again).
    /// Replies are still given. For throughput tests: see [`after_login`](crate::after_login).
    pub fn stream_after_login(mut self, bytes: impl Into<Bytes>) -> Self {
        self.stream_after_login = Some(bytes.into());
        self
    }

    /// Limits for reading requests (default [`REQUEST_LIMITS`]); a request beyond them is
    /// skipped, as a malformed one.
    pub fn request_limits(mut self, limits: Limits) -> Self {
        self.request_limits = limits;
        self
    }

    /// Binds and starts serving. Fails without a capture, or when the address cannot be
    /// bound.
    pub async fn start(self) -> io::Result<ReplayServer> {
        if self.captures.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a replay server needs at least one capture",
            ));
        }
        let listener = bind(self.addr)?;
        let addr = listener.local_addr()?;
        let (commands, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            settings: Arc::new(Settings {
                played: self.captures.len(),
                captures: self.captures.into_iter().chain(self.fallback).collect(),
                pace: self.pace,
                order: self.order,
                loop_events: self.loop_events,
                users: self.users,
                stream_after_login: self.stream_after_login,
                request_limits: self.request_limits,
            }),
            counters: Arc::default(),
            faults: Mutex::new(self.faults),
            commands,
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(ReplayServer {
            addr,
            shared,
            accept: Mutex::new(Some(accept)),
        })
    }
}

impl ReplayServer {
    /// Serves `captures` on a free port of 127.0.0.1 with the default settings.
    pub async fn start(captures: impl IntoIterator<Item = Capture>) -> io::Result<ReplayServer> {
        ReplayServer::builder(captures).start().await
    }

    /// A server with more settings.
    pub fn builder(captures: impl IntoIterator<Item = Capture>) -> Builder {
        Builder {
            captures: captures.into_iter().collect(),
            fallback: Vec::new(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            pace: Pace::default(),
            order: EventOrder::default(),
            loop_events: false,
            users: None,
            faults: Vec::new(),
            stream_after_login: None,
            request_limits: REQUEST_LIMITS,
        }
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Counts so far.
    pub fn stats(&self) -> Stats {
        let c = &self.shared.counters;
        Stats {
            accepted: c.accepted.load(Ordering::Relaxed),
            logged_in: c.logged_in.load(Ordering::Relaxed),
            active: c.active.load(Ordering::Relaxed),
            requests: c.requests.load(Ordering::Relaxed),
        }
    }

    /// Replaces the faults of the sessions accepted from now on.
    pub fn set_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        *self.shared.faults.lock().unwrap_or_else(|e| e.into_inner()) =
            faults.into_iter().collect();
    }

    /// Writes `bytes` as they are to every open session, after what it has queued
    /// (malformed input, for instance).
    pub fn send_raw(&self, bytes: impl Into<Bytes>) {
        let _ = self.shared.commands.send(Command::Send(bytes.into()));
    }

    /// Every open session stops answering and sending events; the sockets stay open and
    /// what clients send is read and dropped.
    pub fn go_silent(&self) {
        let _ = self.shared.commands.send(Command::Silence);
    }

    /// Closes every open session now; the server goes on accepting.
    pub fn disconnect_all(&self) {
        let _ = self.shared.commands.send(Command::Disconnect);
    }

    /// Drops every session and the listener, then listens again on the same address, as
    /// a restarted Asterisk would: clients see their connection closed and can connect
    /// again. Counts are kept.
    pub async fn restart(&self) -> io::Result<()> {
        self.stop().await;
        let listener = bind_again(self.addr).await?;
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&self.shared)));
        *self.accept.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        Ok(())
    }

    /// Closes the listener and every session, and waits until they are gone.
    pub async fn shutdown(self) {
        self.stop().await;
    }

    async fn stop(&self) {
        let task = self.accept.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(task) = self.accept.lock().unwrap_or_else(|e| e.into_inner()).take() {
            task.abort();
        }
    }
}

/// A listener that can be bound again right after it is closed (`SO_REUSEADDR`), even
/// while the closed sessions' sockets linger.
fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// [`bind`], retried for a moment: the old listener's socket may take a few milliseconds
/// to be released by the runtime.
async fn bind_again(addr: SocketAddr) -> io::Result<TcpListener> {
    let mut tries = 0;
    loop {
        match bind(addr) {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && tries < 50 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => return other,
        }
    }
}

/// Takes one away from `active` when a session ends, however it ends.
struct Active(Arc<Counters>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Accepts connections and runs their sessions; aborting it ends them all.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors, most likely: let sessions end before retrying.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let counters = Arc::clone(&shared.counters);
                let n = counters.accepted.fetch_add(1, Ordering::Relaxed);
                counters.active.fetch_add(1, Ordering::Relaxed);
                let active = Active(Arc::clone(&counters));
                let settings = Arc::clone(&shared.settings);
                let faults = Faults::new(&shared.faults.lock().unwrap_or_else(|e| e.into_inner()));
                let own = n % settings.played;
                let limits = settings.request_limits;
                let engine = Engine::new(settings, counters, own, faults);
                let commands = shared.commands.subscribe();
                sessions.spawn(async move {
                    let _active = active;
                    session::run(stream, engine, commands, limits).await;
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}
