//! Test helpers shared by the decoder tests: owned copies of decoded items, a socket-like
//! feeder, and the corpus of real captures.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ami_proto::{Config, Decoded, Decoder, ErrorKind, Message, OwnedItem};

/// An owned copy of one decoded item (or error), comparable across runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    Item(OwnedItem),
    Error {
        kind: ErrorKind,
        offset: u64,
        message_offset: u64,
    },
}

impl Owned {
    /// The message, if this is one.
    pub fn message(&self) -> Option<Message<'_>> {
        match self {
            Owned::Item(OwnedItem::Message(m)) => Some(m.message()),
            _ => None,
        }
    }

    /// The headers of a message as owned `(key, value)` pairs (empty for other items).
    pub fn headers(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.message()
            .into_iter()
            .flat_map(|m| m.headers())
            .map(|h| (h.key.to_vec(), h.value.to_vec()))
            .collect()
    }

    /// A one-line rendering for table tests: `banner "..."`, `event Key=Value|...`,
    /// `text "..."`, `error NotAHeader@12`.
    pub fn render(&self) -> String {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self {
            Owned::Item(OwnedItem::Banner(b)) => format!("banner {:?}", s(b)),
            Owned::Item(OwnedItem::Text(t)) => format!("text {:?}", s(t)),
            Owned::Error { kind, offset, .. } => format!("error {kind:?}@{offset}"),
            Owned::Item(OwnedItem::Message(m)) => {
                let m = m.message();
                let mut out = format!("{:?}", m.kind()).to_lowercase();
                for (i, h) in m.headers().enumerate() {
                    out.push(if i == 0 { ' ' } else { '|' });
                    write!(
                        out,
                        "{}={}",
                        s(h.key),
                        s(h.value).replace('\r', "\\r").replace('\n', "\\n")
                    )
                    .unwrap();
                }
                if let Some(body) = m.command_body() {
                    write!(out, " body={:?}", s(body)).unwrap();
                }
                if m.is_truncated() {
                    out.push_str(" truncated");
                }
                out
            }
            Owned::Item(other) => format!("{other:?}"),
        }
    }
}

/// Decodes `bytes` delivered in pieces whose sizes cycle through `chunks` (like socket
/// reads), keeping unconsumed bytes exactly as a real caller would, then calls `finish`.
pub fn decode_chunked(bytes: &[u8], config: Config, chunks: &[usize]) -> Vec<Owned> {
    decode_chunked_by(Decoder::with_config(config), bytes, chunks)
}

/// [`decode_chunked`] with a given decoder.
pub fn decode_chunked_by(mut decoder: Decoder<'_>, bytes: &[u8], chunks: &[usize]) -> Vec<Owned> {
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut i = 0;
    while fed < bytes.len() {
        let n = chunks[i % chunks.len()].max(1).min(bytes.len() - fed);
        i += 1;
        buf.extend_from_slice(&bytes[fed..fed + n]);
        fed += n;
        drain(&mut decoder, &mut buf, &mut out);
    }
    if let Some(e) = decoder.finish(&buf) {
        out.push(Owned::Error {
            kind: e.kind,
            offset: e.offset,
            message_offset: e.message_offset,
        });
    }
    out
}

/// Runs the decoder over `buf` until it needs more, removing consumed bytes.
pub fn drain(decoder: &mut Decoder<'_>, buf: &mut Vec<u8>, out: &mut Vec<Owned>) {
    let mut calls_without_progress = 0;
    loop {
        let (consumed, more) = match decoder.decode(buf) {
            Decoded::Item { item, consumed } => {
                out.push(Owned::Item(OwnedItem::new(&item)));
                (consumed, false)
            }
            Decoded::Error { error, consumed } => {
                out.push(Owned::Error {
                    kind: error.kind,
                    offset: error.offset,
                    message_offset: error.message_offset,
                });
                (consumed, false)
            }
            Decoded::NeedMore { consumed } => (consumed, true),
        };
        assert!(
            consumed <= buf.len(),
            "consumed {consumed} of {} bytes",
            buf.len()
        );
        buf.drain(..consumed);
        if more {
            return;
        }
        calls_without_progress = if consumed == 0 {
            calls_without_progress + 1
        } else {
            0
        };
        assert!(calls_without_progress < 3, "decoder made no progress");
    }
}

/// Decodes a whole buffer in one piece.
pub fn decode_all(bytes: &[u8], config: Config) -> Vec<Owned> {
    decode_chunked(bytes, config, &[bytes.len().max(1)])
}

/// The workspace's `corpus/` folder.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Every `*.server.bin` capture under `corpus/asterisk-*`, sorted.
pub fn server_captures() -> Vec<PathBuf> {
    captures("server.bin")
}

/// Every `*.client.bin` capture under `corpus/asterisk-*`, sorted.
pub fn client_captures() -> Vec<PathBuf> {
    captures("client.bin")
}

fn captures(suffix: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(corpus_dir()).expect("corpus/ exists") {
        let dir = dir.unwrap().path();
        if !dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("asterisk-")
        {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.to_string_lossy().ends_with(suffix) {
                files.push(f);
            }
        }
    }
    files.sort();
    assert!(
        files.len() > 40,
        "corpus has only {} {suffix} files",
        files.len()
    );
    files
}

/// One capture by version folder and scenario name, e.g. ("asterisk-13.38.3", "30_queue").
pub fn capture(version: &str, scenario: &str) -> Vec<u8> {
    let path = corpus_dir()
        .join(version)
        .join(format!("{scenario}.server.bin"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The messages (not banner/text/errors) of a decoded list, with their headers.
pub fn messages(items: &[Owned]) -> Vec<&Owned> {
    items.iter().filter(|i| i.message().is_some()).collect()
}

/// The value of the first header `key` of an owned message (ASCII case-insensitive).
pub fn get<'a>(item: &'a Owned, key: &str) -> Option<&'a [u8]> {
    item.message().and_then(|m| m.get(key))
}
