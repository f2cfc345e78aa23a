//! The proxy's IO: a listener for downstream clients, one task pair per client (reading
//! into its [`Session`], writing out of its bounded queue), one upstream [`Client`] whose
//! events are handed to every session that admits them, and a task per forwarded action.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ami_proto::filter::{Broadcast, ManagerConf};
use ami_proto::{GenericAction, OwnedMessage};
use ami_tokio::{Client, ClientConfig, ClientEvent, Events, ListPart, ListStream};
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::outbox::{outbox, Outbox, OutboxReader, Refused};
use crate::reply;
use crate::session::{Logins, Session, Step};

/// What a proxy needs: its users, where to listen, the upstream connection, limits.
///
/// ```
/// use ami_proto::filter::{ManagerConf, Rules};
/// use ami_proxy::ProxyConfig;
/// use ami_tokio::ClientConfig;
///
/// let users = ManagerConf::parse(b"[ops]\nsecret = s\nread = all\nwrite = all\n", Rules::default()).unwrap();
/// let config = ProxyConfig::new(ClientConfig::new("pbx").credentials("proxy", "upstream-secret"), users)
///     .listen("127.0.0.1:0".parse().unwrap())
///     .queue_limit(4096);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    upstream: ClientConfig,
    users: Arc<ManagerConf>,
    listen: SocketAddr,
    queue_limit: usize,
    failed_login_delay: Duration,
    read_size: usize,
    tls: Option<(SocketAddr, Arc<rustls::ServerConfig>)>,
}

impl ProxyConfig {
    /// A proxy in front of the Asterisk `upstream` describes (its user should read every
    /// class and have no filters: the proxy filters for each client), serving the users
    /// of `users`. Defaults: listen on 127.0.0.1:5038, 10,000 messages queued per client,
    /// Asterisk's 1 s wait before refusing a login.
    pub fn new(upstream: ClientConfig, users: ManagerConf) -> ProxyConfig {
        ProxyConfig {
            upstream,
            users: Arc::new(users),
            listen: SocketAddr::from(([127, 0, 0, 1], 5038)),
            queue_limit: 10_000,
            failed_login_delay: Duration::from_secs(1),
            read_size: 16 * 1024,
            tls: None,
        }
    }

    /// Where downstream clients connect (port 0: any free port, see [`Proxy::addr`]).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Also listen for TLS clients at `addr` (see [`tls_server_config`](crate::tls_server_config)).
    pub fn listen_tls(mut self, addr: SocketAddr, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some((addr, config));
        self
    }

    /// How many messages may wait for a client that reads slower than they come; one more
    /// and the client is disconnected (with a log line saying so).
    pub fn queue_limit(mut self, messages: usize) -> Self {
        self.queue_limit = messages.max(1);
        self
    }

    /// How long a refused login waits before its answer (Asterisk waits 1 s, which slows
    /// down guessing).
    pub fn failed_login_delay(mut self, delay: Duration) -> Self {
        self.failed_login_delay = delay;
        self
    }
}

/// What the tasks share.
struct Shared {
    config: ProxyConfig,
    upstream: Client,
    banner: Mutex<Bytes>,
    clients: Mutex<HashMap<u64, Registered>>,
    next_id: AtomicU64,
    /// Who is logged in (for `allowmultiplelogin = no`).
    logins: Arc<Logins>,
    /// Clients connected that have not logged in (yet).
    unauthenticated: AtomicU64,
    shutdown: CancellationToken,
}

/// One client as the fan-out sees it.
struct Registered {
    session: Arc<Mutex<Session>>,
    queue: Outbox,
    /// Cancelled to disconnect the client; the reason is logged by whoever cancels.
    kick: CancellationToken,
}

/// A running proxy. Dropping it stops it: the listener, every client and the upstream
/// connection close.
pub struct Proxy {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy").field("addr", &self.addr).finish()
    }
}

impl Proxy {
    /// Connects to the upstream Asterisk (failing if that first login fails), then listens
    /// for clients.
    pub async fn start(config: ProxyConfig) -> Result<Proxy, StartError> {
        let upstream_config = config.upstream.clone().event_buffer(1 << 16);
        let (upstream, events) = Client::connect_with_events(upstream_config)
            .await
            .map_err(StartError::Upstream)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(StartError::Listen)?;
        let addr = listener.local_addr().map_err(StartError::Listen)?;
        let shared = Arc::new(Shared {
            config,
            upstream,
            banner: Mutex::new(Bytes::from_static(b"Asterisk Call Manager/12.0.0")),
            clients: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            unauthenticated: AtomicU64::new(0),
            logins: Arc::new(Logins::default()),
            shutdown: CancellationToken::new(),
        });
        let tls_addr = match &shared.config.tls {
            Some((tls_addr, config)) => {
                let tls_listener = TcpListener::bind(tls_addr)
                    .await
                    .map_err(StartError::Listen)?;
                let tls_addr = tls_listener.local_addr().map_err(StartError::Listen)?;
                let acceptor = tokio_rustls::TlsAcceptor::from(config.clone());
                tokio::spawn(accept_loop(shared.clone(), tls_listener, Some(acceptor)));
                info!(addr = %tls_addr, "proxy listening for TLS");
                Some(tls_addr)
            }
            None => None,
        };
        tokio::spawn(fan_out(shared.clone(), events));
        tokio::spawn(accept_loop(shared.clone(), listener, None));
        info!(%addr, "proxy listening");
        Ok(Proxy {
            addr,
            tls_addr,
            shared,
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address TLS clients connect to, if the proxy listens for them.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// How many clients are connected now (logged in or not).
    pub fn clients(&self) -> usize {
        lock(&self.shared.clients).len()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
        for (_, client) in lock(&self.shared.clients).drain() {
            client.kick.cancel();
        }
    }
}

/// Why a proxy did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The first upstream connection or login failed.
    Upstream(ami_tokio::Error),
    /// The listener could not be opened.
    Listen(io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Upstream(e) => write!(f, "upstream: {e}"),
            StartError::Listen(e) => write!(f, "listen: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shared.shutdown.cancelled() => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                match tls.clone() {
                    None => {
                        tokio::spawn(serve(shared, stream, peer));
                    }
                    Some(acceptor) => {
                        tokio::spawn(async move {
                            // The handshake counts against authtimeout too.
                            let limit =
                                Duration::from_secs(shared.config.users.general.authtimeout.into());
                            match tokio::time::timeout(limit, acceptor.accept(stream)).await {
                                Ok(Ok(stream)) => serve(shared, stream, peer).await,
                                Ok(Err(error)) => info!(%peer, %error, "TLS handshake failed"),
                                Err(_) => info!(%peer, "TLS handshake timed out"),
                            }
                        });
                    }
                }
            }
            Err(error) => {
                warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// One client, from connect to close.
async fn serve<S>(shared: Arc<Shared>, stream: S, peer: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    // Counted before the banner goes out: a client that has the banner is counted.
    let mut unauthenticated = Some(Unauthenticated::enter(&shared));
    let session = Arc::new(Mutex::new(Session::with_logins(
        shared.config.users.clone(),
        peer.ip(),
        shared.logins.clone(),
    )));
    let (queue, outgoing) = outbox(shared.config.queue_limit);
    let kick = shared.shutdown.child_token();
    lock(&shared.clients).insert(
        id,
        Registered {
            session: session.clone(),
            queue: queue.clone(),
            kick: kick.clone(),
        },
    );
    let (mut reader, writer) = tokio::io::split(stream);
    let mut banner = lock(&shared.banner).to_vec();
    banner.extend_from_slice(b"\r\n");
    let _ = queue.push(Bytes::from(banner));
    let mut writing = tokio::spawn(write_loop(writer, outgoing, kick.clone()));
    // Actions go upstream one after the other, as Asterisk runs a session's actions; a
    // client that sends faster waits (its reads stop) once this many are waiting.
    let (forwards, pending) = mpsc::channel(64);
    tokio::spawn(forward_loop(
        shared.clone(),
        id,
        pending,
        queue.clone(),
        kick.clone(),
    ));
    let mut user: Option<String> = None;
    let mut buf = vec![0u8; shared.config.read_size];
    // Asterisk's `authtimeout` and `authlimit` of `[general]`: a client must log in
    // within the time, and only so many may be connected without having logged in.
    let general = &shared.config.users.general;
    let login_deadline = tokio::time::sleep(Duration::from_secs(general.authtimeout.into()));
    tokio::pin!(login_deadline);
    let reason: String = loop {
        if unauthenticated.as_ref().is_some_and(|u| u.over_limit) {
            break format!(
                "more than authlimit = {} clients not logged in",
                general.authlimit
            );
        }
        let n = tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) => break "the client closed the connection".into(),
                Ok(n) => n,
                Err(error) => break format!("read failed: {error}"),
            },
            _ = kick.cancelled() => break "disconnected by the proxy".into(),
            _ = &mut login_deadline, if user.is_none() => {
                break format!("no login within authtimeout = {} s", general.authtimeout)
            }
        };
        let steps: Vec<Step> = {
            let mut session = lock(&session);
            session.handle_input(&buf[..n]);
            std::iter::from_fn(|| session.poll_step()).collect()
        };
        let link = Link {
            shared: &shared,
            id,
            peer,
            queue: &queue,
            forwards: &forwards,
            kick: &kick,
        };
        let end = run_steps(&link, steps, &mut user).await;
        if user.is_some() {
            unauthenticated = None;
        }
        if let Some(end) = end {
            break end;
        }
    };
    lock(&shared.clients).remove(&id);
    // Let what is queued (a Goodbye, a refusal, the replies to actions already sent) go
    // out, then close; a client that does not take it within 5 s is cut off.
    drop(forwards);
    drop(queue);
    if tokio::time::timeout(Duration::from_secs(5), &mut writing)
        .await
        .is_err()
    {
        kick.cancel();
        let _ = writing.await;
    }
    info!(%peer, user = user.as_deref().unwrap_or("-"), %reason, "client disconnected");
}

/// A client counted among those not logged in, for as long as it is one.
struct Unauthenticated<'a> {
    shared: &'a Shared,
    over_limit: bool,
}

impl<'a> Unauthenticated<'a> {
    fn enter(shared: &'a Shared) -> Unauthenticated<'a> {
        let before = shared.unauthenticated.fetch_add(1, Ordering::Relaxed);
        Unauthenticated {
            shared,
            over_limit: before >= u64::from(shared.config.users.general.authlimit),
        }
    }
}

impl Drop for Unauthenticated<'_> {
    fn drop(&mut self) {
        self.shared.unauthenticated.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One client's handles, for carrying out its session's steps.
struct Link<'a> {
    shared: &'a Arc<Shared>,
    id: u64,
    peer: SocketAddr,
    queue: &'a Outbox,
    forwards: &'a mpsc::Sender<(GenericAction, Option<Vec<u8>>)>,
    kick: &'a CancellationToken,
}

/// Carries out a session's steps; `Some(reason)` when the session is over.
async fn run_steps(link: &Link<'_>, steps: Vec<Step>, user: &mut Option<String>) -> Option<String> {
    let Link {
        shared,
        id,
        peer,
        queue,
        forwards,
        kick,
    } = link;
    for step in steps {
        match step {
            Step::Write(bytes) => {
                if !enqueue(shared, *id, queue, kick, [Bytes::from(bytes)]) {
                    return Some("its queue overflowed".into());
                }
            }
            Step::Forward { action_id, action } => {
                let sent = tokio::select! {
                    sent = forwards.send((action, action_id)) => sent.is_ok(),
                    _ = kick.cancelled() => false,
                };
                if !sent {
                    return Some("disconnected by the proxy".into());
                }
            }
            Step::LoggedIn { user: name } => {
                info!(%peer, user = %name, "client logged in");
                *user = Some(name);
            }
            Step::Refused { user: name, reason } => {
                info!(%peer, user = %name.escape_default(), %reason, "login refused");
                tokio::time::sleep(shared.config.failed_login_delay).await;
            }
            Step::Close { reason } => return Some(reason.into()),
        }
    }
    None
}

/// Queues messages for a client; a full queue disconnects it (`false`).
fn enqueue<I>(
    shared: &Shared,
    id: u64,
    queue: &Outbox,
    kick: &CancellationToken,
    messages: I,
) -> bool
where
    I: IntoIterator<Item = Bytes>,
    I::IntoIter: ExactSizeIterator,
{
    match queue.push_all(messages) {
        Ok(()) => true,
        Err(Refused::Full) => {
            warn!(
                client = id,
                limit = shared.config.queue_limit,
                "client disconnected: it does not read as fast as messages come (queue full)"
            );
            kick.cancel();
            false
        }
        Err(Refused::Closed) => false,
    }
}

async fn write_loop(
    mut writer: impl AsyncWrite + Unpin,
    mut outgoing: OutboxReader,
    kick: CancellationToken,
) {
    loop {
        // What queued up meanwhile goes out in the same write: one system call per
        // message would cost the proxy (and the client) more than everything else.
        let more = tokio::select! {
            more = outgoing.write_next(&mut writer, WRITE_BATCH) => more,
            // A kicked client gets nothing more.
            _ = kick.cancelled() => Ok(false),
        };
        match more {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                kick.cancel();
                break;
            }
        }
    }
    let _ = writer.shutdown().await;
}

/// About how many bytes a client's writer gathers from its queue into one write.
const WRITE_BATCH: usize = 64 * 1024;

/// Sends one client's actions upstream in order, each once the previous one's response
/// came back.
async fn forward_loop(
    shared: Arc<Shared>,
    id: u64,
    mut pending: mpsc::Receiver<(GenericAction, Option<Vec<u8>>)>,
    queue: Outbox,
    kick: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            next = pending.recv() => next,
            _ = kick.cancelled() => None,
        };
        let Some((action, action_id)) = next else {
            return;
        };
        let to = Downstream {
            shared: shared.clone(),
            id,
            queue: queue.clone(),
            kick: kick.clone(),
        };
        let call = forward(shared.upstream.clone(), action, action_id, to);
        tokio::select! {
            () = call => {}
            _ = kick.cancelled() => return,
        }
    }
}

/// Where a forwarded action's replies go.
struct Downstream {
    shared: Arc<Shared>,
    id: u64,
    queue: Outbox,
    kick: CancellationToken,
}

impl Downstream {
    fn send(&self, bytes: Bytes) -> bool {
        enqueue(&self.shared, self.id, &self.queue, &self.kick, [bytes])
    }
}

/// Sends one action upstream and writes its response back with the client's ActionID;
/// the items of an `EventList` follow before the next action goes, those of any other
/// list (an `Async` Originate's `OriginateResponse`) whenever they come.
async fn forward(
    upstream: Client,
    action: GenericAction,
    action_id: Option<Vec<u8>>,
    to: Downstream,
) {
    let (response, parts) = match upstream.send_streaming(&action).await {
        Ok(answer) => answer,
        Err(error) => {
            let message = format!("Proxy: {error}");
            let bytes = reply::error(
                action_id.as_deref(),
                message.replace(['\r', '\n'], " ").as_bytes(),
            );
            to.send(Bytes::from(bytes));
            return;
        }
    };
    if !to.send(Bytes::from(reply::with_action_id(
        &response.message(),
        action_id.as_deref(),
    ))) {
        return;
    }
    let event_list = response
        .message()
        .get("EventList")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"start"));
    let items = stream_items(parts, action_id, to);
    if event_list {
        items.await;
    } else {
        tokio::spawn(items);
    }
}

/// Writes a list's items and its end back with the client's ActionID.
async fn stream_items(mut parts: ListStream, action_id: Option<Vec<u8>>, to: Downstream) {
    let id = action_id.as_deref();
    while let Some(part) = std::future::poll_fn(|cx| {
        futures_core::Stream::poll_next(std::pin::Pin::new(&mut parts), cx)
    })
    .await
    {
        let bytes = match part {
            Ok(ListPart::Item(item)) => reply::with_action_id(&item.message(), id),
            Ok(ListPart::End { last, .. }) => reply::with_action_id(&last.message(), id),
            Ok(_) => continue,
            Err(error) => {
                let message = format!("Proxy: the list was cut short: {error}");
                reply::error(id, message.replace(['\r', '\n'], " ").as_bytes())
            }
        };
        if !to.send(Bytes::from(bytes)) {
            return;
        }
    }
}

/// Hands every upstream event to the clients whose sessions admit it.
async fn fan_out(shared: Arc<Shared>, mut events: Events) {
    // Set by a (re)login: the `FullyBooted` Asterisk writes right after it is the proxy's
    // own, not an event for every session.
    let mut just_logged_in = false;
    let mut ready = Vec::new();
    let mut broadcasts = Vec::new();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shared.shutdown.cancelled() => return,
        };
        let Some(event) = event else {
            return;
        };
        // The events that came in together go to each client together: one queue entry
        // and one write per client, not one per event.
        ready.push(event);
        while ready.len() < FAN_OUT_BATCH {
            match events.try_recv() {
                Some(event) => ready.push(event),
                None => break,
            }
        }
        for event in ready.drain(..) {
            let greeting = std::mem::take(&mut just_logged_in);
            match event {
                ClientEvent::Event(message) | ClientEvent::Unmatched(message)
                    if is_for_sessions(&message.message(), greeting) =>
                {
                    broadcasts.push(message);
                }
                other => {
                    // What is not an event for the sessions keeps its place among them.
                    broadcast(&shared, &mut broadcasts);
                    just_logged_in = on_upstream_change(&shared, other);
                }
            }
        }
        broadcast(&shared, &mut broadcasts);
    }
}

/// The most upstream events the fan-out takes at once.
const FAN_OUT_BATCH: usize = 256;

/// Acts on what the upstream client says besides events; `true` after a (re)login.
fn on_upstream_change(shared: &Shared, event: ClientEvent) -> bool {
    match event {
        ClientEvent::Connected { banner } => {
            *lock(&shared.banner) = banner;
            true
        }
        ClientEvent::Reconnected { banner } => {
            *lock(&shared.banner) = banner;
            info!("upstream connection restored");
            to_everyone(
                shared,
                reply::upstream_event("ProxyUpstreamRestored", "logged in again"),
            );
            true
        }
        ClientEvent::Disconnected { reason } => {
            warn!(%reason, "upstream connection lost");
            to_everyone(shared, reply::upstream_event("ProxyUpstreamLost", &reason));
            false
        }
        ClientEvent::Lagged { missed } => {
            // Events were lost between Asterisk and the proxy: say so to everyone
            // rather than lose them silently.
            warn!(missed, "the proxy fell behind its upstream connection");
            let reason = format!("the proxy missed {missed} upstream events");
            to_everyone(shared, reply::upstream_event("ProxyEventsLost", &reason));
            false
        }
        _ => false,
    }
}

/// Whether an upstream message is an event Asterisk queued for every session: not a list
/// item nobody waits for, and not the `FullyBooted` that greets the proxy's own login
/// (`greeting`: the message came right after it).
fn is_for_sessions(message: &ami_proto::Message<'_>, greeting: bool) -> bool {
    message.kind() == ami_proto::Kind::Event
        && !is_reply_item(message)
        && !(greeting && message.name() == b"FullyBooted")
}

/// Whether an upstream event is an item of a list the proxy asked for rather than an event
/// Asterisk queued for every session: it carries one of the upstream client's ActionIDs
/// (`ami-` and a number) and, as list items do, no `Privilege:`. Such an item reaches the
/// proxy's event stream when its call is gone (the client that asked left): it is nobody's.
/// A `UserEvent` sent through the proxy carries one of these ActionIDs too, but also its
/// `Privilege:`, and goes to everyone as Asterisk sends it.
fn is_reply_item(event: &ami_proto::Message<'_>) -> bool {
    let ours = event
        .action_id()
        .and_then(|id| id.strip_prefix(b"ami-"))
        .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit));
    ours && event.get("Privilege").is_none()
}

/// Hands each client the events it admits, in order, all at once; `events` is left empty.
fn broadcast(shared: &Shared, events: &mut Vec<OwnedMessage>) {
    if events.is_empty() {
        return;
    }
    let views: Vec<ami_proto::Message<'_>> = events.iter().map(OwnedMessage::message).collect();
    // Classes and filter text do not depend on the client: prepared once.
    let prepared: Vec<Broadcast<'_>> = views.iter().map(Broadcast::new).collect();
    let mut admitted = Vec::with_capacity(events.len());
    let clients = lock(&shared.clients);
    for (id, client) in clients.iter() {
        admitted.clear();
        {
            let session = lock(&client.session);
            admitted.extend((0..events.len()).filter(|&n| session.admits(&prepared[n])));
        }
        if admitted.is_empty() {
            continue;
        }
        let messages = admitted.iter().map(|&n| events[n].bytes().clone());
        enqueue(shared, *id, &client.queue, &client.kick, messages);
    }
    events.clear();
}

/// Writes `bytes` to every logged-in client.
fn to_everyone(shared: &Shared, bytes: Vec<u8>) {
    let bytes = Bytes::from(bytes);
    let clients = lock(&shared.clients);
    for (id, client) in clients.iter() {
        if lock(&client.session).user().is_some() {
            enqueue(shared, *id, &client.queue, &client.kick, [bytes.clone()]);
        }
    }
}
