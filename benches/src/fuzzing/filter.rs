//! The checks of the `filter_line` and `manager_conf` fuzz targets: ami-proto's event
//! filter engine on arbitrary filter lines, events, actions and manager.conf text.

use ami_proto::filter::{
    Broadcast, Classes, ConfFile, EventFilter, EventGate, IncludedFile, Includes, ManagerConf,
    Origin, Rules, UserConfig,
};
use ami_proto::{encode_to_vec, Decoded, Decoder, Item, Kind, OwnedMessage};

/// Every message of a stream (errors skipped).
fn messages(bytes: &[u8]) -> Vec<OwnedMessage> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    out.push(OwnedMessage::new(&m));
                }
                rest = &rest[consumed..];
            }
            Decoded::Error { consumed, .. } => rest = &rest[consumed..],
            Decoded::NeedMore { .. } => return out,
        }
    }
}

/// What Asterisk's header reading leaves of a value: up to a NUL, leading bytes below 33
/// skipped.
fn as_asterisk_reads(value: &[u8]) -> &[u8] {
    let value = value.split(|&b| b == 0).next().unwrap_or(b"");
    let start = value.iter().position(|&b| b >= 33).unwrap_or(value.len());
    &value[start..]
}

/// `filter_line`: byte 0 picks the rules (bit 0: Asterisk 13); the rest is
/// `criteria NUL pattern NUL stream`. Checks that adding the filter to a user never panics
/// (an error displays); every event of the stream gets the same decision from
/// [`EventGate::admits`] and [`EventGate::deliver`], a session's own messages always pass,
/// and a user without read classes gets only events of no class; a `Filter` action with
/// these headers answers
/// `Success` exactly when the filter Asterisk would build from them parses, and its reply
/// is one response carrying the action's ActionID; an `Events` action answers an error
/// exactly for a mask Asterisk calls invalid.
pub fn filter_line(input: &[u8]) {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let rules = if selector & 1 == 0 {
        Rules::Asterisk20
    } else {
        Rules::Asterisk13
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let criteria = parts.next().unwrap_or(b"");
    let pattern = parts.next().unwrap_or(b"");
    let stream = parts.next().unwrap_or(b"");

    // (Each compilation costs a DFA: this target compiles the pattern three times at most.)
    let mut user = UserConfig::new(b"fuzz", rules);
    user.read = Classes::ALL;
    if let Err(e) = user.add_filter(criteria, pattern) {
        assert!(!e.to_string().is_empty());
    }
    let gate = EventGate::new(&user);
    let mut excluded = user.clone();
    excluded.read = Classes::NONE;
    let excluded = EventGate::new(&excluded);
    for message in messages(stream) {
        let message = message.message();
        let event = Broadcast::new(&message);
        assert_eq!(
            gate.admits(&event),
            gate.deliver(&message, Origin::Broadcast)
        );
        assert!(gate.deliver(&message, Origin::Session));
        // No read class: only events of no class can pass.
        if excluded.admits(&event) {
            assert_eq!(event.classes(), Classes::NONE);
        }
    }

    // The same filter through the `Filter` action.
    let mut headers: Vec<(&[u8], &[u8])> = vec![(b"ActionID", b"fz-1"), (b"Operation", b"Add")];
    if !criteria.is_empty() {
        headers.push((b"MatchCriteria", criteria));
    }
    headers.push((b"Filter", pattern));
    let mut wire = Vec::new();
    if encode_to_vec("Filter", headers.iter().copied(), &mut wire).is_err() {
        return;
    }
    let action = &messages(&wire)[0];
    let mut session = EventGate::new(&user);
    let outcome = session.handle_filter_action(&action.message());
    let reply = messages(outcome.reply.as_bytes());
    assert_eq!(reply.len(), 1);
    assert_eq!(reply[0].message().kind(), Kind::Response);
    assert_eq!(reply[0].message().action_id(), Some(&b"fz-1"[..]));
    let too_long = wire.split(|&b| b == b'\n').any(|line| line.len() >= 1024);
    let match_criteria = as_asterisk_reads(criteria);
    let mut full = b"eventfilter".to_vec();
    if rules == Rules::Asterisk20 && !match_criteria.is_empty() {
        full.push(b'(');
        full.extend_from_slice(match_criteria);
        full.push(b')');
    }
    let expected =
        !too_long && EventFilter::parse(&full, as_asterisk_reads(pattern), rules).is_ok();
    assert_eq!(outcome.reply.is_success(), expected);
    assert_eq!(outcome.error.is_some(), !too_long && !expected);

    // `pattern` as an event mask.
    let mut wire = Vec::new();
    let headers: [(&[u8], &[u8]); 2] = [(b"ActionID", b"fz-2"), (b"EventMask", pattern)];
    if encode_to_vec("Events", headers, &mut wire).is_ok() {
        let action = &messages(&wire)[0];
        let reply = session
            .handle_events_action(&action.message())
            .expect("a reply");
        let invalid = Classes::from_event_mask(as_asterisk_reads(pattern)).is_none();
        let too_long = wire.split(|&b| b == b'\n').any(|line| line.len() >= 1024);
        assert_eq!(reply.is_success(), !invalid && !too_long);
    }
}

/// Resolves every `#include` to the text being parsed, so that includes nest as deep as
/// Asterisk lets them.
struct Itself<'a>(&'a [u8]);

impl Includes for Itself<'_> {
    fn resolve(&mut self, argument: &[u8]) -> Vec<IncludedFile> {
        vec![IncludedFile {
            name: String::from_utf8_lossy(argument).into_owned(),
            text: self.0.to_vec(),
        }]
    }
}

/// `manager_conf`: byte 0 picks the rules (bit 0: Asterisk 13); the rest is manager.conf
/// text. Checks that parsing never panics and terminates, that errors and warnings name a
/// line of the text, and that no user's `Debug` shows its secret.
pub fn manager_conf(input: &[u8]) {
    let Some((&selector, text)) = input.split_first() else {
        return;
    };
    let rules = if selector & 1 == 0 {
        Rules::Asterisk20
    } else {
        Rules::Asterisk13
    };
    let lines = text.split(|&b| b == b'\n').count() as u32;
    match ManagerConf::parse(text, rules) {
        Ok(conf) => {
            for warning in conf.warnings() {
                assert!((1..=lines).contains(&warning.location.line), "{warning}");
                assert!(!warning.to_string().is_empty());
            }
            for user in conf.users() {
                if let Some(secret) = &user.secret {
                    assert_eq!(format!("{secret:?}"), "Secret(<hidden>)");
                    assert!(format!("{user:?}").contains("secret: Some(Secret(<hidden>))"));
                }
                assert!(conf.user(&user.name).is_some());
                let gate = EventGate::new(user);
                assert_eq!(gate.read_classes(), user.read);
            }
        }
        Err(e) => {
            assert!((1..=lines).contains(&e.location.line), "{e}");
            assert!(!e.to_string().is_empty());
        }
    }
    // With every include read back as the same text: bounded, never a panic.
    let _ = ConfFile::parse(text, "manager.conf", &mut Itself(text));
}
