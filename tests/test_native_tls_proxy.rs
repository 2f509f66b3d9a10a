//! The native (hyper) transport's TLS, HTTP/2, client certificates and proxies against
//! the test server and the test proxy on 127.0.0.1: issue 4's "Tests" section and
//! SECURITY.md T1–T3 (timeouts and faults over TLS, refused connections, verification
//! scoped to one client), R4 (proxy credentials never reach an origin) and P2
//! (environment proxies under `trust_env`, httpoxy).
//!
//! Environment variables are process-global, so no test here changes its own
//! environment: the `env_*` tests run `env_child::*` (ignored helpers of this binary) in
//! a child process whose environment alone holds `HTTP_PROXY`, `NO_PROXY`,
//! `SSL_CERT_FILE`, ... and read back one outcome line per client flavour.
//!
//! Not covered here: plain-HTTP faults, timeouts, pooling, retries and local_address
//! (tests/test_native_transport.rs). Unix domain sockets: the test server listens on TCP
//! only, so `uds` is tested against a minimal hyper server on a Unix socket in this file.
#![cfg(not(target_family = "wasm"))]

mod common;
use common::assert_error;

use std::net::ToSocketAddrs;
use std::sync::OnceLock;

use httpx::transport::HttpTransportBuilder;
use httpx::{ErrorKind, HttpTransport, Proxy};
use httpx_test_server::{AddressType, Options, ProxyOptions, ProxyServer, SeenRequest, TestServer};
use serde_json::Value;

/// The shared plain-HTTP server.
fn plain() -> &'static TestServer {
    TestServer::shared()
}

/// A shared HTTPS server (HTTP/1.1 and HTTP/2 by ALPN).
fn tls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_with(Options::new().tls(true)))
}

/// A shared HTTPS server that requires a client certificate.
fn mtls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_with(Options::new().client_auth(true)))
}

/// A second HTTPS server, with a CA of its own.
fn other_tls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_with(Options::new().tls(true)))
}

const PROXY_USER: &str = "proxy-user";
const PROXY_PASS: &str = "s3cr3t-pw";

/// Gives a client builder a native transport of its own flavour (`HttpTransport` for
/// `Client`, `AsyncHttpTransport` for `AsyncClient`).
trait WithNative: Sized {
    fn native(self, transport: HttpTransportBuilder) -> httpx::Result<Self>;
    fn native_mount(self, pattern: &str, transport: HttpTransportBuilder) -> httpx::Result<Self>;
}

impl WithNative for httpx::ClientBuilder {
    fn native(self, transport: HttpTransportBuilder) -> httpx::Result<Self> {
        Ok(self.transport(transport.build()?))
    }
    fn native_mount(self, pattern: &str, transport: HttpTransportBuilder) -> httpx::Result<Self> {
        Ok(self.mount(pattern, transport.build()?))
    }
}

impl WithNative for httpx::AsyncClientBuilder {
    fn native(self, transport: HttpTransportBuilder) -> httpx::Result<Self> {
        Ok(self.transport(transport.build_async()?))
    }
    fn native_mount(self, pattern: &str, transport: HttpTransportBuilder) -> httpx::Result<Self> {
        Ok(self.mount(pattern, transport.build_async()?))
    }
}

/// The echo object's header `name` (lowercase), if the server received it.
fn echoed<'a>(echo: &'a Value, name: &str) -> Option<&'a str> {
    echo["headers"][name].as_str()
}

/// What a SOCKS5 proxy recorded, with its details.
#[track_caller]
fn only_socks_connect(proxy: &ProxyServer) -> (SeenRequest, AddressType, Option<String>) {
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let first = seen[0].clone();
    let socks = first.socks.clone().expect("a SOCKS5 record");
    (first, socks.address_type, socks.username)
}

/// A TLS server on 127.0.0.1 whose certificate names another host only, so that
/// `localhost` and `127.0.0.1` are the wrong host names for it.
fn wrong_name_tls() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let certificates = httpx_test_server::Certificates::generate_for(&["other.example"])
            .expect("certificates");
        TestServer::start_with(Options::new().certificates(certificates))
    })
}

/// Where `localhost` resolves first, and a listener there that answers one HTTP
/// request with `200 ok`: the test server itself when that is 127.0.0.1, else a
/// listener of this test on that address (`::1` on hosts that prefer IPv6).
fn localhost_target() -> std::net::SocketAddr {
    let first = ("localhost", 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .expect("localhost resolves");
    if first.ip() == std::net::Ipv4Addr::LOCALHOST {
        return std::net::SocketAddr::new(first.ip(), plain().port());
    }
    let listener = std::net::TcpListener::bind((first.ip(), 0)).expect("a listener on localhost");
    let addr = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut stream, _)) = listener.accept() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    addr
}

// ---------------------------------------------------------------------------------
// TLS: verification, CA bundles, verify(false) scoped to its client, host names.
// ---------------------------------------------------------------------------------

mod tls_verification {
    use super::*;

    dual_test! {
        fn untrusted_certificate_is_rejected() {
            // Verification is on by default and the generated CA is in no trust store.
            let client = builder!().build()?;
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate"]);
            Ok(())
        }

        fn another_servers_ca_is_not_enough() {
            let client = builder!().ca_bundle_pem(other_tls().ca_pem()).build()?;
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate"]);
            Ok(())
        }

        fn client_builder_ca_bundle_pem() {
            let client = builder!().ca_bundle_pem(tls().ca_pem()).build()?;
            let response = send!(client.get(tls().url("/get?a=1")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.http_version(), "HTTP/1.1");
            let echo: Value = response.json()?;
            assert_eq!(echo["tls"], true);
            assert_eq!(echo["args"]["a"], "1");
            assert_eq!(echo["url"], tls().url("/get?a=1"));
            Ok(())
        }

        fn transport_ca_bundle_pem() {
            let client = builder!()
                .native(HttpTransport::builder().ca_bundle_pem(tls().ca_pem()))?
                .build()?;
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.json::<Value>()?["tls"], true);
            Ok(())
        }

        fn transport_ca_bundle_file() {
            let client = builder!()
                .native(HttpTransport::builder().ca_bundle_file(tls().ca_path()))?
                .build()?;
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.json::<Value>()?["tls"], true);
            Ok(())
        }

        fn unreadable_or_empty_ca_bundles_fail_the_request() {
            let client = builder!()
                .native(HttpTransport::builder().ca_bundle_file("/nonexistent/httpx-ca.pem"))?
                .build()?;
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["/nonexistent/httpx-ca.pem"]);
            let client = builder!().ca_bundle_pem("no certificate here").build()?;
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["no PEM certificate"]);
            // Plain http:// never needs the bundle.
            assert_eq!(send!(client.get(plain().url("/get")))?.status(), 200);
            Ok(())
        }

        fn verify_false_is_scoped_to_its_client() {
            // T3: verify(false) applies to that client only, and another client never
            // reuses its (unverified) connections.
            let lax = builder!().verify(false).build()?;
            let response = send!(lax.get(tls().url("/get")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.json::<Value>()?["tls"], true);
            let strict = builder!().build()?;
            let err = send!(strict.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate"]);
            // The lax client still works (its pooled connection), the strict one still fails.
            assert_eq!(send!(lax.get(tls().url("/get")))?.status(), 200);
            assert_eq!(
                send!(strict.get(tls().url("/get"))).unwrap_err().kind(),
                ErrorKind::ConnectError
            );
            // The same on transports.
            let lax = builder!().native(HttpTransport::builder().verify(false))?.build()?;
            assert_eq!(send!(lax.get(tls().url("/get")))?.status(), 200);
            let strict = builder!().native(HttpTransport::builder())?.build()?;
            assert_eq!(
                send!(strict.get(tls().url("/get"))).unwrap_err().kind(),
                ErrorKind::ConnectError
            );
            Ok(())
        }

        fn host_names_are_verified() {
            let client = builder!().ca_bundle_pem(tls().ca_pem()).build()?;
            // `localhost` and `127.0.0.1` are in the certificate.
            let url = format!("https://localhost:{}/get", tls().port());
            let echo: Value = send!(client.get(&url))?.json()?;
            assert_eq!(echo["url"], url);
            // A server whose certificate, from a trusted CA, names another host.
            let wrong = wrong_name_tls();
            let trusting = builder!().ca_bundle_pem(wrong.ca_pem()).build()?;
            for host in ["localhost", "127.0.0.1"] {
                let url = format!("https://{host}:{}/get", wrong.port());
                let err = send!(trusting.get(&url)).unwrap_err();
                assert_error(&err, ErrorKind::ConnectError, &["certificate", "valid for name"]);
                // verify(false) skips the name check too.
                let lax = builder!().verify(false).build()?;
                assert_eq!(send!(lax.get(&url))?.status(), 200);
            }
            Ok(())
        }

        fn faults_over_tls() {
            // T1 over TLS: a body cut short is a ReadError, a stalled body a ReadTimeout,
            // and the client keeps working (the broken connection is not reused).
            let client = builder!()
                .ca_bundle_pem(tls().ca_pem())
                .timeout(httpx::Timeout::new(5.0).read(0.3))
                .build()?;
            let err = send!(client.get(tls().url("/fault/close-mid-body"))).unwrap_err();
            assert_error(&err, ErrorKind::ReadError, &[]);
            assert_eq!(send!(client.get(tls().url("/get")))?.status(), 200);
            let err = send!(client.get(tls().url("/fault/stall-body"))).unwrap_err();
            assert_error(&err, ErrorKind::ReadTimeout, &[]);
            let err = send!(client.get(tls().url("/fault/bad-chunk-size"))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &[]);
            assert_eq!(send!(client.get(tls().url("/get")))?.status(), 200);
            Ok(())
        }

        fn https_to_a_plain_http_port_fails_to_connect() {
            let client = builder!().build()?;
            let url = format!("https://127.0.0.1:{}/get", plain().port());
            let err = send!(client.get(url)).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &[]);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// HTTP/2 over TLS.
// ---------------------------------------------------------------------------------

mod http2 {
    use super::*;

    dual_test! {
        fn http2_over_tls() {
            let client = builder!().ca_bundle_pem(tls().ca_pem()).http2(true).build()?;
            let response = send!(client.get(tls().url("/get?h=2")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.http_version(), "HTTP/2");
            let echo: Value = response.json()?;
            assert_eq!(echo["http_version"], "HTTP/2");
            assert_eq!(echo["tls"], true);
            assert_eq!(echo["args"]["h"], "2");
            assert_eq!(echo["url"], tls().url("/get?h=2"));
            // Later requests share the connection and stay on HTTP/2.
            for _ in 0..3 {
                let response = send!(client.get(tls().url("/get")))?;
                assert_eq!(response.http_version(), "HTTP/2");
            }
            Ok(())
        }

        fn http2_only() {
            let client = builder!()
                .ca_bundle_pem(tls().ca_pem())
                .http1(false)
                .http2(true)
                .build()?;
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.http_version(), "HTTP/2");
            Ok(())
        }

        fn http1_1_without_http2() {
            let client = builder!().ca_bundle_pem(tls().ca_pem()).build()?;
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.http_version(), "HTTP/1.1");
            assert_eq!(response.json::<Value>()?["http_version"], "HTTP/1.1");
            // HTTP/2 is negotiated by ALPN only: plain http:// stays on HTTP/1.1 (no h2c,
            // as in httpx).
            let client = builder!().http2(true).build()?;
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.http_version(), "HTTP/1.1");
            Ok(())
        }

        fn http2_large_bodies_both_ways() {
            let client = builder!().ca_bundle_pem(tls().ca_pem()).http2(true).build()?;
            // Up: 3 MiB, more than any HTTP/2 flow-control window, counted by /upload.
            let body: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
            let response = send!(client.post(tls().url("/upload")).content(body.clone()))?;
            assert_eq!(response.http_version(), "HTTP/2");
            let echo: Value = response.json()?;
            assert_eq!(echo["body_length"], 3 * 1024 * 1024);
            // Up and echoed back whole.
            let text = "0123456789abcdef".repeat(64 * 1024);
            let response = send!(client.post(tls().url("/post")).content(text.clone()))?;
            let echo: Value = response.json()?;
            assert_eq!(echo["data"].as_str(), Some(text.as_str()));
            // Down: 5 MiB, whole and streamed.
            let response = send!(client.get(tls().url("/bytes/5242880")))?;
            assert_eq!(response.http_version(), "HTTP/2");
            assert_eq!(response.content()?.len(), 5 * 1024 * 1024);
            let mut response = send!(client.stream("GET", tls().url("/stream-bytes/2000000?chunk_size=65536")))?;
            let chunks = bytes!(response)?;
            assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 2_000_000);
            Ok(())
        }

        fn http2_drops_connection_specific_headers() {
            // HTTP/2 forbids these (RFC 9113 §8.2.2); setting them is not an error, they
            // are left out.
            let client = builder!().ca_bundle_pem(tls().ca_pem()).http2(true).build()?;
            let response = send!(client
                .post(tls().url("/post"))
                .header("Connection", "keep-alive, x-hop")
                .header("Keep-Alive", "timeout=5")
                .header("Proxy-Connection", "keep-alive")
                .header("Transfer-Encoding", "chunked")
                .header("Upgrade", "websocket")
                .header("TE", "trailers")
                .header("X-Kept", "yes")
                .content("payload"))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.http_version(), "HTTP/2");
            let echo: Value = response.json()?;
            assert_eq!(echo["data"], "payload");
            assert_eq!(echoed(&echo, "x-kept"), Some("yes"));
            for name in ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"] {
                assert_eq!(echoed(&echo, name), None, "{name}: {echo}");
            }
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_on_one_async_client() -> httpx::Result<()> {
        let client = httpx::AsyncClient::builder()
            .ca_bundle_pem(tls().ca_pem())
            .http2(true)
            .build()?;
        let requests = (0..24).map(|i| {
            let client = client.clone();
            async move {
                let response = client.get(tls().url(&format!("/get?i={i}"))).send().await?;
                let echo: Value = response.json()?;
                Ok::<_, httpx::Error>((response.http_version(), echo["args"]["i"].clone()))
            }
        });
        let results = futures_util::future::join_all(requests).await;
        for (i, result) in results.into_iter().enumerate() {
            let (version, arg) = result?;
            assert_eq!(version, "HTTP/2");
            assert_eq!(arg, i.to_string());
        }
        Ok(())
    }

    #[test]
    fn concurrent_requests_on_one_sync_client() -> httpx::Result<()> {
        let client = httpx::Client::builder()
            .ca_bundle_pem(tls().ca_pem())
            .http2(true)
            .build()?;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let client = client.clone();
                    scope.spawn(move || -> httpx::Result<()> {
                        for j in 0..3 {
                            let response =
                                client.get(tls().url(&format!("/get?i={i}-{j}"))).send()?;
                            assert_eq!(response.http_version(), "HTTP/2");
                            let echo: Value = response.json()?;
                            assert_eq!(echo["args"]["i"], format!("{i}-{j}"));
                        }
                        Ok(())
                    })
                })
                .collect();
            for handle in handles {
                handle.join().expect("request thread")?;
            }
            Ok(())
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_one_connection_under_max_connections_1() -> httpx::Result<()>
    {
        // With max_connections(1), requests that wait for the only connection must use
        // it once it turns out to be HTTP/2 (multiplexed), not time out waiting.
        let client = httpx::AsyncClient::builder()
            .ca_bundle_pem(tls().ca_pem())
            .http2(true)
            .limits(httpx::Limits::default().max_connections(Some(1)))
            .timeout(httpx::Timeout::new(5.0).pool(3.0))
            .build()?;
        let requests = (0..6).map(|i| {
            let client = client.clone();
            async move {
                let response = client
                    .get(tls().url(&format!("/delay/1?i={i}")))
                    .send()
                    .await?;
                Ok::<_, httpx::Error>(response.http_version())
            }
        });
        let started = std::time::Instant::now();
        for result in futures_util::future::join_all(requests).await {
            assert_eq!(result?, "HTTP/2");
        }
        // Multiplexed: about 1 s, where one after another would take 6 s (and the
        // later requests would time out waiting for the pool after 3 s). The bound is
        // generous for busy machines.
        assert!(
            started.elapsed() < std::time::Duration::from_millis(4500),
            "{:?}",
            started.elapsed()
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// Client certificates.
// ---------------------------------------------------------------------------------

mod client_certificates {
    use super::*;

    /// A server refusing the client's identity. With TLS 1.3 the client's side of the
    /// handshake is over before the server checks the certificate, so its alert arrives
    /// at the first read: a ReadError, as in httpx 0.28.1 (verified:
    /// `ReadError [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED]`), not a ConnectError. With
    /// TLS 1.2 it would be a ConnectError; a reset may also beat the alert.
    #[track_caller]
    fn assert_refused_identity(err: &httpx::Error, alert: &str) {
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ReadError | ErrorKind::ConnectError | ErrorKind::WriteError
            ),
            "{err}"
        );
        // The alert is named by a cause, once (the message says what failed).
        let chain = common::assert_chain_without_repeats(err);
        if err.kind() == ErrorKind::ReadError && !chain.contains("reset") {
            assert!(chain.contains(alert), "{alert} not in {chain}");
        }
    }

    dual_test! {
        fn required_client_certificate_missing() {
            let client = builder!().ca_bundle_pem(mtls().ca_pem()).build()?;
            let err = send!(client.get(mtls().url("/get"))).unwrap_err();
            assert_refused_identity(&err, "CertificateRequired");
            // The failed connection is not kept: the next request fails the same way.
            let err = send!(client.get(mtls().url("/get"))).unwrap_err();
            assert_refused_identity(&err, "CertificateRequired");
            Ok(())
        }

        fn client_certificate_on_the_client_builder() {
            let client = builder!()
                .ca_bundle_pem(mtls().ca_pem())
                .client_certificate_pem(mtls().client_cert_pem(), mtls().client_key_pem())
                .build()?;
            let response = send!(client.get(mtls().url("/get")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.json::<Value>()?["tls"], true);
            // Over HTTP/2 too.
            let client = builder!()
                .ca_bundle_pem(mtls().ca_pem())
                .client_certificate_pem(mtls().client_cert_pem(), mtls().client_key_pem())
                .http2(true)
                .build()?;
            assert_eq!(send!(client.get(mtls().url("/get")))?.http_version(), "HTTP/2");
            Ok(())
        }

        fn client_certificate_on_the_transport() {
            let transport = HttpTransport::builder()
                .ca_bundle_file(mtls().ca_path())
                .client_certificate_pem(mtls().client_cert_pem(), mtls().client_key_pem());
            let client = builder!().native(transport)?.build()?;
            assert_eq!(send!(client.get(mtls().url("/get")))?.status(), 200);
            Ok(())
        }

        fn a_certificate_from_another_ca_is_refused() {
            let client = builder!()
                .ca_bundle_pem(mtls().ca_pem())
                .client_certificate_pem(other_tls().client_cert_pem(), other_tls().client_key_pem())
                .build()?;
            let err = send!(client.get(mtls().url("/get"))).unwrap_err();
            assert_refused_identity(&err, "UnknownCA");
            Ok(())
        }

        fn an_invalid_client_certificate_is_an_error() {
            let client = builder!()
                .ca_bundle_pem(mtls().ca_pem())
                .client_certificate_pem(mtls().client_cert_pem(), "not a key")
                .build()?;
            let err = send!(client.get(mtls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["key"]);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// Proxies: HTTP forwarding, CONNECT tunnels, credentials, https:// and SOCKS5 proxies.
// ---------------------------------------------------------------------------------

mod proxies {
    use super::*;

    dual_test! {
        fn http_proxy_forwards_http_targets_in_absolute_form() {
            let proxy = ProxyServer::start();
            let client = builder!().proxy(Proxy::new(&proxy.url())?).build()?;
            let url = plain().url("/get?via=proxy");
            let response = send!(client.get(&url))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers().get("via").as_deref(), Some("1.1 httpx-test-proxy"));
            let echo: Value = response.json()?;
            assert_eq!(echo["args"]["via"], "proxy");
            let seen = proxy.seen();
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert_eq!(seen[0].method, "GET");
            assert_eq!(seen[0].target, url, "absolute form");
            assert_eq!(seen[0].status, 200);
            // A POST body goes through as well, on the pooled proxy connection.
            let response = send!(client.post(plain().url("/post")).content("through"))?;
            assert_eq!(response.json::<Value>()?["data"], "through");
            assert_eq!(proxy.seen().len(), 2);
            Ok(())
        }

        fn connect_tunnel_for_https_targets() {
            let proxy = ProxyServer::start();
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?)
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            let response = send!(client
                .get(tls().url("/get"))
                .header("Authorization", "Bearer origin-token")
                .header("Proxy-Authorization", "Basic bm90LWZvci10aGUtb3JpZ2lu")
                .header("X-Inner", "1"))?;
            assert_eq!(response.status(), 200);
            // The response comes from the origin, untouched by the proxy.
            assert_eq!(response.headers().get("via"), None);
            let echo: Value = response.json()?;
            assert_eq!(echo["tls"], true);
            // The origin gets its Authorization, never a Proxy-Authorization (R4).
            assert_eq!(echoed(&echo, "authorization"), Some("Bearer origin-token"));
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            assert_eq!(echoed(&echo, "x-inner"), Some("1"));
            // The proxy sees only CONNECT, none of the inner request's headers.
            let seen = proxy.seen();
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert_eq!(seen[0].method, "CONNECT");
            assert_eq!(seen[0].target, format!("127.0.0.1:{}", tls().port()));
            assert_eq!(seen[0].status, 200);
            for name in ["authorization", "x-inner"] {
                assert_eq!(seen[0].header(name), None, "{name}: {seen:?}");
            }
            // The tunnel is pooled: a second request opens no new CONNECT.
            assert_eq!(send!(client.get(tls().url("/get")))?.status(), 200);
            assert_eq!(proxy.seen().len(), 1);
            Ok(())
        }

        fn http2_through_a_connect_tunnel() {
            let proxy = ProxyServer::start();
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?)
                .ca_bundle_pem(tls().ca_pem())
                .http2(true)
                .build()?;
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.http_version(), "HTTP/2");
            assert_eq!(response.json::<Value>()?["http_version"], "HTTP/2");
            assert_eq!(proxy.seen()[0].method, "CONNECT");
            Ok(())
        }

        fn proxy_credentials_from_the_proxy_url() {
            let proxy = ProxyServer::start_with(ProxyOptions::new().credentials(PROXY_USER, PROXY_PASS));
            // Without credentials: 407 for a forwarded request, ProxyError for CONNECT.
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?)
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.status(), 407);
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &["407"]);

            // With them, in the proxy URL.
            let proxy_url = format!("http://{PROXY_USER}:{PROXY_PASS}@127.0.0.1:{}", proxy.port());
            let client = builder!()
                .proxy(Proxy::new(&proxy_url)?)
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            proxy.clear_seen();
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.status(), 200);
            let echo: Value = response.json()?;
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            let response = send!(client.get(tls().url("/get")))?;
            assert_eq!(response.status(), 200);
            let echo: Value = response.json()?;
            // Through the tunnel the origin sees no proxy credentials (R4).
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            assert_eq!(echoed(&echo, "authorization"), None, "{echo}");
            let expected = format!(
                "Basic {}",
                base64_encode(format!("{PROXY_USER}:{PROXY_PASS}").as_bytes())
            );
            let seen = proxy.seen();
            assert_eq!(seen.len(), 2, "{seen:?}");
            assert_eq!(seen[0].method, "GET");
            assert_eq!(seen[1].method, "CONNECT");
            for request in &seen {
                assert_eq!(request.header("proxy-authorization"), Some(expected.as_str()));
                assert_eq!(request.status, 200);
            }

            // Wrong credentials, set with Proxy::with_auth: refused, and the password
            // appears in no error message.
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?.with_auth(PROXY_USER, "wrong-pw"))
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            assert_eq!(send!(client.get(plain().url("/get")))?.status(), 407);
            let err = send!(client.get(tls().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &["407"]);
            assert!(!err.to_string().contains("wrong-pw"), "{err}");
            Ok(())
        }

        fn https_proxy() {
            // TLS to the proxy; it shares the server's certificates, so one CA covers both.
            let certificates = tls().certificates().expect("TLS server").clone();
            let proxy = ProxyServer::start_with(ProxyOptions::new().certificates(certificates));
            assert!(proxy.url().starts_with("https://"));
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?)
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            // An http:// target, forwarded over the TLS connection to the proxy.
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers().get("via").as_deref(), Some("1.1 httpx-test-proxy"));
            // An https:// target: TLS in a CONNECT tunnel inside TLS.
            let response = send!(client.get(tls().url("/get")))?;
            let echo: Value = response.json()?;
            assert_eq!(echo["tls"], true);
            let methods: Vec<String> = proxy.seen().into_iter().map(|s| s.method).collect();
            assert_eq!(methods, ["GET", "CONNECT"]);

            // The proxy's certificate is verified too.
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?)
                .ca_bundle_pem(other_tls().ca_pem())
                .build()?;
            let err = send!(client.get(plain().url("/get"))).unwrap_err();
            assert!(matches!(err.kind(), ErrorKind::ConnectError | ErrorKind::ProxyError), "{err}");
            assert!(common::assert_chain_without_repeats(&err).contains("certificate"), "{err:#}");
            Ok(())
        }

        fn socks5_resolves_names_locally() {
            let proxy = ProxyServer::start_with(ProxyOptions::new().socks5());
            let client = builder!().proxy(Proxy::new(&proxy.url())?).build()?;
            // The client resolves `localhost` and sends the proxy its first address,
            // 127.0.0.1 or ::1: a server listens there either way.
            let target = localhost_target();
            let url = format!("http://localhost:{}/get", target.port());
            let response = send!(client.get(&url))?;
            assert_eq!(response.status(), 200);
            if target.is_ipv4() {
                assert_eq!(response.json::<Value>()?["url"], url);
            }
            let (seen, address_type, username) = only_socks_connect(&proxy);
            let expected_type = if target.is_ipv4() { AddressType::Ipv4 } else { AddressType::Ipv6 };
            assert_eq!(address_type, expected_type);
            assert_eq!(seen.target, target.to_string());
            assert_eq!(seen.status, 0);
            assert_eq!(username, None);
            Ok(())
        }

        fn socks5h_leaves_names_to_the_proxy() {
            let proxy = ProxyServer::start_with(ProxyOptions::new().socks5());
            let proxy_url = proxy.url().replace("socks5://", "socks5h://");
            let client = builder!()
                .proxy(Proxy::new(&proxy_url)?)
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            let response = send!(client.get(format!("http://localhost:{}/get", plain().port())))?;
            assert_eq!(response.status(), 200);
            let (seen, address_type, _) = only_socks_connect(&proxy);
            assert_eq!(address_type, AddressType::Domain);
            assert_eq!(seen.target, format!("localhost:{}", plain().port()));
            // https:// through SOCKS: TLS end to end with the origin.
            proxy.clear_seen();
            let response = send!(client.get(format!("https://localhost:{}/get", tls().port())))?;
            assert_eq!(response.json::<Value>()?["tls"], true);
            let (seen, address_type, _) = only_socks_connect(&proxy);
            assert_eq!(address_type, AddressType::Domain);
            assert_eq!(seen.target, format!("localhost:{}", tls().port()));
            Ok(())
        }

        fn socks5_with_username_and_password() {
            let proxy = ProxyServer::start_with(
                ProxyOptions::new().socks5().credentials(PROXY_USER, PROXY_PASS),
            );
            let proxy_url = format!("socks5://{PROXY_USER}:{PROXY_PASS}@127.0.0.1:{}", proxy.port());
            let client = builder!().proxy(Proxy::new(&proxy_url)?).build()?;
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.status(), 200);
            // Proxy credentials never reach the origin.
            assert_eq!(echoed(&response.json::<Value>()?, "proxy-authorization"), None);
            let (_, address_type, username) = only_socks_connect(&proxy);
            assert_eq!(address_type, AddressType::Ipv4);
            assert_eq!(username.as_deref(), Some(PROXY_USER));
            // Without credentials, or with wrong ones: a ProxyError without the password.
            let client = builder!().proxy(Proxy::new(&proxy.url())?).build()?;
            let err = send!(client.get(plain().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &[]);
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?.with_auth(PROXY_USER, "wrong-pw"))
                .build()?;
            let err = send!(client.get(plain().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &[]);
            assert!(!err.to_string().contains("wrong-pw"), "{err}");
            Ok(())
        }

        fn socks5_target_refused_by_the_proxy() {
            // The test proxy reaches loopback only; an unreachable loopback port gives
            // reply 5 (connection refused): a ProxyError naming the target.
            let proxy = ProxyServer::start_with(ProxyOptions::new().socks5());
            let client = builder!().proxy(Proxy::new(&proxy.url())?).build()?;
            let err = send!(client.get("http://127.0.0.1:1/")).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &["127.0.0.1:1"]);
            Ok(())
        }

        fn connect_refused_by_the_proxy() {
            // CONNECT to an unreachable target: the proxy answers 502, a ProxyError.
            let proxy = ProxyServer::start();
            let client = builder!().proxy(Proxy::new(&proxy.url())?).build()?;
            let err = send!(client.get("https://127.0.0.1:1/")).unwrap_err();
            assert_error(&err, ErrorKind::ProxyError, &["502", "127.0.0.1:1"]);
            // For a forwarded http:// request the proxy's 502 is the response.
            assert_eq!(send!(client.get("http://127.0.0.1:1/"))?.status(), 502);
            Ok(())
        }

        fn proxy_headers_go_to_the_proxy_only() {
            let proxy = ProxyServer::start();
            let mut extra = httpx::Headers::new();
            extra.insert("X-Proxy-Hint", "for-the-proxy")?;
            let client = builder!()
                .proxy(Proxy::new(&proxy.url())?.with_headers(extra))
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            assert_eq!(send!(client.get(plain().url("/get")))?.status(), 200);
            let echo: Value = send!(client.get(tls().url("/get")))?.json()?;
            // Behind the tunnel the origin never sees them.
            assert_eq!(echoed(&echo, "x-proxy-hint"), None, "{echo}");
            let seen = proxy.seen();
            assert_eq!(seen.len(), 2, "{seen:?}");
            for request in &seen {
                assert_eq!(request.header("x-proxy-hint"), Some("for-the-proxy"), "{seen:?}");
            }
            Ok(())
        }

        fn redirect_to_another_origin_drops_proxy_authorization() {
            // R4 over the network: 127.0.0.1 redirects to localhost (another origin).
            let client = builder!().follow_redirects(true).build()?;
            let url = plain().url("/redirect-to-host/localhost?path=/headers");
            let response = send!(client
                .get(url)
                .header("Proxy-Authorization", "Basic c2VjcmV0OnNlY3JldA==")
                .header("X-Kept", "1"))?;
            assert_eq!(response.history().len(), 1);
            assert_eq!(response.url().map(|u| u.host().into_owned()).as_deref(), Some("localhost"));
            let echo: Value = response.json()?;
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            assert_eq!(echoed(&echo, "x-kept"), Some("1"), "{echo}");
            Ok(())
        }

        fn refused_proxy_connection() {
            // T2 for proxies. httpx raises ConnectError for both; here an HTTP proxy that
            // refuses the connection is a ProxyError, a SOCKS5 one a ConnectError, and
            // both messages name the proxy.
            let client = builder!().proxy(Proxy::new("http://127.0.0.1:1")?).build()?;
            for url in [plain().url("/get"), tls().url("/get")] {
                let err = send!(client.get(url)).unwrap_err();
                assert_error(&err, ErrorKind::ProxyError, &["proxy", "127.0.0.1:1"]);
            }
            let client = builder!().proxy(Proxy::new("socks5://127.0.0.1:1")?).build()?;
            let err = send!(client.get(plain().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["proxy", "127.0.0.1:1"]);
            Ok(())
        }

        fn proxy_credentials_never_appear_in_error_messages() {
            let client = builder!()
                .proxy(Proxy::new(&format!("http://{PROXY_USER}:{PROXY_PASS}@127.0.0.1:1"))?)
                .build()?;
            let err = send!(client.get(plain().url("/get"))).unwrap_err();
            assert!(!format!("{err} {err:?}").contains(PROXY_PASS), "{err:?}");
            Ok(())
        }

        fn proxy_through_a_mounted_transport() {
            let proxy = ProxyServer::start();
            let transport = HttpTransport::builder().proxy(Proxy::new(&proxy.url())?);
            let client = builder!().native_mount("all://", transport)?.build()?;
            let response = send!(client.get(plain().url("/get")))?;
            assert_eq!(response.headers().get("via").as_deref(), Some("1.1 httpx-test-proxy"));
            assert_eq!(proxy.seen().len(), 1);
            // Mounted for http:// only: https:// goes direct.
            let transport = HttpTransport::builder().proxy(Proxy::new(&proxy.url())?);
            let client = builder!()
                .native_mount("http://", transport)?
                .ca_bundle_pem(tls().ca_pem())
                .build()?;
            proxy.clear_seen();
            assert_eq!(send!(client.get(tls().url("/get")))?.status(), 200);
            assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
            let response = send!(client.get(plain().url("/get")))?;
            assert!(response.headers().get("via").is_some());
            assert_eq!(proxy.seen().len(), 1);
            // A transport given with .transport(): every request through its proxy.
            let transport = HttpTransport::builder().proxy(Proxy::new(&proxy.url())?);
            let client = builder!().native(transport)?.build()?;
            proxy.clear_seen();
            assert!(send!(client.get(plain().url("/get")))?.headers().get("via").is_some());
            assert_eq!(proxy.seen().len(), 1);
            Ok(())
        }
    }

    /// Standard base64, for the expected `Proxy-Authorization` value.
    fn base64_encode(input: &[u8]) -> String {
        const TABLE: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn base64_helper() {
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b"a"), "YQ==");
    }
}

// ---------------------------------------------------------------------------------
// The environment: proxies and SSL_CERT_FILE / SSL_CERT_DIR, in a child process.
// ---------------------------------------------------------------------------------

/// How the child builds its client and what it requests.
#[derive(Default)]
struct ChildSpec {
    url: String,
    trust_env: Option<bool>,
    /// Give the client a transport of its own (`.transport(..)`).
    custom_transport: bool,
    /// Trust this CA on the client builder.
    ca_pem: Option<String>,
    /// Use `Client::new()` / `AsyncClient::new()` instead of the builder.
    new_client: bool,
}

/// Runs the child request with `vars` set, once per client flavour; returns the
/// outcomes (`{"status", "via", "echo"}` or `{"error", "message"}`), sync first.
fn run_child(vars: &[(&str, &str)], spec: &ChildSpec) -> [Value; 2] {
    let mut command = common::child_command(vars);
    command.env("HTTPX_CHILD_URL", &spec.url);
    if let Some(trust) = spec.trust_env {
        command.env("HTTPX_CHILD_TRUST_ENV", trust.to_string());
    }
    if spec.custom_transport {
        command.env("HTTPX_CHILD_CUSTOM_TRANSPORT", "1");
    }
    if let Some(pem) = &spec.ca_pem {
        command.env("HTTPX_CHILD_CA_PEM", pem);
    }
    if spec.new_client {
        command.env("HTTPX_CHILD_NEW", "1");
    }
    common::child_outcomes(command, "HTTPX_CHILD_OUTCOME")
}

/// Asserts that both flavours went through `proxy` (the HTTP forward proxy).
#[track_caller]
fn assert_proxied(outcomes: &[Value; 2], proxy: &ProxyServer) {
    for outcome in outcomes {
        assert_eq!(outcome["status"], 200, "{outcome}");
        assert_eq!(outcome["via"], "1.1 httpx-test-proxy", "{outcome}");
    }
    assert_eq!(proxy.seen().len(), 2, "{:?}", proxy.seen());
}

/// Asserts that both flavours reached the server directly.
#[track_caller]
fn assert_direct(outcomes: &[Value; 2], proxy: &ProxyServer) {
    for outcome in outcomes {
        assert_eq!(outcome["status"], 200, "{outcome}");
        assert_eq!(outcome["via"], Value::Null, "{outcome}");
    }
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
}

mod env_child {
    use super::*;

    fn var(name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    dual_test! {
        #[ignore = "a helper: the env_* tests run it in a child process with its environment"]
        fn child_request() {
            let Some(url) = var("HTTPX_CHILD_URL") else {
                // Run directly (--include-ignored): nothing to do outside a child.
                eprintln!("child_request: run by the env_* tests in a child process");
                return Ok(());
            };
            let mut builder = builder!();
            if let Some(trust) = var("HTTPX_CHILD_TRUST_ENV") {
                builder = builder.trust_env(trust == "true");
            }
            if let Some(pem) = var("HTTPX_CHILD_CA_PEM") {
                builder = builder.ca_bundle_pem(pem);
            }
            if var("HTTPX_CHILD_CUSTOM_TRANSPORT").is_some() {
                builder = builder.native(HttpTransport::builder())?;
            }
            let built = if var("HTTPX_CHILD_NEW").is_some() {
                Ok(new_client!())
            } else {
                builder.build()
            };
            let client = match built {
                Ok(client) => client,
                Err(e) => {
                    let outcome = serde_json::json!({"build_error": e.kind().to_string(), "message": e.to_string()});
                    println!("HTTPX_CHILD_OUTCOME {} {outcome}", flavour!());
                    return Ok(());
                }
            };
            let outcome = match send!(client.get(&url)) {
                Ok(response) => serde_json::json!({
                    "status": response.status_code(),
                    "via": response.headers().get("via"),
                    "echo": response.json::<Value>().unwrap_or(Value::Null),
                }),
                Err(e) => serde_json::json!({
                    "error": e.kind().to_string(),
                    "message": e.to_string(),
                }),
            };
            println!("HTTPX_CHILD_OUTCOME {} {outcome}", flavour!());
            Ok(())
        }
    }
}

mod env_proxies {
    use super::*;

    fn spec(url: String) -> ChildSpec {
        ChildSpec {
            url,
            ..ChildSpec::default()
        }
    }

    #[test]
    fn env_http_proxy_routes_http_requests() {
        let proxy = ProxyServer::start();
        let url = plain().url("/get?env=1");
        let outcomes = run_child(&[("HTTP_PROXY", &proxy.url())], &spec(url.clone()));
        assert_proxied(&outcomes, &proxy);
        assert!(proxy.seen().iter().all(|s| s.target == url));
    }

    #[test]
    fn env_lowercase_http_proxy_wins() {
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[
                ("http_proxy", &proxy.url()),
                ("HTTP_PROXY", "http://127.0.0.1:1"),
            ],
            &spec(plain().url("/get")),
        );
        assert_proxied(&outcomes, &proxy);
    }

    #[test]
    fn env_http_proxy_without_scheme() {
        // httpx reads `host:port` as an http:// proxy.
        let proxy = ProxyServer::start();
        let bare = format!("127.0.0.1:{}", proxy.port());
        let outcomes = run_child(&[("HTTP_PROXY", &bare)], &spec(plain().url("/get")));
        assert_proxied(&outcomes, &proxy);
    }

    #[test]
    fn env_http_proxy_does_not_apply_to_https() {
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[("HTTP_PROXY", &proxy.url())],
            &ChildSpec {
                ca_pem: Some(tls().ca_pem().to_string()),
                ..spec(tls().url("/get"))
            },
        );
        assert_direct(&outcomes, &proxy);
    }

    #[test]
    fn env_https_proxy_tunnels_https_requests() {
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[("HTTPS_PROXY", &proxy.url())],
            &ChildSpec {
                ca_pem: Some(tls().ca_pem().to_string()),
                ..spec(tls().url("/get"))
            },
        );
        for outcome in &outcomes {
            assert_eq!(outcome["status"], 200, "{outcome}");
            assert_eq!(outcome["echo"]["tls"], true, "{outcome}");
        }
        let seen = proxy.seen();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen.iter().all(|s| s.method == "CONNECT"), "{seen:?}");
    }

    #[test]
    fn env_proxy_credentials_in_the_url() {
        let proxy =
            ProxyServer::start_with(ProxyOptions::new().credentials(PROXY_USER, PROXY_PASS));
        let with_auth = format!(
            "http://{PROXY_USER}:{PROXY_PASS}@127.0.0.1:{}",
            proxy.port()
        );
        let outcomes = run_child(&[("HTTP_PROXY", &with_auth)], &spec(plain().url("/get")));
        assert_proxied(&outcomes, &proxy);
        for outcome in &outcomes {
            assert_eq!(
                outcome["echo"]["headers"]["proxy-authorization"],
                Value::Null
            );
        }
        assert!(proxy.seen().iter().all(|s| s
            .header("proxy-authorization")
            .is_some_and(|v| v.starts_with("Basic "))));
    }

    #[test]
    fn env_no_proxy_keeps_listed_hosts_direct() {
        let proxy = ProxyServer::start();
        for no_proxy in ["127.0.0.1", "example.com, 127.0.0.1", "http://127.0.0.1"] {
            proxy.clear_seen();
            let outcomes = run_child(
                &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)],
                &spec(plain().url("/get")),
            );
            assert_direct(&outcomes, &proxy);
        }
        // Another host in NO_PROXY does not stop the proxy.
        proxy.clear_seen();
        let outcomes = run_child(
            &[
                ("HTTP_PROXY", &proxy.url()),
                ("no_proxy", "example.com,localhost"),
            ],
            &spec(plain().url("/get")),
        );
        assert_proxied(&outcomes, &proxy);
    }

    #[test]
    fn env_no_proxy_star_turns_proxies_off() {
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[
                ("HTTP_PROXY", &proxy.url()),
                ("ALL_PROXY", &proxy.url()),
                ("NO_PROXY", "*"),
            ],
            &spec(plain().url("/get")),
        );
        assert_direct(&outcomes, &proxy);
    }

    #[test]
    fn env_trust_env_false_ignores_proxies() {
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[("HTTP_PROXY", &proxy.url()), ("ALL_PROXY", &proxy.url())],
            &ChildSpec {
                trust_env: Some(false),
                ..spec(plain().url("/get"))
            },
        );
        assert_direct(&outcomes, &proxy);
    }

    #[test]
    fn env_a_custom_transport_ignores_proxies() {
        // httpx's rule: environment proxies are mounted only on the default transport.
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[("HTTP_PROXY", &proxy.url()), ("ALL_PROXY", &proxy.url())],
            &ChildSpec {
                custom_transport: true,
                ..spec(plain().url("/get"))
            },
        );
        assert_direct(&outcomes, &proxy);
    }

    #[test]
    fn env_uppercase_http_proxy_is_ignored_in_cgi() {
        // httpoxy (P2): in a CGI script a client's `Proxy:` header becomes HTTP_PROXY.
        let proxy = ProxyServer::start();
        let outcomes = run_child(
            &[("HTTP_PROXY", &proxy.url()), ("REQUEST_METHOD", "GET")],
            &spec(plain().url("/get")),
        );
        assert_direct(&outcomes, &proxy);
    }

    #[test]
    fn env_all_proxy_socks5h() {
        let proxy = ProxyServer::start_with(ProxyOptions::new().socks5());
        let socks5h = proxy.url().replace("socks5://", "socks5h://");
        let url = format!("http://localhost:{}/get", plain().port());
        let outcomes = run_child(&[("ALL_PROXY", &socks5h)], &spec(url));
        for outcome in &outcomes {
            assert_eq!(outcome["status"], 200, "{outcome}");
        }
        let seen = proxy.seen();
        assert_eq!(seen.len(), 2, "{seen:?}");
        for request in &seen {
            assert_eq!(request.target, format!("localhost:{}", plain().port()));
            assert_eq!(
                request.socks.as_ref().map(|s| s.address_type),
                Some(AddressType::Domain)
            );
        }
    }

    #[test]
    fn env_invalid_proxy_url_fails_the_build() {
        let outcomes = run_child(
            &[("HTTP_PROXY", "ftp://127.0.0.1:21")],
            &spec(plain().url("/get")),
        );
        // As in httpx, an environment proxy with an unknown scheme fails the client's
        // construction.
        for outcome in &outcomes {
            assert_eq!(outcome["build_error"], "UnsupportedProtocol", "{outcome}");
            assert!(
                outcome["message"].as_str().unwrap_or("").contains("ftp"),
                "{outcome}"
            );
        }
    }

    #[test]
    fn env_invalid_proxy_url_with_new_fails_each_request() {
        // `Client::new()` cannot return the error: it neither panics nor goes around the
        // proxy the environment asked for; each request fails with the set-up error.
        let mut child = spec(plain().url("/get"));
        child.new_client = true;
        let outcomes = run_child(&[("HTTP_PROXY", "ftp://127.0.0.1:21")], &child);
        for outcome in &outcomes {
            assert_eq!(outcome["error"], "UnsupportedProtocol", "{outcome}");
            let message = outcome["message"].as_str().unwrap_or("");
            assert!(
                message.contains("could not be set up") && message.contains("ftp"),
                "{outcome}"
            );
        }
    }
}

mod env_certificates {
    use super::*;

    fn spec(trust_env: Option<bool>) -> ChildSpec {
        ChildSpec {
            url: tls().url("/get"),
            trust_env,
            ..ChildSpec::default()
        }
    }

    #[test]
    fn env_ssl_cert_file_is_trusted_with_trust_env() {
        let ca = tls().ca_path().to_str().expect("UTF-8 path").to_string();
        for outcome in run_child(&[("SSL_CERT_FILE", &ca)], &spec(None)) {
            assert_eq!(outcome["status"], 200, "{outcome}");
            assert_eq!(outcome["echo"]["tls"], true, "{outcome}");
        }
    }

    #[test]
    fn env_ssl_cert_dir_is_trusted_with_trust_env() {
        let dir = tls().ca_path().parent().expect("a directory");
        let dir = dir.to_str().expect("UTF-8 path").to_string();
        for outcome in run_child(&[("SSL_CERT_DIR", &dir)], &spec(None)) {
            assert_eq!(outcome["status"], 200, "{outcome}");
        }
    }

    #[test]
    fn env_ssl_cert_file_of_another_ca_is_rejected() {
        let ca = other_tls()
            .ca_path()
            .to_str()
            .expect("UTF-8 path")
            .to_string();
        for outcome in run_child(&[("SSL_CERT_FILE", &ca)], &spec(None)) {
            assert_eq!(outcome["error"], "ConnectError", "{outcome}");
        }
    }

    #[test]
    #[cfg_attr(
        any(target_vendor = "apple", windows),
        ignore = "rustls-native-certs reads SSL_CERT_FILE there whatever trust_env says"
    )]
    fn env_ssl_cert_file_is_ignored_without_trust_env() {
        let ca = tls().ca_path().to_str().expect("UTF-8 path").to_string();
        for outcome in run_child(&[("SSL_CERT_FILE", &ca)], &spec(Some(false))) {
            assert_eq!(outcome["error"], "ConnectError", "{outcome}");
        }
    }

    #[test]
    fn env_a_ca_bundle_wins_over_ssl_cert_file() {
        let ca = other_tls()
            .ca_path()
            .to_str()
            .expect("UTF-8 path")
            .to_string();
        let spec = ChildSpec {
            ca_pem: Some(tls().ca_pem().to_string()),
            ..spec(None)
        };
        for outcome in run_child(&[("SSL_CERT_FILE", &ca)], &spec) {
            assert_eq!(outcome["status"], 200, "{outcome}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Unix domain sockets (the test server listens on TCP only: a minimal hyper server).
// ---------------------------------------------------------------------------------

#[cfg(unix)]
mod unix_sockets {
    use super::*;

    /// Serves `uds {method} {path}` with the Host header on a Unix socket until dropped.
    struct UdsServer {
        path: std::path::PathBuf,
        runtime: Option<tokio::runtime::Runtime>,
    }

    impl UdsServer {
        fn start() -> UdsServer {
            static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let path = std::env::temp_dir().join(format!(
                "httpx-uds-{}-{}.sock",
                std::process::id(),
                COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ));
            let _ = std::fs::remove_file(&path);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            let listener = {
                let _guard = runtime.enter();
                tokio::net::UnixListener::bind(&path).expect("bind the Unix socket")
            };
            runtime.spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(
                            |req: http::Request<hyper::body::Incoming>| async move {
                                let host = req
                                    .headers()
                                    .get("host")
                                    .and_then(|h| h.to_str().ok())
                                    .unwrap_or("")
                                    .to_string();
                                let body = format!("uds {} {} {host}", req.method(), req.uri());
                                Ok::<_, std::convert::Infallible>(http::Response::new(
                                    http_body_util::Full::new(bytes::Bytes::from(body)),
                                ))
                            },
                        );
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
            UdsServer {
                path,
                runtime: Some(runtime),
            }
        }
    }

    impl Drop for UdsServer {
        fn drop(&mut self) {
            // Dropped inside an async test too, where a runtime cannot block to shut down.
            if let Some(runtime) = self.runtime.take() {
                runtime.shutdown_background();
            }
            let _ = std::fs::remove_file(&self.path);
        }
    }

    dual_test! {
        fn requests_over_a_unix_socket() {
            let server = UdsServer::start();
            let client = builder!().native(HttpTransport::builder().uds(&server.path))?.build()?;
            for _ in 0..2 {
                let response = send!(client.get("http://unix.invalid/path?q=1"))?;
                assert_eq!(response.status(), 200);
                assert_eq!(response.text()?, "uds GET /path?q=1 unix.invalid");
            }
            let missing = std::env::temp_dir().join("httpx-no-such-socket.sock");
            let client = builder!().native(HttpTransport::builder().uds(&missing))?.build()?;
            let err = send!(client.get("http://unix.invalid/")).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["httpx-no-such-socket.sock"]);
            Ok(())
        }
    }
}
