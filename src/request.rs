//! [`Request`] and its [`Body`].

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use sync_wrapper::SyncWrapper;

pub use http::Method;

use crate::config::{Credentials, Timeout};
use crate::error::{BoxError, Error, Result};
use crate::headers::Headers;
use crate::rt::{BoxIter, BoxStream, Instant, MaybeSend};
use crate::url::Url;

/// A request body: nothing, bytes in memory, or a blocking or async stream of chunks.
///
/// Bytes can be sent any number of times (redirects, auth retries). A stream can be
/// sent once: afterwards the body is marked consumed, and sending it again fails with
/// [`StreamConsumed`](crate::ErrorKind::StreamConsumed), as in httpx.
///
/// # Examples
///
/// ```
/// use httpx::Body;
///
/// let body = Body::from("name=value");
/// assert_eq!(body.as_bytes(), Some(&b"name=value"[..]));
/// assert_eq!(body.len(), Some(10));
/// assert!(body.is_replayable());
///
/// let chunks = ["a,", "b"].into_iter().map(Ok::<_, std::io::Error>);
/// let stream = Body::from_iter(chunks, None);
/// assert!(stream.is_stream() && !stream.is_replayable());
/// assert_eq!((stream.len(), stream.as_bytes()), (None, None));
/// ```
pub struct Body {
    inner: BodyInner,
}

enum BodyInner {
    Empty,
    Bytes(Bytes),
    Iter {
        iter: SyncWrapper<BoxIter<'static, Result<Bytes>>>,
        len: Option<u64>,
    },
    Stream {
        stream: SyncWrapper<BoxStream<'static, Result<Bytes>>>,
        len: Option<u64>,
    },
    Consumed,
}

impl Body {
    /// No body.
    pub fn empty() -> Body {
        Body {
            inner: BodyInner::Empty,
        }
    }

    /// A body of bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Body {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Body::empty();
        }
        Body {
            inner: BodyInner::Bytes(bytes),
        }
    }

    /// A blocking stream of chunks (httpx's sync iterator content). `len`, when known,
    /// becomes the `Content-Length`; otherwise the body is sent chunked.
    ///
    /// The items' error can be any error convertible into
    /// `Box<dyn Error + Send + Sync>` (an [`Error`] of this crate, a
    /// [`std::io::Error`], ...): an error while the body is sent fails the request with
    /// [`WriteError`](crate::ErrorKind::WriteError),
    /// unless it is an [`Error`] already, which is kept as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Body;
    /// let lines = ["a\n", "b\n"].into_iter().map(Ok::<_, std::io::Error>);
    /// let body = Body::from_iter(lines, Some(4));
    /// assert_eq!(body.len(), Some(4));
    /// ```
    pub fn from_iter<I, B, E>(iter: I, len: Option<u64>) -> Body
    where
        I: IntoIterator<Item = std::result::Result<B, E>>,
        I::IntoIter: MaybeSend + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        let iter: BoxIter<'static, Result<Bytes>> = Box::new(
            iter.into_iter()
                .map(|r| r.map(Into::into).map_err(Error::from_body_error)),
        );
        Body {
            inner: BodyInner::Iter {
                iter: SyncWrapper::new(iter),
                len,
            },
        }
    }

    /// A body read from a blocking reader in chunks of 64 KiB.
    pub fn from_reader<R>(mut reader: R, len: Option<u64>) -> Body
    where
        R: std::io::Read + MaybeSend + 'static,
    {
        let mut done = false;
        let iter = std::iter::from_fn(move || {
            if done {
                return None;
            }
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => {
                        done = true;
                        return None;
                    }
                    Ok(n) => {
                        buf.truncate(n);
                        return Some(Ok(Bytes::from(buf)));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        done = true;
                        return Some(Err(Error::from(e)));
                    }
                }
            }
        });
        Body::from_iter(iter, len)
    }

    /// An async stream of chunks (httpx's async iterator content; reqwest's
    /// `Body::wrap_stream`). `len`, when known, becomes the `Content-Length`; otherwise
    /// the body is sent chunked.
    ///
    /// The items' error can be any error convertible into
    /// `Box<dyn Error + Send + Sync>`, as for [`from_iter`](Body::from_iter), so a
    /// `tokio_util::io::ReaderStream` over a file goes in as it is.
    ///
    /// # Examples
    ///
    /// Uploading a file with tokio: `tokio-util`'s `ReaderStream` yields
    /// `Result<Bytes, std::io::Error>`.
    ///
    /// ```no_run
    /// # #[cfg(not(target_family = "wasm"))]
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio_util::io::ReaderStream;
    ///
    /// let file = tokio::fs::File::open("video.mp4").await?;
    /// let len = file.metadata().await?.len();
    /// let body = httpx::Body::from_stream(ReaderStream::new(file), Some(len));
    ///
    /// let client = httpx::AsyncClient::new();
    /// let response = client.put("https://example.org/upload").body(body).send().await?;
    /// println!("{}", response.status());
    /// # Ok(())
    /// # }
    /// # #[cfg(target_family = "wasm")]
    /// # fn main() {}
    /// ```
    pub fn from_stream<S, B, E>(stream: S, len: Option<u64>) -> Body
    where
        S: Stream<Item = std::result::Result<B, E>> + MaybeSend + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        let stream: BoxStream<'static, Result<Bytes>> =
            Box::pin(stream.map(|r| r.map(Into::into).map_err(Error::from_body_error)));
        Body {
            inner: BodyInner::Stream {
                stream: SyncWrapper::new(stream),
                len,
            },
        }
    }

    /// The bytes, for a body in memory (or `Some(b"")` for an empty body).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.inner {
            BodyInner::Empty => Some(&[]),
            BodyInner::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The length when known: in memory, or a stream given a length.
    pub fn len(&self) -> Option<u64> {
        match &self.inner {
            BodyInner::Empty => Some(0),
            BodyInner::Bytes(b) => Some(b.len() as u64),
            BodyInner::Iter { len, .. } | BodyInner::Stream { len, .. } => *len,
            BodyInner::Consumed => None,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether the body can be sent again (it is in memory).
    pub fn is_replayable(&self) -> bool {
        matches!(self.inner, BodyInner::Empty | BodyInner::Bytes(_))
    }

    /// Whether this is a streaming body (sent once, chunked unless its length is known).
    pub fn is_stream(&self) -> bool {
        matches!(
            self.inner,
            BodyInner::Iter { .. } | BodyInner::Stream { .. } | BodyInner::Consumed
        )
    }

    /// Whether this is an async stream, which a sync client cannot send.
    pub fn is_async_stream(&self) -> bool {
        matches!(self.inner, BodyInner::Stream { .. })
    }

    /// Whether a stream was taken from this body already.
    pub fn is_consumed(&self) -> bool {
        matches!(self.inner, BodyInner::Consumed)
    }

    /// Takes the body for sending, leaving a copy for replays (bytes) or a consumed
    /// marker (streams).
    pub(crate) fn take_for_send(&mut self) -> Result<Body> {
        match &self.inner {
            BodyInner::Empty => Ok(Body::empty()),
            BodyInner::Bytes(b) => Ok(Body::from_bytes(b.clone())),
            BodyInner::Consumed => Err(Error::stream_consumed()),
            BodyInner::Iter { .. } | BodyInner::Stream { .. } => Ok(std::mem::replace(
                self,
                Body {
                    inner: BodyInner::Consumed,
                },
            )),
        }
    }

    /// Reads a blocking stream into memory. An async stream is an `InvalidState` error.
    pub(crate) fn read_blocking(&mut self) -> Result<&[u8]> {
        if let BodyInner::Stream { .. } = self.inner {
            return Err(Error::invalid_state(
                "Attempted to read an async request body from sync code; use `aread()`.",
            ));
        }
        if let BodyInner::Iter { iter, .. } = &mut self.inner {
            let mut buf = BytesMut::new();
            for chunk in iter.get_mut() {
                buf.extend_from_slice(&chunk?);
            }
            self.inner = BodyInner::Bytes(buf.freeze());
        }
        self.as_bytes().ok_or_else(Error::stream_consumed)
    }

    /// Reads any stream into memory.
    pub(crate) async fn read_async(&mut self) -> Result<&[u8]> {
        match &mut self.inner {
            BodyInner::Iter { .. } => return self.read_blocking(),
            BodyInner::Stream { stream, .. } => {
                let mut buf = BytesMut::new();
                while let Some(chunk) = stream.get_mut().next().await {
                    buf.extend_from_slice(&chunk?);
                }
                self.inner = BodyInner::Bytes(buf.freeze());
            }
            _ => {}
        }
        self.as_bytes().ok_or_else(Error::stream_consumed)
    }

    /// The chunks as a blocking iterator, for sync transports. An async stream is an
    /// `InvalidState` error: a sync client cannot drive it.
    pub fn into_iter_blocking(self) -> Result<BoxIter<'static, Result<Bytes>>> {
        match self.inner {
            BodyInner::Empty => Ok(Box::new(std::iter::empty())),
            BodyInner::Bytes(b) => Ok(Box::new(std::iter::once(Ok(b)))),
            BodyInner::Iter { iter, .. } => Ok(iter.into_inner()),
            BodyInner::Stream { .. } => Err(Error::invalid_state(
                "Attempted to send an async request body with a sync Client; \
                 use AsyncClient, or a blocking iterator or reader.",
            )),
            BodyInner::Consumed => Err(Error::stream_consumed()),
        }
    }

    /// The chunks as an async stream, for async transports. A blocking iterator is
    /// polled inline.
    pub fn into_stream(self) -> Result<BoxStream<'static, Result<Bytes>>> {
        match self.inner {
            BodyInner::Empty => Ok(Box::pin(futures_util::stream::empty())),
            BodyInner::Bytes(b) => Ok(Box::pin(futures_util::stream::once(async move { Ok(b) }))),
            BodyInner::Iter { iter, .. } => {
                Ok(Box::pin(futures_util::stream::iter(iter.into_inner())))
            }
            BodyInner::Stream { stream, .. } => Ok(stream.into_inner()),
            BodyInner::Consumed => Err(Error::stream_consumed()),
        }
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            BodyInner::Empty => f.write_str("Body(empty)"),
            BodyInner::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            BodyInner::Iter { len, .. } => write!(f, "Body(iterator, len={len:?})"),
            BodyInner::Stream { len, .. } => write!(f, "Body(stream, len={len:?})"),
            BodyInner::Consumed => f.write_str("Body(consumed)"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body::from_bytes(b)
    }
}
impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::from_bytes(b)
    }
}
impl From<&'static [u8]> for Body {
    fn from(b: &'static [u8]) -> Body {
        Body::from_bytes(Bytes::from_static(b))
    }
}
impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::from_bytes(s)
    }
}
impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::from_bytes(Bytes::from_static(s.as_bytes()))
    }
}
impl From<()> for Body {
    fn from(_: ()) -> Body {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Error>>> {
        let this = &mut *self;
        let next = match &mut this.inner {
            BodyInner::Empty | BodyInner::Consumed => return Poll::Ready(None),
            BodyInner::Bytes(_) => {
                let BodyInner::Bytes(b) = std::mem::replace(&mut this.inner, BodyInner::Empty)
                else {
                    return Poll::Ready(None);
                };
                return Poll::Ready(Some(Ok(http_body::Frame::data(b))));
            }
            BodyInner::Iter { iter, .. } => iter.get_mut().next(),
            BodyInner::Stream { stream, .. } => match stream.get_mut().as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(next) => next,
            },
        };
        match next {
            Some(Ok(chunk)) => Poll::Ready(Some(Ok(http_body::Frame::data(chunk)))),
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
            None => {
                this.inner = BodyInner::Empty;
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.inner, BodyInner::Empty | BodyInner::Consumed)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.len() {
            Some(n) => http_body::SizeHint::with_exact(n),
            None => http_body::SizeHint::default(),
        }
    }
}

/// Accepted as an HTTP method: a [`Method`], or a string (uppercased, as httpx does).
pub trait IntoMethod {
    /// The method, or a `LocalProtocolError` for a string that is not a token.
    fn into_method(self) -> Result<Method>;
}

impl IntoMethod for Method {
    fn into_method(self) -> Result<Method> {
        Ok(self)
    }
}

impl IntoMethod for &Method {
    fn into_method(self) -> Result<Method> {
        Ok(self.clone())
    }
}

impl IntoMethod for &str {
    fn into_method(self) -> Result<Method> {
        Method::from_bytes(self.to_ascii_uppercase().as_bytes()).map_err(|_| {
            Error::local_protocol(format!(
                "Invalid HTTP method {self:?}: a method is a token such as GET"
            ))
        })
    }
}

impl IntoMethod for String {
    fn into_method(self) -> Result<Method> {
        self.as_str().into_method()
    }
}

/// Settings a transport reads from each request: the timeouts, the total deadline, the
/// redirect policy in force, the body size limit and, for the browser, fetch's
/// `credentials`.
///
/// A request builder fills them from the client's settings and the request's own;
/// a transport or an auth flow reads them with [`Request::options`].
///
/// # Examples
///
/// ```
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// use httpx::Timeout;
///
/// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).build());
/// let client = httpx::Client::builder()
///     .transport(transport)
///     .follow_redirects(true)
///     .max_redirects(5)
///     .max_body_size(1 << 20)
///     .build()?;
/// let request = client.get("https://example.org/").timeout(2.0).follow_redirects(false).build()?;
/// let options = request.options();
/// assert_eq!(options.timeout, Timeout::new(2.0));
/// assert!(!options.follow_redirects);
/// assert_eq!(options.max_redirects, 5);
/// assert_eq!(options.max_body_size, Some(1 << 20));
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The timeouts for this request.
    pub timeout: Timeout,
    /// When the total deadline passes, if there is one.
    pub deadline: Option<Instant>,
    /// Whether redirects are followed (transports that follow redirects themselves,
    /// like the browser's fetch, must honour it).
    pub follow_redirects: bool,
    /// The most redirects followed.
    pub max_redirects: usize,
    /// fetch's `credentials` option (browser cookies for this request); `None` leaves
    /// the host's default. Only the fetch transport reads it.
    pub credentials: Option<Credentials>,
    /// The most bytes the response body may decode to (`max_body_size`); `None` for no
    /// limit. The client applies it when the body is read; transports need not.
    pub max_body_size: Option<u64>,
}

impl Default for RequestOptions {
    fn default() -> RequestOptions {
        RequestOptions {
            timeout: Timeout::default(),
            deadline: None,
            follow_redirects: false,
            max_redirects: crate::config::DEFAULT_MAX_REDIRECTS,
            credentials: None,
            max_body_size: None,
        }
    }
}

/// An HTTP request: method, URL, headers and body, plus the options transports read.
///
/// [`Request::new`] adds a `Host` header, as httpx does. Clients build requests with
/// their request builders; building one by hand is for transports, auth flows, hooks
/// and tests.
///
/// ```
/// use httpx::{Method, Request, Url};
/// let mut request = Request::new(Method::POST, Url::parse("https://example.org:8443/items")?);
/// request.set_body("hello");
/// assert_eq!(request.headers().get("host").as_deref(), Some("example.org:8443"));
/// assert_eq!(request.headers().get("content-length").as_deref(), Some("5"));
/// assert_eq!(request.content()?, b"hello");
/// # Ok::<(), httpx::Error>(())
/// ```
pub struct Request {
    method: Method,
    url: Url,
    headers: Headers,
    body: Body,
    options: RequestOptions,
    extensions: http::Extensions,
    /// Headers the client added by itself (defaults such as `User-Agent`), which a host
    /// that forbids them may drop silently; a user's own header is refused instead.
    auto_headers: AutoHeaders,
}

/// The headers a client adds by itself; those it always may add are bits of a set,
/// so that marking and copying them allocates nothing.
#[derive(Clone, Default)]
struct AutoHeaders {
    known: u8,
    other: Vec<&'static str>,
}

const AUTO_HEADER_NAMES: [&str; 8] = [
    "host",
    "accept",
    "accept-encoding",
    "connection",
    "user-agent",
    "cookie",
    "content-length",
    "transfer-encoding",
];

impl AutoHeaders {
    fn mark(&mut self, name: &'static str) {
        match AUTO_HEADER_NAMES
            .iter()
            .position(|known| known.eq_ignore_ascii_case(name))
        {
            Some(bit) => self.known |= 1 << bit,
            None if !self.other.contains(&name) => self.other.push(name),
            None => {}
        }
    }

    fn contains(&self, name: &str) -> bool {
        AUTO_HEADER_NAMES
            .iter()
            .enumerate()
            .any(|(bit, known)| self.known & (1 << bit) != 0 && known.eq_ignore_ascii_case(name))
            || self.other.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

impl Request {
    /// A request with a `Host` header and no body.
    pub fn new(method: Method, url: Url) -> Request {
        let mut headers = Headers::new();
        if !url.raw_host().is_empty() {
            // A netloc is always a valid header value.
            let _ = headers.insert("Host", url.netloc());
        }
        let mut request = Request {
            method,
            url,
            headers,
            body: Body::empty(),
            options: RequestOptions::default(),
            extensions: http::Extensions::new(),
            auto_headers: AutoHeaders {
                known: 1,
                other: Vec::new(),
            },
        };
        request.set_content_length_headers();
        request
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Sets the method.
    pub fn set_method(&mut self, method: Method) {
        self.method = method;
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Sets the URL (and the `Host` header, when it named the old URL's host).
    pub fn set_url(&mut self, url: Url) {
        if self.headers.get("host").as_deref() == Some(self.url.netloc().as_str()) {
            let _ = self.headers.insert("Host", url.netloc());
        }
        self.url = url;
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The body, to change in place (for transports that take it).
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }

    /// Replaces the body, setting `Content-Length` (or `Transfer-Encoding: chunked`
    /// for a stream of unknown length) to match.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{Body, Method, Request, Url};
    ///
    /// let mut request = Request::new(Method::PUT, Url::parse("https://example.org/upload")?);
    /// request.set_body(vec![0u8; 1024]);
    /// assert_eq!(request.headers().get("content-length").as_deref(), Some("1024"));
    ///
    /// let chunks = ["part 1", "part 2"].into_iter().map(Ok::<_, std::io::Error>);
    /// request.set_body(Body::from_iter(chunks, None));
    /// assert_eq!(request.headers().get("transfer-encoding").as_deref(), Some("chunked"));
    /// assert!(!request.headers().contains("content-length"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn set_body(&mut self, body: impl Into<Body>) {
        self.body = body.into();
        self.headers.remove("content-length");
        self.headers.remove("transfer-encoding");
        self.set_content_length_headers();
    }

    /// Takes the body out, leaving it empty (headers untouched).
    pub fn take_body(&mut self) -> Body {
        std::mem::take(&mut self.body)
    }

    /// httpx's rules: a known length is sent as `Content-Length` (also `0` for POST,
    /// PUT and PATCH without a body), an unknown one as chunked.
    pub(crate) fn set_content_length_headers(&mut self) {
        if self.headers.contains("content-length") || self.headers.contains("transfer-encoding") {
            return;
        }
        match self.body.len() {
            Some(0) if !matches!(self.method, Method::POST | Method::PUT | Method::PATCH) => {}
            Some(n) => {
                let _ = self.headers.insert("Content-Length", n.to_string());
            }
            None => {
                let _ = self.headers.insert("Transfer-Encoding", "chunked");
                self.mark_auto_header("transfer-encoding");
                return;
            }
        }
        if self.headers.contains("content-length") {
            self.mark_auto_header("content-length");
        }
    }

    /// The body bytes. A stream that has not been read is a `RequestNotRead` error.
    pub fn content(&self) -> Result<&[u8]> {
        match self.body.as_bytes() {
            Some(b) => Ok(b),
            None if self.body.is_consumed() => Err(Error::stream_consumed()),
            None => Err(Error::request_not_read()),
        }
    }

    /// Reads a blocking body stream into memory and returns the bytes.
    pub fn read(&mut self) -> Result<&[u8]> {
        self.body.read_blocking()
    }

    /// Reads any body stream into memory and returns the bytes.
    pub async fn aread(&mut self) -> Result<&[u8]> {
        self.body.read_async().await
    }

    /// The timeouts, deadline and redirect policy transports apply to this request.
    pub fn options(&self) -> &RequestOptions {
        &self.options
    }

    /// The options, to change.
    pub fn options_mut(&mut self) -> &mut RequestOptions {
        &mut self.options
    }

    /// The timeouts for this request.
    pub fn timeout(&self) -> &Timeout {
        &self.options.timeout
    }

    /// Extra typed values for transports and hooks (httpx's `extensions`).
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// Extra typed values, to change.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }

    /// A copy whose body is taken for sending: the copy keeps bytes for replays, or a
    /// consumed marker for streams. Used by the send loop to keep the request it sent.
    pub(crate) fn split_for_send(&mut self) -> Result<Request> {
        let body = self.body.take_for_send()?;
        Ok(self.with_body(body))
    }

    /// A copy of everything but the body, with `body`.
    fn with_body(&self, body: Body) -> Request {
        Request {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body,
            options: self.options.clone(),
            extensions: self.extensions.clone(),
            auto_headers: self.auto_headers.clone(),
        }
    }

    /// Builds a request from parts, without touching the headers.
    pub(crate) fn from_parts(method: Method, url: Url, headers: Headers, body: Body) -> Request {
        Request {
            method,
            url,
            headers,
            body,
            options: RequestOptions::default(),
            extensions: http::Extensions::new(),
            auto_headers: AutoHeaders::default(),
        }
    }

    /// Marks `name` as a header the client added by itself.
    pub(crate) fn mark_auto_header(&mut self, name: &'static str) {
        self.auto_headers.mark(name);
    }

    /// Whether `name` was added by the client rather than the user.
    pub(crate) fn is_auto_header(&self, name: &str) -> bool {
        self.auto_headers.contains(name)
    }

    /// Takes over which headers were added by the client.
    pub(crate) fn inherit_auto_headers(&mut self, from: &Request) {
        self.auto_headers = from.auto_headers.clone();
    }
}

impl Clone for Request {
    /// Copies the request. A streaming body cannot be copied: the copy's body is marked
    /// consumed, and sending the copy fails with `StreamConsumed`.
    fn clone(&self) -> Request {
        let body = match &self.body.inner {
            BodyInner::Empty => Body::empty(),
            BodyInner::Bytes(b) => Body::from_bytes(b.clone()),
            _ => Body {
                inner: BodyInner::Consumed,
            },
        };
        self.with_body(body)
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl<B: Into<Body>> TryFrom<http::Request<B>> for Request {
    type Error = Error;
    /// Converts an `http::Request`; its URI must be absolute.
    fn try_from(request: http::Request<B>) -> Result<Request> {
        let (parts, body) = request.into_parts();
        let url = Url::try_from(&parts.uri)?;
        let mut headers = Headers::from(&parts.headers);
        if !headers.contains("host") && !url.raw_host().is_empty() {
            let mut with_host = Headers::new();
            let _ = with_host.insert("Host", url.netloc());
            with_host.update(&headers);
            headers = with_host;
        }
        let mut request = Request::from_parts(parts.method, url, headers, body.into());
        request.extensions = parts.extensions;
        request.set_content_length_headers();
        Ok(request)
    }
}

impl TryFrom<Request> for http::Request<Body> {
    type Error = Error;
    /// Converts into an `http::Request` with an absolute URI; the body stays as it is.
    fn try_from(request: Request) -> Result<http::Request<Body>> {
        let uri = http::Uri::try_from(&request.url)?;
        let mut builder = http::Request::builder().method(request.method).uri(uri);
        if let Some(headers) = builder.headers_mut() {
            *headers = request.headers.to_header_map()?;
        }
        if let Some(ext) = builder.extensions_mut() {
            *ext = request.extensions;
        }
        builder
            .body(request.body)
            .map_err(|e| Error::local_protocol(format!("Invalid request: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn host_and_content_length_headers() {
        let r = Request::new(Method::GET, url("http://example.org/"));
        assert_eq!(r.headers().get("host").as_deref(), Some("example.org"));
        assert!(!r.headers().contains("content-length"));
        let r = Request::new(Method::POST, url("http://example.org/"));
        assert_eq!(r.headers().get("content-length").as_deref(), Some("0"));
        let mut r = Request::new(Method::PUT, url("http://example.org/"));
        r.set_body(Body::from_iter(vec![Ok::<_, Error>(b"a".to_vec())], None));
        assert_eq!(
            r.headers().get("transfer-encoding").as_deref(),
            Some("chunked")
        );
        assert_eq!(
            r.content().unwrap_err().kind(),
            crate::ErrorKind::RequestNotRead
        );
        assert_eq!(r.read().unwrap(), b"a");
        assert_eq!(r.content().unwrap(), b"a");
    }

    #[test]
    fn streams_send_once() {
        let mut r = Request::new(Method::POST, url("http://example.org/"));
        r.set_body(Body::from_iter(vec![Ok::<_, Error>("x")], Some(1)));
        assert_eq!(r.headers().get("content-length").as_deref(), Some("1"));
        let sent = r.split_for_send().unwrap();
        assert!(sent.body().is_stream() && !sent.body().is_consumed());
        assert!(r.body().is_consumed());
        assert_eq!(
            r.split_for_send().unwrap_err().kind(),
            crate::ErrorKind::StreamConsumed
        );
    }

    #[test]
    fn bytes_replay() {
        let mut r = Request::new(Method::POST, url("http://example.org/"));
        r.set_body("abc");
        let a = r.split_for_send().unwrap();
        let b = r.split_for_send().unwrap();
        assert_eq!(a.content().unwrap(), b"abc");
        assert_eq!(b.content().unwrap(), b"abc");
    }

    #[test]
    fn methods_are_uppercased_tokens() {
        assert_eq!("get".into_method().unwrap(), Method::GET);
        assert!("GE T".into_method().is_err());
        assert!("GET\r\n".into_method().is_err());
    }

    #[test]
    fn http_interop() {
        let req = http::Request::post("https://example.org/a?b=c")
            .header("x-a", "1")
            .body("payload")
            .unwrap();
        let r = Request::try_from(req).unwrap();
        assert_eq!(r.url().as_str(), "https://example.org/a?b=c");
        assert_eq!(r.headers().get("host").as_deref(), Some("example.org"));
        assert_eq!(r.headers().get("content-length").as_deref(), Some("7"));
        let back = http::Request::<Body>::try_from(r).unwrap();
        assert_eq!(back.headers()["x-a"], "1");
        assert_eq!(back.body().as_bytes(), Some(&b"payload"[..]));
    }
}
