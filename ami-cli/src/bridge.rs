//! `ami bridge`: run ami-bridge, many Asterisk servers to NATS JetStream, until Ctrl-C or
//! SIGTERM.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use ami_bridge::{Bridge, Config};

use crate::exit::{self, Error, Exit};

/// Bridge Asterisk servers to NATS JetStream: events to subjects, actions by request
///
/// Every server of the configuration file gets its own AMI connection (reconnected
/// forever); its events are published to `ami.<server>.event.<EventName>` in
/// `ami decode`'s JSON, its connection's state to `ami.<server>.state`, and a request
/// on `ami.<server>.action` (an action as `ami encode --json` reads it) is sent to it
/// when its allow-list lets it through. Secrets come from the environment or a file
/// named in the configuration, never from the command line. Logs go to standard error
/// (RUST_LOG=ami_bridge=debug for more). Ctrl-C or SIGTERM stops: the buffered messages
/// get 5 seconds to reach JetStream, then the counts are logged.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami bridge [--nats URL] --config FILE",
    after_help = exit::HELP
)]
pub struct Args {
    /// The NATS server (overrides `[nats] url`; default nats://127.0.0.1:4222); NATS
    /// credentials belong in the file (`[nats] user` and `password_env`), not here
    #[arg(long, value_name = "URL")]
    nats: Option<String>,

    /// bridge.toml: the servers, the stream, the publishing settings
    #[arg(long, value_name = "FILE")]
    config: PathBuf,

    /// Check the configuration (and read the secrets), then exit without connecting
    #[arg(long)]
    check: bool,
}

/// Runs `ami bridge`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let mut config = Config::load(&args.config).map_err(|e| Error::usage(e.to_string()))?;
    if let Some(url) = args.nats {
        config.nats.url = url;
    }
    if args.check {
        for server in &config.servers {
            server
                .client_config()
                .map_err(|e| Error::usage(e.to_string()))?;
        }
        eprintln!(
            "{}: {} server(s), NATS {}",
            args.config.display(),
            config.servers.len(),
            config.nats.url
        );
        return Ok(Exit::Success);
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "ami=info,ami_bridge=info,ami_tokio=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::connection(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let bridge = Bridge::start(&config)
            .await
            .map_err(|e| Error::connection(e.to_string()))?;
        stopped().await;
        let stats = bridge.shutdown(Duration::from_secs(5)).await;
        for s in &stats {
            tracing::info!(
                server = %s.server,
                read = s.read,
                published = s.published,
                duplicates = s.duplicates,
                dropped = s.dropped,
                unpublished = s.buffered,
                connections = s.connections,
                "stopped"
            );
        }
        Ok(Exit::Success)
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
