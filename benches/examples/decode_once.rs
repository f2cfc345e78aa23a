//! Runs one benchmark loop once over a file, for instruction counts that do not depend on
//! machine load: `valgrind --tool=callgrind target/release/examples/decode_once MODE FILE`.
//!
//! MODE: `read` (only read the file), `memmem`, `lines`, `whole`, `reads:N`, `copy:N`,
//! `typed`. Prints the loop's result so it cannot be optimised away.

use benches::visit::{
    copy_in_reads, count_blank_lines, split_lines_and_colons, sum_header_lengths, type_every_event,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, file] = &args[..] else {
        eprintln!("usage: decode_once MODE FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(file).expect("reading FILE");
    let result = match mode.split_once(':') {
        Some(("reads", n)) => sum_header_lengths(&data, n.parse().expect("N")),
        Some(("copy", n)) => copy_in_reads(&data, n.parse().expect("N")),
        _ => match mode.as_str() {
            "read" => data.len(),
            "memmem" => count_blank_lines(&data),
            "lines" => split_lines_and_colons(&data),
            "whole" => sum_header_lengths(&data, usize::MAX),
            "typed" => type_every_event(&data, usize::MAX).1,
            other => panic!("unknown mode {other}"),
        },
    };
    println!("{mode}: {result}");
}
