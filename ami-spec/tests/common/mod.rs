//! The real captures in `corpus/`, decoded.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use ami_proto::{Config, Decoded, Decoder, Item, Limits, LineEndings, Message, OwnedMessage};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `*.server.bin` of `corpus/asterisk-*/`, sorted.
pub fn server_captures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(root().join("corpus")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !dir.is_dir() || !name.starts_with("asterisk-") {
            continue;
        }
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.to_string_lossy().ends_with(".server.bin") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() > 50, "{} captures", out.len());
    out
}

/// Every `*.server.bin` of `corpus/filter-oracle/` (what 60 users with different read
/// classes and filters received during one burst), sorted.
pub fn filter_oracle_captures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(root().join("corpus/filter-oracle"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".server.bin"))
        .collect();
    out.sort();
    assert!(out.len() > 50, "{} captures", out.len());
    out
}

/// The client side of a server capture.
pub fn client_side(server: &Path) -> PathBuf {
    PathBuf::from(
        server
            .to_string_lossy()
            .replace(".server.bin", ".client.bin"),
    )
}

/// Calls `each` with every message of a server capture (the whole capture in one buffer);
/// panics unless the capture ends cleanly.
pub fn for_each_message(bytes: &[u8], each: impl FnMut(&Message<'_>)) {
    decode(Decoder::new(), bytes, true, each)
}

fn decode(mut decoder: Decoder, bytes: &[u8], strict: bool, mut each: impl FnMut(&Message<'_>)) {
    let mut buf = bytes;
    loop {
        match decoder.decode(buf) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(message) = item {
                    each(&message);
                }
                buf = &buf[consumed..];
            }
            Decoded::Error { consumed, .. } => buf = &buf[consumed..],
            Decoded::NeedMore { consumed } => {
                assert!(!strict || buf[consumed..].iter().all(|b| b.is_ascii_whitespace()));
                break;
            }
        }
    }
}

/// Every message of a server capture, owned.
pub fn messages(path: &Path) -> Vec<OwnedMessage> {
    let bytes = fs::read(path).unwrap();
    let mut out = Vec::new();
    for_each_message(&bytes, |m| out.push(OwnedMessage::new(m)));
    out
}

/// Every action of a client capture, owned: lines may end in a bare LF (Asterisk accepts
/// them) and a session may stop in the middle of an action.
pub fn requests(path: &Path) -> Vec<OwnedMessage> {
    let bytes = fs::read(path).unwrap();
    let config = Config::default()
        .with_line_endings(LineEndings::Lenient)
        .with_limits(Limits::DEFAULT);
    let mut out = Vec::new();
    decode(Decoder::with_config(config), &bytes, false, |m| {
        out.push(OwnedMessage::new(m))
    });
    out
}

/// The path of a capture from the repository root (`corpus/asterisk-23.4.1/30_queue.server.bin`).
pub fn relative(path: &Path) -> String {
    let text = path.to_string_lossy();
    let at = text.find("corpus/").expect("a path under corpus/");
    text[at..].to_string()
}
