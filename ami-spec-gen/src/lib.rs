//! The generator behind `ami-spec`: reads the text Asterisk's CLI prints for `manager show`
//! (one folder per Asterisk version) and the observed entries written from captures, and
//! writes the typed events and actions that `ami-spec` ships.
//!
//! - [`dump`] parses the CLI text (nom) into the plain data of [`model`].
//! - [`codegen`] merges every folder into one version-aware catalog and writes the Rust
//!   modules committed under `ami-spec/src/generated/`.
//! - [`diff`] lists what changed between two spec folders (`ami spec diff`).
//! - [`workspace`] names the folders of this workspace (`ami spec generate` uses them).
//!
//! ```
//! use ami_spec_gen::{codegen, workspace};
//!
//! let files = codegen::generate_from_dirs(&workspace::spec_dirs().unwrap()).unwrap();
//! assert!(files.iter().any(|f| f.name == "events.rs" && f.content.contains("pub struct Newstate<'a>")));
//! ```
#![deny(missing_docs)]

pub mod codegen;
pub mod diff;
pub mod dump;
pub mod model;
pub mod workspace;
