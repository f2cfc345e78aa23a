//! The filter engine against a real Asterisk 23.4.1 (`corpus/filter-oracle/`, see its
//! README): 60 users with different read classes, event masks and filters, connected during
//! one burst of activity. Everything is derived from the recordings: the users' settings
//! from the manager.conf Asterisk ran with, their Login and runtime actions from what they
//! sent, the phases from `filters.json`, the expected events from what they received.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ami_proto::filter::{
    Broadcast, CaptureOrigins, Classes, ConfFile, ConfWarningKind, EventGate, ManagerConf,
    NoIncludes, Origin, Rules,
};
use ami_proto::{Decoded, Decoder, Item, Kind, OwnedMessage};
use serde_json::Value;

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/filter-oracle")
}

fn read(name: &str) -> Vec<u8> {
    let path = oracle_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A decoded message and where it lies in its stream.
struct Placed {
    start: usize,
    end: usize,
    message: OwnedMessage,
}

/// Every message of a stream, in order (the banner is skipped).
fn decode(bytes: &[u8]) -> Vec<Placed> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        match decoder.decode(&bytes[at..]) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    let start = m.as_bytes().as_ptr() as usize - bytes.as_ptr() as usize;
                    out.push(Placed {
                        start,
                        end: start + m.as_bytes().len(),
                        message: OwnedMessage::new(&m),
                    });
                }
                at += consumed;
            }
            Decoded::Error { error, .. } => panic!("recording does not decode: {error}"),
            Decoded::NeedMore { .. } => break,
        }
    }
    assert!(decoder.finish(&bytes[at..]).is_none(), "trailing bytes");
    out
}

struct Oracle {
    conf_text: Vec<u8>,
    conf: ManagerConf,
    json: Value,
}

impl Oracle {
    fn load() -> Oracle {
        let conf_text = read("manager.conf");
        let conf = ManagerConf::parse(&conf_text, Rules::Asterisk20).expect("manager.conf");
        let json: Value = serde_json::from_slice(&read("filters.json")).expect("filters.json");
        Oracle {
            conf_text,
            conf,
            json,
        }
    }

    fn users(&self) -> Vec<&Value> {
        let users: Vec<&Value> = self.json["users"].as_array().unwrap().iter().collect();
        assert_eq!(users.len(), 60, "the oracle has 60 users");
        users
    }

    fn user(&self, name: &str) -> &Value {
        self.users()
            .into_iter()
            .find(|u| u["user"] == name)
            .unwrap_or_else(|| panic!("no user {name}"))
    }
}

fn offset(user: &Value, phase: &str) -> usize {
    user["offsets"][phase].as_u64().unwrap() as usize
}

/// The messages of a stream between two offsets of `filters.json`.
fn phase(messages: &[Placed], from: usize, to: usize) -> Vec<&Placed> {
    messages
        .iter()
        .filter(|m| m.start >= from && m.end <= to)
        .collect()
}

/// The reference's burst events with the origin [`CaptureOrigins`] gives them when it reads
/// the whole reference stream, as a command-line tool would.
fn reference_burst(oracle: &Oracle) -> Vec<(OwnedMessage, Origin)> {
    let reference = oracle.user("reference");
    let (from, to) = (
        offset(reference, "burst_start"),
        offset(reference, "burst_end"),
    );
    let mut origins = CaptureOrigins::new();
    decode(&read("reference.server.bin"))
        .into_iter()
        .filter_map(|m| {
            let origin = origins.origin(&m.message.message());
            (m.start >= from && m.end <= to).then_some((m.message, origin))
        })
        .collect()
}

/// A session replayed: its gate after Login, and the replies it gave to the runtime actions
/// (by ActionID), compared with what Asterisk answered.
struct Session {
    gate: EventGate,
    /// ActionID of each runtime action, with the gate after it.
    after_actions: Vec<(Vec<u8>, EventGate)>,
    login_id: Vec<u8>,
}

/// A runtime action's ActionID and the bytes of the reply the engine gave it.
type Replies = Vec<(Vec<u8>, Vec<u8>)>;

fn replay_session(oracle: &Oracle, name: &str, rules: Rules) -> (Session, Replies) {
    let other_rules;
    let conf = if rules == Rules::Asterisk20 {
        &oracle.conf
    } else {
        other_rules = ManagerConf::parse(&oracle.conf_text, rules).unwrap();
        &other_rules
    };
    let user = conf
        .user(name)
        .unwrap_or_else(|| panic!("{name} is not in manager.conf"));
    let client = decode(&read(&format!("{name}.client.bin")));
    let login = client[0].message.message();
    assert!(login.name().eq_ignore_ascii_case(b"Login"));
    let mut gate = EventGate::login(user, &login);
    let session_gate = gate.clone();
    let mut after_actions = Vec::new();
    let mut replies = Vec::new();
    for placed in &client[1..] {
        let action = placed.message.message();
        let id = action.action_id().unwrap().to_vec();
        let reply = if action.name() == b"Filter" {
            Some(gate.handle_filter_action(&action).reply)
        } else if action.name() == b"Events" {
            gate.handle_events_action(&action)
        } else {
            None
        };
        if let Some(reply) = reply {
            replies.push((id.clone(), reply.into_bytes()));
            after_actions.push((id, gate.clone()));
        }
    }
    let session = Session {
        gate: session_gate,
        after_actions,
        login_id: login.action_id().unwrap().to_vec(),
    };
    (session, replies)
}

impl Session {
    /// The gate in force once every runtime action has run.
    fn last(&self) -> &EventGate {
        self.after_actions.last().map_or(&self.gate, |(_, g)| g)
    }
}

#[test]
fn every_user_receives_its_burst_exactly() {
    let oracle = Oracle::load();
    let burst = reference_burst(&oracle);
    assert!(burst.len() > 400, "the burst has {} events", burst.len());
    assert!(burst
        .iter()
        .all(|(m, o)| m.message().kind() == Kind::Event && *o == Origin::Broadcast));
    let mut checked = 0;
    for user in oracle.users() {
        let name = user["user"].as_str().unwrap();
        let (session, _) = replay_session(&oracle, name, Rules::Asterisk20);
        let gate = session.last();
        let got: Vec<&[u8]> = burst
            .iter()
            .filter(|(m, origin)| gate.deliver(&m.message(), *origin))
            .map(|(m, _)| m.as_bytes())
            .collect();
        let stream = decode(&read(&format!("{name}.server.bin")));
        let expected: Vec<&[u8]> = phase(
            &stream,
            offset(user, "burst_start"),
            offset(user, "burst_end"),
        )
        .into_iter()
        .map(|m| m.message.as_bytes())
        .collect();
        if got != expected {
            let first = got.iter().zip(&expected).position(|(a, b)| a != b);
            panic!(
                "{name}: {} events delivered, {} recorded; first difference at {first:?}:\n{}",
                got.len(),
                expected.len(),
                first
                    .map(|i| format!(
                        "got {}\nexpected {}",
                        got[i].escape_ascii(),
                        expected[i].escape_ascii()
                    ))
                    .unwrap_or_default()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 60);
}

#[test]
fn runtime_actions_get_asterisks_replies() {
    let oracle = Oracle::load();
    let mut compared = 0;
    for user in oracle.users() {
        let name = user["user"].as_str().unwrap();
        let (_, replies) = replay_session(&oracle, name, Rules::Asterisk20);
        let stream = decode(&read(&format!("{name}.server.bin")));
        let recorded: BTreeMap<Vec<u8>, &[u8]> = stream
            .iter()
            .filter(|m| m.message.message().kind() == Kind::Response)
            .filter_map(|m| {
                Some((
                    m.message.message().action_id()?.to_vec(),
                    m.message.as_bytes(),
                ))
            })
            .collect();
        assert_eq!(
            replies.len(),
            user["runtime_actions"].as_array().unwrap().len(),
            "{name}"
        );
        for (id, reply) in replies {
            let want = recorded
                .get(&id)
                .unwrap_or_else(|| panic!("{name}: no reply to {}", id.escape_ascii()));
            assert_eq!(
                reply.escape_ascii().to_string(),
                want.escape_ascii().to_string(),
                "{name}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 15, "every Filter and Events action of the oracle");
}

/// Nothing a user received is refused by its gate: responses, its own list items, the
/// FullyBooted after its Login, and every event, with the runtime actions applied where
/// their replies appear in the stream.
#[test]
fn everything_each_user_received_is_delivered() {
    let oracle = Oracle::load();
    for user in oracle.users() {
        let name = user["user"].as_str().unwrap();
        let (session, _) = replay_session(&oracle, name, Rules::Asterisk20);
        let mut gate = &session.gate;
        let mut pending = session.after_actions.iter();
        let mut next = pending.next();
        let mut origins = CaptureOrigins::new();
        let mut greeted = false;
        let stream = decode(&read(&format!("{name}.server.bin")));
        for (i, placed) in stream.iter().enumerate() {
            let message = placed.message.message();
            let origin = origins.origin(&message);
            assert!(
                gate.deliver(&message, origin),
                "{name}: message {i} refused: {}",
                message.as_bytes().escape_ascii()
            );
            if origin == Origin::LoginGreeting {
                greeted = true;
            }
            if message.kind() == Kind::Response
                && message.action_id() == Some(&session.login_id[..])
            {
                let follows_greeting = stream
                    .get(i + 1)
                    .is_some_and(|m| m.message.message().name() == b"FullyBooted");
                assert_eq!(
                    follows_greeting,
                    session.gate.fully_booted(),
                    "{name}: FullyBooted"
                );
            }
            if let Some((id, after)) = next {
                if message.kind() == Kind::Response && message.action_id() == Some(&id[..]) {
                    gate = after;
                    next = pending.next();
                }
            }
        }
        assert_eq!(greeted, session.gate.fully_booted(), "{name}");
    }
}

#[test]
fn read_classes_are_what_manager_show_user_printed() {
    let oracle = Oracle::load();
    for user in oracle.users() {
        let name = user["user"].as_str().unwrap();
        let read = oracle.conf.user(name).unwrap().read;
        assert_eq!(
            read.to_string(),
            user["read_perm_cli"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            read,
            Classes::parse_list(user["read"].as_str().unwrap().as_bytes())
        );
    }
}

/// The configuration parser hands the manager the same filter lines Asterisk's did.
#[test]
fn filter_lines_are_read_as_asterisk_read_them() {
    let oracle = Oracle::load();
    let file = ConfFile::parse(&oracle.conf_text, "manager.conf", &mut NoIncludes).unwrap();
    for user in oracle.users() {
        let name = user["user"].as_str().unwrap();
        let category = file.category(name.as_bytes()).unwrap();
        let got: Vec<(String, String)> = category
            .variables
            .iter()
            .filter(|v| {
                v.name.eq_ignore_ascii_case(b"eventfilter") || v.name.starts_with(b"eventfilter")
            })
            .map(|v| {
                (
                    String::from_utf8_lossy(&v.name).into(),
                    String::from_utf8_lossy(&v.value).into(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = user["filters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["key"].as_str().unwrap().into(),
                    f["value"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

/// The filters Asterisk dropped, with its warnings: first those of manager.conf, then those
/// of `rt_filter_errors`'s Filter actions, in the order Asterisk logged them.
#[test]
fn dropped_filters_warn_as_asterisk_logged() {
    let oracle = Oracle::load();
    let mut ours: Vec<String> = oracle
        .conf
        .warnings()
        .iter()
        .filter_map(|w| match &w.kind {
            ConfWarningKind::Filter(e) => Some(e.to_string()),
            _ => None,
        })
        .collect();
    let client = decode(&read("rt_filter_errors.client.bin"));
    let mut gate = EventGate::login(
        oracle.conf.user("rt_filter_errors").unwrap(),
        &client[0].message.message(),
    );
    for placed in &client[1..] {
        let action = placed.message.message();
        if action.name() == b"Filter" {
            ours.extend(
                gate.handle_filter_action(&action)
                    .error
                    .map(|e| e.to_string()),
            );
        }
    }
    let logged: Vec<String> = oracle.json["asterisk_log_filter_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let line = l.as_str().unwrap();
            line.strip_prefix("WARNING manager.c:")
                .unwrap()
                .trim_start()
                .to_string()
        })
        .collect();
    assert_eq!(ours, logged);
}

/// The other warnings of manager.conf: `EventFilter=` is no option for Asterisk 20+.
#[test]
fn the_capitalised_option_is_unknown_to_asterisk_20() {
    let oracle = Oracle::load();
    let unknown: Vec<String> = oracle
        .conf
        .warnings()
        .iter()
        .filter(|w| !matches!(w.kind, ConfWarningKind::Filter(_)))
        .map(|w| w.to_string())
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].starts_with("EventFilter is an unknown option (line "),
        "{unknown:?}"
    );
    assert!(oracle
        .conf
        .user("lf_key_case")
        .unwrap()
        .filters()
        .next()
        .is_none());
}

/// What the oracle's README says Asterisk 13 does differently, checked on the 23.4.1 burst:
/// advanced lines are ignored, any case of `eventfilter` is read, empty patterns match
/// everything, the `Filter` action ignores `MatchCriteria`, `Newexten` is a `call` event.
#[test]
fn asterisk_13_rules_on_the_same_burst() {
    let oracle = Oracle::load();
    let burst = reference_burst(&oracle);
    let delivered = |name: &str, rules: Rules| -> Vec<Vec<u8>> {
        let (session, _) = replay_session(&oracle, name, rules);
        burst
            .iter()
            .filter(|(m, o)| session.last().deliver(&m.message(), *o))
            .map(|(m, _)| m.as_bytes().to_vec())
            .collect()
    };
    let everything = delivered("reference", Rules::Asterisk13);
    assert_eq!(everything.len(), burst.len());
    for name in [
        "af_name_newchannel",
        "af_excl_chan2",
        "af_bad_plus",
        "lf_empty_plus",
        "rt_filter_adv",
    ] {
        assert_eq!(delivered(name, Rules::Asterisk13), everything, "{name}");
    }
    assert!(delivered("lf_bang_only", Rules::Asterisk13).is_empty());
    let newchannel = delivered("lf_newchannel", Rules::Asterisk13);
    assert_eq!(delivered("lf_key_case", Rules::Asterisk13), newchannel);
    assert_eq!(
        delivered("af_mixed_legacy_adv", Rules::Asterisk13),
        newchannel
    );
    // Under the newest rules these differ.
    assert_ne!(delivered("lf_key_case", Rules::Asterisk20), newchannel);
    assert_ne!(delivered("lf_empty_plus", Rules::Asterisk20), everything);

    let names = |events: &[Vec<u8>]| -> Vec<String> {
        let mut names: Vec<String> = events
            .iter()
            .map(|e| String::from_utf8_lossy(e.split(|&b| b == b'\r').next().unwrap()).into_owned())
            .collect();
        names.dedup();
        names.sort();
        names.dedup();
        names
    };
    let dialplan13 = names(&delivered("rc_dialplan", Rules::Asterisk13));
    assert_eq!(dialplan13, ["Event: VarSet"]);
    let dialplan20 = names(&delivered("rc_dialplan", Rules::Asterisk20));
    assert_eq!(dialplan20, ["Event: Newexten", "Event: VarSet"]);
    assert!(
        names(&delivered("rc_call", Rules::Asterisk13)).contains(&"Event: Newexten".to_string())
    );

    let (_, replies) = replay_session(&oracle, "rt_filter_errors", Rules::Asterisk13);
    let messages: Vec<String> = replies
        .iter()
        .map(|(_, r)| {
            let text = String::from_utf8_lossy(r).into_owned();
            text.lines()
                .find_map(|l| l.strip_prefix("Message: ").map(str::to_string))
                .unwrap()
        })
        .collect();
    assert_eq!(
        messages,
        [
            "Filter did not compile.  Check the syntax of the filter given.",
            "Unknown operation",
            "Success",
            "Success",
        ]
    );
}

/// One event checked against every user, as a proxy does: the shared [`Broadcast`] gives
/// the same answers as each gate's own [`EventGate::deliver`].
#[test]
fn a_broadcast_serves_every_gate() {
    let oracle = Oracle::load();
    let gates: Vec<EventGate> = oracle
        .users()
        .iter()
        .map(|u| {
            replay_session(&oracle, u["user"].as_str().unwrap(), Rules::Asterisk20)
                .0
                .last()
                .clone()
        })
        .collect();
    for (message, _) in reference_burst(&oracle) {
        let message = message.message();
        let event = Broadcast::new(&message);
        for gate in &gates {
            assert_eq!(
                gate.admits(&event),
                gate.deliver(&message, Origin::Broadcast)
            );
        }
    }
}
