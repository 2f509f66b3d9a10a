//! The [`AsyncClient`], on every target: its driver loop performs each step of the
//! send flow by awaiting.

use std::fmt;
use std::sync::Arc;

use super::dispatch::{ClientCore, CoreBuilder};
use super::settings::config_setters;
use super::{
    shared_client_impls, shared_client_methods, transport_setters, verb_methods, RequestBuilder,
    SendOptions,
};
use crate::auth::AsyncAuthFlow;
use crate::error::Result;
use crate::flow::{Input, Step, REDIRECT_BODY_LIMIT};
use crate::request::Request;
use crate::response::Response;
use crate::rt::{BoxFuture, Instant, MaybeSend, MaybeSync};
use crate::transport::AsyncTransport;

/// An async event hook on a `T` (a request or a response): may change it, or fail
/// the send.
#[cfg(not(target_family = "wasm"))]
type HookFn<T> = dyn for<'a> Fn(&'a mut T) -> BoxFuture<'a, Result<()>> + Send + Sync;
#[cfg(target_family = "wasm")]
type HookFn<T> = dyn for<'a> Fn(&'a mut T) -> BoxFuture<'a, Result<()>>;

struct AsyncClientInner {
    core: ClientCore<dyn AsyncTransport, HookFn<Request>, HookFn<Response>>,
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

shared_client_impls!(AsyncClient);

impl AsyncClient {
    shared_client_methods!(AsyncClient, AsyncClientBuilder);

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

    /// The driver loop: performs each step of the send flow, awaiting.
    async fn execute(&self, request: Request, options: SendOptions) -> Result<Response> {
        let core = &self.inner.core;
        let auth = core.auth_for(&request, &options)?;
        let mut flow =
            core.start_flow::<Box<dyn AsyncAuthFlow + '_>>(request, &options, auth.as_deref());
        let mut input = Input::Start;
        loop {
            input = match flow.step(input, Instant::now())? {
                Step::ReadRequestBody(mut request) => {
                    request.aread().await?;
                    Input::Request(request)
                }
                Step::StartAuth(request, auth) => {
                    let mut auth_flow = auth.async_auth_flow(request);
                    Input::AuthStarted(auth_flow.first().await?, auth_flow)
                }
                Step::RequestHooks(request) => {
                    Input::Request(run_hooks(&core.request_hooks, request).await?)
                }
                Step::Send(mut request) => {
                    let (transport, capabilities) = core.route(&mut request)?;
                    Input::Sent(transport.handle_async_request(request).await?, capabilities)
                }
                Step::ResponseHooks(response) => {
                    Input::Response(run_hooks(&core.response_hooks, response).await?)
                }
                Step::ReadResponse(mut response) => {
                    response.aread().await?;
                    Input::Response(response)
                }
                Step::DrainRedirect(mut response) => {
                    response.aread_bounded(REDIRECT_BODY_LIMIT).await?;
                    Input::Response(response)
                }
                Step::AuthNext(response, mut auth_flow) => {
                    let next = auth_flow.next(&response).await?;
                    Input::AuthNext(response, next, auth_flow)
                }
                Step::Done(response) => return Ok(response),
            };
        }
    }

    /// Closes the client: its transports release their connections, and later sends
    /// fail with `InvalidState`.
    pub async fn aclose(&self) {
        let core = &self.inner.core;
        if core.mark_closed() {
            for transport in core.transports() {
                transport.aclose().await;
            }
        }
    }
}

/// Runs event hooks in order, each seeing the changes of the one before.
async fn run_hooks<T>(hooks: &[Arc<HookFn<T>>], mut value: T) -> Result<T> {
    for hook in hooks {
        hook(&mut value).await?;
    }
    Ok(value)
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
    parts: CoreBuilder<dyn AsyncTransport, HookFn<Request>, HookFn<Response>>,
}

impl fmt::Debug for AsyncClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncClientBuilder").finish_non_exhaustive()
    }
}

impl AsyncClientBuilder {
    config_setters!("AsyncClient");

    transport_setters!(AsyncTransport;);

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
        self.parts.request_hooks.push(Arc::new(hook));
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
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() -> httpx::Result<()> {
    /// use std::sync::{Arc, Mutex};
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).text("body").build());
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let client = httpx::AsyncClient::builder()
    ///     .transport(transport)
    ///     .on_response_async(move |response| {
    ///         let log = log.clone();
    ///         Box::pin(async move {
    ///             response.aread().await?;
    ///             log.lock().unwrap().push(response.text()?);
    ///             Ok(())
    ///         })
    ///     })
    ///     .build()?;
    /// client.get("https://example.org/").send().await?;
    /// assert_eq!(*seen.lock().unwrap(), ["body"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_response_async<F>(mut self, hook: F) -> Self
    where
        F: for<'a> Fn(&'a mut Response) -> BoxFuture<'a, Result<()>>
            + MaybeSend
            + MaybeSync
            + 'static,
    {
        self.parts.response_hooks.push(Arc::new(hook));
        self
    }

    /// Builds the client. Fails for an invalid setting.
    // On wasm the client's parts are !Send (host values) and the Arc only shares them on
    // one thread; on native they are Send + Sync, asserted at the end of this file.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    pub fn build(self) -> Result<AsyncClient> {
        let core = self.parts.build(super::setup::default_async_transport)?;
        Ok(AsyncClient {
            inner: Arc::new(AsyncClientInner { core }),
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
