//! Sans-IO decoder (and, later, encoder) for the Asterisk Manager Interface (AMI).
//!
//! AMI is the line-oriented text protocol that Asterisk speaks on TCP port 5038: a banner
//! line, then messages made of `Key: Value` lines, each message ended by an empty line.
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
//! # Example
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
//!                 Item::Text(_) => {}
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

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod action;
mod action_id;
mod chan_var;
#[cfg(feature = "alloc")]
mod collect;
mod config;
#[cfg(feature = "alloc")]
mod connection;
mod decoder;
mod encode;
mod error;
mod event_list;
#[cfg(feature = "alloc")]
pub mod filter;
mod login;
mod message;
#[cfg(feature = "alloc")]
mod owned;
#[cfg(feature = "alloc")]
mod read_batch;
mod scan;
mod tracker;

pub use action::Action;
#[cfg(feature = "alloc")]
pub use action::GenericAction;
pub use action_id::{ActionId, ActionIdAllocator};
pub use chan_var::{chan_var, chan_vars, ChanVar, ChanVars};
#[cfg(feature = "alloc")]
pub use collect::{Collected, CollectedList, ListCollector};
pub use config::{Config, Limits, LineEndings};
#[cfg(feature = "alloc")]
pub use connection::{ConnEvent, ConnState, Connection, SendError, DEFAULT_PENDING};
pub use decoder::{Decoded, Decoder, Item};
#[cfg(feature = "alloc")]
pub use encode::encode_to_vec;
pub use encode::{encode, ActionWriter, EncodeError, EncodeErrorKind, MAX_HEADERS, MAX_LINE};
pub use error::{Error, ErrorKind};
pub use event_list::{ListEnd, ListMarker, ListShape};
pub use login::{AuthMethod, Credentials, Login, LoginEvent, LoginFailure, LoginRequest};
pub use message::{Header, Headers, Kind, Message, OutputLines, Span};
#[cfg(feature = "alloc")]
pub use owned::{OwnedItem, OwnedMessage};
pub use tracker::{Correlated, TrackError, Tracker};

/// Hooks for the fuzz targets and tests (through `benches::fuzzing`); not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Turns the decoder's fast path for header lines off: every line then goes through
    /// the general path, the reference the fast path must agree with byte for byte.
    pub fn disable_fast_path(decoder: &mut crate::Decoder<'_>) {
        decoder.disable_fast_path();
    }
}

/// The workspace README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
