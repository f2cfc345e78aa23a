//! The options every subcommand that talks to a live Asterisk shares: where it is, TLS,
//! and who logs in. The secret comes from the environment (`AMI_SECRET`), never from the
//! command line, where `ps` and shell history would show it. `ami send --http` reads the
//! same options for an AJAM URL.

use std::path::PathBuf;
use std::time::Duration;

use ami_http::Encoding;
use ami_proto::AuthMethod;
use ami_tokio::{ClientConfig, HttpConfig, TlsConfig};

use crate::exit::Error;

/// The environment variable that holds the secret.
pub const SECRET_VAR: &str = "AMI_SECRET";

/// How to reach and log in to the server.
#[derive(Debug, clap::Args)]
pub struct Server {
    /// Connect with TLS (default port 5039)
    #[arg(long, group = "secure")]
    tls: bool,

    /// With TLS: accept any certificate (a lab server with a self-signed one)
    #[arg(long, requires = "secure")]
    insecure: bool,

    /// With TLS: trust the CA certificates of this PEM file instead of the system's
    #[arg(
        long,
        value_name = "PEM",
        requires = "secure",
        conflicts_with = "insecure"
    )]
    cacert: Option<PathBuf>,

    /// Plain (`Secret:`) or MD5 challenge login (the secret never crosses the wire)
    #[arg(long, value_enum, default_value_t = Auth::Plain)]
    auth: Auth,

    /// The manager.conf user; the secret is read from $AMI_SECRET
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub user: String,

    /// The server's address (the help text is given below: rustdoc would read its
    /// `[:port]` as a link)
    #[arg(
        value_name = "ADDR",
        help = "host[:port] (port 5038, or 5039 with --tls)"
    )]
    pub addr: String,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Auth {
    Plain,
    Md5,
}

impl Server {
    /// The host and port to connect to (the default port depends on `--tls`), without
    /// reading the secret.
    pub fn host_port(&self) -> (String, u16) {
        let config = ClientConfig::new(&self.addr);
        if self.tls {
            config.tls(TlsConfig::native_roots()).address()
        } else {
            config.address()
        }
    }

    /// The secret, from `$AMI_SECRET`.
    fn secret(&self) -> Result<String, Error> {
        std::env::var(SECRET_VAR).map_err(|_| {
            Error::usage(format!(
                "set {SECRET_VAR} to the secret of user `{}` (it is never read from the command line)",
                self.user
            ))
        })
    }

    /// The certificates to trust, from `--insecure` and `--cacert`.
    fn trust(&self) -> Result<TlsConfig, Error> {
        Ok(match (&self.cacert, self.insecure) {
            (Some(path), _) => {
                TlsConfig::with_ca_file(path).map_err(|e| Error::usage(e.to_string()))?
            }
            (None, true) => TlsConfig::dangerous_accept_any_certificate(),
            (None, false) => TlsConfig::native_roots(),
        })
    }

    /// The client configuration these options describe; the secret from `$AMI_SECRET`.
    pub fn config(&self) -> Result<ClientConfig, Error> {
        if self.addr.starts_with("http://") || self.addr.starts_with("https://") {
            return Err(Error::usage(
                "ADDR is a URL: add --http to talk to Asterisk's HTTP server (AJAM)",
            ));
        }
        let secret = self.secret()?;
        let mut config = ClientConfig::new(&self.addr)
            .credentials(&self.user, secret)
            .auth(match self.auth {
                Auth::Plain => AuthMethod::Plain,
                Auth::Md5 => AuthMethod::Md5,
            });
        if self.tls {
            config = config.tls(self.trust()?);
        }
        Ok(config)
    }

    /// The AJAM configuration for ADDR as a URL (`ami send --http`): `encoding`, digest
    /// or cookie login, the secret from `$AMI_SECRET`.
    pub fn http_config(&self, encoding: Encoding, digest: bool) -> Result<HttpConfig, Error> {
        // The error never repeats the URL, which may hold a password.
        let config = HttpConfig::new(&self.addr).map_err(|e| Error::usage(format!("URL: {e}")))?;
        let https = self
            .addr
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        if (self.insecure || self.cacert.is_some()) && !https {
            return Err(Error::usage("--insecure and --cacert need an https:// URL"));
        }
        let mut config = config
            .credentials(&self.user, self.secret()?)
            .encoding(encoding);
        if digest {
            config = config.digest();
        }
        if https {
            config = config.tls(self.trust()?);
        }
        Ok(config)
    }
}

/// How to reach Asterisk, for a subcommand whose address is an option (`ami proxy`): TLS
/// and the login method as [`Server`] has them.
#[derive(Debug, clap::Args)]
pub struct Upstream {
    /// Connect with TLS (default port 5039)
    #[arg(long)]
    tls: bool,

    /// With --tls: accept any certificate (a lab server with a self-signed one)
    #[arg(long, requires = "tls")]
    insecure: bool,

    /// With --tls: trust the CA certificates of this PEM file instead of the system's
    #[arg(
        long,
        value_name = "PEM",
        requires = "tls",
        conflicts_with = "insecure"
    )]
    cacert: Option<PathBuf>,

    /// Plain (`Secret:`) or MD5 challenge login (the secret never crosses the wire)
    #[arg(long, value_enum, default_value_t = Auth::Plain)]
    auth: Auth,
}

impl Upstream {
    /// The client configuration for `addr` and `user`; the secret from `$AMI_SECRET`.
    pub fn config(&self, addr: &str, user: &str) -> Result<ClientConfig, Error> {
        Server {
            tls: self.tls,
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            auth: self.auth,
            user: user.to_string(),
            addr: addr.to_string(),
        }
        .config()
    }
}

/// `--timeout SECS` as a duration (fractions allowed).
pub fn seconds(arg: &str) -> Result<Duration, String> {
    let secs: f64 = arg
        .parse()
        .map_err(|_| format!("`{arg}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err("expected more than 0 and at most 86400 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A runtime for one subcommand: one thread is plenty for one connection.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::connection(format!("cannot start the async runtime: {e}")))
}
