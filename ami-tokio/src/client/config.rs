//! What a [`Client`](crate::Client) connects to and how it behaves: address, login, TLS,
//! timeouts, keepalive, reconnection and buffer sizes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ami_proto::filter::UserConfig;
use ami_proto::{AuthMethod, Config as DecoderConfig};

use crate::client::tls::TlsConfig;

/// AMI's plain TCP port.
pub const DEFAULT_PORT: u16 = 5038;
/// AMI's TLS port (`tlsbindport` in manager.conf).
pub const DEFAULT_TLS_PORT: u16 = 5039;

/// Which way bytes went, for a [`ClientConfig::tap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Written to the server.
    Sent,
    /// Read from the server.
    Received,
}

/// The function behind a [`Tap`].
type TapFn = dyn Fn(Flow, &[u8]) + Send + Sync;

/// A [`ClientConfig::tap`] callback.
#[derive(Clone)]
pub(crate) struct Tap(Arc<TapFn>);

impl Tap {
    pub(crate) fn call(&self, flow: Flow, bytes: &[u8]) {
        (self.0)(flow, bytes)
    }
}

impl fmt::Debug for Tap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tap")
    }
}

/// A secret that `Debug` never shows.
///
/// ```
/// let secret = ami_tokio::Secret::from("amp111");
/// assert_eq!(format!("{secret:?}"), "Secret(<hidden>)");
/// assert_eq!(secret.expose(), "amp111");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// The secret itself, for the login.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.into())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s.into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// When and how fast to reconnect after a connection is lost: capped exponential
/// backoff with jitter, so that many clients of one restarted Asterisk do not all come
/// back in the same millisecond.
///
/// ```
/// use std::time::Duration;
/// let policy = ami_tokio::Reconnect::new(Duration::from_millis(100), Duration::from_secs(10));
/// assert_eq!(policy.delay(0, 0.5), Duration::from_millis(100));
/// assert_eq!(policy.delay(3, 0.5), Duration::from_millis(800));
/// assert_eq!(policy.delay(30, 0.5), Duration::from_secs(10)); // capped
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reconnect {
    /// The delay before the first new attempt.
    pub initial: Duration,
    /// The longest delay between attempts.
    pub max: Duration,
    /// How much of each delay is random: `0.0` none, `0.5` (the default) means the
    /// delay is drawn from `[0.5 × d, 1.5 × d]`.
    pub jitter: f64,
    /// Give up after this many failed attempts in a row (`None`: never).
    pub max_attempts: Option<u32>,
}

impl Reconnect {
    /// Doubling delays from `initial` up to `max`, 50% jitter, no attempt limit.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Reconnect {
            initial,
            max,
            jitter: 0.5,
            max_attempts: None,
        }
    }

    /// The delay before attempt `attempt` (0 for the first retry); `random` in `[0, 1)`
    /// picks the point in the jitter window (`0.5` is its middle).
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let doubled = self
            .initial
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX));
        let base = doubled.min(self.max);
        let factor = 1.0 + self.jitter * (random.clamp(0.0, 1.0) * 2.0 - 1.0);
        base.mul_f64(factor.max(0.0)).min(self.max)
    }
}

impl Default for Reconnect {
    /// 500 ms doubling up to 30 s, 50% jitter, forever.
    fn default() -> Self {
        Reconnect::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

/// Everything a [`Client`](crate::Client) needs to know. Build it with the methods below;
/// only the address and the credentials are required.
///
/// ```
/// use std::time::Duration;
/// use ami_tokio::ClientConfig;
///
/// let config = ClientConfig::new("pbx.example.com")
///     .credentials("admin", "s3cr3t")
///     .md5()
///     .events("call,agent")
///     .filter("Event: Newchannel")
///     .timeout(Duration::from_secs(5))
///     .keepalive(Some(Duration::from_secs(20)));
/// assert_eq!(config.address(), ("pbx.example.com".to_string(), 5038));
/// assert!(!format!("{config:?}").contains("s3cr3t"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub(crate) addr: String,
    pub(crate) username: String,
    pub(crate) secret: Secret,
    pub(crate) auth: AuthMethod,
    pub(crate) events: Option<String>,
    pub(crate) filters: Vec<String>,
    pub(crate) local_filter: Option<Arc<UserConfig>>,
    pub(crate) tls: Option<TlsConfig>,
    pub(crate) connect_timeout: Duration,
    pub(crate) login_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) keepalive: Option<Duration>,
    pub(crate) keepalive_timeout: Duration,
    pub(crate) reconnect: Option<Reconnect>,
    pub(crate) event_buffer: usize,
    pub(crate) read_size: usize,
    pub(crate) decoder: DecoderConfig,
    pub(crate) tap: Option<Tap>,
}

impl ClientConfig {
    /// A client of the server at `addr` (`host`, `host:port`, `[v6]:port`; the port
    /// defaults to 5038, or 5039 with TLS). Defaults: plain login, the user's configured
    /// events, calls time out after 10 s, Ping every 30 s (dead after 10 s without a
    /// reply), reconnect per [`Reconnect::default`], 1024 read batches of events buffered
    /// per subscriber.
    pub fn new(addr: impl Into<String>) -> Self {
        ClientConfig {
            addr: addr.into(),
            username: String::new(),
            secret: Secret::from(""),
            auth: AuthMethod::Plain,
            events: None,
            filters: Vec::new(),
            local_filter: None,
            tls: None,
            connect_timeout: Duration::from_secs(10),
            login_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            keepalive: Some(Duration::from_secs(30)),
            keepalive_timeout: Duration::from_secs(10),
            reconnect: Some(Reconnect::default()),
            event_buffer: 1024,
            read_size: 64 * 1024,
            decoder: DecoderConfig::default(),
            tap: None,
        }
    }

    /// The manager.conf user and its secret (plain login unless [`md5`](Self::md5)).
    pub fn credentials(mut self, username: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.username = username.into();
        self.secret = secret.into();
        self
    }

    /// Log in with the MD5 challenge, so the secret never crosses the wire.
    pub fn md5(mut self) -> Self {
        self.auth = AuthMethod::Md5;
        self
    }

    /// Plain or MD5 login.
    pub fn auth(mut self, method: AuthMethod) -> Self {
        self.auth = method;
        self
    }

    /// The Login's `Events:` header (`on`, `off`, or a class list such as `call,agent`),
    /// sent on every (re)login.
    pub fn events(mut self, mask: impl Into<String>) -> Self {
        self.events = Some(mask.into());
        self
    }

    /// A filter in the syntax of the `Filter` action (`Event: Newchannel`,
    /// `!Channel: DAHDI/`), added after every (re)login before the client is ready.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filters.push(filter.into());
        self
    }

    /// Filter events here, as Asterisk would for a session of `user` (its read classes and
    /// `eventfilter` lines, by ami-proto's filter engine, with the Login's
    /// [`events`](Self::events) as the event mask): subscribers get only the events such a
    /// session would get. Replies, list items and the status items ([`ClientEvent`](crate::ClientEvent)
    /// other than `Event`) always pass; `FullyBooted` after the login passes when the read
    /// classes and the mask include `system`, as Asterisk decides it.
    ///
    /// ```
    /// use ami_proto::filter::{ManagerConf, Rules};
    /// use ami_tokio::ClientConfig;
    ///
    /// let conf = ManagerConf::parse(b"[ops]\nread = call\neventfilter = !Channel: Local/\n", Rules::default()).unwrap();
    /// let config = ClientConfig::new("pbx").local_filter(conf.user("ops").unwrap().clone());
    /// # let _ = config;
    /// ```
    pub fn local_filter(mut self, user: UserConfig) -> Self {
        self.local_filter = Some(Arc::new(user));
        self
    }

    /// Connect with TLS (port 5039 unless the address says otherwise).
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// How long a TCP (and TLS) connect may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the login (banner, challenge, login, filters) may take.
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.login_timeout = timeout;
        self
    }

    /// The default time a call may take, waiting for a free slot and for a connection
    /// included ([`Client::send_timeout`](crate::Client::send_timeout) overrides it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Send `Ping` at this interval (`None`: never).
    pub fn keepalive(mut self, interval: Option<Duration>) -> Self {
        self.keepalive = interval;
        self
    }

    /// How long a keepalive `Ping` may stay unanswered before the connection is declared
    /// dead (and, with [`reconnect`](Self::reconnect), replaced).
    pub fn keepalive_timeout(mut self, timeout: Duration) -> Self {
        self.keepalive_timeout = timeout;
        self
    }

    /// Reconnect after a lost connection (`None`: the client closes instead).
    pub fn reconnect(mut self, policy: Option<Reconnect>) -> Self {
        self.reconnect = policy;
        self
    }

    /// How many read batches of events each subscriber may fall behind before it misses
    /// some (it is then told how many). Memory is bounded by this times the read size.
    pub fn event_buffer(mut self, batches: usize) -> Self {
        self.event_buffer = batches.max(1);
        self
    }

    /// The most bytes read from the socket at once (4 KiB to 16 MiB).
    pub fn read_size(mut self, bytes: usize) -> Self {
        self.read_size = bytes.clamp(4096, 16 << 20);
        self
    }

    /// How the server's bytes are decoded (limits, line endings).
    pub fn decoder(mut self, config: DecoderConfig) -> Self {
        self.decoder = config;
        self
    }

    /// Calls `tap` with every byte the client sends and receives on its connections, in
    /// the order they cross the wire, as plain text (after TLS): what it is about to write
    /// ([`Flow::Sent`], before the write, so it comes before the reply it causes), and
    /// each read ([`Flow::Received`], before it is decoded). For recording a session
    /// (`ami record`); the tap runs on the client's task, so it must be quick.
    ///
    /// The bytes include the login: the secret of a plain login is in them.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use ami_tokio::{ClientConfig, Flow};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// let config = ClientConfig::new("127.0.0.1")
    ///     .tap(move |flow: Flow, bytes: &[u8]| log.lock().unwrap().push((flow, bytes.len())));
    /// # drop(config);
    /// ```
    pub fn tap(mut self, tap: impl Fn(Flow, &[u8]) + Send + Sync + 'static) -> Self {
        self.tap = Some(Tap(Arc::new(tap)));
        self
    }

    /// The host and port this configuration connects to.
    pub fn address(&self) -> (String, u16) {
        let default = if self.tls.is_some() {
            DEFAULT_TLS_PORT
        } else {
            DEFAULT_PORT
        };
        split_host_port(&self.addr, default)
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address.
fn split_host_port(addr: &str, default: u16) -> (String, u16) {
    if let Some(rest) = addr.strip_prefix('[') {
        if let Some((host, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host.to_string(), port.unwrap_or(default));
        }
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host.to_string(), port),
            Err(_) => (addr.to_string(), default),
        },
        _ => (addr.to_string(), default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let at = |a: &str| split_host_port(a, 5038);
        assert_eq!(at("pbx"), ("pbx".into(), 5038));
        assert_eq!(at("pbx:6000"), ("pbx".into(), 6000));
        assert_eq!(at("127.0.0.1:5039"), ("127.0.0.1".into(), 5039));
        assert_eq!(at("[::1]:7000"), ("::1".into(), 7000));
        assert_eq!(at("[::1]"), ("::1".into(), 5038));
        assert_eq!(at("::1"), ("::1".into(), 5038));
        let tls = ClientConfig::new("pbx").tls(TlsConfig::native_roots());
        assert_eq!(tls.address(), ("pbx".into(), 5039));
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = Reconnect::new(Duration::from_millis(100), Duration::from_secs(2));
        assert_eq!(p.delay(0, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(0, 1.0), Duration::from_millis(150));
        assert_eq!(p.delay(4, 0.5), Duration::from_millis(1600));
        assert_eq!(p.delay(5, 1.0), Duration::from_secs(2));
        assert_eq!(p.delay(u32::MAX, 0.9), Duration::from_secs(2));
    }
}
