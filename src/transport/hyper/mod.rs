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

mod body;
mod connect;
mod env;
mod errors;
mod io;
mod pool;
mod send;
#[cfg(feature = "rustls")]
mod tls;

use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use self::body::PREFETCH_LIMIT;
use self::connect::ProxyRoute;
use self::pool::Pool;
use self::send::{execute, Driver, LastKey};
use super::{AsyncTransport, Transport};
use crate::config::{ConnectionSettings, Limits, Proxy};
use crate::error::{Error, ErrorKind, Result};
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

/// A transport builder with a client's settings: the default transports of both
/// clients (`build()` and `build_async()`).
pub(crate) fn builder_for(
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

    // The TLS configurations it checks exist with rustls only.
    #[cfg(feature = "rustls")]
    #[test]
    fn building_does_no_tls_work() {
        let started = std::time::Instant::now();
        let transport = AsyncHttpTransport::new().unwrap();
        assert!(transport.shared.tls_configs[0].get().is_none());
        // Generous: what matters is that no TLS work happened (above).
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
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
