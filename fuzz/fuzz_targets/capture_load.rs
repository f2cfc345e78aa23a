//! A capture's three files (or its reads and writes) into ami-replay's loader, script and
//! session.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::capture_load(data));
