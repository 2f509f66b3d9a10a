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
    /// Adapts a request to what this host allows: the client's own default headers the
    /// host forbids are dropped; a forbidden header the user set is a
    /// `LocalProtocolError` naming it; the jar's `Cookie` is dropped where the host keeps
    /// cookies itself.
    pub(crate) fn prepare_request(&self, request: &mut Request) -> Result<()> {
        if self.manages_cookies && request.is_auto_header("cookie") {
            request.headers_mut().remove("cookie");
        }
        if self.forbidden_headers.is_empty() {
            return Ok(());
        }
        // Collected first: the loop changes the headers.
        let forbidden: Vec<String> = request
            .headers()
            .keys()
            .filter(|n| self.forbids(n))
            .collect();
        for name in forbidden {
            if request.is_auto_header(&name) {
                request.headers_mut().remove(&name);
            } else {
                return Err(crate::Error::local_protocol(format!(
                    "The header '{name}' cannot be sent by this transport: its host forbids it"
                ))
                .with_request(request.method(), request.url()));
            }
        }
        Ok(())
    }

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
