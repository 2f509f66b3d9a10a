//! The core both clients drive: it holds a client's settings, transports, mounts and
//! hooks, starts the send flow of each request and routes each request to a transport.
//! The clients add only what differs between blocking and async: how a step is
//! performed (their driver loops) and how transports are closed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::builder::{AuthChoice, SendOptions};
use super::settings::{ClientConfig, ConfigBuilder};
use super::setup::{client_mounts, mount_pattern};
use crate::auth::Auth;
use crate::config::Proxy;
use crate::error::{Error, ErrorKind, Result};
use crate::flow::{FlowSettings, SendFlow};
use crate::request::Request;
use crate::transport::mounts::Mounts;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use crate::transport::Transport;
use crate::transport::{AsyncTransport, Capabilities};
use crate::url::Url;

/// A transport as the core routes it: a blocking or an async one.
pub(crate) trait Routed {
    /// What the transport's host does by itself.
    fn host_capabilities(&self) -> Capabilities;

    /// Whether this kind of transport can send the request's body.
    fn accepts(&self, _request: &Request) -> Result<()> {
        Ok(())
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Routed for dyn Transport {
    fn host_capabilities(&self) -> Capabilities {
        self.capabilities()
    }

    fn accepts(&self, request: &Request) -> Result<()> {
        if request.body().is_async_stream() {
            return Err(Error::invalid_state(
                "Attempted to send an async request body with a sync Client; \
                 use AsyncClient, or a blocking iterator or reader.",
            ));
        }
        Ok(())
    }
}

impl Routed for dyn AsyncTransport {
    fn host_capabilities(&self) -> Capabilities {
        self.capabilities()
    }
}

/// What a client holds: `T` is its transport type (`dyn Transport` or
/// `dyn AsyncTransport`), `Q` and `P` its request and response hook types.
pub(crate) struct ClientCore<T: ?Sized, Q: ?Sized, P: ?Sized> {
    pub(crate) config: ClientConfig,
    transport: Arc<T>,
    mounts: Mounts<T>,
    pub(crate) request_hooks: Vec<Arc<Q>>,
    pub(crate) response_hooks: Vec<Arc<P>>,
    closed: AtomicBool,
}

impl<T: Routed + ?Sized, Q: ?Sized, P: ?Sized> ClientCore<T, Q, P> {
    pub(crate) fn new(
        config: ClientConfig,
        transport: Arc<T>,
        mounts: Mounts<T>,
        request_hooks: Vec<Arc<Q>>,
        response_hooks: Vec<Arc<P>>,
    ) -> Self {
        ClientCore {
            config,
            transport,
            mounts,
            request_hooks,
            response_hooks,
            closed: AtomicBool::new(false),
        }
    }

    /// The auth of one send (see [`ClientConfig::resolve_auth`]); fails on a closed
    /// client.
    pub(crate) fn auth_for(
        &self,
        request: &Request,
        options: &SendOptions,
    ) -> Result<Option<Arc<dyn Auth>>> {
        if self.is_closed() {
            return Err(Error::invalid_state(
                "Cannot send a request, as the client has been closed.",
            ));
        }
        Ok(self.config.resolve_auth(&options.auth, request.url()))
    }

    /// The send flow of one request, with the client's settings and this send's
    /// options.
    pub(crate) fn start_flow<'a, F>(
        &self,
        request: Request,
        options: &SendOptions,
        auth: Option<&'a dyn Auth>,
    ) -> SendFlow<'a, F> {
        let config = &self.config;
        let settings = FlowSettings {
            auth,
            has_request_hooks: !self.request_hooks.is_empty(),
            has_response_hooks: !self.response_hooks.is_empty(),
            follow_redirects: options.follow_redirects.unwrap_or(config.follow_redirects),
            max_redirects: config.max_redirects,
            // This send's, else the request's (a built request has the client's),
            // else the client's (a request made by hand has none).
            max_body_size: options
                .max_body_size
                .or(request.options().max_body_size)
                .or(config.max_body_size)
                .filter(|&limit| limit != u64::MAX),
            timeout: options.timeout.unwrap_or(*request.timeout()),
            stream: options.stream,
            default_encoding: config.default_encoding.clone(),
            credentials: config.credentials,
            cookies: cfg!(feature = "cookies").then(|| config.cookies.clone()),
        };
        SendFlow::new(request, settings)
    }

    /// The transport for a request (a mounted one, or the client's own for http and
    /// https) and what its host does, with the request adapted to that host.
    pub(crate) fn route(&self, request: &mut Request) -> Result<(&Arc<T>, Capabilities)> {
        let transport = match self.mounts.route(request.url()) {
            Some(Some(transport)) => transport,
            _ if matches!(request.url().scheme(), "http" | "https") => &self.transport,
            _ => return Err(unsupported_scheme(request.url())),
        };
        transport.accepts(request)?;
        let capabilities = transport.host_capabilities();
        capabilities.prepare_request(request)?;
        Ok((transport, capabilities))
    }

    /// Marks the client closed; true for the call that closed it.
    pub(crate) fn mark_closed(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }

    /// Whether the client was closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The client's own transport, then each mounted one.
    pub(crate) fn transports(&self) -> impl Iterator<Item = &Arc<T>> {
        std::iter::once(&self.transport).chain(self.mounts.transports())
    }
}

/// What both client builders collect, built into a [`ClientCore`].
pub(crate) struct CoreBuilder<T: ?Sized, Q: ?Sized, P: ?Sized> {
    pub(crate) common: ConfigBuilder,
    pub(crate) transport: Option<Arc<T>>,
    mounts: Mounts<T>,
    pub(crate) request_hooks: Vec<Arc<Q>>,
    pub(crate) response_hooks: Vec<Arc<P>>,
    mount_error: Option<Error>,
}

impl<T: ?Sized, Q: ?Sized, P: ?Sized> Default for CoreBuilder<T, Q, P> {
    fn default() -> Self {
        CoreBuilder {
            common: ConfigBuilder::default(),
            transport: None,
            mounts: Mounts::default(),
            request_hooks: Vec::new(),
            response_hooks: Vec::new(),
            mount_error: None,
        }
    }
}

impl<T: Routed + ?Sized, Q: ?Sized, P: ?Sized> CoreBuilder<T, Q, P> {
    /// Routes URLs matching `pattern` to `transport` (`None`: the client's own),
    /// keeping the first invalid pattern's error for `build`.
    pub(crate) fn mount(&mut self, pattern: &str, transport: Option<Arc<T>>) {
        if let Some(pattern) = mount_pattern(pattern, &mut self.mount_error) {
            self.mounts.insert(pattern, transport);
        }
    }

    /// The core, with `default_transport` making the client's transport (when none
    /// was given) and one per proxy route.
    pub(crate) fn build(
        self,
        default_transport: impl Fn(&ClientConfig, Option<Proxy>) -> Result<Arc<T>>,
    ) -> Result<ClientCore<T, Q, P>> {
        if let Some(e) = self.mount_error {
            return Err(e);
        }
        let config = self.common.finish()?;
        let mounts = client_mounts(&config, self.transport.is_some(), self.mounts, |proxy| {
            default_transport(&config, Some(proxy))
        })?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport(&config, None)?,
        };
        Ok(ClientCore::new(
            config,
            transport,
            mounts,
            self.request_hooks,
            self.response_hooks,
        ))
    }
}

fn unsupported_scheme(url: &Url) -> Error {
    Error::new(
        ErrorKind::UnsupportedProtocol,
        format!(
            "Request URL has an unsupported protocol '{}://': use http:// or https://, \
             or mount a transport for that scheme",
            url.scheme()
        ),
    )
}

impl ClientConfig {
    /// The auth for one send: the request's choice, else the client's; without either,
    /// credentials in the URL's userinfo become Basic auth (httpx's rule, which also
    /// applies after `no_auth()`), else none.
    /// `None` when there is no auth at all (the send loop then skips the auth steps).
    pub(crate) fn resolve_auth(&self, choice: &AuthChoice, url: &Url) -> Option<Arc<dyn Auth>> {
        let chosen = match choice {
            AuthChoice::Use(auth) => Some(auth.clone()),
            AuthChoice::Disabled => None,
            AuthChoice::ClientDefault => self.auth.clone(),
        };
        if chosen.is_some() {
            return chosen;
        }
        let username = url.username();
        let password = url.password();
        if !username.is_empty() || password.is_some() {
            return Some(Arc::new(crate::auth::BasicAuth::new(
                username,
                password.unwrap_or_default(),
            )));
        }
        None
    }
}
