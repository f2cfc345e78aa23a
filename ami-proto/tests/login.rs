//! The login state machine against the real plain and MD5 challenge transcripts: it must
//! send byte for byte what the real client sent and read the real outcome.

mod replay;

use ami_proto::{
    Action, ActionId, AuthMethod, Credentials, Decoded, Decoder, Item, Login, LoginEvent,
    LoginFailure, OwnedMessage,
};
use replay::Step;

/// Drives `login` through transcript `name` of every version; returns, per version, the
/// requests it produced and the events it reported.
fn run(name: &str, credentials: Credentials<'_>) -> Vec<(Vec<u8>, Vec<LoginEvent>, Vec<u8>)> {
    let mut results = Vec::new();
    for t in replay::named(name) {
        let mut login = Login::new();
        let mut next_id = 1;
        let mut sent = Vec::new();
        let mut events = Vec::new();
        let mut poll = |login: &mut Login, sent: &mut Vec<u8>| {
            let id = ActionId::new(format!("cap-{next_id}").as_bytes()).unwrap();
            if let Some(request) = login.poll_request(id, &credentials) {
                request.encode_to_vec(sent).unwrap();
                next_id += 1;
            }
        };
        poll(&mut login, &mut sent);
        let mut decoder = Decoder::new();
        let mut buf = Vec::new();
        for step in &t.steps {
            let Step::Received(bytes) = step else {
                continue;
            };
            buf.extend_from_slice(bytes);
            let mut used = 0;
            while let Decoded::Item { item, consumed } = decoder.decode(&buf[used..]) {
                used += consumed;
                if let Item::Message(m) = item {
                    if let Some(event) = login.handle(&m) {
                        events.push(event);
                    }
                }
                poll(&mut login, &mut sent);
            }
            buf.drain(..used);
        }
        results.push((sent, events, t.client.clone()));
    }
    assert_eq!(results.len(), 2, "{name}: one transcript per version");
    results
}

#[test]
fn md5_challenge_matches_real_client_and_is_accepted() {
    let secret = replay::secret("admin");
    let creds = Credentials::md5("admin", &secret).with_events("off");
    for (sent, events, client) in run("06_challenge_md5", creds) {
        assert!(
            client.starts_with(&sent),
            "sent {}\nclient {}",
            sent.escape_ascii(),
            client.escape_ascii()
        );
        assert!(sent.windows(5).any(|w| w == b"Key: "));
        assert_eq!(events, [LoginEvent::Challenged, LoginEvent::Accepted]);
    }
}

#[test]
fn md5_wrong_key_is_rejected() {
    let creds = Credentials::md5("admin", "not-the-secret").with_events("off");
    for (sent, events, client) in run("07_challenge_md5_wrong_key", creds) {
        // Same requests as the real client except the key (it sent 32 zeros).
        let mask = |b: &[u8]| {
            let text = String::from_utf8_lossy(b).into_owned();
            let start = text.find("Key: ").unwrap() + 5;
            format!("{}{}", &text[..start], &text[start + 32..])
        };
        assert_eq!(mask(&sent), mask(&client));
        assert_eq!(
            events,
            [
                LoginEvent::Challenged,
                LoginEvent::Rejected(LoginFailure::Refused)
            ]
        );
    }
}

#[test]
fn plain_login_accepted_and_rejected() {
    let secret = replay::secret("admin");
    let creds = Credentials::plain("admin", &secret);
    for (sent, events, client) in run("02_login_success", creds) {
        assert!(client.starts_with(&sent));
        assert_eq!(events, [LoginEvent::Accepted]);
    }
    let creds = Credentials::plain("admin", "wrong-secret");
    for (sent, events, client) in run("04_login_wrong_secret", creds) {
        assert_eq!(sent, client);
        assert_eq!(events, [LoginEvent::Rejected(LoginFailure::Refused)]);
    }
    let secret = replay::secret("reader");
    let creds = Credentials::plain("reader", &secret).with_events("off");
    for (sent, events, _) in run("57_permission_denied", creds) {
        assert!(sent.starts_with(b"Action: Login\r\nActionID: cap-1\r\nUsername: reader\r\n"));
        assert_eq!(events, [LoginEvent::Accepted]);
    }
}

#[test]
fn replies_for_others_and_bad_challenges_are_handled() {
    let decode = |wire: &'static [u8]| match Decoder::new().decode(wire) {
        Decoded::Item {
            item: Item::Message(m),
            ..
        } => OwnedMessage::new(&m),
        other => panic!("{other:?}"),
    };
    let id = ActionId::new(b"L").unwrap();
    let credentials = Credentials::md5("admin", "x");
    let mut login = Login::new();
    assert_eq!(
        login.poll_request(id, &credentials).unwrap().name(),
        "Challenge"
    );
    // A reply with another ActionID is not ours.
    let m = decode(b"Response: Success\r\nActionID: other\r\nChallenge: 1\r\n\r\n");
    assert_eq!(login.handle(&m.message()), None);
    // A challenge reply without a challenge fails.
    let m = decode(b"Response: Success\r\nActionID: L\r\n\r\n");
    assert_eq!(
        login.handle(&m.message()),
        Some(LoginEvent::Rejected(LoginFailure::BadChallenge))
    );
    assert_eq!(login.outcome(), Some(false));
    assert!(login.poll_request(id, &credentials).is_none());
    assert_eq!(Credentials::md5("a", "b").method, AuthMethod::Md5);
}

#[test]
fn secrets_never_in_debug() {
    let creds = Credentials::plain("admin", "s3cr3t-value");
    let mut login = Login::new();
    let request = login
        .poll_request(ActionId::new(b"1").unwrap(), &creds)
        .unwrap();
    for text in [
        format!("{creds:?}"),
        format!("{login:?}"),
        format!("{request:?}"),
    ] {
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    let md5 = Credentials::md5("admin", "s3cr3t-value");
    let mut login = Login::new();
    let _ = login.poll_request(ActionId::new(b"1").unwrap(), &md5);
    assert!(!format!("{login:?}").contains("s3cr3t"));
}
