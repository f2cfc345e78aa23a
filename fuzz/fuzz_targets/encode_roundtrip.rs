//! An action encodes and decodes back to its headers, or is refused without output.
#![no_main]

use benches::fuzzing::{encode_roundtrip, EncodeInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: EncodeInput| encode_roundtrip(&input));
