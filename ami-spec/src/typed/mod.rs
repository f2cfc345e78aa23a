//! What the generated types are made of.
//!
//! - How accessors read values ([`text`], [`number`]; see [Reading values](#reading-values))
//!   and how Asterisk reads the values a client sends ([`ast_true`], [`is_regex`]).
//! - [`NameTable`]: an event's type found by its name with one hash.
//! - [`Layout`]: the headers a type has accessors for, in field order.
//! - [`Extras`], [`Group`], [`Untyped`]: the parts of a message read on demand.
//! - [`HeaderKey`]: the keys a generated action sends.
//! - [`ItemInfo`], [`ListAction`]: the static tables.
//!
//! # Reading values
//!
//! A typed event is a copy of the message view and nothing else: an accessor looks its
//! header up when called ([`lookup`]: the first header with that key, ASCII case ignored,
//! as [`ami_proto::Message::get`] finds it), and reads the value as text, as a number when the
//! documentation says it is one, or as an open enum when it lists the values. Every
//! accessor has a `_bytes` twin with the value as received.

mod action;
mod layout;
mod names;
mod read;
mod tables;
mod view;

pub use action::{debug_action, HeaderKey};
pub use layout::{key_hash, Family, Layout, Slot, MAX_KEYS};
pub use names::{name_hash, NameTable};
pub use read::{ast_true, is_regex, lookup, number, text};
pub use tables::{FieldInfo, ItemInfo, ListAction, ListCondition, ValueKind};
pub use view::{debug_view, Extras, Group, Numbered, Untyped, UNTYPED};

pub(crate) use view::event_type;
#[cfg(feature = "serde")]
pub(crate) use view::first_values;
