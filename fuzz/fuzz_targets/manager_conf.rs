//! Any text into ami-proto's manager.conf parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::manager_conf(data));
