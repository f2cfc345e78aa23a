//! Typed AMI events and actions, generated from the text Asterisk prints for
//! `manager show` and from what real servers send that the text leaves out.
//!
//! - [`Event`]: every event as a zero-copy view of an [`ami_proto::Message`], one variant
//!   per event; [`events`] holds the views, [`values`] the open enums of documented values.
//! - [`actions`]: one builder per action; required headers are the arguments of `new`.
//!   Every action implements [`ami_proto::Action`], list actions give their
//!   [`ListShape`](ami_proto::ListShape) ([`LIST_ACTIONS`], [`list_action`]).
//! - [`Response`]: replies, viewed the same way. [`OwnedEvent`]: an event that owns its
//!   bytes.
//! - [`typed`]: what the generated types are made of. [`EVENTS`], [`ACTIONS`]: what the
//!   specs say about every item.
//!
//! The generator lives in the `ami-spec-gen` crate; the generated code is committed under
//! `src/generated/`. With the `serde` feature, typed values serialize to JSON (see
//! [`Event`]'s variants) and [`OwnedEvent`] reads that JSON back.
//!
//! # Reading events
//!
//! Typing a message looks its name up in a hash table and copies the message view: no
//! allocation, and an [`Event`] is the view and a tag. Each accessor reads its header
//! when called, as [`Message::get`](ami_proto::Message::get) does: as text
//! (`Option<&str>`, `None` when absent or not UTF-8), as an `i64` when the documentation
//! says the value is a number (the rule is in the crate's README; [`typed::number`] reads
//! it), or as an open enum when it lists the values (compared ignoring ASCII case, as
//! Asterisk does). Each has a `_bytes` twin with the value as received.
//!
//! ```
//! use ami_proto::{Decoded, Decoder, Item};
//! use ami_spec::values::ChannelStateDesc;
//! use ami_spec::Event;
//!
//! let wire = b"Event: Newstate\r\nChannel: PJSIP/100-0001\r\nChannelState: 5\r\n\
//!              ChannelStateDesc: ringing\r\nChanVariable: X=1\r\n\r\n";
//! let mut decoder = Decoder::new();
//! let Decoded::Item { item: Item::Message(message), .. } = decoder.decode(wire) else {
//!     panic!("one message")
//! };
//! match Event::from_message(&message) {
//!     Event::Newstate(e) if e.channel_state_desc() == Some(ChannelStateDesc::Ringing) => {
//!         assert_eq!(e.channel(), Some("PJSIP/100-0001"));
//!         assert_eq!(e.channel_state(), Some(5));
//!         assert_eq!(e.channel_state_desc_bytes(), Some(&b"ringing"[..]));
//!         assert_eq!(e.extra().get_str("ChanVariable"), Some("X=1"));
//!     }
//!     Event::Hangup(e) => println!("{:?} hung up", e.channel()),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```
//!
//! # Sending actions
//!
//! An action's `new` takes the headers every version requires; each other header has a
//! method (`action_id(id)` sets the ActionID, which whoever sends the action reads through
//! [`Action::action_id`](ami_proto::Action::action_id)); a header that may repeat is added
//! once per call.
//!
//! ```
//! use ami_proto::Action;
//! use ami_spec::actions::Originate;
//!
//! let originate = Originate::new("PJSIP/101") // Channel is required: `new` takes it
//!     .action_id("call-1")
//!     .exten("100")
//!     .context("default")
//!     .priority("1")
//!     .variable("A=1") // Variable may repeat
//!     .variable("B=2")
//!     .r#async("yes");
//! let mut wire = Vec::new();
//! originate.encode_to_vec(&mut wire).unwrap();
//! assert!(wire.starts_with(b"Action: Originate\r\nActionID: call-1\r\nChannel: PJSIP/101\r\n"));
//! assert!(wire.ends_with(b"Variable: A=1\r\nVariable: B=2\r\nAsync: yes\r\n\r\n"));
//! // An Async Originate is answered later by one OriginateResponse event.
//! let shape = originate.list_shape().unwrap();
//! assert!(shape.is_final(b"OriginateResponse"));
//! ```
#![deny(missing_docs)]

pub mod typed;

#[rustfmt::skip]
pub mod generated;
#[cfg(feature = "serde")]
mod json;
pub mod owned;
pub mod response;

pub use owned::OwnedEvent;
pub use response::Response;

pub use generated::{
    actions,
    actions::{ACTIONS, LIST_ACTIONS},
    events,
    events::{Event, EVENTS, EVENT_NAMES},
    values, SPEC_VERSIONS,
};

/// The list action named `name` (ASCII case ignored), for actions known only by name (a
/// [`GenericAction`](ami_proto::GenericAction)): what its answer's items and final event
/// are, and when it is a list at all ([`typed::ListAction::shape`]).
///
/// ```
/// let shape = ami_spec::list_action("coreshowchannels").unwrap().shape(|_| None).unwrap();
/// assert!(shape.is_final(b"CoreShowChannelsComplete"));
/// assert!(ami_spec::list_action("Ping").is_none());
/// ```
pub fn list_action(name: &str) -> Option<&'static typed::ListAction> {
    LIST_ACTIONS
        .iter()
        .find(|l| l.action.eq_ignore_ascii_case(name))
}

/// The workspace README's Rust examples (ami-proto's and ami-spec's), compiled and run as
/// doc tests here, the crate that sees both.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
