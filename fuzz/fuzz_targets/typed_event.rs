//! Arbitrary frames into ami-spec's typed event and response decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::typed_event(data));
