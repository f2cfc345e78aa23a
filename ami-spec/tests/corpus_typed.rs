//! Every event of the real captures (the scenarios of each version and the filter oracle's
//! users) is typed (list items included: 0 `Unknown`), a typed event is the message view
//! and a tag (at most 64 bytes), and its JSON reads back into the same headers.

mod common;

use std::collections::BTreeMap;
use std::fs;

use ami_proto::{Kind, Message};
use ami_spec::typed::{number, ValueKind};
use ami_spec::{Event, OwnedEvent, Response, EVENTS};

#[test]
fn an_event_is_no_bigger_than_the_message_view() {
    eprintln!("size_of::<Event>() = {} bytes", size_of::<Event<'_>>());
    assert!(size_of::<Event<'_>>() <= 64, "{}", size_of::<Event<'_>>());
    // The message view and the variant's tag, nothing else.
    assert!(size_of::<Event<'_>>() <= size_of::<Message<'_>>() + 8);
    assert_eq!(
        size_of::<ami_spec::events::EndpointDetail<'_>>(),
        size_of::<Message<'_>>()
    );
}

fn wire(message: &Message<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    message
        .headers()
        .map(|h| (h.key.to_vec(), h.value.to_vec()))
        .collect()
}

#[derive(Default)]
struct Tally {
    typed: usize,
    unknown: BTreeMap<String, usize>,
    responses: usize,
    numbers: usize,
    not_numbers: BTreeMap<String, Vec<String>>,
    unrecognized: BTreeMap<String, usize>,
}

/// Reads every documented header of a typed event the way its kind says.
fn check_values(event: &Event<'_>, tally: &mut Tally) {
    let name = String::from_utf8_lossy(event.as_message().name()).into_owned();
    let info = EVENTS
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(&name))
        .unwrap();
    for field in info.fields {
        let Some(value) = event.as_message().get(field.key) else {
            continue;
        };
        match field.kind {
            ValueKind::Number => match number(Some(value)) {
                Some(_) => tally.numbers += 1,
                None => tally
                    .not_numbers
                    .entry(format!("{name}.{}", field.key))
                    .or_default()
                    .push(String::from_utf8_lossy(value).into_owned()),
            },
            ValueKind::Enum(known) => {
                let text = String::from_utf8_lossy(value);
                if !known.iter().any(|k| k.eq_ignore_ascii_case(&text)) {
                    *tally
                        .unrecognized
                        .entry(format!("{name}.{}={text}", field.key))
                        .or_default() += 1;
                }
            }
            ValueKind::Text => {}
        }
    }
}

fn check(message: &Message<'_>, tally: &mut Tally, file: &str) {
    match message.kind() {
        Kind::Event => {
            let event = Event::from_message(message);
            let name = String::from_utf8_lossy(message.name()).into_owned();
            if !event.is_typed() {
                *tally.unknown.entry(format!("{name} ({file})")).or_default() += 1;
                return;
            }
            tally.typed += 1;
            assert_eq!(event.as_message().as_bytes(), message.as_bytes());
            check_values(&event, tally);
            // The JSON form reads back into the same headers (documented ones move to the
            // front and take the documented key's case).
            let json = serde_json::to_string(&event).unwrap();
            let back: OwnedEvent = serde_json::from_str(&json).unwrap();
            let folded = |m: &Message<'_>| {
                let mut all: Vec<(Vec<u8>, Vec<u8>)> = wire(m)
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect();
                all.sort();
                all
            };
            assert_eq!(folded(&back.message()), folded(message), "{json}");
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
        Kind::Response => {
            let response = Response::from_message(message).unwrap();
            assert_eq!(response.action_id().map(str::as_bytes), message.action_id());
            let extra = response.extra().iter().count();
            let known = ["ActionID", "Message", "EventList"]
                .iter()
                .filter(|k| message.get(k).is_some())
                .count();
            assert_eq!(1 + known + extra, message.len(), "{file}");
            tally.responses += 1;
        }
        _ => {}
    }
}

#[test]
fn every_captured_event_is_typed_and_round_trips() {
    let mut tally = Tally::default();
    let captures = common::server_captures();
    let oracle = common::filter_oracle_captures();
    for file in captures.iter().chain(&oracle) {
        let bytes = fs::read(file).unwrap();
        let name = common::relative(file);
        common::for_each_message(&bytes, |m| check(m, &mut tally, &name));
    }
    eprintln!(
        "typed events: {}, responses: {}, numbers read: {}, values no spec lists: {:?}",
        tally.typed, tally.responses, tally.numbers, tally.unrecognized
    );
    assert!(
        tally.unknown.is_empty(),
        "events nothing describes: {:?}",
        tally.unknown
    );
    assert!(tally.typed > 16_000, "{}", tally.typed);
    assert!(tally.responses > 100, "{}", tally.responses);
    // The rule that makes a field a number holds on the wire.
    assert!(tally.numbers > 5_000, "{}", tally.numbers);
    assert!(
        tally.not_numbers.is_empty(),
        "number fields that are not numbers: {:?}",
        tally.not_numbers
    );
    // Every value the wire gave a field with a value list is in the list (the observed
    // entries add what the documentation leaves out).
    assert!(
        tally.unrecognized.is_empty(),
        "values no spec lists: {:?}",
        tally.unrecognized
    );
}
