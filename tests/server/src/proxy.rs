//! The test proxy: an HTTP forward proxy (absolute-form requests and `CONNECT` tunnels,
//! optionally over TLS and with Basic proxy authentication) or a SOCKS5 proxy, forwarding
//! only to loopback targets and recording every request it saw.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::tls::{Certificates, PemFiles};
use crate::util::{error, no_body, Body, BoxError, Resp};

/// What the HTTP proxy adds to every forwarded response.
const VIA: &str = "1.1 httpx-test-proxy";
/// How long connecting to a target may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a TLS handshake or a SOCKS5 negotiation may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start a [`ProxyServer`].
#[derive(Debug, Clone, Default)]
pub struct ProxyOptions {
    /// The port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Credentials clients must present (`Proxy-Authorization: Basic`, or SOCKS5
    /// username/password); `None` accepts everyone.
    pub credentials: Option<(String, String)>,
    /// Speak SOCKS5 instead of HTTP.
    pub socks5: bool,
    /// Serve the HTTP proxy over TLS (an `https://` proxy); not with `socks5`.
    pub tls: bool,
    /// The certificates to serve TLS with; generated at start-up when `None`.
    pub certificates: Option<Certificates>,
    /// Log one line per request to stderr.
    pub verbose: bool,
}

impl ProxyOptions {
    /// The defaults: an HTTP proxy on an ephemeral port, no authentication, quiet.
    pub fn new() -> ProxyOptions {
        ProxyOptions::default()
    }

    /// Sets the port (0 = ephemeral).
    pub fn port(mut self, port: u16) -> ProxyOptions {
        self.port = port;
        self
    }

    /// Requires these credentials: `Proxy-Authorization: Basic base64(user:pass)` (else
    /// 407 with `Proxy-Authenticate: Basic realm="proxy"`), or for SOCKS5 the
    /// username/password method with them.
    pub fn credentials(mut self, user: impl Into<String>, pass: impl Into<String>) -> ProxyOptions {
        self.credentials = Some((user.into(), pass.into()));
        self
    }

    /// Makes it a SOCKS5 proxy (no-auth and username/password methods, CONNECT command).
    pub fn socks5(mut self) -> ProxyOptions {
        self.socks5 = true;
        self
    }

    /// Serves the HTTP proxy over TLS with certificates generated at start-up.
    pub fn tls(mut self, tls: bool) -> ProxyOptions {
        self.tls = tls;
        self
    }

    /// Serves TLS with these certificates (turns TLS on), e.g. the ones of a
    /// [`TestServer`](crate::TestServer), so that one CA covers both.
    pub fn certificates(mut self, certificates: Certificates) -> ProxyOptions {
        self.certificates = Some(certificates);
        self.tls = true;
        self
    }

    /// Logs one line per request to stderr.
    pub fn verbose(mut self, verbose: bool) -> ProxyOptions {
        self.verbose = verbose;
        self
    }
}

/// The kind of address a SOCKS5 client put in its CONNECT request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressType {
    /// `ATYP` 1: the client resolved the name itself (`socks5://`).
    Ipv4,
    /// `ATYP` 4: the client resolved the name itself (`socks5://`).
    Ipv6,
    /// `ATYP` 3: a host name for the proxy to resolve (`socks5h://`).
    Domain,
}

/// What a SOCKS5 client negotiated, in a [`SeenRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocksDetails {
    /// The address type of the CONNECT request.
    pub address_type: AddressType,
    /// The username, when the client used the username/password method.
    pub username: Option<String>,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    /// The method: `GET`, `POST`, ... for absolute-form requests, `CONNECT` for tunnels
    /// (and for SOCKS5 CONNECT commands).
    pub method: String,
    /// The request target as received: `http://127.0.0.1:8000/get` (absolute-form),
    /// `127.0.0.1:8443` (CONNECT), `localhost:8000` or `[::1]:8000` (SOCKS5).
    pub target: String,
    /// The request headers (lowercase names, repeats kept), with `Proxy-Authorization`;
    /// empty for SOCKS5.
    pub headers: Vec<(String, String)>,
    /// What the proxy answered: the HTTP status (the origin's for forwarded requests; 407,
    /// 403, 502, ... for its own), or for SOCKS5 the reply code (0 = succeeded).
    pub status: u16,
    /// For SOCKS5, the address type and username; `None` for HTTP.
    pub socks: Option<SocksDetails>,
}

impl SeenRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What every connection of a proxy shares.
pub(crate) struct Shared {
    credentials: Option<(String, String)>,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    pub(crate) verbose: bool,
}

impl Shared {
    pub(crate) fn credentials(&self) -> Option<&(String, String)> {
        self.credentials.as_ref()
    }

    pub(crate) fn record(&self, seen: SeenRequest) {
        if self.verbose {
            eprintln!("proxy: {} {} -> {}", seen.method, seen.target, seen.status);
        }
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(seen);
    }
}

/// A test proxy running on its own thread; dropping it shuts it down.
///
/// It forwards only to loopback targets (`127.0.0.0/8`, `::1`, `localhost`, which it
/// resolves itself to `127.0.0.1` then `::1`, never through DNS); other targets are
/// refused with 403, or SOCKS5 reply 2.
#[derive(Debug)]
pub struct ProxyServer {
    addr: SocketAddr,
    scheme: &'static str,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    tls: Option<(Certificates, PemFiles)>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ProxyServer {
    /// Starts an HTTP proxy without authentication on an ephemeral port of 127.0.0.1.
    ///
    /// # Panics
    /// When the socket or the runtime cannot be created.
    pub fn start() -> ProxyServer {
        ProxyServer::start_with(ProxyOptions::default())
    }

    /// Starts a proxy with `options`; returns once it is listening.
    ///
    /// # Panics
    /// When it cannot start; see [`ProxyServer::try_start_with`].
    pub fn start_with(options: ProxyOptions) -> ProxyServer {
        ProxyServer::try_start_with(options).expect("cannot start the httpx test proxy")
    }

    /// Starts a proxy with `options`, reporting failures instead of panicking.
    pub fn try_start_with(options: ProxyOptions) -> io::Result<ProxyServer> {
        if options.socks5 && (options.tls || options.certificates.is_some()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a SOCKS5 proxy does not speak TLS",
            ));
        }
        let tls = if options.tls || options.certificates.is_some() {
            let certs = match &options.certificates {
                Some(c) => c.clone(),
                None => Certificates::generate()?,
            };
            let files = PemFiles::write(&certs)?;
            Some((certs, files))
        } else {
            None
        };
        let acceptor = match &tls {
            Some((certs, _)) => Some(TlsAcceptor::from(certs.proxy_config()?)),
            None => None,
        };
        let scheme = if options.socks5 {
            "socks5"
        } else if tls.is_some() {
            "https"
        } else {
            "http"
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            credentials: options.credentials.clone(),
            seen: seen.clone(),
            verbose: options.verbose,
        });
        let socks5 = options.socks5;
        let runtime = crate::runtime()?;
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("httpx-test-proxy:{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => {
                            let shutdown = async {
                                let _ = rx.await;
                            };
                            accept_loop(listener, shared, socks5, acceptor, shutdown).await;
                        }
                        Err(e) => eprintln!("httpx-test-proxy: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(ProxyServer {
            addr,
            scheme,
            seen,
            tls,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the proxy listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The proxy URL: `http://127.0.0.1:PORT`, `https://...` over TLS, `socks5://...`
    /// for SOCKS5 (no credentials, no trailing slash).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Every request seen so far, oldest first.
    pub fn seen(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear_seen(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn tls_parts(&self, what: &str) -> &(Certificates, PemFiles) {
        match &self.tls {
            Some(parts) => parts,
            None => panic!("ProxyServer::{what}: the proxy was started without TLS"),
        }
    }

    /// The CA certificate (PEM) of a TLS proxy.
    ///
    /// # Panics
    /// When the proxy does not use TLS.
    pub fn ca_pem(&self) -> &str {
        self.tls_parts("ca_pem").0.ca_pem()
    }

    /// A file holding [`ProxyServer::ca_pem`], removed on drop.
    ///
    /// # Panics
    /// When the proxy does not use TLS.
    pub fn ca_path(&self) -> &std::path::Path {
        &self.tls_parts("ca_path").1.ca
    }
}

impl Drop for ProxyServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    socks5: bool,
    acceptor: Option<TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = shared.clone();
                    if socks5 {
                        tokio::spawn(crate::socks::handle(stream, shared));
                    } else {
                        tokio::spawn(handle_http(stream, peer, shared, acceptor.clone()));
                    }
                }
                Err(e) => {
                    if shared.verbose {
                        eprintln!("httpx-test-proxy: accept: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}

/// Serves one client connection of the HTTP proxy.
async fn handle_http(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<TlsAcceptor>,
) {
    match acceptor {
        None => serve_http(stream, shared).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(session)) => serve_http(session, shared).await,
                _ => {
                    if shared.verbose {
                        eprintln!("proxy: {peer}: TLS handshake failed");
                    }
                }
            }
        }
    }
}

async fn serve_http<S>(stream: S, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(proxy_request(req, &shared).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

/// Whether `authorization` carries the expected Basic credentials.
fn basic_matches(authorization: Option<&HeaderValue>, user: &str, pass: &str) -> bool {
    let Some(value) = authorization.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    match base64::engine::general_purpose::STANDARD.decode(token.trim()) {
        Ok(decoded) => decoded == format!("{user}:{pass}").as_bytes(),
        Err(_) => false,
    }
}

/// The addresses a loopback target may be reached at, or `None` when the host is not a
/// loopback name or address (IPv6 literals with or without brackets).
pub(crate) fn loopback_addrs(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return ip.is_loopback().then(|| vec![SocketAddr::new(ip, port)]);
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    name.eq_ignore_ascii_case("localhost").then(|| {
        vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ]
    })
}

/// Connects to the first of `addrs` that answers.
pub(crate) async fn connect_any(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    for addr in addrs {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) => last = e,
            Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, "connect timed out"),
        }
    }
    Err(last)
}

fn headers_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Headers a proxy must not pass on: hop-by-hop ones, the proxy's own, and those the
/// `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "proxy-authenticate",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

async fn proxy_request(mut req: Request<Incoming>, shared: &Shared) -> Resp {
    let method = req.method().clone();
    let target = req.uri().to_string();
    let headers = headers_list(req.headers());
    let seen = |status: u16| SeenRequest {
        method: method.as_str().to_string(),
        target: target.clone(),
        headers: headers.clone(),
        status,
        socks: None,
    };

    if let Some((user, pass)) = shared.credentials() {
        if !basic_matches(req.headers().get("proxy-authorization"), user, pass) {
            shared.record(seen(407));
            let mut resp = error(407, "proxy authentication required");
            resp.headers_mut().insert(
                "proxy-authenticate",
                HeaderValue::from_static("Basic realm=\"proxy\""),
            );
            return resp;
        }
    }

    let uri = req.uri().clone();
    let (host, port) = if method == Method::CONNECT {
        match uri.authority() {
            Some(a) if a.port_u16().is_some() => (a.host().to_string(), a.port_u16().unwrap_or(0)),
            _ => {
                shared.record(seen(400));
                return error(400, "CONNECT needs host:port");
            }
        }
    } else {
        match (uri.scheme_str(), uri.authority()) {
            (Some("http"), Some(a)) => (a.host().to_string(), a.port_u16().unwrap_or(80)),
            (Some(_), Some(_)) => {
                shared.record(seen(501));
                return error(
                    501,
                    "only http:// targets are forwarded; use CONNECT for https",
                );
            }
            _ => {
                shared.record(seen(400));
                return error(
                    400,
                    "this is a proxy: send absolute-form requests (GET http://host/path) or CONNECT",
                );
            }
        }
    };
    let Some(addrs) = loopback_addrs(&host, port) else {
        shared.record(seen(403));
        return error(
            403,
            format!("the test proxy only forwards to loopback, not {host:?}"),
        );
    };
    let upstream = match connect_any(&addrs).await {
        Ok(s) => s,
        Err(e) => {
            shared.record(seen(502));
            return error(502, format!("cannot connect to {host}:{port}: {e}"));
        }
    };

    if method == Method::CONNECT {
        shared.record(seen(200));
        let on_upgrade = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            let mut upstream = upstream;
            if let Ok(upgraded) = on_upgrade.await {
                let mut client = TokioIo::new(upgraded);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        });
        return no_body(200);
    }

    match forward(req, upstream).await {
        Ok(mut resp) => {
            shared.record(seen(resp.status().as_u16()));
            resp.headers_mut()
                .append("via", HeaderValue::from_static(VIA));
            resp
        }
        Err(e) => {
            shared.record(seen(502));
            error(502, format!("error talking to {host}:{port}: {e}"))
        }
    }
}

/// Sends `req` (absolute-form) to the origin on `upstream` in origin-form and returns its
/// response, whose body streams through.
async fn forward(req: Request<Incoming>, upstream: TcpStream) -> Result<Resp, BoxError> {
    let (mut parts, body) = req.into_parts();
    let authority = parts.uri.authority().map(|a| a.as_str().to_string());
    let origin_form = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    parts.uri = origin_form.parse()?;
    parts.version = http::Version::HTTP_11;
    strip_hop_by_hop(&mut parts.headers);
    if !parts.headers.contains_key(http::header::HOST) {
        if let Some(a) = authority {
            parts
                .headers
                .insert(http::header::HOST, HeaderValue::from_str(&a)?);
        }
    }
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(upstream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let resp = sender
        .send_request(Request::from_parts(parts, body))
        .await?;
    let (mut parts, body) = resp.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    let body: Body = body.map_err(BoxError::from).boxed();
    let mut resp = Response::from_parts(parts, body);
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        *resp.status_mut() = StatusCode::BAD_GATEWAY;
    }
    Ok(resp)
}
