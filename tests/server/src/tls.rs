//! Certificates generated at start-up (a CA, a server certificate for `localhost`,
//! `127.0.0.1` and `::1`, a client certificate) and the rustls configurations built on them.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// A CA and the server and client certificates it signed, generated fresh (ECDSA P-256)
/// for one server. Cloning is cheap.
///
/// The server certificate names `localhost`, `127.0.0.1` and `::1`; the client certificate
/// (common name `httpx-test-client`) is what a server started with
/// [`Options::client_auth`](crate::Options::client_auth) accepts.
#[derive(Clone)]
pub struct Certificates {
    inner: Arc<Inner>,
}

struct Inner {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_pem: String,
    server_der: CertificateDer<'static>,
    server_key_pem: String,
    server_key_der: Vec<u8>,
    client_pem: String,
    client_key_pem: String,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificates").finish_non_exhaustive()
    }
}

/// What is wrong with a generated server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    Expired,
    SelfSigned,
}

fn rcgen_error(e: rcgen::Error) -> io::Error {
    io::Error::other(format!("certificate generation: {e}"))
}

fn tls_error(e: impl fmt::Display) -> io::Error {
    io::Error::other(format!("TLS configuration: {e}"))
}

impl Certificates {
    /// Generates a new CA, server certificate and client certificate.
    pub fn generate() -> io::Result<Certificates> {
        Certificates::generate_for(&["localhost", "127.0.0.1", "::1"])
    }

    /// Like [`generate`](Certificates::generate), with a server certificate that names
    /// `names` (DNS names or IP addresses) instead: a server that answers on 127.0.0.1
    /// under a certificate for another name, to test host-name verification.
    pub fn generate_for(names: &[&str]) -> io::Result<Certificates> {
        Certificates::generate_with(names, Flaw::None)
    }

    /// Like [`generate`](Certificates::generate), with a server certificate that expired
    /// long ago (valid from 2000-01-01 to 2001-01-01; the CA is valid): a client that
    /// trusts [`ca_pem`](Certificates::ca_pem) still fails with "certificate expired".
    pub fn generate_expired() -> io::Result<Certificates> {
        Certificates::generate_with(&["localhost", "127.0.0.1", "::1"], Flaw::Expired)
    }

    /// Like [`generate`](Certificates::generate), with a self-signed server certificate
    /// (for `localhost`, `127.0.0.1` and `::1`; not a CA, signed by its own key). The
    /// CA of [`ca_pem`](Certificates::ca_pem) signs the client certificate only, so
    /// trusting it does not help: every verifying client fails with an unknown issuer.
    pub fn generate_self_signed() -> io::Result<Certificates> {
        Certificates::generate_with(&["localhost", "127.0.0.1", "::1"], Flaw::SelfSigned)
    }

    fn generate_with(names: &[&str], flaw: Flaw) -> io::Result<Certificates> {
        let ca_key = KeyPair::generate().map_err(rcgen_error)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(rcgen_error)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own, so that another server's CA is an unknown issuer, not a
        // look-alike with a bad signature.
        ca_params.distinguished_name.push(
            DnType::CommonName,
            format!("httpx-test-server CA {}", crate::util::random_hex(8)),
        );
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = ca_params.self_signed(&ca_key).map_err(rcgen_error)?;

        let server_key = KeyPair::generate().map_err(rcgen_error)?;
        let mut server_params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .map_err(rcgen_error)?;
        server_params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("localhost"),
        );
        server_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if flaw == Flaw::Expired {
            server_params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            server_params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let server = if flaw == Flaw::SelfSigned {
            server_params
                .self_signed(&server_key)
                .map_err(rcgen_error)?
        } else {
            server_params.use_authority_key_identifier_extension = true;
            server_params
                .signed_by(&server_key, &ca, &ca_key)
                .map_err(rcgen_error)?
        };

        let client_key = KeyPair::generate().map_err(rcgen_error)?;
        let mut client_params =
            CertificateParams::new(Vec::<String>::new()).map_err(rcgen_error)?;
        client_params
            .distinguished_name
            .push(DnType::CommonName, "httpx-test-client");
        client_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        client_params.use_authority_key_identifier_extension = true;
        let client = client_params
            .signed_by(&client_key, &ca, &ca_key)
            .map_err(rcgen_error)?;

        Ok(Certificates {
            inner: Arc::new(Inner {
                ca_pem: ca.pem(),
                ca_der: ca.der().clone(),
                server_pem: server.pem(),
                server_der: server.der().clone(),
                server_key_pem: server_key.serialize_pem(),
                server_key_der: server_key.serialize_der(),
                client_pem: client.pem(),
                client_key_pem: client_key.serialize_pem(),
            }),
        })
    }

    /// The CA certificate, PEM: what a client must trust.
    pub fn ca_pem(&self) -> &str {
        &self.inner.ca_pem
    }

    /// The server certificate, PEM.
    pub fn server_cert_pem(&self) -> &str {
        &self.inner.server_pem
    }

    /// The server's private key, PKCS#8 PEM.
    pub fn server_key_pem(&self) -> &str {
        &self.inner.server_key_pem
    }

    /// The client certificate (signed by the CA), PEM.
    pub fn client_cert_pem(&self) -> &str {
        &self.inner.client_pem
    }

    /// The client certificate's private key, PKCS#8 PEM.
    pub fn client_key_pem(&self) -> &str {
        &self.inner.client_key_pem
    }

    /// The rustls configuration of a server: ALPN `h2` and `http/1.1`, TLS 1.2 and 1.3
    /// with the `ring` provider, and client certificates signed by the CA required when
    /// `client_auth`.
    pub(crate) fn server_config(&self, client_auth: bool) -> io::Result<Arc<ServerConfig>> {
        self.config(client_auth, &[b"h2", b"http/1.1"])
    }

    /// The rustls configuration of the fault server's HTTP/2 modes: ALPN `h2` only.
    pub(crate) fn h2_config(&self) -> io::Result<Arc<ServerConfig>> {
        self.config(false, &[b"h2"])
    }

    /// The rustls configuration of the TLS proxy, which speaks HTTP/1.1 only.
    pub(crate) fn proxy_config(&self) -> io::Result<Arc<ServerConfig>> {
        self.config(false, &[b"http/1.1"])
    }

    fn config(&self, client_auth: bool, alpn: &[&[u8]]) -> io::Result<Arc<ServerConfig>> {
        let provider = Arc::new(ring_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?;
        let builder = if client_auth {
            let mut roots = RootCertStore::empty();
            roots.add(self.inner.ca_der.clone()).map_err(tls_error)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(tls_error)?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.inner.server_key_der.clone()));
        let mut config = builder
            .with_single_cert(vec![self.inner.server_der.clone()], key)
            .map_err(tls_error)?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

/// A private temporary directory holding the PEM files of a server, removed on drop.
#[derive(Debug)]
pub(crate) struct PemFiles {
    dir: PathBuf,
    pub ca: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl PemFiles {
    /// Writes `ca.pem`, `client.pem` and `client-key.pem` to a new temporary directory.
    pub(crate) fn write(certs: &Certificates) -> io::Result<PemFiles> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "httpx-test-server-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let files = PemFiles {
            ca: dir.join("ca.pem"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client-key.pem"),
            dir,
        };
        std::fs::write(&files.ca, certs.ca_pem())?;
        std::fs::write(&files.client_cert, certs.client_cert_pem())?;
        std::fs::write(&files.client_key, certs.client_key_pem())?;
        Ok(files)
    }
}

impl Drop for PemFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The *ring* crypto provider, which this server and its tests' clients use.
/// rustls 0.23.48 deprecates the constructor (*ring* has no post-quantum key exchange;
/// aws-lc-rs, the replacement, needs a C toolchain and CMake): the allowance is this one
/// call, so any other deprecation still fails `clippy -D warnings`.
#[allow(deprecated)]
pub fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
