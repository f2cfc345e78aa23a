//! An AMI proxy: one connection to Asterisk, many AMI clients, each getting exactly what
//! Asterisk would give it.
//!
//! Clients log in to the proxy as users of the proxy's own manager.conf (plain `Secret` or
//! the MD5 `Challenge`; `permit`/`deny` honoured). Each then receives the events Asterisk
//! would send that user (its read classes, the Login's and `Events` action's event mask,
//! its `eventfilter` lines and `Filter` actions, by ami-proto's filter engine), and may send
//! the actions its `write` classes allow; others get Asterisk's `Permission denied` without
//! reaching Asterisk. Actions are re-encoded (CR, LF and NUL refused) and sent upstream
//! under the upstream client's own ActionIDs; replies and list items get the client's
//! ActionID back, so no client sees another's replies.
//!
//! | file | concept |
//! | --- | --- |
//! | `session.rs` | [`Session`]: one client without IO (login, local actions, write classes) |
//! | `acl.rs` | [`acl_allows`]: `permit`/`deny` |
//! | `write_class.rs` | [`required_write_classes`]: the classes each action needs |
//! | `reply.rs` | the bytes the proxy answers with, ActionIDs put back |
//! | `tls.rs` | `tls_server_config`: the TLS listener's certificate and key from PEM files |
//! | `outbox.rs` | a client's queue of messages to write, bounded in messages, emptied by vectored writes |
//! | `server.rs` | `Proxy` (feature `server`, on by default): the listener, the upstream `Client` of ami-tokio, fan-out |
//!
//! # A client that cannot keep up
//!
//! Each client has a bounded queue ([`ProxyConfig::queue_limit`] messages). When it is
//! full the client is disconnected, with a log line giving the reason: nothing is dropped
//! silently, and one slow client never stalls the upstream connection or the others. This
//! is what Asterisk itself does to a session that cannot take its events within
//! `writetimeout` (it closes it); keeping the client and dropping events instead would
//! leave it with a wrong picture of the PBX and no way to know.
//!
//! # Clients that do not log in
//!
//! As Asterisk, the proxy closes a client that has not logged in within `authtimeout`
//! seconds, and refuses a client while `authlimit` others have not logged in (both from
//! the `[general]` section of its manager.conf; 30 s and 50 by default). A refused login
//! is answered after 1 s ([`ProxyConfig::failed_login_delay`]) and the connection closed.
//!
//! # When Asterisk goes away
//!
//! Clients stay connected. Each logged-in client gets `Event: ProxyUpstreamLost` (with a
//! `Reason:`); actions in flight get `Response: Error` with the reason; the upstream
//! client reconnects and logs in again by itself, and clients then get
//! `Event: ProxyUpstreamRestored`. If the proxy itself falls behind Asterisk, clients get
//! `Event: ProxyEventsLost` with the count.
//!
//! # Where the proxy and Asterisk differ
//!
//! - `FullyBooted` after a login is Asterisk 13's form (no `Uptime`, `LastReload`).
//! - An event Asterisk builds from a client's action with that action's ActionID (the
//!   `UserEvent` action) carries the upstream ActionID, not the client's.
//! - An action the table of `write_class.rs` does not know needs `write = all`.
//! - A client's actions go upstream one at a time, each after the previous one's response
//!   (and, for an `EventList`, its items): the next response can come before the items of
//!   an `Async` Originate, as in Asterisk, but not before those of a list.

#![deny(missing_docs)]

mod acl;
#[cfg(feature = "server")]
mod outbox;
mod reply;
#[cfg(feature = "server")]
mod server;
mod session;
#[cfg(feature = "server")]
mod tls;
mod write_class;

pub use acl::acl_allows;
#[cfg(feature = "server")]
pub use server::{Proxy, ProxyConfig, StartError};
pub use session::{Logins, Session, Step, REQUEST_LIMITS};
#[cfg(feature = "server")]
pub use tls::tls_server_config;
pub use write_class::required_write_classes;

#[doc(hidden)]
pub use session::md5_key_for_tests;
