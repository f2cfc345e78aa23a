//! Calls through the client against a fake Asterisk (`ami-replay`): many at once, lists
//! collected or streamed, logoff, and the same over TLS.

mod support;

use std::sync::Arc;
use std::time::Duration;

use ami_proto::{GenericAction, ListEnd};
use ami_replay::{Pace, ReplayServer};
use ami_tokio::{Client, ClientEvent, Error, ListPart, TlsConfig};
use futures_util::StreamExt;
use tokio::net::{TcpListener, TcpStream};

async fn server() -> ReplayServer {
    ReplayServer::builder([support::capture("asterisk-23.4.1", "23_dbput_dbget")])
        .fallback([support::capture("asterisk-23.4.1", "08_ping")])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap()
}

fn dbget_tree() -> GenericAction {
    GenericAction::new("DBGetTree").header("Family", "amitest")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_through_one_connection_all_complete() {
    let replay = server().await;
    let client = Client::connect(support::config(replay.addr()).timeout(Duration::from_secs(120)))
        .await
        .unwrap();
    let calls: Vec<_> = (0..10_000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&GenericAction::new("Ping")).await })
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        let reply = call.await.unwrap().unwrap();
        assert_eq!(reply.message().get_str("Ping"), Some("Pong"));
        ok += 1;
    }
    assert_eq!(ok, 10_000);
    assert_eq!(
        replay.stats().logged_in,
        1,
        "one connection carried them all"
    );
}

#[tokio::test]
async fn a_list_collected_and_the_same_list_streamed() {
    let replay = server().await;
    let client = Client::connect(support::config(replay.addr()))
        .await
        .unwrap();
    let whole = client.send(&dbget_tree()).await.unwrap();
    assert!(whole.is_success());
    let Some(ListEnd::Complete { seen, listed }) = whole.list_end() else {
        panic!("{:?}", whole.list_end())
    };
    assert_eq!(seen as usize, whole.items().len());
    assert_eq!(listed, Some(seen));
    assert!(whole
        .last()
        .unwrap()
        .message()
        .name()
        .ends_with(b"Complete"));

    let (response, mut parts) = client.send_streaming(&dbget_tree()).await.unwrap();
    assert_eq!(response.message().get("EventList"), Some(&b"start"[..]));
    let mut items = Vec::new();
    let mut end = None;
    while let Some(part) = parts.next().await {
        match part.unwrap() {
            ListPart::Item(m) => items.push(m),
            ListPart::End { end: e, .. } => end = Some(e),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(end, whole.list_end());
    let shapes = |v: &[ami_proto::OwnedMessage]| {
        v.iter()
            .map(|m| m.message().get("Key").map(<[u8]>::to_vec))
            .collect::<Vec<_>>()
    };
    assert_eq!(shapes(&items), shapes(whole.items()));
}

#[tokio::test]
async fn logoff_closes_and_later_calls_say_so() {
    let replay = server().await;
    let (client, mut events) = Client::connect_with_events(support::config(replay.addr()))
        .await
        .unwrap();
    client.logoff().await.unwrap();
    assert!(!client.is_open());
    let err = client.send(&GenericAction::new("Ping")).await.unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    assert!(err.to_string().contains("logged off"), "{err}");
    // Subscribers were told the connection went away, and nothing reconnects.
    let mut seen = Vec::new();
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(300), events.recv()).await
    {
        seen.push(item);
    }
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, ClientEvent::Reconnected { .. })),
        "{seen:?}"
    );
    assert_eq!(replay.stats().logged_in, 1);
}

#[tokio::test]
async fn dropping_the_client_closes_the_connection() {
    let replay = server().await;
    let client = Client::connect(support::config(replay.addr()))
        .await
        .unwrap();
    assert_eq!(replay.stats().active, 1);
    drop(client);
    for _ in 0..100 {
        if replay.stats().active == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the session stayed open: {:?}", replay.stats());
}

/// A TLS front for `backend` with a certificate for `localhost` made by rcgen; returns its
/// address and the certificate.
async fn tls_front(
    backend: std::net::SocketAddr,
) -> (
    std::net::SocketAddr,
    rustls::pki_types::CertificateDer<'static>,
) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = made.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut plain = TcpStream::connect(backend).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (addr, cert)
}

#[tokio::test]
async fn tls_with_a_trusted_certificate_an_insecure_opt_in_and_a_refusal() {
    let replay = server().await;
    let (addr, cert) = tls_front(replay.addr()).await;

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let trusted = TlsConfig::with_roots(roots).server_name("localhost");
    let client = Client::connect(support::config(addr).tls(trusted))
        .await
        .unwrap();
    let reply = client.send(&GenericAction::new("Ping")).await.unwrap();
    assert_eq!(reply.message().get_str("Ping"), Some("Pong"));
    assert_eq!(
        client
            .send(&dbget_tree())
            .await
            .unwrap()
            .list_end()
            .map(|e| e.mismatch()),
        Some(false)
    );

    let lab = TlsConfig::dangerous_accept_any_certificate();
    let client = Client::connect(support::config(addr).tls(lab))
        .await
        .unwrap();
    assert!(client
        .send(&GenericAction::new("Ping"))
        .await
        .unwrap()
        .is_success());

    // Not trusted by an empty store: no connection, and the error says why.
    let untrusted = TlsConfig::with_roots(rustls::RootCertStore::empty()).server_name("localhost");
    let err = Client::connect(support::config(addr).tls(untrusted))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
}
