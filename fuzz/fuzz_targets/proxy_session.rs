//! Any bytes a downstream client sends into ami-proxy's session state machine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| benches::fuzzing::proxy_session(data));
