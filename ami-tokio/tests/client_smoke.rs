//! The client against a scripted server on 127.0.0.1: login, calls, lists, events.

use std::time::Duration;

use ami_proto::{Config, Decoded, Decoder, GenericAction, Item, LineEndings};
use ami_tokio::{Client, ClientConfig, ClientEvent, Error, TlsConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// Reads requests from `socket` and answers each with `answer(name, action_id)`.
async fn serve(
    mut socket: impl AsyncRead + AsyncWrite + Unpin,
    answer: impl Fn(&str, &str) -> Option<String>,
) {
    socket
        .write_all(b"Asterisk Call Manager/12.0.0\r\n")
        .await
        .unwrap();
    let mut decoder = Decoder::with_config(Config {
        line_endings: LineEndings::Lenient,
        ..Config::default()
    });
    let mut buf = Vec::new();
    let mut chunk = vec![0; 65536];
    loop {
        let n = match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut used = 0;
        let mut out = String::new();
        while let Decoded::Item { item, consumed } = decoder.decode(&buf[used..]) {
            used += consumed;
            if let Item::Message(m) = item {
                let name = m.get_str("Action").unwrap_or("").to_ascii_lowercase();
                let id = m.get_str("ActionID").unwrap_or("").to_string();
                if let Some(reply) = answer(&name, &id) {
                    out.push_str(&reply);
                }
            }
        }
        buf.drain(..used);
        if socket.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn standard(name: &str, id: &str) -> Option<String> {
    Some(match name {
        "login" => format!(
            "Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n\
             Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
        ),
        "ping" => format!("Response: Success\r\nActionID: {id}\r\nPing: Pong\r\n\r\n"),
        "dbgettree" => format!(
            "Response: Success\r\nActionID: {id}\r\nEventList: start\r\nMessage: will follow\r\n\r\n\
             Event: DBGetTreeResponse\r\nActionID: {id}\r\nKey: /f/a\r\nVal: 1\r\n\r\n\
             Event: Newchannel\r\nChannel: X\r\n\r\n\
             Event: DBGetTreeResponse\r\nActionID: {id}\r\nKey: /f/b\r\nVal: 2\r\n\r\n\
             Event: DBGetTreeComplete\r\nActionID: {id}\r\nEventList: Complete\r\nListItems: 2\r\n\r\n"
        ),
        "logoff" => format!("Response: Goodbye\r\nActionID: {id}\r\nMessage: Thanks for all the fish.\r\n\r\n"),
        _ => format!("Response: Error\r\nActionID: {id}\r\nMessage: Invalid/unknown command\r\n\r\n"),
    })
}

async fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    (listener, addr)
}

fn config(addr: &str) -> ClientConfig {
    ClientConfig::new(addr)
        .credentials("admin", "amp111")
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn login_call_list_and_events() {
    let (listener, addr) = listener().await;
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        serve(socket, standard).await;
    });
    let (client, mut events) = Client::connect_with_events(config(&addr)).await.unwrap();
    let first = events.recv().await.unwrap();
    assert!(
        matches!(&first, ClientEvent::Event(m) if m.message().name() == b"FullyBooted")
            || matches!(&first, ClientEvent::Connected { .. }),
        "{first:?}"
    );
    let reply = client.send(&GenericAction::new("Ping")).await.unwrap();
    assert!(reply.is_success());
    assert_eq!(reply.message().get_str("Ping"), Some("Pong"));

    let tree = client
        .send(&GenericAction::new("DBGetTree").header("Family", "f"))
        .await
        .unwrap();
    assert_eq!(tree.items().len(), 2);
    assert_eq!(tree.items()[1].message().get_str("Key"), Some("/f/b"));
    assert!(!tree.list_end().unwrap().mismatch());

    let refused = client.send(&GenericAction::new("NoSuch")).await.unwrap();
    assert!(!refused.is_success());

    let mut seen = vec![first];
    while !seen
        .iter()
        .any(|e| matches!(e, ClientEvent::Event(m) if m.message().name() == b"Newchannel"))
    {
        let next = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        seen.push(next.expect("the Newchannel event in time").unwrap());
    }
    assert!(seen.iter().any(|e| matches!(e, ClientEvent::Connected { banner } if &banner[..] == b"Asterisk Call Manager/12.0.0")), "{seen:?}");
    client.logoff().await.unwrap();
    assert!(!client.is_open());
    assert!(matches!(
        client.send(&GenericAction::new("Ping")).await,
        Err(Error::Closed { .. })
    ));
}

#[tokio::test]
async fn ten_thousand_concurrent_calls_complete() {
    let (listener, addr) = listener().await;
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        serve(socket, standard).await;
    });
    let client = Client::connect(config(&addr).timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let calls = (0..10_000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send(&GenericAction::new("Ping")).await })
    });
    let mut ok = 0;
    for call in calls.collect::<Vec<_>>() {
        assert!(call.await.unwrap().unwrap().is_success());
        ok += 1;
    }
    assert_eq!(ok, 10_000);
}

#[tokio::test]
async fn a_refused_login_is_an_error() {
    let (listener, addr) = listener().await;
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        serve(socket, |name, id| {
            (name == "login").then(|| {
                format!(
                    "Response: Error\r\nActionID: {id}\r\nMessage: Authentication failed\r\n\r\n"
                )
            })
        })
        .await;
    });
    let err = Client::connect(config(&addr)).await.unwrap_err();
    assert!(matches!(err, Error::Login { .. }), "{err:?}");
    assert_eq!(err.to_string(), "login refused (Authentication failed)");
}

#[tokio::test]
async fn timeouts_forget_the_action_id() {
    let (listener, addr) = listener().await;
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        serve(socket, |name, id| {
            (name != "ping").then(|| standard(name, id)).flatten()
        })
        .await;
    });
    let client = Client::connect(config(&addr)).await.unwrap();
    let err = client
        .send_timeout(&GenericAction::new("Ping"), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }));
    // 200 more timed-out calls than the connection has slots: none fails for lack of room.
    let calls = (0..200).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .send_timeout(&GenericAction::new("Ping"), Duration::from_millis(50))
                .await
        })
    });
    for call in calls.collect::<Vec<_>>() {
        assert!(matches!(call.await.unwrap(), Err(Error::Timeout { .. })));
    }
    let tree = client
        .send(&GenericAction::new("DBGetTree").header("Family", "f"))
        .await
        .unwrap();
    assert_eq!(tree.items().len(), 2);
}

/// A TLS acceptor with a certificate for `localhost` made for the test, and the
/// certificate (to trust it).
fn tls_acceptor() -> (
    tokio_rustls::TlsAcceptor,
    rustls::pki_types::CertificateDer<'static>,
) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = made.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    (
        tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)),
        cert,
    )
}

async fn tls_server(acceptor: tokio_rustls::TlsAcceptor, listener: TcpListener) {
    while let Ok((socket, _)) = listener.accept().await {
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            if let Ok(tls) = acceptor.accept(socket).await {
                serve(tls, standard).await;
            }
        });
    }
}

#[tokio::test]
async fn tls_with_a_trusted_certificate_an_insecure_opt_in_and_a_refusal() {
    let (acceptor, cert) = tls_acceptor();
    let (listener, addr) = listener().await;
    tokio::spawn(tls_server(acceptor, listener));

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let trusted = TlsConfig::with_roots(roots).server_name("localhost");
    let client = Client::connect(config(&addr).tls(trusted)).await.unwrap();
    let reply = client.send(&GenericAction::new("Ping")).await.unwrap();
    assert_eq!(reply.message().get_str("Ping"), Some("Pong"));

    let lab = TlsConfig::dangerous_accept_any_certificate();
    let client = Client::connect(config(&addr).tls(lab)).await.unwrap();
    assert!(client
        .send(&GenericAction::new("Ping"))
        .await
        .unwrap()
        .is_success());

    // The same self-signed certificate is not trusted by an empty store: no login.
    let untrusted = TlsConfig::with_roots(rustls::RootCertStore::empty()).server_name("localhost");
    let err = Client::connect(config(&addr).tls(untrusted))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
}
