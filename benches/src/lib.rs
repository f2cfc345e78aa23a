//! Test and benchmark support for the AMI workspace.
//!
//! - [`generate`]: a deterministic generator of realistic busy-PBX AMI streams (the
//!   benchmark input, 64 MiB by default, and the samples in `corpus/bench/`).
//! - [`visit`]: the decoding loops the benchmarks time (whole buffer or socket-sized reads,
//!   every header visited) and the two framing baselines they are compared with.
//! - [`samples`]: the small generated samples committed under `corpus/bench/`.
//! - [`fuzzing`]: the properties the cargo-fuzz targets in `fuzz/` check, as plain
//!   functions, so that saved crash inputs replay in `cargo test`.
//! - [`process`]: a process's CPU time and memory from `/proc`, for the harnesses that
//!   run a server beside what they measure.
#![deny(missing_docs)]

pub mod fuzzing;
pub mod generate;
pub mod process;
pub mod samples;
pub mod visit;
