//! The async [`AsyncClient`], on every target.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::auth::AsyncAuthFlow;
use crate::client::{
    config_setters, mount_pattern, prepare_for_transport, route, sealed, ClientConfig,
    ClientHandle, ClientKind, ConfigBuilder, HookPresence, RequestBuilder, SendOptions,
};
use crate::config::Timeout;
use crate::cookies::Cookies;
use crate::error::{Error, Result};
use crate::flow::{Input, SendFlow, Step};
use crate::headers::Headers;
use crate::request::{IntoMethod, Method, Request};
use crate::response::Response;
use crate::rt::{BoxFuture, MaybeSend, MaybeSync};
use crate::transport::mounts::Mounts;
use crate::transport::AsyncTransport;
use crate::url::{IntoUrl, QueryParams, Url};

#[cfg(not(target_family = "wasm"))]
type RequestHookFn = dyn for<'a> Fn(&'a mut Request) -> BoxFuture<'a, Result<()>> + Send + Sync;
#[cfg(target_family = "wasm")]
type RequestHookFn = dyn for<'a> Fn(&'a mut Request) -> BoxFuture<'a, Result<()>>;
#[cfg(not(target_family = "wasm"))]
type ResponseHookFn = dyn for<'a> Fn(&'a mut Response) -> BoxFuture<'a, Result<()>> + Send + Sync;
#[cfg(target_family = "wasm")]
type ResponseHookFn = dyn for<'a> Fn(&'a mut Response) -> BoxFuture<'a, Result<()>>;

struct AsyncClientInner {
    config: ClientConfig,
    transport: Arc<dyn AsyncTransport>,
    mounts: Mounts<dyn AsyncTransport>,
    request_hooks: Vec<Arc<RequestHookFn>>,
    response_hooks: Vec<Arc<ResponseHookFn>>,
    closed: AtomicBool,
}

/// An async HTTP client (httpx's `AsyncClient`), on every target: native, the
/// browser and WASI.
///
/// It needs no particular runtime: its futures are driven by whatever polls them
/// (tokio, the browser's event loop, a WASI executor); transports bring what they
/// need. Cloning is cheap and shares the pool, the jar and the closed state.
///
/// ```
/// # async fn demo() -> httpx::Result<()> {
/// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).text("hi").build());
/// let client = httpx::AsyncClient::builder().transport(transport).build()?;
/// let response = client.get("https://example.org/").send().await?;
/// assert_eq!(response.text()?, "hi");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncClient {
    inner: Arc<AsyncClientInner>,
}

impl sealed::Sealed for AsyncClient {
    fn config(&self) -> &ClientConfig {
        &self.inner.config
    }
}
impl ClientKind for AsyncClient {}

impl AsyncClient {
    /// A client with httpx's defaults and this target's network transport.
    ///
    /// If that set-up fails (an invalid proxy in the environment, say), the client is
    /// still returned and each of its requests fails with that error; use
    /// [`AsyncClient::builder`] and `build()` to get the error at once.
    pub fn new() -> AsyncClient {
        match AsyncClientBuilder::default().build() {
            Ok(client) => client,
            Err(e) => match AsyncClientBuilder::default()
                .trust_env(false)
                .transport(crate::transport::FailedSetup::new(&e))
                .build()
            {
                Ok(client) => client,
                Err(_) => unreachable!("default settings with a given transport always build"),
            },
        }
    }

    /// A builder to configure a client.
    pub fn builder() -> AsyncClientBuilder {
        AsyncClientBuilder::default()
    }

    /// A request with any method.
    pub fn request(
        &self,
        method: impl IntoMethod,
        url: impl IntoUrl,
    ) -> RequestBuilder<'_, AsyncClient> {
        RequestBuilder::new(ClientHandle::Borrowed(self), method, url)
    }
    /// A GET request.
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::GET, url)
    }
    /// A POST request.
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::POST, url)
    }
    /// A PUT request.
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::PUT, url)
    }
    /// A PATCH request.
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::PATCH, url)
    }
    /// A DELETE request.
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::DELETE, url)
    }
    /// A HEAD request.
    pub fn head(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::HEAD, url)
    }
    /// An OPTIONS request.
    pub fn options(&self, url: impl IntoUrl) -> RequestBuilder<'_, AsyncClient> {
        self.request(Method::OPTIONS, url)
    }

    /// A request whose response body is left unread, to stream it with
    /// `aiter_bytes()`, `aiter_lines()` or `aread()`.
    pub fn stream(
        &self,
        method: impl IntoMethod,
        url: impl IntoUrl,
    ) -> RequestBuilder<'_, AsyncClient> {
        self.request(method, url).streaming()
    }

    /// A request builder; `.build()` gives the [`Request`] (httpx's `build_request`).
    pub fn build_request(
        &self,
        method: impl IntoMethod,
        url: impl IntoUrl,
    ) -> RequestBuilder<'_, AsyncClient> {
        self.request(method, url)
    }

    /// Sends a built request with the client's settings; the body is read.
    pub async fn send(&self, request: Request) -> Result<Response> {
        self.send_with(request, SendOptions::default()).await
    }

    /// Sends a built request with per-send options.
    pub async fn send_with(&self, request: Request, options: SendOptions) -> Result<Response> {
        let method = request.method().clone();
        let url = request.url().clone();
        // Boxed once here: the send loop's future is large, and unboxed it would be
        // copied through every layer of async calls above it.
        Box::pin(self.execute(request, options))
            .await
            .map_err(|e| e.with_request(&method, &url))
    }

    async fn execute(&self, request: Request, options: SendOptions) -> Result<Response> {
        let inner = &*self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(Error::invalid_state(
                "Cannot send a request, as the client has been closed.",
            ));
        }
        let auth = inner.config.resolve_auth(&options.auth, request.url());
        let hooks = HookPresence {
            request: !inner.request_hooks.is_empty(),
            response: !inner.response_hooks.is_empty(),
        };
        let settings = inner
            .config
            .flow_settings(&options, auth.as_deref(), &request, hooks);
        let mut flow = SendFlow::new(request, settings);
        let mut auth_flow: Option<Box<dyn AsyncAuthFlow + '_>> = None;
        let mut input = Input::Start;
        loop {
            input = match flow.step(input)? {
                Step::ReadRequestBody(mut request) => {
                    request.aread().await?;
                    Input::Request(request)
                }
                Step::StartAuth(request) => {
                    let auth = auth.as_deref().ok_or_else(|| {
                        Error::invalid_state("the send loop asked for auth without one")
                    })?;
                    let flow = auth_flow.insert(auth.async_auth_flow(request));
                    Input::Request(flow.first().await?)
                }
                Step::RequestHooks(mut request) => {
                    for hook in &inner.request_hooks {
                        hook(&mut request).await?;
                    }
                    Input::Request(request)
                }
                Step::Send(mut request) => {
                    let transport = route(&inner.mounts, &inner.transport, request.url())?;
                    let capabilities = transport.capabilities();
                    prepare_for_transport(&mut request, &capabilities)?;
                    Input::Sent(transport.handle_async_request(request).await?, capabilities)
                }
                Step::ResponseHooks(mut response) => {
                    for hook in &inner.response_hooks {
                        hook(&mut response).await?;
                    }
                    Input::Response(response)
                }
                Step::ReadResponse(mut response) => {
                    response.aread().await?;
                    Input::Response(response)
                }
                Step::DrainRedirect(mut response) => {
                    response
                        .aread_bounded(crate::flow::REDIRECT_BODY_LIMIT)
                        .await?;
                    Input::Response(response)
                }
                Step::AuthNext(response) => {
                    let flow = auth_flow
                        .as_mut()
                        .ok_or_else(|| Error::invalid_state("the auth flow was not started"))?;
                    let next = flow.next(&response).await?;
                    Input::AuthNext(response, next)
                }
                Step::Done(response) => return Ok(response),
            };
        }
    }

    /// Closes the client: its transports release their connections, and later sends
    /// fail with `InvalidState`.
    pub async fn aclose(&self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.transport.aclose().await;
            for transport in self.inner.mounts.transports() {
                transport.aclose().await;
            }
        }
    }

    /// Whether [`aclose`](AsyncClient::aclose) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// A copy of the cookie jar.
    pub fn cookies(&self) -> Cookies {
        self.inner
            .config
            .cookies
            .lock()
            .map(|jar| jar.clone())
            .unwrap_or_default()
    }

    /// Changes the cookie jar in place.
    pub fn with_cookies<R>(&self, f: impl FnOnce(&mut Cookies) -> R) -> R {
        let mut jar = match self.inner.config.cookies.lock() {
            Ok(jar) => jar,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut jar)
    }

    /// The base URL, with its trailing `/`.
    pub fn base_url(&self) -> Option<&Url> {
        self.inner.config.base_url.as_ref()
    }

    /// The headers sent with every request.
    pub fn headers(&self) -> &Headers {
        &self.inner.config.headers
    }

    /// The query parameters added to every request.
    pub fn params(&self) -> &QueryParams {
        &self.inner.config.params
    }

    /// The timeouts.
    pub fn timeout(&self) -> &Timeout {
        &self.inner.config.timeout
    }

    /// Whether redirects are followed by default.
    pub fn follows_redirects(&self) -> bool {
        self.inner.config.follow_redirects
    }
}

impl Default for AsyncClient {
    fn default() -> AsyncClient {
        AsyncClient::new()
    }
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncClient")
            .field("config", &self.inner.config)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl RequestBuilder<'_, AsyncClient> {
    /// Sends the request and returns the response, its body read (or left unread for
    /// a `stream` request).
    pub async fn send(self) -> Result<Response> {
        let (client, request, options) = self.into_parts()?;
        client.send_with(request, options).await
    }
}

/// Configures an [`AsyncClient`].
#[derive(Default)]
#[must_use = "call build() to get the client"]
pub struct AsyncClientBuilder {
    pub(crate) common: ConfigBuilder,
    transport: Option<Arc<dyn AsyncTransport>>,
    mounts: Mounts<dyn AsyncTransport>,
    request_hooks: Vec<Arc<RequestHookFn>>,
    response_hooks: Vec<Arc<ResponseHookFn>>,
    mount_error: Option<Error>,
}

impl fmt::Debug for AsyncClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncClientBuilder").finish_non_exhaustive()
    }
}

impl AsyncClientBuilder {
    config_setters!();

    /// The transport for every request not routed by a mount (else this target's
    /// network transport).
    pub fn transport(mut self, transport: impl AsyncTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Routes URLs matching `pattern` to `transport` (httpx's `mounts`).
    pub fn mount(mut self, pattern: &str, transport: impl AsyncTransport + 'static) -> Self {
        if let Some(p) = mount_pattern(pattern, &mut self.mount_error) {
            self.mounts.insert(p, Some(Arc::new(transport)));
        }
        self
    }

    /// Routes URLs matching `pattern` to the client's own transport.
    pub fn mount_default(mut self, pattern: &str) -> Self {
        if let Some(p) = mount_pattern(pattern, &mut self.mount_error) {
            self.mounts.insert(p, None);
        }
        self
    }

    /// Adds a blocking request event hook.
    pub fn on_request<F>(self, hook: F) -> Self
    where
        F: Fn(&mut Request) -> Result<()> + MaybeSend + MaybeSync + 'static,
    {
        self.on_request_async(move |request| {
            let result = hook(request);
            Box::pin(async move { result })
        })
    }

    /// Adds an async request event hook:
    /// `|request| Box::pin(async move { ...; Ok(()) })`.
    pub fn on_request_async<F>(mut self, hook: F) -> Self
    where
        F: for<'a> Fn(&'a mut Request) -> BoxFuture<'a, Result<()>>
            + MaybeSend
            + MaybeSync
            + 'static,
    {
        self.request_hooks.push(Arc::new(hook));
        self
    }

    /// Adds a blocking response event hook.
    pub fn on_response<F>(self, hook: F) -> Self
    where
        F: Fn(&mut Response) -> Result<()> + MaybeSend + MaybeSync + 'static,
    {
        self.on_response_async(move |response| {
            let result = hook(response);
            Box::pin(async move { result })
        })
    }

    /// Adds an async response event hook (it may `aread()` the body).
    pub fn on_response_async<F>(mut self, hook: F) -> Self
    where
        F: for<'a> Fn(&'a mut Response) -> BoxFuture<'a, Result<()>>
            + MaybeSend
            + MaybeSync
            + 'static,
    {
        self.response_hooks.push(Arc::new(hook));
        self
    }

    /// Builds the client. Fails for an invalid setting.
    // On wasm the client's parts are !Send (host values) and the Arc only shares them on
    // one thread; on native they are Send + Sync, asserted at the end of this file.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    pub fn build(self) -> Result<AsyncClient> {
        if let Some(e) = self.mount_error {
            return Err(e);
        }
        let config = self.common.finish()?;
        let mounts = crate::transport::client_mounts(
            &config,
            self.transport.is_some(),
            self.mounts,
            |proxy| crate::transport::default_async_transport(&config, Some(proxy)),
        )?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => crate::transport::default_async_transport(&config, None)?,
        };
        Ok(AsyncClient {
            inner: Arc::new(AsyncClientInner {
                config,
                transport,
                mounts,
                request_hooks: self.request_hooks,
                response_hooks: self.response_hooks,
                closed: AtomicBool::new(false),
            }),
        })
    }
}

#[cfg(not(target_family = "wasm"))]
const _: fn() = || {
    fn assert_bounds<T: Send + Sync + 'static>() {}
    assert_bounds::<AsyncClient>();
    assert_bounds::<AsyncClientBuilder>();
    fn assert_send_future<F: std::future::Future + Send>(_: F) {}
    let client = AsyncClient::new();
    assert_send_future(async move { client.get("http://x/").send().await });
};
