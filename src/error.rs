//! One error type with httpx's exception kinds.
//!
//! httpx raises a tree of exception classes. Here there is one opaque [`Error`] whose
//! [`kind`](Error::kind) is one of httpx's leaf classes, and whose predicates
//! ([`is_request`](Error::is_request), [`is_transport`](Error::is_transport),
//! [`is_timeout`](Error::is_timeout), ...) answer for httpx's middle classes:
//!
//! ```text
//! HTTPError
//!   RequestError                      is_request()
//!     TransportError                  is_transport()
//!       TimeoutException              is_timeout()
//!         ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout, TotalTimeout*
//!       NetworkError                  is_network()
//!         ConnectError, ReadError, WriteError, CloseError
//!       ProtocolError                 is_protocol()
//!         LocalProtocolError, RemoteProtocolError
//!       ProxyError, UnsupportedProtocol
//!     DecodingError, TooManyRedirects
//!   HTTPStatusError (HttpStatus)      is_status()
//! InvalidURL (InvalidUrl), CookieConflict
//! StreamError                         is_stream()
//!   StreamConsumed, StreamClosed, ResponseNotRead, RequestNotRead
//! InvalidState*                       (Python's RuntimeError in httpx)
//! ```
//!
//! `*` marks the kinds httpx does not have: `TotalTimeout` is the total deadline
//! (httpx has none), `InvalidState` is what httpx raises as a plain `RuntimeError`
//! (sending with a closed client, reading an async body from sync code).

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use crate::headers::Headers;
use crate::status::StatusCode;
use crate::url::Url;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Defines [`ErrorKind`] and [`ErrorKind::ALL`] from one list, so the list cannot miss
/// a kind.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// The kind of an [`Error`]: httpx's leaf exception classes.
        ///
        /// # Examples
        ///
        /// Deciding what to do from the kind (the enum is `#[non_exhaustive]`: keep a `_` arm):
        ///
        /// ```
        /// use httpx::{Error, ErrorKind};
        ///
        /// fn should_retry(err: &Error) -> bool {
        ///     match err.kind() {
        ///         ErrorKind::ConnectError | ErrorKind::ConnectTimeout | ErrorKind::PoolTimeout => true,
        ///         ErrorKind::HttpStatus => err.status().is_some_and(|s| s.is_server_error()),
        ///         _ => false,
        ///     }
        /// }
        /// assert!(should_retry(&Error::new(ErrorKind::ConnectError, "connection refused")));
        /// assert!(!should_retry(&Error::new(ErrorKind::ReadError, "connection reset")));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl ErrorKind {
            /// Every kind, in declaration order (timeouts, then network, protocol, ...).
            ///
            /// # Examples
            ///
            /// ```
            /// use httpx::ErrorKind;
            /// let timeouts = ErrorKind::ALL.iter().filter(|kind| kind.is_timeout()).count();
            /// assert_eq!(timeouts, 5);
            /// assert!(ErrorKind::ALL.contains(&ErrorKind::HttpStatus));
            /// ```
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind,)*];
        }
    };
}

error_kinds! {
    /// Timed out while connecting to the host.
    ConnectTimeout,
    /// Timed out while receiving data from the host.
    ReadTimeout,
    /// Timed out while sending data to the host.
    WriteTimeout,
    /// Timed out while waiting for a connection from the pool.
    PoolTimeout,
    /// The total deadline of the request ([`Timeout::total`](crate::Timeout::total))
    /// passed. httpx has no such timeout.
    TotalTimeout,
    /// Failed to establish a connection.
    ConnectError,
    /// Failed to receive data from the network.
    ReadError,
    /// Failed to send data through the network.
    WriteError,
    /// Failed to close a connection.
    CloseError,
    /// The client broke the HTTP protocol (an invalid header, say), detected before I/O.
    LocalProtocolError,
    /// The server broke the HTTP protocol (bad framing, a malformed challenge, ...).
    RemoteProtocolError,
    /// An error occurred while establishing a proxy connection.
    ProxyError,
    /// The URL scheme is not supported by any transport (`ftp://`, a relative URL, ...).
    UnsupportedProtocol,
    /// The response body could not be decoded (corrupt gzip data, say).
    DecodingError,
    /// Too many redirects.
    TooManyRedirects,
    /// [`Response::raise_for_status`](crate::Response::raise_for_status) on a
    /// response that is not 2xx (httpx's `HTTPStatusError`).
    HttpStatus,
    /// The URL or a part of it is invalid (httpx's `InvalidURL`).
    InvalidUrl,
    /// More than one cookie matched a lookup by name.
    CookieConflict,
    /// The body was already streamed and cannot be read or sent again.
    StreamConsumed,
    /// The body was closed before it was read.
    StreamClosed,
    /// The response content was accessed before the body was read.
    ResponseNotRead,
    /// The request content was accessed before the body was read.
    RequestNotRead,
    /// The API was used in a state that does not allow it: sending with a closed client,
    /// reading an async body from sync code. httpx raises Python's `RuntimeError`.
    InvalidState,
}

impl ErrorKind {
    /// httpx's class name for this kind (`"ConnectTimeout"`, `"HTTPStatusError"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::ConnectTimeout => "ConnectTimeout",
            ErrorKind::ReadTimeout => "ReadTimeout",
            ErrorKind::WriteTimeout => "WriteTimeout",
            ErrorKind::PoolTimeout => "PoolTimeout",
            ErrorKind::TotalTimeout => "TotalTimeout",
            ErrorKind::ConnectError => "ConnectError",
            ErrorKind::ReadError => "ReadError",
            ErrorKind::WriteError => "WriteError",
            ErrorKind::CloseError => "CloseError",
            ErrorKind::LocalProtocolError => "LocalProtocolError",
            ErrorKind::RemoteProtocolError => "RemoteProtocolError",
            ErrorKind::ProxyError => "ProxyError",
            ErrorKind::UnsupportedProtocol => "UnsupportedProtocol",
            ErrorKind::DecodingError => "DecodingError",
            ErrorKind::TooManyRedirects => "TooManyRedirects",
            ErrorKind::HttpStatus => "HTTPStatusError",
            ErrorKind::InvalidUrl => "InvalidURL",
            ErrorKind::CookieConflict => "CookieConflict",
            ErrorKind::StreamConsumed => "StreamConsumed",
            ErrorKind::StreamClosed => "StreamClosed",
            ErrorKind::ResponseNotRead => "ResponseNotRead",
            ErrorKind::RequestNotRead => "RequestNotRead",
            ErrorKind::InvalidState => "InvalidState",
        }
    }

    /// httpx's `TimeoutException`.
    pub fn is_timeout(self) -> bool {
        matches!(
            self,
            ErrorKind::ConnectTimeout
                | ErrorKind::ReadTimeout
                | ErrorKind::WriteTimeout
                | ErrorKind::PoolTimeout
                | ErrorKind::TotalTimeout
        )
    }

    /// httpx's `NetworkError`.
    pub fn is_network(self) -> bool {
        matches!(
            self,
            ErrorKind::ConnectError
                | ErrorKind::ReadError
                | ErrorKind::WriteError
                | ErrorKind::CloseError
        )
    }

    /// httpx's `ProtocolError`.
    pub fn is_protocol(self) -> bool {
        matches!(
            self,
            ErrorKind::LocalProtocolError | ErrorKind::RemoteProtocolError
        )
    }

    /// httpx's `TransportError`.
    pub fn is_transport(self) -> bool {
        self.is_timeout()
            || self.is_network()
            || self.is_protocol()
            || matches!(self, ErrorKind::ProxyError | ErrorKind::UnsupportedProtocol)
    }

    /// httpx's `RequestError`.
    pub fn is_request(self) -> bool {
        self.is_transport()
            || matches!(self, ErrorKind::DecodingError | ErrorKind::TooManyRedirects)
    }

    /// httpx's `HTTPError` (a `RequestError` or an `HTTPStatusError`).
    pub fn is_http(self) -> bool {
        self.is_request() || self == ErrorKind::HttpStatus
    }

    /// httpx's `StreamError`.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            ErrorKind::StreamConsumed
                | ErrorKind::StreamClosed
                | ErrorKind::ResponseNotRead
                | ErrorKind::RequestNotRead
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Details of an `HTTPStatusError`: what `raise_for_status` saw.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StatusError {
    /// The response status.
    pub status: StatusCode,
    /// The response reason phrase.
    pub reason_phrase: String,
    /// The response headers.
    pub headers: Headers,
    /// The response body, when it had been read.
    pub body: Option<Bytes>,
}

/// The request an error happened on: its method and URL, with credentials removed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// The request method.
    pub method: http::Method,
    /// The request URL without its userinfo.
    pub url: Url,
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error from this crate: a [`kind`](Error::kind), a message that names the problem,
/// the request it happened on, and the underlying cause.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    request: Option<RequestInfo>,
    status: Option<StatusError>,
    source: Option<BoxError>,
}

impl Error {
    /// A new error of `kind`. Transports use this to classify their own failures.
    ///
    /// ```
    /// use httpx::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::ConnectError, "connection refused");
    /// assert!(err.is_network());
    /// assert_eq!(err.to_string(), "connection refused");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                request: None,
                status: None,
                source: None,
            }),
        }
    }

    /// Attaches the underlying cause, returned by [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Error {
        self.inner.source = Some(source.into());
        self
    }

    /// Attaches the request this error happened on, unless one is attached already.
    /// The URL's userinfo is removed so credentials never reach messages or logs.
    pub fn with_request(mut self, method: &http::Method, url: &Url) -> Error {
        if self.inner.request.is_none() {
            self.inner.request = Some(RequestInfo {
                method: method.clone(),
                url: url.without_userinfo(),
            });
        }
        self
    }

    pub(crate) fn with_status(mut self, status: StatusError) -> Error {
        self.inner.status = Some(status);
        self
    }

    /// The kind of error.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::ErrorKind;
    ///
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(302).header("location", "/").build());
    /// let client = httpx::Client::builder().transport(transport).follow_redirects(true).max_redirects(3).build()?;
    /// let err = client.get("https://example.org/").send().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    /// assert!(err.is_redirect() && err.is_request() && !err.is_transport());
    /// assert_eq!(err.url().map(|u| u.as_str()), Some("https://example.org/"));
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without the request it happened on.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The method and URL of the request this error happened on, when known.
    pub fn request(&self) -> Option<&RequestInfo> {
        self.inner.request.as_ref()
    }

    /// For an `HTTPStatusError`: the status, headers and (when read) body of the response.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| {
    ///     httpx::Response::builder(429).header("retry-after", "30").text("slow down").build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let err = client.get("https://example.org/api").send()?.raise_for_status().unwrap_err();
    /// assert!(err.is_status());
    /// let details = err.status_error().unwrap();
    /// assert_eq!(details.status, 429);
    /// assert_eq!(details.reason_phrase, "Too Many Requests");
    /// assert_eq!(details.headers.get("retry-after").as_deref(), Some("30"));
    /// assert_eq!(details.body.as_deref(), Some(&b"slow down"[..]));
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn status_error(&self) -> Option<&StatusError> {
        self.inner.status.as_ref()
    }

    /// The response status of an `HTTPStatusError`.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status.as_ref().map(|s| s.status)
    }

    /// httpx's `TimeoutException`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Error, ErrorKind};
    ///
    /// // A transport whose host never answers in time.
    /// let transport = httpx::MockTransport::new(|_| Err(Error::new(ErrorKind::ReadTimeout, "timed out")));
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let err = client.get("https://example.org/slow").send().unwrap_err();
    /// assert!(err.is_timeout());
    /// assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    /// // A timeout is also a TransportError, a RequestError and an HTTPError.
    /// assert!(err.is_transport() && err.is_request() && err.is_http());
    /// assert!(!err.is_network());
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.kind().is_timeout()
    }

    /// httpx's `NetworkError`.
    pub fn is_network(&self) -> bool {
        self.kind().is_network()
    }

    /// httpx's `ProtocolError`.
    pub fn is_protocol(&self) -> bool {
        self.kind().is_protocol()
    }

    /// httpx's `TransportError`.
    pub fn is_transport(&self) -> bool {
        self.kind().is_transport()
    }

    /// httpx's `RequestError`.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{Error, ErrorKind};
    ///
    /// assert!(Error::new(ErrorKind::DecodingError, "bad gzip").is_request());
    /// assert!(Error::new(ErrorKind::WriteTimeout, "slow upload").is_request());
    /// // `raise_for_status` errors, invalid URLs and stream misuse are not.
    /// assert!(!Error::new(ErrorKind::HttpStatus, "404").is_request());
    /// assert!(!Error::new(ErrorKind::InvalidUrl, "no host").is_request());
    /// assert!(!Error::new(ErrorKind::StreamConsumed, "read twice").is_request());
    /// ```
    pub fn is_request(&self) -> bool {
        self.kind().is_request()
    }

    /// httpx's `HTTPError`.
    pub fn is_http(&self) -> bool {
        self.kind().is_http()
    }

    /// httpx's `HTTPStatusError`.
    pub fn is_status(&self) -> bool {
        self.kind() == ErrorKind::HttpStatus
    }

    /// httpx's `StreamError`.
    pub fn is_stream(&self) -> bool {
        self.kind().is_stream()
    }

    /// The connection could not be made: [`ConnectError`](ErrorKind::ConnectError)
    /// or [`ConnectTimeout`](ErrorKind::ConnectTimeout) (reqwest's `is_connect`;
    /// a connect timeout is also [`is_timeout`](Error::is_timeout)). A proxy that
    /// could not be reached or refused the tunnel is
    /// [`ProxyError`](ErrorKind::ProxyError) instead.
    ///
    /// ```
    /// use httpx::{Error, ErrorKind};
    /// assert!(Error::new(ErrorKind::ConnectTimeout, "slow").is_connect());
    /// assert!(!Error::new(ErrorKind::ReadError, "reset").is_connect());
    /// ```
    pub fn is_connect(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::ConnectError | ErrorKind::ConnectTimeout
        )
    }

    /// The response body could not be decoded: httpx's `DecodingError` (corrupt
    /// gzip data, invalid JSON; reqwest's `is_decode`).
    pub fn is_decode(&self) -> bool {
        self.kind() == ErrorKind::DecodingError
    }

    /// Too many redirects: httpx's `TooManyRedirects` (reqwest's `is_redirect`).
    pub fn is_redirect(&self) -> bool {
        self.kind() == ErrorKind::TooManyRedirects
    }

    /// The URL of the request this error happened on, without its userinfo, when
    /// known (reqwest's `Error::url`).
    pub fn url(&self) -> Option<&Url> {
        self.inner.request.as_ref().map(|r| &r.url)
    }

    pub(crate) fn invalid_url(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::InvalidUrl, message)
    }

    pub(crate) fn local_protocol(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::LocalProtocolError, message)
    }

    pub(crate) fn remote_protocol(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::RemoteProtocolError, message)
    }

    pub(crate) fn decoding(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::DecodingError, message)
    }

    pub(crate) fn invalid_state(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::InvalidState, message)
    }

    /// The error for a passed total deadline: "The total timeout of 0.400s passed".
    /// Formatted with integers: float formatting costs a browser build about 10 KB.
    pub(crate) fn total_timeout(total: std::time::Duration) -> Error {
        Error::new(
            ErrorKind::TotalTimeout,
            format!(
                "The total timeout of {}.{:03}s passed",
                total.as_secs(),
                total.subsec_millis()
            ),
        )
    }

    pub(crate) fn stream_consumed() -> Error {
        Error::new(
            ErrorKind::StreamConsumed,
            "Attempted to read or stream content, but the content has already been streamed. \
             A streaming body can be sent once: it cannot follow a redirect or an auth retry, \
             and a streamed response must be read before its content is used.",
        )
    }

    pub(crate) fn stream_closed() -> Error {
        Error::new(
            ErrorKind::StreamClosed,
            "Attempted to read or stream response content, but the response has been closed.",
        )
    }

    pub(crate) fn response_not_read() -> Error {
        Error::new(
            ErrorKind::ResponseNotRead,
            "Attempted to access streaming response content, without having called `read()`.",
        )
    }

    pub(crate) fn request_not_read() -> Error {
        Error::new(
            ErrorKind::RequestNotRead,
            "Attempted to access streaming request content, without having called `read()`.",
        )
    }
}

/// The message and the request it happened on, without the cause: that is
/// [`source`](std::error::Error::source), as the Rust API guidelines ask (C-GOOD-ERR),
/// so a report that walks the chain (anyhow's `{:#}`, `{:?}` of an `anyhow::Error`)
/// names each cause once. The alternate form, `{:#}`, walks the chain itself:
///
/// ```
/// use httpx::{Error, ErrorKind};
/// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
/// let err = Error::new(ErrorKind::ConnectError, "Connection to 127.0.0.1:1 failed").with_source(io);
/// assert_eq!(err.to_string(), "Connection to 127.0.0.1:1 failed");
/// assert_eq!(format!("{err:#}"), "Connection to 127.0.0.1:1 failed: refused");
/// ```
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        // HTTPStatusError messages name the URL themselves.
        if let (Some(req), None) = (&self.inner.request, &self.inner.status) {
            write!(f, " ({} {})", req.method, req.url)?;
        }
        if f.alternate() {
            let mut source = std::error::Error::source(self);
            while let Some(cause) = source {
                write!(f, ": {cause}")?;
                source = cause.source();
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        d.field("message", &self.inner.message);
        if let Some(req) = &self.inner.request {
            d.field("method", &req.method);
            d.field("url", &req.url.as_str());
        }
        if let Some(status) = &self.inner.status {
            d.field("status", &status.status.as_u16());
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn std::error::Error + 'static))
    }
}

/// An I/O error as httpx's [`WriteError`](ErrorKind::WriteError), or
/// [`WriteTimeout`](ErrorKind::WriteTimeout) for [`TimedOut`](std::io::ErrorKind::TimedOut):
/// the conversion is meant for the sources of request bodies (a file read for an upload,
/// [`Body::from_reader`](crate::Body::from_reader), a stream given to
/// [`Body::from_stream`](crate::Body::from_stream)), whose failure is a failure to send
/// the request. An `io::Error` made from an [`Error`] (see the conversion the other way)
/// gives that error back. The message says a request body could not be read; the
/// `io::Error` is the [`source`](std::error::Error::source).
///
/// ```
/// use std::error::Error as _;
/// let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no access");
/// let err = httpx::Error::from(io);
/// assert_eq!(err.kind(), httpx::ErrorKind::WriteError);
/// assert_eq!(err.source().unwrap().to_string(), "no access");
/// ```
impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner() {
                if let Ok(err) = inner.downcast::<Error>() {
                    return *err;
                }
            }
            // Not reached: the inner error was checked to be an `Error`.
            return Error::new(ErrorKind::WriteError, "Reading the request body failed");
        }
        let kind = if err.kind() == std::io::ErrorKind::TimedOut {
            ErrorKind::WriteTimeout
        } else {
            ErrorKind::WriteError
        };
        Error::new(kind, "Reading the request body failed").with_source(err)
    }
}

impl Error {
    /// The error of a request body's stream or iterator: an [`Error`] as it is, an
    /// [`std::io::Error`] as its `From` conversion makes it, anything else as a
    /// [`WriteError`](ErrorKind::WriteError) whose source is that error.
    pub(crate) fn from_body_error(err: impl Into<BoxError>) -> Error {
        let err = err.into();
        let err = match err.downcast::<Error>() {
            Ok(err) => return *err,
            Err(err) => err,
        };
        match err.downcast::<std::io::Error>() {
            Ok(io) => Error::from(*io),
            Err(err) => Error::new(ErrorKind::WriteError, "Reading the request body failed")
                .with_source(err),
        }
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> std::io::Error {
        let kind = match err.kind() {
            k if k.is_timeout() => std::io::ErrorKind::TimedOut,
            ErrorKind::ConnectError => std::io::ErrorKind::ConnectionRefused,
            ErrorKind::ReadError | ErrorKind::WriteError => std::io::ErrorKind::ConnectionReset,
            ErrorKind::DecodingError | ErrorKind::RemoteProtocolError => {
                std::io::ErrorKind::InvalidData
            }
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_follow_httpx_hierarchy() {
        use ErrorKind::*;
        for kind in [
            ConnectTimeout,
            ReadTimeout,
            WriteTimeout,
            PoolTimeout,
            TotalTimeout,
        ] {
            assert!(
                kind.is_timeout() && kind.is_transport() && kind.is_request() && kind.is_http()
            );
            assert!(!kind.is_network());
        }
        for kind in [ConnectError, ReadError, WriteError, CloseError] {
            assert!(kind.is_network() && kind.is_transport() && !kind.is_timeout());
        }
        assert!(LocalProtocolError.is_protocol() && RemoteProtocolError.is_transport());
        assert!(ProxyError.is_transport() && UnsupportedProtocol.is_transport());
        assert!(DecodingError.is_request() && !DecodingError.is_transport());
        assert!(TooManyRedirects.is_request() && !TooManyRedirects.is_transport());
        assert!(HttpStatus.is_http() && !HttpStatus.is_request());
        for kind in [InvalidUrl, CookieConflict, InvalidState] {
            assert!(!kind.is_http() && !kind.is_stream());
        }
        for kind in [
            StreamConsumed,
            StreamClosed,
            ResponseNotRead,
            RequestNotRead,
        ] {
            assert!(kind.is_stream() && !kind.is_http());
        }
    }

    #[test]
    fn message_names_the_request_without_credentials() {
        let url = Url::parse("https://user:secret@example.org/path").unwrap();
        let err = Error::new(ErrorKind::ConnectError, "connection refused")
            .with_request(&http::Method::GET, &url);
        let text = err.to_string();
        assert_eq!(text, "connection refused (GET https://example.org/path)");
        assert!(!format!("{err:?}").contains("secret"));
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
