//! TLS with rustls: verification on by default, system roots read once per process on
//! the first https request (not when a client is built), custom CA bundles, client
//! certificates and `verify(false)`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, ErrorKind, Result};

/// Where trusted roots come from.
#[derive(Clone, Debug, Default)]
pub(crate) enum Roots {
    /// The system's store (or `SSL_CERT_FILE` / `SSL_CERT_DIR` with `trust_env`).
    #[default]
    System,
    /// Only these PEM certificates (httpx's `verify="path/to/bundle.pem"`).
    Pem(Vec<u8>),
    /// Only the certificates of this PEM file, read on first use.
    File(PathBuf),
}

/// The TLS settings of a transport.
#[derive(Clone, Debug)]
pub(crate) struct TlsSettings {
    pub(crate) verify: bool,
    pub(crate) roots: Roots,
    /// A client certificate chain and its key, both PEM.
    pub(crate) identity: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) trust_env: bool,
}

impl Default for TlsSettings {
    fn default() -> TlsSettings {
        TlsSettings {
            verify: true,
            roots: Roots::System,
            identity: None,
            trust_env: true,
        }
    }
}

/// A TLS set-up error. These are built once per transport and kept as text, so the
/// cause is part of the message and there is no `source` to repeat it.
fn tls_error(message: String) -> Error {
    Error::new(ErrorKind::ConnectError, message)
}

/// The crypto provider: the process default when the application installed one
/// (`CryptoProvider::install_default`, e.g. aws-lc-rs for post-quantum key exchange),
/// else *ring*, the backend this crate's `rustls` feature builds.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    if let Some(installed) = rustls::crypto::CryptoProvider::get_default() {
        return installed.clone();
    }
    static RING: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    RING.get_or_init(|| Arc::new(ring_provider())).clone()
}

/// rustls 0.23.48 deprecates `ring::default_provider` because *ring* has no
/// post-quantum key exchange; the only replacement rustls offers is the aws-lc-rs
/// provider, which needs a C toolchain and CMake. *ring* stays the built-in backend,
/// and an application that wants aws-lc-rs installs it as the process default, which
/// [`provider`] prefers. The allowance is this one call; any other deprecation fails
/// the lint.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The system roots, read once per process and shared by every transport.
fn system_roots() -> Result<Arc<RootCertStore>> {
    static ROOTS: OnceLock<std::result::Result<Arc<RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let loaded = platform_certs();
            let mut store = RootCertStore::empty();
            let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
            if added == 0 {
                let why = loaded
                    .errors
                    .first()
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no certificates found".to_string());
                return Err(format!(
                    "could not load the system's trusted certificates: {why}"
                ));
            }
            Ok(Arc::new(store))
        })
        .clone()
        .map_err(tls_error)
}

/// The platform's trusted certificates, whatever `SSL_CERT_FILE` and `SSL_CERT_DIR`
/// say: those count only with `trust_env` (see [`TlsSettings::root_store`]), but
/// `rustls_native_certs::load_native_certs` reads them first. Where the system keeps its
/// roots in files, the usual locations are read directly when either variable is set.
/// (On macOS and Windows the variables still choose, when set.)
fn platform_certs() -> rustls_native_certs::CertificateResult {
    #[cfg(all(unix, not(target_vendor = "apple")))]
    if std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some() {
        // openssl-probe's usual places (what load_native_certs reads without the variables).
        const FILES: &[&str] = &[
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/ca-bundle.pem",
            "/etc/pki/tls/cacert.pem",
            "/etc/ssl/cert.pem",
            "/usr/local/etc/ssl/cert.pem",
            "/usr/local/share/certs/ca-root-nss.crt",
            "/etc/openssl/certs/ca-certificates.crt",
        ];
        const DIRS: &[&str] = &[
            "/etc/ssl/certs",
            "/etc/pki/tls/certs",
            "/usr/local/share/certs",
            "/etc/openssl/certs",
        ];
        let file = FILES.iter().map(std::path::Path::new).find(|p| p.is_file());
        let dir = DIRS.iter().map(std::path::Path::new).find(|p| p.is_dir());
        return rustls_native_certs::load_certs_from_paths(file, dir);
    }
    rustls_native_certs::load_native_certs()
}

fn pem_roots(pem: &[u8], what: &str) -> Result<Arc<RootCertStore>> {
    let mut store = RootCertStore::empty();
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| tls_error(format!("invalid certificate in {what}: {e}")))?;
        store
            .add(cert)
            .map_err(|e| tls_error(format!("unusable certificate in {what}: {e}")))?;
        count += 1;
    }
    if count == 0 {
        return Err(tls_error(format!("{what} holds no PEM certificate")));
    }
    Ok(Arc::new(store))
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| tls_error(format!("cannot read the CA bundle {}: {e}", path.display())))
}

impl TlsSettings {
    fn root_store(&self) -> Result<Arc<RootCertStore>> {
        match &self.roots {
            Roots::Pem(pem) => pem_roots(pem, "the CA bundle"),
            Roots::File(path) => pem_roots(&read_file(path)?, &path.display().to_string()),
            Roots::System => {
                if self.trust_env {
                    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty())
                    {
                        let path = PathBuf::from(file);
                        return pem_roots(&read_file(&path)?, &path.display().to_string());
                    }
                    if let Some(dir) = std::env::var_os("SSL_CERT_DIR").filter(|v| !v.is_empty()) {
                        return dir_roots(&PathBuf::from(dir));
                    }
                }
                system_roots()
            }
        }
    }

    /// Builds the rustls configuration (done once per transport, on first use).
    pub(crate) fn client_config(&self, alpn_h2: bool) -> Result<Arc<ClientConfig>> {
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("TLS set-up failed: {e}")))?;
        let builder = if self.verify {
            builder.with_root_certificates(self.root_store()?)
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
        };
        let mut config = match &self.identity {
            None => builder.with_no_client_auth(),
            Some((cert_pem, key_pem)) => {
                let certs = CertificateDer::pem_slice_iter(cert_pem)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| tls_error(format!("invalid client certificate: {e}")))?;
                let key = PrivateKeyDer::from_pem_slice(key_pem)
                    .map_err(|e| tls_error(format!("invalid client certificate key: {e}")))?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| tls_error(format!("unusable client certificate: {e}")))?
            }
        };
        config.alpn_protocols = if alpn_h2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(Arc::new(config))
    }
}

fn dir_roots(dir: &PathBuf) -> Result<Arc<RootCertStore>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| tls_error(format!("cannot read SSL_CERT_DIR {}: {e}", dir.display())))?;
    let mut store = RootCertStore::empty();
    for entry in entries.flatten() {
        if let Ok(pem) = std::fs::read(entry.path()) {
            let certs = CertificateDer::pem_slice_iter(&pem).filter_map(|c| c.ok());
            store.add_parsable_certificates(certs);
        }
    }
    if store.is_empty() {
        return Err(tls_error(format!(
            "SSL_CERT_DIR {} holds no certificate",
            dir.display()
        )));
    }
    Ok(Arc::new(store))
}

/// The name to verify: a DNS name, or an IP address.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_string())
        .map_err(|e| tls_error(format!("invalid TLS server name {host:?}: {e}")))
}

/// `verify(false)`: any certificate is accepted (handshake signatures are still checked).
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
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
