//! `ami decode`: run the decoder over a raw capture and print what it finds.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

use ami_proto::{Config, Decoded, Decoder, Item, Kind, LineEndings, Message};

use crate::json::write_str;

const HELP: &str = "\
ami decode: decode a raw AMI byte stream (a capture of what a server or client sent)

USAGE:
    ami decode [--json|--typed|--count] [--lenient] [--read-size N] [FILE|-]

Reads FILE (or standard input for `-` or no FILE) in reads of N bytes (default 65536), feeds
them to the ami-proto decoder and prints:

  --json   (default) one JSON object per line and item:
             {\"type\":\"banner\",\"text\":\"Asterisk Call Manager/2.10.6\"}
             {\"type\":\"event\"|\"response\"|\"action\"|\"message\",\"headers\":[[\"Key\",\"Value\"],...]}
               a legacy `Response: Follows` Command reply adds \"output\":\"<exact body>\",
               and \"truncated\":true when its --END COMMAND-- marker was missing
             {\"type\":\"text\",\"text\":\"...\"}          a block that is not headers
             {\"type\":\"error\",\"offset\":N,\"error\":\"...\"}
           Keys and values are exactly the wire bytes after `Key: `. Bytes that are not
           valid UTF-8 are shown as U+FFFD (the decoder itself keeps the bytes).
  --typed  like --json, but events and responses are printed as the typed structs of
           ami-spec (generated from Asterisk's `manager show` dumps): known headers as
           named fields, the rest kept in order; unknown events keep all their headers
  --count  one line: messages=N events=N responses=N actions=N texts=N errors=N bytes=N

  --lenient        accept bare-LF line endings (proxies, hand-written servers, clients)
  --read-size N    bytes per read (1 upwards), to mimic socket reads

Exit status: 0 when the stream decoded without errors, 1 when errors were reported, 2 on
usage or IO failure.";

enum Output {
    Json,
    Typed,
    Count,
}

#[derive(Default)]
struct Counts {
    messages: u64,
    events: u64,
    responses: u64,
    actions: u64,
    texts: u64,
    errors: u64,
    bytes: u64,
}

/// Runs `ami decode` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut output = Output::Json;
    let mut config = Config::default();
    let mut read_size = 65536usize;
    let mut path: Option<&str> = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--json" => output = Output::Json,
            "--typed" => output = Output::Typed,
            "--count" => output = Output::Count,
            "--lenient" => config.line_endings = LineEndings::Lenient,
            "--read-size" => {
                let value = iter.next().ok_or("--read-size needs a number")?;
                read_size = value
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| format!("--read-size: `{value}` is not a positive number"))?;
            }
            "--help" | "-h" => {
                println!("{HELP}");
                return Ok(());
            }
            "-" => path = None,
            other if other.starts_with('-') => {
                return Err(format!("decode: unknown option `{other}`\n\n{HELP}"))
            }
            other => path = Some(other),
        }
    }
    let input: Box<dyn Read> = match path {
        Some(p) => Box::new(File::open(p).map_err(|e| format!("{p}: {e}"))?),
        None => Box::new(io::stdin().lock()),
    };
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let counts = decode_stream(input, config, read_size, &mut |item| match output {
        Output::Json => write_json(&mut out, item),
        Output::Typed => match item {
            Found::Item(Item::Message(message)) => crate::spec::print_typed(&message, &mut out),
            other => write_json(&mut out, other),
        },
        Output::Count => Ok(()),
    })
    .map_err(|e| format!("decode: {e}"))?;
    if let Output::Count = output {
        writeln!(
            out,
            "messages={} events={} responses={} actions={} texts={} errors={} bytes={}",
            counts.messages,
            counts.events,
            counts.responses,
            counts.actions,
            counts.texts,
            counts.errors,
            counts.bytes
        )
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    if counts.errors > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// What the stream loop hands to the printer.
enum Found<'a> {
    Item(Item<'a>),
    Error(ami_proto::Error),
}

/// Reads `input` in `read_size` pieces and decodes it, calling `sink` for every item and
/// error. The buffer holds at most one unfinished item plus one read; it is zeroed once,
/// when it grows, never per read.
fn decode_stream(
    mut input: impl Read,
    config: Config,
    read_size: usize,
    sink: &mut dyn FnMut(Found<'_>) -> io::Result<()>,
) -> io::Result<Counts> {
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
                Err(e) => return Err(e),
            }
        };
        end += n;
        counts.bytes += n as u64;
        if n == 0 {
            if let Some(error) = decoder.finish(&buf[start..end]) {
                counts.errors += 1;
                sink(Found::Error(error))?;
            }
            return Ok(counts);
        }
        loop {
            match decoder.decode(&buf[start..end]) {
                Decoded::Item { item, consumed } => {
                    counts.add(&item);
                    sink(Found::Item(item))?;
                    start += consumed;
                }
                Decoded::Error { error, consumed } => {
                    counts.errors += 1;
                    sink(Found::Error(error))?;
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

impl Counts {
    fn add(&mut self, item: &Item<'_>) {
        match item {
            Item::Message(m) => {
                self.messages += 1;
                match m.kind() {
                    Kind::Event => self.events += 1,
                    Kind::Response => self.responses += 1,
                    Kind::Action => self.actions += 1,
                    Kind::Other => {}
                }
            }
            Item::Text(_) => self.texts += 1,
            Item::Banner(_) => {}
        }
    }
}

fn write_json(out: &mut impl Write, found: Found<'_>) -> io::Result<()> {
    match found {
        Found::Item(Item::Banner(text)) => {
            out.write_all(b"{\"type\":\"banner\",\"text\":")?;
            write_str(out, text)?;
            out.write_all(b"}\n")
        }
        Found::Item(Item::Text(text)) => {
            out.write_all(b"{\"type\":\"text\",\"text\":")?;
            write_str(out, text)?;
            out.write_all(b"}\n")
        }
        Found::Item(Item::Message(message)) => write_message(out, &message),
        Found::Error(error) => {
            write!(
                out,
                "{{\"type\":\"error\",\"offset\":{},\"error\":",
                error.offset
            )?;
            write_str(out, error.to_string().as_bytes())?;
            out.write_all(b"}\n")
        }
    }
}

fn write_message(out: &mut impl Write, message: &Message<'_>) -> io::Result<()> {
    let kind: &[u8] = match message.kind() {
        Kind::Event => b"event",
        Kind::Response => b"response",
        Kind::Action => b"action",
        Kind::Other => b"message",
    };
    out.write_all(b"{\"type\":\"")?;
    out.write_all(kind)?;
    out.write_all(b"\",\"headers\":[")?;
    for (i, header) in message.headers().enumerate() {
        out.write_all(if i == 0 { b"[" } else { b",[" })?;
        write_str(out, header.key)?;
        out.write_all(b",")?;
        write_str(out, header.value)?;
        out.write_all(b"]")?;
    }
    out.write_all(b"]")?;
    if let Some(body) = message.command_body() {
        out.write_all(b",\"output\":")?;
        write_str(out, body)?;
        if message.is_truncated() {
            out.write_all(b",\"truncated\":true")?;
        }
    }
    out.write_all(b"}\n")
}
