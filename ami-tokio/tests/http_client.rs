//! `HttpClient` against a local server that answers like Asterisk from the recorded AJAM
//! replies (`tests/support/server.rs`), in all three encodings: the login and the cookie
//! sent back, digest challenges and answers, wrong secrets, an expired session and the
//! new login, events over several `WaitEvent` polls, an `Async` Originate finished by a
//! poll; and that nothing a caller passes adds a parameter or a header, and that the
//! secret goes nowhere but the login's POST body.

#[path = "support/ajam/mod.rs"]
mod ajam;

use std::collections::BTreeSet;
use std::time::Duration;

use ajam::recorded::{split_messages, Recorded};
use ajam::server::{AsteriskHttp, Options, Received};
use ami_proto::{GenericAction, ListEnd, OwnedMessage};
use ami_tokio::{
    Auth, ClientEvent, Encoding, Error, Events, HttpClient, HttpConfig, HttpError, TlsConfig,
};

const VERSIONS: [&str; 2] = ["13.38.3", "23.4.1"];
const AUTHS: [Auth; 2] = [Auth::Cookie, Auth::Digest];

fn config(server: &AsteriskHttp, encoding: Encoding, auth: Auth) -> HttpConfig {
    HttpConfig::new(&server.url())
        .unwrap()
        .credentials("admin", "amp111")
        .encoding(encoding)
        .auth(auth)
        .timeout(Duration::from_secs(10))
        .poll(None)
        .keepalive(None)
}

async fn start(version: &'static str) -> AsteriskHttp {
    AsteriskHttp::start(Options {
        version,
        ..Options::default()
    })
    .await
}

/// The next item a subscriber gets (within 10 s).
async fn next(events: &mut Events) -> ClientEvent {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event in time")
        .expect("the client is open")
}

fn params(pairs: &[(&str, &[u8])]) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.to_vec()))
        .collect()
}

/// The request header names, sorted.
fn header_names(r: &Received) -> BTreeSet<&str> {
    r.headers.iter().map(|(k, _)| k.as_str()).collect()
}

/// `mansession_id="..."` as a reply set it (the pair a browser sends back).
fn cookie_pair(r: &Received) -> Vec<u8> {
    let set = r.answer_header("set-cookie").expect("a Set-Cookie");
    let end = set.iter().position(|&b| b == b';').unwrap_or(set.len());
    set[..end].to_vec()
}

fn name(m: &OwnedMessage) -> String {
    String::from_utf8_lossy(m.message().name()).into_owned()
}

#[tokio::test]
async fn cookie_login_is_a_post_and_its_cookie_comes_back_on_every_request() {
    for version in VERSIONS {
        let recorded = Recorded::load(version);
        for encoding in Encoding::ALL {
            let what = format!("{version} {encoding:?}");
            let server = start(version).await;
            let config = config(&server, encoding, Auth::Cookie);
            let (client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
            match next(&mut events).await {
                ClientEvent::Connected { banner } => {
                    assert_eq!(banner, format!("Asterisk/{version}").as_bytes(), "{what}")
                }
                other => panic!("{what}: {other:?}"),
            }

            let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
            assert!(ping.is_success(), "{what}");
            assert_eq!(ping.message().get_str("Ping"), Some("Pong"), "{what}");
            assert_eq!(ping.message().action_id(), Some(&b"ami-2"[..]), "{what}");

            let version_command =
                GenericAction::new("Command").header("Command", "core show version");
            let command = client.send(&version_command).await.unwrap();
            assert!(command.is_success(), "{what}");
            let output: Vec<String> = command
                .message()
                .command_output()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect();
            let in_output = output
                .iter()
                .any(|l| l.starts_with(&format!("Asterisk {version} ")));
            // mxml turns 13's legacy output line, which holds colons, into a field with a
            // made-up key (see ami_http's docs): there the version is in that key.
            let mangled = format!("asterisk_{}_built_by", version.replace('.', "_"));
            let in_key = command
                .message()
                .headers()
                .any(|h| h.key.starts_with(mangled.as_bytes()));
            assert_eq!(
                (in_output, in_key),
                if version == "13.38.3" && encoding == Encoding::Mxml {
                    (false, true)
                } else {
                    (true, false)
                },
                "{what}: {output:?}"
            );

            let channels = client
                .send(&GenericAction::new("CoreShowChannels"))
                .await
                .unwrap();
            assert!(channels.is_success(), "{what}");
            assert_eq!(channels.items().len(), 2, "{what}");
            assert_eq!(
                channels.list_end(),
                Some(ListEnd::Complete {
                    seen: 2,
                    listed: Some(2)
                }),
                "{what}"
            );
            assert_eq!(name(channels.last().unwrap()), "CoreShowChannelsComplete");
            let recorded_list = ami_http::messages(
                Encoding::Rawman,
                recorded.body("rawman/08_coreshowchannels_up"),
            )
            .unwrap();
            for (got, want) in channels.items().iter().zip(&recorded_list[1..]) {
                assert_eq!(
                    got.message().get("Channel"),
                    want.message().get("Channel"),
                    "{what}"
                );
                assert_eq!(got.message().action_id(), channels.message().action_id());
            }

            let getvar = GenericAction::new("Getvar").header("Variable", "GLOBALTEST");
            let value = client.send(&getvar).await.unwrap();
            assert_eq!(
                value.message().get_str("Value"),
                Some("globalvalue"),
                "{what}"
            );
            let unknown = client
                .send(&GenericAction::new("NoSuchAction"))
                .await
                .unwrap();
            assert!(!unknown.is_success(), "{what}");
            assert!(unknown
                .message()
                .get_str("Message")
                .unwrap()
                .starts_with("Invalid/unknown command"));

            let received = server.received();
            assert_eq!(received.len(), 6, "{what}");
            let login = &received[0];
            assert_eq!(login.method, "POST");
            assert_eq!(login.target, format!("/{}", encoding.name()));
            assert_eq!(
                login.params,
                params(&[
                    ("Action", b"Login"),
                    ("ActionID", b"ami-1"),
                    ("Username", b"admin"),
                    ("Secret", b"amp111"),
                ])
            );
            assert_eq!(
                login.header("content-type"),
                Some(&b"application/x-www-form-urlencoded"[..])
            );
            assert_eq!(login.header("cookie"), None);
            let cookie = cookie_pair(login);
            assert!(cookie.starts_with(b"mansession_id=\""), "{what}");
            for r in &received[1..] {
                assert_eq!(r.method, "GET", "{what}");
                assert_eq!(
                    r.header("cookie"),
                    Some(&cookie[..]),
                    "{what}: {}",
                    r.target
                );
                assert_eq!(
                    header_names(r),
                    BTreeSet::from(["cookie", "host"]),
                    "{what}"
                );
                assert_eq!(r.body, b"");
                // Every reply named the session the request was sent in.
                assert_eq!(cookie_pair(r), cookie, "{what}");
            }
            assert_eq!(
                received[1].target,
                format!("/{}?Action=Ping&ActionID=ami-2", encoding.name())
            );
            assert_eq!(server.sessions(), 1, "{what}");
        }
    }
}

#[tokio::test]
async fn a_wrong_secret_is_a_login_error_on_both_paths() {
    for encoding in Encoding::ALL {
        let server = start("23.4.1").await;
        let wrong = config(&server, encoding, Auth::Cookie).credentials("admin", "wrong");
        let err = HttpClient::connect(wrong).await.unwrap_err();
        let Error::Login {
            reply: Some(reply), ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            reply.message().get_str("Message"),
            Some("Authentication failed")
        );
        assert_eq!(err.to_string(), "login refused (Authentication failed)");
        // Asterisk ended that session.
        assert_eq!(server.sessions(), 0);

        let wrong = config(&server, encoding, Auth::Digest).credentials("admin", "wrong");
        let err = HttpClient::connect(wrong).await.unwrap_err();
        assert!(matches!(err, Error::Login { reply: None, .. }), "{err:?}");
        let received = server.received();
        let digest: Vec<&Received> = received[1..].iter().collect();
        assert_eq!(digest.len(), 2, "the challenge, then the refused answer");
        assert!(digest.iter().all(|r| r.status == 401));
        assert_eq!(digest[0].header("authorization"), None);
        assert!(digest[1].header("authorization").is_some());
        let unknown_user = config(&server, encoding, Auth::Digest).credentials("nobody", "amp111");
        assert!(matches!(
            HttpClient::connect(unknown_user).await.unwrap_err(),
            Error::Login { reply: None, .. }
        ));
    }
}

/// The `nc` and `nonce` fields of a request's `Authorization` header.
fn nc_and_nonce(r: &Received) -> (u64, String) {
    let header = std::str::from_utf8(r.header("authorization").unwrap()).unwrap();
    let fields = ajam::digest::fields(header).unwrap();
    let get = |k: &str| fields.iter().find(|(key, _)| key == k).unwrap().1.clone();
    (u64::from_str_radix(&get("nc"), 16).unwrap(), get("nonce"))
}

#[tokio::test]
async fn digest_answers_the_challenge_counts_its_uses_and_renews_a_stale_nonce() {
    for version in VERSIONS {
        for encoding in Encoding::ALL {
            let what = format!("{version} {encoding:?}");
            let server = start(version).await;
            let client = HttpClient::connect(config(&server, encoding, Auth::Digest))
                .await
                .unwrap();
            for _ in 0..3 {
                let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
                assert_eq!(ping.message().get_str("Ping"), Some("Pong"), "{what}");
            }
            let received = server.received();
            assert_eq!(received.len(), 5, "{what}");
            assert_eq!(
                (received[0].status, received[0].header("authorization")),
                (401, None)
            );
            let (_, nonce) = nc_and_nonce(&received[1]);
            for (n, r) in received[1..].iter().enumerate() {
                assert_eq!(r.status, 200, "{what}");
                assert_eq!(nc_and_nonce(r), (n as u64 + 1, nonce.clone()), "{what}");
                assert_eq!(header_names(r), BTreeSet::from(["authorization", "host"]));
                assert!(r
                    .target
                    .starts_with(&format!("/a{}?Action=Ping&ActionID=", encoding.name())));
            }
            let challenge = received[0].answer_header("www-authenticate").unwrap();
            assert!(challenge.starts_with(b"Digest algorithm=MD5, realm=\"asterisk\", nonce=\""));

            server.age_nonces();
            let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
            assert!(ping.is_success(), "{what}");
            let received = server.received();
            let [.., stale, again] = &received[..] else {
                panic!()
            };
            assert_eq!(stale.status, 401);
            assert!(stale
                .answer_header("www-authenticate")
                .unwrap()
                .ends_with(b", stale=true"));
            assert_eq!(again.status, 200);
            let (nc, new_nonce) = nc_and_nonce(again);
            assert_eq!(nc, 1, "{what}");
            assert_ne!(new_nonce, nonce, "{what}");
            // No session cookie on the digest paths.
            assert!(received.iter().all(|r| r.header("cookie").is_none()));
            assert_eq!(server.sessions(), 1, "{what}");
        }
    }
}

#[tokio::test]
async fn an_expired_session_fails_its_call_clearly_then_the_client_logs_in_again() {
    for encoding in Encoding::ALL {
        let server = start("23.4.1").await;
        let (client, mut events) =
            HttpClient::connect_with_events(config(&server, encoding, Auth::Cookie))
                .await
                .unwrap();
        assert!(matches!(
            next(&mut events).await,
            ClientEvent::Connected { .. }
        ));
        let first_cookie = cookie_pair(&server.received()[0]);

        server.expire_sessions();
        let err = client.send(&GenericAction::new("Ping")).await.unwrap_err();
        assert!(
            matches!(err, Error::Http(HttpError::SessionExpired)),
            "{err:?}"
        );
        assert!(err.to_string().contains("the action was not run"), "{err}");
        match next(&mut events).await {
            ClientEvent::Disconnected { reason } => {
                assert!(reason.starts_with("the HTTP session expired"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        match next(&mut events).await {
            ClientEvent::Reconnected { banner } => assert_eq!(&banner[..], b"Asterisk/23.4.1"),
            other => panic!("{other:?}"),
        }
        let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
        assert!(ping.is_success());

        let received = server.received();
        let actions: Vec<String> = received.iter().map(Received::action).collect();
        assert_eq!(actions, ["login", "ping", "login", "ping"], "{encoding:?}");
        // The expired request went with the old cookie and was answered under a new one,
        // `Permission denied`.
        assert_eq!(received[1].header("cookie"), Some(&first_cookie[..]));
        assert_ne!(cookie_pair(&received[1]), first_cookie);
        let denied = ami_http::messages(encoding, &received[1].answer_body).unwrap();
        assert_eq!(
            denied[0].message().get_str("Message"),
            Some("Permission denied")
        );
        let second_cookie = cookie_pair(&received[2]);
        assert_ne!(second_cookie, first_cookie);
        assert_eq!(received[3].header("cookie"), Some(&second_cookie[..]));
    }
}

/// A session left idle longer than `httptimeout` is gone on the server (not ended by the
/// test): the next call fails with `SessionExpired` and the client logs in again. A
/// keepalive or polling more often than `httptimeout` keeps the one session.
#[tokio::test]
async fn an_idle_session_expires_after_httptimeout_unless_kept_busy() {
    let short = || {
        AsteriskHttp::start(Options {
            httptimeout: 2,
            ..Options::default()
        })
    };
    let logins = |server: &AsteriskHttp| {
        server
            .received()
            .iter()
            .filter(|r| r.action() == "login")
            .count()
    };
    let server = short().await;
    let (client, mut events) =
        HttpClient::connect_with_events(config(&server, Encoding::Rawman, Auth::Cookie))
            .await
            .unwrap();
    assert!(matches!(
        next(&mut events).await,
        ClientEvent::Connected { .. }
    ));
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let err = client.send(&GenericAction::new("Ping")).await.unwrap_err();
    assert!(
        matches!(err, Error::Http(HttpError::SessionExpired)),
        "{err:?}"
    );
    assert!(matches!(
        next(&mut events).await,
        ClientEvent::Disconnected { .. }
    ));
    assert!(matches!(
        next(&mut events).await,
        ClientEvent::Reconnected { .. }
    ));
    assert!(client
        .send(&GenericAction::new("Ping"))
        .await
        .unwrap()
        .is_success());
    assert_eq!(logins(&server), 2);

    for busy in ["keepalive", "poll"] {
        let server = short().await;
        let config = config(&server, Encoding::Rawman, Auth::Cookie);
        let config = match busy {
            "keepalive" => config.keepalive(Some(Duration::from_millis(300))),
            // Asterisk cuts the wait to httptimeout less 10 s: the poll returns at once.
            _ => config
                .poll(Some(Duration::from_secs(1)))
                .poll_interval(Duration::from_millis(300)),
        };
        let (client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
        assert!(matches!(
            next(&mut events).await,
            ClientEvent::Connected { .. }
        ));
        // Twice httptimeout, with 1.7 s of slack for each request to come.
        tokio::time::sleep(Duration::from_millis(4500)).await;
        let ping = client.send(&GenericAction::new("Ping")).await;
        assert!(ping.unwrap().is_success(), "{busy}");
        assert!(
            tokio::time::timeout(Duration::from_millis(100), events.recv())
                .await
                .is_err(),
            "{busy}: nothing happened to the session"
        );
        assert_eq!((logins(&server), server.sessions()), (1, 1), "{busy}");
    }
}

#[tokio::test]
async fn a_poll_that_finds_the_session_gone_leads_to_a_new_login_and_events_go_on() {
    for encoding in Encoding::ALL {
        let server = start("23.4.1").await;
        let config = config(&server, encoding, Auth::Cookie).poll(Some(Duration::from_secs(1)));
        let (_client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
        assert!(matches!(
            next(&mut events).await,
            ClientEvent::Connected { .. }
        ));
        server.expire_sessions();
        assert!(matches!(
            next(&mut events).await,
            ClientEvent::Disconnected { .. }
        ));
        assert!(matches!(
            next(&mut events).await,
            ClientEvent::Reconnected { .. }
        ));
        let event = b"Event: UserEvent\r\nUserEvent: after\r\n\r\n".to_vec();
        server.push_events(&[event]);
        match next(&mut events).await {
            ClientEvent::Event(m) => assert_eq!(m.message().get_str("UserEvent"), Some("after")),
            other => panic!("{other:?}"),
        }
    }
}

/// The events of the recorded `09_waitevent` body (between its response and its
/// `WaitEventComplete`).
fn recorded_events(version: &str) -> Vec<Vec<u8>> {
    let recorded = Recorded::load(version);
    let mut all = split_messages(recorded.body("rawman/09_waitevent"));
    all.pop();
    all.remove(0);
    all
}

#[tokio::test]
async fn events_arrive_over_several_polls_in_order_for_every_encoding_and_auth() {
    for version in VERSIONS {
        let pushed = recorded_events(version);
        assert!(pushed.len() > 20);
        for auth in AUTHS {
            for encoding in Encoding::ALL {
                let what = format!("{version} {encoding:?} {auth:?}");
                let server = start(version).await;
                let config = config(&server, encoding, auth).poll(Some(Duration::from_secs(1)));
                let (client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
                assert!(matches!(
                    next(&mut events).await,
                    ClientEvent::Connected { .. }
                ));
                let mut got = Vec::new();
                for batch in pushed.chunks(pushed.len() / 3 + 1) {
                    server.push_events(batch);
                    for _ in 0..batch.len() {
                        match next(&mut events).await {
                            // The recorded OriginateResponse carries the ActionID of
                            // curl's Originate, which this client never sent.
                            ClientEvent::Event(m) | ClientEvent::Unmatched(m) => got.push(m),
                            other => panic!("{what}: {other:?}"),
                        }
                    }
                }
                let want: Vec<String> = pushed
                    .iter()
                    .map(|e| {
                        let m = ami_http::messages(Encoding::Rawman, e).unwrap();
                        String::from_utf8_lossy(m[0].message().name()).into_owned()
                    })
                    .collect();
                let names: Vec<String> = got.iter().map(name).collect();
                assert_eq!(names, want, "{what}");
                let originate = got.iter().find(|m| name(m) == "OriginateResponse").unwrap();
                assert_eq!(
                    originate.message().action_id(),
                    Some(&b"orig-1"[..]),
                    "{what}"
                );
                // Nothing else came: the polls' own replies are not events.
                assert!(
                    tokio::time::timeout(Duration::from_millis(1500), events.recv())
                        .await
                        .is_err(),
                    "{what}"
                );
                let polls: Vec<Received> = server
                    .received()
                    .into_iter()
                    .filter(|r| r.action() == "waitevent" && r.status == 200)
                    .collect();
                assert!(polls.len() >= 3, "{what}: {} polls", polls.len());
                for poll in &polls {
                    assert_eq!(
                        ami_tokio_params_without_id(&poll.params),
                        params(&[("Action", b"WaitEvent"), ("Timeout", b"1")]),
                        "{what}"
                    );
                }
                drop(client);
            }
        }
    }
}

/// Parameters without the `ActionID` (whose number depends on how many polls ran).
fn ami_tokio_params_without_id(p: &[(Vec<u8>, Vec<u8>)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    p.iter()
        .filter(|(k, _)| k != b"ActionID")
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_async_originate_is_finished_by_the_poll_that_brings_its_response() {
    for auth in AUTHS {
        for encoding in Encoding::ALL {
            let server = AsteriskHttp::start(Options {
                // The OriginateResponse is polled before the Originate's reply is read.
                originate_delay: Duration::from_millis(300),
                ..Options::default()
            })
            .await;
            let config = config(&server, encoding, auth).poll(Some(Duration::from_secs(5)));
            let (client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
            assert!(matches!(
                next(&mut events).await,
                ClientEvent::Connected { .. }
            ));
            let originate = GenericAction::new("Originate")
                .header("Channel", "Local/600@test/n")
                .header("Application", "Wait")
                .header("Data", "6")
                .header("Async", "yes")
                .expect_final("OriginateResponse");
            let reply = client.send(&originate).await.unwrap();
            assert!(reply.is_success(), "{encoding:?} {auth:?}");
            assert_eq!(
                reply.message().get_str("Message"),
                Some("Originate successfully queued")
            );
            let last = reply.last().unwrap();
            assert_eq!(name(last), "OriginateResponse");
            assert_eq!(last.message().action_id(), reply.message().action_id());
            assert_eq!(
                reply.list_end(),
                Some(ListEnd::Complete {
                    seen: 0,
                    listed: None
                })
            );
            // The event went to the call, not to the subscribers.
            assert!(
                tokio::time::timeout(Duration::from_millis(300), events.recv())
                    .await
                    .is_err()
            );
        }
    }
}

#[tokio::test]
async fn nothing_a_caller_passes_adds_a_parameter_or_a_header() {
    let tricky: &[(&str, &[u8])] = &[
        ("UserEvent", b"x&Action=Hangup&Channel=SIP/1"),
        ("Body", b"a=b+c%20d#e?f;g \"h\" 'i' <j> \xc3\xbc\x7f\t/\\"),
        ("Raw", b"\xff\xfe%%2"),
        ("Empty", b""),
    ];
    for auth in AUTHS {
        for encoding in Encoding::ALL {
            let what = format!("{encoding:?} {auth:?}");
            let server = AsteriskHttp::start(Options {
                prefix: "/asterisk",
                ..Options::default()
            })
            .await;
            let client = HttpClient::connect(config(&server, encoding, auth))
                .await
                .unwrap();
            let mut action = GenericAction::new("UserEvent");
            for (k, v) in tricky {
                action = action.header(k, v);
            }
            let action = action
                .variable("V", "1&2=3")
                .header("ActionID", "mine&Action=Hangup");
            let reply = client.send(&action).await.unwrap();
            assert_eq!(
                reply.message().action_id(),
                Some(&b"mine&Action=Hangup"[..]),
                "{what}"
            );
            let received = server.received();
            let sent = received.last().unwrap();
            let mut want = params(&[
                ("Action", b"UserEvent"),
                ("ActionID", b"mine&Action=Hangup"),
            ]);
            want.extend(params(tricky));
            want.extend(params(&[("Variable", b"V=1&2=3")]));
            assert_eq!(sent.params, want, "{what}");
            assert!(sent
                .target
                .starts_with(&format!("/asterisk/{}", endpoint_name(encoding, auth))));
            let allowed = match auth {
                Auth::Cookie => BTreeSet::from(["cookie", "host"]),
                Auth::Digest => BTreeSet::from(["authorization", "host"]),
            };
            assert_eq!(header_names(sent), allowed, "{what}");

            // A line break would end the parameter in AMI: refused, nothing sent.
            let before = server.received().len();
            for bad in [
                GenericAction::new("UserEvent").header("Body", "a\r\nAction: Hangup"),
                GenericAction::new("UserEvent").header("Bad Key", "x"),
                GenericAction::new("Ping").header("ActionID", "a\nb"),
            ] {
                let err = client.send(&bad).await.unwrap_err();
                assert!(
                    matches!(err, Error::Encode(_) | Error::ActionId(_)),
                    "{what}: {err:?}"
                );
            }
            assert_eq!(server.received().len(), before, "{what}");
        }
    }
    // Credentials that would add a header line: refused before anything carries them.
    let server = start("23.4.1").await;
    let evil = "admin\r\nX-Injected: 1";
    let cookie = config(&server, Encoding::Rawman, Auth::Cookie).credentials(evil, "amp111");
    assert!(matches!(
        HttpClient::connect(cookie).await.unwrap_err(),
        Error::Encode(_)
    ));
    let digest = config(&server, Encoding::Rawman, Auth::Digest).credentials(evil, "amp111");
    let err = HttpClient::connect(digest).await.unwrap_err();
    assert!(matches!(err, Error::Http(HttpError::Digest(_))), "{err:?}");
    let received = server.received();
    assert_eq!(
        received.len(),
        1,
        "only the first, unauthenticated request went"
    );
    assert!(received[0].headers.iter().all(|(k, _)| k != "x-injected"));
}

fn endpoint_name(encoding: Encoding, auth: Auth) -> String {
    match auth {
        Auth::Cookie => encoding.name().to_string(),
        Auth::Digest => format!("a{}", encoding.name()),
    }
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_secret_goes_only_into_the_login_post_body_never_into_urls_headers_or_logs() {
    let secret = "s3cr3t-never-seen";
    let capture = ajam::logs::Capture::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let received = tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let server = AsteriskHttp::start(Options {
                secret: "s3cr3t-never-seen",
                ..Options::default()
            })
            .await;
            for auth in AUTHS {
                let config = config(&server, Encoding::Mxml, auth)
                    .credentials("admin", secret)
                    .poll(Some(Duration::from_secs(1)));
                assert!(!format!("{config:?}").contains(secret));
                let (client, mut events) = HttpClient::connect_with_events(config).await.unwrap();
                assert!(matches!(
                    next(&mut events).await,
                    ClientEvent::Connected { .. }
                ));
                client.send(&GenericAction::new("Ping")).await.unwrap();
                if auth == Auth::Cookie {
                    server.expire_sessions();
                    // Whichever request finds the session gone, the client logs in again.
                    loop {
                        if let ClientEvent::Reconnected { .. } = next(&mut events).await {
                            break;
                        }
                    }
                }
                assert!(!format!("{client:?}").contains(secret));
                client.logoff().await.unwrap();
            }
            server.received()
        })
    });
    let mut logins = 0;
    for r in &received {
        assert!(!r.target.contains(secret), "{}", r.target);
        assert!(r
            .headers
            .iter()
            .all(|(_, v)| !contains(v, secret.as_bytes())));
        if contains(&r.body, secret.as_bytes()) {
            assert_eq!((r.method.as_str(), r.action().as_str()), ("POST", "login"));
            logins += 1;
        }
    }
    assert_eq!(
        logins, 2,
        "the cookie login, then the new login after expiry"
    );
    let logs = capture.text();
    assert!(logs.contains("logged in"), "{logs}");
    assert!(logs.contains("session lost"), "{logs}");
    assert!(!logs.contains(secret), "{logs}");
}

#[tokio::test]
async fn https_with_a_trusted_certificate() {
    let (acceptor, cert) = ajam::tls::acceptor();
    let server = AsteriskHttp::start_tls(Options::default(), acceptor).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let url = format!("https://127.0.0.1:{}", server.addr.port());
    for auth in AUTHS {
        let config = HttpConfig::new(&url)
            .unwrap()
            .credentials("admin", "amp111")
            .auth(auth)
            .poll(None)
            .tls(TlsConfig::with_roots(roots.clone()).server_name("localhost"));
        let client = HttpClient::connect(config).await.unwrap();
        let ping = client.send(&GenericAction::new("Ping")).await.unwrap();
        assert_eq!(ping.message().get_str("Ping"), Some("Pong"));
    }
    let untrusted = HttpConfig::new(&url)
        .unwrap()
        .credentials("admin", "amp111")
        .tls(TlsConfig::with_roots(rustls::RootCertStore::empty()).server_name("localhost"));
    let err = HttpClient::connect(untrusted).await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
}

#[tokio::test]
async fn a_wrong_path_an_unreachable_server_and_logoff() {
    let server = start("23.4.1").await;
    let wrong = HttpConfig::new(&format!("{}/nosuchprefix", server.url()))
        .unwrap()
        .credentials("admin", "amp111");
    let err = HttpClient::connect(wrong).await.unwrap_err();
    assert!(
        matches!(err, Error::Http(HttpError::Status(404))),
        "{err:?}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = HttpClient::connect(HttpConfig::new(&url).unwrap())
        .await
        .unwrap_err();
    let Error::Connect { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        source.kind(),
        std::io::ErrorKind::ConnectionRefused,
        "{err}"
    );

    let client = HttpClient::connect(config(&server, Encoding::Manager, Auth::Cookie))
        .await
        .unwrap();
    assert_eq!(server.sessions(), 1);
    client.logoff().await.unwrap();
    assert!(!client.is_open());
    assert_eq!(server.sessions(), 0);
    assert!(matches!(
        client.send(&GenericAction::new("Ping")).await,
        Err(Error::Closed { .. })
    ));
    assert!(client.bytes_received() > 0);
}

#[tokio::test]
async fn many_calls_at_once_all_complete() {
    for auth in AUTHS {
        let server = start("23.4.1").await;
        let config = config(&server, Encoding::Mxml, auth).poll(Some(Duration::from_secs(1)));
        let client = HttpClient::connect(config).await.unwrap();
        let calls: Vec<_> = (0..200)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.send(&GenericAction::new("Ping")).await })
            })
            .collect();
        for call in calls {
            assert!(call.await.unwrap().unwrap().is_success(), "{auth:?}");
        }
        let pings = server
            .received()
            .iter()
            .filter(|r| r.action() == "ping" && r.status == 200)
            .count();
        assert_eq!(pings, 200 + usize::from(auth == Auth::Digest), "{auth:?}");
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_exactly_how_many_events_it_missed() {
    let server = start("23.4.1").await;
    let config = config(&server, Encoding::Rawman, Auth::Cookie)
        .poll(Some(Duration::from_secs(1)))
        .event_buffer(1);
    let (_client, mut slow) = HttpClient::connect_with_events(config).await.unwrap();
    let event = |n: usize| format!("Event: UserEvent\r\nN: {n}\r\n\r\n").into_bytes();
    let polls = || {
        server
            .received()
            .iter()
            .filter(|r| r.action() == "waitevent" && r.status == 200)
            .count()
    };
    // Three polls' worth of events while the subscriber reads nothing: the buffer holds
    // one body's batch, so the first two batches (Connected and 3 events, then 2 events)
    // are lost.
    let answered = |n: usize| async move {
        while polls() < n {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    for batch in [
        vec![event(0), event(1), event(2)],
        vec![event(3), event(4)],
        vec![event(5)],
    ] {
        let before = polls();
        server.push_events(&batch);
        answered(before + 1).await;
    }
    // The poller sends its next poll only once the last body is published: when that
    // (empty) poll is answered, every batch is in.
    answered(polls() + 1).await;
    assert_eq!(
        next(&mut slow).await,
        ClientEvent::Lagged { missed: 1 + 3 + 2 }
    );
    match next(&mut slow).await {
        ClientEvent::Event(m) => assert_eq!(m.message().get_str("N"), Some("5")),
        other => panic!("{other:?}"),
    }
}
