//! Arbitrary server bytes into ami-proto's sans-IO connection state machine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::session(data));
