//! `ami replay`: serve captures as a fake Asterisk (ami-replay's [`ReplayServer`]).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use ami_replay::{Capture, LoadErrorKind, Pace, ReplayServer, Users};

use crate::exit::{self, Error, Exit};
use crate::server;

/// Serve captures as a fake Asterisk, for testing applications without a PBX
///
/// Prints the bound address on the first line of standard output (so `--listen
/// 127.0.0.1:0` picks a free port a script can read), then serves until Ctrl-C.
/// Each connection plays one capture (the n-th connection the n-th CAPTURE_PREFIX, in
/// turn): its banner; any login accepted, or with --users only those of manager.conf,
/// plain or MD5, as Asterisk checks them; every action answered with the recorded reply
/// to the same action (the one with the most alike headers) from any of the captures,
/// with the client's ActionID, list items included; the capture's events after the login
/// at the recorded pace. `Events` and `Filter` act and answer as Asterisk's do; an action
/// no capture holds gets Asterisk's `Invalid/unknown command` error.
///
/// A capture is the three files PREFIX.server.bin, PREFIX.client.bin and
/// PREFIX.timeline.jsonl, as `ami record` writes them and corpus/ holds them.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami replay [--listen ADDR] [--speed N|--as-fast-as-possible] [--loop] [--users manager.conf]\n                  CAPTURE_PREFIX...",
    after_help = exit::HELP
)]
pub struct Args {
    /// The address to listen on (port 0: any free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5038")]
    listen: SocketAddr,

    /// Play events N times as fast as recorded
    #[arg(long, value_name = "N", value_parser = speed, conflicts_with = "as_fast_as_possible")]
    speed: Option<f64>,

    /// Play events without waiting
    #[arg(long)]
    as_fast_as_possible: bool,

    /// Play the events again from the first once the last has played, for ever
    #[arg(long = "loop")]
    loop_events: bool,

    /// Check logins against the users (secrets, read classes, eventfilters) of this file
    #[arg(long, value_name = "manager.conf")]
    users: Option<PathBuf>,

    /// Captures to serve (PREFIX of PREFIX.server.bin and its two sibling files)
    #[arg(value_name = "CAPTURE_PREFIX", required = true)]
    captures: Vec<PathBuf>,
}

fn speed(arg: &str) -> Result<f64, String> {
    match arg.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!("`{arg}` is not a positive speed factor")),
    }
}

/// Runs `ami replay`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let captures = args
        .captures
        .iter()
        .map(|prefix| {
            Capture::load(prefix).map_err(|e| match e.kind() {
                LoadErrorKind::Io(_) => Error {
                    exit: Exit::Io,
                    message: e.to_string(),
                },
                _ => Error::failure(e.to_string()),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let users = match &args.users {
        Some(path) => Some(Users::load(path).map_err(|e| Error {
            exit: if e.kind() == io::ErrorKind::InvalidData {
                Exit::Failure
            } else {
                Exit::Io
            },
            message: e.to_string(),
        })?),
        None => None,
    };
    let pace = match args.speed {
        _ if args.as_fast_as_possible => Pace::AsFastAsPossible,
        Some(n) => Pace::Speed(n),
        None => Pace::default(),
    };
    server::runtime()?.block_on(async {
        let mut builder = ReplayServer::builder(captures)
            .listen(args.listen)
            .pace(pace)
            .loop_events(args.loop_events);
        if let Some(users) = users {
            builder = builder.users(users);
        }
        let server = builder
            .start()
            .await
            .map_err(|e| Error::connection(format!("cannot listen on {}: {e}", args.listen)))?;
        let mut out = io::stdout().lock();
        writeln!(out, "{}", server.addr())
            .and_then(|()| out.flush())
            .map_err(Error::output)?;
        drop(out);
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        Ok(Exit::Success)
    })
}
