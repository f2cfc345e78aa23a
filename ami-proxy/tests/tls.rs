//! Clients over TLS: the proxy's TLS listener with a certificate from PEM files, a client
//! that trusts it logs in and is served as a plain one; the plain listener goes on.

mod support;

use std::sync::Arc;

use ami_proto::filter::{ManagerConf, Rules};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_clients_are_served() {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (cert, key) = (dir.join("proxy_tls.crt"), dir.join("proxy_tls.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let tls = ami_proxy::tls_server_config(&cert, &key).unwrap();
    assert!(
        ami_proxy::tls_server_config(&key, &key).is_err(),
        "a key is no certificate"
    );

    let upstream = support::upstream().await;
    let users = ManagerConf::parse(
        b"[ops]\nsecret = s\nread = all\nwrite = all\n",
        Rules::default(),
    )
    .unwrap();
    let config = support::proxy_config(upstream.addr(), users)
        .listen_tls("127.0.0.1:0".parse().unwrap(), tls);
    let proxy = ami_proxy::Proxy::start(config).await.unwrap();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config));
    let tcp = TcpStream::connect(proxy.tls_addr().unwrap()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut stream = connector.connect(name, tcp).await.unwrap();
    stream
        .write_all(b"Action: Login\r\nActionID: 1\r\nUsername: ops\r\nSecret: s\r\n\r\nAction: Ping\r\nActionID: 2\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("Ping: Pong") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"), "{text}");
    assert!(text.contains("ActionID: 2\r\n"), "{text}");

    // The plain listener still serves.
    let mut plain = support::Conn::connect(proxy.addr()).await;
    assert_eq!(
        plain.login("ops", "s").await.message().get("Message"),
        Some(&b"Authentication accepted"[..])
    );
    // A client that does not speak TLS to the TLS port gets nothing and is dropped.
    let mut wrong = TcpStream::connect(proxy.tls_addr().unwrap()).await.unwrap();
    wrong
        .write_all(b"Action: Login\r\nUsername: ops\r\nSecret: s\r\n\r\n")
        .await
        .unwrap();
    let n = wrong.read(&mut buf).await.unwrap_or(0);
    assert!(
        !String::from_utf8_lossy(&buf[..n]).contains("Authentication"),
        "no AMI over a failed handshake"
    );
}
