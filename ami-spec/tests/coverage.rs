//! Every event and action listed by every spec folder has a generated type.

use ami_spec::codegen::{default_spec_dirs, load_specs};
use ami_spec::model::NameList;
use ami_spec::typed::ItemInfo;
use ami_spec::{ACTIONS, EVENTS, EVENT_NAMES};

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
fn all_listed_items_are_generated() {
    let specs = load_specs(&default_spec_dirs().unwrap()).unwrap();
    assert!(specs.len() >= 2);
    for spec in &specs {
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
fn list_actions_table() {
    let core = ami_spec::LIST_ACTIONS
        .iter()
        .find(|l| l.action == "CoreShowChannels")
        .unwrap();
    assert_eq!(core.items, ["CoreShowChannel"]);
    assert_eq!(core.complete, Some("CoreShowChannelsComplete"));
    assert_eq!(
        ami_spec::actions::CoreShowChannels::LIST_COMPLETE,
        Some("CoreShowChannelsComplete")
    );
    let endpoint = ami_spec::LIST_ACTIONS
        .iter()
        .find(|l| l.action == "PJSIPShowEndpoint")
        .unwrap();
    assert_eq!(endpoint.items.len(), 6);
    // Every event a list action names is typed.
    for list in ami_spec::LIST_ACTIONS {
        for name in list.items.iter().chain(&list.complete) {
            assert!(EVENT_NAMES.contains(name), "{name}");
        }
    }
}
