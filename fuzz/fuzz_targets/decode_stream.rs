//! Arbitrary bytes into the decoder, in reads of a size the first byte picks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::decode_stream(data));
