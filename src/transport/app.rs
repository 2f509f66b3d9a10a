//! [`AppTransport`]: calls an in-process `tower::Service` over `http` types (httpx's
//! `ASGITransport` / `WSGITransport`): test an axum, hyper or tower app with no socket.

use std::task::Poll;

use bytes::{Buf, Bytes};
use tower_service::Service;

use crate::error::{Error, ErrorKind, Result};
use crate::request::{Body, Request};
use crate::response::Response;
use crate::rt::BoxFuture;

use super::AsyncTransport;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A transport that hands each request to an in-process [`Service`].
///
/// The service receives an `http::Request<httpx::Body>` with an absolute URI and
/// answers with any `http::Response<B>` whose body implements `http_body::Body`;
/// the response body is streamed, not buffered. Works with [`AsyncClient`] (the
/// service runs in the caller's runtime) and with the blocking [`Client`]: there the
/// service and its response body are polled on the calling thread inside a tokio
/// runtime context, so handlers can await timers, spawn tasks and use tokio I/O. That
/// context is the caller's runtime when the client is used from a multi-threaded tokio
/// runtime, else a small runtime (one worker thread, started on first use and shared
/// by every `AppTransport`) that drives their timers and I/O.
///
/// [`AsyncClient`]: crate::AsyncClient
/// [`Client`]: crate::Client
///
/// ```
/// # #[cfg(not(target_family = "wasm"))]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
/// let client = httpx::AsyncClient::builder()
///     .transport(httpx::AppTransport::new(app))
///     .base_url("http://testserver")
///     .build()?;
/// assert_eq!(client.get("/").send().await?.text()?, "hello");
/// # Ok::<(), httpx::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct AppTransport<S> {
    service: S,
}

impl<S> AppTransport<S> {
    /// A transport calling `service`.
    ///
    /// # Examples
    ///
    /// An axum app under the blocking [`Client`](crate::Client), with no socket:
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # {
    /// use axum::{routing::post, Json, Router};
    /// use serde_json::{json, Value};
    ///
    /// let app = Router::new().route("/echo", post(|Json(body): Json<Value>| async move { Json(body) }));
    /// let client = httpx::Client::builder()
    ///     .transport(httpx::AppTransport::new(app))
    ///     .base_url("http://testserver")
    ///     .build()?;
    /// let response = client.post("/echo").json(&json!({"n": 1})).send()?;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.json::<Value>()?, json!({"n": 1}));
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new(service: S) -> AppTransport<S> {
        AppTransport { service }
    }
}

impl<S> std::fmt::Debug for AppTransport<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppTransport")
    }
}

fn app_error(err: impl Into<BoxError>) -> Error {
    let err = err.into();
    Error::new(
        ErrorKind::RemoteProtocolError,
        "The in-process service failed",
    )
    .with_source(err)
}

impl<S, B> AppTransport<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    async fn call(&self, request: Request) -> Result<(http::response::Parts, BodyStream)> {
        let http_request = http::Request::<Body>::try_from(request)?;
        let mut service = self.service.clone();
        futures_util::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .map_err(app_error)?;
        let http_response = service.call(http_request).await.map_err(app_error)?;
        let (parts, body) = http_response.into_parts();
        let mut body = Box::pin(body);
        let stream = futures_util::stream::poll_fn(move |cx| loop {
            match http_body::Body::poll_frame(body.as_mut(), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    let err = e.into();
                    return Poll::Ready(Some(Err(Error::new(
                        ErrorKind::ReadError,
                        "The in-process service's body failed",
                    )
                    .with_source(err))));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(mut data) = frame.into_data() {
                        let bytes: Bytes = data.copy_to_bytes(data.remaining());
                        if !bytes.is_empty() {
                            return Poll::Ready(Some(Ok(bytes)));
                        }
                    }
                }
            }
        });
        Ok((parts, Box::pin(stream)))
    }
}

type BodyStream = crate::rt::BoxStream<'static, Result<Bytes>>;

fn build_response(parts: http::response::Parts, body: BodySource) -> Result<Response> {
    let builder = Response::builder(parts.status)
        .version(parts.version)
        .headers(&crate::headers::Headers::from(&parts.headers));
    let builder = match body {
        BodySource::Async(stream) => builder.raw_async_stream(stream),
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        BodySource::Blocking(stream) => {
            let mut stream = stream;
            #[cfg(not(target_family = "wasm"))]
            let handle = runtime::handle()?;
            builder.raw_stream(std::iter::from_fn(move || {
                #[cfg(not(target_family = "wasm"))]
                let _context = handle.enter();
                crate::rt::block_on(futures_util::StreamExt::next(&mut stream))
            }))
        }
    };
    let mut response = builder.build()?;
    *response.extensions_mut() = parts.extensions;
    Ok(response)
}

enum BodySource {
    Async(BodyStream),
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    Blocking(BodyStream),
}

impl<S, B> AsyncTransport for AppTransport<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(async move {
            let (parts, stream) = self.call(request).await?;
            build_response(parts, BodySource::Async(stream))
        })
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl<S, B> super::Transport for AppTransport<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    fn handle_request(&self, request: Request) -> Result<Response> {
        let (parts, stream) = {
            #[cfg(not(target_family = "wasm"))]
            let _context = runtime::handle()?.enter();
            crate::rt::block_on(self.call(request))?
        };
        build_response(parts, BodySource::Blocking(stream))
    }
}

/// The tokio runtime context the blocking client polls services in (see
/// [`AppTransport`]).
#[cfg(not(target_family = "wasm"))]
pub(crate) mod runtime {
    use std::sync::OnceLock;

    use tokio::runtime::{Handle, Runtime, RuntimeFlavor};

    use crate::error::{Error, ErrorKind, Result};

    /// The caller's runtime when it has worker threads to drive timers and I/O while
    /// this thread blocks; else the shared runtime of in-process services.
    pub(crate) fn handle() -> Result<Handle> {
        if let Ok(current) = Handle::try_current() {
            if current.runtime_flavor() == RuntimeFlavor::MultiThread {
                return Ok(current);
            }
        }
        static SHARED: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
        match SHARED.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("httpx-app-transport")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        }) {
            Ok(runtime) => Ok(runtime.handle().clone()),
            Err(why) => Err(Error::new(
                ErrorKind::InvalidState,
                format!(
                    "AppTransport: no tokio runtime for the blocking client ({why}); \
                     use AsyncClient from your own runtime instead"
                ),
            )),
        }
    }
}
