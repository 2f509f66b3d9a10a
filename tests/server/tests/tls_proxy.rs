//! TLS (HTTP/1.1 and HTTP/2 by ALPN, client certificates) and the test proxy (absolute
//! form, CONNECT, Basic proxy auth, SOCKS5), driven with hyper's client connections over
//! tokio-rustls and hand-written proxy handshakes.

use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use httpx_test_server::{AddressType, Options, ProxyOptions, ProxyServer, SeenRequest, TestServer};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A response with its body read.
#[derive(Debug)]
struct Res {
    status: u16,
    version: http::Version,
    headers: HeaderMap,
    body: Bytes,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
}

/// A rustls client configuration trusting `ca` (nothing when `None`), presenting
/// `identity` (certificate, key) when given, offering `alpn`.
fn client_config(
    ca: Option<&str>,
    identity: Option<(&str, &str)>,
    alpn: &[&[u8]],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = ca {
        roots
            .add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
            .unwrap();
    }
    let builder = ClientConfig::builder_with_provider(Arc::new(httpx_test_server::ring_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// A TLS session over `io` for `name`.
async fn tls_over<IO>(
    io: IO,
    config: Arc<ClientConfig>,
    name: &str,
) -> std::io::Result<TlsStream<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let name = ServerName::try_from(name.to_string()).unwrap();
    TlsConnector::from(config).connect(name, io).await
}

/// The ALPN protocol a session negotiated.
fn alpn<IO>(session: &TlsStream<IO>) -> Option<Vec<u8>> {
    session.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
}

async fn read_response(resp: http::Response<hyper::body::Incoming>) -> Result<Res, Error> {
    let (parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(Res {
        status: parts.status.as_u16(),
        version: parts.version,
        headers: parts.headers,
        body,
    })
}

/// A request without a body: method, URI, extra headers.
type Call<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Sends requests on one HTTP/1.1 connection over `io`, each `(method, uri, headers)`
/// with an empty body (`uri` may be absolute-form, for proxies).
async fn http1<IO>(io: IO, host: &str, requests: &[Call<'_>]) -> Result<Vec<Res>, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut out = Vec::new();
    for (method, uri, headers) in requests {
        let mut builder = Request::builder()
            .method(*method)
            .uri(*uri)
            .header("host", host);
        for (k, v) in *headers {
            builder = builder.header(*k, *v);
        }
        sender.ready().await?;
        let resp = sender
            .send_request(builder.body(Full::new(Bytes::new()))?)
            .await?;
        out.push(read_response(resp).await?);
    }
    Ok(out)
}

/// One HTTP/2 connection over `io`.
async fn http2<IO>(io: IO) -> Result<hyper::client::conn::http2::SendRequest<Full<Bytes>>, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn h2_send(
    sender: &mut hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    method: &str,
    uri: &str,
    body: &'static [u8],
) -> Result<Res, Error> {
    sender.ready().await?;
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-test", "h2")
        .body(Full::new(Bytes::from_static(body)))?;
    read_response(sender.send_request(req).await?).await
}

async fn tls_connect(
    server: &TestServer,
    config: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(server.addr()).await?;
    tls_over(tcp, config, "127.0.0.1").await
}

#[tokio::test]
async fn https_get_with_the_ca_trusted() {
    let server = TestServer::start_with(Options::new().tls(true));
    assert!(server.is_tls());
    let base = format!("https://127.0.0.1:{}", server.port());
    assert_eq!(server.base_url(), base);
    assert_eq!(server.url("get"), format!("{base}/get"));
    assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(
        std::fs::read_to_string(server.ca_path()).unwrap(),
        server.ca_pem()
    );

    let config = client_config(Some(server.ca_pem()), None, &[b"http/1.1"]);
    let session = tls_connect(&server, config.clone()).await.unwrap();
    assert_eq!(alpn(&session).as_deref(), Some(&b"http/1.1"[..]));
    let host = server.addr().to_string();
    let res = http1(
        session,
        &host,
        &[
            ("GET", "/get?a=1", &[]),
            ("GET", "/absolute-redirect/1", &[]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res[0].status, 200);
    let echo = res[0].json();
    assert_eq!(echo["http_version"], "HTTP/1.1");
    assert_eq!(echo["tls"], true);
    assert_eq!(echo["url"], format!("{base}/get?a=1"));
    assert_eq!(echo["raw_headers"][0][0], "host");
    // Redirects built from the request keep the scheme.
    assert_eq!(res[1].header("location"), format!("{base}/get"));

    // The certificate also names localhost and ::1.
    for name in ["localhost", "::1"] {
        let tcp = TcpStream::connect(server.addr()).await.unwrap();
        let session = tls_over(tcp, config.clone(), name).await.unwrap();
        let res = http1(session, &host, &[("GET", "/ip", &[])]).await.unwrap();
        assert_eq!(res[0].status, 200, "{name}");
    }

    // The PEM files go away with the server.
    let dir = server.ca_path().parent().unwrap().to_path_buf();
    assert!(server.client_cert_path().exists() && server.client_key_path().exists());
    drop(server);
    assert!(!dir.exists());
}

#[tokio::test]
async fn https_is_rejected_without_the_ca() {
    let server = TestServer::start_with(Options::new().tls(true));
    let err = tls_connect(&server, client_config(None, None, &[]))
        .await
        .expect_err("verified without the CA");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

    // Another server's CA does not do either.
    let other = TestServer::start_with(Options::new().tls(true));
    assert_ne!(other.ca_pem(), server.ca_pem());
    let err = tls_connect(&server, client_config(Some(other.ca_pem()), None, &[]))
        .await
        .expect_err("verified with the wrong CA");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

    // A name the certificate does not carry.
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let err = tls_over(
        tcp,
        client_config(Some(server.ca_pem()), None, &[]),
        "example.com",
    )
    .await
    .expect_err("verified for the wrong name");
    assert!(err.to_string().contains("not valid for name"), "{err}");

    // A plain-HTTP client gets no answer it can read.
    let res = http1(
        TcpStream::connect(server.addr()).await.unwrap(),
        "h",
        &[("GET", "/get", &[])],
    )
    .await;
    assert!(res.is_err(), "{res:?}");
}

#[tokio::test]
async fn http2_by_alpn() {
    let server = TestServer::start_with(Options::new().tls(true));
    let base = server.base_url();
    let config = client_config(Some(server.ca_pem()), None, &[b"h2", b"http/1.1"]);
    let session = tls_connect(&server, config).await.unwrap();
    assert_eq!(alpn(&session).as_deref(), Some(&b"h2"[..]));
    let mut h2 = http2(session).await.unwrap();

    let res = h2_send(&mut h2, "GET", &format!("{base}/get?x=1"), b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.version, http::Version::HTTP_2);
    let echo = res.json();
    assert_eq!(echo["http_version"], "HTTP/2");
    assert_eq!(echo["tls"], true);
    assert_eq!(echo["url"], format!("{base}/get?x=1"));
    assert_eq!(echo["headers"]["x-test"], "h2");

    // Many requests in flight on the one connection, across the route table.
    let paths = [
        ("POST", "/post", &b"{\"a\": 1}"[..]),
        ("GET", "/stream/5", b""),
        ("GET", "/gzip", b""),
        ("GET", "/redirect/2", b""),
        ("GET", "/bytes/100000", b""),
        ("GET", "/status/418", b""),
        ("PUT", "/anything/x", b"body"),
        ("HEAD", "/get", b""),
    ];
    let mut tasks = Vec::new();
    for (method, path, body) in paths {
        let mut sender = h2.clone();
        let uri = format!("{base}{path}");
        tasks.push(tokio::spawn(async move {
            h2_send(&mut sender, method, &uri, body).await.unwrap()
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(results[0].json()["json"]["a"], 1);
    assert_eq!(results[0].json()["http_version"], "HTTP/2");
    assert_eq!(
        results[1]
            .body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        5
    );
    assert_eq!(results[2].header("content-encoding"), "gzip");
    assert_eq!(results[3].status, 302);
    assert_eq!(results[3].header("location"), "/redirect/1");
    assert_eq!(results[4].body.len(), 100000);
    assert_eq!(results[5].status, 418);
    assert_eq!(results[6].json()["data"], "body");
    // HEAD: the headers of GET, no body.
    assert_eq!(results[7].status, 200);
    assert!(results[7].body.is_empty());
    let length: usize = results[7].header("content-length").parse().unwrap();
    assert!(length > 100, "{length}");

    // Faults need HTTP/1.1's raw socket.
    let res = h2_send(&mut h2, "GET", &format!("{base}/fault/close-mid-body"), b"")
        .await
        .unwrap();
    assert_eq!(res.status, 501);
    // The connection is still fine after that.
    let res = h2_send(&mut h2, "GET", &format!("{base}/ip"), b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn http2_prior_knowledge_on_plain_http() {
    let server = TestServer::start();
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let mut h2 = http2(tcp).await.unwrap();
    let res = h2_send(&mut h2, "GET", &server.url("/get"), b"")
        .await
        .unwrap();
    let echo = res.json();
    assert_eq!(echo["http_version"], "HTTP/2");
    assert_eq!(echo["tls"], false);
    assert_eq!(echo["url"], server.url("/get"));
}

#[tokio::test]
async fn faults_over_tls() {
    let server = TestServer::start_with(Options::new().tls(true));
    let config = client_config(Some(server.ca_pem()), None, &[b"http/1.1"]);
    let host = server.addr().to_string();
    for path in [
        "/fault/close-mid-body",
        "/fault/reset",
        "/fault/bad-chunk-size",
    ] {
        let session = tls_connect(&server, config.clone()).await.unwrap();
        let res = http1(session, &host, &[("GET", path, &[])]).await;
        assert!(res.is_err(), "{path}: {res:?}");
    }
    // The same keep-alive connection serves a request, then a fault.
    let session = tls_connect(&server, config.clone()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(session))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = |path: &str| {
        Request::builder()
            .uri(path)
            .header("host", &host)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    let ok = read_response(sender.send_request(req("/get")).await.unwrap())
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    sender.ready().await.unwrap();
    let resp = sender
        .send_request(req("/fault/duplicate-content-length"))
        .await;
    assert!(resp.is_err(), "{resp:?}");
}

#[tokio::test]
async fn client_certificate_required_and_accepted() {
    let server = TestServer::start_with(Options::new().client_auth(true));
    assert!(server.is_tls());
    assert!(server
        .client_cert_pem()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(server.client_key_pem().contains("PRIVATE KEY"));
    let host = server.addr().to_string();

    // Without a certificate: with TLS 1.3 the client's handshake may finish before the
    // server refuses, so the refusal shows at the first read at the latest.
    let refused = async {
        let session = tls_connect(&server, client_config(Some(server.ca_pem()), None, &[])).await?;
        http1(session, &host, &[("GET", "/get", &[])]).await
    }
    .await;
    assert!(refused.is_err(), "{refused:?}");

    // A certificate from another CA is refused too.
    let other = TestServer::start_with(Options::new().tls(true));
    let refused = async {
        let config = client_config(
            Some(server.ca_pem()),
            Some((other.client_cert_pem(), other.client_key_pem())),
            &[],
        );
        let session = tls_connect(&server, config).await?;
        http1(session, &host, &[("GET", "/get", &[])]).await
    }
    .await;
    assert!(refused.is_err(), "{refused:?}");

    // With the server's client certificate, over HTTP/1.1 and HTTP/2.
    let identity = Some((server.client_cert_pem(), server.client_key_pem()));
    let session = tls_connect(&server, client_config(Some(server.ca_pem()), identity, &[]))
        .await
        .unwrap();
    let res = http1(session, &host, &[("GET", "/get", &[])])
        .await
        .unwrap();
    assert_eq!(res[0].status, 200);
    assert_eq!(res[0].json()["tls"], true);
    let session = tls_connect(
        &server,
        client_config(Some(server.ca_pem()), identity, &[b"h2"]),
    )
    .await
    .unwrap();
    let mut h2 = http2(session).await.unwrap();
    let res = h2_send(&mut h2, "GET", &server.url("/get"), b"")
        .await
        .unwrap();
    assert_eq!(res.json()["http_version"], "HTTP/2");

    // The PEM files hold the same certificate and key.
    assert_eq!(
        std::fs::read_to_string(server.client_cert_path()).unwrap(),
        server.client_cert_pem()
    );
    assert_eq!(
        std::fs::read_to_string(server.client_key_path()).unwrap(),
        server.client_key_pem()
    );
}

#[tokio::test]
async fn proxy_forwards_absolute_form() {
    let origin = TestServer::start();
    let proxy = ProxyServer::start();
    assert_eq!(proxy.url(), format!("http://127.0.0.1:{}", proxy.port()));
    let target = origin.url("/get?a=1");
    let stream = TcpStream::connect(proxy.addr()).await.unwrap();
    let host = origin.addr().to_string();
    let stream_target = origin.url("/stream/3");
    let res = http1(
        stream,
        &host,
        &[
            ("GET", &target, &[("x-custom", "yes")]),
            ("GET", &stream_target, &[]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res[0].status, 200);
    assert_eq!(res[0].header("via"), "1.1 httpx-test-proxy");
    let echo = res[0].json();
    assert_eq!(echo["url"], target);
    assert_eq!(echo["path"], "/get");
    assert_eq!(echo["headers"]["x-custom"], "yes");
    assert_eq!(echo["raw_headers"][0][0], "host");
    assert_eq!(
        res[1]
            .body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        3
    );

    let seen = proxy.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, target);
    assert_eq!(seen[0].status, 200);
    assert_eq!(seen[0].header("X-Custom"), Some("yes"));
    assert_eq!(seen[0].socks, None);
    proxy.clear_seen();
    assert!(proxy.seen().is_empty());
}

/// Opens a CONNECT tunnel through the proxy at `proxy` to `authority`; the status line and
/// the stream.
async fn connect_tunnel(proxy: &ProxyServer, authority: &str, extra: &str) -> (String, TcpStream) {
    let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
    let head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{extra}\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    // Read byte by byte so that nothing after the head is consumed.
    let mut got = Vec::new();
    while !got.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "proxy closed: {:?}", String::from_utf8_lossy(&got));
        got.push(byte[0]);
    }
    let text = String::from_utf8(got).unwrap();
    (text, stream)
}

#[tokio::test]
async fn connect_tunnel_to_the_tls_server() {
    let origin = TestServer::start_with(Options::new().tls(true));
    let proxy = ProxyServer::start();
    let authority = origin.addr().to_string();
    let (head, stream) = connect_tunnel(&proxy, &authority, "").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    let config = client_config(Some(origin.ca_pem()), None, &[b"h2"]);
    let session = tls_over(stream, config, "localhost").await.unwrap();
    assert_eq!(alpn(&session).as_deref(), Some(&b"h2"[..]));
    let mut h2 = http2(session).await.unwrap();
    let res = h2_send(&mut h2, "GET", &origin.url("/headers"), b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["headers"]["x-test"], "h2");

    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, authority);
    assert_eq!(seen[0].status, 200);
    // The inner request stayed inside the tunnel.
    assert_eq!(seen[0].header("x-test"), None);
    assert!(seen.iter().all(|s| s.method == "CONNECT"));
}

fn basic(user: &str, pass: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

#[tokio::test]
async fn proxy_authentication() {
    let origin = TestServer::start();
    let proxy = ProxyServer::start_with(ProxyOptions::new().credentials("user", "pa:ss"));
    let target = origin.url("/headers");
    let host = origin.addr().to_string();
    let good = basic("user", "pa:ss");
    let bad = basic("user", "nope");
    let stream = TcpStream::connect(proxy.addr()).await.unwrap();
    let res = http1(
        stream,
        &host,
        &[
            ("GET", &target, &[]),
            ("GET", &target, &[("proxy-authorization", &bad)]),
            ("GET", &target, &[("proxy-authorization", &good)]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res[0].status, 407);
    assert_eq!(res[0].header("proxy-authenticate"), "Basic realm=\"proxy\"");
    assert_eq!(res[1].status, 407);
    assert_eq!(res[2].status, 200);
    // The credentials are the proxy's: the origin never sees them.
    assert!(res[2].json()["headers"]
        .get("proxy-authorization")
        .is_none());

    let seen = proxy.seen();
    let statuses: Vec<u16> = seen.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [407, 407, 200]);
    assert_eq!(seen[0].header("proxy-authorization"), None);
    assert_eq!(seen[2].header("proxy-authorization"), Some(good.as_str()));

    // CONNECT too.
    let authority = origin.addr().to_string();
    let (head, _) = connect_tunnel(&proxy, &authority, "").await;
    assert!(head.starts_with("HTTP/1.1 407"), "{head}");
    assert!(head.contains("realm=\"proxy\""), "{head}");
    let (head, mut stream) = connect_tunnel(
        &proxy,
        &authority,
        &format!("Proxy-Authorization: {good}\r\n"),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    stream
        .write_all(b"GET /ip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
}

#[tokio::test]
async fn https_proxy() {
    let origin = TestServer::start_with(Options::new().tls(true));
    let certs = origin.certificates().unwrap().clone();
    let proxy = ProxyServer::start_with(ProxyOptions::new().certificates(certs));
    assert!(proxy.url().starts_with("https://127.0.0.1:"));
    assert_eq!(proxy.ca_pem(), origin.ca_pem());
    let plain = TestServer::start();
    let config = client_config(Some(proxy.ca_pem()), None, &[b"http/1.1"]);
    let tcp = TcpStream::connect(proxy.addr()).await.unwrap();
    let session = tls_over(tcp, config, "127.0.0.1").await.unwrap();
    let res = http1(
        session,
        &plain.addr().to_string(),
        &[("GET", &plain.url("/get"), &[])],
    )
    .await
    .unwrap();
    assert_eq!(res[0].status, 200);
    assert_eq!(res[0].header("via"), "1.1 httpx-test-proxy");
    assert_eq!(res[0].json()["tls"], false);
}

#[tokio::test]
async fn proxy_refuses_other_targets() {
    let proxy = ProxyServer::start();
    let stream = TcpStream::connect(proxy.addr()).await.unwrap();
    let res = http1(
        stream,
        "example.com",
        &[
            ("GET", "http://example.com/", &[]),
            ("GET", "http://10.1.2.3:8080/", &[]),
            ("GET", "http://[2001:db8::1]/", &[]),
            ("GET", "/get", &[]),
        ],
    )
    .await
    .unwrap();
    let statuses: Vec<u16> = res.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 403, 400]);
    for target in ["example.com:443", "192.0.2.1:443"] {
        let (head, _) = connect_tunnel(&proxy, target, "").await;
        assert!(head.starts_with("HTTP/1.1 403"), "{target}: {head}");
    }
    // A loopback port nobody listens on: 502.
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = unused.local_addr().unwrap().port();
    drop(unused);
    let (head, _) = connect_tunnel(&proxy, &format!("127.0.0.1:{port}"), "").await;
    assert!(head.starts_with("HTTP/1.1 502"), "{head}");
}

/// A SOCKS5 destination.
enum Dest<'a> {
    Ip(std::net::IpAddr),
    Domain(&'a str),
}

/// A SOCKS5 handshake; the reply code and the stream.
async fn socks5_connect(
    proxy: &ProxyServer,
    auth: Option<(&str, &str)>,
    dest: Dest<'_>,
    port: u16,
) -> std::io::Result<(u8, TcpStream)> {
    let mut s = TcpStream::connect(proxy.addr()).await?;
    match auth {
        None => s.write_all(&[5, 1, 0]).await?,
        Some(_) => s.write_all(&[5, 2, 0, 2]).await?,
    }
    let mut choice = [0u8; 2];
    s.read_exact(&mut choice).await?;
    assert_eq!(choice[0], 5);
    if choice[1] == 0xFF {
        return Ok((0xFF, s));
    }
    if choice[1] == 2 {
        let (user, pass) = auth.unwrap_or(("", ""));
        let mut msg = vec![1, user.len() as u8];
        msg.extend_from_slice(user.as_bytes());
        msg.push(pass.len() as u8);
        msg.extend_from_slice(pass.as_bytes());
        s.write_all(&msg).await?;
        let mut status = [0u8; 2];
        s.read_exact(&mut status).await?;
        if status[1] != 0 {
            return Ok((0xFE, s));
        }
    }
    let mut req = vec![5, 1, 0];
    match dest {
        Dest::Ip(std::net::IpAddr::V4(ip)) => {
            req.push(1);
            req.extend_from_slice(&ip.octets());
        }
        Dest::Ip(std::net::IpAddr::V6(ip)) => {
            req.push(4);
            req.extend_from_slice(&ip.octets());
        }
        Dest::Domain(name) => {
            req.push(3);
            req.push(name.len() as u8);
            req.extend_from_slice(name.as_bytes());
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    s.write_all(&req).await?;
    let mut reply = [0u8; 4];
    s.read_exact(&mut reply).await?;
    let rest = match reply[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        other => panic!("bound address type {other}"),
    };
    let mut bound = vec![0u8; rest];
    s.read_exact(&mut bound).await?;
    Ok((reply[1], s))
}

async fn get_over(stream: TcpStream, host: &str) -> Res {
    http1(stream, host, &[("GET", "/get", &[])])
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn socks5_domain_and_ip_addresses() {
    let origin = TestServer::start();
    let port = origin.port();
    let host = origin.addr().to_string();
    let proxy = ProxyServer::start_with(ProxyOptions::new().socks5());
    assert_eq!(proxy.url(), format!("socks5://127.0.0.1:{}", proxy.port()));

    // socks5h: the proxy resolves the name.
    let (code, stream) = socks5_connect(&proxy, None, Dest::Domain("localhost"), port)
        .await
        .unwrap();
    assert_eq!(code, 0);
    assert_eq!(get_over(stream, &host).await.json()["tls"], false);
    // socks5: the client resolved it.
    let (code, stream) = socks5_connect(&proxy, None, Dest::Ip([127, 0, 0, 1].into()), port)
        .await
        .unwrap();
    assert_eq!(code, 0);
    assert_eq!(get_over(stream, &host).await.status, 200);
    // IPv6: parsed and tried (the origin listens on IPv4 only).
    let (code, _) = socks5_connect(
        &proxy,
        None,
        Dest::Ip(std::net::Ipv6Addr::LOCALHOST.into()),
        port,
    )
    .await
    .unwrap();
    assert_eq!(code, 5);

    let seen = proxy.seen();
    let summary: Vec<(&str, AddressType, u16)> = seen
        .iter()
        .map(|s: &SeenRequest| {
            (
                s.target.as_str(),
                s.socks.as_ref().unwrap().address_type,
                s.status,
            )
        })
        .collect();
    let localhost = format!("localhost:{port}");
    let v4 = format!("127.0.0.1:{port}");
    let v6 = format!("[::1]:{port}");
    assert_eq!(
        summary,
        [
            (localhost.as_str(), AddressType::Domain, 0),
            (v4.as_str(), AddressType::Ipv4, 0),
            (v6.as_str(), AddressType::Ipv6, 5),
        ]
    );
    assert!(seen
        .iter()
        .all(|s| s.method == "CONNECT" && s.headers.is_empty()));

    // SOCKS5 into the TLS server: TLS end to end.
    let tls = TestServer::start_with(Options::new().tls(true));
    let (code, stream) = socks5_connect(&proxy, None, Dest::Domain("localhost"), tls.port())
        .await
        .unwrap();
    assert_eq!(code, 0);
    let config = client_config(Some(tls.ca_pem()), None, &[b"h2"]);
    let session = tls_over(stream, config, "localhost").await.unwrap();
    let mut h2 = http2(session).await.unwrap();
    let res = h2_send(&mut h2, "GET", &tls.url("/get"), b"")
        .await
        .unwrap();
    assert_eq!(res.json()["http_version"], "HTTP/2");
}

#[tokio::test]
async fn socks5_username_password_and_refusals() {
    let origin = TestServer::start();
    let port = origin.port();
    let proxy = ProxyServer::start_with(ProxyOptions::new().socks5().credentials("u", "p"));
    // No-auth only: no acceptable method.
    let (code, _) = socks5_connect(&proxy, None, Dest::Domain("localhost"), port)
        .await
        .unwrap();
    assert_eq!(code, 0xFF);
    // Wrong password: the subnegotiation fails.
    let (code, _) = socks5_connect(&proxy, Some(("u", "x")), Dest::Domain("localhost"), port)
        .await
        .unwrap();
    assert_eq!(code, 0xFE);
    let (code, stream) = socks5_connect(&proxy, Some(("u", "p")), Dest::Domain("localhost"), port)
        .await
        .unwrap();
    assert_eq!(code, 0);
    assert_eq!(
        get_over(stream, &origin.addr().to_string()).await.status,
        200
    );
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].socks.as_ref().unwrap().username.as_deref(),
        Some("u")
    );

    // Only loopback targets: reply 2, "not allowed by ruleset".
    for dest in [
        Dest::Domain("example.com"),
        Dest::Ip([192, 0, 2, 1].into()),
        Dest::Ip("2001:db8::1".parse().unwrap()),
    ] {
        let (code, _) = socks5_connect(&proxy, Some(("u", "p")), dest, 80)
            .await
            .unwrap();
        assert_eq!(code, 2);
    }
}

/// Starts the binary with `args`; the child and its first `lines` stdout lines.
fn spawn_binary(args: &[&str], lines: usize) -> (std::process::Child, Vec<String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_httpx-test-server"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut out = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        out.push(line.trim_end().to_string());
    }
    (child, out)
}

/// Stops a child started by [`spawn_binary`] with SIGTERM and waits for a clean exit.
fn terminate(mut child: std::process::Child) {
    #[cfg(unix)]
    {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{status:?}");
                break;
            }
            assert!(Instant::now() < deadline, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[tokio::test]
async fn binary_tls_and_proxy_flags() {
    let (child, lines) = spawn_binary(&["--port", "0", "--tls"], 4);
    let port: u16 = lines[0]
        .strip_prefix("LISTENING https://127.0.0.1:")
        .unwrap_or_else(|| panic!("{lines:?}"))
        .parse()
        .unwrap();
    let ca_path = std::path::PathBuf::from(lines[1].strip_prefix("CA ").unwrap());
    assert!(lines[2].starts_with("CLIENT_CERT ") && lines[3].starts_with("CLIENT_KEY "));
    let ca = std::fs::read_to_string(&ca_path).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let session = tls_over(tcp, client_config(Some(&ca), None, &[b"h2"]), "localhost")
        .await
        .unwrap();
    let mut h2 = http2(session).await.unwrap();
    let res = h2_send(
        &mut h2,
        "GET",
        &format!("https://localhost:{port}/get"),
        b"",
    )
    .await
    .unwrap();
    assert_eq!(res.json()["http_version"], "HTTP/2");
    terminate(child);
    assert!(!ca_path.exists(), "the CA file outlived the server");

    let (child, lines) = spawn_binary(&["--proxy", "--port", "0"], 1);
    let port: u16 = lines[0]
        .strip_prefix("LISTENING http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{lines:?}"))
        .parse()
        .unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(
        b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    terminate(child);

    let (child, lines) = spawn_binary(&["--socks5", "--port", "0", "--proxy-auth", "a:b"], 1);
    assert!(
        lines[0].starts_with("LISTENING socks5://127.0.0.1:"),
        "{lines:?}"
    );
    terminate(child);
}
