//! # httpx
//!
//! The HTTP client of Python's [httpx](https://www.python-httpx.org) 0.28, in Rust, with
//! one API in three places: native code (a hyper transport), browsers (the `fetch`
//! transport) and WASI components (the `wasi:http` transport).
//!
//! Under the transports sits one core that does no I/O: [`Url`], [`Headers`],
//! [`Request`], [`Response`], bodies, [auth flows](auth), redirects, [`Cookies`],
//! content decoding and httpx's [errors](Error). [`Client`] (native and WASI) and
//! [`AsyncClient`] (every target) drive the same send loop.
//!
//! ```
//! # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
//! # {
//! // A mock transport stands in for the network here; leave `.transport(...)` out to
//! // use this target's network transport.
//! let transport = httpx::MockTransport::new(|request| {
//!     httpx::Response::builder(200).json(&serde_json::json!({"url": request.url().as_str()})).build()
//! });
//! let client = httpx::Client::builder()
//!     .transport(transport)
//!     .base_url("https://api.example.org/v1/")
//!     .timeout(httpx::Timeout::new(5.0).connect(1.0))
//!     .follow_redirects(true)
//!     .build()?;
//! let response = client.get("items").query([("page", "2")]).header("x-a", "1").send()?;
//! let response = response.raise_for_status()?;
//! let body: serde_json::Value = response.json()?;
//! assert_eq!(body["url"], "https://api.example.org/v1/items?page=2");
//! # }
//! # Ok::<(), httpx::Error>(())
//! ```
//!
//! ## Cargo features
//!
//! Transports, each a no-op on targets it does not serve: `hyper` (native), `rustls`,
//! `http2`, `socks`, `fetch` (wasm32-unknown-unknown), `wasi` (wasm32-wasip2).
//! Content: `json`, `multipart`, `gzip`, `deflate`, `brotli`, `zstd`, `charset`
//! (non-UTF-8 text), `cookies` (the client keeps a cookie jar). `tower` adds
//! [`AppTransport`], which calls an in-process `tower::Service`. All but `tower` are on
//! by default.
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Entry points for the fuzz targets in fuzz/ (cargo-fuzz builds with --cfg fuzzing).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz;
pub mod auth;
mod client;
pub mod config;
mod content;
pub mod cookies;
pub(crate) mod decoders;
pub mod error;
pub(crate) mod flow;
pub mod headers;
pub mod request;
pub mod response;
pub mod rt;
pub mod status;
pub mod transport;
pub mod url;

#[doc(inline)]
pub use crate::auth::{Auth, AuthFlow};
#[doc(inline)]
pub use crate::client::{AsyncClient, AsyncClientBuilder};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[doc(inline)]
pub use crate::client::{Client, ClientBuilder};
#[doc(inline)]
pub use crate::client::{ClientKind, RequestBuilder, SendOptions};
#[doc(inline)]
pub use crate::config::{Credentials, DefaultEncoding, Limits, Proxy, Timeout};
#[doc(inline)]
pub use crate::content::{Multipart, Part};
#[doc(inline)]
pub use crate::cookies::Cookies;
#[doc(inline)]
pub use crate::error::{Error, ErrorKind, Result};
#[doc(inline)]
pub use crate::headers::Headers;
#[doc(inline)]
pub use crate::request::{Body, Method, Request, RequestOptions};
#[doc(inline)]
pub use crate::response::{Link, Response, ResponseBuilder};
#[doc(inline)]
pub use crate::status::StatusCode;
#[cfg(feature = "tower")]
#[doc(inline)]
pub use crate::transport::AppTransport;
#[cfg(all(feature = "fetch", target_arch = "wasm32", target_os = "unknown"))]
#[doc(inline)]
pub use crate::transport::FetchTransport;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[doc(inline)]
pub use crate::transport::Transport;
#[cfg(all(feature = "wasi", target_os = "wasi"))]
#[doc(inline)]
pub use crate::transport::WasiHttpTransport;
#[cfg(all(feature = "hyper", not(target_family = "wasm")))]
#[doc(inline)]
pub use crate::transport::{AsyncHttpTransport, HttpTransport};
#[doc(inline)]
pub use crate::transport::{AsyncTransport, Capabilities, MockTransport};
#[doc(inline)]
pub use crate::url::{IntoUrl, QueryParams, Url};

// The README's examples are doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod top_level {
    use crate::request::IntoMethod;
    use crate::{Body, Client, IntoUrl, Method, RequestBuilder, Response, Result};

    /// Sends a GET request with a one-off client (no connection reuse: use a
    /// [`Client`] for more than one request).
    ///
    /// ```no_run
    /// let response = httpx::get("https://example.org/")?;
    /// println!("{}", response.status());
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn get(url: impl IntoUrl) -> Result<Response> {
        Client::one_off(Method::GET, url).send()
    }

    /// Sends a HEAD request with a one-off client.
    pub fn head(url: impl IntoUrl) -> Result<Response> {
        Client::one_off(Method::HEAD, url).send()
    }

    /// Sends an OPTIONS request with a one-off client.
    pub fn options(url: impl IntoUrl) -> Result<Response> {
        Client::one_off(Method::OPTIONS, url).send()
    }

    /// Sends a DELETE request with a one-off client.
    pub fn delete(url: impl IntoUrl) -> Result<Response> {
        Client::one_off(Method::DELETE, url).send()
    }

    /// Sends a POST request with `body` with a one-off client (use
    /// [`request`] for JSON, forms and other options).
    pub fn post(url: impl IntoUrl, body: impl Into<Body>) -> Result<Response> {
        Client::one_off(Method::POST, url).content(body).send()
    }

    /// Sends a PUT request with `body` with a one-off client.
    pub fn put(url: impl IntoUrl, body: impl Into<Body>) -> Result<Response> {
        Client::one_off(Method::PUT, url).content(body).send()
    }

    /// Sends a PATCH request with `body` with a one-off client.
    pub fn patch(url: impl IntoUrl, body: impl Into<Body>) -> Result<Response> {
        Client::one_off(Method::PATCH, url).content(body).send()
    }

    /// A request with any method and every option, on a one-off client:
    /// `httpx::request("POST", url).json(&value).send()?`.
    pub fn request(method: impl IntoMethod, url: impl IntoUrl) -> RequestBuilder<'static, Client> {
        Client::one_off(method, url)
    }

    /// A request whose response body is left unread, to stream it, on a one-off client.
    pub fn stream(method: impl IntoMethod, url: impl IntoUrl) -> RequestBuilder<'static, Client> {
        Client::one_off(method, url).streaming()
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use top_level::{delete, get, head, options, patch, post, put, request, stream};
