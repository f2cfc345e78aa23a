//! Logins as Asterisk checks them, driven by ami-proto's `Connection` (plain and MD5) over
//! the real exchanges of `06_challenge_md5` and `07_challenge_md5_wrong_key`, and the event
//! mask a login sets.

mod support;

use std::time::Duration;

use ami_proto::{ConnEvent, Connection, Credentials, LoginFailure};
use ami_replay::{Pace, ReplayServer, Users};
use support::{load, secret, users};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Drives `conn` over `stream` until the login is decided; returns every event and
/// whether the server then closed the connection.
async fn log_in(conn: &mut Connection<'_>, stream: &mut TcpStream) -> (Vec<ConnEvent>, bool) {
    let mut events = Vec::new();
    let mut buf = vec![0; 4096];
    loop {
        if let Some(bytes) = conn.poll_transmit() {
            stream.write_all(&bytes).await.unwrap();
        }
        while let Some(event) = conn.poll_event() {
            let done = matches!(event, ConnEvent::LoggedIn | ConnEvent::LoginFailed(..));
            events.push(event);
            if done {
                let closed = matches!(events.last(), Some(ConnEvent::LoginFailed(..)))
                    && matches!(
                        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await,
                        Ok(Ok(0))
                    );
                return (events, closed);
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the server answers")
            .unwrap();
        if n == 0 {
            conn.handle_eof();
        } else {
            conn.handle_input(&buf[..n]);
        }
    }
}

#[tokio::test]
async fn md5_login_against_the_recorded_challenge() {
    for version in ["asterisk-13.38.3", "asterisk-23.4.1"] {
        let capture = load(version, "06_challenge_md5");
        let server = ReplayServer::builder([capture])
            .users(users())
            .pace(Pace::AsFastAsPossible)
            .start()
            .await
            .unwrap();
        let admin = secret("admin");

        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let mut conn: Connection = Connection::new();
        conn.login(Credentials::md5("admin", &admin).with_events("off"))
            .unwrap();
        let (events, _) = log_in(&mut conn, &mut stream).await;
        assert!(matches!(events[0], ConnEvent::Banner(_)), "{events:?}");
        assert_eq!(events.last(), Some(&ConnEvent::LoggedIn), "{version}");

        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let mut conn: Connection = Connection::new();
        conn.login(Credentials::md5("admin", "not-the-secret"))
            .unwrap();
        let (events, closed) = log_in(&mut conn, &mut stream).await;
        assert!(
            matches!(events.last(), Some(ConnEvent::LoginFailed(LoginFailure::Refused, Some(m)))
                if m.message().get("Message") == Some(&b"Authentication failed"[..])),
            "{version}: {events:?}"
        );
        assert!(closed, "{version}: the server closes after a failed login");
        assert_eq!(server.stats().logged_in, 1);
    }
}

/// The recorded `Key` of 06 is right for the recorded challenge and the configured secret;
/// 07's all-zero key is not, and Asterisk's one-second wait comes before the answer.
#[tokio::test]
async fn recorded_keys_are_checked_and_a_failure_waits_a_second() {
    let good = load("asterisk-23.4.1", "06_challenge_md5");
    let bad = load("asterisk-23.4.1", "07_challenge_md5_wrong_key");
    let server = ReplayServer::builder([good.clone()])
        .users(users())
        .pace(Pace::Speed(4.0))
        .start()
        .await
        .unwrap();
    for (capture, accepted) in [(&good, true), (&bad, false)] {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        // Challenge and Login, as the recorded client wrote them.
        let client = &capture.client_bytes()[..];
        let login_end = find(client, b"Events: off\r\n\r\n").unwrap() + 15;
        let started = std::time::Instant::now();
        stream.write_all(&client[..login_end]).await.unwrap();
        let mut got = Vec::new();
        let want: &[u8] = if accepted {
            b"Message: Authentication accepted\r\n\r\n"
        } else {
            b"Message: Authentication failed\r\n\r\n"
        };
        let mut buf = [0; 1024];
        while find(&got, want).is_none() {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before the answer: {}", got.escape_ascii());
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got.starts_with(b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nActionID: cap-1\r\nChallenge: 39188675\r\n\r\n"));
        if !accepted {
            assert!(
                started.elapsed() >= Duration::from_millis(250),
                "a quarter of a second at speed 4"
            );
            assert_eq!(stream.read(&mut buf).await.unwrap(), 0, "then closed");
        }
    }
}

#[tokio::test]
async fn without_users_any_login_is_accepted_with_users_only_theirs() {
    let capture = load("asterisk-13.38.3", "58_logoff");
    let open = ReplayServer::start([capture.clone()]).await.unwrap();
    let checked = ReplayServer::builder([capture])
        .users(Users::new().user("ops", "s3cret"))
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    for (server, user, secret, ok) in [
        (&open, "anyone", "anything", true),
        (&checked, "ops", "s3cret", true),
        (&checked, "OPS", "s3cret", true),
        (&checked, "ops", "S3CRET", false),
        (&checked, "admin", "amp111", false),
    ] {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let mut conn: Connection = Connection::new();
        conn.login(Credentials::plain(user, secret)).unwrap();
        let (events, closed) = log_in(&mut conn, &mut stream).await;
        assert_eq!(
            events.last() == Some(&ConnEvent::LoggedIn),
            ok,
            "{user}/{secret}: {events:?}"
        );
        assert_eq!(closed, !ok);
    }
    assert_eq!(open.stats().logged_in, 1);
    assert_eq!(checked.stats().logged_in, 2);
}

/// `Events: off` at login keeps a capture's events away until `Events` turns them on.
#[tokio::test]
async fn the_event_mask_of_the_login_and_of_events() {
    let capture = load("asterisk-23.4.1", "02_login_success");
    let server = ReplayServer::builder([capture])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: off\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    while find(&got, b"Authentication accepted\r\n\r\n").is_none() {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    stream
        .write_all(
            b"Action: Events\r\nActionID: e\r\nEventMask: system\r\n\r\nAction: Logoff\r\n\r\n",
        )
        .await
        .unwrap();
    stream.read_to_end(&mut got).await.unwrap();
    let text = String::from_utf8(got).unwrap();
    // No recorded Events action: Asterisk's own reply. The events were due at the login,
    // when the mask was off: not sent; the mask on afterwards does not bring them back.
    assert_eq!(
        text,
        "Asterisk Call Manager/12.0.0\r\n\
         Response: Success\r\nMessage: Authentication accepted\r\n\r\n\
         Response: Success\r\nActionID: e\r\nEvents: On\r\n\r\n\
         Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n"
    );

    // With the mask on, FullyBooted (system) passes and SuccessfulAuth (security) does not.
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: system\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    while find(&got, b"Status: Fully Booted\r\n\r\n").is_none() {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    stream.write_all(b"Action: Logoff\r\n\r\n").await.unwrap();
    stream.read_to_end(&mut got).await.unwrap();
    assert!(find(&got, b"Event: FullyBooted").is_some());
    assert!(
        find(&got, b"SuccessfulAuth").is_none(),
        "{}",
        got.escape_ascii()
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
