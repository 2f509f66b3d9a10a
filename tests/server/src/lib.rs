//! `httpx-test-server`: the httpbin-like local HTTP/1.1 and HTTP/2 server every test suite
//! of the httpx port shares, and a test proxy (HTTP forward proxy with CONNECT, or SOCKS5).
//!
//! Native tests start it in-process with [`TestServer::start`]; it runs on its own thread
//! with its own tokio runtime, so it works from plain `#[test]` functions and from inside
//! `#[tokio::test]` alike. Browser, WASI and npm tests start the `httpx-test-server` binary,
//! which prints `LISTENING http://127.0.0.1:PORT` once bound.
//!
//! ```no_run
//! use httpx_test_server::{Options, ProxyServer, TestServer};
//!
//! let server = TestServer::start();
//! let url = server.url("/get?a=1"); // http://127.0.0.1:PORT/get?a=1
//!
//! // HTTPS (HTTP/1.1 or HTTP/2 by ALPN) with a CA generated at start-up.
//! let tls = TestServer::start_with(Options::new().tls(true));
//! let url = tls.url("/get"); // https://127.0.0.1:PORT/get
//! let ca = tls.ca_path(); // the CA certificate, PEM, to trust
//!
//! // A forward proxy (absolute-form and CONNECT) that records what it saw.
//! let proxy = ProxyServer::start();
//! let proxy_url = proxy.url(); // http://127.0.0.1:PORT
//! # drop((url, ca, proxy_url));
//! ```
//!
//! [`FaultServer`] is a separate server that misbehaves at the connection level (stray
//! responses on idle keep-alive connections, unanswered closes, slow or absent body
//! reads, HTTP/2 GOAWAY and REFUSED_STREAM; see [`FaultMode`]), for connection-layer tests.
//! Its hostile mode, [`FaultMode::Hostile`], attacks the client instead: ambiguous and
//! broken framing, bytes after the body on a keep-alive connection, slow-drip heads and
//! bodies, header floods, decompression bombs, redirect loops and control characters in
//! `Location`, each on a path of its own next to well-behaved ones, recording what it
//! received ([`FaultServer::received`]) so that a test can check what the client sent and
//! on which connection. [`Certificates::generate_expired`],
//! [`Certificates::generate_self_signed`] and [`Certificates::generate_for`] (another host
//! name) make the bad certificates of the TLS cases, served with
//! [`Options::certificates`].
//!
//! Every response carries CORS headers (the request's `Origin` echoed, credentials
//! allowed, every header name exposed), and `OPTIONS` preflights are answered on any path.
//! The endpoints are listed in the crate's README.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod conn;
mod digest;
mod echo;
mod encode;
mod fault;
mod faulty;
mod hostile;
mod proxy;
mod req;
mod routes;
mod socks;
mod statics;
mod tls;
mod util;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faulty::{FaultMode, FaultServer, ReceivedRequest};
pub use in_process::InProcess;
pub use proxy::{AddressType, ProxyOptions, ProxyServer, SeenRequest, SocksDetails};
pub use tls::{ring_provider, Certificates};

/// The port the binary uses when `--port` is not given.
pub const DEFAULT_PORT: u16 = 8765;

/// The port the binary's `--proxy` and `--socks5` use when `--port` is not given.
pub const DEFAULT_PROXY_PORT: u16 = 8766;

/// How to start a server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// A directory served under `/static/` (and `/` for its `index.html`).
    pub static_dir: Option<PathBuf>,
    /// Log one line per request to stderr.
    pub verbose: bool,
    /// Serve HTTPS (HTTP/1.1 or HTTP/2 by ALPN) instead of plain HTTP.
    pub tls: bool,
    /// Over TLS, require a client certificate signed by the CA (implies `tls`).
    pub client_auth: bool,
    /// The certificates to serve TLS with; generated at start-up when `None`.
    pub certificates: Option<Certificates>,
}

impl Options {
    /// The defaults: an ephemeral port, no static directory, quiet.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets the port (0 = ephemeral).
    pub fn port(mut self, port: u16) -> Options {
        self.port = port;
        self
    }

    /// Serves `dir` under `/static/`.
    pub fn static_dir(mut self, dir: impl Into<PathBuf>) -> Options {
        self.static_dir = Some(dir.into());
        self
    }

    /// Logs one line per request to stderr.
    pub fn verbose(mut self, verbose: bool) -> Options {
        self.verbose = verbose;
        self
    }

    /// Serves HTTPS with certificates generated at start-up (see [`Certificates`]), with
    /// ALPN `h2` and `http/1.1`.
    pub fn tls(mut self, tls: bool) -> Options {
        self.tls = tls;
        self
    }

    /// Requires TLS clients to present a certificate signed by the server's CA (the one
    /// [`TestServer::client_cert_pem`] gives); `true` turns TLS on too.
    pub fn client_auth(mut self, client_auth: bool) -> Options {
        self.client_auth = client_auth;
        if client_auth {
            self.tls = true;
        }
        self
    }

    /// Serves TLS with these certificates instead of generating new ones (turns TLS on).
    pub fn certificates(mut self, certificates: Certificates) -> Options {
        self.certificates = Some(certificates);
        self.tls = true;
        self
    }

    fn uses_tls(&self) -> bool {
        self.tls || self.client_auth
    }
}

/// A server running on its own thread; dropping it shuts it down (and removes the PEM
/// files of a TLS server).
#[derive(Debug)]
pub struct TestServer {
    /// Declared first: the server stops before its PEM files are removed.
    _thread: ServerThread,
    addr: SocketAddr,
    tls: Option<(Certificates, tls::PemFiles)>,
}

impl TestServer {
    /// Starts a server on an ephemeral port of 127.0.0.1; returns once it is listening.
    ///
    /// # Panics
    /// When the socket or the runtime cannot be created.
    pub fn start() -> TestServer {
        TestServer::start_with(Options::default())
    }

    /// Starts a server with `options`; returns once it is listening.
    ///
    /// # Panics
    /// When the port is taken or the runtime cannot be created; see
    /// [`TestServer::try_start_with`].
    pub fn start_with(options: Options) -> TestServer {
        TestServer::try_start_with(options).expect("cannot start httpx-test-server")
    }

    /// Starts a server with `options`, reporting failures instead of panicking.
    pub fn try_start_with(mut options: Options) -> io::Result<TestServer> {
        let tls = if options.uses_tls() {
            let certs = match &options.certificates {
                Some(c) => c.clone(),
                None => Certificates::generate()?,
            };
            options.certificates = Some(certs.clone());
            let files = tls::PemFiles::write(&certs)?;
            Some((certs, files))
        } else {
            None
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let thread =
            ServerThread::spawn("httpx-test-server", listener, |listener, rx| async move {
                let shutdown = async {
                    let _ = rx.await;
                };
                if let Err(e) = serve(listener, options, shutdown).await {
                    eprintln!("httpx-test-server: {e}");
                }
            })?;
        Ok(TestServer {
            _thread: thread,
            addr,
            tls,
        })
    }

    /// One server for the whole test process, started on first use and never stopped.
    pub fn shared() -> &'static TestServer {
        static SHARED: OnceLock<TestServer> = OnceLock::new();
        SHARED.get_or_init(TestServer::start)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether the server speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS; no trailing slash).
    pub fn base_url(&self) -> String {
        server_url(self.is_tls(), self.addr, "")
    }

    /// `http://127.0.0.1:PORT{path}` (`https://` with TLS); a missing leading `/` is added.
    pub fn url(&self, path: &str) -> String {
        server_url(self.is_tls(), self.addr, path)
    }

    fn tls_parts(&self, what: &str) -> &(Certificates, tls::PemFiles) {
        match &self.tls {
            Some(parts) => parts,
            None => panic!("TestServer::{what}: the server was started without Options::tls(true)"),
        }
    }

    /// The certificates of a TLS server, `None` for plain HTTP.
    pub fn certificates(&self) -> Option<&Certificates> {
        self.tls.as_ref().map(|(certs, _)| certs)
    }

    /// The CA certificate (PEM) that signed the server's certificate: what a client must
    /// trust.
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn ca_pem(&self) -> &str {
        self.tls_parts("ca_pem").0.ca_pem()
    }

    /// A file holding [`TestServer::ca_pem`], written at start-up and removed on drop.
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn ca_path(&self) -> &Path {
        &self.tls_parts("ca_path").1.ca
    }

    /// A client certificate (PEM) signed by the CA, which a server started with
    /// [`Options::client_auth`] accepts (generated for every TLS server).
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn client_cert_pem(&self) -> &str {
        self.tls_parts("client_cert_pem").0.client_cert_pem()
    }

    /// The private key (PKCS#8 PEM) of [`TestServer::client_cert_pem`].
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn client_key_pem(&self) -> &str {
        self.tls_parts("client_key_pem").0.client_key_pem()
    }

    /// A file holding [`TestServer::client_cert_pem`], removed on drop.
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn client_cert_path(&self) -> &Path {
        &self.tls_parts("client_cert_path").1.client_cert
    }

    /// A file holding [`TestServer::client_key_pem`], removed on drop.
    ///
    /// # Panics
    /// When the server does not use TLS.
    pub fn client_key_path(&self) -> &Path {
        &self.tls_parts("client_key_path").1.client_key
    }
}

/// The thread a server runs on, with a tokio runtime of its own; dropping it stops the
/// server and waits for the thread.
#[derive(Debug)]
pub(crate) struct ServerThread {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Runs `serve(listener, shutdown)` on a new thread named `{name}:{port}`, where
    /// `shutdown` completes when the `ServerThread` is dropped. `listener` must be
    /// non-blocking. Connections still open when `serve` returns (stalls, streams) are
    /// dropped, not awaited.
    pub(crate) fn spawn<F, Fut>(
        name: &str,
        listener: std::net::TcpListener,
        serve: F,
    ) -> io::Result<ServerThread>
    where
        F: FnOnce(TcpListener, oneshot::Receiver<()>) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let port = listener.local_addr()?.port();
        let runtime = runtime()?;
        let (tx, rx) = oneshot::channel::<()>();
        let name = name.to_owned();
        let thread = std::thread::Builder::new()
            .name(format!("{name}:{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => serve(listener, rx).await,
                        Err(e) => eprintln!("{name}: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(ServerThread {
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `http://{addr}{path}` (`https://` with `tls`); a missing leading `/` is added to a
/// non-empty `path`.
pub(crate) fn server_url(tls: bool, addr: SocketAddr, path: &str) -> String {
    let scheme = if tls { "https" } else { "http" };
    if path.starts_with('/') || path.is_empty() {
        format!("{scheme}://{addr}{path}")
    } else {
        format!("{scheme}://{addr}/{path}")
    }
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("httpx-test-server")
        .enable_all()
        .build()
}

/// Serves connections from `listener` on the current tokio runtime until `shutdown`
/// completes. Connection tasks still running then are left to the runtime.
///
/// With TLS on and no [`Options::certificates`], new certificates are generated, which no
/// client can verify: pass them in to know the CA.
pub async fn serve(
    listener: TcpListener,
    options: Options,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let acceptor = if options.uses_tls() {
        let certs = match &options.certificates {
            Some(c) => c.clone(),
            None => Certificates::generate()?,
        };
        Some(tokio_rustls::TlsAcceptor::from(
            certs.server_config(options.client_auth)?,
        ))
    } else {
        None
    };
    let state = Arc::new(app::State::new(options.static_dir, options.verbose));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tokio::spawn(conn::handle(stream, peer, state.clone(), acceptor.clone()));
                }
                Err(e) => {
                    if options.verbose {
                        eprintln!("httpx-test-server: accept: {e}");
                    }
                    // Out of file descriptors and the like: back off a little.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}

/// Runs a server on the calling thread (with a new tokio runtime) until `shutdown`
/// completes: binds 127.0.0.1:`options.port`, calls `ready` with the bound address, then
/// serves. (The binary uses [`TestServer`], which also writes the CA where clients find
/// it.)
pub fn run<F, S>(options: Options, ready: F, shutdown: S) -> io::Result<()>
where
    F: FnOnce(SocketAddr),
    S: Future<Output = ()>,
{
    let runtime = runtime()?;
    let result = runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
        ready(listener.local_addr()?);
        serve(listener, options, shutdown).await
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

mod in_process {
    use std::convert::Infallible;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use bytes::Bytes;
    use http_body_util::BodyExt;

    use crate::app::{self, State};
    use crate::util::{error, Body};

    type BoxError = Box<dyn std::error::Error + Send + Sync>;

    /// The server's routes as an in-process `tower` service, with no socket: for
    /// in-process transports (httpx's `AppTransport`). Faults, which need a socket, answer
    /// 501; everything else behaves as over TCP, except that `raw_headers` in echoes is
    /// rebuilt from the parsed headers.
    #[derive(Clone)]
    pub struct InProcess {
        state: Arc<State>,
    }

    impl InProcess {
        /// A service with no static directory.
        pub fn new() -> InProcess {
            InProcess {
                state: Arc::new(State::new(None, false)),
            }
        }
    }

    impl Default for InProcess {
        fn default() -> InProcess {
            InProcess::new()
        }
    }

    impl<B> tower_service::Service<http::Request<B>> for InProcess
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future =
            Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: http::Request<B>) -> Self::Future {
            let state = self.state.clone();
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let body: Bytes = match body.collect().await {
                    Ok(collected) => collected.to_bytes(),
                    Err(e) => {
                        let e: BoxError = e.into();
                        return Ok(error(400, format!("error reading the body: {e}")));
                    }
                };
                Ok(app::respond_in_process(parts, body, state).await)
            })
        }
    }
}
