//! What a client must not get past the proxy: a wrong secret or MD5 key, an address its
//! user's ACL denies, an action above its write classes, CR/LF/NUL smuggled into a header,
//! another client's replies through a colliding ActionID; and thousands of failed logins
//! leave nothing behind.

mod support;

use ami_proto::filter::{ManagerConf, Rules};
use support::Conn;

const USERS: &[u8] = b"[general]
enabled = yes

[ops]
secret = s3cret
read = all
write = call,system,reporting

[reader]
secret = r3ad
read = call
write = reporting

[remote]
secret = far
read = all
write = all
deny = 0.0.0.0/0.0.0.0
permit = 10.0.0.0/8
";

fn users() -> ManagerConf {
    ManagerConf::parse(USERS, Rules::default()).unwrap()
}

/// The connection closes with nothing more.
async fn closes(conn: &mut Conn) {
    assert!(
        conn.next().await.is_none(),
        "the proxy closes the connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_wrong_key_and_denied_address_are_refused() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let failed = b"Response: Error\r\nActionID: login\r\nMessage: Authentication failed\r\n\r\n";

    let mut conn = Conn::connect(proxy.addr()).await;
    assert_eq!(conn.login("ops", "wrong").await.as_bytes(), failed);
    closes(&mut conn).await;

    let mut conn = Conn::connect(proxy.addr()).await;
    assert_eq!(conn.login("nobody", "s3cret").await.as_bytes(), failed);
    closes(&mut conn).await;

    // `remote` is only allowed from 10/8.
    let mut conn = Conn::connect(proxy.addr()).await;
    assert_eq!(conn.login("remote", "far").await.as_bytes(), failed);
    closes(&mut conn).await;

    // MD5: the right key in, a wrong one out, a key without a challenge out.
    for (key_of, accepted) in [
        (Some("s3cret"), true),
        (Some("S3CRET"), false),
        (None, false),
    ] {
        let mut conn = Conn::connect(proxy.addr()).await;
        let mut key = b"0123456789abcdef0123456789abcdef".to_vec();
        if let Some(secret) = key_of {
            conn.send(b"Action: Challenge\r\nActionID: c\r\nAuthType: MD5\r\n\r\n")
                .await;
            let challenge = conn.until_response(b"c").await.pop().unwrap();
            let challenge = challenge.message().get("Challenge").unwrap().to_vec();
            assert!(challenge.iter().all(u8::is_ascii_digit));
            key = ami_proxy::md5_key_for_tests(&challenge, secret.as_bytes());
        }
        let mut login =
            b"Action: Login\r\nActionID: login\r\nAuthType: md5\r\nUsername: ops\r\nKey: ".to_vec();
        login.extend_from_slice(&key);
        login.extend_from_slice(b"\r\n\r\n");
        conn.send(&login).await;
        let reply = conn.until_response(b"login").await.pop().unwrap();
        if accepted {
            assert_eq!(
                reply.message().get("Message"),
                Some(&b"Authentication accepted"[..])
            );
        } else {
            assert_eq!(reply.as_bytes(), failed);
            closes(&mut conn).await;
        }
    }

    // Before a login, nothing but Login, Challenge and Logoff.
    let requests = upstream.stats().requests;
    let mut conn = Conn::connect(proxy.addr()).await;
    conn.send(b"Action: Ping\r\nActionID: p\r\n\r\n").await;
    assert_eq!(
        conn.until_response(b"p").await.pop().unwrap().as_bytes(),
        b"Response: Error\r\nActionID: p\r\nMessage: Permission denied\r\n\r\n"
    );
    assert_eq!(
        upstream.stats().requests,
        requests,
        "nothing reached Asterisk"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_classes_and_smuggled_lines_stop_at_the_proxy() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let mut reader = Conn::connect(proxy.addr()).await;
    assert_eq!(
        reader
            .login("reader", "r3ad")
            .await
            .message()
            .get("Message"),
        Some(&b"Authentication accepted"[..])
    );
    let requests = upstream.stats().requests;
    let denied = |id: &str| {
        format!("Response: Error\r\nActionID: {id}\r\nMessage: Permission denied\r\n\r\n")
    };
    // originate, system+call, system (Filter), an action nobody documents (needs all).
    for (id, action) in [
        (
            "1",
            "Action: Originate\r\nActionID: 1\r\nChannel: Local/1@x\r\nApplication: Wait\r\n\r\n",
        ),
        (
            "2",
            "Action: hangup\r\nActionID: 2\r\nChannel: Local/1@x\r\n\r\n",
        ),
        (
            "3",
            "Action: Filter\r\nActionID: 3\r\nOperation: Add\r\nFilter: x\r\n\r\n",
        ),
        ("4", "Action: SomeModuleAction\r\nActionID: 4\r\n\r\n"),
        (
            "5",
            "Action: DBPut\r\nActionID: 5\r\nFamily: f\r\nKey: k\r\nVal: v\r\n\r\n",
        ),
    ] {
        reader.send(action.as_bytes()).await;
        let reply = reader.until_response(id.as_bytes()).await.pop().unwrap();
        assert_eq!(String::from_utf8_lossy(reply.as_bytes()), denied(id));
    }
    assert_eq!(
        upstream.stats().requests,
        requests,
        "nothing reached Asterisk"
    );

    let mut ops = Conn::connect(proxy.addr()).await;
    ops.login("ops", "s3cret").await;
    let requests = upstream.stats().requests;
    // A bare CR or a NUL inside a value: refused by the encoder, nothing forwarded.
    for (id, action) in [
        (
            "cr",
            &b"Action: Ping\r\nActionID: cr\r\nX: 1\rAction: Originate\r\n\r\n"[..],
        ),
        (
            "nul",
            &b"Action: Ping\r\nActionID: nul\r\nX: 1\0Action: Originate\r\n\r\n"[..],
        ),
    ] {
        ops.send(action).await;
        let reply = ops.until_response(id.as_bytes()).await.pop().unwrap();
        let message = reply.message();
        assert_eq!(message.name(), b"Error", "{id}");
        assert!(
            message
                .get_str("Message")
                .unwrap()
                .starts_with("Refused by the proxy"),
            "{id}: {:?}",
            message.get_str("Message")
        );
    }
    assert_eq!(
        upstream.stats().requests,
        requests,
        "nothing reached Asterisk"
    );
    // A line that is no header: the request is refused whole (its ActionID unread).
    ops.send(b"Action: Ping\r\nActionID: key\r\nBad Key: 1\r\n\r\n")
        .await;
    let reply = ops.next().await.unwrap();
    assert_eq!(reply.message().name(), b"Error");
    assert!(reply
        .message()
        .get_str("Message")
        .unwrap()
        .starts_with("Malformed request: "));
    assert_eq!(reply.message().action_id(), None);
    assert_eq!(
        upstream.stats().requests,
        requests,
        "nothing reached Asterisk"
    );
    // A bare LF ends a line, as it does for Asterisk: the first Action is the action, and
    // a second `Action:` line is not forwarded as one.
    ops.send(b"Action: Ping\nActionID: lf\nAction: Originate\n\n")
        .await;
    let reply = ops.until_response(b"lf").await.pop().unwrap();
    assert_eq!(reply.message().get("Ping"), Some(&b"Pong"[..]));
    assert_eq!(upstream.stats().requests, requests + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colliding_action_ids_get_their_own_replies() {
    let upstream = support::upstream().await;
    let proxy = support::proxy(upstream.addr(), users()).await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        let mut conn = Conn::connect(proxy.addr()).await;
        conn.login("ops", "s3cret").await;
        // Events on: the check below also shows no reply reaches another client as an
        // event.
        clients.push(conn);
    }
    // The same ActionIDs from everyone, one of them in the upstream client's own form,
    // one empty (no ActionID comes back), all sent before any reply is read.
    let ids: [&[u8]; 3] = [b"1", b"ami-1", b""];
    for conn in &mut clients {
        for id in ids {
            let mut action = b"Action: DBGet\r\n".to_vec();
            if !id.is_empty() {
                action.extend_from_slice(b"ActionID: ");
                action.extend_from_slice(id);
                action.extend_from_slice(b"\r\n");
            }
            action.extend_from_slice(b"Family: captest\r\nKey: k1\r\n\r\n");
            conn.send(&action).await;
        }
        conn.send(b"Action: Ping\r\nActionID: end\r\n\r\n").await;
    }
    for conn in &mut clients {
        let got: Vec<_> = conn
            .until_response(b"end")
            .await
            .into_iter()
            .filter(|m| m.message().name() != b"FullyBooted")
            .collect();
        // Per DBGet: the response, one DBGetResponse, the DBGetComplete; then the Pong.
        assert_eq!(
            got.len(),
            3 * 3 + 1,
            "{:?}",
            got.iter()
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .collect::<Vec<_>>()
        );
        for id in ids {
            let mine: Vec<_> = got
                .iter()
                .filter(|m| m.message().action_id().unwrap_or(b"") == id)
                .collect();
            assert_eq!(mine.len(), 3, "ActionID {:?}", String::from_utf8_lossy(id));
            assert_eq!(mine[1].message().get("Val"), Some(&b"value one"[..]));
            assert_eq!(mine[2].message().name(), b"DBGetComplete");
        }
        // The reply keeps Asterisk's bytes but for the ActionID.
        assert_eq!(
            got[0].as_bytes(),
            b"Response: Success\r\nActionID: 1\r\nEventList: start\r\nMessage: Result will follow\r\n\r\n"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_do_not_log_in_are_limited_in_number_and_time() {
    let upstream = support::upstream().await;
    let users = ManagerConf::parse(
        b"[general]\nauthtimeout = 4\nauthlimit = 2\n\n[ops]\nsecret = s\nread = all\nwrite = all\n",
        Rules::default(),
    )
    .unwrap();
    let proxy = support::proxy(upstream.addr(), users).await;
    let started = std::time::Instant::now();
    let mut first = Conn::connect(proxy.addr()).await;
    let mut second = Conn::connect(proxy.addr()).await;
    // A third one while two wait: over authlimit, closed at once.
    let mut third = Conn::connect(proxy.addr()).await;
    closes(&mut third).await;
    // A client that logs in is no longer counted, nor timed.
    let mut fourth = Conn::connect(proxy.addr()).await;
    closes(&mut fourth).await;
    second.login("ops", "s").await;
    // The first one is closed after authtimeout.
    closes(&mut first).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
    assert_eq!(proxy.clients(), 1, "only the client that logged in is left");
    second.send(b"Action: Ping\r\nActionID: p\r\n\r\n").await;
    let pong = second.until_response(b"p").await.pop().unwrap();
    assert_eq!(pong.message().get("Ping"), Some(&b"Pong"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowmultiplelogin_no_admits_one_session_at_a_time() {
    let upstream = support::upstream().await;
    let users = ManagerConf::parse(
        b"[solo]\nsecret = s\nread = all\nwrite = all\nallowmultiplelogin = no\n",
        Rules::default(),
    )
    .unwrap();
    let proxy = support::proxy(upstream.addr(), users).await;
    let accepted = Some(&b"Authentication accepted"[..]);
    let mut first = Conn::connect(proxy.addr()).await;
    assert_eq!(
        first.login("solo", "s").await.message().get("Message"),
        accepted
    );
    let mut second = Conn::connect(proxy.addr()).await;
    assert_eq!(
        second.login("SOLO", "s").await.message().get("Message"),
        Some(&b"Authentication failed"[..])
    );
    closes(&mut second).await;
    first.send(b"Action: Logoff\r\nActionID: bye\r\n\r\n").await;
    first.until_response(b"bye").await;
    closes(&mut first).await;
    let mut third = Conn::connect(proxy.addr()).await;
    assert_eq!(
        third.login("solo", "s").await.message().get("Message"),
        accepted
    );
}
