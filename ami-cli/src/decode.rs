//! `ami decode`: run the decoder over a raw capture and print what it finds.

use std::io::{self, BufWriter, Read, Write};

use ami_http::Encoding;
use ami_proto::{Config, Decoded, Decoder, Item, Kind, LineEndings};

use crate::ajam::Ajam;
use crate::exit::{self, Error, Exit};
use crate::input::Input;
use ami_json as json;

/// The largest `--read-size`: 16 MiB, far above any socket read; the read buffer is
/// twice this at most.
const MAX_READ_SIZE: u64 = 1 << 24;

/// `--json` in `ami decode --help`: the JSON Lines schema.
const JSON_HELP: &str = r#"One JSON object per line and item (the default)

  {"type":"banner","text":"Asterisk Call Manager/2.10.6"}
  {"type":"event"|"response"|"action"|"message","headers":[["Key","Value"],...]}
    a legacy `Response: Follows` Command reply adds "output":"<exact body>",
    and "truncated":true when its --END COMMAND-- marker was missing
  {"type":"text","text":"..."}          a block that is not headers
  {"type":"error","offset":N,"error":"..."}
Keys and values are exactly the wire bytes after `Key: `. Bytes that are not
valid UTF-8 are shown as U+FFFD (the decoder itself keeps the bytes)."#;

/// Decode a raw AMI byte stream (a capture of what a server or client sent)
///
/// Reads FILE (or standard input for `-` or no FILE) in reads of N bytes, feeds them to
/// the ami-proto decoder and prints one line per item it finds. With --ajam, FILE is one
/// AJAM reply body (what Asterisk's /rawman, /mxml or /manager sent), printed the same way.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami decode [--json|--typed|--count] [--lenient] [--read-size N] [FILE|-]\n       ami decode --ajam rawman|mxml|manager [--json|--typed|--count] [--lenient] [FILE|-]",
    after_help = exit::HELP
)]
pub struct Args {
    /// One JSON object per line and item (the default)
    #[arg(long, overrides_with_all = ["typed", "count"], long_help = JSON_HELP)]
    json: bool,

    /// Like --json, but events and responses with their ami-spec typed form
    ///
    /// Every line keeps "type". An event ami-spec describes (from Asterisk's `manager
    /// show` dumps or the observed entries) is {"type":"event","typed":true,"event":{...}}:
    /// its documented headers by name in field order, then "ExtraHeaders" in wire order;
    /// one it does not describe is the --json line with "typed":false. A response is
    /// {"type":"response","typed":true,"response":{...}}. See the README for the schema.
    #[arg(long, overrides_with_all = ["json", "count"], verbatim_doc_comment)]
    typed: bool,

    /// One line: messages=N events=N responses=N actions=N texts=N errors=N bytes=N
    #[arg(long, overrides_with_all = ["json", "typed"])]
    count: bool,

    /// Accept bare-LF line endings (proxies, hand-written servers, clients)
    #[arg(long)]
    lenient: bool,

    /// Bytes per read, to mimic socket reads (1 to 16777216)
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "ajam",
        default_value_t = 65536,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_READ_SIZE)
    )]
    read_size: usize,

    /// Read one AJAM reply body in this encoding (rawman, mxml or manager)
    ///
    /// The body as Asterisk's HTTP server sent it (without the HTTP headers). Its
    /// messages print as those of a TCP capture would; mxml gives keys in lower case
    /// with `_` for other bytes, as Asterisk wrote them. Error offsets are into the body.
    #[arg(long, value_enum, value_name = "ENCODING", verbatim_doc_comment)]
    ajam: Option<Ajam>,

    /// The capture to read; `-` or nothing reads standard input
    #[arg(value_name = "FILE|-", value_parser = Input::parser())]
    input: Option<Input>,
}

#[derive(Clone, Copy)]
enum Output {
    Json,
    Typed,
    Count,
}

/// What `--count` counts (`ami listen --count` prints the same line).
#[derive(Default)]
pub struct Counts {
    messages: u64,
    events: u64,
    responses: u64,
    actions: u64,
    texts: u64,
    pub errors: u64,
    pub bytes: u64,
}

/// Runs `ami decode`: [`Exit::Failure`] when the stream held errors.
pub fn run(args: Args) -> Result<Exit, Error> {
    let output = if args.typed {
        Output::Typed
    } else if args.count {
        Output::Count
    } else {
        Output::Json
    };
    let mut config = Config::default();
    if args.lenient {
        config.line_endings = LineEndings::Lenient;
    }
    let input = args.input.unwrap_or(Input::Stdin);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut sink = |found: Found<'_>| match (output, found) {
        (Output::Count, _) => Ok(()),
        (Output::Typed, Found::Item(Item::Message(message))) => {
            json::write_typed(&mut out, &message)
        }
        (_, Found::Item(item)) => json::write_item(&mut out, &item),
        (_, Found::Error(error)) => json::write_error(&mut out, &error),
        (_, Found::BodyError(error)) => json::write_error_at(&mut out, error.offset as u64, &error),
    };
    let counts = match args.ajam {
        Some(encoding) => {
            let body = input.read_all()?;
            decode_body(encoding.into(), &body, config, &mut sink).map_err(Error::output)?
        }
        None => {
            let reader = input.open()?;
            decode_stream(reader, config, args.read_size, &mut sink).map_err(|stop| match stop {
                Stop::Read(e) => input.read_error(e),
                Stop::Write(e) => Error::output(e),
            })?
        }
    };
    if let Output::Count = output {
        writeln!(out, "{}", counts.line()).map_err(Error::output)?;
    }
    out.flush().map_err(Error::output)?;
    Ok(if counts.errors > 0 {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// What the stream loop hands to the printer.
pub enum Found<'a> {
    Item(Item<'a>),
    Error(ami_proto::Error),
    /// A section of an AJAM body that could not be decoded.
    BodyError(ami_http::DecodeError),
}

/// Why the stream loop stopped before the end of the input.
pub enum Stop {
    /// Reading the input failed.
    Read(io::Error),
    /// The printer failed (writing standard output).
    Write(io::Error),
}

/// Reads `input` in `read_size` pieces and decodes it, calling `sink` for every item and
/// error. The buffer holds at most one unfinished item plus one read; it is zeroed once,
/// when it grows, never per read.
pub fn decode_stream(
    mut input: impl Read,
    config: Config,
    read_size: usize,
    sink: &mut dyn FnMut(Found<'_>) -> io::Result<()>,
) -> Result<Counts, Stop> {
    let mut decoder = Decoder::with_config(config);
    let mut counts = Counts::default();
    let mut buf = vec![0u8; read_size.max(4096) * 2];
    // `buf[start..end]` holds the bytes not consumed yet.
    let (mut start, mut end) = (0, 0);
    loop {
        if buf.len() - end < read_size {
            // Move the pending bytes to the front, and grow only if that is not enough.
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
            if buf.len() - end < read_size {
                buf.resize(end + read_size, 0);
            }
        }
        let n = loop {
            match input.read(&mut buf[end..end + read_size]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Stop::Read(e)),
            }
        };
        end += n;
        counts.bytes += n as u64;
        if n == 0 {
            if let Some(error) = decoder.finish(&buf[start..end]) {
                counts.errors += 1;
                sink(Found::Error(error)).map_err(Stop::Write)?;
            }
            return Ok(counts);
        }
        loop {
            match decoder.decode(&buf[start..end]) {
                Decoded::Item { item, consumed } => {
                    counts.add(&item);
                    sink(Found::Item(item)).map_err(Stop::Write)?;
                    start += consumed;
                }
                Decoded::Error { error, consumed } => {
                    counts.errors += 1;
                    sink(Found::Error(error)).map_err(Stop::Write)?;
                    start += consumed;
                }
                Decoded::NeedMore { consumed } => {
                    start += consumed;
                    break;
                }
            }
        }
    }
}

/// Decodes one whole AJAM body, calling `sink` for every item and error.
fn decode_body(
    encoding: Encoding,
    body: &[u8],
    config: Config,
    sink: &mut dyn FnMut(Found<'_>) -> io::Result<()>,
) -> io::Result<Counts> {
    let mut counts = Counts {
        bytes: body.len() as u64,
        ..Counts::default()
    };
    for item in ami_http::decode_with(encoding, body, config) {
        match item {
            Ok(item) => {
                let item = item.item();
                counts.add(&item);
                sink(Found::Item(item))?;
            }
            Err(error) => {
                counts.errors += 1;
                sink(Found::BodyError(error))?;
            }
        }
    }
    Ok(counts)
}

impl Counts {
    /// `messages=N events=N responses=N actions=N texts=N errors=N bytes=N`.
    pub fn line(&self) -> String {
        format!(
            "messages={} events={} responses={} actions={} texts={} errors={} bytes={}",
            self.messages,
            self.events,
            self.responses,
            self.actions,
            self.texts,
            self.errors,
            self.bytes
        )
    }

    /// Counts one decoded item.
    pub fn add(&mut self, item: &Item<'_>) {
        match item {
            Item::Message(m) => {
                self.messages += 1;
                match m.kind() {
                    Kind::Event => self.events += 1,
                    Kind::Response => self.responses += 1,
                    Kind::Action => self.actions += 1,
                    _ => {}
                }
            }
            Item::Text(_) => self.texts += 1,
            _ => {}
        }
    }
}
