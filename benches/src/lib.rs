//! Test and benchmark support for the AMI workspace.
//!
//! - [`fuzzing`]: the properties the cargo-fuzz targets in `fuzz/` check, as plain
//!   functions, so that saved crash inputs replay in `cargo test`.
#![deny(missing_docs)]

pub mod fuzzing;
