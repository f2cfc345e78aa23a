//! `ami`: the command-line face of the AMI crates.

use std::process::ExitCode;

mod decode;
mod json;

const USAGE: &str = "\
ami: tools for the Asterisk Manager Interface (AMI)

USAGE:
    ami decode [--json|--count] [--lenient] [--read-size N] [FILE|-]
    ami help

Run `ami decode --help` for details.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("decode") => decode::run(&args[1..]),
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
