//! `ami`: the command-line face of the AMI crates.

use std::process::ExitCode;

mod decode;
mod encode;
mod json;
mod spec;

const USAGE: &str = "\
ami: tools for the Asterisk Manager Interface (AMI)

USAGE:
    ami decode [--json|--typed|--count] [--lenient] [--read-size N] [FILE|-]
    ami encode ACTION [KEY=VALUE...] | ami encode --json [JSON|-]
    ami spec generate [SPEC_DIR...] | ami spec diff A B
    ami help

Run `ami decode --help`, `ami encode --help` or `ami spec --help` for details.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("decode") => decode::run(&args[1..]),
        Some("encode") => encode::run(&args[1..]),
        Some("spec") => spec::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ami: {message}");
            ExitCode::from(2)
        }
    }
}
