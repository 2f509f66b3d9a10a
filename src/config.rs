//! Client configuration values: [`Timeout`], [`Limits`], [`Proxy`], [`DefaultEncoding`],
//! [`Credentials`], httpx's defaults, and the fixed limits on what a server can send
//! (the `MAX_*` constants; the README's "Limits and hostile input" lists them all).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::url::Url;

/// httpx's default for each of connect, read, write and pool: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// httpx's default `max_redirects`.
pub const DEFAULT_MAX_REDIRECTS: usize = 20;

/// The most header fields an HTTP/1.1 response head may have on the native transport
/// (hyper's default, set explicitly): a response with more fails with
/// `RemoteProtocolError` ("Response head too large: ..."). HTTP/2 counts bytes only,
/// against [`MAX_RESPONSE_HEAD_BYTES`]. In the browser and on WASI the host decides.
pub const MAX_RESPONSE_HEADERS: usize = 100;

/// The most bytes of a response head on the native transport: over HTTP/1.1 the
/// status line and the header fields as received, over HTTP/2 the header list as
/// RFC 9113 counts it (names and values plus 32 bytes per field). 256 KiB, Chromium's
/// cap; larger fails with `RemoteProtocolError` ("Response head too large: ...").
/// In the browser and on WASI the host decides.
pub const MAX_RESPONSE_HEAD_BYTES: usize = 256 * 1024;

/// The most content codings decoded for one body (`Content-Encoding: gzip, br, ...`):
/// each coding multiplies the work a small body can cause. More is a `DecodingError`.
/// curl caps its chain at 5 too.
pub const MAX_CONTENT_CODINGS: usize = 5;

/// The most decoded bytes of a followed redirect's body the client reads (and keeps
/// in the history); past it the body is left unread and its connection closed, with
/// no error, so a redirect cannot make the client inflate an unbounded body.
pub const MAX_REDIRECT_BODY_BYTES: usize = 1024 * 1024;

pub use crate::cookies::{
    MAX_COOKIES, MAX_COOKIES_PER_DOMAIN, MAX_COOKIES_PER_HEADER, MAX_COOKIE_ATTRIBUTE_BYTES,
    MAX_COOKIE_BYTES, MAX_COOKIE_HEADER_BYTES,
};
pub use crate::url::MAX_URL_LENGTH;

/// The `User-Agent` this crate sends unless told otherwise.
pub const USER_AGENT: &str = concat!("httpx-rs/", env!("CARGO_PKG_VERSION"));

/// Seconds as `f64`, a [`Duration`], or `None` (no limit), for [`Timeout`]'s setters.
pub trait IntoTimeoutValue {
    /// The value as an optional duration.
    fn into_timeout_value(self) -> Option<Duration>;
}

impl IntoTimeoutValue for Duration {
    fn into_timeout_value(self) -> Option<Duration> {
        Some(self)
    }
}

impl IntoTimeoutValue for f64 {
    /// Seconds. An infinite or NaN value means no limit; a negative one means zero.
    fn into_timeout_value(self) -> Option<Duration> {
        if self.is_nan() || self.is_infinite() {
            return None;
        }
        Some(Duration::try_from_secs_f64(self.max(0.0)).unwrap_or(Duration::MAX))
    }
}

impl IntoTimeoutValue for u64 {
    /// Whole seconds.
    fn into_timeout_value(self) -> Option<Duration> {
        Some(Duration::from_secs(self))
    }
}

impl<T: IntoTimeoutValue> IntoTimeoutValue for Option<T> {
    fn into_timeout_value(self) -> Option<Duration> {
        self.and_then(IntoTimeoutValue::into_timeout_value)
    }
}

/// Timeouts: httpx's four (connect, read, write, pool) plus a total deadline for the
/// whole exchange, redirects and auth steps included, which httpx lacks.
///
/// `None` means no limit. The read timeout applies to each read, the write timeout
/// to each write; the total deadline to everything from `send` until the body is read.
///
/// ```
/// use httpx::Timeout;
/// let t = Timeout::new(10.0).connect(2.0).total(30.0);
/// assert_eq!(t.connect, Some(std::time::Duration::from_secs(2)));
/// assert_eq!(t.read, Some(std::time::Duration::from_secs(10)));
/// assert_eq!(Timeout::none().read, None);
/// assert_eq!(Timeout::default().pool, Some(std::time::Duration::from_secs(5)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeout {
    /// Time to establish a connection.
    pub connect: Option<Duration>,
    /// Time to wait for each chunk of data from the server.
    pub read: Option<Duration>,
    /// Time to wait for each chunk of data to be sent.
    pub write: Option<Duration>,
    /// Time to wait for a connection from the pool.
    pub pool: Option<Duration>,
    /// Time for the whole exchange, from `send` until the body has been read.
    pub total: Option<Duration>,
}

impl Timeout {
    /// `value` for connect, read, write and pool; no total deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use httpx::Timeout;
    ///
    /// let t = Timeout::new(2.5); // seconds as f64
    /// assert_eq!(t.read, Some(Duration::from_millis(2500)));
    /// assert_eq!(t.total, None);
    /// assert_eq!(Timeout::new(Duration::from_secs(3)), Timeout::new(3u64));
    /// assert_eq!(Timeout::new(None::<f64>), Timeout::none());
    /// // Clients and requests take anything that converts: `.timeout(10.0)` works too.
    /// assert_eq!(Timeout::from(10.0), Timeout::new(10.0));
    /// ```
    pub fn new(value: impl IntoTimeoutValue) -> Timeout {
        let value = value.into_timeout_value();
        Timeout {
            connect: value,
            read: value,
            write: value,
            pool: value,
            total: None,
        }
    }

    /// No limits at all.
    pub fn none() -> Timeout {
        Timeout::new(None::<Duration>)
    }

    /// Sets the connect timeout.
    pub fn connect(mut self, value: impl IntoTimeoutValue) -> Timeout {
        self.connect = value.into_timeout_value();
        self
    }

    /// Sets the read timeout.
    pub fn read(mut self, value: impl IntoTimeoutValue) -> Timeout {
        self.read = value.into_timeout_value();
        self
    }

    /// Sets the write timeout.
    pub fn write(mut self, value: impl IntoTimeoutValue) -> Timeout {
        self.write = value.into_timeout_value();
        self
    }

    /// Sets the pool timeout.
    pub fn pool(mut self, value: impl IntoTimeoutValue) -> Timeout {
        self.pool = value.into_timeout_value();
        self
    }

    /// Sets the total deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use std::time::Duration;
    /// use httpx::Timeout;
    ///
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).build());
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .timeout(Timeout::new(5.0).total(Duration::from_secs(30)))
    ///     .build()?;
    /// assert_eq!(client.timeout().total, Some(Duration::from_secs(30)));
    /// // One request may have its own.
    /// let request = client.get("https://example.org/").timeout(Timeout::new(1.0).total(3.0)).build()?;
    /// assert_eq!(request.timeout().total, Some(Duration::from_secs(3)));
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn total(mut self, value: impl IntoTimeoutValue) -> Timeout {
        self.total = value.into_timeout_value();
        self
    }
}

impl Default for Timeout {
    /// httpx's default: 5 seconds each, no total deadline.
    fn default() -> Timeout {
        Timeout::new(DEFAULT_TIMEOUT)
    }
}

impl From<f64> for Timeout {
    fn from(seconds: f64) -> Timeout {
        Timeout::new(seconds)
    }
}

impl From<Duration> for Timeout {
    fn from(value: Duration) -> Timeout {
        Timeout::new(value)
    }
}

impl From<Option<Duration>> for Timeout {
    fn from(value: Option<Duration>) -> Timeout {
        Timeout::new(value)
    }
}

/// Connection pool limits (httpx's `Limits`), honoured by pooling transports.
///
/// Start from [`Limits::default()`] (httpx's defaults) and change what you need with
/// the setters.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use httpx::Limits;
///
/// let limits = Limits::default().max_connections(Some(10)).keepalive_expiry(30.0);
/// assert_eq!(limits.max_connections, Some(10));
/// assert_eq!(limits.max_keepalive_connections, Some(20)); // httpx's default
/// assert_eq!(limits.keepalive_expiry, Some(Duration::from_secs(30)));
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// let client = httpx::Client::builder().limits(limits).build()?;
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// The most connections open at once; `None` for no limit.
    pub max_connections: Option<usize>,
    /// The most idle connections kept for reuse; `None` for no limit.
    pub max_keepalive_connections: Option<usize>,
    /// How long an idle connection is kept; `None` to keep it until the server closes it.
    pub keepalive_expiry: Option<Duration>,
}

impl Default for Limits {
    /// httpx's defaults: 100 connections, 20 kept alive, 5 seconds idle.
    fn default() -> Limits {
        Limits {
            max_connections: Some(100),
            max_keepalive_connections: Some(20),
            keepalive_expiry: Some(Duration::from_secs(5)),
        }
    }
}

impl Limits {
    /// Sets `max_connections`.
    pub fn max_connections(mut self, value: Option<usize>) -> Limits {
        self.max_connections = value;
        self
    }
    /// Sets `max_keepalive_connections`.
    pub fn max_keepalive_connections(mut self, value: Option<usize>) -> Limits {
        self.max_keepalive_connections = value;
        self
    }
    /// Sets `keepalive_expiry`.
    pub fn keepalive_expiry(mut self, value: impl IntoTimeoutValue) -> Limits {
        self.keepalive_expiry = value.into_timeout_value();
        self
    }
}

/// A proxy: its URL (`http://`, `https://`, `socks5://` or `socks5h://`), credentials
/// for it and extra headers sent to it. Used by transports that can proxy.
///
/// ```
/// let proxy = httpx::Proxy::new("http://user:pass@proxy.local:3128")?;
/// assert_eq!(proxy.url().as_str(), "http://proxy.local:3128/");
/// assert_eq!(proxy.auth(), Some(("user", "pass")));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub struct Proxy {
    url: Url,
    auth: Option<(String, String)>,
    headers: Headers,
}

impl Proxy {
    /// A proxy at `url`; credentials in the URL's userinfo become the proxy's auth.
    pub fn new(url: &str) -> Result<Proxy> {
        let url = Url::parse(url)?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(Error::new(
                crate::ErrorKind::UnsupportedProtocol,
                format!(
                    "Unknown scheme for proxy URL '{}': use http://, https://, socks5:// or socks5h://",
                    url.without_userinfo()
                ),
            ));
        }
        let auth = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some((
                url.username().into_owned(),
                url.password().map(|p| p.into_owned()).unwrap_or_default(),
            ))
        };
        Ok(Proxy {
            url: url.without_userinfo(),
            auth,
            headers: Headers::new(),
        })
    }

    /// Sets the credentials sent to the proxy (`Proxy-Authorization: Basic`).
    pub fn with_auth(mut self, username: &str, password: &str) -> Proxy {
        self.auth = Some((username.to_string(), password.to_string()));
        self
    }

    /// Sets extra headers sent to the proxy.
    pub fn with_headers(mut self, headers: Headers) -> Proxy {
        self.headers = headers;
        self
    }

    /// The proxy URL, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The proxy credentials.
    pub fn auth(&self) -> Option<(&str, &str)> {
        self.auth.as_ref().map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// Extra headers for the proxy.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url.as_str())
            .field("auth", &self.auth.as_ref().map(|(u, _)| (u, "[secure]")))
            .finish()
    }
}

/// Whether the browser sends and stores cookies (and HTTP auth and TLS client
/// certificates) with a request: fetch's `credentials` option.
///
/// It is a browser notion, read by the fetch transport (`FetchTransport`) only:
/// other transports ignore it (natively and in WASI the client's own cookie jar decides).
/// Unset (the default) leaves fetch's own default, [`SameOrigin`](Credentials::SameOrigin),
/// and sends no `credentials` field at all, which some fetch hosts do not accept.
///
/// ```
/// let client = httpx::AsyncClient::builder()
///     .credentials(httpx::Credentials::Include)   // cross-origin cookies too
///     .build()?;
/// let request = client.get("https://api.example.org/").credentials(httpx::Credentials::Omit).build()?;
/// assert_eq!(request.options().credentials, Some(httpx::Credentials::Omit));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// Never send or store cookies (`"omit"`).
    Omit,
    /// Only for requests to the page's own origin (`"same-origin"`, fetch's default).
    SameOrigin,
    /// Also for cross-origin requests (`"include"`); the server must answer with
    /// `Access-Control-Allow-Credentials: true` and name the origin (not `*`).
    Include,
}

impl Credentials {
    /// The value of fetch's `credentials` option: `"omit"`, `"same-origin"`, `"include"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }
}

/// A function that guesses the charset of a body (httpx accepts a callable such as
/// `chardet.detect` as `default_encoding`). It returns an encoding label.
pub type DetectEncoding = Arc<dyn Fn(&[u8]) -> Option<String> + Send + Sync>;

/// The encoding used for a response's text when its `Content-Type` names no charset.
///
/// A label converts into it (`.default_encoding("latin-1")`); wrap a function in
/// [`Detect`](DefaultEncoding::Detect) to guess from the body instead.
///
/// # Examples
///
/// ```
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// use std::sync::Arc;
/// use httpx::DefaultEncoding;
///
/// // A server that sends Latin-1 text without saying so.
/// let transport = httpx::MockTransport::new(|_| {
///     httpx::Response::builder(200).header("content-type", "text/plain").content(&b"caf\xe9"[..]).build()
/// });
/// let client = httpx::Client::builder().transport(transport.clone()).default_encoding("latin-1").build()?;
/// assert_eq!(client.get("https://example.org/").send()?.text()?, "café");
///
/// let guess = DefaultEncoding::Detect(Arc::new(|body: &[u8]| {
///     std::str::from_utf8(body).is_err().then(|| "latin-1".to_string())
/// }));
/// let client = httpx::Client::builder().transport(transport).default_encoding(guess).build()?;
/// assert_eq!(client.get("https://example.org/").send()?.text()?, "café");
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub enum DefaultEncoding {
    /// A fixed encoding label, `"utf-8"` by default.
    Label(Arc<str>),
    /// A function that guesses from the body.
    Detect(DetectEncoding),
}

impl Default for DefaultEncoding {
    fn default() -> DefaultEncoding {
        DefaultEncoding::Label(Arc::from("utf-8"))
    }
}

impl fmt::Debug for DefaultEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultEncoding::Label(label) => write!(f, "Label({label:?})"),
            DefaultEncoding::Detect(_) => f.write_str("Detect(..)"),
        }
    }
}

impl From<&str> for DefaultEncoding {
    fn from(label: &str) -> DefaultEncoding {
        DefaultEncoding::Label(Arc::from(label))
    }
}

impl From<String> for DefaultEncoding {
    fn from(label: String) -> DefaultEncoding {
        DefaultEncoding::Label(Arc::from(label))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_seconds_never_panic() {
        assert_eq!((-1.0f64).into_timeout_value(), Some(Duration::ZERO));
        assert_eq!(f64::NAN.into_timeout_value(), None);
        assert_eq!(f64::INFINITY.into_timeout_value(), None);
        assert_eq!(1e300f64.into_timeout_value(), Some(Duration::MAX));
        assert_eq!(
            0.25f64.into_timeout_value(),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn limits_defaults_match_httpx() {
        let l = Limits::default();
        assert_eq!(l.max_connections, Some(100));
        assert_eq!(l.max_keepalive_connections, Some(20));
        assert_eq!(l.keepalive_expiry, Some(Duration::from_secs(5)));
    }

    #[test]
    fn proxy_schemes_and_redaction() {
        assert!(Proxy::new("ftp://proxy.local").is_err());
        let p = Proxy::new("socks5h://u:secret@proxy.local:1080").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
        assert_eq!(p.url().port(), Some(1080));
    }
}

/// A client's connection settings for its network transport (httpx's
/// `Client(verify=, cert=, http1=, http2=)`); `None` keeps the transport's default.
// Read by the native transport only.
#[cfg_attr(
    not(all(feature = "hyper", not(target_family = "wasm"))),
    allow(dead_code)
)]
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionSettings {
    pub(crate) verify: Option<bool>,
    pub(crate) ca_bundle_pem: Option<Vec<u8>>,
    pub(crate) client_certificate: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) http1: Option<bool>,
    pub(crate) http2: Option<bool>,
}
