//! Writes the fuzz seed corpus `corpus/fuzz/<target>/` from the real captures in
//! `corpus/asterisk-*/` (whole small sessions, both directions, and one message of each kind
//! split out of every session) and small outputs of the bench stream generator; the
//! actions the clients sent and a few injection attempts (`encode_roundtrip`); the vendored
//! `manager show` dumps and observed entries of `ami-spec/specs/` (`spec_dump`); small
//! server captures and one message of each kind (`typed_event`, `session`); the recorded
//! AJAM replies of `corpus/http/` (`ajam_decode`); small captures as their three files and
//! as their reads and writes (`capture_load`); the filter lines, Filter actions and
//! manager.conf of `corpus/filter-oracle/` (`filter_line`, `manager_conf`); what its users
//! sent, and a few attacks on the proxy's login and actions (`proxy_session`). Deterministic:
//! run it again after adding captures.
//!
//! `cargo run -p benches --example fuzz_seeds` (from the workspace root).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ami_proto::filter::{ConfFile, NoIncludes};
use ami_proto::{Config, Decoded, Decoder, Item, Kind, LineEndings};
use benches::fuzzing::{capture_input_chunks, capture_input_files, ChunkedInput, EncodeInput};
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

    // ajam_decode: the recorded AJAM replies of corpus/http/ (mxml and manager bodies, the
    // WWW-Authenticate and Set-Cookie values), and two legacy Command replies with blank
    // lines as Asterisk would translate them, behind the byte that picks the reader.
    let ajam = Seeds::new(&root, "ajam_decode");
    let mut ajam_inputs = BTreeSet::new();
    for version in ["13.38.3", "23.4.1"] {
        let dir = root.join("corpus/http").join(version);
        let mut files: Vec<PathBuf> = ["mxml", "amxml", "manager", "amanager", "rawman", "arawman"]
            .iter()
            .flat_map(|kind| {
                fs::read_dir(dir.join(kind))
                    .unwrap()
                    .map(|f| f.unwrap().path())
            })
            .collect();
        files.sort();
        for file in files {
            let kind = file
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let name = file.file_stem().unwrap().to_string_lossy().to_string();
            let bytes = fs::read(&file).unwrap();
            let label = format!("{version}-{kind}-{name}");
            if file.extension().unwrap() == "body" && !kind.ends_with("rawman") {
                let reader = u8::from(kind.ends_with("manager"));
                // Every third body with the small limits too.
                let small = ajam_inputs.len() % 3 == 0;
                for selector in [reader, reader | 4]
                    .into_iter()
                    .take(1 + usize::from(small))
                {
                    let input = [&[selector], &bytes[..]].concat();
                    if ajam_inputs.insert(input.clone()) {
                        ajam.write(&format!("{label}-{selector}"), &input);
                    }
                }
            } else if file.extension().unwrap() == "headers" {
                let text = String::from_utf8(bytes).unwrap();
                for line in text.split("\r\n") {
                    let (selector, value) = match line.split_once(": ") {
                        Some((k, v)) if k.eq_ignore_ascii_case("WWW-Authenticate") => (2u8, v),
                        Some((k, v)) if k.eq_ignore_ascii_case("Set-Cookie") => (3u8, v),
                        _ => continue,
                    };
                    let input = [&[selector], value.as_bytes()].concat();
                    if ajam_inputs.insert(input.clone()) {
                        ajam.write(&format!("{label}-{selector}"), &input);
                    }
                }
            }
        }
    }
    let server =
        fs::read(root.join("corpus/asterisk-13.38.3/15_command_manager_show.server.bin")).unwrap();
    for (selector, encoding) in [
        (0u8, ami_http::Encoding::Mxml),
        (1, ami_http::Encoding::Manager),
    ] {
        let rendered = ami_http::render::render(
            encoding,
            &server[server.iter().position(|&b| b == b'\n').unwrap() + 1..],
        );
        ajam.write(
            &format!("rendered-13-manager-show-{}", encoding.name()),
            &[&[selector], &rendered[..]].concat(),
        );
    }
    let challenge = br#"Basic realm="x", Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5-sess, stale=TRUE"#;
    ajam.write("rfc-2617-challenge", &[&[2u8], &challenge[..]].concat());
    println!("{} ajam_decode inputs", ajam_inputs.len() + 3);

    // capture_load: small captures, as their three files and as their reads and writes.
    let captures = Seeds::new(&root, "capture_load");
    let mut capture_count = 0;
    for path in sessions
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".client.bin"))
    {
        let prefix = path
            .to_string_lossy()
            .trim_end_matches(".client.bin")
            .to_string();
        let read = |suffix: &str| fs::read(format!("{prefix}{suffix}")).unwrap();
        let (server, client, timeline) = (
            read(".server.bin"),
            read(".client.bin"),
            read(".timeline.jsonl"),
        );
        if server.len() + client.len() + timeline.len() > SMALL_SESSION {
            continue;
        }
        let capture = ami_replay::Capture::load(&prefix).unwrap();
        let name = format!(
            "{}-{}",
            path.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy(),
            capture.name()
        );
        captures.write(
            &format!("{name}-files"),
            &capture_input_files(&server, &client, &timeline),
        );
        let mut previous = std::time::Duration::ZERO;
        let chunks: Vec<(bool, u64, &[u8])> = capture
            .timeline()
            .iter()
            .map(|c| {
                let millis = (c.at - previous).as_millis() as u64;
                previous = c.at;
                (
                    c.direction == ami_replay::Direction::ServerToClient,
                    millis,
                    &c.bytes[..],
                )
            })
            .collect();
        captures.write(&format!("{name}-chunks"), &capture_input_chunks(&chunks));
        capture_count += 1;
    }
    println!("{capture_count} small captures for capture_load");

    println!(
        "{} sessions, {small} small ones, {} distinct items",
        sessions.len(),
        seen.len()
    );
    filter_seeds(&root);
    proxy_seeds(&root);
}

/// `filter_line` and `manager_conf` seeds from `corpus/filter-oracle/`: every filter line of
/// its manager.conf (as the configuration parser hands it over) and every `Filter` action a
/// user sent, each with a few events of the reference burst and under both rule sets; the
/// whole manager.conf, each user's section after `[general]`, and a few constructs the
/// oracle file does not use (templates, appends, block comments, includes, escapes).
fn filter_seeds(root: &Path) {
    let oracle = root.join("corpus/filter-oracle");
    let conf_text = fs::read(oracle.join("manager.conf")).expect("corpus/filter-oracle");
    let conf = ConfFile::parse(&conf_text, "manager.conf", &mut NoIncludes).unwrap();
    // A few short events of different kinds from the reference burst.
    let reference = fs::read(oracle.join("reference.server.bin")).unwrap();
    let mut events: Vec<Vec<u8>> = Vec::new();
    let mut kinds = BTreeSet::new();
    for (label, bytes) in split(&reference) {
        if label.starts_with("Event-") && bytes.len() < 700 && kinds.insert(label) {
            events.push(bytes);
        }
    }
    let sample: Vec<u8> = events.iter().take(6).flatten().copied().collect();
    let lines = Seeds::new(root, "filter_line");
    let mut count = 0;
    let mut write = |name: &str, criteria: &[u8], pattern: &[u8]| {
        for (selector, rules) in [(0u8, "20"), (1u8, "13")] {
            let seed = [&[selector][..], criteria, &[0], pattern, &[0], &sample].concat();
            lines.write(&format!("{name}-{rules}"), &seed);
            count += 1;
        }
    };
    for category in &conf.categories {
        for (i, variable) in category.variables.iter().enumerate() {
            if variable.name.eq_ignore_ascii_case(b"eventfilter")
                || variable.name.starts_with(b"eventfilter")
            {
                let name = format!("{}-{i}", String::from_utf8_lossy(&category.name));
                write(&name, &variable.name, &variable.value);
            }
        }
    }
    let mut clients: Vec<PathBuf> = fs::read_dir(&oracle)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".client.bin"))
        .collect();
    clients.sort();
    for path in clients {
        let user = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".client.bin", "");
        for (i, (label, bytes)) in split(&fs::read(&path).unwrap()).into_iter().enumerate() {
            if label != "Action-Filter" {
                continue;
            }
            let mut decoder = Decoder::new();
            let Decoded::Item {
                item: Item::Message(m),
                ..
            } = decoder.decode(&bytes)
            else {
                continue;
            };
            let criteria = m.get("MatchCriteria").unwrap_or(b"");
            let pattern = m.get("Filter").unwrap_or(b"");
            write(&format!("action-{user}-{i}"), criteria, pattern);
        }
    }
    let confs = Seeds::new(root, "manager_conf");
    confs.write("oracle-manager.conf", &[&[0u8][..], &conf_text].concat());
    confs.write("oracle-manager.conf-13", &[&[1u8][..], &conf_text].concat());
    let general = conf_text
        .windows(b"\n[driver]".len())
        .position(|w| w == b"\n[driver]")
        .map_or(&conf_text[..], |end| &conf_text[..end + 1]);
    let mut sections = 0;
    for (i, category) in conf.categories.iter().enumerate().skip(2) {
        let start = conf_text
            .windows(category.name.len() + 2)
            .position(|w| w == [&b"["[..], &category.name, b"]"].concat())
            .unwrap();
        let end = conf.categories.get(i + 1).map_or(conf_text.len(), |next| {
            conf_text
                .windows(next.name.len() + 2)
                .position(|w| w == [&b"["[..], &next.name, b"]"].concat())
                .unwrap()
        });
        let text = [&[(i % 2) as u8][..], general, &conf_text[start..end]].concat();
        confs.write(
            &format!("section-{}", String::from_utf8_lossy(&category.name)),
            &text,
        );
        sections += 1;
    }
    let constructs: [(&str, &[u8]); 6] = [
        ("template", b"[tpl](!)\nread = call,user\nwrite = system\n[ops](tpl)\nsecret = s\neventfilter = !Event: VarSet\n"),
        ("append", b"[ops]\nsecret = s\n[ops](+)\nread = all\nread += ,dial\n[OPS]\neventfilter(name(Hangup))=\n"),
        ("block-comment", b"[ops] ; user\nsecret = s ;-- a\nblock --; read = call\n;-- open\nstill\n--;\nwrite = all\n"),
        ("include", b"[general]\n#include \"users.conf\"\n#tryinclude <extra.conf>\n#exec /bin/true\n[ops]\nsecret=s\n"),
        ("escapes", b"[ops]\nsecret = a\\;b\\\\;c\n\\[x = 1\neventfilter = Channel: .*\\;2$\nsetvar = A=B=C\nwritetimeout = 50\n"),
        ("errors", b"secret = before any section\n[ops\n[x](nosuch)\n"),
    ];
    for (name, text) in constructs {
        confs.write(name, &[&[0u8][..], text].concat());
    }
    println!("{count} filter lines, {sections} manager.conf sections");
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
                    _ => "item".to_string(),
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
    let config = Config::default().with_line_endings(LineEndings::Lenient);
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

/// `proxy_session` seeds: what three users of `corpus/filter-oracle/` sent (Login, Filter,
/// Events, DBGet, Logoff; the check's manager.conf has them), in several read sizes and from
/// an address one user's ACL denies; and attempts on the proxy: wrong secret, MD5 without
/// and with a challenge, actions before login and above the write classes, CR, LF and NUL in
/// values, a line that is no header, a second login.
fn proxy_seeds(root: &Path) {
    let seeds = Seeds::new(root, "proxy_session");
    let oracle = root.join("corpus/filter-oracle");
    for (i, user) in ["reference", "rt_filter_legacy", "ev_mask_call"]
        .iter()
        .enumerate()
    {
        let sent = fs::read(oracle.join(format!("{user}.client.bin"))).unwrap();
        for selector in [0u8, 1, 3, 5, 8] {
            let selector = selector.wrapping_add(i as u8 * 16);
            seeds.write(
                &format!("oracle-{user}-{selector:02x}"),
                &[&[selector][..], &sent].concat(),
            );
        }
    }
    let login = |user: &str, secret: &str| {
        format!("Action: Login\r\nActionID: l\r\nUsername: {user}\r\nSecret: {secret}\r\n\r\n")
    };
    let attempts: [(&str, String); 9] = [
        ("wrong-secret", login("reference", "guess")),
        ("denied-address", login("remote", "far")),
        ("md5-no-challenge", "Action: Login\r\nAuthType: MD5\r\nUsername: reference\r\nKey: 00\r\n\r\n".into()),
        ("md5-challenge", "Action: Challenge\r\nActionID: c\r\nAuthType: md5\r\n\r\nAction: Login\r\nAuthType: MD5\r\nUsername: reference\r\nKey: 0123456789abcdef0123456789abcdef\r\n\r\n".into()),
        ("before-login", "Action: Originate\r\nActionID: o\r\nChannel: Local/1@x\r\n\r\nAction: Logoff\r\n\r\n".into()),
        ("write-classes", login("reader", "r3ad") + "Action: Originate\r\nActionID: o\r\n\r\nAction: Filter\r\nFilter: x\r\n\r\nAction: QueueStatus\r\n\r\n"),
        ("smuggling", login("reference", "oracle") + "Action: Ping\r\nActionID: a\r\nX: 1\rAction: Originate\r\n\r\nAction: Ping\nX: 1\0y\nAction: Originate\n\nAction: Ping\r\nBad Key: 1\r\n\r\n"),
        ("twice", login("reference", "oracle") + &login("reference", "oracle") + "Action: Events\r\nEventMask: off\r\n\r\nAction: Logoff\r\n\r\nAction: Ping\r\n\r\n"),
        ("no-action", login("ev_mask_call", "oracle") + "ActionID: 1\r\n\r\nAction: \r\n\r\nAction: Filter\r\nOperation: Add\r\nMatchCriteria: method(bogus)\r\nFilter: x\r\n\r\n"),
    ];
    for (name, text) in attempts {
        for selector in [0u8, 2, 8] {
            seeds.write(
                &format!("{name}-{selector:02x}"),
                &[&[selector][..], text.as_bytes()].concat(),
            );
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
