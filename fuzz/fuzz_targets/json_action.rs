//! A JSON action (a request to `ami bridge`, `ami encode --json`'s input) through ami-json
//! and the encoder: what is written decodes back as exactly that action.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::json_action(data));
