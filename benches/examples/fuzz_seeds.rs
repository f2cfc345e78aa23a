//! Writes the fuzz seed corpus `corpus/fuzz/<target>/` from the real captures in
//! `corpus/asterisk-*/` (whole small sessions, both directions, and one message of each kind
//! split out of every session) and small outputs of the bench stream generator; the
//! actions the clients sent and a few injection attempts (`encode_roundtrip`); the vendored
//! `manager show` dumps and observed entries of `ami-spec/specs/` (`spec_dump`); small
//! server captures and one message of each kind (`typed_event`, `session`). Deterministic:
//! run it again after adding captures.
//!
//! `cargo run -p benches --example fuzz_seeds` (from the workspace root).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ami_proto::{Config, Decoded, Decoder, Item, Kind, LineEndings};
use benches::fuzzing::{ChunkedInput, EncodeInput};
use benches::generate::{busy_pbx_stream, event_list_reply, legacy_command_reply, typical_event};

/// Whole sessions up to this size become seeds as they are.
const SMALL_SESSION: usize = 16 * 1024;

/// Selectors (see `benches::fuzzing::config_from_selector`) given to whole sessions in turn:
/// defaults, 1-byte reads, lenient + 1460-byte reads, small limits + lent storage + 7-byte
/// reads, middle limits + 64-byte reads.
const SESSION_SELECTORS: [u8; 5] = [0x00, 0x10, 0xc1, 0x5a, 0x84];

/// `session` selectors given to small server captures in turn: login none / plain / MD5 in
/// the low bits, read size index in the high nibble (one read, 1 byte, 7 bytes, 1460 bytes).
const SESSION_LOGINS: [u8; 5] = [0x01, 0x12, 0x41, 0x00, 0x92];

/// Read-size lists given to whole sessions in turn for `decode_chunked`.
const READS: [&[usize]; 5] = [&[1], &[2, 3], &[7], &[64, 1], &[200, 13, 5]];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sessions: Vec<PathBuf> = Vec::new();
    for dir in fs::read_dir(root.join("corpus")).expect("corpus/") {
        let dir = dir.unwrap().path();
        let is_capture = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("asterisk-"));
        if !is_capture {
            continue;
        }
        for file in fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = file.to_string_lossy();
            if name.ends_with(".server.bin") || name.ends_with(".client.bin") {
                sessions.push(file);
            }
        }
    }
    sessions.sort();

    let stream = Seeds::new(&root, "decode_stream");
    let chunked = Seeds::new(&root, "decode_chunked");
    let typed = Seeds::new(&root, "typed_event");
    let session = Seeds::new(&root, "session");
    let mut seen = BTreeSet::new();
    let mut small = 0;
    for path in &sessions {
        let bytes = fs::read(path).unwrap();
        let name = format!(
            "{}-{}",
            path.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy(),
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".bin")
        );
        if bytes.len() <= SMALL_SESSION {
            let selector = SESSION_SELECTORS[small % SESSION_SELECTORS.len()];
            stream.write(&name, &[&[selector], &bytes[..]].concat());
            let input = ChunkedInput {
                selector: selector & 0x0f,
                reads: READS[small % READS.len()].to_vec(),
                data: bytes.clone(),
            };
            chunked.write(&name, &input.to_bytes());
            if name.ends_with(".server") {
                typed.write(&name, &[&[0u8], &bytes[..]].concat());
                let selector = SESSION_LOGINS[small % SESSION_LOGINS.len()];
                session.write(&name, &[&[selector], &bytes[..]].concat());
            }
            small += 1;
        }
        for (label, item) in split(&bytes) {
            if seen.insert(label.clone()) {
                stream.write(&format!("item-{label}"), &[&[0u8], &item[..]].concat());
                typed.write(&format!("item-{label}"), &[&[0u8], &item[..]].concat());
            }
        }
    }
    // Small outputs of the bench generator: every feature of a busy stream in a few KiB.
    let generated = [
        ("generated-busy-pbx-8KiB", busy_pbx_stream(8 << 10)),
        (
            "generated-legacy-command-2KiB",
            legacy_command_reply(2 << 10),
        ),
        ("generated-event-list-5", event_list_reply(5)),
        ("generated-typical-event", typical_event()),
    ];
    for (i, (name, bytes)) in generated.iter().enumerate() {
        let selector = SESSION_SELECTORS[i % SESSION_SELECTORS.len()];
        stream.write(name, &[&[selector], &bytes[..]].concat());
        let input = ChunkedInput {
            selector: selector & 0x0f,
            reads: READS[i % READS.len()].to_vec(),
            data: bytes.clone(),
        };
        chunked.write(name, &input.to_bytes());
    }
    // encode_roundtrip: one request of each action the clients sent, and injection tries.
    let encode = Seeds::new(&root, "encode_roundtrip");
    let mut actions = BTreeSet::new();
    for path in sessions
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".client.bin"))
    {
        for input in client_actions(&fs::read(path).unwrap()) {
            if actions.insert(input.action.clone()) {
                encode.write(&format!("action-{}", input.action), &input.to_bytes());
            }
        }
    }
    let injections: [(&str, &[(&str, &str)]); 4] = [
        (
            "Originate",
            &[(
                "Channel",
                "PJSIP/100\r\nAction: Hangup\r\nChannel: PJSIP/101",
            )],
        ),
        ("Ping\r\n\r\nAction: Logoff", &[("ActionID", "1")]),
        (
            "Setvar",
            &[
                ("Variable: X\nVariable", "1"),
                ("Value", "a\n\nAction: Logoff"),
            ],
        ),
        (
            "Originate",
            &[("Variable", "A=1,B=2"), ("CallerID", "\"José\" <100>")],
        ),
    ];
    for (i, (action, headers)) in injections.iter().enumerate() {
        let input = EncodeInput {
            action: action.to_string(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        };
        encode.write(&format!("injection-{i}"), &input.to_bytes());
    }

    // spec_dump: the vendored `manager show` dumps of every version and the observed
    // entries.
    let dumps = Seeds::new(&root, "spec_dump");
    let mut dump_count = 0;
    for version in fs::read_dir(root.join("ami-spec/specs")).expect("ami-spec/specs") {
        let version = version.unwrap().path();
        if !version.is_dir() {
            continue;
        }
        let v = version.file_name().unwrap().to_string_lossy().to_string();
        let mut files: Vec<_> = [version.join("events.txt"), version.join("actions.txt")]
            .into_iter()
            .filter(|f| f.is_file())
            .collect();
        for sub in ["event", "action"] {
            let Ok(entries) = fs::read_dir(version.join(sub)) else {
                continue;
            };
            for file in entries {
                files.push(file.unwrap().path());
            }
        }
        files.sort();
        for file in files {
            let name = file
                .strip_prefix(&version)
                .unwrap()
                .to_string_lossy()
                .replace('/', "-");
            dumps.write(&format!("{v}-{name}"), &fs::read(&file).unwrap());
            dump_count += 1;
        }
    }
    println!("{} actions, {dump_count} dumps", actions.len());

    println!(
        "{} sessions, {small} small ones, {} distinct items",
        sessions.len(),
        seen.len()
    );
}

/// The items of a capture with a label per kind (`Event-Newchannel`, `Response-Follows`,
/// `banner`, `text`) and their wire bytes.
fn split(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut decoder = Decoder::new();
    let mut rest = bytes;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                let label = match item {
                    Item::Banner(_) => "banner".to_string(),
                    Item::Text(_) => "text".to_string(),
                    Item::Message(m) => {
                        let key = m.header_at(0).key;
                        let name: String = String::from_utf8_lossy(m.name())
                            .chars()
                            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                            .take(40)
                            .collect();
                        format!("{}-{name}", String::from_utf8_lossy(key))
                    }
                };
                out.push((label, rest[..consumed].to_vec()));
                rest = &rest[consumed..];
            }
            // Client captures hold deliberately odd requests: keep what decodes.
            Decoded::Error { .. } => return out,
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// The actions in a client capture (read with lenient line endings: some clients write LF).
fn client_actions(bytes: &[u8]) -> Vec<EncodeInput> {
    let config = Config {
        line_endings: LineEndings::Lenient,
        ..Config::default()
    };
    let mut out = Vec::new();
    let mut decoder = Decoder::with_config(config);
    let mut rest = bytes;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    if m.kind() == Kind::Action {
                        out.push(EncodeInput {
                            action: String::from_utf8_lossy(m.name()).into_owned(),
                            headers: m
                                .headers()
                                .skip(1)
                                .map(|h| (h.key.to_vec(), h.value.to_vec()))
                                .collect(),
                        });
                    }
                }
                rest = &rest[consumed..];
            }
            Decoded::Error { consumed, .. } => rest = &rest[consumed..],
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// One target's seed folder, emptied first so removed seeds do not linger.
struct Seeds(PathBuf);

impl Seeds {
    fn new(root: &Path, target: &str) -> Seeds {
        let dir = root.join("corpus/fuzz").join(target);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Seeds(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        fs::write(self.0.join(name), bytes).unwrap();
    }
}
