//! Any text into ami-spec's `manager show` dump parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::spec_dump(data));
