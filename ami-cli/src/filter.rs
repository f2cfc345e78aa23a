//! `ami filter`: what a manager.conf user would have received of a capture, by the filter
//! engine of ami-proto (`ami_proto::filter`), printed as `ami decode` prints it.

use std::io::{self, BufWriter, Write};

use ami_proto::filter::{CaptureOrigins, EventGate};
use ami_proto::{Config, Item};

use crate::decode::{decode_stream, Found, Stop};
use crate::exit::{self, Error, Exit};
use crate::input::Input;
use crate::manager_conf::UserArgs;
use ami_json as json;

/// Print the messages of a capture that a manager.conf user would receive
///
/// CAPTURE is what Asterisk sent to a session that received everything (a `read = all`
/// user without filters). Its events queued for every session go through the user's read
/// classes, the Login's event mask (--events) and the user's eventfilter lines as the
/// chosen Asterisk version applies them; responses, the items of the session's own lists
/// and the banner are always printed; the FullyBooted after a Login only when the read
/// classes and the mask include `system`. Lines are `ami decode`'s JSON Lines; what
/// Asterisk would warn about in manager.conf goes to standard error.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami filter --conf manager.conf --user NAME [--asterisk VERSION] [--events MASK] [CAPTURE|-]",
    after_help = exit::HELP
)]
pub struct Args {
    #[command(flatten)]
    user: UserArgs,

    /// The Login's `Events:` header: on, off, or classes (call,agent,...); default: none
    /// (every class)
    #[arg(long, value_name = "MASK")]
    events: Option<String>,

    /// The capture to read; `-` or nothing reads standard input
    #[arg(value_name = "CAPTURE|-", value_parser = Input::parser())]
    input: Option<Input>,
}

/// Runs `ami filter`: [`Exit::Failure`] when the capture held errors (printed as
/// `ami decode` prints them).
pub fn run(args: Args) -> Result<Exit, Error> {
    let user = args.user.load()?;
    let events = args.events.as_deref().unwrap_or("");
    let gate = EventGate::with_login_events(&user, events.as_bytes());
    let input = args.input.unwrap_or(Input::Stdin);
    let reader = input.open()?;
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut origins = CaptureOrigins::new();
    let counts = decode_stream(
        reader,
        Config::default(),
        1 << 16,
        &mut |found| match found {
            Found::Item(Item::Message(message)) => {
                if gate.deliver(&message, origins.origin(&message)) {
                    json::write_item(&mut out, &Item::Message(message))
                } else {
                    Ok(())
                }
            }
            Found::Item(item) => json::write_item(&mut out, &item),
            Found::Error(error) => json::write_error(&mut out, &error),
            // Only AJAM bodies have these; a capture is a TCP stream.
            Found::BodyError(error) => json::write_error_at(&mut out, error.offset as u64, &error),
        },
    )
    .map_err(|stop| match stop {
        Stop::Read(e) => input.read_error(e),
        Stop::Write(e) => Error::output(e),
    })?;
    out.flush().map_err(Error::output)?;
    Ok(if counts.errors > 0 {
        Exit::Failure
    } else {
        Exit::Success
    })
}
