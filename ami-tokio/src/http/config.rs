//! What an [`HttpClient`](crate::HttpClient) talks to and how: the URL, the encoding, the
//! authentication, event polling, timeouts and limits.

use std::fmt;
use std::time::Duration;

use ami_http::{Auth, Encoding, Endpoint, PrefixError};
use ami_proto::Config as DecoderConfig;

use crate::client::{Reconnect, Secret, TlsConfig};

/// Why [`HttpConfig::new`] refused a URL. The message never repeats the URL, which may
/// hold a password.
///
/// ```
/// use ami_tokio::{HttpConfig, UrlError};
/// assert_eq!(HttpConfig::new("ftp://pbx").unwrap_err(), UrlError::Scheme);
/// assert_eq!(HttpConfig::new("http://admin:amp111@pbx:8088").unwrap_err(), UrlError::Credentials);
/// assert_eq!(HttpConfig::new("http://pbx:8088/?action=login").unwrap_err(), UrlError::QueryOrFragment);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a URL with a host (`http::Uri` could not read it, or it has no host).
    Syntax,
    /// The scheme is not `http` or `https`.
    Scheme,
    /// The URL holds `user:password@`: credentials go to
    /// [`HttpConfig::credentials`], never into a URL, which logs and process lists show.
    Credentials,
    /// The URL has a query or a fragment: parameters come from the action only.
    QueryOrFragment,
    /// The path (`http.conf`'s `prefix`) holds a byte other than letters, digits,
    /// `-._~` and `/`.
    Prefix(PrefixError),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Syntax => f.write_str("not an http:// or https:// URL with a host"),
            UrlError::Scheme => f.write_str("the URL must start with http:// or https://"),
            UrlError::Credentials => f.write_str(
                "the URL holds a user name or password; give the credentials separately",
            ),
            UrlError::QueryOrFragment => f.write_str(
                "the URL has a query or a fragment; give only scheme, host, port and prefix",
            ),
            UrlError::Prefix(e) => write!(f, "bad prefix in the URL: {e}"),
        }
    }
}

impl std::error::Error for UrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UrlError::Prefix(e) => Some(e),
            _ => None,
        }
    }
}

/// Everything an [`HttpClient`](crate::HttpClient) needs to know. Only the URL and the
/// credentials are required.
///
/// ```
/// use std::time::Duration;
/// use ami_tokio::{Encoding, HttpConfig};
///
/// let config = HttpConfig::new("http://pbx.example.com:8088/asterisk")?
///     .credentials("admin", "s3cr3t")
///     .encoding(Encoding::Mxml)
///     .digest()
///     .poll(Some(Duration::from_secs(20)))
///     .timeout(Duration::from_secs(5));
/// assert_eq!(config.endpoint().path(), "/asterisk/amxml");
/// assert_eq!(config.address(), ("pbx.example.com".to_string(), 8088));
/// assert!(!format!("{config:?}").contains("s3cr3t"));
/// # Ok::<(), ami_tokio::UrlError>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) prefix: String,
    pub(crate) endpoint: Endpoint,
    pub(crate) username: String,
    pub(crate) secret: Secret,
    pub(crate) events: Option<String>,
    pub(crate) tls: Option<TlsConfig>,
    pub(crate) connect_timeout: Duration,
    pub(crate) login_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) poll: Option<Duration>,
    pub(crate) poll_interval: Duration,
    pub(crate) keepalive: Option<Duration>,
    pub(crate) reconnect: Option<Reconnect>,
    pub(crate) event_buffer: usize,
    pub(crate) max_body: usize,
    pub(crate) decoder: DecoderConfig,
}

impl HttpConfig {
    /// A client of the AJAM server at `url`: `http://host[:port][/prefix]` or `https://...`
    /// (the port defaults to the scheme's, 80 or 443; Asterisk's own default is
    /// `bindport = 8088`, `tlsbindport = 8089`). `prefix` is `http.conf`'s `prefix`.
    ///
    /// Defaults: rawman, cookie login, calls time out after 10 s (so do the connect and
    /// the login), events polled with `WaitEvent` `Timeout: 20`, keepalive `Ping` every
    /// 20 s when polling is off, re-login per [`Reconnect::default`], 1024 bodies of
    /// events buffered per subscriber, bodies up to 16 MiB.
    ///
    /// ```
    /// let config = ami_tokio::HttpConfig::new("https://[::1]").unwrap();
    /// assert_eq!(config.address(), ("::1".to_string(), 443));
    /// assert_eq!(config.endpoint().path(), "/rawman");
    /// ```
    pub fn new(url: &str) -> Result<HttpConfig, UrlError> {
        if url.contains(['#', '?']) {
            return Err(UrlError::QueryOrFragment);
        }
        let uri: http::Uri = url.parse().map_err(|_| UrlError::Syntax)?;
        let https = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("http") => false,
            Some("https") => true,
            Some(_) => return Err(UrlError::Scheme),
            None => return Err(UrlError::Syntax),
        };
        let authority = uri.authority().ok_or(UrlError::Syntax)?;
        if authority.as_str().contains('@') {
            return Err(UrlError::Credentials);
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(UrlError::Syntax);
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        // `http::Uri` reads a port it cannot parse as no port: read it here.
        let text = authority.as_str();
        let after_host = match text.rfind(']') {
            Some(end) => &text[end + 1..],
            None => text.rfind(':').map_or("", |colon| &text[colon..]),
        };
        let port = match after_host.strip_prefix(':').filter(|p| !p.is_empty()) {
            Some(port) => port.parse().map_err(|_| UrlError::Syntax)?,
            None if https => 443,
            None => 80,
        };
        let prefix = uri.path().to_string();
        let endpoint = Endpoint::with_prefix(&prefix, Encoding::Rawman, Auth::Cookie)
            .map_err(UrlError::Prefix)?;
        Ok(HttpConfig {
            https,
            host,
            port,
            prefix,
            endpoint,
            username: String::new(),
            secret: Secret::from(""),
            events: None,
            tls: None,
            connect_timeout: Duration::from_secs(10),
            login_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            poll: Some(Duration::from_secs(20)),
            poll_interval: Duration::ZERO,
            keepalive: Some(Duration::from_secs(20)),
            reconnect: Some(Reconnect::default()),
            event_buffer: 1024,
            max_body: 16 << 20,
            decoder: DecoderConfig::default(),
        })
    }

    /// The manager.conf user and its secret. With the cookie paths the secret goes to
    /// Asterisk once, in the body of the `Login` POST; with digest it never travels.
    pub fn credentials(mut self, username: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.username = username.into();
        self.secret = secret.into();
        self
    }

    /// Which encoding Asterisk answers in: `rawman` (the default), `mxml` or `manager`.
    /// Every encoding decodes to the same messages (see `ami_http` for what mxml and the
    /// manager page cannot carry).
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.endpoint = self.endpoint_for(encoding, self.endpoint.auth());
        self
    }

    /// Authenticate every request with HTTP digest on `/arawman`, `/amxml` or `/amanager`
    /// instead of a `Login` and the `mansession_id` cookie.
    pub fn digest(self) -> Self {
        self.auth(Auth::Digest)
    }

    /// Cookie login (the default) or digest.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.endpoint = self.endpoint_for(self.endpoint.encoding(), auth);
        self
    }

    fn endpoint_for(&self, encoding: Encoding, auth: Auth) -> Endpoint {
        Endpoint::with_prefix(&self.prefix, encoding, auth).expect("the prefix was checked")
    }

    /// The Login's `Events:` parameter (`on`, `off`, or classes such as `call,agent`), on
    /// the cookie paths; digest sessions get the user's configured classes.
    pub fn events(mut self, mask: impl Into<String>) -> Self {
        self.events = Some(mask.into());
        self
    }

    /// The certificates an `https://` URL is checked against (by default the system's
    /// store); ignored for `http://`.
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// How long a TCP (and TLS) connect may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a login (or re-login) may take.
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.login_timeout = timeout;
        self
    }

    /// The default time a call may take, from waiting for a free slot and a logged-in
    /// session to the end of its list ([`HttpClient::send_timeout`] overrides it).
    ///
    /// [`HttpClient::send_timeout`]: crate::HttpClient::send_timeout
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Poll events with `WaitEvent`, waiting at most this long on the server for one
    /// (its `Timeout`, in whole seconds, at least 1); `None`: no polling, subscribers get
    /// only connection news and stray messages. Asterisk cuts the wait to `httptimeout`
    /// less 10 seconds.
    pub fn poll(mut self, timeout: Option<Duration>) -> Self {
        self.poll = timeout;
        self
    }

    /// The least time between the starts of two polls (default zero: poll again as soon
    /// as one returns). A longer interval trades latency for fewer requests.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// When polling is off, send `Ping` at this interval so the session outlives
    /// `httptimeout` (`None`: never; the session then expires when idle, and the next
    /// call fails with [`HttpError::SessionExpired`](crate::HttpError::SessionExpired)).
    pub fn keepalive(mut self, interval: Option<Duration>) -> Self {
        self.keepalive = interval;
        self
    }

    /// Log in again after a lost session or a failed poll, with this backoff (`None`: the
    /// client closes instead).
    pub fn reconnect(mut self, policy: Option<Reconnect>) -> Self {
        self.reconnect = policy;
        self
    }

    /// How many bodies of events each subscriber may fall behind before it misses some
    /// (it is then told how many).
    pub fn event_buffer(mut self, bodies: usize) -> Self {
        self.event_buffer = bodies.max(1);
        self
    }

    /// The largest reply body read (default 16 MiB); a larger one fails its call with
    /// [`HttpError::BodyTooLarge`](crate::HttpError::BodyTooLarge).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How bodies are decoded (limits for every encoding, line endings for rawman).
    pub fn decoder(mut self, config: DecoderConfig) -> Self {
        self.decoder = config;
        self
    }

    /// The host and port this configuration connects to.
    pub fn address(&self) -> (String, u16) {
        (self.host.clone(), self.port)
    }

    /// Where requests go: path, encoding and authentication.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `WaitEvent` `Timeout` parameter: whole seconds, at least 1.
    pub(crate) fn poll_seconds(&self, poll: Duration) -> u64 {
        poll.as_secs_f64().ceil().max(1.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let c = HttpConfig::new("HTTP://pbx:8088/asterisk/").unwrap();
        assert_eq!((c.https, c.authority()), (false, "pbx:8088".to_string()));
        assert_eq!(c.endpoint().path(), "/asterisk/rawman");
        let c = HttpConfig::new("https://[fe80::1]:8089").unwrap();
        assert_eq!(
            (c.https, c.authority()),
            (true, "[fe80::1]:8089".to_string())
        );
        assert_eq!(HttpConfig::new("pbx:8088").unwrap_err(), UrlError::Syntax);
        assert_eq!(
            HttpConfig::new("ws://pbx:8088").unwrap_err(),
            UrlError::Scheme
        );
        assert_eq!(HttpConfig::new("http://").unwrap_err(), UrlError::Syntax);
        assert_eq!(
            HttpConfig::new("http://pbx:99999").unwrap_err(),
            UrlError::Syntax
        );
        assert_eq!(
            HttpConfig::new("http://[::1]:x").unwrap_err(),
            UrlError::Syntax
        );
        assert_eq!(HttpConfig::new("http://[::1]").unwrap().port, 80);
        assert_eq!(
            HttpConfig::new("http://pbx/a%20b").unwrap_err(),
            UrlError::Prefix(PrefixError { byte: b'%', at: 2 })
        );
        assert_eq!(
            HttpConfig::new("http://pbx/#x").unwrap_err(),
            UrlError::QueryOrFragment
        );
        // The error text never repeats the URL.
        let e = HttpConfig::new("http://u:topsecret@pbx").unwrap_err();
        assert!(!e.to_string().contains("topsecret"));
        let c = HttpConfig::new("http://pbx")
            .unwrap()
            .encoding(Encoding::Manager)
            .digest();
        assert_eq!(c.endpoint().path(), "/amanager");
        assert_eq!(c.poll_seconds(Duration::from_millis(200)), 1);
        assert_eq!(c.poll_seconds(Duration::from_millis(2500)), 3);
    }
}
