//! Sans-IO, `no_std` decoder, encoder and client state machine for the Asterisk Manager
//! Interface (AMI).
//!
//! AMI is the line-oriented text protocol that Asterisk speaks on TCP port 5038: a banner
//! line, then messages made of `Key: Value` lines, each message ended by an empty line.
//! This crate does no IO: you move the bytes (ami-tokio does it on tokio), it reads and
//! writes them.
//!
//! # Map
//! - [`decode`]: [`Decoder`] turns the bytes you read into [`Item`]s (banner, messages),
//!   within the [`Limits`] of its [`Config`]; malformed input is a typed [`Error`].
//! - [`message`]: [`Message`], the borrowed view of one decoded message (headers in wire
//!   order, case-insensitive lookup, a Command reply's output), and [`OwnedMessage`].
//! - [`encode`](mod@encode): actions to bytes. [`encode()`] and [`ActionWriter`] write
//!   one action header by header, refusing any value that could add a header or an
//!   action; the [`Action`] trait (ami-spec's typed actions, [`GenericAction`]);
//!   [`ActionId`].
//! - [`connection`]: [`Connection`], one client session as a state machine: the banner,
//!   the [`Login`] (plain or MD5 challenge), replies and list events matched to their
//!   action by a [`Tracker`], EventLists. `Login` and `Tracker` also work on their own.
//! - [`filter`]: the event filter engine, deciding as Asterisk does which events a manager
//!   user receives (`read =` classes, `eventfilter` lines, `Filter` actions, manager.conf).
//!
//! The items most programs use are also at the crate root.
//!
//! # Features
//! - no feature: the decoder with header slots you lend ([`Decoder::with_storage`]), the
//!   encoder into a `&mut [u8]`, [`Login`] and [`Tracker`]; no allocator needed.
//! - `alloc`: owned header storage ([`Decoder::new`]), [`OwnedMessage`], [`Connection`],
//!   [`GenericAction`], [`filter`], `Vec` outputs.
//! - `std` (default): `std::error::Error` impls and runtime CPU feature detection for the
//!   SIMD scanner.
//!
//! # Contract
//! - **No IO, no clock, no threads.** You read bytes however you like and hand them to a
//!   [`Decoder`]; it tells you what they contain and how many bytes it has used.
//! - **Any chunking.** Feed one byte at a time or a whole file: the same items come out.
//!   The decoder keeps its place as offsets, so a large reply read in small pieces costs
//!   time linear in its length.
//! - **Zero-copy, no allocation while decoding.** Items borrow from your buffer. Header
//!   positions go into storage that is allocated once (`alloc`) or lent by you
//!   ([`Decoder::with_storage`], for `no_std` without an allocator).
//! - **Byte-exact.** Keys and values are bytes as on the wire (values are often not UTF-8).
//!   Malformed input gives a typed [`Error`] with its byte offset, then the decoder skips to
//!   the next message boundary and nothing after it is lost.
//!
//! # Decoding
//! ```
//! use ami_proto::{Decoded, Decoder, Item};
//!
//! let wire = b"Asterisk Call Manager/2.10.6\r\nEvent: FullyBooted\r\nStatus: Fully Booted\r\n\r\n";
//! let mut decoder = Decoder::new();
//! let mut buf = &wire[..];
//! let mut names = Vec::new();
//! loop {
//!     match decoder.decode(buf) {
//!         Decoded::Item { item, consumed } => {
//!             match item {
//!                 Item::Banner(text) => names.push(text.to_vec()),
//!                 Item::Message(msg) => names.push(msg.get("Event").unwrap().to_vec()),
//!                 _ => {}
//!             }
//!             buf = &buf[consumed..];
//!         }
//!         Decoded::Error { error, consumed } => panic!("{error}"),
//!         Decoded::NeedMore { consumed } => { buf = &buf[consumed..]; break; }
//!     }
//! }
//! assert_eq!(names, [b"Asterisk Call Manager/2.10.6".to_vec(), b"FullyBooted".to_vec()]);
//! ```
//!
//! # Encoding an action
//! ```
//! let mut buf = [0u8; 128];
//! let n = ami_proto::encode("Hangup", [("Channel", "PJSIP/100-0001"), ("Cause", "16")], &mut buf)?;
//! assert_eq!(&buf[..n], b"Action: Hangup\r\nChannel: PJSIP/100-0001\r\nCause: 16\r\n\r\n");
//! // A value cannot smuggle a second header or action:
//! assert!(ami_proto::encode("Hangup", [("Channel", "x\r\nAction: Originate")], &mut buf).is_err());
//! # Ok::<(), ami_proto::EncodeError>(())
//! ```
//!
//! # A connection
//! ```
//! # #[cfg(feature = "alloc")] {
//! use ami_proto::{ConnEvent, Connection, Credentials, GenericAction};
//!
//! let mut conn: Connection = Connection::new();
//! conn.handle_input(b"Asterisk Call Manager/9.0.0\r\n");
//! conn.login(Credentials::plain("admin", "secret")).unwrap();
//! let login = conn.poll_transmit().unwrap(); // write these bytes to the socket
//! assert!(login.starts_with(b"Action: Login\r\n"));
//! # let id = std::str::from_utf8(&login).unwrap().lines().find_map(|l| l.strip_prefix("ActionID: ")).unwrap().to_owned();
//! # conn.handle_input(format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n").as_bytes());
//! while let Some(event) = conn.poll_event() {
//!     if let ConnEvent::LoggedIn = event { break; }
//! }
//! let ping = conn.send(&GenericAction::new("Ping")).unwrap();
//! assert!(conn.poll_transmit().unwrap().starts_with(b"Action: Ping\r\nActionID: "));
//! # let _ = ping;
//! # }
//! ```
//!
//! # Event filters (`alloc`)
//!
//! [`filter`] decides, as Asterisk does, which messages a manager session receives: read
//! classes of `read =` (with Asterisk's list quirks), the event mask of Login `Events:` and
//! the `Events` action, legacy `eventfilter` regexes (POSIX, as glibc reads them, on a
//! linear-time engine) and the advanced `eventfilter(...)` syntax of Asterisk 20+, runtime
//! `Filter` actions with Asterisk's reply bytes, and manager.conf parsing. It is tested
//! against a real Asterisk 23.4.1 that served 60 differently filtered users.
//!
//! ```
//! # #[cfg(feature = "alloc")] {
//! use ami_proto::filter::{EventGate, ManagerConf, Origin, Rules};
//! use ami_proto::{Decoded, Decoder, Item};
//!
//! let conf = ManagerConf::parse(b"[ops]\nread = call\neventfilter = !Channel: Local/\n", Rules::default()).unwrap();
//! let gate = EventGate::new(conf.user("ops").unwrap());
//! let wire = b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: Local/100@t-01;1\r\n\r\n";
//! let mut decoder = Decoder::new();
//! let Decoded::Item { item: Item::Message(hangup), .. } = decoder.decode(wire) else { panic!() };
//! assert!(!gate.deliver(&hangup, Origin::Broadcast));
//! # }
//! ```
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(unreachable_pub)]
// Every public enum and struct says whether a later version may add variants or fields:
// `#[non_exhaustive]`, or an `allow` with the reason it is complete.
#![warn(clippy::exhaustive_enums, clippy::exhaustive_structs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod connection;
pub mod decode;
pub mod encode;
#[cfg(feature = "alloc")]
pub mod filter;
pub mod message;
mod scan;

pub use connection::{
    AuthMethod, Correlated, Credentials, ListEnd, ListMarker, ListShape, Login, LoginEvent,
    LoginFailure, LoginRequest, TrackError, Tracker,
};
#[cfg(feature = "alloc")]
pub use connection::{
    Collected, CollectedList, ConnEvent, ConnState, Connection, ListCollector, SendError,
    DEFAULT_PENDING,
};
pub use decode::{Config, Decoded, Decoder, Error, ErrorKind, Item, Limits, LineEndings};
pub use encode::{
    encode, Action, ActionId, ActionIdAllocator, ActionWriter, EncodeError, EncodeErrorKind,
    MAX_REQUEST_HEADERS, MAX_REQUEST_LINE,
};
#[cfg(feature = "alloc")]
pub use encode::{encode_to_vec, GenericAction};
pub use message::{
    chan_var, chan_vars, ChanVar, ChanVars, Header, Headers, Kind, Message, OutputLines, Span,
};
#[cfg(feature = "alloc")]
pub use message::{OwnedItem, OwnedMessage};

/// The old name of [`MAX_REQUEST_LINE`], the encoder's limit (not the decoder's
/// [`Limits::max_line`]).
#[deprecated(note = "renamed MAX_REQUEST_LINE: the encoder's limit, unlike Limits::max_line")]
pub const MAX_LINE: usize = MAX_REQUEST_LINE;

/// The old name of [`MAX_REQUEST_HEADERS`], the encoder's limit (not the decoder's
/// [`Limits::max_headers`]).
#[deprecated(note = "renamed MAX_REQUEST_HEADERS: the encoder's limit, unlike Limits::max_headers")]
pub const MAX_HEADERS: usize = MAX_REQUEST_HEADERS;

/// Hooks for the fuzz targets and tests (through `benches::fuzzing`); not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Turns the decoder's fast path for header lines off: every line then goes through
    /// the general path, the reference the fast path must agree with byte for byte.
    pub fn disable_fast_path(decoder: &mut crate::Decoder<'_>) {
        decoder.disable_fast_path();
    }
}
