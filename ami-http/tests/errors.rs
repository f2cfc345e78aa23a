//! Malformed and unusual bodies, made from real ones: a typed error with its offset, then
//! the next section decodes; limits hold for every encoding; rawman's own cases (a text
//! block, a cut-off body, bare-LF line endings).

mod support;

use std::fs;

use ami_http::{decode, decode_with, messages, DecodeErrorKind, Encoding};
use ami_proto::{Config, Decoded, Decoder, ErrorKind, Item, Limits, LineEndings, OwnedItem};
use support::{corpus, decode_ok, Plain};

fn body(path: &str) -> Vec<u8> {
    fs::read(corpus().join(path)).unwrap()
}

/// Replaces the first `from` in `body` by `to`; returns the new body and the offset.
fn replace(body: &[u8], from: &[u8], to: &[u8]) -> (Vec<u8>, usize) {
    let at = body.windows(from.len()).position(|w| w == from).unwrap();
    ([&body[..at], to, &body[at + from.len()..]].concat(), at)
}

/// Encoding, body, text replaced, its replacement, the error expected.
type Fault = (
    Encoding,
    &'static str,
    &'static [u8],
    &'static [u8],
    DecodeErrorKind,
);

/// A fault in the first section: one error at the fault, then the other sections as
/// without it.
#[test]
fn a_bad_section_costs_only_itself() {
    let cases: [Fault; 6] = [
        (
            Encoding::Mxml,
            "23.4.1/mxml/08_coreshowchannels_up.body",
            b"Channels will follow",
            b"a &bogus; b",
            DecodeErrorKind::BadReference,
        ),
        (
            Encoding::Mxml,
            "23.4.1/mxml/08_coreshowchannels_up.body",
            b"message=",
            b"message",
            DecodeErrorKind::Expected("`=`"),
        ),
        (
            Encoding::Mxml,
            "13.38.3/mxml/15_dbget.body",
            b"' /></response>",
            b"' ></response>",
            DecodeErrorKind::Expected("`/>`"),
        ),
        (
            Encoding::Manager,
            "23.4.1/manager/08_coreshowchannels_up.body",
            b"Channels will follow",
            b"<b>x</b>",
            DecodeErrorKind::Expected("text or `<br>`"),
        ),
        (
            Encoding::Manager,
            "13.38.3/manager/15_dbget.body",
            b"<td>start</td>",
            b"<td>start</td><td>extra</td>",
            DecodeErrorKind::Expected("a row of two cells or an `<hr>` row"),
        ),
        (
            Encoding::Rawman,
            "23.4.1/rawman/08_coreshowchannels_up.body",
            b"EventList: start\r\n",
            b"EventList start\r\n",
            DecodeErrorKind::Ami(ErrorKind::NotAHeader),
        ),
    ];
    for (encoding, path, from, to, kind) in cases {
        let good = decode_ok(encoding, &body(path), path);
        let (bad, at) = replace(&body(path), from, to);
        let items: Vec<_> = decode(encoding, &bad).collect();
        let error = items[0].as_ref().unwrap_err();
        assert_eq!(error.kind, kind, "{path}");
        // At the fault, or at the start of its row or line.
        let near = error.offset <= at + to.len() && at < error.offset + 64;
        assert!(
            error.message_offset <= at && near,
            "{path}: {error:?} at {at}"
        );
        let rest: Vec<Plain> = items[1..]
            .iter()
            .map(|i| match i {
                Ok(OwnedItem::Message(m)) => Plain::of(m),
                other => panic!("{path}: {other:?}"),
            })
            .collect();
        let want: Vec<Plain> = good[1..].iter().map(Plain::of).collect();
        assert_eq!(rest, want, "{path}");
    }
}

#[test]
fn cut_off_bodies() {
    for (encoding, path) in [
        (Encoding::Rawman, "23.4.1/rawman/09_waitevent.body"),
        (Encoding::Mxml, "23.4.1/mxml/09_waitevent.body"),
        (Encoding::Manager, "23.4.1/manager/09_waitevent.body"),
    ] {
        let whole = body(path);
        let all = decode_ok(encoding, &whole, path);
        let cut = &whole[..whole.len() / 2];
        let items: Vec<_> = decode(encoding, cut).collect();
        let (last, complete) = items.split_last().unwrap();
        let error = last.as_ref().unwrap_err();
        assert!(error.offset <= cut.len(), "{path}: {error:?}");
        assert!(
            matches!(
                error.kind,
                DecodeErrorKind::UnexpectedEnd | DecodeErrorKind::Ami(ErrorKind::UnexpectedEof)
            ),
            "{path}: {error:?}"
        );
        // Every section before the cut is there and whole.
        assert!(complete.len() > 3 && complete.len() < all.len(), "{path}");
        for (item, want) in complete.iter().zip(&all) {
            let Ok(OwnedItem::Message(m)) = item else {
                panic!("{path}: {item:?}")
            };
            assert_eq!(Plain::of(m), Plain::of(want), "{path}");
        }
        assert!(messages(encoding, cut).is_err());
    }
}

#[test]
fn limits_apply_to_every_encoding() {
    let limits = Limits::DEFAULT
        .with_max_line(64)
        .with_max_message(4096)
        .with_max_headers(8);
    let config = Config::default().with_limits(limits);
    for (encoding, kind) in [
        (Encoding::Rawman, "rawman"),
        (Encoding::Mxml, "mxml"),
        (Encoding::Manager, "manager"),
    ] {
        let path = format!("23.4.1/{kind}/08_coreshowchannels_up.body");
        let items: Vec<_> = decode_with(encoding, &body(&path), config).collect();
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match i {
                Ok(_) => "message".to_string(),
                Err(e) => format!("{:?}", e.kind),
            })
            .collect();
        // The reply (4 headers) and the Complete event (4) fit; each channel (21 headers)
        // does not.
        assert_eq!(
            kinds,
            [
                "message",
                "TooManyHeaders { limit: 8 }",
                "TooManyHeaders { limit: 8 }",
                "message"
            ],
            "{path}"
        );
        let long = Config::default().with_limits(Limits::DEFAULT.with_max_line(24));
        let error = decode_with(encoding, &body(&path), long)
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            error.kind,
            DecodeErrorKind::LineTooLong { limit: 24 },
            "{path}"
        );
        let small = Config::default().with_limits(Limits::DEFAULT.with_max_message(400));
        let error = decode_with(encoding, &body(&path), small)
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            error.kind,
            DecodeErrorKind::MessageTooLarge { limit: 400 },
            "{path}"
        );
    }
}

/// Asterisk 13's `Queues` reply is CLI text without headers; in a rawman body (which
/// starts with no banner) it is a text block, as on TCP.
#[test]
fn a_text_block_in_rawman() {
    let capture = fs::read(corpus().join("../asterisk-13.38.3/30_queue.server.bin")).unwrap();
    let mut decoder = Decoder::new();
    let mut rest = &capture[..];
    let text = loop {
        match decoder.decode(rest) {
            Decoded::Item {
                item: Item::Text(t),
                ..
            } => break t.to_vec(),
            Decoded::Item { consumed, .. } | Decoded::Error { consumed, .. } => {
                rest = &rest[consumed..]
            }
            Decoded::NeedMore { .. } => panic!("no text block"),
        }
    };
    let reply = [&text[..], b"\r\n"].concat();
    let items: Vec<_> = decode(Encoding::Rawman, &reply)
        .map(Result::unwrap)
        .collect();
    assert_eq!(items, [OwnedItem::Text(text.clone().into())]);
    let error = messages(Encoding::Rawman, &reply).unwrap_err();
    assert_eq!(
        (error.kind, error.offset),
        (DecodeErrorKind::Expected("a message"), reply.len())
    );
}

/// A rawman body whose CRLFs became LFs on the way reads as the same messages with
/// `LineEndings::Lenient` (and not without it).
#[test]
fn bare_lf_rawman() {
    let path = "23.4.1/rawman/05_command_help_manager.body";
    let crlf = body(path);
    let lf: Vec<u8> = String::from_utf8(crlf.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    let lenient = Config::default().with_line_endings(LineEndings::Lenient);
    let want: Vec<Plain> = decode_ok(Encoding::Rawman, &crlf, path)
        .iter()
        .map(Plain::of)
        .collect();
    let got: Vec<Plain> = decode_with(Encoding::Rawman, &lf, lenient)
        .map(|i| match i.unwrap() {
            OwnedItem::Message(m) => Plain::of(&m),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, want);
    assert!(decode(Encoding::Rawman, &lf).any(|i| i.is_err()));
}
