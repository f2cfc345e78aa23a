//! Asterisk's event filtering, exactly: which messages a manager session receives, given
//! its user's manager.conf section, its Login and its `Events`/`Filter` actions.
//!
//! Asterisk builds each event's text once and queues it for every session; a session gets
//! it when the event's classes (its `Privilege:`) are all in the user's `read =` classes
//! and in the session's event mask, and its filters let it through. Responses, the items
//! of the session's own lists and the `FullyBooted` written after a Login are not queued
//! and not filtered (`FullyBooted` still needs `system` in the read classes and the
//! Login's mask). This module does the same on the decoder's [`Message`](crate::Message),
//! so a client, a proxy or a command-line tool can tell what a user would receive; the
//! recordings of a real Asterisk 23.4.1 with 60 users (`corpus/filter-oracle/`) are its
//! test.
//!
//! | file | concept |
//! | --- | --- |
//! | `class.rs` | [`Classes`]: `read =` lists (with the prefix quirk), `Privilege:`, event masks |
//! | `ere.rs` | POSIX extended regular expressions as glibc's `regcomp` parses them |
//! | `ere_tree.rs` | the tree glibc builds, whose copies decide what its anchors do |
//! | `glibc_nfa.rs` | that tree as regex-automata's NFA, with glibc's anchor semantics |
//! | `regex.rs` | [`Regex`]: the compiled pattern on a DFA (or PikeVM), never backtracking |
//! | `event_filter.rs` | [`EventFilter`]: one `eventfilter` line, legacy or advanced, and its match |
//! | `filter_set.rs` | include/exclude precedence |
//! | `conf.rs` | [`ConfFile`]: Asterisk's `.conf` syntax (comments, `\;`, templates, includes) |
//! | `manager_conf.rs` | [`ManagerConf`]: `[general]` and the users of manager.conf |
//! | `user.rs` | [`UserConfig`]: one user's settings, secret hidden from `Debug` |
//! | `broadcast.rs` | [`Broadcast`]: an event as queued for every session |
//! | `origin.rs` | [`Origin`] of a message, [`CaptureOrigins`] for captures |
//! | `gate.rs` | [`EventGate`]: one session's state and decisions, `Events`/`Filter` actions |
//! | `action.rs` | how Asterisk reads an action's headers, and its [`Reply`] bytes |
//! | `rules.rs` | [`Rules`]: Asterisk 13 or 20+ behaviour |
//! | `text.rs` | C string habits: NUL ends text, blanks, lines, the event name hash |
//!
//! # Example
//!
//! ```
//! use ami_proto::filter::{CaptureOrigins, EventGate, ManagerConf, Rules};
//! use ami_proto::{Decoded, Decoder, Item};
//!
//! let conf = ManagerConf::parse(
//!     b"[monitor]\nsecret = s\nread = call\neventfilter(name(Hangup))=\n",
//!     Rules::default(),
//! )
//! .unwrap();
//! let gate = EventGate::new(conf.user("monitor").unwrap());
//!
//! // A capture of what Asterisk sent to an unfiltered `read = all` session.
//! let capture = b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/1-01\r\n\r\n\
//!                 Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/1-01\r\n\r\n\
//!                 Event: Reload\r\nPrivilege: system,all\r\nModule: app_queue.so\r\n\r\n";
//! let mut origins = CaptureOrigins::new();
//! let (mut decoder, mut rest, mut delivered) = (Decoder::new(), &capture[..], Vec::new());
//! while let Decoded::Item { item: Item::Message(message), consumed } = decoder.decode(rest) {
//!     if gate.deliver(&message, origins.origin(&message)) {
//!         delivered.push(message.name().to_vec());
//!     }
//!     rest = &rest[consumed..];
//! }
//! assert_eq!(delivered, [b"Hangup".to_vec()]);
//! ```
//!
//! # Where this engine and Asterisk can differ
//!
//! - A regular expression with a backreference (`(a)\1`), groups nested more than 100 deep
//!   (or 100 repetition operators on one atom), an expansion above 100,000 nodes or an
//!   automaton above [`NFA_SIZE_LIMIT`] compiles in glibc but not here: the filter is
//!   dropped (with a warning naming the reason) and a `Filter` action is answered
//!   `Filter did not compile.` where Asterisk would accept it.
//! - Patterns are read in the C locale (bytes are characters), as Asterisk runs. Everything
//!   else of glibc's reading is followed, down to anchors that have no effect in the copies
//!   it makes of a repeated group; `corpus/regex-glibc/` holds 28,000 verdicts of glibc 2.36
//!   that the tests compare with.
//! - A `name`, `header` or `method` option without `(` crashes Asterisk; it is refused here.

mod action;
mod broadcast;
mod class;
mod conf;
mod ere;
mod ere_tree;
mod event_filter;
mod filter_set;
mod gate;
mod glibc_nfa;
mod manager_conf;
mod origin;
mod regex;
mod rules;
mod text;
mod user;

pub use action::Reply;
pub use broadcast::Broadcast;
pub use class::Classes;
pub use conf::{
    Category, ConfError, ConfErrorKind, ConfFile, ConfWarning, ConfWarningKind, IncludedFile,
    Includes, Location, NoIncludes, Variable, MAX_FILES, MAX_VARIABLES,
};
pub use ere::{EreError, EreErrorKind};
pub use event_filter::{EventFilter, FilterError, FilterErrorKind, Method};
pub use gate::{EventGate, FilterOutcome};
pub use manager_conf::{General, ManagerConf};
pub use origin::{CaptureOrigins, Origin};
pub use regex::{Engine, Regex, RegexError, DFA_SIZE_LIMIT, NFA_SIZE_LIMIT};
pub use rules::{Rules, UnknownVersion};
pub use user::{AclKind, AclRule, Secret, SetVar, UserConfig};
