//! What can go wrong over HTTP and not over TCP.

use std::fmt;

use ami_http::{CookieError, DigestError};

/// Why an AJAM exchange failed: the detail of [`Error::Http`](crate::Error::Http).
///
/// ```
/// use ami_tokio::{Error, HttpError};
/// let e = Error::Http(HttpError::SessionExpired);
/// assert!(e.to_string().starts_with("the HTTP session expired"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// The session ended on the server: the reply came under a new `mansession_id` (its
    /// body says `Permission denied`). Asterisk ends a session idle for longer than
    /// manager.conf's `httptimeout` (60 s by default), and every session when it
    /// restarts. The action was not run. The client logs in again in the background
    /// (subscribers see [`Disconnected`], then [`Reconnected`]); sent again, the action
    /// runs in the new session.
    ///
    /// [`Disconnected`]: crate::ClientEvent::Disconnected
    /// [`Reconnected`]: crate::ClientEvent::Reconnected
    SessionExpired,
    /// The server answered with this status instead of 200 (404: `webenabled` is off in
    /// manager.conf or the prefix is wrong; 401 on a cookie path).
    Status(u16),
    /// The reply body held no response to the action. Its sections that could not be
    /// decoded (`malformed` of them) went to subscribers as
    /// [`ClientEvent::MalformedBody`](crate::ClientEvent::MalformedBody).
    NoReply {
        /// Sections of the body that could not be decoded.
        malformed: usize,
    },
    /// The reply body is larger than [`HttpConfig::max_body`](crate::HttpConfig::max_body).
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The reply to the login set no `mansession_id` cookie, so no later request could
    /// be in its session.
    NoSessionCookie,
    /// A `Set-Cookie` header names a `mansession_id` that is not a cookie value.
    Cookie(CookieError),
    /// A `401` whose `WWW-Authenticate` holds no digest challenge this client can answer,
    /// or credentials that cannot go into an `Authorization` header.
    Digest(DigestError),
    /// Asterisk kept answering `401` with a new (stale) nonce.
    TooManyChallenges,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::SessionExpired => f.write_str(
                "the HTTP session expired (the reply came under a new mansession_id: \
                 Permission denied); the action was not run, the client logs in again",
            ),
            HttpError::Status(status) => write!(f, "HTTP status {status}"),
            HttpError::NoReply { malformed: 0 } => {
                f.write_str("the reply body held no response to the action")
            }
            HttpError::NoReply { malformed } => write!(
                f,
                "the reply body held no response to the action ({malformed} malformed sections)"
            ),
            HttpError::BodyTooLarge { limit } => {
                write!(f, "the reply body is larger than {limit} bytes")
            }
            HttpError::NoSessionCookie => {
                f.write_str("the login reply set no mansession_id cookie")
            }
            HttpError::Cookie(e) => write!(f, "bad Set-Cookie: {e}"),
            HttpError::Digest(e) => write!(f, "digest authentication: {e}"),
            HttpError::TooManyChallenges => {
                f.write_str("the server kept answering 401 with new nonces")
            }
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Cookie(e) => Some(e),
            HttpError::Digest(e) => Some(e),
            _ => None,
        }
    }
}
