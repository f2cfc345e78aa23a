//! Action parameters as a query string or form body: every byte survives real URL and
//! form parsers (hyper's `http::Uri`, the WHATWG form decoder of the `url` project and its
//! byte-level percent decoder, and Asterisk's own rule, `+` as a space), and nothing a
//! caller passes can add a parameter.

mod support;

use ami_http::{percent_encode, ActionParams, Auth, Encoding, Endpoint, FORM_CONTENT_TYPE};
use ami_proto::{Action, ActionWriter, EncodeErrorKind, GenericAction};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

/// Asterisk's decoding of a parameter (`ast_uri_decode` in legacy mode): `+` is a space,
/// `%XX` a byte.
fn asterisk_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The `(name, value)` pairs of `query`, each decoded to bytes three ways that must agree.
fn parse(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    // A real request target: nothing in the query needs escaping and nothing cuts it short.
    let uri: http::Uri = format!("http://pbx:8088/rawman?{query}").parse().unwrap();
    assert_eq!(uri.query(), Some(query));
    assert_eq!(uri.path(), "/rawman");
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            assert!(!v.contains('='), "{pair}");
            let (k, v) = (
                percent_decode_str(k).collect::<Vec<u8>>(),
                percent_decode_str(v).collect::<Vec<u8>>(),
            );
            (k, v)
        })
        .collect();
    let form: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(form.len(), pairs.len());
    for ((k, v), (fk, fv)) in pairs.iter().zip(&form) {
        assert_eq!(String::from_utf8_lossy(k), *fk);
        assert_eq!(String::from_utf8_lossy(v), *fv);
    }
    for (pair, (k, v)) in query.split('&').zip(&pairs) {
        let (ak, av) = pair.split_once('=').unwrap();
        assert_eq!(
            (asterisk_decode(ak), asterisk_decode(av)),
            (k.clone(), v.clone())
        );
    }
    pairs
}

#[test]
fn every_byte_round_trips() {
    for b in 0..=255u8 {
        let value = [b'x', b, b'y', b, b];
        let mut query = String::from("Action=Ping&K");
        percent_encode(&[b], &mut query);
        query.push('=');
        percent_encode(&value, &mut query);
        let pairs = parse(&query);
        assert_eq!(
            pairs,
            [
                (b"Action".to_vec(), b"Ping".to_vec()),
                ([b'K', b].to_vec(), value.to_vec())
            ],
            "byte {b}"
        );
        // Unreserved bytes stay as they are; every other byte is escaped.
        let plain = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        let escaped = if plain { 1 } else { 3 };
        assert_eq!(
            query.len(),
            "Action=Ping&K=xy".len() + 4 * escaped,
            "byte {b}"
        );
    }
}

#[test]
fn every_byte_an_action_may_hold_round_trips_through_the_action_writer() {
    for b in 0..=255u8 {
        let value = [b'a', b, b'b'];
        let action = GenericAction::new("UserEvent")
            .header("UserEvent", "x")
            .header("Data", value);
        match ActionParams::new(&action, Some(b"id-1")) {
            Ok(params) => {
                assert!(!matches!(b, b'\r' | b'\n' | 0), "byte {b} was let through");
                let pairs = parse(&params.query());
                let want: Vec<(Vec<u8>, Vec<u8>)> = params
                    .pairs()
                    .map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .collect();
                assert_eq!(pairs, want);
                assert_eq!(pairs.len(), 4);
                assert_eq!(pairs[3].1, value);
            }
            Err(error) => {
                assert!(matches!(b, b'\r' | b'\n' | 0), "byte {b}: {error}");
                assert!(matches!(error.kind, EncodeErrorKind::ForbiddenByte { .. }));
            }
        }
    }
}

#[test]
fn nothing_a_caller_passes_adds_a_parameter() {
    let attempts: [&[u8]; 10] = [
        b"x&Action=Hangup&Channel=PJSIP/100",
        b"x=y",
        b"#fragment",
        b"?Action=Hangup",
        b"%26Action%3DHangup",
        b"a+b c",
        b"\xff\xfe%",
        "Zoë ☎".as_bytes(),
        b";Action=Hangup",
        b"x\tAction: Hangup",
    ];
    for attempt in attempts {
        let action = GenericAction::new("Originate")
            .header("Channel", attempt)
            .header("Data", attempt)
            .variable("V", "1");
        let params = ActionParams::new(&action, None).unwrap();
        let pairs = parse(&params.query());
        assert_eq!(pairs.len(), 4, "{}", attempt.escape_ascii());
        assert_eq!(pairs[0], (b"Action".to_vec(), b"Originate".to_vec()));
        assert_eq!(pairs[1].1, attempt);
        assert_eq!(pairs[2].1, attempt);
        assert_eq!(pairs[3], (b"Variable".to_vec(), b"V=1".to_vec()));
        // The same string is the POST body.
        let target = Endpoint::new(Encoding::Rawman, Auth::Cookie).target(&params);
        assert_eq!(target, format!("/rawman?{}", params.query()));
    }
    // Line breaks and NUL are refused by the writer, in keys and values alike.
    for bad in [&b"a\r\nAction: Hangup"[..], b"a\nb", b"a\rb", b"a\0b"] {
        assert!(ActionParams::new(&GenericAction::new("Ping").header("X", bad), None).is_err());
        assert!(ActionParams::new(&GenericAction::new("Ping").header(bad, "v"), None).is_err());
    }
    assert!(ActionParams::new(&GenericAction::new("Ping&Action=Hangup"), None).is_ok());
    assert!(ActionParams::new(&GenericAction::new("Ping Hangup"), None).is_err());
    assert_eq!(FORM_CONTENT_TYPE, "application/x-www-form-urlencoded");
}

/// Any `Action`, not only `GenericAction`: its own headers, in order, with the writer's
/// checks.
#[test]
fn any_action() {
    struct Park<'a> {
        channel: &'a str,
    }
    impl Action for Park<'_> {
        fn name(&self) -> &str {
            "Park"
        }
        fn action_id(&self) -> Option<&[u8]> {
            Some(b"park-7")
        }
        fn write_headers(&self, w: &mut ActionWriter<'_>) {
            w.header("Channel", self.channel).header("Timeout", "45000");
        }
    }
    let park = Park {
        channel: "PJSIP/100-0001",
    };
    let params = ActionParams::new(&park, park.action_id()).unwrap();
    assert_eq!(
        params.query(),
        "Action=Park&ActionID=park-7&Channel=PJSIP%2F100-0001&Timeout=45000"
    );
    // A second ActionID is refused, as on TCP.
    let twice = GenericAction::new("Ping").header("ActionID", "1");
    assert_eq!(
        ActionParams::new(&twice.clone().header("ActionID", "2"), twice.action_id())
            .unwrap_err()
            .kind,
        EncodeErrorKind::DuplicateActionId
    );
    let too_long = "v".repeat(2000);
    assert!(ActionParams::new(&GenericAction::new("Ping").header("K", &too_long), None).is_err());
}

/// Every request of the recordings (which Asterisk answered) can be made, and gives the
/// same parameters as curl sent.
#[test]
fn every_recorded_request_can_be_made() {
    let mut made = 0;
    for e in support::exchanges()
        .iter()
        .filter(|e| e.version == "23.4.1")
    {
        let query = match e.request.split_once('?') {
            Some((_, query)) => query.to_string(),
            None => e.curl.split("--data ").nth(1).unwrap().to_string(),
        };
        let sent = parse(&query);
        let (first, rest) = sent.split_first().unwrap();
        assert_eq!(first.0, b"action");
        let mut action = GenericAction::new(String::from_utf8(first.1.clone()).unwrap());
        for (k, v) in rest {
            action = action.header(k, v);
        }
        let params = ActionParams::new(&action, action.action_id()).unwrap();
        let ours = parse(&params.query());
        let lower = |pairs: &[(Vec<u8>, Vec<u8>)]| {
            let mut p: Vec<_> = pairs
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect();
            p.sort();
            p
        };
        assert_eq!(lower(&ours), lower(&sent), "{}", e.id());
        made += 1;
    }
    assert_eq!(made, 75);
}

#[test]
fn endpoints() {
    assert_eq!(
        Endpoint::new(Encoding::Rawman, Auth::Cookie).path(),
        "/rawman"
    );
    assert_eq!(
        Endpoint::new(Encoding::Manager, Auth::Digest).path(),
        "/amanager"
    );
    let prefixed = Endpoint::with_prefix("asterisk//ajam", Encoding::Mxml, Auth::Cookie).unwrap();
    assert_eq!(prefixed.path(), "/asterisk/ajam/mxml");
    for bad in ["a?b", "a#b", "a b", "a%2F", "a&b", "é"] {
        assert!(
            Endpoint::with_prefix(bad, Encoding::Mxml, Auth::Cookie).is_err(),
            "{bad}"
        );
    }
}

proptest! {
    #[test]
    fn any_pairs_round_trip(pairs in proptest::collection::vec(
        (proptest::collection::vec(any::<u8>(), 1..8), proptest::collection::vec(any::<u8>(), 0..24)),
        1..6,
    )) {
        let mut query = String::new();
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            percent_encode(k, &mut query);
            query.push('=');
            percent_encode(v, &mut query);
        }
        prop_assert_eq!(parse(&query), pairs);
    }
}
