//! The same request's rawman, mxml and manager replies read the same through the one
//! accessor set (`kind`, `get`, `get_all`, `action_id`, `command_output`, list markers),
//! except where an encoding cannot carry something; those places are asserted here as
//! what they are.

mod support;

use ami_http::{render::render, Encoding};
use ami_proto::{ListMarker, Message, OwnedMessage};
use support::{decode_ok, exchanges, mangle, mask, trim, Exchange};

/// The three replies of one request name in one set and version.
fn triples() -> Vec<[(Exchange, Vec<OwnedMessage>); 3]> {
    let all = exchanges();
    let mut out = Vec::new();
    for rawman in all
        .iter()
        .filter(|e| e.encoding() == Encoding::Rawman && e.status == 200)
    {
        let find = |encoding: Encoding| {
            let e = all
                .iter()
                .find(|e| {
                    e.version == rawman.version
                        && e.name == rawman.name
                        && e.digest() == rawman.digest()
                        && e.encoding() == encoding
                })
                .unwrap()
                .clone();
            let messages = decode_ok(encoding, &e.body, &e.id());
            (e, messages)
        };
        out.push([
            find(Encoding::Rawman),
            find(Encoding::Mxml),
            find(Encoding::Manager),
        ]);
    }
    out
}

/// What a user reads from a message, with run-dependent digits masked: kind, each
/// header through `get_all` by the rawman key (`None` when the key cannot be asked for by
/// that name), action id, list marker, Command output.
fn reading(m: &Message<'_>, keys: &[Vec<u8>]) -> Vec<String> {
    let text = |v: &[u8]| mask(trim(v)).escape_ascii().to_string();
    let mut out = vec![format!("{:?}", m.kind())];
    for key in keys {
        let key = std::str::from_utf8(key).unwrap();
        let values: Vec<String> = m.get_all(key).map(text).collect();
        out.push(format!(
            "{}={values:?}",
            mask(key.as_bytes()).escape_ascii()
        ));
    }
    out.push(format!("id={:?}", m.action_id().map(text)));
    out.push(format!("list={:?}", ListMarker::of(m)));
    let output: Vec<String> = m.command_output().map(text).collect();
    out.push(format!("output={output:?}"));
    out
}

/// Readings of every message of a reply, the events after the first sorted (another run
/// may give them in another order).
fn readings(messages: &[OwnedMessage], keys: &[Vec<Vec<u8>>]) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = Vec::new();
    for m in messages {
        // Ask for the keys of the rawman message with the same reading of its first line.
        let first = mask(m.message().header_at(0).value);
        let keys = keys
            .iter()
            .find(|k| mask(&k[0]) == first)
            .map(|k| k[1..].to_vec())
            .unwrap_or_default();
        all.push(reading(&m.message(), &keys));
    }
    all[1..].sort();
    all
}

/// The keys a user would ask for: those of the rawman message that keep their name in all
/// three encodings (letters and digits only). Each entry starts with the message's first
/// value, to pair messages across encodings.
fn askable_keys(rawman: &[OwnedMessage]) -> Vec<Vec<Vec<u8>>> {
    rawman
        .iter()
        .map(|m| {
            let m = m.message();
            let mut keys = vec![m.header_at(0).value.to_vec()];
            for h in m.headers() {
                if h.key.iter().all(u8::is_ascii_alphanumeric)
                    && !keys[1..].contains(&h.key.to_vec())
                {
                    keys.push(h.key.to_vec());
                }
            }
            keys
        })
        .collect()
}

#[test]
fn the_three_encodings_read_the_same() {
    let mut compared = 0;
    let mut where_mxml_cannot = 0;
    for [(raw_e, raw), (xml_e, xml), (html_e, html)] in triples() {
        let keys = askable_keys(&raw);
        let r = readings(&raw, &keys);
        let x = readings(&xml, &keys);
        let h = readings(&html, &keys);
        assert_eq!(h, r, "{} vs {}", html_e.id(), raw_e.id());
        if x != r {
            // mxml cannot carry a legacy Command output line that holds a colon and comes
            // before the first line without one: it arrives as a field with a made-up key.
            let body = raw[0]
                .message()
                .command_body()
                .unwrap_or_else(|| panic!("{}: {x:?} vs {r:?}", xml_e.id()));
            let first_line = body.split(|&b| b == b'\n').next().unwrap();
            let colon = first_line.iter().position(|&b| b == b':').unwrap();
            let made_up = mangle(&first_line[..colon]);
            let m = xml[0].message();
            let made_up_key = std::str::from_utf8(&made_up).unwrap();
            assert_eq!(
                m.get(made_up_key),
                Some(&first_line[colon + 1..]),
                "{}",
                xml_e.id()
            );
            let xml_output: Vec<&[u8]> = m.command_output().collect();
            let raw_output: Vec<&[u8]> = raw[0].message().command_output().collect();
            assert_eq!(xml_output, &raw_output[1..], "{}", xml_e.id());
            // The manager page keeps the key as written, so it goes back into the output.
            let html_output: Vec<&[u8]> = html[0].message().command_output().collect();
            assert_eq!(html_output, raw_output, "{}", html_e.id());
            where_mxml_cannot += 1;
        }
        compared += 1;
    }
    assert_eq!(compared, 2 * (18 + 5));
    // 13.38.3's `core show version`, through the cookie and the digest paths.
    assert_eq!(where_mxml_cannot, 2);
}

/// Key case and bytes: the page keeps every key as rawman has it; mxml lower-cases them and
/// replaces what is not a letter or digit, so a key such as OriginateResponse's
/// `ChanVariable(Local/600@test-00000044;1)` cannot be asked for by its name there.
#[test]
fn keys_as_each_encoding_carries_them() {
    let (mut kept, mut lost) = (0, 0);
    for [(_, raw), (xml_e, xml), (html_e, html)] in triples() {
        // Legacy Command replies are compared in the_three_encodings_read_the_same.
        let sorted = |ms: &[OwnedMessage], f: &dyn Fn(&[u8]) -> Vec<u8>| {
            let mut keys: Vec<Vec<Vec<u8>>> = ms
                .iter()
                .filter(|m| !m.message().is_follows())
                .map(|m| m.message().headers().map(|h| mask(&f(h.key))).collect())
                .collect();
            keys.sort();
            keys
        };
        let same = |k: &[u8]| k.to_vec();
        assert_eq!(sorted(&html, &same), sorted(&raw, &same), "{}", html_e.id());
        assert_eq!(
            sorted(&xml, &same),
            sorted(&raw, &|k| mangle(k)),
            "{}",
            xml_e.id()
        );
        for m in &raw {
            for h in m.message().headers() {
                let name = std::str::from_utf8(h.key).unwrap();
                let in_xml = xml.iter().any(|x| x.message().get(name).is_some());
                if h.key.iter().all(u8::is_ascii_alphanumeric) {
                    assert!(in_xml, "{}: {name}", xml_e.id());
                    kept += 1;
                } else {
                    assert!(!in_xml, "{}: {name}", xml_e.id());
                    lost += 1;
                }
            }
        }
    }
    println!("{kept} rawman headers readable by name in mxml, {lost} not");
    assert!(lost > 0 && kept > lost);
}

/// Blanks around values: Asterisk cuts them in mxml and the page (23.4.1's `dialplan
/// show` output lines start with spaces; the real TCP capture through `render`).
#[test]
fn leading_blanks_of_output_lines_are_lost_outside_rawman() {
    let capture = std::fs::read(
        support::corpus().join("../asterisk-23.4.1/12_command_dialplan_show.server.bin"),
    )
    .unwrap();
    let mut decoder = ami_proto::Decoder::new();
    let mut rest = &capture[..];
    let mut checked = 0;
    while let ami_proto::Decoded::Item { item, consumed } = decoder.decode(rest) {
        if let ami_proto::Item::Message(m) = item {
            let output: Vec<&[u8]> = m.command_output().collect();
            if output.iter().any(|l| l.starts_with(b" ")) {
                for encoding in [Encoding::Mxml, Encoding::Manager] {
                    let body = render(encoding, m.as_bytes());
                    let again = decode_ok(encoding, &body, "dialplan show");
                    let lines: Vec<&[u8]> = again[0].message().command_output().collect();
                    let trimmed: Vec<&[u8]> = output.iter().map(|l| trim(l)).collect();
                    assert_eq!(lines, trimmed);
                    assert_ne!(lines, output);
                }
                checked += 1;
            }
        }
        rest = &rest[consumed..];
    }
    assert!(checked > 0);
}
