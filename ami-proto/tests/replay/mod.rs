//! Shared by the replay tests: the real transcripts under `corpus/`, in socket order.
#![allow(dead_code)]

use ami_proto::{Config, Decoded, Decoder, Item, LineEndings};
use std::path::{Path, PathBuf};

/// The three transcript folders.
pub const VERSIONS: [&str; 3] = ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"];

/// One request the client wrote: action name and headers after `Action:`, in order.
#[derive(Debug, Clone)]
pub struct Request {
    /// First header's key is `Action` (false for 54's message without one).
    pub is_action: bool,
    pub name: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The exact bytes on the wire.
    pub bytes: Vec<u8>,
}

impl Request {
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }
}

/// A socket read or write, in the order the timeline recorded it.
#[derive(Debug)]
pub enum Step {
    /// A complete request the client finished writing in this chunk.
    Sent(Request),
    /// Bytes the client read from the server.
    Received(Vec<u8>),
}

#[derive(Debug)]
pub struct Transcript {
    pub version: &'static str,
    pub name: String,
    pub steps: Vec<Step>,
    pub client: Vec<u8>,
    pub server: Vec<u8>,
}

pub fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Every transcript pair of every version, sorted by name.
pub fn all() -> Vec<Transcript> {
    matching(|_| true)
}

/// The transcripts called `name`, one per version that has it.
pub fn named(name: &str) -> Vec<Transcript> {
    matching(|n| n == name)
}

fn matching(keep: impl Fn(&str) -> bool) -> Vec<Transcript> {
    let mut out = Vec::new();
    for version in VERSIONS {
        let dir = corpus_root().join(version);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".client.bin").map(str::to_owned)
            })
            .filter(|name| keep(name))
            .collect();
        names.sort();
        for name in names {
            out.push(load(version, &dir, &name));
        }
    }
    out
}

fn load(version: &'static str, dir: &Path, name: &str) -> Transcript {
    let client = std::fs::read(dir.join(format!("{name}.client.bin"))).unwrap();
    let server = std::fs::read(dir.join(format!("{name}.server.bin"))).unwrap();
    let timeline = std::fs::read_to_string(dir.join(format!("{name}.timeline.jsonl"))).unwrap();
    // Requests are decoded as Asterisk reads them: any LF ends a line.
    let mut decoder =
        Decoder::with_config(Config::default().with_line_endings(LineEndings::Lenient));
    let mut pending = Vec::new();
    let mut steps = Vec::new();
    let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
    for line in timeline.lines().filter(|l| !l.trim().is_empty()) {
        let bytes = base64(field(line, "b64"));
        match field(line, "dir") {
            "c2s" => {
                c2s.extend_from_slice(&bytes);
                pending.extend_from_slice(&bytes);
                let mut used = 0;
                loop {
                    match decoder.decode(&pending[used..]) {
                        Decoded::Item { item, consumed } => {
                            let Item::Message(m) = item else {
                                panic!("{name}: request is not a message: {item:?}")
                            };
                            let mut headers = m.headers();
                            let first = headers.next().unwrap();
                            steps.push(Step::Sent(Request {
                                is_action: first.is("Action"),
                                name: first.value.to_vec(),
                                headers: headers
                                    .map(|h| (h.key.to_vec(), h.value.to_vec()))
                                    .collect(),
                                bytes: m.as_bytes().to_vec(),
                            }));
                            used += consumed;
                        }
                        Decoded::NeedMore { consumed } => {
                            used += consumed;
                            break;
                        }
                        Decoded::Error { error, .. } => panic!("{name}: {error}"),
                    }
                }
                pending.drain(..used);
            }
            "s2c" => {
                s2c.extend_from_slice(&bytes);
                steps.push(Step::Received(bytes));
            }
            other => panic!("{name}: direction {other}"),
        }
    }
    assert_eq!(c2s, client, "{version}/{name}: timeline c2s != client.bin");
    assert_eq!(s2c, server, "{version}/{name}: timeline s2c != server.bin");
    Transcript {
        version,
        name: name.to_owned(),
        steps,
        client,
        server,
    }
}

/// The string value of `"key": "..."` in one timeline line (values hold no escapes).
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let tag = format!("\"{key}\": \"");
    let start = line
        .find(&tag)
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + tag.len();
    let len = line[start..].find('"').unwrap();
    &line[start..start + len]
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 byte {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let data: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
        let n = data.iter().fold(0u32, |n, &c| n << 6 | value(c)) << (6 * (4 - data.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..data.len()]);
    }
    out
}

/// The secret of `[user]`: from manager.conf in `../shared/asterisk` when it is there, else
/// the value the shared README's configuration has.
pub fn secret(user: &str) -> String {
    let conf = corpus_root().join("../../shared/asterisk/23.4.1/conf/manager.conf");
    if let Ok(text) = std::fs::read_to_string(conf) {
        let mut section = "";
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
            } else if let Some((key, value)) = line.split_once('=') {
                if section == user && key.trim() == "secret" {
                    return value.trim().to_owned();
                }
            }
        }
    }
    match user {
        "admin" => "amp111".to_owned(),
        "reader" => "reader111".to_owned(),
        other => panic!("no secret for {other}"),
    }
}
