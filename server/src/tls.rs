//! TLS with rustls (the `ring` provider) from PEM files. Each handshake
//! runs in its connection's own task ([`crate::conn`]), so a slow or
//! silent client never holds up the others; one that has not finished
//! within [`HANDSHAKE_TIMEOUT`] is dropped. The certificate can be
//! replaced while serving ([`Certs::reload`], on SIGHUP).

use arc_swap::ArcSwap;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

pub use crate::conn::HANDSHAKE_TIMEOUT;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    #[error("cannot read the certificates in `{path}`: {message}")]
    Certs { path: String, message: String },
    #[error("cannot read the private key in `{path}`: {message}")]
    Key { path: String, message: String },
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Config(String),
}

/// The certificate a TLS listener presents, replaceable while it serves
/// (a SIGHUP after the files were renewed): each handshake takes the one
/// current then; connections already open keep theirs.
#[derive(Debug)]
pub struct Certs {
    current: ArcSwap<CertifiedKey>,
}

impl Certs {
    /// Reads the chain and key again and presents them from the next
    /// handshake on; on any error the current ones stay.
    pub fn reload(&self, cert: &Path, key: &Path) -> Result<(), TlsError> {
        self.current.store(Arc::new(certified(cert, key)?));
        Ok(())
    }
}

impl ResolvesServerCert for Certs {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

/// A chain and its key (PEM), checked to belong together.
fn certified(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certs {
            path: cert.display().to_string(),
            message: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Certs {
            path: cert.display().to_string(),
            message: "no certificate in the file".to_string(),
        });
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.display().to_string(),
        message: e.to_string(),
    })?;
    let provider = tokio_rustls::rustls::crypto::ring::default_provider();
    let certified = CertifiedKey::from_der(certs, private, &provider).map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(certified)
}

/// A rustls server configuration from a certificate chain and a key
/// (PEM), and the handle that replaces them ([`Certs::reload`]).
pub fn acceptor(cert: &Path, key: &Path) -> Result<(TlsAcceptor, Arc<Certs>), TlsError> {
    let certs = Arc::new(Certs {
        current: ArcSwap::from_pointee(certified(cert, key)?),
    });
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(certs.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(config)), certs))
}
