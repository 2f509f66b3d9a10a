//! `FunctionAuth`: auth from a function that changes the request.

use std::fmt;

use crate::auth::basic::FailedFlow;
use crate::auth::{Auth, AuthFlow, SingleRequest};
use crate::error::Result;
use crate::request::Request;
use crate::rt::{MaybeSend, MaybeSync};

/// Auth from a function of the request (httpx's `FunctionAuth`): it sets a token
/// header, signs the request, and so on. A closure `Fn(Request) -> Request` is also an
/// [`Auth`] by itself, so `.auth(|request| ...)` works directly.
///
/// ```
/// use httpx::auth::FunctionAuth;
/// let bearer = FunctionAuth::try_new(|mut request: httpx::Request| {
///     request.headers_mut().insert("Authorization", "Bearer t0ken")?;
///     Ok(request)
/// });
/// # let _ = bearer;
/// ```
pub struct FunctionAuth {
    func: Box<RequestFn>,
}

#[cfg(not(target_family = "wasm"))]
type RequestFn = dyn Fn(Request) -> Result<Request> + Send + Sync;
#[cfg(target_family = "wasm")]
type RequestFn = dyn Fn(Request) -> Result<Request>;

impl FunctionAuth {
    /// Auth that runs `func` on each request.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::auth::FunctionAuth;
    ///
    /// let api_key = FunctionAuth::new(|mut request: httpx::Request| {
    ///     // A constant name and value: `insert` cannot fail here.
    ///     request.headers_mut().insert("X-Api-Key", "k-123").unwrap();
    ///     request
    /// });
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let key = request.headers().get("x-api-key").map(|k| k.into_owned()).unwrap_or_default();
    ///     httpx::Response::builder(200).text(key).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).auth(api_key).build()?;
    /// assert_eq!(client.get("https://example.org/").send()?.text()?, "k-123");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new<F>(func: F) -> FunctionAuth
    where
        F: Fn(Request) -> Request + MaybeSend + MaybeSync + 'static,
    {
        FunctionAuth {
            func: Box::new(move |request| Ok(func(request))),
        }
    }

    /// Auth that runs a fallible `func` on each request; its error aborts the send.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::auth::FunctionAuth;
    /// use httpx::{Error, ErrorKind};
    ///
    /// // Signs requests to one host only; refuses to send credentials anywhere else.
    /// let signer = FunctionAuth::try_new(|mut request: httpx::Request| {
    ///     if request.url().host() != "api.example.org" {
    ///         return Err(Error::new(ErrorKind::LocalProtocolError, "refusing to sign for another host"));
    ///     }
    ///     request.headers_mut().insert("Authorization", "Signature keyId=\"k1\"")?;
    ///     Ok(request)
    /// });
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).build());
    /// let client = httpx::Client::builder().transport(transport).auth(signer).build()?;
    /// assert_eq!(client.get("https://api.example.org/").send()?.status(), 200);
    /// let err = client.get("https://elsewhere.example/").send().unwrap_err();
    /// assert_eq!(err.message(), "refusing to sign for another host");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn try_new<F>(func: F) -> FunctionAuth
    where
        F: Fn(Request) -> Result<Request> + MaybeSend + MaybeSync + 'static,
    {
        FunctionAuth {
            func: Box::new(func),
        }
    }
}

impl fmt::Debug for FunctionAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FunctionAuth(..)")
    }
}

impl Auth for FunctionAuth {
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        match (self.func)(request) {
            Ok(request) => Box::new(SingleRequest::new(request)),
            Err(e) => Box::new(FailedFlow(Some(e))),
        }
    }
}

/// A closure from request to request is auth, as in httpx (`auth=callable`).
impl<F> Auth for F
where
    F: Fn(Request) -> Request + MaybeSend + MaybeSync,
{
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(SingleRequest::new(self(request)))
    }
}
