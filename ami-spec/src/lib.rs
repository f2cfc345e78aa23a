//! Typed AMI events and actions generated from the text Asterisk prints for `manager show`.
//!
//! - [`dump`] parses the CLI text (one folder per Asterisk version under `specs/`) into the
//!   plain data of [`model`].
//! - [`codegen`] turns every spec folder into one merged, version-aware set of Rust types,
//!   committed under `src/generated/` ([`generated`]).
//! - [`typed`] holds what the generated types are made of; [`response`] types replies;
//!   [`owned`] keeps events past their buffer and reads them back from JSON.
//! - [`diff`] lists what changed between two spec folders.
//!
//! Decoding borrows from an [`ami_proto::Message`] and does not allocate:
//!
//! ```
//! use ami_proto::{Decoded, Decoder, Item};
//! use ami_spec::Event;
//!
//! let wire = b"Event: Newstate\r\nChannel: PJSIP/100-0001\r\nChannelStateDesc: Ringing\r\nChanVariable: X=1\r\n\r\n";
//! let mut decoder = Decoder::new();
//! let Decoded::Item { item: Item::Message(message), .. } = decoder.decode(wire) else { panic!() };
//! let Event::Newstate(e) = Event::from_message(&message) else { panic!() };
//! assert_eq!(e.channel.unwrap().as_str(), Some("PJSIP/100-0001"));
//! assert_eq!(e.channel_state_desc, Some(ami_spec::values::ChannelStateDesc::Ringing));
//! assert_eq!(e.extra.get("ChanVariable").unwrap().as_str(), Some("X=1"));
//! ```
#![deny(missing_docs)]

pub mod codegen;
pub mod diff;
pub mod dump;
// `bootstrap` leaves the generated code out, so a broken `src/generated/` can be rewritten.
#[cfg(not(feature = "bootstrap"))]
#[rustfmt::skip]
pub mod generated;
pub mod model;
#[cfg(not(feature = "bootstrap"))]
pub mod owned;
pub mod response;
pub mod typed;

#[cfg(not(feature = "bootstrap"))]
pub use owned::OwnedEvent;
pub use response::Response;

#[cfg(not(feature = "bootstrap"))]
pub use generated::{
    actions,
    actions::{ACTIONS, LIST_ACTIONS},
    events,
    events::{Event, EVENTS, EVENT_NAMES},
    values, SPEC_VERSIONS,
};
