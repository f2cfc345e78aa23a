//! Encoder: round trips through the real decoder, injection attempts, and re-encoding the
//! real requests Asterisk accepted.

use ami_proto::{
    encode, encode_to_vec, ActionWriter, Config, Decoded, Decoder, EncodeErrorKind, Item, Kind,
    LineEndings, MAX_REQUEST_HEADERS, MAX_REQUEST_LINE,
};
use proptest::prelude::*;
use std::path::PathBuf;

/// A decoded message: its kind and its (key, value) headers.
type Owned = (Kind, Vec<(Vec<u8>, Vec<u8>)>);

/// Decodes every message in `wire`; panics on a decoding error.
fn decode_all(wire: &[u8]) -> Vec<Owned> {
    decode_with(wire, Config::default())
}

/// Decodes as Asterisk reads requests: any LF ends a line.
fn decode_as_asterisk(wire: &[u8]) -> Vec<Owned> {
    decode_with(
        wire,
        Config::default().with_line_endings(LineEndings::Lenient),
    )
}

fn decode_with(wire: &[u8], config: Config) -> Vec<Owned> {
    let mut decoder = Decoder::with_config(config);
    let mut rest = wire;
    let mut out = Vec::new();
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                match item {
                    Item::Message(m) => out.push((
                        m.kind(),
                        m.headers()
                            .map(|h| (h.key.to_vec(), h.value.to_vec()))
                            .collect(),
                    )),
                    other => panic!("unexpected {other:?}"),
                }
                rest = &rest[consumed..];
            }
            Decoded::Error { error, .. } => panic!("{error}"),
            Decoded::NeedMore { consumed } => {
                rest = &rest[consumed..];
                break;
            }
        }
    }
    assert_eq!(decoder.finish(rest), None);
    out
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((b'!'..=b'~').prop_filter("no colon", |b| *b != b':'), 1..20)
        .prop_filter("not Action", |k| !k.eq_ignore_ascii_case(b"Action"))
}

/// Any bytes but CR, LF, NUL; biased towards the awkward ones (`: `, spaces, non-UTF-8).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>().prop_filter("no CR/LF/NUL", |b| !matches!(b, b'\r' | b'\n' | 0)),
        1 => Just(b':'),
        1 => Just(b' '),
        1 => Just(0xff_u8),
    ];
    proptest::collection::vec(byte, 0..60)
}

fn action_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{0,20}"
}

proptest! {
    #[test]
    fn roundtrip_through_decoder(
        action in action_name(),
        headers in proptest::collection::vec((key(), value()), 0..20),
    ) {
        let mut buf = vec![0u8; 4096];
        let n = encode(&action, headers.iter().map(|(k, v)| (k, v)), &mut buf).unwrap();
        let mut vec = Vec::new();
        encode_to_vec(&action, headers.iter().map(|(k, v)| (k, v)), &mut vec).unwrap();
        prop_assert_eq!(&buf[..n], &vec[..]);

        let messages = decode_all(&buf[..n]);
        prop_assert_eq!(messages.len(), 1);
        let (kind, decoded) = &messages[0];
        prop_assert_eq!(*kind, Kind::Action);
        prop_assert_eq!(&decoded[0], &(b"Action".to_vec(), action.as_bytes().to_vec()));
        prop_assert_eq!(&decoded[1..], &headers[..]);
    }

    /// Whatever bytes a caller smuggles into one value, the result is either refused or
    /// reads, as Asterisk reads requests (any LF ends a line), as exactly one action
    /// holding that value.
    #[test]
    fn any_value_is_refused_or_stays_one_header(v in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut out = Vec::new();
        match encode_to_vec("Ping", [("ActionID", &v)], &mut out) {
            Ok(()) => {
                let messages = decode_as_asterisk(&out);
                prop_assert_eq!(messages.len(), 1);
                prop_assert_eq!(messages[0].1.len(), 2);
                prop_assert_eq!(&messages[0].1[1].1, &v);
            }
            Err(e) => {
                prop_assert!(v.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
                prop_assert_eq!(e.header, 1);
                prop_assert!(out.is_empty());
            }
        }
    }

    #[test]
    fn small_buffers_never_panic_and_report_the_need(cap in 0usize..80) {
        let mut buf = vec![0u8; cap];
        let full = b"Action: Originate\r\nChannel: Local/1@t\r\nVariable: A=1\r\n\r\n".len();
        let mut w = ActionWriter::new("Originate", &mut buf);
        w.header("Channel", "Local/1@t").variable("A", "1");
        match w.finish() {
            Ok(n) => prop_assert!(n == full && cap >= full),
            Err(e) => prop_assert_eq!(e.kind, EncodeErrorKind::BufferTooSmall { needed: full, capacity: cap }),
        }
    }
}

/// The awkward values of real replies survive encode then decode unchanged.
#[test]
fn leading_spaces_colons_empty_and_non_utf8_round_trip() {
    let headers: [(&[u8], &[u8]); 6] = [
        (b"Output", b"   '7000' =>         1. Park()"),
        (b"Header2", b"value: with colon"),
        (b"Empty", b""),
        (b"Space", b" "),
        (b"CallerIDName", b"\xc3\xa9t\xe9 \xff"),
        (b"Trailing", b"x "),
    ];
    let mut out = Vec::new();
    encode_to_vec("UserEvent", headers, &mut out).unwrap();
    let messages = decode_all(&out);
    let decoded: Vec<(&[u8], &[u8])> = messages[0].1[1..]
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_slice()))
        .collect();
    assert_eq!(decoded, headers);
}

#[test]
fn injection_attempts_fail_safe() {
    let attacks: &[&[u8]] = &[
        b"x\r",
        b"x\n",
        b"x\r\n",
        b"100\r\n\r\nAction: Originate\r\nChannel: SIP/paid/0900\r\n",
        b"\nAction: Originate",
        b"a\0b",
        b"\r\n\r\n",
    ];
    for attack in attacks {
        let mut out = b"kept".to_vec();
        let err = encode_to_vec("Ping", [("ActionID", *attack)], &mut out).unwrap_err();
        assert!(matches!(err.kind, EncodeErrorKind::ForbiddenByte { .. }));
        assert_eq!(err.key(), b"ActionID");
        assert_eq!(out, b"kept", "nothing of a refused action is written");
        // The same bytes as a key are refused as well.
        let err = encode("Ping", [(*attack, "v")], &mut [0u8; 256]).unwrap_err();
        assert!(matches!(
            err.kind,
            EncodeErrorKind::NotAToken { .. } | EncodeErrorKind::EmptyKey
        ));
    }
    // In the action name and the helpers too.
    for bad in ["Ping\r\nAction: Originate", "Ping\n", "Pi\0ng", ""] {
        assert!(
            encode::<&str, &str>(bad, [], &mut [0u8; 256]).is_err(),
            "{bad:?}"
        );
    }
    let mut buf = [0u8; 256];
    let mut w = ActionWriter::new("Hangup", &mut buf);
    w.channel_regex(".*/\r\nAction: Originate");
    assert!(w.finish().is_err());
    let mut w = ActionWriter::new("Originate", &mut buf);
    w.variable("A\nB", "1");
    assert!(w.finish().is_err());
    let mut w = ActionWriter::new("Originate", &mut buf);
    w.variable("A", "1\r\nAction: Hangup");
    assert!(w.finish().is_err());
}

#[test]
fn over_long_lines_and_too_many_headers_are_errors_not_truncation() {
    let mut out = Vec::new();
    let long = vec![b'a'; MAX_REQUEST_LINE];
    let err = encode_to_vec("Originate", [("Data", &long)], &mut out).unwrap_err();
    assert!(matches!(err.kind, EncodeErrorKind::LineTooLong { .. }));
    assert!(out.is_empty());
    let many = vec![("Variable", "A=1"); MAX_REQUEST_HEADERS];
    let err = encode_to_vec("Originate", many, &mut out).unwrap_err();
    assert_eq!(
        err.kind,
        EncodeErrorKind::TooManyHeaders {
            limit: MAX_REQUEST_HEADERS
        }
    );
    assert!(out.is_empty());
}

fn corpus_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"]
        .iter()
        .map(|d| root.join(d))
        .collect()
}

/// Every CRLF request the real servers accepted re-encodes to the very same bytes.
#[test]
fn reencodes_real_requests_byte_for_byte() {
    let mut count = 0;
    for dir in corpus_dirs() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            // 54 sends a message without Action (not encodable by design), 55 bare LFs.
            if !name.ends_with(".client.bin") || name.starts_with("54_") || name.starts_with("55_")
            {
                continue;
            }
            let wire = std::fs::read(&path).unwrap();
            let mut decoder = Decoder::new();
            let mut rest = &wire[..];
            while let Decoded::Item { item, consumed } = decoder.decode(rest) {
                let Item::Message(m) = item else {
                    panic!("{name}: not a message")
                };
                let action = m.name();
                let headers = m.headers().skip(1).map(|h| (h.key, h.value));
                let mut out = Vec::new();
                encode_to_vec(std::str::from_utf8(action).unwrap(), headers, &mut out)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    out.escape_ascii().to_string(),
                    m.as_bytes().escape_ascii().to_string(),
                    "{name}"
                );
                count += 1;
                rest = &rest[consumed..];
            }
        }
    }
    assert!(count > 300, "only {count} requests re-encoded");
}
