//! Writes the generated samples to `corpus/bench/`; or, for timing `ami decode` and for
//! instruction counts, one generated input to PATH: `--stream PATH [BYTES]` a busy-PBX
//! stream (64 MiB by default), `--list PATH ITEMS` a list reply, `--command PATH BYTES` a
//! legacy Command reply.
//!
//! `cargo run --release -p benches --example bench_samples [-- --stream PATH [BYTES]]`

use std::path::Path;

use benches::generate::{busy_pbx_stream, event_list_reply, legacy_command_reply, DEFAULT_LEN};
use benches::samples::samples;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match &args[..] {
        [] => write_samples(),
        [flag, path, rest @ ..] if rest.len() <= 1 => {
            let n = rest.first().map(|n| n.parse().expect("a number"));
            let bytes = match flag.as_str() {
                "--stream" => busy_pbx_stream(n.unwrap_or(DEFAULT_LEN)),
                "--list" => event_list_reply(n.expect("ITEMS")),
                "--command" => legacy_command_reply(n.expect("BYTES")),
                other => panic!("unknown option {other}"),
            };
            std::fs::write(path, &bytes).expect("writing the input");
            println!("wrote {} bytes to {path}", bytes.len());
        }
        _ => panic!("usage: bench_samples [--stream PATH [BYTES] | --list PATH ITEMS | --command PATH BYTES]"),
    }
}

fn write_samples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/bench");
    std::fs::create_dir_all(&dir).expect("corpus/bench");
    for (name, bytes) in samples() {
        std::fs::write(dir.join(name), &bytes).expect("writing a sample");
        println!("{name}: {} bytes", bytes.len());
    }
}
