//! Writes the generated samples to `corpus/bench/`, or with `--stream PATH [BYTES]` a
//! generated busy-PBX stream (64 MiB by default) to PATH, for timing `ami decode`.
//!
//! `cargo run --release -p benches --example bench_samples [-- --stream PATH [BYTES]]`

use std::path::Path;

use benches::generate::{busy_pbx_stream, DEFAULT_LEN};
use benches::samples::samples;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--stream")
        .map(|i| &args[i + 1])
    {
        let len = match args.last() {
            Some(last) if last != path => last.parse().expect("BYTES must be a number"),
            _ => DEFAULT_LEN,
        };
        let stream = busy_pbx_stream(len);
        std::fs::write(path, &stream).expect("writing the stream");
        println!("wrote {} bytes to {path}", stream.len());
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/bench");
    std::fs::create_dir_all(&dir).expect("corpus/bench");
    for (name, bytes) in samples() {
        std::fs::write(dir.join(name), &bytes).expect("writing a sample");
        println!("{name}: {} bytes", bytes.len());
    }
}
