//! HTTP Basic authentication (RFC 7617).

use std::fmt;

use base64::Engine;

use crate::auth::{Auth, AuthFlow, SingleRequest};
use crate::error::Result;
use crate::request::Request;

/// Builds `Basic base64(user:pass)`; the credentials are UTF-8 (RFC 7617 `charset=UTF-8`).
pub(crate) fn basic_header(username: &[u8], password: &[u8]) -> String {
    let mut userpass = Vec::with_capacity(username.len() + password.len() + 1);
    userpass.extend_from_slice(username);
    userpass.push(b':');
    userpass.extend_from_slice(password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(userpass)
    )
}

/// HTTP Basic authentication: `Authorization: Basic base64(username:password)`, the
/// credentials encoded as UTF-8 (RFC 7617).
///
/// A `(username, password)` tuple converts into it, and credentials in a URL's userinfo
/// become Basic auth when no other auth is set, as in httpx.
///
/// ```
/// use httpx::auth::BasicAuth;
/// let auth = BasicAuth::new("Aladdin", "open sesame");
/// assert_eq!(auth.header_value(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
/// assert_eq!(BasicAuth::new("test", "123£").header_value(), "Basic dGVzdDoxMjPCow==");
/// assert!(!format!("{auth:?}").contains("sesame"));
/// ```
#[derive(Clone)]
pub struct BasicAuth {
    username: String,
    header: String,
}

impl BasicAuth {
    /// Basic auth with these credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::auth::BasicAuth;
    ///
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let ok = request.headers().get("authorization").as_deref() == Some("Basic YWxpY2U6czNjcmV0");
    ///     httpx::Response::builder(if ok { 200 } else { 401 }).build()
    /// });
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .auth(BasicAuth::new("alice", "s3cret"))
    ///     .build()?;
    /// assert_eq!(client.get("https://example.org/private").send()?.status(), 200);
    /// // A `(username, password)` tuple is Basic auth too; here for one request.
    /// let response = client.get("https://example.org/private").auth(("alice", "wrong")).send()?;
    /// assert_eq!(response.status(), 401);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new(username: impl AsRef<str>, password: impl AsRef<str>) -> BasicAuth {
        BasicAuth::from_bytes(username.as_ref().as_bytes(), password.as_ref().as_bytes())
    }

    /// Basic auth with credentials given as bytes (httpx accepts `bytes` too).
    pub fn from_bytes(username: &[u8], password: &[u8]) -> BasicAuth {
        BasicAuth {
            username: String::from_utf8_lossy(username).into_owned(),
            header: basic_header(username, password),
        }
    }

    /// The `Authorization` header value this sends.
    pub fn header_value(&self) -> &str {
        &self.header
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"[secure]")
            .finish()
    }
}

impl Auth for BasicAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        match request.headers_mut().insert("Authorization", &self.header) {
            Ok(()) => Box::new(SingleRequest::new(request)),
            Err(e) => Box::new(FailedFlow(Some(e))),
        }
    }
}

/// A flow that fails at once (the auth could not be applied).
pub(crate) struct FailedFlow(pub(crate) Option<crate::Error>);

impl AuthFlow for FailedFlow {
    fn first(&mut self) -> Result<Request> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| crate::Error::invalid_state("the auth flow already failed")))
    }

    fn next(&mut self, _response: &crate::Response) -> Result<Option<Request>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7617_vectors() {
        assert_eq!(
            BasicAuth::new("Aladdin", "open sesame").header_value(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(
            BasicAuth::new("test", "123£").header_value(),
            "Basic dGVzdDoxMjPCow=="
        );
        assert_eq!(
            BasicAuth::from_bytes(b"a", b"").header_value(),
            "Basic YTo="
        );
    }
}
