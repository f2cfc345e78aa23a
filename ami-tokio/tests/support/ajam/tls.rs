//! A certificate for `localhost` made for the test, and a TLS acceptor that serves it.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The acceptor, and the certificate to trust.
pub fn acceptor() -> (tokio_rustls::TlsAcceptor, CertificateDer<'static>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), cert)
}
