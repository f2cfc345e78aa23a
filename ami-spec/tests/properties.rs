//! Properties over generated input: typing never loses a header, whatever the keys' case,
//! repeats and unknown keys; every header is read by exactly one of an accessor, a numbered
//! family or the extras; the JSON form keeps every header; value enums read any case.

use ami_proto::{Decoded, Decoder, Item, Message};
use ami_spec::values::{ChannelStateDesc, DialEndDialStatus};
use ami_spec::{Event, OwnedEvent, EVENTS};
use proptest::prelude::*;

const NAMES: [&str; 5] = [
    "RTCPSent",
    "Newstate",
    "DialEnd",
    "UserEvent",
    "NoSuchEvent",
];

/// Keys of a few typed events (with a numbered family), plus keys no spec has.
fn key() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = NAMES[..4]
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
    (proptest::sample::select(known), any::<u64>()).prop_map(|(k, case)| flip_case(&k, case))
}

/// Flips the case of the letters whose bit in `case` is set.
fn flip_case(text: &str, case: u64) -> String {
    text.chars()
        .enumerate()
        .map(
            |(i, c)| match (case >> (i % 64) & 1, c.is_ascii_uppercase()) {
                (1, true) => c.to_ascii_lowercase(),
                (1, false) => c.to_ascii_uppercase(),
                _ => c,
            },
        )
        .collect()
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no line breaks", |b| *b != b'\r' && *b != b'\n'),
        0..12,
    )
    .prop_filter("no leading space", |v| v.first() != Some(&b' '))
}

fn decode<'a>(decoder: &'a mut Decoder, wire: &'a [u8]) -> Message<'a> {
    let Decoded::Item {
        item: Item::Message(message),
        ..
    } = decoder.decode(wire)
    else {
        panic!("did not decode {:?}", String::from_utf8_lossy(wire));
    };
    message
}

proptest! {
    #[test]
    fn every_header_is_read_exactly_once(
        name in proptest::sample::select(NAMES.to_vec()),
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
        let message = decode(&mut decoder, &wire);
        let event = Event::from_message(&message);
        prop_assert_eq!(event.is_typed(), name != "NoSuchEvent");
        prop_assert_eq!(event.as_message().as_bytes(), message.as_bytes());
        let layout = event.layout();
        // Documented keys present (each read once, by its accessor), family members, extras.
        let keys = layout.keys.iter().filter(|k| message.get(k).is_some()).count();
        let family = layout
            .families
            .iter()
            .map(|f| ami_spec::typed::Group::new(message, f).iter().count())
            .sum::<usize>();
        let extra = event.extra().iter().count();
        prop_assert_eq!(1 + keys + family + extra, message.len());
        // JSON keeps every header (documented ones in the documented case).
        let json = serde_json::to_string(&event).unwrap();
        let back: OwnedEvent = serde_json::from_str(&json).unwrap();
        // Values that are not UTF-8 come back with U+FFFD, as the JSON holds them.
        let lossy = |m: &Message<'_>| {
            let mut all: Vec<(Vec<u8>, String)> = m
                .headers()
                .map(|h| (h.key.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
                .collect();
            all.sort();
            all
        };
        prop_assert_eq!(lossy(&back.message()), lossy(&message));
    }

    #[test]
    fn value_enums_read_any_case(pick in 0..ChannelStateDesc::KNOWN.len(), case in any::<u64>()) {
        let documented = ChannelStateDesc::KNOWN[pick];
        let text = flip_case(documented, case);
        let value = ChannelStateDesc::parse(&text);
        prop_assert!(!matches!(value, ChannelStateDesc::Unrecognized(_)));
        prop_assert_eq!(value.as_str(), documented);
        prop_assert_eq!(value.to_string(), documented);
        prop_assert_eq!(ChannelStateDesc::parse(value.as_str()), value.clone().into_owned());
    }
}

#[test]
fn unknown_values_are_kept_and_owned() {
    let value = DialEndDialStatus::parse("SOMETHING_NEW");
    assert_eq!(value.as_str(), "SOMETHING_NEW");
    let owned: DialEndDialStatus<'static> = value.into_owned();
    assert!(matches!(owned, DialEndDialStatus::Unrecognized(ref t) if t == "SOMETHING_NEW"));
    assert_eq!(DialEndDialStatus::from("answer"), DialEndDialStatus::Answer);
}
