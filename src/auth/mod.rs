//! Authentication flows: httpx's `Auth` generator as a small state machine.
//!
//! httpx models auth as a generator that yields requests and receives responses. Here
//! an [`Auth`] starts an [`AuthFlow`] for each request: [`first`](AuthFlow::first)
//! returns the first request to send, [`next`](AuthFlow::next) receives each response
//! and returns the next request, or `None` when the last response is final. Both
//! clients drive the same flows; flows that do I/O (fetching a token, say) implement
//! [`AsyncAuthFlow`] through [`Auth::async_auth_flow`] for the async client.
//!
//! A token-refresh flow, retrying once after a 401:
//!
//! ```
//! use httpx::auth::{Auth, AuthFlow};
//! use httpx::{Request, Response, Result};
//! use std::sync::Mutex;
//!
//! #[derive(Debug, Default)]
//! struct RefreshingToken { token: Mutex<String> }
//!
//! impl RefreshingToken {
//!     fn fetch_new_token(&self) -> String { "fresh".to_string() } // a real one does I/O
//! }
//!
//! struct Flow<'a> { auth: &'a RefreshingToken, request: Request, retried: bool }
//!
//! impl AuthFlow for Flow<'_> {
//!     fn first(&mut self) -> Result<Request> {
//!         let token = self.auth.token.lock().unwrap().clone();
//!         self.request.headers_mut().insert("Authorization", format!("Bearer {token}"))?;
//!         Ok(self.request.clone())
//!     }
//!     fn next(&mut self, response: &Response) -> Result<Option<Request>> {
//!         if response.status() != 401 || self.retried {
//!             return Ok(None);
//!         }
//!         self.retried = true;
//!         let token = self.auth.fetch_new_token();
//!         *self.auth.token.lock().unwrap() = token.clone();
//!         self.request.headers_mut().insert("Authorization", format!("Bearer {token}"))?;
//!         Ok(Some(self.request.clone()))
//!     }
//! }
//!
//! impl Auth for RefreshingToken {
//!     fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
//!         Box::new(Flow { auth: self, request, retried: false })
//!     }
//! }
//!
//! # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
//! # {
//! let transport = httpx::MockTransport::new(|request| {
//!     let ok = request.headers().get("authorization").as_deref() == Some("Bearer fresh");
//!     Response::builder(if ok { 200 } else { 401 }).build()
//! });
//! let client = httpx::Client::builder()
//!     .transport(transport)
//!     .auth(RefreshingToken::default())
//!     .build()?;
//! let response = client.get("https://example.org/").send()?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.history().len(), 1); // the 401
//! # }
//! # Ok::<(), httpx::Error>(())
//! ```

use std::sync::Arc;

mod basic;
mod digest;
mod function;
mod netrc;

#[cfg(all(feature = "hyper", not(target_family = "wasm")))]
pub(crate) use basic::basic_header;
pub use basic::BasicAuth;
pub use digest::{parse_challenge, DigestAlgorithm, DigestAuth, DigestChallenge, DigestQop};
pub use function::FunctionAuth;
pub use netrc::{parse_netrc, NetRc, NetRcAuth};

use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::rt::{BoxFuture, MaybeSend, MaybeSync};

/// An authentication scheme (httpx's `Auth`).
///
/// A closure `Fn(Request) -> Request` is an `Auth` too (httpx's `auth=callable`), so
/// `Debug` is not required; implementations that have it must not print secrets.
pub trait Auth: MaybeSend + MaybeSync {
    /// Whether the flow needs the request body in memory (the client reads it first).
    fn requires_request_body(&self) -> bool {
        false
    }

    /// Whether the flow needs each response body in memory (the client reads it before
    /// calling [`AuthFlow::next`]).
    fn requires_response_body(&self) -> bool {
        false
    }

    /// Starts the flow for one request (used by the sync client, and by the async
    /// client unless [`async_auth_flow`](Auth::async_auth_flow) is overridden).
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_>;

    /// Starts the flow for the async client. The default runs
    /// [`auth_flow`](Auth::auth_flow); override it for flows that do async I/O.
    fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
        Box::new(SyncFlowAdapter {
            flow: self.auth_flow(request),
        })
    }
}

/// One run of an auth flow (the generator of httpx's `auth_flow`).
pub trait AuthFlow: MaybeSend {
    /// The first request to send.
    fn first(&mut self) -> Result<Request>;

    /// Given the response to the last request, the next request to send, or `None`
    /// when that response is the final one.
    fn next(&mut self, response: &Response) -> Result<Option<Request>>;
}

/// One run of an async auth flow (httpx's `async_auth_flow`).
pub trait AsyncAuthFlow: MaybeSend {
    /// The first request to send.
    fn first(&mut self) -> BoxFuture<'_, Result<Request>>;

    /// Given the response to the last request, the next request, or `None`.
    fn next<'a>(&'a mut self, response: &'a Response) -> BoxFuture<'a, Result<Option<Request>>>;
}

struct SyncFlowAdapter<'a> {
    flow: Box<dyn AuthFlow + 'a>,
}

impl AsyncAuthFlow for SyncFlowAdapter<'_> {
    fn first(&mut self) -> BoxFuture<'_, Result<Request>> {
        let result = self.flow.first();
        Box::pin(async move { result })
    }

    fn next<'a>(&'a mut self, response: &'a Response) -> BoxFuture<'a, Result<Option<Request>>> {
        let result = self.flow.next(response);
        Box::pin(async move { result })
    }
}

/// A flow that sends one request and accepts whatever comes back: what most schemes
/// need after setting a header.
pub struct SingleRequest {
    request: Option<Request>,
}

impl SingleRequest {
    /// A flow that sends `request` once.
    pub fn new(request: Request) -> SingleRequest {
        SingleRequest {
            request: Some(request),
        }
    }
}

impl AuthFlow for SingleRequest {
    fn first(&mut self) -> Result<Request> {
        self.request.take().ok_or_else(|| {
            crate::Error::invalid_state("the auth flow's first request was already taken")
        })
    }

    fn next(&mut self, _response: &Response) -> Result<Option<Request>> {
        Ok(None)
    }
}

/// No authentication: the request goes as it is (httpx's base `Auth`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAuth;

impl Auth for NoAuth {
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(SingleRequest::new(request))
    }
}

impl<A: Auth + ?Sized> Auth for Arc<A> {
    fn requires_request_body(&self) -> bool {
        (**self).requires_request_body()
    }
    fn requires_response_body(&self) -> bool {
        (**self).requires_response_body()
    }
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        (**self).auth_flow(request)
    }
    fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
        (**self).async_auth_flow(request)
    }
}

/// What client and request builders accept as auth.
pub trait IntoAuth {
    /// The auth, shareable.
    fn into_auth(self) -> Arc<dyn Auth>;
}

impl<A: Auth + 'static> IntoAuth for A {
    fn into_auth(self) -> Arc<dyn Auth> {
        Arc::new(self)
    }
}

/// `(username, password)` is Basic auth, as in httpx.
impl IntoAuth for (&str, &str) {
    fn into_auth(self) -> Arc<dyn Auth> {
        Arc::new(BasicAuth::new(self.0, self.1))
    }
}

/// `(username, password)` is Basic auth, as in httpx.
impl IntoAuth for (String, String) {
    fn into_auth(self) -> Arc<dyn Auth> {
        Arc::new(BasicAuth::new(self.0, self.1))
    }
}
