//! Any chunking of a stream gives the items of one-buffer decoding.
#![no_main]

use benches::fuzzing::{decode_chunked, ChunkedInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: ChunkedInput| decode_chunked(&input));
