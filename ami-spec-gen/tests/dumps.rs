//! Every committed dump parses, with the structure the files show; the observed entries
//! parse too, and the grammar refuses what does not belong in each kind of folder.

use std::fs;
use std::path::PathBuf;

use ami_spec_gen::dump::{load_observed, load_spec, parse_doc};
use ami_spec_gen::model::{DocFile, DocKind, KeyPattern, ListCondition, SyntaxValue};

/// The committed version folders (not `observed`).
fn spec_dirs() -> Vec<PathBuf> {
    ami_spec_gen::workspace::spec_dirs()
        .unwrap()
        .into_iter()
        .filter(|d| d.join("events.txt").is_file())
        .collect()
}

#[test]
fn every_dump_file_parses_and_matches_its_list() {
    let dirs = spec_dirs();
    assert!(dirs.len() >= 2, "{dirs:?}");
    for dir in dirs {
        let spec = load_spec(&dir).unwrap_or_else(|e| panic!("{e}"));
        // The `.event-names` / `.action-names` files hold the table's names one per line.
        for (list, file) in [
            (&spec.event_list, ".event-names"),
            (&spec.action_list, ".action-names"),
        ] {
            // (sorted there; the table is in the CLI's own order). A folder added by a user
            // may not have these files.
            let Ok(text) = fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let mut names: Vec<String> = text.lines().map(str::to_string).collect();
            let mut parsed = list.names.clone();
            names.sort();
            parsed.sort();
            assert_eq!(parsed, names, "{}", dir.display());
        }
        if let Some(total) = spec.event_list.total {
            assert_eq!(total, spec.event_list.names.len());
        }
        // Every listed name has a definition or an explicit `Could not find`.
        for name in &spec.event_list.names {
            let found = spec.doc(DocKind::Event, name).is_some();
            let missing = spec.not_found.contains(&(DocKind::Event, name.clone()));
            assert!(found ^ missing, "{} event {name}", spec.version);
            assert!(!missing || spec.event_list.may_be_truncated(name), "{name}");
        }
        for name in &spec.action_list.names {
            let doc = spec
                .doc(DocKind::Action, name)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(doc.syntax[0].value, SyntaxValue::Fixed(name.clone()));
        }
        for doc in spec.events.iter().chain(&spec.actions) {
            // `[Syntax]` may be `Not available` (23.4.1 Rename); otherwise it starts fixed.
            if let Some(first) = doc.syntax.first() {
                assert_eq!(
                    first.value,
                    SyntaxValue::Fixed(doc.name.clone()),
                    "{}",
                    doc.name
                );
            }
            assert!(doc.synopsis.is_some(), "{} {}", spec.version, doc.name);
        }
    }
}

#[test]
fn each_file_is_one_definition_except_multi_module_events() {
    for dir in spec_dirs() {
        for sub in ["event", "action"] {
            for entry in fs::read_dir(dir.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                let text = fs::read_to_string(&path).unwrap();
                let titles = text.matches("-= Info about").count();
                let embedded = text.matches("\n[List Responses]\nEvent:").count();
                match parse_doc(&text).unwrap_or_else(|e| panic!("{}", e.in_file(&path))) {
                    DocFile::Found(docs) => {
                        // 23.x: one title per top-level definition plus one per embedded event.
                        let embedded_docs: usize = docs
                            .iter()
                            .map(|d| d.list_responses.len() + d.final_response.len())
                            .sum();
                        if titles > 0 {
                            assert_eq!(docs.len() + embedded_docs, titles, "{}", path.display());
                        } else {
                            assert_eq!(docs.len(), 1, "{}", path.display());
                            assert!(embedded == 0 || embedded_docs > 0);
                        }
                    }
                    DocFile::NotFound { .. } => assert!(text.starts_with("Could not find")),
                }
            }
        }
    }
}

#[test]
fn real_file_details() {
    let dirs = spec_dirs();
    let new = load_spec(
        dirs.iter()
            .find(|d| d.ends_with("asterisk-23.4.1"))
            .unwrap(),
    )
    .unwrap();
    let old = load_spec(
        dirs.iter()
            .find(|d| d.ends_with("asterisk-13.38.3"))
            .unwrap(),
    )
    .unwrap();

    // Two definitions of LogChannel merged, both synopses kept.
    let log = new.doc(DocKind::Event, "LogChannel").unwrap();
    assert!(log.synopsis.as_deref().unwrap().contains("re-enabled"));
    assert!(log.synopsis.as_deref().unwrap().contains("disabled"));

    // Enum values of ChannelStateDesc.
    let newstate = old.doc(DocKind::Event, "Newstate").unwrap();
    let desc = newstate.argument("ChannelStateDesc").unwrap();
    let values: Vec<&str> = desc.values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(values.len(), 11);
    assert!(values.contains(&"Dialing Offhook"));

    // RTCP report blocks are one numbered family per field.
    let rtcp = new.doc(DocKind::Event, "RTCPReceived").unwrap();
    let lsr = rtcp.syntax.iter().find(|l| l.key == "ReportXLSR").unwrap();
    assert!(
        matches!(&lsr.pattern, KeyPattern::Numbered { prefix, suffix, .. } if prefix == "Report" && suffix == "LSR")
    );

    // List actions carry their item and final events, in both layouts.
    for spec in [&old, &new] {
        let list = spec.doc(DocKind::Action, "CoreShowChannels").unwrap();
        assert_eq!(list.list_responses.len(), 1);
        assert_eq!(list.list_responses[0].name, "CoreShowChannel");
        assert_eq!(list.final_response[0].name, "CoreShowChannelsComplete");
        assert!(list.privilege.contains(&"system".to_string()));
    }
    let endpoint = new.doc(DocKind::Action, "PJSIPShowEndpoint").unwrap();
    assert_eq!(endpoint.list_responses.len(), 6);
    assert_eq!(
        new.doc(DocKind::Event, "Newstate").unwrap().since,
        ["12.0.0"]
    );
    assert!(new
        .doc(DocKind::Action, "Originate")
        .unwrap()
        .description
        .is_some());
}

#[test]
fn observed_entries_parse_with_their_sections() {
    let dir = ami_spec_gen::workspace::specs_dir().join("observed");
    let observed = load_observed(&dir).unwrap_or_else(|e| panic!("{e}"));
    let member = observed
        .events
        .iter()
        .find(|d| d.name == "QueueMember")
        .unwrap();
    assert!(member
        .observed_in
        .iter()
        .any(|s| s.version == "13.38.3" && s.capture.ends_with("30_queue.server.bin")));
    let originate = observed
        .actions
        .iter()
        .find(|d| d.name == "Originate")
        .unwrap();
    assert_eq!(
        originate.list_condition,
        Some(ListCondition::True("Async".into()))
    );
    assert_eq!(originate.final_response[0].name, "OriginateResponse");
    let hangup = observed
        .actions
        .iter()
        .find(|d| d.name == "Hangup")
        .unwrap();
    assert_eq!(
        hangup.list_condition,
        Some(ListCondition::Regex("Channel".into()))
    );
}

#[test]
fn observed_sections_are_checked() {
    let entry = |extra: &str| {
        format!("Event: X\n\n  -= Info about Manager Event 'X' =- \n\n[Synopsis]\nx\n\n{extra}[Syntax]\nEvent: X\nA: <value>\n")
    };
    let DocFile::Found(docs) = parse_doc(&entry(
        "[Observed In]\nAsterisk 23.4.1: corpus/a.server.bin\n\n",
    ))
    .unwrap() else {
        panic!()
    };
    assert_eq!(docs[0].observed_in[0].capture, "corpus/a.server.bin");
    let bad = parse_doc(&entry("[Observed In]\ncorpus/a.server.bin\n\n")).unwrap_err();
    assert_eq!(bad.line, 9, "{bad}");
    let bad = parse_doc(&entry("[List Condition]\nAsync: maybe\n\n")).unwrap_err();
    assert!(bad.message.contains("[List Condition]"), "{bad}");

    // A version folder may not hold observed sections; an observed folder needs them.
    let root = std::env::temp_dir().join(format!("ami-spec-gen-dumps-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let observed = root.join("observed");
    fs::create_dir_all(observed.join("event")).unwrap();
    fs::write(observed.join("event/X.txt"), entry("")).unwrap();
    let err = load_observed(&observed).unwrap_err();
    assert!(err.message.contains("[Observed In]"), "{err}");
    let version = root.join("asterisk-1.0.0");
    fs::create_dir_all(version.join("event")).unwrap();
    fs::create_dir_all(version.join("action")).unwrap();
    fs::write(version.join("events.txt"), "Events:\n  --  \n  X  \n").unwrap();
    fs::write(
        version.join("actions.txt"),
        "  Action  Synopsis\n  ------  --------\n",
    )
    .unwrap();
    fs::write(
        version.join("event/X.txt"),
        entry("[Observed In]\nAsterisk 1.0.0: corpus/a.server.bin\n\n"),
    )
    .unwrap();
    let err = load_spec(&version).unwrap_err();
    assert!(err.message.contains("observed entries"), "{err}");
    let _ = fs::remove_dir_all(&root);
}
