//! Transports: what turns a [`Request`] into a [`Response`] (httpx's `handle_request`).
//!
//! [`Transport`] is the blocking form, used by [`Client`](crate::Client) on native
//! targets and WASI; [`AsyncTransport`] is the async form, used by
//! [`AsyncClient`](crate::AsyncClient) everywhere. Both are object-safe so that
//! [`mounts`](crate::ClientBuilder::mount) can route URL patterns to `dyn` transports.
//!
//! A transport returns the response with its body unread (a stream) or in memory;
//! the client reads, decodes, follows redirects, runs auth and keeps cookies.
//! [`Capabilities`] tell the client what the host does itself (the browser follows
//! redirects and decodes bodies, for example) so it does not do it twice.

use std::sync::Arc;

use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::rt::{BoxFuture, MaybeSend, MaybeSync};

#[cfg(all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"))]
pub mod fetch;
#[cfg(all(feature = "hyper", not(target_family = "wasm")))]
pub mod hyper;
mod mock;
pub(crate) mod mounts;
#[cfg(all(feature = "wasi", target_os = "wasi"))]
pub mod wasi;

#[cfg(feature = "tower")]
mod app;

#[cfg(all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"))]
pub use self::fetch::FetchTransport;
#[cfg(all(feature = "hyper", not(target_family = "wasm")))]
pub use self::hyper::{AsyncHttpTransport, HttpTransport, HttpTransportBuilder};
#[cfg(all(feature = "wasi", target_os = "wasi"))]
pub use self::wasi::WasiHttpTransport;
#[cfg(feature = "tower")]
pub use app::AppTransport;
pub use mock::MockTransport;
pub use mounts::UrlPattern;

/// What a host does by itself, so that the client adapts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The transport follows redirects itself (the browser's fetch). The client then
    /// treats each response as final, and passes the redirect policy through
    /// [`RequestOptions`](crate::RequestOptions).
    pub follows_redirects: bool,
    /// The host keeps cookies (the browser). The client's jar is not used.
    pub manages_cookies: bool,
    /// Bodies arrive decoded; the transport removes `Content-Encoding` so the client
    /// does not decode twice.
    pub decodes_content: bool,
    /// Request bodies can be streamed (else they are buffered by the transport).
    pub streaming_upload: bool,
    /// Request headers the host refuses to send (lowercase names; a trailing `*` is
    /// a prefix). The client drops its own defaults among them and refuses them when
    /// a user sets one explicitly.
    pub forbidden_headers: &'static [&'static str],
}

impl Default for Capabilities {
    /// A transport that does nothing by itself: the client does it all.
    fn default() -> Capabilities {
        Capabilities {
            follows_redirects: false,
            manages_cookies: false,
            decodes_content: false,
            streaming_upload: true,
            forbidden_headers: &[],
        }
    }
}

impl Capabilities {
    /// Whether `name` is forbidden by the host.
    pub fn forbids(&self, name: &str) -> bool {
        self.forbidden_headers
            .iter()
            .any(|f| match f.strip_suffix('*') {
                Some(prefix) => {
                    name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
                }
                None => name.eq_ignore_ascii_case(f),
            })
    }
}

/// A blocking transport (httpx's `BaseTransport`).
///
/// ```
/// use httpx::{Request, Response, Result, Transport};
/// struct Hello;
/// impl Transport for Hello {
///     fn handle_request(&self, _request: Request) -> Result<Response> {
///         Response::builder(200).text("hello").build()
///     }
/// }
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// let client = httpx::Client::builder().transport(Hello).build()?;
/// assert_eq!(client.get("https://example.org/").send()?.text()?, "hello");
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub trait Transport: MaybeSend + MaybeSync {
    /// Sends the request and returns the response, its body possibly unread.
    fn handle_request(&self, request: Request) -> Result<Response>;

    /// What the host does by itself.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Releases pooled connections; called by [`Client::close`](crate::Client::close).
    fn close(&self) {}
}

/// An async transport (httpx's `AsyncBaseTransport`).
pub trait AsyncTransport: MaybeSend + MaybeSync {
    /// Sends the request and returns the response, its body possibly unread.
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>>;

    /// What the host does by itself.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Releases pooled connections; called by
    /// [`AsyncClient::aclose`](crate::AsyncClient::aclose).
    fn aclose(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn handle_request(&self, request: Request) -> Result<Response> {
        (**self).handle_request(request)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn close(&self) {
        (**self).close()
    }
}

impl<T: AsyncTransport + ?Sized> AsyncTransport for Arc<T> {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        (**self).handle_async_request(request)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn aclose(&self) -> BoxFuture<'_, ()> {
        (**self).aclose()
    }
}

/// The transport a client uses when none is given and no network transport is built
/// for this target: every request fails with a message that says what to do.
#[cfg(not(any(
    all(feature = "hyper", not(target_family = "wasm")),
    all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"),
    all(feature = "wasi", target_os = "wasi")
)))]
pub(crate) struct NoNetwork;

#[cfg(not(any(
    all(feature = "hyper", not(target_family = "wasm")),
    all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"),
    all(feature = "wasi", target_os = "wasi")
)))]
impl NoNetwork {
    fn error(request: &Request) -> crate::Error {
        crate::Error::new(
            crate::ErrorKind::UnsupportedProtocol,
            "this build has no network transport for this target: enable the crate's \
             `hyper` (native), `fetch` (browser) or `wasi` (WASI) feature, or give the client \
             a transport",
        )
        .with_request(request.method(), request.url())
    }
}

#[cfg(all(not(feature = "hyper"), not(target_family = "wasm")))]
impl Transport for NoNetwork {
    fn handle_request(&self, request: Request) -> Result<Response> {
        Err(NoNetwork::error(&request))
    }
}

#[cfg(all(target_os = "wasi", not(feature = "wasi")))]
impl Transport for NoNetwork {
    fn handle_request(&self, request: Request) -> Result<Response> {
        Err(NoNetwork::error(&request))
    }
}

#[cfg(not(any(
    all(feature = "hyper", not(target_family = "wasm")),
    all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"),
    all(feature = "wasi", target_os = "wasi")
)))]
impl AsyncTransport for NoNetwork {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(async move { Err(NoNetwork::error(&request)) })
    }
}

/// Stands in for a network transport that could not be set up (an invalid proxy in the
/// environment, say): every request fails with that error. `Client::new()` uses it
/// rather than panicking, and rather than quietly going around a proxy the environment
/// asked for.
pub(crate) struct FailedSetup {
    kind: crate::ErrorKind,
    message: String,
}

impl FailedSetup {
    pub(crate) fn new(err: &crate::Error) -> FailedSetup {
        FailedSetup {
            kind: err.kind(),
            message: format!("the client could not be set up: {}", err.message()),
        }
    }

    fn error(&self, request: &Request) -> crate::Error {
        crate::Error::new(self.kind, self.message.clone())
            .with_request(request.method(), request.url())
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Transport for FailedSetup {
    fn handle_request(&self, request: Request) -> Result<Response> {
        Err(self.error(&request))
    }
}

impl AsyncTransport for FailedSetup {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        let err = self.error(&request);
        Box::pin(async move { Err(err) })
    }
}

/// The default blocking transport of this target, with the client's settings.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn default_transport(
    config: &crate::client::ClientConfig,
    proxy: Option<crate::config::Proxy>,
) -> crate::Result<Arc<dyn Transport>> {
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    {
        self::hyper::default_transport(config.limits, config.trust_env, &config.connection, proxy)
    }
    // wasi:http: the host owns connections, TLS and proxies.
    #[cfg(all(feature = "wasi", target_os = "wasi"))]
    {
        Ok(self::wasi::default_transport(config, proxy)?)
    }
    #[cfg(not(any(
        all(feature = "hyper", not(target_family = "wasm")),
        all(feature = "wasi", target_os = "wasi")
    )))]
    {
        let _ = (config, proxy);
        Ok(Arc::new(NoNetwork))
    }
}

/// The default async transport of this target, with the client's settings.
pub(crate) fn default_async_transport(
    config: &crate::client::ClientConfig,
    proxy: Option<crate::config::Proxy>,
) -> crate::Result<Arc<dyn AsyncTransport>> {
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    {
        self::hyper::default_async_transport(
            config.limits,
            config.trust_env,
            &config.connection,
            proxy,
        )
    }
    // The browser's fetch: the host owns connections, TLS and proxies, so the client's
    // limits, connection settings and proxy do not apply.
    #[cfg(all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"))]
    {
        let _ = config;
        if proxy.is_some() {
            return Err(crate::Error::new(
                crate::ErrorKind::ProxyError,
                "the browser's fetch cannot use a proxy: the browser or the system chooses \
                 proxies; remove the client's proxy setting",
            ));
        }
        Ok(Arc::new(FetchTransport::new()))
    }
    // wasi:http: the host owns connections, TLS and proxies.
    #[cfg(all(feature = "wasi", target_os = "wasi"))]
    {
        Ok(self::wasi::default_transport(config, proxy)?)
    }
    #[cfg(not(any(
        all(feature = "hyper", not(target_family = "wasm")),
        all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"),
        all(feature = "wasi", target_os = "wasi")
    )))]
    {
        let _ = (config, proxy);
        Ok(Arc::new(NoNetwork))
    }
}

/// A client's routes: its proxies (see [`proxy_map`]), each served by a transport
/// `make` builds, then the user's own mounts, which win for equal patterns.
pub(crate) fn client_mounts<T: ?Sized>(
    config: &crate::client::ClientConfig,
    custom_transport: bool,
    user_mounts: mounts::Mounts<T>,
    make: impl Fn(crate::config::Proxy) -> crate::Result<Arc<T>>,
) -> crate::Result<mounts::Mounts<T>> {
    let mut routes = mounts::Mounts::default();
    for (pattern, proxy) in proxy_map(config, custom_transport)? {
        routes.insert(pattern, proxy.map(&make).transpose()?);
    }
    routes.extend(user_mounts);
    Ok(routes)
}

/// The proxy routes a client mounts (httpx's `_get_proxy_map`): an explicit proxy for
/// every URL, else, with `trust_env` and no custom transport, the environment's
/// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` with `NO_PROXY` exceptions. Each entry is a
/// pattern and the proxy for it, or `None` for "no proxy" (the client's transport).
pub(crate) fn proxy_map(
    config: &crate::client::ClientConfig,
    custom_transport: bool,
) -> crate::Result<Vec<(UrlPattern, Option<crate::config::Proxy>)>> {
    if let Some(proxy) = &config.proxy {
        return Ok(vec![(UrlPattern::parse("all://")?, Some(proxy.clone()))]);
    }
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    if config.trust_env && !custom_transport {
        let mut routes = Vec::new();
        for (pattern, proxy) in self::hyper::environment_proxies() {
            let pattern = UrlPattern::parse(&pattern)?;
            let proxy = proxy
                .map(|url| crate::config::Proxy::new(&url))
                .transpose()?;
            routes.push((pattern, proxy));
        }
        return Ok(routes);
    }
    let _ = custom_transport;
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_header_patterns() {
        let caps = Capabilities {
            forbidden_headers: &["host", "sec-*", "proxy-*"],
            ..Capabilities::default()
        };
        assert!(caps.forbids("Host"));
        assert!(caps.forbids("Sec-Fetch-Mode"));
        assert!(caps.forbids("proxy-authorization"));
        assert!(!caps.forbids("x-host"));
        assert!(!caps.forbids("se"));
    }
}
