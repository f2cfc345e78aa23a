//! Why a client call or connection failed.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ami_proto::{EncodeError, LoginFailure, OwnedMessage};

/// Why a [`Client`](crate::Client) call or connection failed. A `Response: Error` from
/// Asterisk is not one of these: it is a [`Reply`](crate::Reply) that says so.
///
/// ```
/// let e = ami_tokio::Error::Timeout { after: std::time::Duration::from_secs(2) };
/// assert_eq!(e.to_string(), "no reply within 2s");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The TCP or TLS connection could not be made.
    Connect {
        /// `host:port`.
        addr: String,
        /// What failed.
        source: Arc<io::Error>,
    },
    /// Asterisk refused the login (wrong user or secret, MD5 challenge refused) or a
    /// configured filter.
    Login {
        /// Which step failed.
        reason: LoginError,
        /// Asterisk's reply, if there was one.
        reply: Option<OwnedMessage>,
    },
    /// The call (or the login, or the connect) did not complete in time; the action's
    /// ActionID is forgotten, a late reply goes to subscribers as unmatched.
    Timeout {
        /// The time allowed.
        after: Duration,
    },
    /// The connection was lost while the call was in flight (over HTTP: the session was
    /// lost, or the request's connection failed).
    Disconnected {
        /// Why the connection ended.
        reason: Arc<str>,
    },
    /// The client is closed (logged off, dropped, or out of reconnect attempts).
    Closed {
        /// Why.
        reason: Arc<str>,
    },
    /// The action cannot be encoded safely (CR/LF in a value, a bad key, Asterisk's
    /// limits); nothing was sent.
    Encode(EncodeError),
    /// The action's own ActionID is empty, too long or holds forbidden bytes, or is
    /// already in use by another call.
    ActionId(String),
    /// What went wrong in an AJAM exchange ([`HttpClient`](crate::HttpClient) only):
    /// an expired session, an HTTP status, a body without a reply.
    #[cfg(feature = "http")]
    Http(crate::http::HttpError),
}

/// Which step of the login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginError {
    /// The login state machine's reason.
    Refused(LoginFailure),
    /// A configured `Filter` was refused.
    Filter,
    /// The server closed the connection before the login was answered.
    Closed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect { addr, source } => write!(f, "cannot connect to {addr}: {source}"),
            Error::Login { reason, reply } => {
                let said = reply.as_ref().and_then(|r| {
                    r.message()
                        .get("Message")
                        .map(|m| m.escape_ascii().to_string())
                });
                match reason {
                    LoginError::Refused(LoginFailure::Refused) => f.write_str("login refused")?,
                    LoginError::Refused(LoginFailure::ChallengeRefused) => {
                        f.write_str("login refused: the MD5 challenge was refused")?
                    }
                    LoginError::Refused(LoginFailure::BadChallenge) => {
                        f.write_str("login failed: the server sent no usable MD5 challenge")?
                    }
                    LoginError::Refused(_) => f.write_str("login failed")?,
                    LoginError::Filter => f.write_str("a configured filter was refused")?,
                    LoginError::Closed => {
                        f.write_str("the server closed the connection during the login")?
                    }
                }
                match said {
                    Some(said) => write!(f, " ({said})"),
                    None => Ok(()),
                }
            }
            Error::Timeout { after } => write!(f, "no reply within {after:?}"),
            Error::Disconnected { reason } => write!(f, "connection lost: {reason}"),
            Error::Closed { reason } => write!(f, "client closed: {reason}"),
            Error::Encode(e) => write!(f, "cannot encode the action: {e}"),
            Error::ActionId(why) => write!(f, "bad ActionID: {why}"),
            #[cfg(feature = "http")]
            Error::Http(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect { source, .. } => Some(source.as_ref()),
            Error::Encode(e) => Some(e),
            #[cfg(feature = "http")]
            Error::Http(e) => e.source(),
            _ => None,
        }
    }
}
