//! Typed AMI events and actions generated from the text Asterisk prints for `manager show`.
//!
//! - [`dump`] parses the CLI text (one folder per Asterisk version under `specs/`) into the
//!   plain data of [`model`].
//! - [`codegen`] turns every spec folder into one merged, version-aware set of Rust types,
//!   committed under `src/generated/`.
#![deny(missing_docs)]

pub mod dump;
pub mod model;
