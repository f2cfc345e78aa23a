//! Runs one benchmark loop once over a file, for instruction counts that do not depend on
//! machine load: `valgrind --tool=callgrind target/release/examples/decode_once MODE FILE`.
//!
//! MODE: `read` (only read the file), `memmem`, `lines`, `whole`, `reads:N`, `copy:N`,
//! `typed`, `typed_visit` (see [`benches::visit::run_loop`]). Prints the loop's result so
//! it cannot be optimised away.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, file] = &args[..] else {
        eprintln!("usage: decode_once MODE FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(file).expect("reading FILE");
    println!("{mode}: {}", benches::visit::run_loop(mode, &data));
}
