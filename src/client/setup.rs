//! Client set-up: the transport a client gets when it is given none, and the routes
//! its proxies add (httpx keeps these in `_client.py`: `_init_transport`,
//! `_init_proxy_transport`, `_get_proxy_map`). This is where the clients meet the
//! concrete network transports; the layers below name none of them.

use std::sync::Arc;

use super::settings::ClientConfig;
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::rt::BoxFuture;
use crate::transport::mounts::{Mounts, UrlPattern};
use crate::transport::AsyncTransport;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use crate::transport::Transport;

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

/// The hyper transport's builder with the client's settings.
#[cfg(all(feature = "hyper", not(target_family = "wasm")))]
fn hyper_builder(
    config: &ClientConfig,
    proxy: Option<crate::config::Proxy>,
) -> crate::transport::HttpTransportBuilder {
    crate::transport::hyper::builder_for(config.limits, config.trust_env, &config.connection, proxy)
}

/// The default blocking transport of this target, with the client's settings.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn default_transport(
    config: &ClientConfig,
    proxy: Option<crate::config::Proxy>,
) -> crate::Result<Arc<dyn Transport>> {
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    {
        Ok(Arc::new(hyper_builder(config, proxy).build()?))
    }
    // wasi:http: the host owns connections, TLS and proxies.
    #[cfg(all(feature = "wasi", target_os = "wasi"))]
    {
        let _ = config;
        Ok(crate::transport::wasi::default_transport(proxy)?)
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
    config: &ClientConfig,
    proxy: Option<crate::config::Proxy>,
) -> crate::Result<Arc<dyn AsyncTransport>> {
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    {
        Ok(Arc::new(hyper_builder(config, proxy).build_async()?))
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
        Ok(Arc::new(crate::transport::FetchTransport::new()))
    }
    // wasi:http: the host owns connections, TLS and proxies.
    #[cfg(all(feature = "wasi", target_os = "wasi"))]
    {
        let _ = config;
        Ok(crate::transport::wasi::default_transport(proxy)?)
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
    config: &ClientConfig,
    custom_transport: bool,
    user_mounts: Mounts<T>,
    make: impl Fn(crate::config::Proxy) -> crate::Result<Arc<T>>,
) -> crate::Result<Mounts<T>> {
    let mut routes = Mounts::default();
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
    config: &ClientConfig,
    custom_transport: bool,
) -> crate::Result<Vec<(UrlPattern, Option<crate::config::Proxy>)>> {
    if let Some(proxy) = &config.proxy {
        return Ok(vec![(UrlPattern::parse("all://")?, Some(proxy.clone()))]);
    }
    #[cfg(all(feature = "hyper", not(target_family = "wasm")))]
    if config.trust_env && !custom_transport {
        let mut routes = Vec::new();
        for (pattern, proxy) in crate::transport::hyper::environment_proxies() {
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

/// Parses a mount pattern for a builder, keeping the first error.
pub(crate) fn mount_pattern(pattern: &str, error: &mut Option<crate::Error>) -> Option<UrlPattern> {
    match UrlPattern::parse(pattern) {
        Ok(p) => Some(p),
        Err(e) => {
            error.get_or_insert(e);
            None
        }
    }
}
