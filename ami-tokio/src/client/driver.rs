//! The task behind a [`Client`](crate::Client): connects, logs in, moves bytes between
//! the socket and the [`ami_proto::Connection`], sends keepalives, and reconnects.

use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

use ami_proto::filter::{EventGate, Origin};
use ami_proto::{ActionIdAllocator, ConnEvent, Connection, Credentials, GenericAction};
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tracing::{debug, info, warn, Instrument};

use super::{ClientEvent, Error, LoginError, Phase, Shared, Sink, State};

/// A byte stream: TCP or TLS over TCP.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// How one connection ended.
struct Ended {
    error: Error,
    /// It had logged in (and applied the filters).
    was_ready: bool,
    /// Its login succeeded and subscribers were told (`Connected` or `Reconnected`), even
    /// if it ended before it was ready (while adding the filters): they must hear it
    /// ended.
    announced: bool,
}

/// Runs the client until it is closed. `first` hears how the first connection went
/// (then no retry happens before a first success); without it, every failure is retried.
pub(super) async fn run(
    shared: Arc<Shared>,
    mut first: Option<oneshot::Sender<Result<(), Error>>>,
) {
    let (host, port) = shared.config.address();
    let span = tracing::info_span!("ami_client", server = %format_args!("{host}:{port}"));
    async {
        let mut failures = 0u32;
        let mut connections = 0u64;
        let mut announced = false;
        let reason: Arc<str> = loop {
            let ended = tokio::select! {
                ended = session(&shared, &mut first, connections, announced) => ended,
                _ = shared.shutdown.cancelled() => break shared.reason(),
            };
            end_session(&shared, &ended.error);
            if ended.was_ready {
                connections += 1;
                failures = 0;
                warn!(reason = %ended.error, "connection lost");
            } else {
                warn!(error = %ended.error, "connection attempt failed");
            }
            if ended.announced {
                announced = true;
                shared.hub.publish(vec![ClientEvent::Disconnected {
                    reason: ended.error.to_string().into(),
                }]);
            }
            if shared.closing.is_cancelled() {
                break shared.reason();
            }
            if let Some(first) = first.take() {
                if connections == 0 {
                    let _ = first.send(Err(ended.error.clone()));
                    break format!("the first connection failed: {}", ended.error).into();
                }
            }
            let Some(policy) = shared.config.reconnect else {
                break format!("{} (reconnection is off)", ended.error).into();
            };
            if policy.max_attempts.is_some_and(|max| failures >= max) {
                break format!("gave up after {failures} failed attempts: {}", ended.error).into();
            }
            let delay = policy.delay(failures, random_unit());
            failures += 1;
            debug!(?delay, attempt = failures, "reconnecting");
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shared.shutdown.cancelled() => break shared.reason(),
            }
        };
        info!(%reason, "client closed");
        let error = Error::Closed {
            reason: reason.clone(),
        };
        {
            let mut state = shared.lock();
            state.conn = None;
            state.ready = false;
            state.calls.fail_all(&error);
        }
        shared.slots.close();
        shared.phase.send_replace(Phase::Closed(reason));
        if let Some(first) = first {
            let _ = first.send(Err(error));
        }
    }
    .instrument(span)
    .await
}

impl Shared {
    fn reason(&self) -> Arc<str> {
        let slot = self.close_reason.lock().unwrap_or_else(|e| e.into_inner());
        slot.clone()
            .unwrap_or_else(|| "the server closed the connection".into())
    }
}

/// Drops the connection and fails the calls that were waiting on it.
fn end_session(shared: &Shared, error: &Error) {
    let lost = Error::Disconnected {
        reason: error.to_string().into(),
    };
    let mut state = shared.lock();
    state.conn = None;
    state.ready = false;
    state.calls.fail_all(&lost);
    drop(state);
    if !matches!(*shared.phase.borrow(), Phase::Closed(_)) {
        shared.phase.send_replace(Phase::Connecting);
    }
}

/// One connection, from connect to loss.
async fn session(
    shared: &Arc<Shared>,
    first: &mut Option<oneshot::Sender<Result<(), Error>>>,
    connections: u64,
    announced_before: bool,
) -> Ended {
    let config = &shared.config;
    let stream = match tokio::time::timeout(config.connect_timeout, connect(shared)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return not_ready(error),
        Err(_) => {
            return not_ready(Error::Timeout {
                after: config.connect_timeout,
            })
        }
    };
    let (mut reader, mut writer) = tokio::io::split(stream);
    let generation = {
        let mut state = shared.lock();
        state.generation += 1;
        state.ready = false;
        let mut conn = Connection::with_config(ActionIdAllocator::default(), config.decoder);
        let credentials = match config.auth {
            ami_proto::AuthMethod::Md5 => {
                Credentials::md5(&config.username, config.secret.expose())
            }
            _ => Credentials::plain(&config.username, config.secret.expose()),
        };
        let credentials = match &config.events {
            Some(events) => credentials.with_events(events),
            None => credentials,
        };
        if let Err(e) = conn.login(credentials) {
            return not_ready(Error::Disconnected {
                reason: format!("cannot start the login: {e}").into(),
            });
        }
        state.conn = Some(conn);
        state.generation
    };
    shared.wake_writer.notify_one();
    let (login_tx, login_rx) = oneshot::channel();
    let mut reading = Reading {
        login: Some(login_tx),
        banner: Bytes::new(),
        refused: None,
        reconnection: announced_before,
        announced: false,
        gate: config.local_filter.as_deref().map(|user| {
            EventGate::with_login_events(user, config.events.as_deref().unwrap_or("").as_bytes())
        }),
        after_login: false,
    };
    let error = tokio::select! {
        error = read_loop(shared, &mut reader, &mut reading) => error,
        error = write_loop(shared, &mut writer) => error,
        error = control(shared, login_rx, generation, first, connections) => error,
    };
    let was_ready = shared.lock().ready;
    Ended {
        error,
        was_ready,
        announced: reading.announced,
    }
}

fn not_ready(error: Error) -> Ended {
    Ended {
        error,
        was_ready: false,
        announced: false,
    }
}

/// Opens the TCP (and TLS) stream.
async fn connect(shared: &Shared) -> Result<Box<dyn Io>, Error> {
    let (host, port) = shared.config.address();
    let addr = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let failed = |e: std::io::Error| Error::Connect {
        addr: addr.clone(),
        source: Arc::new(e),
    };
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(failed)?;
    // Actions are small and latency matters more than packet count.
    tcp.set_nodelay(true).map_err(failed)?;
    match &shared.config.tls {
        None => Ok(Box::new(tcp)),
        Some(tls) => {
            let (connector, name) = tls.connector(&host).map_err(failed)?;
            let stream = connector.connect(name, tcp).await.map_err(failed)?;
            Ok(Box::new(stream))
        }
    }
}

/// What the reader keeps between reads of one connection.
struct Reading {
    /// Told when the login is answered: the banner, or why it failed.
    login: Option<oneshot::Sender<Result<Bytes, Error>>>,
    banner: Bytes,
    /// Why the login failed: Asterisk closes the connection right after saying so, and
    /// that, not the close, is the connection's end.
    refused: Option<Error>,
    /// An earlier connection was announced: announce this one as a reconnection.
    reconnection: bool,
    /// This one was announced.
    announced: bool,
    /// The local filter's view of this session, if one is configured.
    gate: Option<EventGate>,
    /// The previous message was the login's success: a `FullyBooted` now is the greeting.
    after_login: bool,
}

impl Reading {
    /// Whether the local filter (if any) lets a broadcast event through.
    fn admits(&mut self, message: &ami_proto::OwnedMessage) -> bool {
        let after_login = std::mem::take(&mut self.after_login);
        let Some(gate) = &self.gate else {
            return true;
        };
        let message = message.message();
        let origin = if after_login && message.name() == b"FullyBooted" {
            Origin::LoginGreeting
        } else {
            Origin::Broadcast
        };
        gate.deliver(&message, origin)
    }
}

impl Reading {
    /// Why the connection ended, given that the stream itself ended with `closed`.
    fn ended(&mut self, closed: Error) -> Error {
        if let Some(refused) = self.refused.take() {
            return refused;
        }
        if self.login.take().is_some() {
            return Error::Login {
                reason: LoginError::Closed,
                reply: None,
            };
        }
        closed
    }
}

/// Reads until the connection fails; returns why.
async fn read_loop(
    shared: &Shared,
    reader: &mut (impl AsyncRead + Unpin),
    reading: &mut Reading,
) -> Error {
    let mut buf = vec![0u8; shared.config.read_size];
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                return reading.ended(Error::Disconnected {
                    reason: format!("read failed: {e}").into(),
                })
            }
        };
        shared
            .bytes_received
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        if let Some(tap) = &shared.config.tap {
            tap.call(super::Flow::Received, &buf[..n]);
        }
        let mut items = Vec::new();
        let wake_writer;
        {
            let mut state = shared.lock();
            let Some(conn) = state.conn.as_mut() else {
                return Error::Disconnected {
                    reason: "the connection was dropped".into(),
                };
            };
            if n == 0 {
                conn.handle_eof();
            } else {
                conn.handle_input(&buf[..n]);
            }
            route(&mut state, reading, &mut items);
            // A read queues bytes only during the login (the answer to a challenge).
            wake_writer = state.conn.as_ref().is_some_and(Connection::has_transmit);
        }
        shared.hub.publish(items);
        if wake_writer {
            shared.wake_writer.notify_one();
        }
        if n == 0 {
            return reading.ended(Error::Disconnected {
                reason: "the server closed the connection".into(),
            });
        }
    }
}

/// Hands what the connection decoded to the calls waiting for it, the login, or the
/// subscribers (`items`).
fn route(state: &mut State, reading: &mut Reading, items: &mut Vec<ClientEvent>) {
    while let Some(event) = state.conn.as_mut().and_then(Connection::poll_event) {
        if !matches!(event, ConnEvent::Event(_) | ConnEvent::LoggedIn) {
            reading.after_login = false;
        }
        match event {
            ConnEvent::Banner(banner) => reading.banner = banner,
            ConnEvent::LoggedIn => {
                reading.after_login = true;
                // Announced here, in order: before the events that follow the login.
                let banner = reading.banner.clone();
                reading.announced = true;
                items.push(if reading.reconnection {
                    ClientEvent::Reconnected { banner }
                } else {
                    ClientEvent::Connected { banner }
                });
                reading.announced = true;
                if let Some(login) = reading.login.take() {
                    let _ = login.send(Ok(reading.banner.clone()));
                }
            }
            ConnEvent::LoginFailed(reason, reply) => {
                let refused = Error::Login {
                    reason: LoginError::Refused(reason),
                    reply,
                };
                if let Some(login) = reading.login.take() {
                    let _ = login.send(Err(refused.clone()));
                }
                reading.refused = Some(refused);
            }
            ConnEvent::Event(message) => {
                if reading.admits(&message) {
                    items.push(ClientEvent::Event(message))
                }
            }
            // An event with an ActionID of no call of ours is another program's or a
            // UserEvent that copied one: queued for every session, so filtered.
            ConnEvent::Unmatched(message)
                if message.message().kind() == ami_proto::Kind::Event
                    && !reading.admits(&message) => {}
            // Replies, list items and a call's own events are never filtered.
            other => state.calls.deliver(other, items),
        }
    }
}

/// Writes what the connection queues until the connection fails; returns why.
async fn write_loop(shared: &Shared, writer: &mut (impl AsyncWrite + Unpin)) -> Error {
    loop {
        let out = shared
            .lock()
            .conn
            .as_mut()
            .and_then(Connection::poll_transmit);
        let Some(bytes) = out else {
            shared.wake_writer.notified().await;
            continue;
        };
        if let Some(tap) = &shared.config.tap {
            tap.call(super::Flow::Sent, &bytes);
        }
        let written = async {
            writer.write_all(&bytes).await?;
            writer.flush().await
        };
        if let Err(e) = written.await {
            return Error::Disconnected {
                reason: format!("write failed: {e}").into(),
            };
        }
    }
}

/// Waits for the login, applies the filters, announces the connection, then sends the
/// keepalives; returns why the connection must end.
async fn control(
    shared: &Arc<Shared>,
    login: oneshot::Receiver<Result<Bytes, Error>>,
    generation: u64,
    first: &mut Option<oneshot::Sender<Result<(), Error>>>,
    connections: u64,
) -> Error {
    let config = &shared.config;
    let banner = match tokio::time::timeout(config.login_timeout, login).await {
        Err(_) => {
            return Error::Timeout {
                after: config.login_timeout,
            }
        }
        Ok(Ok(Ok(banner))) => banner,
        Ok(Ok(Err(error))) => return error,
        // The reader ended first and returns its own reason.
        Ok(Err(_)) => std::future::pending().await,
    };
    for filter in &config.filters {
        let action = GenericAction::new("Filter")
            .header("Operation", "Add")
            .header("Filter", filter);
        match internal_call(shared, &action, config.login_timeout).await {
            Ok(reply) if reply.is_success() => {}
            Ok(reply) => {
                return Error::Login {
                    reason: LoginError::Filter,
                    reply: Some(reply.response().clone()),
                }
            }
            Err(error) => return error,
        }
    }
    shared.lock().ready = true;
    shared.phase.send_replace(Phase::Ready(generation));
    info!(banner = %banner.escape_ascii(), reconnection = connections > 0, "logged in");
    if let Some(first) = first.take() {
        let _ = first.send(Ok(()));
    }
    let Some(interval) = config.keepalive else {
        return std::future::pending().await;
    };
    let ping = GenericAction::new("Ping");
    loop {
        tokio::time::sleep(interval).await;
        match internal_call(shared, &ping, config.keepalive_timeout).await {
            Ok(_) => {}
            Err(Error::Timeout { after }) => {
                return Error::Disconnected {
                    reason: format!("no reply to the keepalive Ping within {after:?}").into(),
                }
            }
            Err(error) => return error,
        }
    }
}

/// The driver's own calls (filters, keepalive): no slot permit (the keepalive's slot is
/// kept free) and no wait for readiness.
async fn internal_call(
    shared: &Arc<Shared>,
    action: &GenericAction,
    timeout: Duration,
) -> Result<super::Reply, Error> {
    let (tx, rx) = oneshot::channel();
    let (id, generation) = {
        let mut state = shared.lock();
        let id = state.send(action)?;
        state.calls.insert(id, Sink::reply(tx));
        (id, state.generation)
    };
    shared.wake_writer.notify_one();
    let _guard = super::CallGuard {
        shared: shared.clone(),
        id,
        generation,
        _permit: None,
    };
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(shared.closed_error()),
        Err(_) => Err(Error::Timeout { after: timeout }),
    }
}

/// A number in `[0, 1)` for the backoff's jitter (from the standard library's random
/// hasher keys: no generator to carry around for one draw per reconnect).
pub(crate) fn random_unit() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().hash_one(0u8);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}
