//! `ami proxy`: one connection to Asterisk shared by many AMI clients, each logging in as a
//! user of the proxy's own manager.conf (see the ami-proxy crate).

use std::net::SocketAddr;
use std::path::PathBuf;

use ami_proto::filter::Rules;
use ami_proxy::{Proxy, ProxyConfig};

use crate::exit::{self, Error, Exit};
use crate::manager_conf;
use crate::server::Upstream;

/// Serve many AMI clients over one connection to Asterisk
///
/// Clients connect to --listen and log in as users of --users (a manager.conf: secret,
/// permit/deny, read and write classes, eventfilter lines). Each gets the events Asterisk
/// would send that user and may send the actions its write classes allow; the proxy
/// answers Login, Challenge, Logoff, Events and Filter itself. The proxy logs in to
/// --upstream as --upstream-user (secret from $AMI_SECRET), which should read every class
/// with no filters. One log line per login, refused login and disconnection goes to
/// standard error. Runs until Ctrl-C.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami proxy --upstream HOST[:PORT] [--tls] [--auth plain|md5] [--upstream-user NAME]\n                 --users manager.conf [--listen ADDR] [--listen-tls ADDR --cert PEM --key PEM]\n                 [--asterisk VERSION] [--queue-limit N]",
    after_help = exit::HELP
)]
pub struct Args {
    /// Asterisk's address: `host[:port]` (port 5038, or 5039 with --tls)
    #[arg(long, value_name = "HOST")]
    upstream: String,

    /// The manager.conf user the proxy logs in to Asterisk as
    #[arg(long, value_name = "NAME", default_value = "admin")]
    upstream_user: String,

    #[command(flatten)]
    connection: Upstream,

    /// The proxy's users: a manager.conf
    #[arg(long, value_name = "FILE")]
    users: PathBuf,

    /// Where clients connect
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5038")]
    listen: SocketAddr,

    /// Also listen for TLS clients here
    #[arg(long, value_name = "ADDR", requires_all = ["cert", "key"])]
    listen_tls: Option<SocketAddr>,

    /// With --listen-tls: the certificate chain (PEM)
    #[arg(long, value_name = "PEM", requires = "listen_tls")]
    cert: Option<PathBuf>,

    /// With --listen-tls: the private key (PEM)
    #[arg(long, value_name = "PEM", requires = "listen_tls")]
    key: Option<PathBuf>,

    /// Read --users and filter with this Asterisk version's rules (13, or 20 to 23;
    /// default: the newest)
    #[arg(long, value_name = "VERSION", default_value_t = Rules::default())]
    asterisk: Rules,

    /// Messages queued for a client that reads slower than they come; one more and it is
    /// disconnected
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    queue_limit: usize,
}

/// Runs `ami proxy` until Ctrl-C.
pub fn run(args: Args) -> Result<Exit, Error> {
    let (users, _) = manager_conf::load_with_lines(&args.users, args.asterisk)?;
    for warning in users.warnings() {
        eprintln!("warning: {warning}");
    }
    let upstream = args
        .connection
        .config(&args.upstream, &args.upstream_user)?;
    let mut config = ProxyConfig::new(upstream, users)
        .listen(args.listen)
        .queue_limit(args.queue_limit);
    if let (Some(addr), Some(cert), Some(key)) = (args.listen_tls, &args.cert, &args.key) {
        let tls =
            ami_proxy::tls_server_config(cert, key).map_err(|e| Error::usage(e.to_string()))?;
        config = config.listen_tls(addr, tls);
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::connection(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let proxy = Proxy::start(config)
            .await
            .map_err(|e| Error::connection(format!("{}: {e}", args.upstream)))?;
        let _ = tokio::signal::ctrl_c().await;
        drop(proxy);
        Ok(Exit::Success)
    })
}
