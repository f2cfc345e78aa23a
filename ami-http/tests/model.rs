//! Every message of the TCP captures (`corpus/asterisk-*/*.server.bin`: events, lists,
//! Command replies of both kinds, UTF-8 caller names, `ChanVariable(...)` keys) turned
//! into mxml and the manager page the way Asterisk does it (`render`, checked against
//! the recorded replies in `corpus.rs`) and read back: the messages come back as the
//! documented losses say (`support::expected`).

mod support;

use std::fs;

use ami_http::{decode, render::render, Encoding};
use ami_proto::{Decoded, Decoder, Item, OwnedItem, OwnedMessage};
use support::{expected, Plain};

#[test]
fn tcp_messages_through_the_translation_and_back() {
    let root = support::corpus().join("..");
    let (mut modelled, mut other, mut follows) = (0, 0, 0);
    let mut captures: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|d| {
            d.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("asterisk-")
        })
        .flat_map(|d| fs::read_dir(d).unwrap().map(|f| f.unwrap().path()))
        .filter(|f| f.to_string_lossy().ends_with(".server.bin"))
        .collect();
    captures.sort();
    assert!(captures.len() > 60);
    for path in &captures {
        let bytes = fs::read(path).unwrap();
        let mut decoder = Decoder::new();
        let mut rest = &bytes[..];
        loop {
            let (message, consumed) = match decoder.decode(rest) {
                Decoded::Item {
                    item: Item::Message(m),
                    consumed,
                } => (Some(OwnedMessage::new(&m)), consumed),
                Decoded::Item { consumed, .. } | Decoded::Error { consumed, .. } => {
                    (None, consumed)
                }
                Decoded::NeedMore { .. } => break,
            };
            rest = &rest[consumed..];
            let Some(message) = message else { continue };
            let plain = Plain::of(&message);
            follows += usize::from(plain.body.is_some());
            for encoding in [Encoding::Mxml, Encoding::Manager] {
                let body = render(encoding, message.as_bytes());
                let items: Vec<_> = decode(encoding, &body).collect();
                let Some(want) = expected(&plain, encoding) else {
                    // A LF inside a value, or blank lines in a Command body: Asterisk
                    // splits the message; the pieces must still read without loss of a
                    // section.
                    assert!(!items.is_empty(), "{}", path.display());
                    other += 1;
                    continue;
                };
                let got: Vec<Plain> = items
                    .into_iter()
                    .map(|item| match item {
                        Ok(OwnedItem::Message(m)) => Plain::of(&m),
                        other => panic!("{}: {other:?}\n{}", path.display(), body.escape_ascii()),
                    })
                    .collect();
                assert_eq!(got.len(), 1, "{}: {}", path.display(), body.escape_ascii());
                assert_eq!(got[0].render(), want.render(), "{}", path.display());
                modelled += 1;
            }
        }
    }
    println!(
        "{} captures: {modelled} message translations read back as documented, {other} outside the model, {follows} legacy Command replies",
        captures.len()
    );
    assert!(follows > 10);
    assert!(other * 100 < modelled, "{other} of {modelled}");
}

/// Asterisk 13's Command replies whose output has blank lines, from the real TCP
/// captures: LF LF is one line break to Asterisk's translation, so a single blank line
/// in the output disappears; a blank line right after the headers (CRLF LF) ends the
/// section, and the output arrives as a second message without a `Response`, ending
/// with the `--END COMMAND--` marker as opaque data.
#[test]
fn blank_lines_in_legacy_command_output() {
    let root = support::corpus().join("../asterisk-13.38.3");
    let (mut vanished, mut split) = (0, 0);
    for name in ["12_command_dialplan_show", "15_command_manager_show"] {
        let bytes = fs::read(root.join(format!("{name}.server.bin"))).unwrap();
        let mut decoder = Decoder::new();
        let mut rest = &bytes[..];
        while let Decoded::Item { item, consumed } = decoder.decode(rest) {
            rest = &rest[consumed..];
            let Item::Message(m) = item else { continue };
            let Some(body) = m.command_body() else {
                continue;
            };
            if !body.starts_with(b"\n") && !body.windows(2).any(|w| w == b"\n\n") {
                continue;
            }
            let lines: Vec<&[u8]> = body
                .split(|&b| b == b'\n')
                .map(support::trim_end)
                .filter(|l| !l.is_empty())
                .collect();
            for encoding in [Encoding::Mxml, Encoding::Manager] {
                let messages: Vec<OwnedMessage> =
                    support::decode_ok(encoding, &render(encoding, m.as_bytes()), name);
                let reply = messages[0].message();
                assert!(reply.is_follows() && !reply.is_truncated());
                if body.starts_with(b"\n") {
                    assert_eq!(reply.command_output().count(), 0);
                    assert_eq!(messages.len(), 2);
                    let rest = messages[1].message();
                    assert_eq!(rest.kind(), ami_proto::Kind::Other);
                    // Each output line is a field of the second message: those before the
                    // first line without a colon by their own key, the others, and the
                    // `--END COMMAND--` marker, as opaque data, one header a line.
                    assert_eq!(rest.len(), lines.len() + 1);
                    let opaque = rest
                        .headers()
                        .filter(|h| h.is("opaque_data") || h.is("Opaque-data"))
                        .count();
                    let first_plain = lines.iter().position(|l| !l.contains(&b':')).unwrap();
                    assert_eq!(opaque, lines.len() - first_plain + 1);
                    assert_eq!(rest.header_at(rest.len() - 1).value, b"--END COMMAND--");
                    split += 1;
                } else {
                    assert_eq!(messages.len(), 1);
                    let output: Vec<&[u8]> = reply.command_output().collect();
                    // Output lines before the first one without a colon became fields.
                    let fields = reply.len() - m.len();
                    assert_eq!(output.len() + fields, lines.len(), "{name}");
                    assert_eq!(&output[..], &lines[fields..]);
                    vanished += 1;
                }
            }
        }
    }
    assert_eq!((vanished, split), (4, 2));
}
