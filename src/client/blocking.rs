//! The blocking [`Client`] (native targets and WASI): its driver loop performs each
//! step of the send flow by blocking.

use std::fmt;
use std::sync::Arc;

use super::dispatch::{ClientCore, CoreBuilder};
use super::settings::config_setters;
use super::{
    shared_client_impls, shared_client_methods, transport_setters, verb_methods, RequestBuilder,
    SendOptions,
};
use crate::auth::AuthFlow;
use crate::error::Result;
use crate::flow::{Input, Step, REDIRECT_BODY_LIMIT};
use crate::request::{IntoMethod, Request};
use crate::response::Response;
use crate::rt::Instant;
use crate::transport::Transport;
use crate::url::IntoUrl;

/// An event hook on a `T`: a request hook may change the request, a response hook
/// may read the response (`raise_for_status`, say); either may fail the send.
type Hook<T> = dyn Fn(&mut T) -> Result<()> + Send + Sync;
type RequestHook = Hook<Request>;
type ResponseHook = Hook<Response>;

struct ClientInner {
    core: ClientCore<dyn Transport, RequestHook, ResponseHook>,
}

/// A blocking HTTP client (httpx's `Client`), on native targets and WASI.
///
/// Cloning is cheap and shares the connection pool, the cookie jar and the closed
/// state. Dropping the last clone closes it; [`close`](Client::close) closes it at
/// once (later sends fail).
///
/// ```
/// let transport = httpx::MockTransport::new(|request| {
///     httpx::Response::builder(200).json(&serde_json::json!({"path": request.url().path()})).build()
/// });
/// let client = httpx::Client::builder().transport(transport).build()?;
/// let response = client.get("https://example.org/items").send()?.raise_for_status()?;
/// let value: serde_json::Value = response.json()?;
/// assert_eq!(value["path"], "/items");
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

shared_client_impls!(Client);

impl Client {
    shared_client_methods!(Client, ClientBuilder);

    /// Sends a built request with the client's settings; the body is read.
    pub fn send(&self, request: Request) -> Result<Response> {
        self.send_with(request, SendOptions::default())
    }

    /// Sends a built request with per-send options.
    pub fn send_with(&self, request: Request, options: SendOptions) -> Result<Response> {
        let method = request.method().clone();
        let url = request.url().clone();
        self.execute(request, options)
            .map_err(|e| e.with_request(&method, &url))
    }

    /// The driver loop: performs each step of the send flow, blocking.
    fn execute(&self, request: Request, options: SendOptions) -> Result<Response> {
        let core = &self.inner.core;
        let auth = core.auth_for(&request, &options)?;
        let mut flow =
            core.start_flow::<Box<dyn AuthFlow + '_>>(request, &options, auth.as_deref());
        let mut input = Input::Start;
        loop {
            input = match flow.step(input, Instant::now())? {
                Step::ReadRequestBody(mut request) => {
                    request.read()?;
                    Input::Request(request)
                }
                Step::StartAuth(request, auth) => {
                    let mut auth_flow = auth.auth_flow(request);
                    Input::AuthStarted(auth_flow.first()?, auth_flow)
                }
                Step::RequestHooks(request) => {
                    Input::Request(run_hooks(&core.request_hooks, request)?)
                }
                Step::Send(mut request) => {
                    let (transport, capabilities) = core.route(&mut request)?;
                    Input::Sent(transport.handle_request(request)?, capabilities)
                }
                Step::ResponseHooks(response) => {
                    Input::Response(run_hooks(&core.response_hooks, response)?)
                }
                Step::ReadResponse(mut response) => {
                    response.read()?;
                    Input::Response(response)
                }
                Step::DrainRedirect(mut response) => {
                    response.read_bounded(REDIRECT_BODY_LIMIT)?;
                    Input::Response(response)
                }
                Step::AuthNext(response, mut auth_flow) => {
                    let next = auth_flow.next(&response)?;
                    Input::AuthNext(response, next, auth_flow)
                }
                Step::Done(response) => return Ok(response),
            };
        }
    }

    /// Closes the client: its transports release their connections, and later
    /// sends fail with `InvalidState`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = httpx::Client::builder()
    ///     .transport(httpx::MockTransport::new(|_| httpx::Response::builder(200).build()))
    ///     .build()?;
    /// client.close();
    /// assert!(client.is_closed());
    /// let err = client.get("https://example.org/").send().unwrap_err();
    /// assert_eq!(err.kind(), httpx::ErrorKind::InvalidState);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn close(&self) {
        self.inner.close();
    }
}

/// Runs event hooks in order, each seeing the changes of the one before.
fn run_hooks<T>(hooks: &[Arc<Hook<T>>], mut value: T) -> Result<T> {
    for hook in hooks {
        hook(&mut value)?;
    }
    Ok(value)
}

impl ClientInner {
    fn close(&self) {
        if self.core.mark_closed() {
            for transport in self.core.transports() {
                transport.close();
            }
        }
    }
}

impl Drop for ClientInner {
    fn drop(&mut self) {
        self.close();
    }
}

impl RequestBuilder<'_, Client> {
    /// Sends the request and returns the response, its body read (or left unread
    /// for a `stream` request).
    pub fn send(self) -> Result<Response> {
        let (client, request, options) = self.into_parts()?;
        client.send_with(request, options)
    }
}

/// Configures a [`Client`].
#[derive(Default)]
#[must_use = "call build() to get the client"]
pub struct ClientBuilder {
    parts: CoreBuilder<dyn Transport, RequestHook, ResponseHook>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.parts.common.config)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    config_setters!("Client");

    transport_setters! {
        Transport;
        ///
        /// # Examples
        ///
        /// ```
        /// let named = |name: &'static str| {
        ///     httpx::MockTransport::new(move |_| httpx::Response::builder(200).text(name).build())
        /// };
        /// let client = httpx::Client::builder()
        ///     .transport(named("default"))
        ///     .mount("https://internal.example.org", named("internal"))
        ///     .mount("myapp://", named("app scheme"))
        ///     .build()?;
        /// let text = |url: &str| client.get(url).send()?.text();
        /// assert_eq!(text("https://internal.example.org/x")?, "internal");
        /// assert_eq!(text("https://example.org/")?, "default");
        /// assert_eq!(text("myapp://open")?, "app scheme");
        /// # Ok::<(), httpx::Error>(())
        /// ```
    }

    /// Adds a request event hook, called before each request is sent (redirects
    /// and auth retries included).
    ///
    /// # Examples
    ///
    /// ```
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let id = request.headers().get("x-request-id").unwrap_or_default().into_owned();
    ///     httpx::Response::builder(200).text(id).build()
    /// });
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .on_request(|request| {
    ///         request.headers_mut().insert("X-Request-Id", "42")?;
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// assert_eq!(client.get("https://example.org/").send()?.text()?, "42");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn on_request<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Request) -> Result<()> + Send + Sync + 'static,
    {
        self.parts.request_hooks.push(Arc::new(hook));
        self
    }

    /// Adds a response event hook, called on each response before redirects are
    /// followed; the body is not read yet (call `read()` in the hook if needed).
    ///
    /// # Examples
    ///
    /// Every error status becomes an error, as httpx's `raise_for_status` hook recipe:
    ///
    /// ```
    /// let transport =
    ///     httpx::MockTransport::new(|_| httpx::Response::builder(503).build());
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .on_response(|response| {
    ///         response.read()?;
    ///         response.check_status()?;
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// let err = client.get("https://example.org/").send().unwrap_err();
    /// assert_eq!(err.kind(), httpx::ErrorKind::HttpStatus);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn on_response<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Response) -> Result<()> + Send + Sync + 'static,
    {
        self.parts.response_hooks.push(Arc::new(hook));
        self
    }

    /// Builds the client. Fails for an invalid setting (base URL, header, mount
    /// pattern).
    // On wasm the client's parts are !Send and the Arc shares them on one thread; on
    // native they are Send + Sync, asserted below.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    pub fn build(self) -> Result<Client> {
        let core = self.parts.build(super::setup::default_transport)?;
        Ok(Client {
            inner: Arc::new(ClientInner { core }),
        })
    }
}

/// Top-level helpers: each builds a client for one request (no connection reuse;
/// use a [`Client`] for more than one).
impl Client {
    pub(crate) fn one_off(
        method: impl IntoMethod,
        url: impl IntoUrl,
    ) -> RequestBuilder<'static, Client> {
        RequestBuilder::new(
            super::builder::ClientHandle::Owned(Client::new()),
            method,
            url,
        )
    }
}

#[cfg(not(target_family = "wasm"))]
const _: fn() = || {
    fn assert_bounds<T: Send + Sync + 'static>() {}
    assert_bounds::<Client>();
    assert_bounds::<ClientBuilder>();
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Method;
    use crate::url::Url;

    #[test]
    fn credentials_reach_the_transport_from_client_or_request() {
        use crate::config::Credentials;
        let transport = crate::MockTransport::new(|request| {
            let seen = format!("{:?}", request.options().credentials);
            crate::Response::builder(200).text(seen).build()
        });
        let client = Client::builder()
            .transport(transport.clone())
            .credentials(Credentials::Include)
            .build()
            .unwrap();
        let text = |r: Result<crate::Response>| r.unwrap().text().unwrap().to_string();
        assert_eq!(text(client.get("https://a.test/").send()), "Some(Include)");
        let omit = client
            .get("https://a.test/")
            .credentials(Credentials::Omit)
            .send();
        assert_eq!(text(omit), "Some(Omit)");
        // A request built by hand takes the client's setting when sent.
        let raw = Request::new(Method::GET, Url::parse("https://a.test/").unwrap());
        assert_eq!(text(client.send(raw)), "Some(Include)");
        let plain = Client::builder().transport(transport).build().unwrap();
        assert_eq!(text(plain.get("https://a.test/").send()), "None");
    }
}
