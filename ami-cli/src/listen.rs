//! `ami listen`: log in to a live server and print what it sends, as `ami decode` would.

use std::io::{self, BufWriter, Write};

use std::path::PathBuf;

use ami_proto::filter::{Classes, Rules, UserConfig};
use ami_proto::Item;
use ami_tokio::{Client, ClientEvent, Events, Reconnect};
use futures_util::FutureExt;

use crate::decode::Counts;
use crate::exit::{self, Error, Exit};
use crate::manager_conf;
use crate::server::{self, Server};
use ami_json::{self as json, Status};

/// Log in to a live Asterisk and print every event as JSON Lines
///
/// Lines use `ami decode`'s schema, plus {"type":"connected","banner":"..."} after each
/// login, {"type":"disconnected","reason":"..."} when a connection ends and
/// {"type":"lagged","missed":N} if the output fell behind and N items were lost.
/// Without --reconnect, ends with status 0 when the server closes the connection.
/// --conf and --local-filter filter events here, as `ami filter` does (the server still
/// sends everything the login user may read); --filter asks the server to filter.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami listen [--json|--typed|--count] [--events MASK] [--filter EXPR]... [--reconnect]\n                  [--conf manager.conf] [--local-filter LINE]... [--asterisk VERSION]\n                  [--tls] [--insecure] [--auth plain|md5] [--user NAME] ADDR",
    after_help = exit::HELP
)]
pub struct Args {
    /// One JSON object per line (the default)
    #[arg(long, overrides_with_all = ["typed", "count"])]
    json: bool,

    /// Events with their ami-spec typed form (`ami decode --typed`'s lines)
    #[arg(long, overrides_with_all = ["json", "count"])]
    typed: bool,

    /// Print only `ami decode --count`'s line, at exit (server close or Ctrl-C)
    #[arg(long, overrides_with_all = ["json", "typed"])]
    count: bool,

    /// The Login's event mask: on, off, or classes (call,agent,...)
    #[arg(long, value_name = "MASK")]
    events: Option<String>,

    /// A filter as the Filter action takes it (`Event: Newchannel`, `!Channel: DAHDI/`),
    /// added after every login; repeat for several
    #[arg(long, value_name = "EXPR")]
    filter: Vec<String>,

    /// Filter events here as Asterisk would for the login user's section of this
    /// manager.conf (read classes, eventfilter lines; --events as the mask)
    #[arg(long, value_name = "FILE")]
    conf: Option<PathBuf>,

    /// With --conf or --local-filter: follow this Asterisk version's filter rules (13, or
    /// 20 to 23; default: the newest)
    #[arg(long, value_name = "VERSION", default_value_t = Rules::default())]
    asterisk: Rules,

    /// Filter events here with a manager.conf eventfilter line (`!Event: VarSet`,
    /// `eventfilter(name(Hangup))=`); added to --conf's user, else to a `read = all` one;
    /// repeat for several
    #[arg(long, value_name = "LINE")]
    local_filter: Vec<String>,

    /// Reconnect (with backoff) when the connection is lost, instead of ending
    #[arg(long)]
    reconnect: bool,

    #[command(flatten)]
    server: Server,
}

/// Runs `ami listen`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let mut config = args.server.config()?;
    if let Some(mask) = &args.events {
        config = config.events(mask);
    }
    for filter in &args.filter {
        config = config.filter(filter);
    }
    if let Some(user) = local_user(&args)? {
        config = config.local_filter(user);
    }
    config = config.reconnect(args.reconnect.then(Reconnect::default));
    let output = if args.count {
        Output::Count
    } else if args.typed {
        Output::Typed
    } else {
        Output::Json
    };
    server::runtime()?.block_on(async {
        let (client, events) = Client::connect_with_events(config)
            .await
            .map_err(|e| Error::connection(format!("{}: {e}", args.server.addr)))?;
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
        let mut counts = Counts::default();
        let printed = tokio::select! {
            printed = print(events, output, args.reconnect, &mut out, &mut counts) => printed,
            _ = tokio::signal::ctrl_c() => Ok(()),
        };
        printed.map_err(Error::output)?;
        if let Output::Count = output {
            counts.bytes = client.bytes_received();
            writeln!(out, "{}", counts.line()).map_err(Error::output)?;
        }
        out.flush().map_err(Error::output)?;
        Ok(Exit::Success)
    })
}

/// The user whose view `--conf` and `--local-filter` ask for, if any.
fn local_user(args: &Args) -> Result<Option<UserConfig>, Error> {
    let mut user = match &args.conf {
        Some(path) => {
            let conf = manager_conf::load_with_lines(path, args.asterisk)?.0;
            let name = &args.server.user;
            conf.user(name)
                .cloned()
                .ok_or_else(|| Error::usage(format!("no user `{name}` in `{}`", path.display())))?
        }
        None if args.local_filter.is_empty() => return Ok(None),
        None => {
            let mut user = UserConfig::new(args.server.user.as_bytes(), args.asterisk);
            user.read = Classes::ALL;
            user
        }
    };
    for line in &args.local_filter {
        let (criteria, pattern) = split_filter_line(line);
        user.add_filter(criteria.as_bytes(), pattern.as_bytes())
            .map_err(|e| Error::usage(format!("--local-filter `{line}`: {e}")))?;
    }
    Ok(Some(user))
}

/// `eventfilter(...)=PATTERN` or `eventfilter=PATTERN` as written in manager.conf (blanks
/// around `=` dropped), anything else a legacy pattern.
fn split_filter_line(line: &str) -> (&str, &str) {
    if line.starts_with("eventfilter") {
        if let Some((criteria, pattern)) = line.split_once('=') {
            if !criteria.contains(':') {
                return (criteria.trim(), pattern.trim());
            }
        }
    }
    ("eventfilter", line)
}

#[derive(Debug, Clone, Copy)]
enum Output {
    Json,
    Typed,
    Count,
}

/// Prints until the connection ends for good (or forever, with `reconnect`).
async fn print(
    mut events: Events,
    output: Output,
    reconnect: bool,
    out: &mut impl Write,
    counts: &mut Counts,
) -> io::Result<()> {
    while let Some(event) = events.recv().await {
        let mut next = Some(event);
        // Print everything that is ready, then flush once.
        while let Some(event) = next {
            if let ClientEvent::Disconnected { .. } = &event {
                print_one(&event, output, out, counts)?;
                if !reconnect {
                    return Ok(());
                }
            } else {
                print_one(&event, output, out, counts)?;
            }
            next = events.recv().now_or_never().flatten();
        }
        out.flush()?;
    }
    Ok(())
}

fn print_one(
    event: &ClientEvent,
    output: Output,
    out: &mut impl Write,
    counts: &mut Counts,
) -> io::Result<()> {
    match event {
        ClientEvent::Event(message) | ClientEvent::Unmatched(message) => {
            let message = message.message();
            let item = Item::Message(message);
            counts.add(&item);
            match output {
                Output::Count => Ok(()),
                Output::Typed => json::write_typed(out, &message),
                Output::Json => json::write_item(out, &item),
            }
        }
        ClientEvent::Text(text) => {
            let item = Item::Text(text);
            counts.add(&item);
            match output {
                Output::Count => Ok(()),
                _ => json::write_item(out, &item),
            }
        }
        ClientEvent::Malformed(error) => {
            counts.errors += 1;
            match output {
                Output::Count => Ok(()),
                _ => json::write_error(out, error),
            }
        }
        ClientEvent::Connected { banner } | ClientEvent::Reconnected { banner } => match output {
            Output::Count => Ok(()),
            _ => json::write_status(out, &Status::Connected(banner)),
        },
        ClientEvent::Disconnected { reason } => match output {
            Output::Count => Ok(()),
            _ => json::write_status(out, &Status::Disconnected(reason)),
        },
        // Printed in every mode: a count that lost items must say so.
        ClientEvent::Lagged { missed } => json::write_status(out, &Status::Lagged(*missed)),
        _ => Ok(()),
    }
}
