//! `ami send`: log in to a live server (TCP, or HTTP with `--http`), send one action,
//! print its reply.

use std::io::{self, Write};
use std::time::Duration;

use ami_proto::{GenericAction, Item, ListEnd, ListShape};
use ami_tokio::{Client, Error as ClientError, HttpClient, Reply};

use crate::ajam::Ajam;
use crate::encode;
use crate::exit::{self, Error, Exit};
use crate::server::{self, Server};
use ami_json as json;

/// Send one action to a live Asterisk and print its reply as JSON Lines
///
/// Prints the response, then any list items and the list's final event, in `ami
/// decode`'s schema. Status 0 on `Response: Success` (and a complete list), 1 on
/// `Response: Error` or a list that was cancelled or cut short. A list action
/// (CoreShowChannels, QueueStatus, an Async Originate, a Hangup of a /regex/, ...)
/// waits for the event ami-spec says ends its answer, even when the reply does not
/// say `EventList: start`.
///
/// With --http, ADDR is the URL of Asterisk's HTTP server (AJAM: http.conf, and
/// `webenabled = yes` in manager.conf), `http://host:8088[/prefix]` or `https://...`:
/// a Login POST and its mansession_id cookie, or --digest authentication; the reply
/// in --ajam's encoding prints the same way.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami send [--tls] [--insecure] [--auth plain|md5] [--user NAME] [--timeout SECS]\n                ADDR ACTION [KEY=VALUE]...\n       ami send --http [--ajam rawman|mxml|manager] [--digest] [--insecure] [--user NAME]\n                [--timeout SECS] URL ACTION [KEY=VALUE]...",
    after_help = exit::HELP
)]
pub struct Args {
    /// Seconds to wait for the connection, the login, and the whole reply
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = server::seconds)]
    timeout: Duration,

    /// ADDR is an AJAM URL: send over HTTP (`http://host:8088[/prefix]`, `https://...`)
    #[arg(long, group = "secure", conflicts_with = "auth")]
    http: bool,

    /// With --http: the encoding Asterisk answers in
    #[arg(
        long,
        value_enum,
        value_name = "ENCODING",
        requires = "http",
        default_value = "rawman"
    )]
    ajam: Ajam,

    /// With --http: HTTP digest authentication (/arawman, /amxml, /amanager) instead of a
    /// Login and its cookie
    #[arg(long, requires = "http")]
    digest: bool,

    #[command(flatten)]
    server: Server,

    /// The action name (`Action=NAME` is accepted too)
    #[arg(value_name = "ACTION", value_parser = encode::action_name)]
    action: String,

    /// Headers in order, split at the first `=` (repeat a key to send it several times)
    #[arg(value_name = "KEY=VALUE", value_parser = encode::header)]
    headers: Vec<(String, String)>,
}

/// Runs `ami send`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let mut action = args
        .headers
        .iter()
        .fold(GenericAction::new(&args.action), |a, (k, v)| a.header(k, v));
    if let Some(shape) = list_shape(&args.action, &args.headers) {
        action = action.expect_list(shape);
    }
    // Refuse a bad action before connecting.
    ami_proto::Action::encode_to_vec(&action, &mut Vec::new())
        .map_err(|e| Error::usage(format!("action `{}` refused: {e}", args.action)))?;
    let addr = args.server.addr.clone();
    let reply = if args.http {
        let config = args
            .server
            .http_config(args.ajam.into(), args.digest)?
            .connect_timeout(args.timeout)
            .login_timeout(args.timeout)
            .timeout(args.timeout)
            .poll(None)
            .keepalive(None)
            .reconnect(None);
        server::runtime()?.block_on(async {
            let client = HttpClient::connect(config).await?;
            let reply = client.send(&action).await;
            let _ = tokio::time::timeout(Duration::from_secs(1), client.logoff()).await;
            reply
        })
    } else {
        let config = args
            .server
            .config()?
            .connect_timeout(args.timeout)
            .login_timeout(args.timeout)
            .timeout(args.timeout)
            .keepalive(None)
            .reconnect(None);
        server::runtime()?.block_on(async {
            let client = Client::connect(config).await?;
            let reply = client.send(&action).await;
            // The reply is in; a slow Goodbye does not change the outcome.
            let _ = tokio::time::timeout(Duration::from_secs(1), client.logoff()).await;
            reply
        })
    };
    let reply = reply.map_err(|e| match e {
        ClientError::Encode(e) => Error::usage(format!("action `{}` refused: {e}", args.action)),
        e => Error::connection(format!("{addr}: {e}")),
    })?;
    print(&reply).map_err(Error::output)?;
    Ok(if reply.is_success() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

/// What ami-spec says answers the action `name` sent with `headers`: its list's items and
/// final event, or `None` when the answer is the response alone.
fn list_shape(name: &str, headers: &[(String, String)]) -> Option<ListShape<'static>> {
    let header = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_bytes())
    };
    ami_spec::list_action(name)?.shape(header)
}

fn print(reply: &Reply) -> io::Result<()> {
    let mut out = io::stdout().lock();
    json::write_item(&mut out, &Item::Message(reply.message()))?;
    for item in reply.items() {
        json::write_item(&mut out, &Item::Message(item.message()))?;
    }
    if let Some(last) = reply.last() {
        json::write_item(&mut out, &Item::Message(last.message()))?;
    }
    if let Some(end @ (ListEnd::Cancelled { .. } | ListEnd::Error { .. })) = reply.list_end() {
        eprintln!("error: the list ended early after {} items", end.seen());
    }
    out.flush()
}
