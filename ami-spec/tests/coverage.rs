//! Every event and action listed by every spec folder has a generated type, and every
//! observed entry too.

use ami_spec::typed::ItemInfo;
use ami_spec::{ACTIONS, EVENTS, EVENT_NAMES};
use ami_spec_gen::codegen::load;
use ami_spec_gen::model::NameList;
use ami_spec_gen::workspace::spec_dirs;

/// How many listed names have a generated item that records this version.
fn covered(list: &NameList, table: &[ItemInfo], version: &str) -> usize {
    list.names
        .iter()
        .filter(|name| {
            table.iter().any(|item| {
                let same = item.name == name.as_str()
                    || (list.may_be_truncated(name) && item.name.starts_with(name.as_str()));
                same && item.versions.contains(&version)
            })
        })
        .count()
}

#[test]
fn all_listed_and_observed_items_are_generated() {
    let inputs = load(&spec_dirs().unwrap()).unwrap();
    assert!(inputs.specs.len() >= 2);
    for spec in &inputs.specs {
        let events = covered(&spec.event_list, EVENTS, &spec.version);
        let actions = covered(&spec.action_list, ACTIONS, &spec.version);
        assert_eq!(
            events,
            spec.event_list.names.len(),
            "{} events",
            spec.version
        );
        assert_eq!(
            actions,
            spec.action_list.names.len(),
            "{} actions",
            spec.version
        );
        // The figures the tables of the committed dumps print.
        let expected = match spec.version.as_str() {
            "13.38.3" => Some((144, 118)),
            "23.4.1" => Some((171, 134)),
            _ => None,
        };
        if let Some(expected) = expected {
            assert_eq!((events, actions), expected, "{}", spec.version);
        }
    }
    for doc in &inputs.observed.events {
        let info = EVENTS.iter().find(|e| e.name == doc.name).unwrap();
        assert!(!info.observed_in.is_empty(), "{}", doc.name);
    }
    for doc in &inputs.observed.actions {
        assert!(ami_spec::list_action(&doc.name).is_some(), "{}", doc.name);
    }
    // The enum covers exactly the table.
    let names: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
    assert_eq!(names, EVENT_NAMES);
    assert!(EVENT_NAMES
        .windows(2)
        .all(|w| w[0].to_ascii_lowercase() < w[1].to_ascii_lowercase()));
}

#[test]
fn truncated_names_resolve_to_full_names() {
    // 13.38.3's table cuts names at 20 characters and has no help for them.
    let item = EVENTS
        .iter()
        .find(|e| e.name == "CoreShowChannelsComplete")
        .unwrap();
    assert!(item.versions.contains(&"13.38.3"));
    assert!(!EVENTS.iter().any(|e| e.name == "CoreShowChannelsComp"));
}

#[test]
fn case_only_variants_are_one_field_with_both_spellings() {
    let endpoint = EVENTS.iter().find(|e| e.name == "EndpointDetail").unwrap();
    let fields: Vec<_> = endpoint
        .fields
        .iter()
        .filter(|f| f.key.eq_ignore_ascii_case("AllowOverlap"))
        .collect();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].key, "AllowOverlap");
    assert_eq!(fields[0].other_spellings, ["Allowoverlap"]);
}
