//! [`MockTransport`]: answers requests with a function, for tests (httpx's `MockTransport`).

use std::future::Future;
use std::sync::Arc;

use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::rt::{BoxFuture, MaybeSend, MaybeSync};

use super::{AsyncTransport, Capabilities};

type SyncHandler = Arc<dyn Fn(Request) -> Result<Response> + Send + Sync>;
type AsyncHandler = Arc<dyn Fn(Request) -> BoxFuture<'static, Result<Response>> + Send + Sync>;

#[derive(Clone)]
enum Handler {
    Sync(SyncHandler),
    Async(AsyncHandler),
}

/// A transport that calls a function for each request, on every target.
///
/// A blocking handler serves both [`Client`](crate::Client) and
/// [`AsyncClient`](crate::AsyncClient). An async handler serves `AsyncClient`, and
/// `Client` too when its future needs no runtime (it is polled on the calling thread).
/// The request body is read into memory before the handler runs, so
/// `request.content()` works there.
///
/// ```
/// use httpx::{MockTransport, Response};
/// let transport = MockTransport::new(|request| {
///     let body = format!("{} {}", request.method(), request.url().path());
///     Response::builder(200).text(body).build()
/// });
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// let client = httpx::Client::builder().transport(transport).build()?;
/// assert_eq!(client.get("https://example.org/items").send()?.text()?, "GET /items");
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub struct MockTransport {
    handler: Handler,
    capabilities: Capabilities,
}

impl MockTransport {
    /// A transport answering with `handler`.
    ///
    /// # Examples
    ///
    /// Recording what a client sends, to assert on it in a test:
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use std::sync::{Arc, Mutex};
    /// use httpx::{MockTransport, Response};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let transport = MockTransport::new(move |request| {
    ///     log.lock().unwrap().push(format!("{} {} {}", request.method(), request.url(), String::from_utf8_lossy(request.content()?)));
    ///     Response::builder(201).json(&serde_json::json!({"id": 7})).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let response = client.post("https://example.org/items").json(&serde_json::json!({"name": "x"})).send()?;
    /// assert_eq!(response.status(), 201);
    /// assert_eq!(*seen.lock().unwrap(), [r#"POST https://example.org/items {"name":"x"}"#]);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new<F>(handler: F) -> MockTransport
    where
        F: Fn(Request) -> Result<Response> + Send + Sync + 'static,
    {
        MockTransport {
            handler: Handler::Sync(Arc::new(handler)),
            capabilities: Capabilities::default(),
        }
    }

    /// A transport answering with an async `handler`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # futures_executor::block_on(async {
    /// use httpx::{MockTransport, Response};
    ///
    /// let transport = MockTransport::new_async(|request| async move {
    ///     // A real handler might await a channel or a fake clock here.
    ///     Response::builder(200).text(request.url().path().into_owned()).build()
    /// });
    /// let client = httpx::AsyncClient::builder().transport(transport).build()?;
    /// let response = client.get("https://example.org/async").send().await?;
    /// assert_eq!(response.text()?, "/async");
    /// # Ok::<(), httpx::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn new_async<F, Fut>(handler: F) -> MockTransport
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + MaybeSend + 'static,
    {
        MockTransport {
            handler: Handler::Async(Arc::new(move |request| Box::pin(handler(request)))),
            capabilities: Capabilities::default(),
        }
    }

    /// Pretends to be a host with these capabilities (to test how a client adapts to
    /// the browser, say).
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> MockTransport {
        self.capabilities = capabilities;
        self
    }
}

impl std::fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockTransport")
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl super::Transport for MockTransport {
    fn handle_request(&self, mut request: Request) -> Result<Response> {
        // As httpx's MockTransport: the handler sees the body in memory.
        request.read()?;
        match &self.handler {
            Handler::Sync(handler) => handler(request),
            Handler::Async(handler) => crate::rt::block_on(handler(request)),
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities.clone()
    }
}

impl AsyncTransport for MockTransport {
    fn handle_async_request(&self, mut request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(async move {
            // As httpx's MockTransport: the handler sees the body in memory.
            request.aread().await?;
            match &self.handler {
                Handler::Sync(handler) => handler(request),
                Handler::Async(handler) => handler(request).await,
            }
        })
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities.clone()
    }
}

// Keep the marker bounds in one place: a MockTransport is shareable everywhere.
const _: fn() = || {
    fn assert_bounds<T: MaybeSend + MaybeSync>() {}
    assert_bounds::<MockTransport>();
};
