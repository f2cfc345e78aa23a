//! `bridge.toml`: the NATS connection, the stream, how events are published, and the
//! Asterisk servers. Every key is described in the crate documentation; unknown keys are
//! refused (a typo must not silently fall back to a default).

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ami_proto::filter::{Classes, EventFilter, Rules};
use ami_proto::AuthMethod;
use ami_tokio::{ClientConfig, Secret, TlsConfig};
use serde::Deserialize;

use crate::allow::{self, AllowList};
use crate::subject;

/// The whole `bridge.toml`.
///
/// ```
/// let config = ami_bridge::Config::parse(r#"
///     [[server]]
///     name = "pbx1"
///     address = "10.0.0.5:5038"
///     user = "bridge"
///     secret_env = "PBX1_SECRET"
///     allow_write = "reporting"
/// "#).unwrap();
/// assert_eq!(config.servers[0].name, "pbx1");
/// assert_eq!(config.stream.name, "AMI");
/// assert!(ami_bridge::Config::parse("[[server]]\nname = \"a.b\"").is_err());
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// `[nats]`: where NATS is and how to log in.
    #[serde(default)]
    pub nats: NatsConfig,
    /// `[stream]`: the JetStream stream the bridge creates if missing.
    #[serde(default)]
    pub stream: StreamConfig,
    /// `[publish]`: how events are published.
    #[serde(default)]
    pub publish: PublishConfig,
    /// `[[server]]`: the Asterisk servers, at least one.
    #[serde(default, rename = "server")]
    pub servers: Vec<ServerConfig>,
}

/// `[nats]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct NatsConfig {
    /// `url`: the NATS server (`nats://host:4222`, `tls://host:4222`); `ami bridge
    /// --nats` overrides it. Default `nats://127.0.0.1:4222`.
    pub url: String,
    /// `name`: the connection name NATS shows in its monitoring. Default `ami-bridge`.
    pub name: String,
    /// `user`: log in with this user and the password from `password_env`.
    pub user: Option<String>,
    /// `password_env`: the environment variable holding `user`'s password.
    pub password_env: Option<String>,
    /// `token_env`: the environment variable holding a NATS token.
    pub token_env: Option<String>,
    /// `tls`: require TLS. Default false (a `tls://` URL requires it too).
    pub tls: bool,
    /// `ca_file`: trust the CA certificates of this PEM file for NATS's TLS.
    pub ca_file: Option<PathBuf>,
    /// `subject_prefix`: the first token(s) of every subject. Default `ami`.
    pub subject_prefix: String,
    /// `queue_group`: the queue group of the action subscribers, so that bridges serving
    /// the same server answer each request once. Default `ami-bridge`.
    pub queue_group: String,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
            name: "ami-bridge".into(),
            user: None,
            password_env: None,
            token_env: None,
            tls: false,
            ca_file: None,
            subject_prefix: "ami".into(),
            queue_group: "ami-bridge".into(),
        }
    }
}

/// `[stream]`: created with these settings when missing; an existing stream is used as
/// it is (differences are logged, never changed behind the operator's back).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct StreamConfig {
    /// `name`. Default `AMI`.
    pub name: String,
    /// `storage`: `file` (default) or `memory`.
    pub storage: Storage,
    /// `retention`: `limits` (default), `interest` or `workqueue`.
    pub retention: Retention,
    /// `discard`: what goes when a limit is reached, `old` (default) or `new`.
    pub discard: Discard,
    /// `max_age_secs`: messages older than this are removed; 0 keeps them. Default 7 days.
    pub max_age_secs: f64,
    /// `max_bytes`: the stream's size limit; 0 for none. Default 1 GiB.
    pub max_bytes: i64,
    /// `max_msgs`: the most messages kept; 0 for no limit (the default).
    pub max_msgs: i64,
    /// `max_msg_size`: the largest message accepted; 0 for the server's limit (default).
    pub max_msg_size: i32,
    /// `duplicate_window_secs`: how long JetStream remembers message IDs to drop
    /// re-publishes. Default 120.
    pub duplicate_window_secs: f64,
    /// `replicas`: copies in a cluster. Default 1.
    pub replicas: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            name: "AMI".into(),
            storage: Storage::File,
            retention: Retention::Limits,
            discard: Discard::Old,
            max_age_secs: 7.0 * 86_400.0,
            max_bytes: 1 << 30,
            max_msgs: 0,
            max_msg_size: 0,
            duplicate_window_secs: 120.0,
            replicas: 1,
        }
    }
}

/// `storage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// On disk.
    File,
    /// In memory.
    Memory,
}

/// `retention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Retention {
    /// Kept until a limit removes them.
    Limits,
    /// Kept while a consumer has not acknowledged them.
    Interest,
    /// Removed when one consumer acknowledges them.
    Workqueue,
}

/// `discard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Discard {
    /// The oldest messages make room.
    Old,
    /// New messages are refused.
    New,
}

/// `[publish]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct PublishConfig {
    /// `format`: event payloads as `json` (the JSON Lines object of `ami decode`, the
    /// default) or `typed` (`ami decode --typed`'s object).
    pub format: Format,
    /// `buffer`: per server, the most messages kept in memory until JetStream acknowledges
    /// them (those in flight included). Beyond it new events are dropped, counted, logged
    /// and announced on the state subject. Default 100,000.
    pub buffer: usize,
    /// `in_flight`: per server, the most publishes waiting for their acknowledgement.
    /// Default 512.
    pub in_flight: usize,
    /// `ack_timeout_secs`: a publish not acknowledged within this is sent again. Default 5.
    pub ack_timeout_secs: f64,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            format: Format::Json,
            buffer: 100_000,
            in_flight: 512,
            ack_timeout_secs: 5.0,
        }
    }
}

/// How events are written into message payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `ami decode`'s JSON Lines object: `{"type":"event","headers":[["Event","..."],...]}`.
    Json,
    /// `ami decode --typed`'s object (ami-spec's typed event).
    Typed,
}

/// How message IDs (`Nats-Msg-Id`, JetStream's de-duplication key) are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MessageId {
    /// Server name, this bridge's run, connection number and sequence: a message sent
    /// again after a NATS failure is stored once. The default.
    #[default]
    Sequence,
    /// Server name and an MD5 digest of the message's wire bytes (events and the other
    /// messages read; states stay numbered): the same event read by two bridges (two AMI
    /// connections to one Asterisk, for availability) is stored once. Needs
    /// `timestampevents = yes` in manager.conf, so that two events never have the same
    /// bytes within the duplicate window.
    Content,
}

/// `[[server]]`: one Asterisk.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ServerConfig {
    /// `name`: the subject token (`ami.<name>.event.Hangup`): letters, digits, `-`, `_`.
    pub name: String,
    /// `address`: `host`, `host:port` or `[v6]:port` (port 5038, 5039 with TLS).
    pub address: String,
    /// `user`: the manager.conf user.
    pub user: String,
    /// `secret_env`: the environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// `secret_file`: a file holding the secret (one trailing newline is not part of it).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// `auth`: `md5` (the default: the secret never crosses the wire) or `plain`.
    #[serde(default)]
    pub auth: Auth,
    /// `events`: the Login's event mask in Asterisk's syntax (`on`, `off`, `call,agent`,
    /// a number); by default the user's manager.conf `read` classes.
    #[serde(default)]
    pub events: Option<String>,
    /// `filters`: event filters as the `Filter` action and manager.conf's `eventfilter`
    /// take them (`Event: Newchannel`, `!Channel: DAHDI/`), a POSIX extended regular
    /// expression matched against the event's text; added after every login. Each is
    /// checked with ami-proto's filter engine when the configuration is read.
    #[serde(default)]
    pub filters: Vec<String>,
    /// `tls`: connect with TLS. Default false.
    #[serde(default)]
    pub tls: bool,
    /// `tls_ca_file`: trust this PEM file's CA certificates instead of the system's.
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
    /// `tls_server_name`: the name the certificate must carry (default: the host).
    #[serde(default)]
    pub tls_server_name: Option<String>,
    /// `tls_insecure`: accept any certificate (a lab server). Default false.
    #[serde(default)]
    pub tls_insecure: bool,
    /// `allow_write`: the write classes whose actions requests may send, in manager.conf's
    /// `write =` syntax (`call,reporting`, `all`); see [`crate::allow`]. Default:
    /// none.
    #[serde(default)]
    pub allow_write: String,
    /// `allow_actions`: actions allowed by name whatever their class: the `<none>` ones
    /// (`Ping`, `QueueStatus`) and actions the specs do not know. Default: none.
    #[serde(default)]
    pub allow_actions: Vec<String>,
    /// `message_id`: `sequence` (default) or `content`.
    #[serde(default)]
    pub message_id: MessageId,
    /// `keepalive_secs`: send `Ping` at this interval; 0 never. Default 30.
    #[serde(default = "default_keepalive")]
    pub keepalive_secs: f64,
    /// `action_timeout_secs`: how long a request's action may take. Default 10.
    #[serde(default = "default_action_timeout")]
    pub action_timeout_secs: f64,
    /// `reconnect_min_secs`: the first delay before reconnecting to Asterisk, doubling
    /// (with jitter) up to `reconnect_max_secs`. Defaults 0.5 and 30.
    #[serde(default = "default_reconnect_min")]
    pub reconnect_min_secs: f64,
    /// `reconnect_max_secs`: see `reconnect_min_secs`.
    #[serde(default = "default_reconnect_max")]
    pub reconnect_max_secs: f64,
}

fn default_reconnect_min() -> f64 {
    0.5
}

fn default_reconnect_max() -> f64 {
    30.0
}

fn default_keepalive() -> f64 {
    30.0
}

fn default_action_timeout() -> f64 {
    10.0
}

/// `auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// MD5 challenge.
    #[default]
    Md5,
    /// `Secret:` in the Login.
    Plain,
}

/// Why a configuration cannot be used, naming the file, and the line or key.
///
/// ```
/// let err = ami_bridge::Config::parse("[stream]\nname = 7\n").unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    path: Option<PathBuf>,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            path: None,
            message: message.into(),
        }
    }

    fn in_file(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: {}", path.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks `bridge.toml`.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(format!("cannot read: {e}")).in_file(path))?;
        Config::parse(&text).map_err(|e| e.in_file(path))
    }

    /// Parses and checks the text of a `bridge.toml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            ConfigError::new(format!("{place}{}", e.message()))
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.servers.is_empty() {
            return Err(ConfigError::new("no [[server]]: nothing to bridge"));
        }
        subject::check_prefix(&self.nats.subject_prefix)
            .map_err(|e| ConfigError::new(format!("[nats] subject_prefix: {e}")))?;
        if !subject::is_token(&self.nats.queue_group) {
            return Err(ConfigError::new(
                "[nats] queue_group: use letters, digits, `-` and `_`",
            ));
        }
        if self.nats.password_env.is_some() != self.nats.user.is_some() {
            return Err(ConfigError::new("[nats] user and password_env go together"));
        }
        if self.nats.user.is_some() && self.nats.token_env.is_some() {
            return Err(ConfigError::new(
                "[nats] give either user and password_env or token_env",
            ));
        }
        if !subject::is_token(&self.stream.name) {
            return Err(ConfigError::new(
                "[stream] name: use letters, digits, `-` and `_`",
            ));
        }
        for (key, secs) in [
            ("[stream] max_age_secs", self.stream.max_age_secs),
            (
                "[stream] duplicate_window_secs",
                self.stream.duplicate_window_secs,
            ),
        ] {
            if !(secs.is_finite() && secs >= 0.0) {
                return Err(ConfigError::new(format!("{key}: expected 0 or more")));
            }
        }
        if self.publish.buffer == 0 || self.publish.in_flight == 0 {
            return Err(ConfigError::new(
                "[publish] buffer and in_flight must be at least 1",
            ));
        }
        positive("[publish] ack_timeout_secs", self.publish.ack_timeout_secs)?;
        let mut names = HashSet::new();
        for server in &self.servers {
            server
                .check()
                .map_err(|e| ConfigError::new(format!("[[server]] `{}`: {e}", server.name)))?;
            if !names.insert(server.name.as_str()) {
                return Err(ConfigError::new(format!(
                    "[[server]] `{}` is named twice",
                    server.name
                )));
            }
        }
        Ok(())
    }
}

fn positive(key: &str, secs: f64) -> Result<(), ConfigError> {
    if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 {
        Ok(())
    } else {
        Err(ConfigError::new(format!(
            "{key}: expected more than 0 and at most 86400 seconds"
        )))
    }
}

impl ServerConfig {
    fn check(&self) -> Result<(), String> {
        if !subject::is_token(&self.name) {
            return Err("name: use letters, digits, `-` and `_` (it is a subject token)".into());
        }
        if self.address.is_empty() {
            return Err("address is empty".into());
        }
        match (&self.secret_env, &self.secret_file) {
            (Some(_), None) | (None, Some(_)) => {}
            _ => return Err("give the secret's source: secret_env or secret_file".into()),
        }
        if !self.tls && (self.tls_ca_file.is_some() || self.tls_insecure) {
            return Err("tls_ca_file and tls_insecure need tls = true".into());
        }
        if self.tls_ca_file.is_some() && self.tls_insecure {
            return Err("tls_ca_file and tls_insecure exclude each other".into());
        }
        allow::check_write_list(&self.allow_write).map_err(|e| format!("allow_write: {e}"))?;
        if let Some(mask) = &self.events {
            if Classes::from_event_mask(mask.as_bytes()).is_none() {
                return Err(format!(
                    "events: `{mask}` is not an event mask (on, off, a class list or a number)"
                ));
            }
        }
        for filter in &self.filters {
            if filter.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(format!("filters: {filter:?} holds CR, LF or NUL"));
            }
            EventFilter::parse(b"eventfilter", filter.as_bytes(), Rules::default())
                .map_err(|e| format!("filters: {e}"))?;
        }
        for name in &self.allow_actions {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!("allow_actions: `{name}` is not an action name"));
            }
        }
        if self.keepalive_secs != 0.0 {
            positive("keepalive_secs", self.keepalive_secs).map_err(|e| e.message)?;
        }
        positive("action_timeout_secs", self.action_timeout_secs).map_err(|e| e.message)?;
        positive("reconnect_min_secs", self.reconnect_min_secs).map_err(|e| e.message)?;
        positive("reconnect_max_secs", self.reconnect_max_secs).map_err(|e| e.message)?;
        if self.reconnect_max_secs < self.reconnect_min_secs {
            return Err("reconnect_max_secs is below reconnect_min_secs".into());
        }
        Ok(())
    }

    /// The secret, from the environment or the file (read now, never logged).
    pub fn secret(&self) -> Result<Secret, ConfigError> {
        let named = |why: String| ConfigError::new(format!("[[server]] `{}`: {why}", self.name));
        if let Some(var) = &self.secret_env {
            return std::env::var(var)
                .map(Secret::from)
                .map_err(|_| named(format!("the environment variable {var} is not set")));
        }
        let path = self.secret_file.as_ref().expect("checked: one source");
        let text = std::fs::read_to_string(path)
            .map_err(|e| named(format!("cannot read {}: {e}", path.display())))?;
        let secret = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text);
        Ok(Secret::from(secret))
    }

    /// The AMI client's configuration: address, login, TLS, events, filters, keepalive,
    /// reconnection forever.
    pub fn client_config(&self) -> Result<ClientConfig, ConfigError> {
        let mut config = ClientConfig::new(&self.address)
            .credentials(&self.user, self.secret()?)
            .auth(match self.auth {
                Auth::Md5 => AuthMethod::Md5,
                Auth::Plain => AuthMethod::Plain,
            })
            .timeout(Duration::from_secs_f64(self.action_timeout_secs))
            .keepalive(
                (self.keepalive_secs > 0.0).then(|| Duration::from_secs_f64(self.keepalive_secs)),
            )
            .reconnect(Some(ami_tokio::Reconnect::new(
                Duration::from_secs_f64(self.reconnect_min_secs),
                Duration::from_secs_f64(self.reconnect_max_secs),
            )))
            // The bridge's reader copies events into its own bounded buffer at once; a
            // deep broadcast buffer only covers scheduling hiccups.
            .event_buffer(4096);
        if let Some(mask) = &self.events {
            config = config.events(mask);
        }
        for filter in &self.filters {
            config = config.filter(filter);
        }
        if self.tls {
            let mut tls = match (&self.tls_ca_file, self.tls_insecure) {
                (Some(path), _) => TlsConfig::with_ca_file(path)
                    .map_err(|e| ConfigError::new(format!("[[server]] `{}`: {e}", self.name)))?,
                (None, true) => TlsConfig::dangerous_accept_any_certificate(),
                (None, false) => TlsConfig::native_roots(),
            };
            if let Some(name) = &self.tls_server_name {
                tls = tls.server_name(name);
            }
            config = config.tls(tls);
        }
        Ok(config)
    }

    /// What requests may send to this server.
    pub fn allow_list(&self) -> AllowList {
        AllowList::new(&self.allow_write, &self.allow_actions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [[server]]
        name = "pbx1"
        address = "127.0.0.1"
        user = "admin"
        secret_env = "X"
    "#;

    #[test]
    fn defaults() {
        let c = Config::parse(MINIMAL).unwrap();
        assert_eq!(c.nats.url, "nats://127.0.0.1:4222");
        assert_eq!(c.nats.subject_prefix, "ami");
        assert_eq!(c.stream.duplicate_window_secs, 120.0);
        assert_eq!(c.publish.format, Format::Json);
        let s = &c.servers[0];
        assert_eq!(s.auth, Auth::Md5);
        assert_eq!(s.message_id, MessageId::Sequence);
        assert!(s.allow_write.is_empty());
    }

    #[test]
    fn every_key_reads() {
        let text = r#"
            [nats]
            url = "nats://10.0.0.1:4222"
            name = "bridge-a"
            user = "bridge"
            password_env = "NATS_PASSWORD"
            tls = true
            ca_file = "/etc/nats/ca.pem"
            subject_prefix = "pbx.ami"
            queue_group = "bridges"

            [stream]
            name = "PBX"
            storage = "memory"
            retention = "interest"
            discard = "new"
            max_age_secs = 3600
            max_bytes = 1000000
            max_msgs = 5000
            max_msg_size = 65536
            duplicate_window_secs = 30.5
            replicas = 3

            [publish]
            format = "typed"
            buffer = 10
            in_flight = 2
            ack_timeout_secs = 0.5

            [[server]]
            name = "pbx-1"
            address = "[::1]:5039"
            user = "admin"
            secret_file = "/run/secrets/pbx1"
            auth = "plain"
            events = "call,agent"
            filters = ["Event: Newchannel", "!Channel: DAHDI/"]
            tls = true
            tls_ca_file = "/etc/ami/ca.pem"
            tls_server_name = "pbx1.example.com"
            allow_write = "reporting,call"
            allow_actions = ["MyModuleAction"]
            message_id = "content"
            keepalive_secs = 0
            action_timeout_secs = 2
        "#;
        let c = Config::parse(text).unwrap();
        assert_eq!(c.nats.subject_prefix, "pbx.ami");
        assert_eq!(c.stream.storage, Storage::Memory);
        assert_eq!(c.stream.retention, Retention::Interest);
        assert_eq!(c.stream.discard, Discard::New);
        assert_eq!(c.stream.duplicate_window_secs, 30.5);
        assert_eq!(c.publish.format, Format::Typed);
        let s = &c.servers[0];
        assert_eq!(s.message_id, MessageId::Content);
        assert_eq!(s.filters.len(), 2);
        assert_eq!(s.keepalive_secs, 0.0);
    }

    #[test]
    fn refusals_name_the_key() {
        let server = |extra: &str| format!("{MINIMAL}{extra}");
        for (text, needle) in [
            (String::new(), "no [[server]]"),
            (server("unknown = 1\n"), "unknown field `unknown`"),
            (
                format!("{MINIMAL}[stream]\nname = \"a.b\"\n"),
                "[stream] name",
            ),
            (
                format!("{MINIMAL}[nats]\nsubject_prefix = \"a.*\"\n"),
                "subject_prefix",
            ),
            (format!("{MINIMAL}{MINIMAL}"), "named twice"),
            (
                server("allow_write = \"cal\"\n"),
                "`cal` is not a write class",
            ),
            (server("events = \"\"\n"), "not an event mask"),
            (server("filters = [\"Event: (\"]\n"), "filters:"),
            (
                server("filters = [\"a\\r\\nAction: Logoff\"]\n"),
                "CR, LF or NUL",
            ),
            (server("reconnect_max_secs = 0.1\n"), "below"),
            (server("secret_file = \"/x\"\n"), "secret's source"),
            (server("tls_insecure = true\n"), "need tls = true"),
            (server("keepalive_secs = -1\n"), "keepalive_secs"),
            (
                format!("{MINIMAL}[publish]\nbuffer = 0\n"),
                "buffer and in_flight",
            ),
            (
                format!("{MINIMAL}[nats]\nuser = \"u\"\n"),
                "user and password_env",
            ),
        ] {
            let err = Config::parse(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn secret_file_drops_one_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cr3t \r\n").unwrap();
        let text = MINIMAL.replace(
            "secret_env = \"X\"",
            &format!("secret_file = {:?}", path.display().to_string()),
        );
        let c = Config::parse(&text).unwrap();
        assert_eq!(c.servers[0].secret().unwrap().expose(), "s3cr3t ");
        assert!(!format!("{:?}", c.servers[0].client_config().unwrap()).contains("s3cr3t"));
    }
}
