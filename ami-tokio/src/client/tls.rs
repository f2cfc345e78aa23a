//! TLS for AMI's port 5039 (manager.conf `tlsenable`), through rustls.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Which certificates a TLS connection trusts, and the name it checks them against.
///
/// ```
/// let tls = ami_tokio::TlsConfig::native_roots().server_name("pbx.example.com");
/// # let _ = tls;
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    trust: Trust,
    server_name: Option<String>,
}

#[derive(Clone)]
enum Trust {
    /// The operating system's store, read when connecting.
    Native,
    /// The caller's roots.
    Roots(Arc<RootCertStore>),
    /// Any certificate (lab use only).
    AnyCertificate,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trust = match &self.trust {
            Trust::Native => "native roots".to_string(),
            Trust::Roots(roots) => format!("{} given roots", roots.len()),
            Trust::AnyCertificate => "ANY certificate (insecure)".to_string(),
        };
        f.debug_struct("TlsConfig")
            .field("trust", &trust)
            .field("server_name", &self.server_name)
            .finish()
    }
}

impl TlsConfig {
    /// Trust the operating system's certificate store.
    pub fn native_roots() -> Self {
        TlsConfig {
            trust: Trust::Native,
            server_name: None,
        }
    }

    /// Trust exactly these roots.
    pub fn with_roots(roots: RootCertStore) -> Self {
        TlsConfig {
            trust: Trust::Roots(Arc::new(roots)),
            server_name: None,
        }
    }

    /// Trust the CA certificates of a PEM file (the error names the file).
    ///
    /// ```
    /// let err = ami_tokio::TlsConfig::with_ca_file("/no/such.pem").unwrap_err();
    /// assert!(err.to_string().contains("/no/such.pem"));
    /// ```
    pub fn with_ca_file(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let named = |e: &dyn fmt::Display| io::Error::other(format!("{}: {e}", path.display()));
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| named(&e))? {
            roots
                .add(cert.map_err(|e| named(&e))?)
                .map_err(|e| named(&e))?;
        }
        if roots.is_empty() {
            return Err(named(&"no certificate in the file"));
        }
        Ok(TlsConfig::with_roots(roots))
    }

    /// Accept any certificate, self-signed or not, for any name: for a lab Asterisk
    /// only. The connection is encrypted but not authenticated.
    pub fn dangerous_accept_any_certificate() -> Self {
        TlsConfig {
            trust: Trust::AnyCertificate,
            server_name: None,
        }
    }

    /// The name the certificate must carry (by default the host of the address).
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// The rustls connector and the name to check, for `host`.
    pub(crate) fn connector(
        &self,
        host: &str,
    ) -> io::Result<(tokio_rustls::TlsConnector, ServerName<'static>)> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?;
        let config = match &self.trust {
            Trust::AnyCertificate => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
                .with_no_client_auth(),
            Trust::Roots(roots) => builder
                .with_root_certificates(roots.clone())
                .with_no_client_auth(),
            Trust::Native => {
                let found = rustls_native_certs::load_native_certs();
                let mut roots = RootCertStore::empty();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    return Err(io::Error::other(
                        "no usable certificate in the system's store; give a CA file",
                    ));
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
        };
        let name = self.server_name.as_deref().unwrap_or(host);
        let name = ServerName::try_from(name.to_string()).map_err(|e| {
            io::Error::other(format!("`{name}` is not a valid TLS server name: {e}"))
        })?;
        Ok((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
    }
}

/// Accepts every certificate but still checks that the server holds its key (the
/// handshake signatures), so the session is at least not readable by a passive observer.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
