//! The proxy's TLS listener: certificates and key from PEM files, as `tlscertfile` and
//! `tlsprivatekey` give them to Asterisk.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A TLS server configuration from a PEM certificate chain and a PEM private key; errors
/// name the file.
///
/// ```
/// let error = ami_proxy::tls_server_config("/no/such/cert.pem".as_ref(), "/no/such/key.pem".as_ref()).unwrap_err();
/// assert!(error.to_string().contains("/no/such/cert.pem"));
/// ```
pub fn tls_server_config(cert: &Path, key: &Path) -> io::Result<Arc<rustls::ServerConfig>> {
    let named = |path: &Path, e: &dyn std::fmt::Display| {
        io::Error::other(format!("{}: {e}", path.display()))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| named(cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| named(cert, &e))?;
    if chain.is_empty() {
        return Err(named(cert, &"no certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| named(key, &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(io::Error::other)?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| named(cert, &e))?;
    Ok(Arc::new(config))
}
