//! The JSON forms of AMI, shared by the `ami` command and the NATS bridge:
//!
//! - [`write_item`] and its siblings: the JSON Lines of `ami decode` (one object per
//!   banner, message, text block or decoding error; keys and values are the wire bytes),
//!   and the typed form of `--typed` ([`write_typed`]); the `*_object` writers give the
//!   object without its newline.
//! - [`parse_actions`]: actions written as JSON (`ami encode --json`, requests to the
//!   bridge), checked by ami-proto's encoder when written.
//!
//! ```
//! use ami_proto::{Item, OwnedMessage};
//!
//! let actions = ami_json::parse_actions(br#"{"Action":"Ping"}"#).unwrap();
//! assert_eq!(actions[0].name, "Ping");
//!
//! let event = OwnedMessage::from_headers([("Event", "FullyBooted")]).unwrap();
//! let mut line = Vec::new();
//! ami_json::write_item(&mut line, &Item::Message(event.message())).unwrap();
//! assert_eq!(line, b"{\"type\":\"event\",\"headers\":[[\"Event\",\"FullyBooted\"]]}\n");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod action;
mod lines;

pub use action::{parse_actions, JsonAction, JsonActionError};
pub use lines::{
    write_error, write_error_at, write_error_object, write_item, write_item_object, write_status,
    write_typed, write_typed_object, Status,
};
