//! AJAM replies: the mxml and manager readers, and the `WWW-Authenticate` and `Set-Cookie`
//! parsers of ami-http.
#![no_main]

use benches::fuzzing::ajam_decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| ajam_decode(input));
