//! An `eventfilter` line, events and the Filter/Events actions into ami-proto's filter engine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::filter_line(data));
