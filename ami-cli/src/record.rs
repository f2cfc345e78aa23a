//! `ami record`: capture a live AMI session in the format of `corpus/` (what `ami replay`
//! serves), either as a client of its own or as a proxy in front of an application.
//!
//! The files are written by ami-replay's [`Recorder`]: straight through, one write per
//! read or write on the connection, so they load as a capture at every moment (after a
//! Ctrl-C, a kill, a crash), and with every login secret replaced by `*`s of the same
//! length. As a client, the login is the [`Client`]'s own (ami-proto's `Login`), and the
//! bytes are recorded through its [`tap`](ami_tokio::ClientConfig::tap).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ami_proto::{Action, GenericAction, Item};
use ami_replay::{Direction, RecordedStream, Recorder};
use ami_tokio::{Client, ClientEvent, Flow};
use futures_util::stream::{FuturesOrdered, StreamExt};
use tokio::io::AsyncBufReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::encode;
use crate::exit::{self, Error, Exit};
use crate::server::{self, Server};
use ami_json as json;

/// Record a live AMI session: PREFIX.server.bin, PREFIX.client.bin, PREFIX.timeline.jsonl
///
/// Logs in (the secret from $AMI_SECRET) and records every byte both ways, in the
/// capture format of corpus/ that `ami replay` serves. Each line of standard input is
/// an action as `ami encode --json` reads it ({"Action":"Ping"}), sent as it arrives;
/// replies are printed as JSON Lines. The files are written as the bytes go and load
/// as a capture at every moment. Ends when the server closes the connection, on Ctrl-C
/// or after --duration (then with a Logoff), with status 0.
///
/// The secret never reaches the files: the value of a Login's `Secret:` or `Key:` is
/// written as `*`s of the same length.
///
/// With --proxy, records an existing application instead: listens on LISTEN_ADDR
/// (its bound address is printed first), and for each connection there opens one to
/// ADDR and copies both ways unchanged, recording to PREFIX (the n-th connection to
/// PREFIX-n). No login of its own, no secret needed.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami record [--tls] [--insecure] [--auth plain|md5] [--user NAME] [--events MASK]\n                  [--duration SECS] ADDR OUT_PREFIX\n       ami record --proxy LISTEN_ADDR [--duration SECS] ADDR OUT_PREFIX",
    after_help = exit::HELP
)]
pub struct Args {
    /// The Login's event mask: on, off, or classes (call,agent,...)
    #[arg(long, value_name = "MASK", conflicts_with = "proxy")]
    events: Option<String>,

    /// Stop after this many seconds
    #[arg(long, value_name = "SECS", value_parser = server::seconds)]
    duration: Option<Duration>,

    /// Record an application's connections: listen here, forward to ADDR
    #[arg(long, value_name = "LISTEN_ADDR", conflicts_with = "tls")]
    proxy: Option<SocketAddr>,

    #[command(flatten)]
    server: Server,

    /// Where to write: OUT_PREFIX.server.bin, .client.bin and .timeline.jsonl
    #[arg(value_name = "OUT_PREFIX")]
    prefix: PathBuf,
}

/// Runs `ami record`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let runtime = server::runtime()?;
    match args.proxy {
        Some(listen) => runtime.block_on(proxy(listen, &args)),
        None => runtime.block_on(record(&args)),
    }
}

/// Waits for Ctrl-C or the end of `duration`, whichever comes first.
async fn stop_signal(duration: Option<Duration>) {
    let timer = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = timer => {}
    }
}

fn create(prefix: &Path) -> Result<Recorder, Error> {
    Recorder::create(prefix).map_err(|e| Error {
        exit: Exit::Io,
        message: format!("cannot create the recording: {e}"),
    })
}

/// The recorder shared with the client's tap, and the first error it met.
struct Tape {
    recorder: Mutex<Recorder>,
    failed: Mutex<Option<io::Error>>,
    failure: Notify,
}

impl Tape {
    fn record(&self, flow: Flow, bytes: &[u8]) {
        let direction = match flow {
            Flow::Sent => Direction::ClientToServer,
            Flow::Received => Direction::ServerToClient,
        };
        let mut recorder = self.recorder.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = recorder.record(direction, bytes) {
            let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            if failed.is_none() {
                *failed = Some(error);
                self.failure.notify_one();
            }
        }
    }

    fn error(&self) -> Option<Error> {
        let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner()).take();
        failed.map(|e| Error {
            exit: Exit::Io,
            message: format!("cannot write the recording: {e}"),
        })
    }
}

/// Records a session of its own: log in, send standard input's actions, until the end.
async fn record(args: &Args) -> Result<Exit, Error> {
    let mut config = args.server.config()?.keepalive(None).reconnect(None);
    if let Some(mask) = &args.events {
        config = config.events(mask);
    }
    let tape = Arc::new(Tape {
        recorder: Mutex::new(create(&args.prefix)?),
        failed: Mutex::new(None),
        failure: Notify::new(),
    });
    let tap = Arc::clone(&tape);
    let config = config.tap(move |flow, bytes| tap.record(flow, bytes));
    let (client, mut events) = tokio::select! {
        connected = Client::connect_with_events(config) => connected
            .map_err(|e| Error::connection(format!("{}: {e}", args.server.addr)))?,
        () = stop_signal(args.duration) => return Ok(Exit::Success),
    };
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut replies = FuturesOrdered::new();
    let mut out = io::stdout().lock();
    let stop = stop_signal(args.duration);
    tokio::pin!(stop);
    let ended_by_us = loop {
        tokio::select! {
            () = &mut stop => break true,
            () = tape.failure.notified() => break true,
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => match encode::actions_from_json(line.as_bytes()) {
                    Ok(actions) => {
                        for action in actions {
                            replies.push_back(send(client.clone(), action));
                        }
                    }
                    Err(e) => eprintln!("error: standard input: {e}"),
                },
                Ok(None) => stdin_open = false,
                Err(e) => {
                    eprintln!("error: cannot read standard input: {e}");
                    stdin_open = false;
                }
            },
            Some(reply) = replies.next(), if !replies.is_empty() => {
                print_reply(&mut out, reply).map_err(Error::output)?;
            }
            event = events.recv() => match event {
                None | Some(ClientEvent::Disconnected { .. }) => break false,
                Some(_) => {}
            },
        }
    };
    if ended_by_us && client.is_open() && tape.failed.lock().is_ok_and(|f| f.is_none()) {
        let _ = tokio::time::timeout(Duration::from_secs(1), client.logoff()).await;
    }
    // Replies already in (a Logoff's Goodbye among them) are printed; others are cut.
    while let Some(Some(reply)) = futures_util::FutureExt::now_or_never(replies.next()) {
        print_reply(&mut out, reply).map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)?;
    match tape.error() {
        Some(error) => Err(error),
        None => Ok(Exit::Success),
    }
}

type Sent = Result<ami_tokio::Reply, (String, ami_tokio::Error)>;

async fn send(client: Client, action: GenericAction) -> Sent {
    client
        .send(&action)
        .await
        .map_err(|e| (action.name().to_owned(), e))
}

/// A reply as `ami send` prints it; a failed call on standard error.
fn print_reply(out: &mut impl Write, sent: Sent) -> io::Result<()> {
    match sent {
        Ok(reply) => {
            json::write_item(out, &Item::Message(reply.message()))?;
            for item in reply.items() {
                json::write_item(out, &Item::Message(item.message()))?;
            }
            if let Some(last) = reply.last() {
                json::write_item(out, &Item::Message(last.message()))?;
            }
            out.flush()
        }
        Err((name, error)) => {
            eprintln!("error: {name}: {error}");
            Ok(())
        }
    }
}

/// Records the connections of an application, forwarded unchanged to the server.
async fn proxy(listen: SocketAddr, args: &Args) -> Result<Exit, Error> {
    let (host, port) = args.server.host_port();
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| Error::connection(format!("cannot listen on {listen}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::connection(format!("cannot listen on {listen}: {e}")))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{bound}")
        .and_then(|()| out.flush())
        .map_err(Error::output)?;
    let stop = stop_signal(args.duration);
    tokio::pin!(stop);
    let mut sessions = tokio::task::JoinSet::new();
    let mut count = 0u64;
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => {
                let (app, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        eprintln!("error: accept on {bound}: {e}");
                        continue;
                    }
                };
                count += 1;
                let prefix = numbered(&args.prefix, count);
                let recorder = create(&prefix)?;
                let upstream = (host.clone(), port);
                sessions.spawn(async move {
                    if let Err(e) = forward(app, upstream, recorder).await {
                        eprintln!("error: connection from {peer}: {e}");
                    }
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    Ok(Exit::Success)
}

/// PREFIX for the first connection, PREFIX-n for the n-th.
fn numbered(prefix: &Path, n: u64) -> PathBuf {
    if n == 1 {
        return prefix.to_owned();
    }
    let mut name = prefix.as_os_str().to_owned();
    name.push(format!("-{n}"));
    PathBuf::from(name)
}

/// Copies both ways until either side closes, recording the server's side of the copy.
async fn forward(
    mut app: TcpStream,
    (host, port): (String, u16),
    recorder: Recorder,
) -> io::Result<()> {
    let server = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot connect to {host}:{port}: {e}")))?;
    let _ = server.set_nodelay(true);
    let _ = app.set_nodelay(true);
    let mut server = RecordedStream::new(server, recorder);
    tokio::io::copy_bidirectional(&mut app, &mut server).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_connections_are_numbered() {
        assert_eq!(numbered(Path::new("out/s"), 1), Path::new("out/s"));
        assert_eq!(numbered(Path::new("out/s"), 3), Path::new("out/s-3"));
    }
}
