//! `ami`: the command-line face of the AMI crates.
//!
//! Each subcommand is one module with its own `Args` (its options, help and usage) and
//! `run`; this file only lists them. Adding one is a module and a variant of [`Command`].

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ajam;
mod bridge;
mod decode;
mod encode;
mod exit;
mod filter;
mod input;
mod listen;
mod manager_conf;
mod proxy;
mod record;
mod replay;
mod send;
mod server;
mod spec;

/// Tools for the Asterisk Manager Interface (AMI)
#[derive(Debug, Parser)]
#[command(
    name = "ami",
    version,
    propagate_version = true,
    args_override_self = true,
    arg_required_else_help = true,
    after_help = exit::HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Bridge(bridge::Args),
    Decode(decode::Args),
    Encode(encode::Args),
    Filter(filter::Args),
    Listen(listen::Args),
    Record(record::Args),
    Replay(replay::Args),
    Proxy(proxy::Args),
    Send(send::Args),
    Spec(spec::Args),
}

fn main() -> ExitCode {
    // Usage errors, `--help` and `--version` end here, with clap's messages and statuses
    // (2 for a usage error, 0 for help and version).
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bridge(args) => bridge::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Encode(args) => encode::run(args),
        Command::Filter(args) => filter::run(args),
        Command::Listen(args) => listen::run(args),
        Command::Record(args) => record::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Proxy(args) => proxy::run(args),
        Command::Send(args) => send::run(args),
        Command::Spec(args) => spec::run(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            // A closed standard output ends the command quietly (see `Error::output`).
            if !error.message.is_empty() {
                eprintln!("error: {}", error.message);
            }
            error.exit.into()
        }
    }
}
