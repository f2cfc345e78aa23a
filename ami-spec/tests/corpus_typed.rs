//! Every event and response of the real captures decodes into a typed value, and the typed
//! value gives back the message's headers, in order, byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ami_proto::{Decoded, Decoder, Item, Kind, Message};
use ami_spec::{Event, OwnedEvent, Response, EVENT_NAMES};

fn server_captures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".server.bin") {
                out.push(path);
            }
        }
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut out = Vec::new();
    for entry in fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir()
            && path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("asterisk-")
        {
            walk(&path, &mut out);
        }
    }
    out.sort();
    out
}

fn wire(message: &Message<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    message
        .headers()
        .map(|h| (h.key.to_vec(), h.value.to_vec()))
        .collect()
}

fn pairs<'a>(headers: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Vec<(Vec<u8>, Vec<u8>)> {
    headers.map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
}

#[derive(Default)]
struct Tally {
    typed: usize,
    unknown: BTreeMap<String, usize>,
    responses: usize,
}

fn check(message: &Message<'_>, tally: &mut Tally, file: &Path) {
    match message.kind() {
        Kind::Event => {
            let event = Event::from_message(message);
            let name = String::from_utf8_lossy(message.name()).into_owned();
            if EVENT_NAMES.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                assert!(
                    event.is_typed(),
                    "{}: {name} fell back to Unknown",
                    file.display()
                );
                tally.typed += 1;
            } else {
                assert!(!event.is_typed());
                *tally.unknown.entry(name.clone()).or_default() += 1;
            }
            assert_eq!(
                pairs(event.headers()),
                wire(message),
                "{}: {name}",
                file.display()
            );
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
        }
        Kind::Response => {
            let response = Response::from_message(message).unwrap();
            assert_eq!(
                pairs(response.headers()),
                wire(message),
                "{}",
                file.display()
            );
            assert_eq!(
                response.action_id.map(|v| v.as_bytes()),
                message.action_id()
            );
            tally.responses += 1;
        }
        _ => {}
    }
}

#[test]
fn every_captured_event_and_response_is_typed_and_round_trips() {
    let files = server_captures();
    assert!(files.len() > 50, "{} captures", files.len());
    let mut tally = Tally::default();
    for file in &files {
        let bytes = fs::read(file).unwrap();
        let mut decoder = Decoder::new();
        let mut buf = &bytes[..];
        loop {
            match decoder.decode(buf) {
                Decoded::Item { item, consumed } => {
                    if let Item::Message(message) = item {
                        check(&message, &mut tally, file);
                    }
                    buf = &buf[consumed..];
                }
                Decoded::Error { consumed, .. } => buf = &buf[consumed..],
                Decoded::NeedMore { consumed } => {
                    assert!(buf[consumed..].iter().all(|b| b.is_ascii_whitespace()));
                    break;
                }
            }
        }
    }
    eprintln!(
        "typed events: {}, responses: {}, events without a spec: {:?}",
        tally.typed, tally.responses, tally.unknown
    );
    assert!(tally.typed > 7_000, "{}", tally.typed);
    assert!(tally.responses > 100, "{}", tally.responses);
}

#[test]
fn rtcp_report_blocks_are_a_numbered_group() {
    let wire = b"Event: RTCPSent\r\nChannel: PJSIP/100-1\r\nSSRC: 0x1\r\nPT: 200(SR)\r\nReportCount: 2\r\nReport0SourceSSRC: 0xa\r\nReport0LSR: 5\r\nReport1SourceSSRC: 0xb\r\nReport1LSR: 6\r\nChanVariable: A=1\r\n\r\n";
    let mut decoder = Decoder::new();
    let Decoded::Item {
        item: Item::Message(message),
        ..
    } = decoder.decode(wire)
    else {
        panic!("no message")
    };
    let Event::RtcpSent(e) = Event::from_message(&message) else {
        panic!("not typed")
    };
    assert_eq!(e.report.count(), 2);
    assert_eq!(e.report.get(1, "SourceSSRC").unwrap().as_str(), Some("0xb"));
    assert_eq!(e.report.get(0, "LSR").unwrap().as_str(), Some("5"));
    assert_eq!(e.pt, Some(ami_spec::values::Pt::N200Sr));
    let extra: Vec<&[u8]> = e.extra.iter().map(|h| h.key).collect();
    assert_eq!(extra, [&b"ChanVariable"[..]]);
    let json = serde_json::to_value(Event::RtcpSent(e)).unwrap();
    assert_eq!(json["Event"], "RTCPSent");
    assert_eq!(json["ReportN"][2]["field"], "SourceSSRC");
    assert_eq!(json["ReportN"][2]["index"], 1);
}

#[test]
fn unknown_values_and_duplicates_are_kept() {
    let wire = b"Event: Newstate\r\nChannel: A\r\nChannelStateDesc: Sleeping\r\nChannel: B\r\n\r\n";
    let mut decoder = Decoder::new();
    let Decoded::Item {
        item: Item::Message(message),
        ..
    } = decoder.decode(wire)
    else {
        panic!("no message")
    };
    let Event::Newstate(mut e) = Event::from_message(&message) else {
        panic!("not typed")
    };
    assert_eq!(e.channel.unwrap().as_bytes(), b"A");
    let desc = e.channel_state_desc.unwrap();
    assert!(
        matches!(desc, ami_spec::values::ChannelStateDesc::Unrecognized(v) if v.as_bytes() == b"Sleeping")
    );
    let extra: Vec<&[u8]> = e.extra.iter().map(|h| h.value).collect();
    assert_eq!(extra, [&b"B"[..]]);
    // A field set to None drops its header from the typed view.
    e.channel = None;
    let keys: Vec<&[u8]> = e.headers().map(|(k, _)| k).collect();
    assert_eq!(keys, [&b"Event"[..], b"ChannelStateDesc", b"Channel"]);
}
