//! Every recorded AJAM body of Asterisk 13.38.3 and 23.4.1 (`corpus/http/`, see
//! `requests.tsv`) decodes to the messages it holds.
//!
//! rawman bodies are checked against a plain reader that shares no code with the crate.
//! mxml and manager bodies are checked against their rawman twin (the same request, in
//! the same set, a few seconds apart), through the losses the crate documents
//! (`support::expected`). The twins come from different runs, so values that differ
//! between runs (timestamps, unique ids, channel and session numbers) are compared with
//! their digit runs masked, and the events after the reply, which another run may give in
//! another order (a `WaitEvent`'s queue, a list of channels), are compared as a multiset;
//! everything without run-dependent values is compared byte for byte.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use ami_http::{decode, render::render, DigestChallenge, Encoding};
use ami_proto::{Kind, ListMarker, OwnedMessage};
use support::{decode_ok, exchanges, expected, split_rawman, Exchange, Plain};

/// The output lines a Command reply is expected to have: its body's lines, or its
/// `Output` headers.
fn output_lines(plain: &Plain) -> Vec<Vec<u8>> {
    match &plain.body {
        Some(body) if body.is_empty() => Vec::new(),
        Some(body) => body
            .strip_suffix(b"\n")
            .unwrap_or(body)
            .split(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect(),
        None => plain
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(b"Output"))
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

/// Counts, keys, values, Command output and list items of `decoded` against `want` (the
/// rawman twin through the documented losses). Returns how many messages matched byte
/// for byte (the rest matched with run-dependent values masked).
fn check_file(e: &Exchange, decoded: &[OwnedMessage], want: &[Plain]) -> usize {
    let id = e.id();
    assert_eq!(decoded.len(), want.len(), "{id}: message count");
    let got: Vec<Plain> = decoded.iter().map(Plain::of).collect();
    let masked = |v: &[Plain]| v.iter().map(Plain::masked).collect::<Vec<_>>();
    let (mut got_m, mut want_m) = (masked(&got), masked(want));
    let show = |v: &[Plain]| v.iter().map(Plain::render).collect::<Vec<_>>().join("\n");
    if got_m != want_m {
        // The reply comes first; the events after it may come in another order in another
        // run (queued events of a WaitEvent; channels of a list, which Asterisk walks in
        // hash order).
        assert_eq!(got_m[0], want_m[0], "{id}: the reply differs");
        got_m.sort();
        want_m.sort();
        assert_eq!(show(&got_m), show(&want_m), "{id}: events differ");
    }
    // What holds nothing run-dependent is the same byte for byte.
    for w in want.iter().filter(|w| w.masked() == **w) {
        assert!(got.contains(w), "{id}: {} not found", w.render());
    }
    // The accessors read the same whatever the encoding: kind, Response, Command output,
    // list items.
    for (m, w) in decoded.iter().zip(want) {
        let kind = Kind::from_first_key(&w.headers[0].0);
        if got_m == want_m {
            assert_eq!(m.message().kind(), kind, "{id}");
        }
    }
    let first = decoded[0].message();
    assert_eq!(first.kind(), Kind::Response, "{id}: the reply comes first");
    assert_eq!(
        first.get("Response").map(support::mask),
        want[0]
            .masked()
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(b"Response"))
            .map(|(_, v)| v.clone()),
        "{id}"
    );
    let output: Vec<Vec<u8>> = first.command_output().map(<[u8]>::to_vec).collect();
    assert_eq!(output, output_lines(&want[0]), "{id}: Command output");
    if ListMarker::of(&first) == Some(ListMarker::Start) {
        let last = decoded.last().unwrap().message();
        assert_eq!(ListMarker::of(&last), Some(ListMarker::Complete), "{id}");
        let items = &decoded[1..decoded.len() - 1];
        assert!(
            items.iter().all(|m| m.message().kind() == Kind::Event),
            "{id}"
        );
        let listed = last.get_str("ListItems").unwrap().parse::<usize>().unwrap();
        assert_eq!(listed, items.len(), "{id}: ListItems");
        if let Some(id_header) = first.action_id() {
            assert!(
                items
                    .iter()
                    .all(|m| m.message().action_id() == Some(id_header)),
                "{id}"
            );
        }
    }
    got.iter().zip(want).filter(|(g, w)| g == w).count()
}

#[test]
fn every_body_is_listed_in_requests_tsv() {
    let all = exchanges();
    let mut files = 0;
    for version in ["13.38.3", "23.4.1"] {
        for kind in fs::read_dir(support::corpus().join(version)).unwrap() {
            let kind = kind.unwrap().path();
            if kind.is_dir() {
                files += fs::read_dir(&kind)
                    .unwrap()
                    .filter(|f| f.as_ref().unwrap().path().extension().unwrap() == "body")
                    .count();
            }
        }
    }
    assert_eq!(files, all.len());
    assert_eq!(all.len(), 150);
}

#[test]
fn every_rawman_body_decodes_to_its_messages() {
    let mut checked = 0;
    for e in exchanges()
        .iter()
        .filter(|e| e.encoding() == Encoding::Rawman && e.status == 200)
    {
        let decoded = decode_ok(Encoding::Rawman, &e.body, &e.id());
        let plain: Vec<Plain> = decoded.iter().map(Plain::of).collect();
        assert_eq!(plain, split_rawman(&e.body), "{}", e.id());
        // The whole body is these messages, nothing dropped.
        let joined: Vec<u8> = decoded
            .iter()
            .flat_map(|m| m.as_bytes().iter().copied())
            .collect();
        assert_eq!(joined, e.body, "{}", e.id());
        checked += 1;
    }
    assert_eq!(checked, 2 * (18 + 5));
}

#[test]
fn every_mxml_and_manager_body_decodes_to_the_messages_of_its_rawman_twin() {
    let all = exchanges();
    let (mut files, mut messages, mut exact) = (0, 0, 0);
    for e in all
        .iter()
        .filter(|e| e.encoding() != Encoding::Rawman && e.status == 200)
    {
        let twin = e.twin(&all);
        let want: Vec<Plain> = split_rawman(&twin.body)
            .iter()
            .map(|p| {
                expected(p, e.encoding()).unwrap_or_else(|| panic!("{}: not modelled", twin.id()))
            })
            .collect();
        let decoded = decode_ok(e.encoding(), &e.body, &e.id());
        exact += check_file(e, &decoded, &want);
        messages += decoded.len();
        files += 1;
    }
    println!(
        "{files} bodies, {messages} messages, {exact} identical to the twin's without masking"
    );
    assert_eq!(files, 2 * 2 * (18 + 5));
}

/// A 401 page is no AMI: it decodes to no message, only an error, and its challenge is
/// the one `DigestChallenge` reads.
#[test]
fn unauthorized_pages_hold_no_messages() {
    let mut pages = 0;
    for e in exchanges().iter().filter(|e| e.status == 401) {
        assert!(e.digest(), "{}", e.id());
        let items: Vec<_> = decode(e.encoding(), &e.body).collect();
        assert!(
            !items.is_empty() && items.iter().all(Result::is_err),
            "{}: {items:?}",
            e.id()
        );
        for challenge in e.all_headers("WWW-authenticate") {
            DigestChallenge::parse(challenge.as_bytes()).unwrap();
        }
        pages += 1;
    }
    assert_eq!(pages, 2 * 3 * 2);
}

/// The sections of a rendered or recorded body: mxml `<response>` lines, or the rows of
/// the manager page from its first field row up to `</table>`, split after each `<hr>`
/// row.
fn sections(encoding: Encoding, body: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(body).into_owned();
    let parts: Vec<String> = match encoding {
        Encoding::Mxml => text
            .split_inclusive("</response>\n")
            .filter(|s| s.starts_with("<response") || s.contains("\n<response"))
            .map(|s| s[s.find("<response").unwrap()..].to_string())
            .collect(),
        _ => {
            let start = text.find("<tr><td>").unwrap();
            let end = text.rfind("</table>").unwrap();
            text[start..end]
                .split_inclusive("<hr></td></tr>\r\n")
                .map(str::to_string)
                .collect()
        }
    };
    parts.into_iter().map(String::into_bytes).collect()
}

/// `render` (the crate's model of Asterisk's translation) turns each rawman twin into the
/// recorded mxml and manager bodies, byte for byte where the runs agree.
#[test]
fn render_reproduces_every_recorded_body() {
    let all = exchanges();
    let (mut identical, mut masked_only, mut total) = (0, 0, 0);
    for e in all
        .iter()
        .filter(|e| e.encoding() != Encoding::Rawman && e.status == 200)
    {
        let rendered = render(e.encoding(), &e.twin(&all).body);
        let mut want = sections(e.encoding(), &rendered);
        let mut got = sections(e.encoding(), &e.body);
        assert_eq!(got.len(), want.len(), "{}", e.id());
        if e.encoding() == Encoding::Mxml {
            assert!(
                e.body.starts_with(b"<ajax-response>\n") && e.body.ends_with(b"</ajax-response>\n")
            );
        }
        if got
            .iter()
            .map(|s| support::mask(s))
            .ne(want.iter().map(|s| support::mask(s)))
        {
            got.sort_by_key(|s| support::mask(s));
            want.sort_by_key(|s| support::mask(s));
        }
        for (g, w) in got.iter().zip(&want) {
            total += 1;
            if g == w {
                identical += 1;
            } else {
                // Only what differs between runs may differ.
                assert_ne!(support::mask(w), *w, "{}: {}", e.id(), w.escape_ascii());
                assert_eq!(
                    support::mask(g).escape_ascii().to_string(),
                    support::mask(w).escape_ascii().to_string(),
                    "{}",
                    e.id()
                );
                masked_only += 1;
            }
        }
    }
    println!("{total} sections: {identical} identical, {masked_only} equal with run-dependent values masked");
    assert_eq!(total, identical + masked_only);
}

/// What each recorded reply holds, written from the rawman bodies (by a few lines of Python
/// over `\r\n\r\n` blocks and by eye, not by this crate): the reply's `Response`, its
/// `Message` and `Value`, its ActionID, how many Command output lines it carries, the
/// `ListItems` its list ends with, and the events after it by name (sorted: another run
/// may give them in another order). Every version, set (cookie or digest paths) and request
/// name, for each of the three encodings.
const HOLDS: &[(&str, &str, &str, &str)] = &[
    ("13.38.3", "cookie", "00_ping_before_login", "Error \"Permission denied\""),
    ("13.38.3", "cookie", "01_login_bad", "Error \"Authentication failed\""),
    ("13.38.3", "cookie", "02_login", "Success \"Authentication accepted\""),
    ("13.38.3", "cookie", "03_ping", "Success id=http-ping-1"),
    ("13.38.3", "cookie", "04_command_version", "Follows out=1"),
    ("13.38.3", "cookie", "05_command_help_manager", "Follows out=11"),
    ("13.38.3", "cookie", "06_coreshowchannels_none", "Success \"Channels will follow\" id=csc-1 items=0 CoreShowChannelsComplete"),
    ("13.38.3", "cookie", "07_originate_async", "Success \"Originate successfully queued\" id=orig-1"),
    ("13.38.3", "cookie", "08_coreshowchannels_up", "Success \"Channels will follow\" id=csc-2 items=2 CoreShowChannel*2 CoreShowChannelsComplete"),
    ("13.38.3", "cookie", "09_waitevent", "Success \"Waiting for Event completed.\" CEL*4 DeviceStateChange*2 DialBegin DialEnd LocalBridge Newchannel*2 Newexten*5 Newstate*2 OriginateResponse SuccessfulAuth VarSet WaitEventComplete"),
    ("13.38.3", "cookie", "10_waitevent_again", "Success \"Waiting for Event completed.\" WaitEventComplete"),
    ("13.38.3", "cookie", "11_getvar", "Success value=globalvalue"),
    ("13.38.3", "cookie", "12_unknown_action", "Error \"Invalid/unknown command: nosuchaction. Use Action: ListCommands to show available commands.\""),
    ("13.38.3", "cookie", "13_post_ping", "Success id=post-1"),
    ("13.38.3", "cookie", "14_dbget_list", "Success \"Updated database successfully\""),
    ("13.38.3", "cookie", "15_dbget", "Success \"Result will follow\" items=1 DBGetComplete DBGetResponse"),
    ("13.38.3", "cookie", "16_logoff", "Goodbye \"Thanks for all the fish.\""),
    ("13.38.3", "cookie", "17_ping_after_logoff", "Error \"Permission denied\""),
    ("13.38.3", "digest", "02_ping", "Success id=digest-ping"),
    ("13.38.3", "digest", "03_command_version", "Follows out=1"),
    ("13.38.3", "digest", "04_originate_async", "Success \"Originate successfully queued\""),
    ("13.38.3", "digest", "05_coreshowchannels", "Success \"Channels will follow\" items=2 CoreShowChannel*2 CoreShowChannelsComplete"),
    ("13.38.3", "digest", "06_waitevent", "Success \"Waiting for Event completed.\" WaitEventComplete"),
    ("23.4.1", "cookie", "00_ping_before_login", "Error \"Permission denied\""),
    ("23.4.1", "cookie", "01_login_bad", "Error \"Authentication failed\""),
    ("23.4.1", "cookie", "02_login", "Success \"Authentication accepted\""),
    ("23.4.1", "cookie", "03_ping", "Success id=http-ping-1"),
    ("23.4.1", "cookie", "04_command_version", "Success \"Command output follows\" out=1"),
    ("23.4.1", "cookie", "05_command_help_manager", "Success \"Command output follows\" out=12"),
    ("23.4.1", "cookie", "06_coreshowchannels_none", "Success \"Channels will follow\" id=csc-1 items=0 CoreShowChannelsComplete"),
    ("23.4.1", "cookie", "07_originate_async", "Success \"Originate successfully queued\" id=orig-1"),
    ("23.4.1", "cookie", "08_coreshowchannels_up", "Success \"Channels will follow\" id=csc-2 items=2 CoreShowChannel*2 CoreShowChannelsComplete"),
    ("23.4.1", "cookie", "09_waitevent", "Success \"Waiting for Event completed.\" CEL*4 DeviceStateChange*2 DialBegin DialEnd LocalBridge Newchannel*2 Newexten*5 Newstate*2 OriginateResponse SuccessfulAuth VarSet WaitEventComplete"),
    ("23.4.1", "cookie", "10_waitevent_again", "Success \"Waiting for Event completed.\" WaitEventComplete"),
    ("23.4.1", "cookie", "11_getvar", "Success value=globalvalue"),
    ("23.4.1", "cookie", "12_unknown_action", "Error \"Invalid/unknown command: nosuchaction. Use Action: ListCommands to show available commands.\""),
    ("23.4.1", "cookie", "13_post_ping", "Success id=post-1"),
    ("23.4.1", "cookie", "14_dbget_list", "Success \"Updated database successfully\""),
    ("23.4.1", "cookie", "15_dbget", "Success \"Result will follow\" items=1 DBGetComplete DBGetResponse"),
    ("23.4.1", "cookie", "16_logoff", "Goodbye \"Thanks for all the fish.\""),
    ("23.4.1", "cookie", "17_ping_after_logoff", "Error \"Permission denied\""),
    ("23.4.1", "digest", "02_ping", "Success id=digest-ping"),
    ("23.4.1", "digest", "03_command_version", "Success \"Command output follows\" out=1"),
    ("23.4.1", "digest", "04_originate_async", "Success \"Originate successfully queued\""),
    ("23.4.1", "digest", "05_coreshowchannels", "Success \"Channels will follow\" items=2 CoreShowChannel*2 CoreShowChannelsComplete"),
    ("23.4.1", "digest", "06_waitevent", "Success \"Waiting for Event completed.\" WaitEventComplete"),
];

/// Where mxml reads otherwise: 13.38.3's `core show version` output line holds a colon
/// before any line without one, so Asterisk made it a field (see `encodings.rs`).
const MXML_HOLDS: &[(&str, &str, &str, &str)] = &[
    ("13.38.3", "cookie", "04_command_version", "Follows"),
    ("13.38.3", "digest", "03_command_version", "Follows"),
];

/// The summary `HOLDS` gives, read through the accessors every transport shares.
fn summary(messages: &[OwnedMessage]) -> String {
    let reply = messages[0].message();
    let mut s = reply
        .get_str("Response")
        .unwrap_or("(no Response)")
        .to_string();
    if let Some(message) = reply.get_str("Message") {
        s += &format!(" {message:?}");
    }
    if let Some(value) = reply.get_str("Value") {
        s += &format!(" value={value}");
    }
    if let Some(id) = reply.action_id() {
        s += &format!(" id={}", id.escape_ascii());
    }
    let output = reply.command_output().count();
    if output > 0 {
        s += &format!(" out={output}");
    }
    if let Some(items) = messages
        .iter()
        .find_map(|m| m.message().get_str("ListItems"))
    {
        s += &format!(" items={items}");
    }
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    for m in &messages[1..] {
        assert_eq!(m.message().kind(), Kind::Event, "{m:?}");
        let name = String::from_utf8_lossy(m.message().name()).into_owned();
        *events.entry(name).or_default() += 1;
    }
    for (name, n) in events {
        s += &format!(" {name}");
        if n > 1 {
            s += &format!("*{n}");
        }
    }
    s
}

#[test]
fn every_body_holds_what_is_listed_for_it() {
    let all = exchanges();
    let mut checked = 0;
    for e in all.iter().filter(|e| e.status == 200) {
        let set = if e.digest() { "digest" } else { "cookie" };
        let key = |t: &&(&str, &str, &str, &str)| (t.0, t.1, t.2) == (&e.version, set, &e.name);
        let want = match e.encoding() {
            Encoding::Mxml => MXML_HOLDS.iter().find(key).or(HOLDS.iter().find(key)),
            _ => HOLDS.iter().find(key),
        };
        let want = want.unwrap_or_else(|| panic!("{}: not listed", e.id())).3;
        let decoded = decode_ok(e.encoding(), &e.body, &e.id());
        assert_eq!(summary(&decoded), want, "{}", e.id());
        checked += 1;
    }
    assert_eq!(checked, 3 * HOLDS.len());
    assert_eq!(HOLDS.len(), 2 * (18 + 5));
}

/// `corpus/http/` is `shared/asterisk/<version>/http/` copied unchanged (corpus/README.md),
/// so the tests above cover every body there. The shared folder lives beside the
/// repository: without it the test says so past the output capture, and fails under
/// `CI=true`, which promises it.
#[test]
fn corpus_http_is_the_shared_captures_unchanged() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/asterisk");
    if !shared.is_dir() {
        use std::io::Write as _;
        let what = format!("corpus/http against {}: not found", shared.display());
        let _ = writeln!(std::io::stderr(), "NOT CHECKED: {what}");
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "CI=true promises this check: {what}");
        return;
    }
    let files = |root: &Path| -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let name = path.strip_prefix(root).unwrap().display().to_string();
                    out.insert(name, fs::read(&path).unwrap());
                }
            }
        }
        out
    };
    let mut versions = 0;
    for version in fs::read_dir(&shared).unwrap() {
        let version = version.unwrap().path();
        let http = version.join("http");
        if !http.is_dir() {
            continue;
        }
        let name = version.file_name().unwrap().to_str().unwrap().to_string();
        let theirs = files(&http);
        let ours = files(&support::corpus().join(&name));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{name}: the same files"
        );
        for (file, bytes) in &theirs {
            assert!(
                ours[file] == *bytes,
                "{name}/{file} differs from the shared copy"
            );
        }
        versions += 1;
    }
    assert_eq!(versions, 2, "13.38.3 and 23.4.1");
}
