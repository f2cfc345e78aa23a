//! Properties of the filter engine on any input: nothing panics, every automaton is a
//! linear-time one, manager.conf text written from settings reads back as those settings,
//! and the class-list parser follows Asterisk's prefix rule.

use ami_proto::filter::{
    Classes, ConfFile, Engine, EventFilter, EventGate, ManagerConf, NoIncludes, Regex, RegexError,
    Rules,
};
use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
use proptest::prelude::*;

/// Bytes that matter to POSIX syntax, plus a few ordinary ones.
fn pattern_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(b"ab.*+?{}()[]|\\^$-,:=019!;<>`'wsWSbBn\n\x80".to_vec()),
        0..24,
    )
}

fn message(wire: &[u8]) -> OwnedMessage {
    let mut decoder = Decoder::new();
    match decoder.decode(wire) {
        Decoded::Item {
            item: Item::Message(m),
            ..
        } => OwnedMessage::new(&m),
        other => panic!("{other:?}"),
    }
}

const LABELS: [&str; 20] = [
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
    "all",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// Any pattern either compiles to a DFA or PikeVM, or is refused with a reason; matching
    /// any haystack then answers without panicking.
    #[test]
    fn any_pattern_compiles_to_a_linear_engine_or_is_refused(
        pattern in pattern_bytes(),
        haystack in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        match Regex::new(&pattern) {
            Ok(regex) => {
                prop_assert!(matches!(regex.engine(), Engine::DenseDfa | Engine::PikeVm));
                let _ = regex.is_match(&haystack);
            }
            Err(RegexError::Syntax(e)) => prop_assert!(e.offset <= pattern.len()),
            Err(RegexError::TooBig) => {}
            Err(other) => prop_assert!(false, "an error this test does not know: {other:?}"),
        }
    }

    /// Any bytes as a pattern (not only syntax characters).
    #[test]
    fn arbitrary_bytes_never_panic(pattern in prop::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(regex) = Regex::new(&pattern) {
            let _ = regex.is_match(&pattern);
        }
    }

    /// Any criteria and pattern either make a filter or an error whose text is Asterisk's
    /// kind of warning; a filter matches any event without panicking.
    #[test]
    fn any_filter_line_parses_or_warns(
        criteria in prop::collection::vec(
            prop::sample::select(b"eventfilter(action,name,header,method)incxlude regex!: \t".to_vec()),
            0..48,
        ),
        pattern in pattern_bytes(),
        rules in prop::sample::select(Rules::ALL.to_vec()),
    ) {
        let event = message(b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/1;2\r\nExten: 1\r\n\r\n");
        match EventFilter::parse(&criteria, &pattern, rules) {
            Ok(filter) => {
                let mut user = ami_proto::filter::UserConfig::new(b"u", rules);
                user.read = Classes::ALL;
                prop_assert!(user.add_filter(&criteria, &pattern).is_ok());
                let gate = EventGate::new(&user);
                let _ = gate.deliver(&event.message(), ami_proto::filter::Origin::Broadcast);
                prop_assert_eq!(filter.is_exclude(), user.filters().next().unwrap().is_exclude());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Any text as manager.conf parses or fails naming a line of the text.
    #[test]
    fn any_conf_text_parses_or_names_its_line(
        lines in prop::collection::vec(
            prop::collection::vec(
                prop::sample::select(b"[]()!+,;-=>\\#abc eventfilter read secret\t\r".to_vec()),
                0..30,
            ),
            0..12,
        ),
        rules in prop::sample::select(Rules::ALL.to_vec()),
    ) {
        let text = lines.join(&b'\n');
        match ManagerConf::parse(&text, rules) {
            Ok(conf) => {
                for w in conf.warnings() {
                    prop_assert!(w.location.line as usize <= lines.len().max(1));
                }
            }
            Err(e) => prop_assert!(e.location.line >= 1 && e.location.line as usize <= lines.len()),
        }
    }

    /// Users written as manager.conf text, values with `;` escaped, blanks and comments
    /// around, read back as written.
    #[test]
    fn written_users_read_back(
        users in prop::collection::vec(
            (
                "[a-z][a-z0-9_]{0,10}",
                "[ -~]{0,12}",
                prop::collection::vec(prop::sample::select(LABELS.to_vec()), 0..4),
                prop::collection::vec("[A-Za-z :;/@]{1,12}", 0..3),
            ),
            1..5,
        ),
    ) {
        let mut text = String::from("; written by a test\n[general]\nenabled = yes\n");
        for (i, (name, secret, read, filters)) in users.iter().enumerate() {
            text.push_str(&format!("\n[{name}{i}] ; user {i}\n"));
            let secret = secret.trim().replace(';', "\\;");
            text.push_str(&format!("secret =  {secret}  ;comment\n"));
            text.push_str(&format!("read\t= {}\n", read.join(",")));
            for f in filters {
                text.push_str(&format!("eventfilter = !{}\n", f.trim().replace(';', "\\;")));
            }
        }
        let conf = ManagerConf::parse(text.as_bytes(), Rules::Asterisk20).unwrap();
        prop_assert_eq!(conf.users().len(), users.len());
        for (i, (name, secret, read, filters)) in users.iter().enumerate() {
            let user = conf.user(format!("{name}{i}")).unwrap();
            let secret = secret.trim().trim_matches(|c: char| (c as u32) < 33);
            prop_assert_eq!(user.secret.as_ref().unwrap().expose(), secret.as_bytes());
            let mut expected = Classes::NONE;
            for label in read {
                expected = expected | Classes::parse_list(label.as_bytes());
            }
            prop_assert_eq!(user.read, expected);
            let kept: Vec<_> = filters.iter().filter(|f| !f.trim().is_empty()).collect();
            prop_assert!(user.filters().count() <= kept.len());
            let raw = ConfFile::parse(text.as_bytes(), "m", &mut NoIncludes).unwrap();
            let values: Vec<Vec<u8>> = raw
                .category(format!("{name}{i}").as_bytes())
                .unwrap()
                .variables
                .iter()
                .filter(|v| v.name == b"eventfilter")
                .map(|v| v.value.clone())
                .collect();
            let written: Vec<Vec<u8>> = filters.iter().map(|f| format!("!{}", f.trim()).into_bytes()).collect();
            prop_assert_eq!(values, written);
        }
    }

    /// Every list item but the last grants each class it is a prefix of; the last grants
    /// only the class it names.
    #[test]
    fn class_lists_follow_the_prefix_rule(
        items in prop::collection::vec(prop::sample::select(LABELS.to_vec()), 1..5),
        cut in prop::collection::vec(1usize..4, 1..5),
    ) {
        let shortened: Vec<String> = items
            .iter()
            .zip(cut.iter().cycle())
            .map(|(label, cut)| label[..label.len().saturating_sub(*cut).max(1)].to_string())
            .collect();
        let list = shortened.join(",");
        let granted = Classes::parse_list(list.as_bytes());
        for (i, item) in shortened.iter().enumerate() {
            let last = i + 1 == shortened.len();
            for label in LABELS {
                let named = Classes::parse_list(label.as_bytes());
                let expected = if last { label == item } else { label.starts_with(item.as_str()) };
                if expected {
                    prop_assert!(granted.contains(named), "{list}: {label}");
                }
            }
        }
        prop_assert_eq!(Classes::parse_list(items.join(",").as_bytes()), {
            let mut all = Classes::NONE;
            for label in &items {
                all = all | Classes::parse_list(label.as_bytes());
            }
            all
        });
    }
}

/// The classic exponential-backtracking patterns run in one pass over a long haystack.
#[test]
fn hostile_patterns_are_linear() {
    let haystack = vec![b'a'; 100_000];
    for pattern in [
        &b"(a*)*b"[..],
        b"(a|a)*b",
        b"(a+)+$b",
        b"((a{1,5}){1,5}){1,5}b",
        b"(.*a){12}b",
    ] {
        let regex = Regex::new(pattern).unwrap();
        assert!(matches!(regex.engine(), Engine::DenseDfa | Engine::PikeVm));
        assert!(!regex.is_match(&haystack), "{}", pattern.escape_ascii());
    }
}
