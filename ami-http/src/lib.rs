//! AJAM, the Asterisk Manager Interface over HTTP, without IO: decoding the three
//! encodings Asterisk answers in into `ami-proto`'s messages, and the parts of an HTTP
//! session that are pure logic (the request's query string or form body, the session
//! cookie, HTTP digest authentication, telling an expired session).
//!
//! Asterisk serves the manager over HTTP when `http.conf` enables its server and
//! `manager.conf` says `webenabled = yes`: `/rawman`, `/mxml` and `/manager` log in with an
//! action and keep the session in the `mansession_id` cookie; `/arawman`, `/amxml` and
//! `/amanager` authenticate every request with HTTP digest instead. Events are not pushed:
//! a client polls them with the `WaitEvent` action.
//!
//! # Why a crate of its own
//! A TCP client never needs any of this: an XML and an HTML reader, percent-encoding,
//! cookie and digest parsing, and MD5 (the `md-5` crate) for digest. `ami-proto` stays a
//! small `no_std` protocol crate; this one uses `std` and builds on it: its [`Decoder`]
//! reads rawman bodies, its [`OwnedMessage`] is what all three encodings decode to, and
//! its [`Action`] trait and [`ActionWriter`] checks are what a request is built from.
//!
//! # Contract
//! - **No IO, no clock, no randomness.** You do the HTTP exchange (the hyper session of
//!   `ami-tokio` does); this crate says what to send and what came back. The digest
//!   client nonce is yours to draw.
//! - **One message type.** Every encoding decodes to [`OwnedMessage`], so `get`,
//!   `get_all`, `kind`, `action_id`, [`Message::command_output`] and the list markers read
//!   the same whichever encoding (or TCP) brought the message.
//! - **Typed errors, then the next section.** A malformed section gives a [`DecodeError`]
//!   with its body offset; decoding goes on with the next section. Limits come from
//!   `ami-proto`'s [`Config`] and apply to every encoding.
//!
//! # Example
//! ```
//! use ami_http::{decode, Encoding};
//!
//! let rawman = b"Response: Success\r\nMessage: Command output follows\r\nOutput: Asterisk 23.4.1\r\n\r\n";
//! let mxml = b"<ajax-response>\n<response type='object' id='unknown'><generic response='Success' \
//!     message='Command output follows' output='Asterisk 23.4.1' /></response>\n</ajax-response>\n";
//! let manager = b"<table>\r\n<tr><td>Response</td><td>Success</td></tr>\n\
//!     <tr><td>Message</td><td>Command output follows</td></tr>\n\
//!     <tr><td>Output</td><td>Asterisk 23.4.1</td></tr>\n<tr><td colspan=\"2\"><hr></td></tr>\r\n</table>";
//! for (encoding, body) in [(Encoding::Rawman, &rawman[..]), (Encoding::Mxml, mxml), (Encoding::Manager, manager)] {
//!     let messages = ami_http::messages(encoding, body).unwrap();
//!     let reply = messages[0].message();
//!     assert_eq!(reply.get_str("Response"), Some("Success"));
//!     assert_eq!(reply.command_output().collect::<Vec<_>>(), [b"Asterisk 23.4.1"]);
//! }
//! ```
//!
//! # An HTTP session on top
//! What a client (hyper, reqwest, anything) does per request, with what Asterisk 23.4.1
//! answered in the recorded exchanges:
//!
//! ```
//! use ami_http::{check_session, ActionParams, Auth, DigestAuth, DigestChallenge, Encoding,
//!     Endpoint, SessionCheck, SessionCookie, FORM_CONTENT_TYPE};
//! use ami_proto::{Action, GenericAction};
//!
//! // Cookie paths. Log in with a POST, so that the secret is not in the request line.
//! let endpoint = Endpoint::new(Encoding::Rawman, Auth::Cookie);
//! let login = GenericAction::new("Login").header("Username", "admin").header("Secret", "amp111");
//! let form = ActionParams::new(&login, Some(b"login-1")).unwrap().query();
//! // POST endpoint.path() with `Content-Type: FORM_CONTENT_TYPE` and body `form`; the reply:
//! let set_cookie: &[u8] = br#"mansession_id="d01fb167"; Version=1; Max-Age=60"#;
//! let mut cookie = SessionCookie::find([set_cookie]).unwrap();
//! assert_eq!(check_session(None, cookie.as_ref()), SessionCheck::Started);
//! // Every later request sends `Cookie: <cookie.header_value()>`, and polls events with
//! // `WaitEvent` more often than `max_age()` seconds.
//! let wait = GenericAction::new("WaitEvent").header("Timeout", "30");
//! let target = endpoint.target(&ActionParams::new(&wait, Some(b"wait-1")).unwrap());
//! assert_eq!(target, "/rawman?Action=WaitEvent&ActionID=wait-1&Timeout=30");
//! // A reply under another id means the session is gone (expired, logged off): log in
//! // again and resend; the body said `Permission denied`.
//! let after_expiry = SessionCookie::parse(br#"mansession_id="4d839dd7"; Version=1; Max-Age=60"#).unwrap();
//! assert_eq!(check_session(cookie.as_ref(), after_expiry.as_ref()), SessionCheck::Replaced);
//! cookie = after_expiry;
//!
//! // Digest paths: the first request gets a 401 with a challenge; every request then
//! // carries an Authorization header computed for its exact target.
//! let endpoint = Endpoint::new(Encoding::Mxml, Auth::Digest);
//! let challenge = DigestChallenge::parse(
//!     br#"Digest algorithm=MD5, realm="asterisk", nonce="2fadb8d8", qop="auth", opaque="2fadb8d8""#,
//! ).unwrap();
//! let mut auth = DigestAuth::new(challenge);
//! let ping = ActionParams::new(&GenericAction::new("Ping"), Some(b"p-1")).unwrap();
//! let target = endpoint.target(&ping);
//! let cnonce = "8f2c0a5e91b34d7c"; // fresh random bytes, hex, for every request
//! let authorization = auth.authorization("admin", "amp111", "GET", &target, cnonce).unwrap();
//! assert!(authorization.starts_with("Digest username=\"admin\""));
//! // A new 401 means a new challenge (stale nonce) or a wrong secret (not stale).
//! # let _ = (form, cookie, FORM_CONTENT_TYPE);
//! ```
//!
//! # What each encoding keeps
//! rawman bodies are AMI text as on TCP: everything is kept. mxml and the manager page are
//! made by Asterisk from that same text, line by line (`xml_translate` in
//! `main/manager.c`, modelled by [`render`]), and lose some of it for good:
//!
//! | | mxml | manager |
//! | --- | --- | --- |
//! | key case | lost: keys are lower-cased (`get` ignores case, so reading is unaffected) | kept |
//! | other bytes of a key | lost: every byte that is not an ASCII letter or digit becomes `_` (`ChanVariable(Local/600@test-00000045;1)` is `chanvariable_local_600_test_00000045_1_`, which `get` cannot find by the original name); a leading digit gets an `_` before it | kept |
//! | repeated keys | kept in order: `output`, `output-2`, ... come back as `output` each time | kept in order; a key that really ends in `-n` after `n - 1` fields of the same name reads as a repeat |
//! | keys differing only in case (`Foo`, `foo`) | come back as one key repeated | kept |
//! | blanks around a value | lost: Asterisk cuts bytes below `!` at the end of every line and after the colon (`Output:   '7000' =>` arrives as `'7000' =>`; PJSIP's `Message: ...nosuch` + LF loses the LF) | lost, the same way |
//! | a LF inside a value | splits the line: the rest becomes a field or opaque data of its own | the same |
//! | legacy `Response: Follows` output (Asterisk 13) | the lines, without their trailing blanks, as the Command body; but lines holding a colon that come before the first line without one become fields with made-up keys (`core show version`: `asterisk_13_38_3_built_by_..._03='57:49 UTC'`) | the same, except that such a line comes back into the output when its key holds a space or tab (as AMI's own rule says no key does), as `key:value` |
//! | blank lines in that output | a single one vanishes (Asterisk reads LF LF as one line break); one right after the headers, or two in a row, end the section: the rest of the output arrives as another message, without `Response` | the same |
//!
//! Everything else (values, their order, non-UTF-8 bytes, messages per body, list items
//! and their `ActionID`) arrives as in rawman. The manager page can hold keys with spaces
//! (Asterisk 13's CLI text split at a colon): such a message reads normally, but its
//! [`OwnedMessage::as_bytes`] is not AMI that `ami-proto` would decode to the same
//! headers. The tests in `tests/` check all of this on every recorded body of Asterisk
//! 13.38.3 and 23.4.1 (`corpus/http/`), and on the 17,000 messages of the TCP captures
//! run through [`render`].
//!
//! [`Decoder`]: ami_proto::Decoder
//! [`Action`]: ami_proto::Action
//! [`ActionWriter`]: ami_proto::ActionWriter
//! [`Config`]: ami_proto::Config
//! [`Message::command_output`]: ami_proto::Message::command_output
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod cookie;
mod digest;
mod error;
mod manager;
mod markup;
mod mxml;
mod rawman;
pub mod render;
mod request;
mod section;

use ami_proto::{Config, OwnedItem, OwnedMessage};

pub use cookie::{check_session, CookieError, SessionCheck, SessionCookie, SESSION_COOKIE};
pub use digest::{Algorithm, DigestAuth, DigestChallenge, DigestError};
pub use error::{DecodeError, DecodeErrorKind};
pub use request::{percent_encode, ActionParams, Auth, Endpoint, PrefixError, FORM_CONTENT_TYPE};

/// The three encodings AJAM answers in.
///
/// ```
/// use ami_http::Encoding;
/// assert_eq!(Encoding::Mxml.name(), "mxml");
/// assert_eq!(Encoding::from_name("manager"), Some(Encoding::Manager));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `rawman`: AMI text, as on TCP (`Content-type: text/plain`).
    Rawman,
    /// `mxml`: XML (`text/xml`).
    Mxml,
    /// `manager`: an HTML page (`text/html`).
    Manager,
}

impl Encoding {
    /// All three, in the order above.
    pub const ALL: [Encoding; 3] = [Encoding::Rawman, Encoding::Mxml, Encoding::Manager];

    /// The name Asterisk serves it under (the last path segment without the digest `a`).
    ///
    /// ```
    /// assert_eq!(ami_http::Encoding::Rawman.name(), "rawman");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Rawman => "rawman",
            Encoding::Mxml => "mxml",
            Encoding::Manager => "manager",
        }
    }

    /// The encoding named `name` (as [`name`](Self::name) gives it).
    ///
    /// ```
    /// assert_eq!(ami_http::Encoding::from_name("xml"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// The items of one body, in order; see [`decode`].
#[derive(Debug)]
pub struct Items<'b>(Inner<'b>);

#[derive(Debug)]
enum Inner<'b> {
    /// Boxed: the AMI decoder is several times larger than the other readers.
    Rawman(Box<rawman::Items<'b>>),
    Mxml(mxml::Items<'b>),
    Manager(manager::Items<'b>),
}

impl Items<'_> {
    /// Offset in the body of the first byte not read yet.
    fn offset(&self) -> usize {
        match &self.0 {
            Inner::Rawman(items) => items.offset(),
            Inner::Mxml(items) => items.offset(),
            Inner::Manager(items) => items.offset(),
        }
    }
}

impl Iterator for Items<'_> {
    type Item = Result<OwnedItem, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Inner::Rawman(items) => items.next(),
            Inner::Mxml(items) => items.next(),
            Inner::Manager(items) => items.next(),
        }
    }
}

/// Decodes one whole HTTP body (not a 401 page: look at the status first) with the
/// default [`Config`].
///
/// Items are [`OwnedItem::Message`], except that a rawman body may hold
/// [`OwnedItem::Text`] (a reply without headers, as Asterisk 13's `Queues` action writes);
/// there is never a banner. After an error the next item comes from the next section.
///
/// ```
/// use ami_http::{decode, Encoding};
/// use ami_proto::OwnedItem;
///
/// let body = b"<ajax-response>\n\
///     <response type='object' id='unknown'><generic response='Success' message='Waiting for Event completed.' /></response>\n\
///     <response type='object' id='unknown'><generic event='WaitEventComplete' /></response>\n\
///     </ajax-response>\n";
/// let names: Vec<String> = decode(Encoding::Mxml, body)
///     .map(|item| match item.unwrap() {
///         OwnedItem::Message(m) => m.message().get_str("event").unwrap_or("(reply)").to_string(),
///         other => panic!("{other:?}"),
///     })
///     .collect();
/// assert_eq!(names, ["(reply)", "WaitEventComplete"]);
/// ```
pub fn decode(encoding: Encoding, body: &[u8]) -> Items<'_> {
    decode_with(encoding, body, Config::default())
}

/// [`decode`] with the given limits (all encodings) and line endings (rawman only).
///
/// ```
/// use ami_http::{decode_with, DecodeErrorKind, Encoding};
/// use ami_proto::{Config, Limits};
///
/// let config = Config::default().with_limits(Limits::DEFAULT.with_max_headers(2));
/// let body = b"<ajax-response>\n<response type='object' id='unknown'><generic a='1' b='2' c='3' /></response>\n</ajax-response>\n";
/// let error = decode_with(Encoding::Mxml, body, config).next().unwrap().unwrap_err();
/// assert_eq!(error.kind, DecodeErrorKind::TooManyHeaders { limit: 2 });
/// ```
pub fn decode_with(encoding: Encoding, body: &[u8], config: Config) -> Items<'_> {
    Items(match encoding {
        Encoding::Rawman => Inner::Rawman(Box::new(rawman::Items::new(body, config))),
        Encoding::Mxml => Inner::Mxml(mxml::Items::new(body, config)),
        Encoding::Manager => Inner::Manager(manager::Items::new(body, config)),
    })
}

/// The messages of a body, for callers who want all or nothing: the first error ends it,
/// and so does a rawman text block (which is not a message), as
/// [`DecodeErrorKind::Expected`] at the offset where the block ends.
///
/// ```
/// let body = b"Response: Success\r\nPing: Pong\r\n\r\n";
/// let messages = ami_http::messages(ami_http::Encoding::Rawman, body).unwrap();
/// assert_eq!(messages[0].message().get_str("Ping"), Some("Pong"));
/// let error = ami_http::messages(ami_http::Encoding::Rawman, b"No queues.\r\n\r\n").unwrap_err();
/// assert_eq!(error.kind, ami_http::DecodeErrorKind::Expected("a message"));
/// ```
pub fn messages(encoding: Encoding, body: &[u8]) -> Result<Vec<OwnedMessage>, DecodeError> {
    let mut items = decode(encoding, body);
    let mut messages = Vec::new();
    while let Some(item) = items.next() {
        match item? {
            OwnedItem::Message(m) => messages.push(m),
            _ => {
                let at = items.offset();
                let kind = DecodeErrorKind::Expected("a message");
                return Err(DecodeError::new(kind, at, at));
            }
        }
    }
    Ok(messages)
}

/// Internals for the fuzz targets; not a stable API.
#[doc(hidden)]
pub mod fuzzing;
