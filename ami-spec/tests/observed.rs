//! The observed entries (`specs/observed/`) say what the captures they name show: each
//! capture holds the event, the entry lists no header or value the wire did not send, its
//! required headers are in every message, and an entry for an event no dump documents
//! lists every header the wire sent.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use ami_proto::Kind;
use ami_spec::EVENTS;
use ami_spec_gen::dump::load_observed;
use ami_spec_gen::model::{Doc, SyntaxValue};
use ami_spec_gen::workspace::specs_dir;

/// Every message named `name` (ASCII case ignored) in a capture, as (lower-case key, value).
fn instances(capture: &str, kind: Kind, name: &str) -> Vec<Vec<(String, String)>> {
    let path = common::root().join(capture);
    assert!(path.is_file(), "{capture} is not a capture");
    let messages = match kind {
        Kind::Action => common::requests(&path),
        _ => common::messages(&path),
    };
    messages
        .iter()
        .map(|m| m.message())
        .filter(|m| m.kind() == kind && m.name().eq_ignore_ascii_case(name.as_bytes()))
        .map(|m| {
            m.headers()
                .skip(1)
                .map(|h| {
                    (
                        String::from_utf8_lossy(h.key).to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

fn syntax_keys(doc: &Doc) -> Vec<(String, bool)> {
    doc.syntax
        .iter()
        .filter(|l| !matches!(l.value, SyntaxValue::Fixed(_)))
        .map(|l| (l.key.to_ascii_lowercase(), l.value == SyntaxValue::Required))
        .collect()
}

#[test]
fn observed_events_are_what_their_captures_show() {
    let observed = load_observed(&specs_dir().join("observed")).unwrap();
    assert!(observed.events.len() >= 30, "{}", observed.events.len());
    for doc in &observed.events {
        let documented = EVENTS
            .iter()
            .find(|e| e.name == doc.name)
            .unwrap()
            .fields
            .iter()
            .any(|f| !f.versions.is_empty());
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for sighting in &doc.observed_in {
            let found = instances(&sighting.capture, Kind::Event, &doc.name);
            assert!(
                !found.is_empty(),
                "{}: none in {}",
                doc.name,
                sighting.capture
            );
            for headers in &found {
                for (key, required) in syntax_keys(doc) {
                    let present = headers.iter().any(|(k, _)| *k == key);
                    assert!(
                        present || !required,
                        "{}: required {key} missing in {}",
                        doc.name,
                        sighting.capture
                    );
                }
                for (key, value) in headers {
                    seen.entry(key.clone()).or_default().insert(value.clone());
                }
            }
        }
        let keys = syntax_keys(doc);
        for (key, _) in &keys {
            assert!(seen.contains_key(key), "{}: {key} never sent", doc.name);
        }
        if !documented {
            for key in seen.keys() {
                assert!(
                    keys.iter().any(|(k, _)| k == key),
                    "{}: the wire sends {key}, the entry does not list it",
                    doc.name
                );
            }
        }
        for arg in &doc.arguments {
            for value in &arg.values {
                let sent = seen.get(&arg.name.to_ascii_lowercase());
                assert!(
                    sent.is_some_and(|s| s.contains(&value.name)),
                    "{}: {} value {} never sent",
                    doc.name,
                    arg.name,
                    value.name
                );
            }
        }
    }
}

#[test]
fn observed_actions_name_captures_that_send_them() {
    let observed = load_observed(&specs_dir().join("observed")).unwrap();
    assert!(observed.actions.len() >= 25, "{}", observed.actions.len());
    for doc in &observed.actions {
        let last = &doc.final_response[0].name;
        for sighting in &doc.observed_in {
            let client = common::client_side(&common::root().join(&sighting.capture));
            let sent = instances(&common::relative(&client), Kind::Action, &doc.name);
            assert!(
                !sent.is_empty(),
                "{}: not sent in {}",
                doc.name,
                sighting.capture
            );
            let answered = instances(&sighting.capture, Kind::Event, last);
            assert!(
                !answered.is_empty(),
                "{}: no {last} in {}",
                doc.name,
                sighting.capture
            );
        }
    }
}
