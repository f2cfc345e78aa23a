//! The checks of the `ajam_decode` fuzz target, as a plain function that panics when a
//! property does not hold (`benches::fuzzing` calls it, so saved inputs replay in
//! `cargo test`).

use ami_proto::{Config, Decoded, Decoder, Item, Limits, OwnedItem, OwnedMessage};

use crate::render::render;
use crate::{
    check_session, decode_with, DigestAuth, DigestChallenge, Encoding, SessionCheck, SessionCookie,
};

/// Small limits, so that every limit error is reachable.
const SMALL: Limits = Limits::DEFAULT
    .with_max_line(40)
    .with_max_message(300)
    .with_max_headers(6);

/// `ajam_decode`: byte 0 picks what reads the rest: bits 0-1 the mxml reader, the manager
/// page reader, the `WWW-Authenticate` parser or the `Set-Cookie` parser; bit 2 small
/// limits for the readers.
pub fn ajam_decode(input: &[u8]) {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let limits = if selector & 4 == 0 {
        Limits::DEFAULT
    } else {
        SMALL
    };
    match selector & 3 {
        0 => body(Encoding::Mxml, data, limits),
        1 => body(Encoding::Manager, data, limits),
        2 => digest(data),
        _ => cookie(data),
    }
}

/// Decodes `data`; checks offsets, limits and the messages' own consistency; returns the
/// messages and whether there were errors.
fn decode_checked(encoding: Encoding, data: &[u8], limits: Limits) -> (Vec<OwnedMessage>, bool) {
    let config = Config::default().with_limits(limits);
    let mut messages = Vec::new();
    let mut errors = false;
    for (n, item) in decode_with(encoding, data, config).enumerate() {
        // Every item but the last uses at least one byte of the body.
        assert!(n <= data.len() + 1, "no progress");
        match item {
            Ok(OwnedItem::Message(m)) => {
                check_message(&m, &limits);
                messages.push(m);
            }
            Ok(other) => panic!("{encoding:?} gave {other:?}"),
            Err(e) => {
                assert!(
                    e.message_offset <= e.offset && e.offset <= data.len(),
                    "{e:?}"
                );
                // Errors display.
                let _ = e.to_string();
                errors = true;
            }
        }
    }
    (messages, errors)
}

/// A message is within the limits, and its bytes decode back to it (unless a key holds a
/// space or tab, which the manager page allows and AMI does not: see the crate docs).
fn check_message(m: &OwnedMessage, limits: &Limits) {
    let message = m.message();
    assert!(!message.is_empty() && message.len() <= limits.max_headers);
    if message
        .headers()
        .any(|h| h.key.iter().any(|&b| b == b' ' || b == b'\t'))
    {
        return;
    }
    let mut decoder = Decoder::new();
    let _ = decoder.finish(b"");
    match decoder.decode(m.as_bytes()) {
        Decoded::Item {
            item: Item::Message(again),
            consumed,
        } => {
            assert_eq!(consumed, m.as_bytes().len());
            assert_eq!(OwnedMessage::new(&again), *m);
        }
        other => panic!("{m:?} decodes as {other:?}"),
    }
}

/// The AMI text of `messages`, as rawman would send them.
fn text(messages: &[OwnedMessage]) -> Vec<u8> {
    messages
        .iter()
        .flat_map(|m| m.as_bytes().iter().copied())
        .collect()
}

fn body(encoding: Encoding, data: &[u8], limits: Limits) {
    let (first, _) = decode_checked(encoding, data, limits);
    if limits != Limits::DEFAULT {
        return;
    }
    // What Asterisk would send for these messages, read back and sent again: after two
    // rounds (keys lower-cased, blanks trimmed, counters renumbered) the body no longer
    // changes, so reader and model agree.
    let second = render(encoding, &text(&first));
    let (again, errors) = decode_checked(encoding, &second, limits);
    if errors {
        return; // e.g. an output line `: x` makes a field without a key
    }
    let third = render(encoding, &text(&again));
    let (settled, errors) = decode_checked(encoding, &third, limits);
    assert!(!errors, "{encoding:?} fails on its own rendering");
    let fourth = render(encoding, &text(&settled));
    assert_eq!(
        third.escape_ascii().to_string(),
        fourth.escape_ascii().to_string()
    );
}

fn digest(data: &[u8]) {
    let Ok(challenge) = DigestChallenge::parse(data) else {
        return;
    };
    let mut auth = DigestAuth::new(challenge.clone());
    let header = auth
        .authorization(
            "admin",
            "amp111",
            "GET",
            "/arawman?Action=Ping&ActionID=1",
            "0a4f113b",
        )
        .expect("valid inputs are always answered");
    assert!(!header.bytes().any(|b| b < 0x20 || b == 0x7f), "{header:?}");
    // The answer is itself a list of parameters that gives back what was echoed.
    let echoed = DigestChallenge::parse(header.as_bytes()).expect("the header parses");
    assert_eq!(echoed.realm(), challenge.realm());
    assert_eq!(echoed.nonce(), challenge.nonce());
    assert_eq!(echoed.opaque(), challenge.opaque());
    assert_eq!(echoed.algorithm(), challenge.algorithm());
    assert_eq!(echoed.offers_qop_auth(), challenge.offers_qop_auth());
}

fn cookie(data: &[u8]) {
    let Ok(Some(cookie)) = SessionCookie::parse(data) else {
        return;
    };
    let header = cookie.header_value();
    assert!(header
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b';' && b != b','));
    let back = SessionCookie::parse(header.as_bytes())
        .expect("a cookie we send parses")
        .expect("and is the session cookie");
    assert_eq!(back.id(), cookie.id());
    assert_eq!(
        check_session(Some(&cookie), Some(&back)),
        SessionCheck::Same
    );
}
