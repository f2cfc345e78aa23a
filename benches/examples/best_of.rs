//! Best-of-N timing of the decode loops over one file, for A/B comparisons of two builds
//! run alternately on a machine whose speed drifts (a shared VM): the best of many
//! repetitions is the least disturbed one.
//!
//! `cargo run --release -p benches --example best_of -- FILE MODE...` where FILE is a capture
//! or `generated` (the 64 MiB busy-PBX stream) and MODE is one of `decode_once`'s, e.g.
//! `memmem`, `whole`, `reads:4096` (see [`benches::visit::run_loop`]). Prints one line per
//! mode: the best throughput in GB/s (10^9 bytes/s) of max(10, 10^9 / FILE length)
//! repetitions.

use std::hint::black_box;
use std::time::Instant;

use benches::generate::{busy_pbx_stream, DEFAULT_LEN};
use benches::visit::run_loop;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, modes @ ..] = &args[..] else {
        eprintln!("usage: best_of FILE|generated MODE...");
        std::process::exit(2);
    };
    let data = match file.as_str() {
        "generated" => busy_pbx_stream(DEFAULT_LEN),
        path => std::fs::read(path).expect("reading FILE"),
    };
    let repetitions = 10.max(1_000_000_000 / data.len().max(1));
    for mode in modes {
        let mut best = f64::MAX;
        let mut result = 0;
        for _ in 0..repetitions {
            let start = Instant::now();
            result = run_loop(mode, black_box(&data));
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{mode}: {:.2} GB/s (result {result})",
            data.len() as f64 / best / 1e9
        );
    }
}
