//! The bridge: one NATS connection, the stream, and for each server an AMI client with its
//! reader, publisher and responder.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ami_tokio::Client;
use async_nats::jetstream;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::buffer::{Buffer, Counters};
use crate::config::{Config, ConfigError};
use crate::publisher::Publisher;
use crate::reader::{Drops, Identity, Reader};
use crate::responder::Responder;
use crate::subject::Subjects;

/// A running bridge. Dropping it stops nothing: call [`shutdown`](Self::shutdown).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ami_bridge::Config::load("bridge.toml")?;
/// let bridge = ami_bridge::Bridge::start(&config).await?;
/// tokio::signal::ctrl_c().await?;
/// for stats in bridge.shutdown(std::time::Duration::from_secs(5)).await {
///     println!("{}: {} published, {} dropped", stats.server, stats.published, stats.dropped);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Bridge {
    nats: async_nats::Client,
    servers: Vec<Server>,
    stop: CancellationToken,
}

/// One server's parts.
#[derive(Debug)]
struct Server {
    name: String,
    client: Client,
    counters: Arc<Counters>,
    buffer: Arc<Buffer>,
    reader: JoinHandle<()>,
    publisher: JoinHandle<()>,
    responder: JoinHandle<()>,
}

/// What one server's bridge has done since it started.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerStats {
    /// The server's name.
    pub server: String,
    /// Items read from the AMI connection (events, replies nobody waits for, text,
    /// malformed input).
    pub read: u64,
    /// Messages JetStream acknowledged (states included).
    pub published: u64,
    /// Of those, acknowledged as duplicates (stored before under the same message ID).
    pub duplicates: u64,
    /// Messages never published: the buffer was full, the bridge fell behind its AMI
    /// client, or JetStream refused them. Each loss is logged and announced.
    pub dropped: u64,
    /// Messages sent again after a NATS failure.
    pub republished: u64,
    /// Messages in the buffer now, waiting or in flight.
    pub buffered: usize,
    /// AMI logins so far.
    pub connections: u64,
}

/// Why the bridge could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration cannot be used (a secret is missing, a CA file unreadable).
    Config(ConfigError),
    /// NATS cannot be reached or refused the login.
    Nats(String),
    /// The stream cannot be created, or does not take the bridge's subjects.
    Stream(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(e) => write!(f, "{e}"),
            StartError::Nats(e) => write!(f, "NATS: {e}"),
            StartError::Stream(e) => write!(f, "JetStream: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<ConfigError> for StartError {
    fn from(e: ConfigError) -> Self {
        StartError::Config(e)
    }
}

impl Bridge {
    /// Connects to NATS (at once: an unreachable NATS at start is an error), makes sure
    /// the stream exists, then starts every server: its AMI client connects in the
    /// background and keeps reconnecting, so a server that is down does not stop the
    /// others.
    pub async fn start(config: &Config) -> Result<Bridge, StartError> {
        // Secrets and TLS files first: a typo should not need NATS to show.
        let clients = config
            .servers
            .iter()
            .map(|s| s.client_config())
            .collect::<Result<Vec<_>, _>>()?;
        let nats = connect_nats(config).await?;
        let jetstream = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs_f64(config.publish.ack_timeout_secs))
            .max_ack_inflight(config.publish.in_flight * config.servers.len() + 64)
            .backpressure_on_inflight(true)
            .build(nats.clone());
        crate::stream::ensure(
            &jetstream,
            crate::stream::settings(&config.stream, &config.nats.subject_prefix),
        )
        .await
        .map_err(StartError::Stream)?;

        let stop = CancellationToken::new();
        let run = run_id();
        let mut servers = Vec::new();
        for (server, client_config) in config.servers.iter().zip(clients) {
            let subjects = Subjects::new(&config.nats.subject_prefix, &server.name);
            let requests = nats
                .queue_subscribe(subjects.action(), config.nats.queue_group.clone())
                .await
                .map_err(|e| {
                    StartError::Nats(format!("cannot subscribe to {}: {e}", subjects.action()))
                })?;
            let counters = Arc::new(Counters::default());
            let buffer = Arc::new(Buffer::new(config.publish.buffer));
            let drops = Arc::new(Drops::new(Arc::clone(&counters)));
            let (client, events) = Client::start(client_config);
            let identity = Identity {
                server: server.name.clone(),
                subjects,
                format: config.publish.format,
                message_id: server.message_id,
                run: run.clone(),
            };
            let reader = Reader::new(
                identity,
                Arc::clone(&buffer),
                Arc::clone(&counters),
                Arc::clone(&drops),
            );
            let publisher = Publisher {
                server: server.name.clone(),
                bridge: config.nats.name.clone(),
                jetstream: jetstream.clone(),
                buffer: Arc::clone(&buffer),
                counters: Arc::clone(&counters),
                drops,
                in_flight: config.publish.in_flight,
            };
            let responder = Arc::new(Responder {
                server: server.name.clone(),
                client: client.clone(),
                allow: server.allow_list(),
                nats: nats.clone(),
                timeout: Duration::from_secs_f64(server.action_timeout_secs),
            });
            info!(server = %server.name, address = %server.address, "bridging");
            servers.push(Server {
                name: server.name.clone(),
                client,
                counters,
                buffer,
                reader: tokio::spawn(reader.run(events, stop.clone())),
                publisher: tokio::spawn(publisher.run()),
                responder: tokio::spawn(responder.run(requests, stop.clone())),
            });
        }
        Ok(Bridge {
            nats,
            servers,
            stop,
        })
    }

    /// Every server's counts so far.
    pub fn stats(&self) -> Vec<ServerStats> {
        self.servers.iter().map(Server::stats).collect()
    }

    /// The NATS connection (to publish or subscribe beside the bridge, in tests).
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// Stops: requests are no longer taken, each server's state subject says the bridge
    /// stopped, the AMI clients log off, and what is buffered is published for at most
    /// `grace`; what is still unpublished then is logged. Returns the final counts.
    pub async fn shutdown(self, grace: Duration) -> Vec<ServerStats> {
        let Bridge {
            nats,
            mut servers,
            stop,
        } = self;
        stop.cancel();
        for server in &mut servers {
            let _ = (&mut server.responder).await;
        }
        let logoffs = servers.iter().map(|s| {
            let client = s.client.clone();
            async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), client.logoff()).await;
            }
        });
        futures_util::future::join_all(logoffs).await;
        let deadline = tokio::time::Instant::now() + grace;
        for server in &mut servers {
            let _ = (&mut server.reader).await;
            if tokio::time::timeout_at(deadline, &mut server.publisher)
                .await
                .is_err()
            {
                server.publisher.abort();
                warn!(
                    server = %server.name,
                    unpublished = server.buffer.len(),
                    "stopped before JetStream acknowledged every buffered message"
                );
            }
        }
        let _ = nats.flush().await;
        servers.iter().map(Server::stats).collect()
    }
}

impl Server {
    fn stats(&self) -> ServerStats {
        let c = &self.counters;
        ServerStats {
            server: self.name.clone(),
            read: c.read.load(Ordering::Relaxed),
            published: c.published.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            republished: c.republished.load(Ordering::Relaxed),
            buffered: self.buffer.len(),
            connections: c.connections.load(Ordering::Relaxed),
        }
    }
}

/// The NATS connection `[nats]` describes; its events are logged.
async fn connect_nats(config: &Config) -> Result<async_nats::Client, StartError> {
    let nats = &config.nats;
    let env = |var: &str| {
        std::env::var(var).map_err(|_| {
            StartError::Config(ConfigError::new(format!(
                "[nats]: the environment variable {var} is not set"
            )))
        })
    };
    let mut options = async_nats::ConnectOptions::new()
        .name(&nats.name)
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Connected => info!("NATS connected"),
                async_nats::Event::Disconnected => warn!("NATS disconnected; buffering"),
                other => warn!(event = %other, "NATS"),
            }
        });
    if let (Some(user), Some(var)) = (&nats.user, &nats.password_env) {
        options = options.user_and_password(user.clone(), env(var)?);
    }
    if let Some(var) = &nats.token_env {
        options = options.token(env(var)?);
    }
    if nats.tls {
        options = options.require_tls(true);
    }
    if let Some(path) = &nats.ca_file {
        options = options.add_root_certificates(path.clone());
    }
    let shown = redact(&nats.url);
    let client = options
        .connect(nats.url.as_str())
        .await
        .map_err(|e| StartError::Nats(format!("cannot connect to {shown}: {e}")))?;
    info!(url = %shown, "NATS ready");
    Ok(client)
}

/// The URL without its `user:password@` part, for logs and errors.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if scheme.is_empty() {
        rest.to_string()
    } else {
        format!("{scheme}://{rest}")
    }
}

/// This run of the bridge: the start time in nanoseconds and the process ID, so that no
/// two runs share a sequence-based message ID.
fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact("nats://u:p@host:4222"), "nats://host:4222");
        assert_eq!(redact("nats://host:4222"), "nats://host:4222");
        assert_eq!(redact("u:p@host"), "host");
        assert_eq!(redact("tls://a@b@host"), "tls://host");
    }
}
