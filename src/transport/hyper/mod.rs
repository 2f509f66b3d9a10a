//! The native transport on hyper: httpx's `HTTPTransport` and `AsyncHTTPTransport`.
//!
//! HTTP/1.1, and HTTP/2 over TLS when enabled (ALPN); a connection pool honouring
//! [`Limits`]; httpx's timeouts (connect, read and write per operation, pool) plus the
//! client's total deadline; TLS with rustls; HTTP, HTTPS and SOCKS5 proxies; Unix
//! sockets, a local address and connect retries.
//!
//! [`AsyncHttpTransport`] runs on the caller's tokio runtime, or on a small background
//! runtime when it is polled elsewhere. [`HttpTransport`] (blocking) owns a
//! current-thread runtime that it drives on the calling thread, so a request costs no
//! thread hop; called from inside a tokio runtime (where blocking on another runtime
//! would panic), it drives that runtime on a helper thread instead.

mod connect;
mod env;
mod io;
mod pool;
#[cfg(feature = "rustls")]
mod tls;

use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::time::Sleep;

use self::connect::ProxyRoute;
use self::io::{ActiveRequest, IoFailure, IoTimeouts, TimedIo};
use self::pool::{Conn, H1Conn, Pool};
use super::{AsyncTransport, Transport};
use crate::config::{ConnectionSettings, Limits, Proxy, Timeout};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::Body;
use crate::request::Request;
use crate::response::Response;
use crate::rt::BoxFuture;

pub(crate) use env::environment_proxies;

/// Settings shared by both transports.
#[derive(Clone, Debug)]
struct Settings {
    #[cfg(feature = "rustls")]
    tls: tls::TlsSettings,
    http1: bool,
    http2: bool,
    limits: Limits,
    proxy: Option<Proxy>,
    uds: Option<PathBuf>,
    local_address: Option<IpAddr>,
    retries: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            #[cfg(feature = "rustls")]
            tls: tls::TlsSettings::default(),
            http1: true,
            http2: false,
            limits: Limits::default(),
            proxy: None,
            uds: None,
            local_address: None,
            retries: 0,
        }
    }
}

/// Configures an [`HttpTransport`] or an [`AsyncHttpTransport`] (httpx's
/// `HTTPTransport(verify=, cert=, http1=, http2=, limits=, proxy=, uds=,
/// local_address=, retries=, trust_env=)`).
///
/// ```
/// use httpx::transport::HttpTransport;
/// let transport = HttpTransport::builder()
///     .limits(httpx::Limits::default().max_connections(Some(10)))
///     .retries(2)
///     .build()?;
/// let client = httpx::Client::builder().transport(transport).build()?;
/// # let _ = client;
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "call build() or build_async()"]
pub struct HttpTransportBuilder {
    settings: Settings,
}

impl HttpTransportBuilder {
    /// Whether server certificates are verified (default true). Turning it off is for
    /// tests with self-signed certificates; it applies to this transport only.
    #[cfg(feature = "rustls")]
    pub fn verify(mut self, verify: bool) -> Self {
        self.settings.tls.verify = verify;
        self
    }

    /// Trusts only the certificates of this PEM bundle instead of the system's
    /// (httpx's `verify="bundle.pem"`).
    #[cfg(feature = "rustls")]
    pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.settings.tls.roots = tls::Roots::Pem(pem.into());
        self
    }

    /// Trusts only the certificates of this PEM file instead of the system's.
    #[cfg(feature = "rustls")]
    pub fn ca_bundle_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.settings.tls.roots = tls::Roots::File(path.into());
        self
    }

    /// Presents a client certificate: its chain and private key, PEM (httpx's `cert=`).
    #[cfg(feature = "rustls")]
    pub fn client_certificate_pem(
        mut self,
        chain: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> Self {
        self.settings.tls.identity = Some((chain.into(), key.into()));
        self
    }

    /// Whether `SSL_CERT_FILE` and `SSL_CERT_DIR` choose the trusted roots (default true).
    #[cfg_attr(not(feature = "rustls"), allow(unused_mut))]
    pub fn trust_env(mut self, trust: bool) -> Self {
        #[cfg(feature = "rustls")]
        {
            self.settings.tls.trust_env = trust;
        }
        let _ = trust;
        self
    }

    /// Whether HTTP/1.1 is offered (default true).
    pub fn http1(mut self, enabled: bool) -> Self {
        self.settings.http1 = enabled;
        self
    }

    /// Whether HTTP/2 is offered over TLS (default false, as in httpx). Needs the
    /// `http2` feature.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.settings.http2 = enabled;
        self
    }

    /// Connection pool limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Sends every request through this proxy (`http://`, `https://`, `socks5://`,
    /// `socks5h://`). Its credentials go to the proxy only.
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.settings.proxy = Some(proxy);
        self
    }

    /// Connects to this Unix domain socket instead of the URL's host.
    pub fn uds(mut self, path: impl Into<PathBuf>) -> Self {
        self.settings.uds = Some(path.into());
        self
    }

    /// Connects from this local address.
    pub fn local_address(mut self, address: IpAddr) -> Self {
        self.settings.local_address = Some(address);
        self
    }

    /// Retries a failed connection attempt up to `retries` times (0, 0.5 s, 1 s, ...
    /// apart, as httpx), never a request that reached the server.
    pub fn retries(mut self, retries: u32) -> Self {
        self.settings.retries = retries;
        self
    }

    fn shared(self) -> Result<Arc<Shared>> {
        let settings = self.settings;
        if !settings.http1 && !settings.http2 {
            return Err(Error::local_protocol(
                "At least one of http1 and http2 must be enabled",
            ));
        }
        if settings.http2 && !cfg!(feature = "http2") {
            return Err(Error::local_protocol(
                "HTTP/2 needs the crate's `http2` feature",
            ));
        }
        let proxy = settings
            .proxy
            .as_ref()
            .map(ProxyRoute::from_proxy)
            .transpose()?;
        Ok(Arc::new(Shared {
            pool: Pool::new(settings.limits),
            last_key: Default::default(),
            proxy,
            settings,
            #[cfg(feature = "rustls")]
            tls_configs: Default::default(),
        }))
    }

    /// Builds the blocking transport.
    pub fn build(self) -> Result<HttpTransport> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::ConnectError,
                    format!("cannot start the I/O runtime: {e}"),
                )
            })?;
        Ok(HttpTransport {
            shared: self.shared()?,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// Builds the async transport.
    pub fn build_async(self) -> Result<AsyncHttpTransport> {
        Ok(AsyncHttpTransport {
            shared: self.shared()?,
        })
    }
}

struct Shared {
    settings: Settings,
    proxy: Option<ProxyRoute>,
    pool: Pool,
    /// The last origin's pool key (see `pool_key`).
    last_key: std::sync::Mutex<Option<LastKey>>,
    /// rustls configurations, built on the first https request (with and without h2).
    #[cfg(feature = "rustls")]
    tls_configs: [OnceLock<std::result::Result<Arc<rustls::ClientConfig>, String>>; 2],
}

/// The blocking transport (httpx's `HTTPTransport`), the default of
/// [`Client`](crate::Client) on native targets.
#[derive(Clone)]
pub struct HttpTransport {
    shared: Arc<Shared>,
    runtime: Arc<OwnedRuntime>,
}

/// The blocking transport's runtime. Dropping a tokio runtime inside another runtime's
/// context panics, and a blocking client may well be dropped there: it is shut down in
/// the background instead (its tasks only drive this transport's connections).
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl OwnedRuntime {
    fn get(&self) -> &tokio::runtime::Runtime {
        match &self.0 {
            Some(runtime) => runtime,
            None => unreachable!("the runtime is only taken when dropped"),
        }
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The async transport (httpx's `AsyncHTTPTransport`), the default of
/// [`AsyncClient`](crate::AsyncClient) on native targets.
#[derive(Clone)]
pub struct AsyncHttpTransport {
    shared: Arc<Shared>,
}

impl HttpTransport {
    /// A transport with httpx's defaults.
    pub fn new() -> Result<HttpTransport> {
        HttpTransportBuilder::default().build()
    }

    /// A builder to configure a transport.
    ///
    /// # Examples
    ///
    /// A client whose connections retry failed connects twice, keep at most 20
    /// connections, and offer HTTP/2:
    ///
    /// ```
    /// let transport = httpx::HttpTransport::builder()
    ///     .retries(2)
    ///     .limits(httpx::Limits::default().max_connections(Some(20)))
    ///     .http2(true)
    ///     .build()?;
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// # let _ = client;
    /// # Ok::<(), httpx::Error>(())
    /// ```
    ///
    /// Requests to a service on a Unix socket, such as Docker's API:
    ///
    /// ```no_run
    /// let transport = httpx::HttpTransport::builder().uds("/var/run/docker.sock").build()?;
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let version: serde_json::Value = client.get("http://docker/version").send()?.json()?;
    /// # let _ = version;
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// Runs `future` as a task of this transport's runtime and waits for it. As a task
    /// it is polled by whichever thread drives the runtime at the moment, so threads
    /// sharing one client do not each wake up to poll their own request.
    fn run<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let runtime = self.runtime.get();
        let task = runtime.spawn(future);
        match block_on(runtime, task) {
            Ok(output) => output,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The runtime lives as long as this transport: a task is never cancelled.
            Err(_) => unreachable!("a request task of a live runtime was cancelled"),
        }
    }
}

/// Drives `future` on `runtime` from this thread, or from a helper thread when this
/// thread already runs a tokio runtime (blocking on another one there would panic).
fn block_on<F>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return runtime.block_on(future);
    }
    std::thread::scope(
        |scope| match scope.spawn(|| runtime.block_on(future)).join() {
            Ok(output) => output,
            Err(panic) => std::panic::resume_unwind(panic),
        },
    )
}

impl AsyncHttpTransport {
    /// A transport with httpx's defaults.
    ///
    /// # Examples
    ///
    /// One origin through its own transport (here one that does not verify
    /// certificates, for a test server), every other URL through the default:
    ///
    /// ```
    /// let insecure = httpx::AsyncHttpTransport::builder().verify(false).build_async()?;
    /// let client = httpx::AsyncClient::builder()
    ///     .mount("https://localhost:8443", insecure)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new() -> Result<AsyncHttpTransport> {
        HttpTransportBuilder::default().build_async()
    }

    /// A builder to configure a transport.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AsyncHttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncHttpTransport").finish_non_exhaustive()
    }
}

/// A small runtime for async requests polled outside tokio.
fn background() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("httpx-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorKind::ConnectError,
                format!("cannot start the I/O runtime for requests polled outside tokio: {e}"),
            )
        })
}

impl Transport for HttpTransport {
    fn handle_request(&self, request: Request) -> Result<Response> {
        let shared = self.shared.clone();
        let (head, mut body, mut ready) = self.run(async move {
            let (head, mut body) = execute(shared, request, Driver::Blocking).await?;
            // What already arrived is taken in the same turn of the runtime: a small
            // response then needs no second one (each turn may hand the runtime to
            // another thread).
            let ready = body.take_ready(PREFETCH_LIMIT);
            Ok::<_, Error>((head, body, ready))
        })?;
        let runtime = self.runtime.clone();
        let chunks = std::iter::from_fn(move || match ready.pop_front() {
            Some(chunk) => Some(chunk),
            None if body.done => None,
            None => block_on(runtime.get(), futures_util::StreamExt::next(&mut body)),
        });
        head.build(|builder| builder.raw_stream(chunks))
    }

    fn close(&self) {
        // On the runtime, so that the connections' tasks see their senders dropped and
        // close the sockets now, not when the next request turns the runtime.
        self.run(self.shared.pool.close_idle());
    }
}

impl AsyncTransport for AsyncHttpTransport {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        let shared = self.shared.clone();
        Box::pin(async move {
            let (head, body) = if tokio::runtime::Handle::try_current().is_ok() {
                execute(shared, request, Driver::Async).await?
            } else {
                background()?
                    .spawn(execute(shared, request, Driver::Async))
                    .await
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::ConnectError,
                            format!("the request task failed: {e}"),
                        )
                    })??
            };
            head.build(|builder| builder.raw_async_stream(body))
        })
    }

    fn aclose(&self) -> BoxFuture<'_, ()> {
        let closed = self.shared.pool.close_idle();
        Box::pin(async move {
            if tokio::runtime::Handle::try_current().is_ok() {
                closed.await;
            } else if let Ok(runtime) = background() {
                let _ = runtime.spawn(closed).await;
            }
        })
    }
}

/// A response head from hyper, before its body is attached.
struct Head {
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    reason: Option<String>,
}

impl Head {
    fn build(
        self,
        body: impl FnOnce(crate::response::ResponseBuilder) -> crate::response::ResponseBuilder,
    ) -> Result<Response> {
        let mut builder = Response::builder(self.status)
            .version(self.version)
            .headers(&Headers::from(&self.headers));
        if let Some(reason) = &self.reason {
            builder = builder.reason_phrase(reason);
        }
        body(builder).build()
    }
}

fn deadline_of(request: &Request) -> Option<tokio::time::Instant> {
    request
        .options()
        .deadline
        .map(tokio::time::Instant::from_std)
}

fn total_timeout(timeout: &Timeout) -> Error {
    let total = timeout.total.unwrap_or_default();
    Error::new(
        ErrorKind::TotalTimeout,
        format!("The total timeout of {:.3}s passed", total.as_secs_f64()),
    )
}

/// Runs `fut` until the request's deadline.
async fn until_deadline<T>(
    deadline: Option<tokio::time::Instant>,
    timeout: &Timeout,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match deadline {
        None => fut.await,
        Some(at) => tokio::time::timeout_at(at, fut)
            .await
            .unwrap_or_else(|_| Err(total_timeout(timeout))),
    }
}

/// Sends one request and returns its response head and body stream.
async fn execute(
    shared: Arc<Shared>,
    mut request: Request,
    driver: Driver,
) -> Result<(Head, ResponseBody)> {
    let timeout = *request.timeout();
    let deadline = deadline_of(&request);
    let scheme = request.url().scheme();
    if !matches!(scheme, "http" | "https") {
        return Err(Error::new(
            ErrorKind::UnsupportedProtocol,
            format!("Request URL has an unsupported protocol '{scheme}://'"),
        )
        .with_request(request.method(), request.url()));
    }
    let result = until_deadline(
        deadline,
        &timeout,
        send_with_retries(&shared, &mut request, driver),
    )
    .await
    .map(|(head, mut body)| {
        body.deadline = deadline.map(|at| Box::pin(tokio::time::sleep_until(at)));
        (head, body)
    });
    result.map_err(|e| e.with_request(request.method(), request.url()))
}

/// Who runs the request: the blocking transport's own runtime, turned only while a
/// request runs, or an async caller's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Driver {
    Blocking,
    Async,
}

/// How many times a request the server did not process (refused HTTP/2 streams,
/// streams above a GOAWAY's last stream id, requests a closing connection never sent)
/// is sent again. Such retries are always safe, and under load one request can lose
/// several in a row (a server ending each connection after N streams refuses every
/// stream above the N-th, new ones included): the bound only stops a server that
/// refuses everything.
const MAX_UNPROCESSED_RETRIES: u32 = 32;

/// Sends `request`, on a new connection again where that is safe: when the request
/// was not processed (any method, RFC 9113 §8.7), or once when a reused connection
/// failed before any response byte and the method is idempotent (RFC 9112 §9.3.1).
async fn send_with_retries(
    shared: &Arc<Shared>,
    request: &mut Request,
    driver: Driver,
) -> Result<(Head, ResponseBody)> {
    let timeout = *request.timeout();
    let key = pool_key(shared, request.url());
    let idempotent = is_idempotent(request.method());
    let mut unprocessed_retries = 0;
    let mut stale_retried = false;
    loop {
        let (conn, reused) = connection(shared, &key, request, &timeout, driver).await?;
        let failure = match send(shared, &key, conn, request, &timeout).await {
            Ok(response) => return Ok(response),
            Err(failure) => failure,
        };
        if let Some(body) = failure.unsent_body {
            *request.body_mut() = body;
        }
        // In memory, or a stream that hyper gave back unread.
        let replayable = !request.body().is_consumed();
        let retry = match failure.retry {
            Retry::Unprocessed if replayable => unprocessed_retries < MAX_UNPROCESSED_RETRIES,
            Retry::Unprocessed => false,
            Retry::StaleConnection => reused && idempotent && replayable && !stale_retried,
            Retry::No => false,
        };
        if !retry {
            return Err(failure.error);
        }
        match failure.retry {
            Retry::Unprocessed => unprocessed_retries += 1,
            _ => stale_retried = true,
        }
        log::debug!("sending the request again after: {}", failure.error);
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2).
fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::PUT
            | http::Method::DELETE
            | http::Method::OPTIONS
            | http::Method::TRACE
    )
}

/// Whether a failed request may be sent again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Retry {
    /// The server did not process it: it was never sent, refused (`REFUSED_STREAM`) or
    /// above a graceful GOAWAY's last stream id.
    Unprocessed,
    /// The connection failed before any response byte: perhaps the server closed it
    /// while the request was on its way. Safe for idempotent methods only.
    StaleConnection,
    No,
}

/// A failed send: the error, whether it may be retried, and the request body when
/// hyper gave it back unsent.
struct SendFailure {
    error: Error,
    retry: Retry,
    unsent_body: Option<Body>,
}

impl SendFailure {
    fn fatal(error: Error) -> SendFailure {
        SendFailure {
            error,
            retry: Retry::No,
            unsent_body: None,
        }
    }
}

/// An origin (scheme, host, port) and its pool key.
type LastKey = (String, String, u16, Arc<str>);

/// The pool key: the origin, or the proxy that requests are forwarded to. The last
/// origin's key is kept: requests in a row to one origin (the common case) reuse it
/// instead of formatting a new one.
fn pool_key(shared: &Shared, url: &crate::url::Url) -> Arc<str> {
    let forward = matches!(&shared.proxy, Some(ProxyRoute::Http { .. })) && url.scheme() == "http";
    if let (true, Some(ProxyRoute::Http { host, port, .. })) = (forward, &shared.proxy) {
        return format!("proxy|{host}:{port}").into();
    }
    let origin = (
        url.scheme(),
        url.host_for_authority(),
        url.port_or_default().unwrap_or(0),
    );
    let mut last = match shared.last_key.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((scheme, host, port, key)) = &*last {
        if (scheme.as_str(), host.as_str(), *port) == origin {
            return key.clone();
        }
    }
    let key: Arc<str> = format!("{}|{}|{}", origin.0, origin.1, origin.2).into();
    *last = Some((
        origin.0.to_string(),
        origin.1.to_string(),
        origin.2,
        key.clone(),
    ));
    key
}

/// Lets the blocking transport's runtime process what arrived on idle connections (a
/// close, a GOAWAY, stray bytes: each makes hyper close the connection) before one is
/// picked. That runtime runs only while a request drives it: without this, bytes a
/// server sent to an idle connection would be read as the answer to the next request.
/// One turn is enough: the request runs as a task of that runtime, and a yielding task
/// is woken only after the scheduler has polled the reactor, which queues the tasks of
/// the connections that got something ahead of it. (An async client's runtime turns
/// whenever its tasks wait, so it has seen them already.)
async fn settle_idle_connections() {
    tokio::task::yield_now().await;
}

/// A connection for `request` (and whether it served requests before): from the
/// pool, or new.
async fn connection(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    request: &Request,
    timeout: &Timeout,
    driver: Driver,
) -> Result<(Conn, bool)> {
    if driver == Driver::Blocking && shared.pool.has_connection(key) {
        settle_idle_connections().await;
    }
    let may_be_h2 = shared.settings.http2 && request.url().scheme() == "https";
    loop {
        match shared.pool.acquire(key, may_be_h2, timeout.pool).await? {
            pool::Acquired::Reuse(Conn::H1(mut conn)) => {
                // The connection may still be finishing its last response, or closing.
                if conn.sender.ready().await.is_ok() {
                    return Ok((Conn::H1(conn), true));
                }
            }
            #[cfg(feature = "http2")]
            pool::Acquired::Reuse(Conn::H2(conn)) => return Ok((Conn::H2(conn), true)),
            pool::Acquired::New(permit, pending) => {
                // Boxed: the rarely taken connect path stays out of every request's
                // future.
                let conn = Box::pin(new_connection(
                    shared,
                    key,
                    request.url(),
                    timeout,
                    permit,
                    pending,
                ))
                .await?;
                return Ok((conn, false));
            }
        }
    }
}

/// Opens a connection to `url` on `permit`'s slot. `pending` marks it as the connection
/// other requests to the origin wait for, in case it is HTTP/2.
async fn new_connection(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    url: &crate::url::Url,
    timeout: &Timeout,
    permit: pool::Permit,
    pending: Option<pool::H2Pending>,
) -> Result<Conn> {
    let opened =
        connect::with_connect_timeout(timeout.connect, connect_with_retries(shared, url)).await;
    let (io, h2) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            if let Some(pending) = pending {
                pending.failed(&e);
            }
            return Err(e);
        }
    };
    let timeouts = Arc::new(IoTimeouts::default());
    let io = TokioIo::new(TimedIo::new(io, timeouts.clone()));
    let (done_tx, done) = pool::TaskDone::new();
    if h2 {
        #[cfg(feature = "http2")]
        {
            let handshake =
                hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .timer(hyper_util::rt::TokioTimer::new())
                    .handshake(io)
                    .await;
            let (sender, connection) = match handshake {
                Ok(parts) => parts,
                Err(e) => {
                    let e = map_error(e, Phase::Connect);
                    if let Some(pending) = pending {
                        pending.failed(&e);
                    }
                    return Err(e);
                }
            };
            tokio::spawn(async move {
                let _ = connection.await;
                drop(done_tx);
            });
            let conn = shared
                .pool
                .add_h2(key, sender, timeouts, permit, done, pending);
            return Ok(Conn::H2(conn));
        }
    }
    if let Some(pending) = pending {
        pending.negotiated_h1();
    }
    let (sender, connection) = http1::Builder::new()
        .handshake(io)
        .await
        .map_err(|e| map_error(e, Phase::Connect))?;
    tokio::spawn(async move {
        let _ = connection.await;
        drop(done_tx);
    });
    Ok(Pool::new_h1(sender, timeouts, permit, key.clone(), done))
}

async fn connect_with_retries(shared: &Shared, url: &crate::url::Url) -> Result<(io::BoxIo, bool)> {
    let mut delay = Duration::ZERO;
    let mut attempts_left = shared.settings.retries;
    loop {
        match open(shared, url).await {
            Err(e) if attempts_left > 0 && e.kind() == ErrorKind::ConnectError => {
                attempts_left -= 1;
                tokio::time::sleep(delay).await;
                delay = if delay.is_zero() {
                    Duration::from_millis(500)
                } else {
                    delay * 2
                };
                log::debug!("retrying the connection after: {e}");
            }
            other => return other,
        }
    }
}

/// Opens the byte stream to the target (through the proxy, with TLS as needed) and
/// says whether HTTP/2 was negotiated.
async fn open(shared: &Shared, url: &crate::url::Url) -> Result<(io::BoxIo, bool)> {
    let host = url.host_for_authority();
    let port = url.port_or_default().unwrap_or(80);
    let https = url.scheme() == "https";
    let local_address = shared.settings.local_address;
    let io = match &shared.proxy {
        None => match &shared.settings.uds {
            Some(path) => connect::unix(path).await?,
            None => {
                connect::tcp(connect::TcpTarget {
                    host,
                    port,
                    local_address,
                })
                .await?
            }
        },
        Some(ProxyRoute::Http {
            host: proxy_host,
            port: proxy_port,
            tls,
            authorization,
            headers,
        }) => {
            let mut io = connect::tcp(connect::TcpTarget {
                host: proxy_host,
                port: *proxy_port,
                local_address,
            })
            .await
            .map_err(|e| {
                Error::new(ErrorKind::ProxyError, "Connection to the proxy failed").with_source(e)
            })?;
            if *tls {
                io = tls_handshake(shared, io, proxy_host, false).await?.0;
            }
            if !https {
                // Forwarding: requests go to the proxy in absolute form.
                return Ok((io, false));
            }
            connect::connect_tunnel(io, host, port, authorization.as_deref(), headers).await?
        }
        #[cfg(feature = "socks")]
        Some(ProxyRoute::Socks5 {
            host: proxy_host,
            port: proxy_port,
            remote_dns,
            credentials,
        }) => {
            connect::socks5(
                proxy_host,
                *proxy_port,
                *remote_dns,
                credentials.as_ref(),
                host,
                port,
                local_address,
            )
            .await?
        }
        #[cfg(not(feature = "socks"))]
        Some(ProxyRoute::Socks5 { .. }) => {
            return Err(Error::new(
                ErrorKind::UnsupportedProtocol,
                "SOCKS proxies need the `socks` feature",
            ))
        }
    };
    if https {
        return tls_handshake(shared, io, host, shared.settings.http2).await;
    }
    Ok((io, false))
}

#[cfg(feature = "rustls")]
async fn tls_handshake(
    shared: &Shared,
    io: io::BoxIo,
    host: &str,
    offer_h2: bool,
) -> Result<(io::BoxIo, bool)> {
    let offer_h2 = offer_h2 && cfg!(feature = "http2");
    let slot = &shared.tls_configs[usize::from(offer_h2)];
    let config = slot
        .get_or_init(|| {
            shared
                .settings
                .tls
                .client_config(offer_h2)
                .map_err(|e| e.message().to_string())
        })
        .clone()
        .map_err(|message| Error::new(ErrorKind::ConnectError, message))?;
    let stream = connect::tls(io, host, config).await?;
    Ok((stream.io, stream.h2))
}

#[cfg(not(feature = "rustls"))]
async fn tls_handshake(
    _shared: &Shared,
    _io: io::BoxIo,
    host: &str,
    _offer_h2: bool,
) -> Result<(io::BoxIo, bool)> {
    Err(Error::new(
        ErrorKind::UnsupportedProtocol,
        format!("https://{host} needs the crate's `rustls` feature"),
    ))
}

/// Headers a request may not carry over HTTP/2 (RFC 9113 §8.2.2); Host becomes
/// `:authority`.
const H2_FORBIDDEN: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "host",
];

/// Sends the request on `conn`.
async fn send(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    conn: Conn,
    request: &mut Request,
    timeout: &Timeout,
) -> std::result::Result<(Head, ResponseBody), SendFailure> {
    let h2 = !matches!(conn, Conn::H1(_));
    let hyper_request = to_hyper_request(shared, request, h2).map_err(SendFailure::fatal)?;
    let timeouts = match &conn {
        Conn::H1(c) => c.timeouts.clone(),
        #[cfg(feature = "http2")]
        Conn::H2(c) => c.timeouts.clone(),
    };
    let active = timeouts.activate(timeout.read, timeout.write);
    let in_flight = InFlight(active.clone());
    let body = request
        .body_mut()
        .take_for_send()
        .map_err(SendFailure::fatal)?;
    if body.is_empty() {
        active.body_sent();
    }
    let hyper_request = hyper_request.map(|()| SendBody { body, active });
    let (response, back, shared_conn) = match conn {
        Conn::H1(mut c) => {
            let response = c.sender.try_send_request(hyper_request).await;
            (response, Some(c), None)
        }
        #[cfg(feature = "http2")]
        Conn::H2(mut c) => {
            let response = c.sender.try_send_request(hyper_request).await;
            (response, None, Some(c))
        }
    };
    let response = match response {
        Ok(response) => response,
        Err(mut e) => {
            let unsent_body = e.take_message().map(|m| m.into_body().body);
            let err = e.into_error();
            let retry = if unsent_body.is_some() {
                Retry::Unprocessed
            } else {
                retry_class(&err)
            };
            #[cfg(feature = "http2")]
            if let Some(conn) = &shared_conn {
                if h2_connection_ends(&err) {
                    shared.pool.evict_h2(key, conn);
                }
            }
            let _ = key;
            return Err(SendFailure {
                error: map_error(err, Phase::Send),
                retry,
                unsent_body,
            });
        }
    };
    let (parts, incoming) = response.into_parts();
    let reason = parts
        .extensions
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned());
    let head = Head {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        reason,
    };
    let body = ResponseBody {
        incoming,
        conn: back.map(|c| (c, shared.clone())),
        _shared_conn: shared_conn,
        in_flight: Some(in_flight),
        deadline: None,
        timeout: *timeout,
        done: false,
    };
    Ok((head, body))
}

/// The request's head as hyper takes it (the body is attached by the caller).
fn to_hyper_request(shared: &Shared, request: &Request, h2: bool) -> Result<http::Request<()>> {
    let url = request.url();
    let forward = matches!(&shared.proxy, Some(ProxyRoute::Http { .. })) && url.scheme() == "http";
    let tunnelled = shared.proxy.is_some() && !forward;
    let mut headers = request.headers().to_header_map()?;
    if tunnelled {
        // Proxy credentials are for the proxy, never for the origin behind a tunnel.
        headers.remove(http::header::PROXY_AUTHORIZATION);
    }
    if forward {
        if let Some(ProxyRoute::Http {
            authorization,
            headers: extra,
            ..
        }) = &shared.proxy
        {
            if let Some(value) = authorization {
                let value = http::HeaderValue::from_str(value).map_err(|e| {
                    Error::local_protocol(format!("Invalid proxy credentials: {e}"))
                })?;
                headers.insert(http::header::PROXY_AUTHORIZATION, value);
            }
            for (name, value) in extra {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(value),
                ) {
                    headers.append(name, value);
                }
            }
        }
    }
    let uri: http::Uri = if forward || h2 {
        http::Uri::try_from(url)?
    } else {
        url.request_target()
            .parse()
            .map_err(|e| Error::invalid_url(format!("Invalid request target: {e}")))?
    };
    if h2 {
        for name in H2_FORBIDDEN {
            headers.remove(name);
        }
    }
    let mut builder = http::Request::builder()
        .method(request.method().clone())
        .uri(uri)
        .version(if h2 {
            http::Version::HTTP_2
        } else {
            http::Version::HTTP_11
        });
    if let Some(map) = builder.headers_mut() {
        *map = headers;
    }
    builder
        .body(())
        .map_err(|e| Error::local_protocol(format!("Invalid request: {e}")))
}

/// A request body on its way to hyper; says when it has been handed over in full, so
/// that the read timeout starts then.
pub(crate) struct SendBody {
    body: Body,
    active: ActiveRequest,
}

impl http_body::Body for SendBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || this.body.is_end_stream() {
            this.active.body_sent();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        let end = self.body.is_end_stream();
        if end {
            self.active.body_sent();
        }
        end
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Ends the request's in-flight mark on its connection when dropped.
struct InFlight(ActiveRequest);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Whether `err`, from a request hyper took, may be retried; see [`Retry`].
fn retry_class(err: &hyper::Error) -> Retry {
    if err.is_canceled() {
        // The connection closed before the request was written.
        return Retry::Unprocessed;
    }
    #[cfg(feature = "http2")]
    if let Some(e) = find_h2_error(err) {
        if e.reason() == Some(h2::Reason::REFUSED_STREAM)
            || (e.is_go_away() && e.is_remote() && e.reason() == Some(h2::Reason::NO_ERROR))
        {
            return Retry::Unprocessed;
        }
        if e.is_go_away() || e.is_io() {
            return Retry::StaleConnection;
        }
        return Retry::No;
    }
    if err.is_incomplete_message() {
        return Retry::StaleConnection;
    }
    use std::error::Error as _;
    match err.source().and_then(|s| io::find_failure(s)) {
        Some(IoFailure::Write(e)) | Some(IoFailure::Read(e)) => {
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                Retry::StaleConnection
            } else {
                Retry::No
            }
        }
        _ => Retry::No,
    }
}

/// The HTTP/2 error behind a hyper error, if any.
#[cfg(feature = "http2")]
fn find_h2_error(err: &hyper::Error) -> Option<&h2::Error> {
    use std::error::Error as _;
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(e) = s.downcast_ref::<h2::Error>() {
            return Some(e);
        }
        source = s.source();
    }
    None
}

/// Whether the HTTP/2 connection a request failed on is going away (GOAWAY, or the
/// connection broke): it is no longer shared.
#[cfg(feature = "http2")]
fn h2_connection_ends(err: &hyper::Error) -> bool {
    find_h2_error(err).is_some_and(|e| e.is_go_away() || e.is_io())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connect,
    Send,
    Body,
}

/// Maps a hyper error onto httpx's kinds.
fn map_error(err: hyper::Error, phase: Phase) -> Error {
    use std::error::Error as _;
    let tagged = err.source().and_then(|s| io::find_failure(s));
    let (kind, message) = match tagged {
        Some(IoFailure::ReadTimeout) => (
            ErrorKind::ReadTimeout,
            "Timed out reading from the server".to_string(),
        ),
        Some(IoFailure::WriteTimeout) => (
            ErrorKind::WriteTimeout,
            "Timed out writing to the server".to_string(),
        ),
        Some(IoFailure::Read(_)) => (
            ErrorKind::ReadError,
            "Reading from the server failed".to_string(),
        ),
        Some(IoFailure::Write(_)) => (
            ErrorKind::WriteError,
            "Writing to the server failed".to_string(),
        ),
        None => {
            if err.is_timeout() {
                (ErrorKind::ReadTimeout, "Timed out".to_string())
            } else if err.is_parse() || err.is_parse_status() {
                (
                    ErrorKind::RemoteProtocolError,
                    "Invalid HTTP response from the server".to_string(),
                )
            } else if err.is_incomplete_message() {
                (
                    ErrorKind::RemoteProtocolError,
                    "Server disconnected without sending a response.".to_string(),
                )
            } else if err.is_user() {
                (ErrorKind::LocalProtocolError, "Invalid request".to_string())
            } else if phase == Phase::Body {
                body_error_kind(&err)
            } else if phase == Phase::Connect {
                (
                    ErrorKind::ConnectError,
                    "Connection set-up failed".to_string(),
                )
            } else {
                (
                    ErrorKind::RemoteProtocolError,
                    "The connection failed".to_string(),
                )
            }
        }
    };
    Error::new(kind, message).with_source(err)
}

/// A body error with no I/O failure of ours in it: malformed framing is the server
/// breaking the protocol; an early end of the stream is a read error.
fn body_error_kind(err: &hyper::Error) -> (ErrorKind, String) {
    use std::error::Error as _;
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
            ) {
                return (
                    ErrorKind::RemoteProtocolError,
                    "Invalid response body framing".to_string(),
                );
            }
            return (
                ErrorKind::ReadError,
                "Reading the response body failed".to_string(),
            );
        }
        source = s.source();
    }
    (
        ErrorKind::ReadError,
        "Reading the response body failed".to_string(),
    )
}

/// The response body as it arrives. At its end the HTTP/1.1 connection goes back to
/// the pool; dropped early, the connection is closed.
struct ResponseBody {
    incoming: Incoming,
    conn: Option<(H1Conn, Arc<Shared>)>,
    /// An HTTP/2 connection's handle, which keeps its pool slot while the body streams.
    #[cfg(feature = "http2")]
    _shared_conn: Option<pool::H2Conn>,
    #[cfg(not(feature = "http2"))]
    _shared_conn: Option<std::convert::Infallible>,
    in_flight: Option<InFlight>,
    deadline: Option<Pin<Box<Sleep>>>,
    timeout: Timeout,
    done: bool,
}

/// At most this many bytes of a response body that already arrived are taken with
/// its head by the blocking transport.
const PREFETCH_LIMIT: usize = 64 * 1024;

impl ResponseBody {
    /// The chunks (and the end, or an error) that are ready now, up to about `limit`
    /// bytes, without waiting for more.
    fn take_ready(&mut self, limit: usize) -> std::collections::VecDeque<Result<Bytes>> {
        let mut ready = std::collections::VecDeque::new();
        let mut taken = 0;
        while taken < limit {
            match futures_util::FutureExt::now_or_never(futures_util::StreamExt::next(self)) {
                Some(Some(Ok(chunk))) => {
                    taken += chunk.len();
                    ready.push_back(Ok(chunk));
                }
                Some(Some(Err(e))) => {
                    ready.push_back(Err(e));
                    break;
                }
                Some(None) | None => break,
            }
        }
        ready
    }

    fn finish(&mut self) {
        self.done = true;
        self.in_flight = None;
        if let Some((conn, shared)) = self.conn.take() {
            shared.pool.put_back(conn);
        }
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match hyper::body::Body::poll_frame(Pin::new(&mut this.incoming), cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    this.conn = None;
                    this.in_flight = None;
                    return Poll::Ready(Some(Err(map_error(e, Phase::Body))));
                }
                Poll::Ready(None) => {
                    this.finish();
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    if let Some(deadline) = &mut this.deadline {
                        if deadline.as_mut().poll(cx).is_ready() {
                            this.done = true;
                            this.conn = None;
                            this.in_flight = None;
                            return Poll::Ready(Some(Err(total_timeout(&this.timeout))));
                        }
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

/// A transport builder with a client's settings.
fn builder_for(
    limits: Limits,
    trust_env: bool,
    tls: &ConnectionSettings,
    proxy: Option<Proxy>,
) -> HttpTransportBuilder {
    let builder = tls.apply(HttpTransport::builder().limits(limits).trust_env(trust_env));
    match proxy {
        Some(proxy) => builder.proxy(proxy),
        None => builder,
    }
}

/// The default blocking transport: hyper, with the client's settings.
pub(crate) fn default_transport(
    limits: Limits,
    trust_env: bool,
    tls: &ConnectionSettings,
    proxy: Option<Proxy>,
) -> Result<Arc<dyn Transport>> {
    Ok(Arc::new(
        builder_for(limits, trust_env, tls, proxy).build()?,
    ))
}

/// The default async transport: hyper, with the client's settings.
pub(crate) fn default_async_transport(
    limits: Limits,
    trust_env: bool,
    tls: &ConnectionSettings,
    proxy: Option<Proxy>,
) -> Result<Arc<dyn AsyncTransport>> {
    Ok(Arc::new(
        builder_for(limits, trust_env, tls, proxy).build_async()?,
    ))
}

impl ConnectionSettings {
    fn apply(&self, mut builder: HttpTransportBuilder) -> HttpTransportBuilder {
        #[cfg(feature = "rustls")]
        {
            if let Some(verify) = self.verify {
                builder = builder.verify(verify);
            }
            if let Some(pem) = &self.ca_bundle_pem {
                builder = builder.ca_bundle_pem(pem.clone());
            }
            if let Some((chain, key)) = &self.client_certificate {
                builder = builder.client_certificate_pem(chain.clone(), key.clone());
            }
        }
        if let Some(http1) = self.http1 {
            builder = builder.http1(http1);
        }
        if let Some(http2) = self.http2 {
            builder = builder.http2(http2);
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: fn() = || {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<HttpTransport>();
        assert_bounds::<AsyncHttpTransport>();
    };

    #[test]
    fn building_does_no_tls_work() {
        let started = std::time::Instant::now();
        let transport = AsyncHttpTransport::new().unwrap();
        assert!(transport.shared.tls_configs[0].get().is_none());
        // Generous: what matters is that no TLS work happened (above).
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn a_connection_broken_mid_body_is_not_reused() {
        use crate::transport::AsyncTransport;
        let server = httpx_test_server::TestServer::shared();
        let transport = AsyncHttpTransport::new().unwrap();
        let get = |path: &str| {
            Request::new(
                http::Method::GET,
                crate::Url::parse(&server.url(path)).unwrap(),
            )
        };
        let mut response = transport.handle_async_request(get("/get")).await.unwrap();
        response.aread().await.unwrap();
        assert_eq!(transport.shared.pool.idle_count(), 1, "kept for reuse");

        let mut response = transport
            .handle_async_request(get("/fault/close-mid-body"))
            .await
            .unwrap();
        let err = response.aread().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadError);
        assert_eq!(
            transport.shared.pool.idle_count(),
            0,
            "the broken one was dropped"
        );

        let mut response = transport.handle_async_request(get("/get")).await.unwrap();
        response.aread().await.unwrap();
        assert_eq!(transport.shared.pool.idle_count(), 1);
    }

    #[test]
    fn http1_and_http2_cannot_both_be_off() {
        assert!(HttpTransport::builder().http1(false).build_async().is_err());
    }
}
