//! The WASI transport: `wasi:http/outgoing-handler` of WASI 0.2 (feature `wasi`,
//! wasm32-wasip2), the default transport of [`Client`](crate::Client) and
//! [`AsyncClient`](crate::AsyncClient) there.
//!
//! The host makes the connections: DNS, TLS, connection reuse and proxies are its own,
//! and it may refuse destinations (`HTTP-request-denied`). Everything else is the
//! client's, as on every target: redirects with history, cookies, auth flows
//! (digest included), and decoding gzip, deflate, br and zstd bodies, which the host
//! passes through raw.
//!
//! What differs from the native transport:
//!
//! - **Blocking and async.** The blocking [`Transport`] blocks on the
//!   host's pollables; the async one waits on them through a small executor of this
//!   module, [`block_on`], which a component runs its async code on (in a `wasi:cli`
//!   command as in a `wasi:http` incoming handler).
//! - **Headers.** The host decides which request headers are forbidden
//!   (`header-error.forbidden`); wasmtime forbids `Connection`, `Keep-Alive`,
//!   `Proxy-Authenticate`, `Proxy-Authorization`, `Proxy-Connection`, `TE`,
//!   `Transfer-Encoding`, `Upgrade`, `Host` and `HTTP2-Settings` (jco a subset). The
//!   client's own headers among them (`Host`, which the host derives from the URL,
//!   `Connection: keep-alive`, chunked framing) are dropped; one the caller set is a
//!   `LocalProtocolError` that names it.
//! - **Responses.** The host gives a status and headers only: the reason phrase is the
//!   standard one for the status (`""` for a code without one) and the version is
//!   reported as HTTP/1.1.
//! - **Timeouts.** connect → `connect-timeout`; read → `first-byte-timeout` and
//!   `between-bytes-timeout`; the write timeout and the total deadline are enforced in
//!   the component with the monotonic clock, polled together with the stream or the
//!   response. A read timeout the host refuses is enforced in the component instead; a
//!   refused connect timeout cannot be, and is reported once per transport with
//!   `log::warn!` rather than failing every request (httpx sets a 5 s connect timeout
//!   by default). There is no pool, so no pool timeout.
//! - **Errors.** The host's `error-code` becomes one of httpx's kinds; the message names
//!   the code (the table is in the crate's README).
//! - **Not configurable here:** TLS (`verify`, CA bundles, client certificates), HTTP
//!   versions, pool limits and proxies belong to the host. A client proxy setting is an
//!   error when the client is built; the others are ignored.
//!
//! The module keeps the WASI 0.2 specifics (pollables, streams) apart from
//! the transport type, so that a WASI 0.3 transport can be added behind its own feature.

mod errors;
mod p2;

use std::sync::Arc;

use futures_util::stream;

use self::p2::{Head, ResponseBody, Shared};
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::rt::BoxFuture;
use crate::transport::{AsyncTransport, Capabilities, Transport};

pub use crate::rt::wasi_executor::block_on;

/// The request headers wasmtime's `wasi:http` refuses (`DEFAULT_FORBIDDEN_HEADERS`);
/// other hosts refuse fewer (jco: `Connection`, `Keep-Alive`, `Host`).
const FORBIDDEN_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
];

/// The `wasi:http` transport (WASI 0.2), for [`Client`](crate::Client) and
/// [`AsyncClient`](crate::AsyncClient) in components; their default on wasm32-wasip2.
///
/// ```no_run
/// // In a wasi:cli command or a wasi:http handler (run with `wasmtime run -S http`).
/// let client = httpx::Client::builder()
///     .transport(httpx::WasiHttpTransport::new())
///     .follow_redirects(true)
///     .build()?;
/// let response = client.get("http://127.0.0.1:8765/gzip").send()?;
/// println!("{} {}", response.status(), response.text()?);
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct WasiHttpTransport {
    shared: Arc<Shared>,
}

impl WasiHttpTransport {
    /// A transport over the host's `wasi:http/outgoing-handler`.
    pub fn new() -> WasiHttpTransport {
        WasiHttpTransport::default()
    }
}

impl Head {
    fn build(
        self,
        body: impl FnOnce(crate::response::ResponseBuilder) -> crate::response::ResponseBuilder,
    ) -> Result<Response> {
        // The host gives no version and no reason phrase: HTTP/1.1 and the standard
        // phrase of the status.
        let builder = Response::builder(self.status)
            .version(http::Version::HTTP_11)
            .headers(&self.headers);
        body(builder).build()
    }
}

fn capabilities() -> Capabilities {
    Capabilities {
        follows_redirects: false,
        manages_cookies: false,
        decodes_content: false,
        streaming_upload: true,
        forbidden_headers: FORBIDDEN_HEADERS,
    }
}

impl Transport for WasiHttpTransport {
    fn handle_request(&self, request: Request) -> Result<Response> {
        let (head, mut body): (Head, ResponseBody) =
            block_on(p2::send(request, &self.shared, true))??;
        let chunks = std::iter::from_fn(move || match block_on(body.next_chunk()) {
            Ok(Ok(Some(chunk))) => Some(Ok(chunk)),
            Ok(Ok(None)) => None,
            Ok(Err(e)) | Err(e) => Some(Err(e)),
        });
        head.build(|builder| builder.raw_stream(chunks))
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }
}

impl AsyncTransport for WasiHttpTransport {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(async move {
            let (head, body) = p2::send(request, &self.shared, false).await?;
            let chunks = stream::unfold(body, |mut body| async move {
                match body.next_chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), body)),
                    Ok(None) => None,
                    Err(e) => Some((Err(e), body)),
                }
            });
            head.build(|builder| builder.raw_async_stream(chunks))
        })
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }
}

/// The default transport of both clients on WASI: the host owns proxies, TLS and
/// pooling, so a client proxy setting is refused and its connection settings unused.
pub(crate) fn default_transport(
    proxy: Option<crate::config::Proxy>,
) -> Result<Arc<WasiHttpTransport>> {
    if proxy.is_some() {
        return Err(crate::Error::new(
            crate::ErrorKind::ProxyError,
            "wasi:http cannot use a proxy: the WASI host makes the connections; remove \
             the client's proxy setting",
        ));
    }
    Ok(Arc::new(WasiHttpTransport::new()))
}
