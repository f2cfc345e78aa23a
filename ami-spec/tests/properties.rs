//! Properties over generated input: typing never loses or reorders a header, whatever the
//! keys' case, repeats and unknown keys; the dump parser never panics.

use ami_proto::{Decoded, Decoder, Item};
use ami_spec::dump::parse_doc;
use ami_spec::typed::SlotValues;
use ami_spec::{Event, EVENTS};
use proptest::prelude::*;

/// Keys of a few typed events (with a numbered family), plus keys no spec has.
fn key() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = ["RTCPSent", "Newstate", "DialEnd", "UserEvent"]
        .iter()
        .flat_map(|name| EVENTS.iter().find(|e| e.name == *name).unwrap().fields)
        .map(|f| f.key.replace("ReportX", "Report0"))
        .collect();
    known.extend(
        [
            "Report1LSR",
            "Report12SourceSSRC",
            "ChanVariable",
            "Privilege",
            "X-Custom",
        ]
        .map(String::from),
    );
    (proptest::sample::select(known), any::<u64>()).prop_map(|(k, case)| {
        // Flip the case of some letters: keys match ignoring ASCII case.
        k.chars()
            .enumerate()
            .map(|(i, c)| {
                if case >> (i % 64) & 1 == 1 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no line breaks", |b| *b != b'\r' && *b != b'\n'),
        0..12,
    )
    .prop_filter("no leading space", |v| v.first() != Some(&b' '))
}

proptest! {
    #[test]
    fn typed_headers_are_the_message_headers(
        name in proptest::sample::select(vec!["RTCPSent", "Newstate", "DialEnd", "UserEvent", "NoSuchEvent"]),
        headers in proptest::collection::vec((key(), value()), 0..30),
    ) {
        let mut wire = format!("Event: {name}\r\n").into_bytes();
        for (k, v) in &headers {
            wire.extend_from_slice(k.as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(v);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"\r\n");
        let mut decoder = Decoder::new();
        let Decoded::Item { item: Item::Message(message), .. } = decoder.decode(&wire) else {
            panic!("did not decode {:?}", String::from_utf8_lossy(&wire));
        };
        let event = Event::from_message(&message);
        prop_assert_eq!(event.is_typed(), name != "NoSuchEvent");
        let typed: Vec<(&[u8], &[u8])> = event.headers().collect();
        let raw: Vec<(&[u8], &[u8])> = message.headers().map(|h| (h.key, h.value)).collect();
        prop_assert_eq!(typed, raw);
        if let Event::RtcpSent(e) = event {
            // Every header is in exactly one place: a field, the report group, or extra.
            let fields = (0..64).filter(|&k| e.slot_value(k).is_some()).count();
            let total = 1 + fields + e.report.iter().count() + e.extra.iter().count();
            prop_assert_eq!(total, message.len());
        }
    }

    #[test]
    fn dump_parser_never_panics(text in "[\\[\\]A-Za-z:<> \\n-]{0,200}") {
        let _ = parse_doc(&text);
    }
}
