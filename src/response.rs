//! [`Response`]: status, headers, the body read in full or streamed, text and JSON.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use sync_wrapper::SyncWrapper;

use crate::config::DefaultEncoding;
use crate::decoders::{
    ByteChunker, Charset, ContentDecoder, LineDecoder, TextChunker, TextDecoder,
};
use crate::error::{Error, Result, StatusError};
use crate::headers::{content_type_param, Headers};
use crate::request::Request;
use crate::rt::{BoxIter, BoxStream, Instant, MaybeSend};
use crate::status::StatusCode;
use crate::url::Url;

/// Where the raw (still encoded) body comes from.
enum Source {
    Bytes(Option<Bytes>),
    Iter(SyncWrapper<BoxIter<'static, Result<Bytes>>>),
    Stream(SyncWrapper<BoxStream<'static, Result<Bytes>>>),
}

impl Source {
    fn is_async(&self) -> bool {
        matches!(self, Source::Stream(_))
    }

    fn next_blocking(&mut self) -> Option<Result<Bytes>> {
        match self {
            Source::Bytes(b) => b.take().map(Ok),
            Source::Iter(iter) => iter.get_mut().next(),
            Source::Stream(_) => Some(Err(sync_on_async())),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        match self {
            Source::Bytes(b) => Poll::Ready(b.take().map(Ok)),
            Source::Iter(iter) => Poll::Ready(iter.get_mut().next()),
            Source::Stream(stream) => stream.get_mut().as_mut().poll_next(cx),
        }
    }
}

fn sync_on_async() -> Error {
    Error::invalid_state(
        "Attempted to read an async response body from sync code; \
         use `aread()` / `aiter_bytes()` (the response came from an async transport).",
    )
}

/// A response: status, headers, and a body that is read in full (httpx's non-streaming
/// calls) or streamed on demand (`Client::stream`).
///
/// A response returned by `send()` has its body read: [`content`](Response::content),
/// [`text`](Response::text) and [`json`](Response::json) are plain methods. A streamed
/// one needs [`read`](Response::read) / [`aread`](Response::aread) first, or is consumed
/// with the iterators; otherwise those methods return `ResponseNotRead`.
///
/// ```
/// use httpx::Response;
/// let response = Response::builder(200).json(&serde_json::json!({"a": 1})).build()?;
/// assert!(response.is_success());
/// assert_eq!(response.headers().get("content-type").as_deref(), Some("application/json"));
/// assert_eq!(response.text()?, r#"{"a":1}"#);
/// let value: serde_json::Value = response.json()?;
/// assert_eq!(value["a"], 1);
/// # Ok::<(), httpx::Error>(())
/// ```
pub struct Response {
    status: StatusCode,
    version: http::Version,
    reason: Option<String>,
    headers: Headers,
    request: Option<Request>,
    /// The responses before this one, shared with theirs: see [`History`].
    history: History,
    next_request: Option<Box<Request>>,
    started: Option<Instant>,
    elapsed: Option<Duration>,
    default_encoding: DefaultEncoding,
    explicit_encoding: Option<Charset>,
    source: Option<Source>,
    content: Option<Bytes>,
    /// Whether the text was decoded: the encoding can no longer change (httpx).
    text_accessed: AtomicBool,
    stream_consumed: bool,
    closed: bool,
    num_bytes_downloaded: u64,
    opaque_redirect: bool,
    /// Where the body came from when the host followed redirects itself (fetch).
    final_url: Option<Url>,
    extensions: http::Extensions,
}

impl Response {
    /// A response with `status`, no headers and an empty body (already read).
    pub fn new(status: impl Into<StatusCode>) -> Response {
        let mut response = Response::with_source(status.into(), Headers::new(), None);
        response.content = Some(Bytes::new());
        response.stream_consumed = true;
        response.closed = true;
        response
    }

    /// A builder for a response, for transports, mock handlers and tests.
    pub fn builder(status: impl Into<StatusCode>) -> ResponseBuilder {
        ResponseBuilder {
            status: status.into(),
            version: http::Version::HTTP_11,
            reason: None,
            headers: Headers::new(),
            body: BuilderBody::Empty,
            content_headers: Vec::new(),
            extensions: http::Extensions::new(),
            error: None,
        }
    }

    fn with_source(status: StatusCode, headers: Headers, source: Option<Source>) -> Response {
        Response {
            status,
            version: http::Version::HTTP_11,
            reason: None,
            headers,
            request: None,
            history: History::default(),
            next_request: None,
            started: None,
            elapsed: None,
            default_encoding: DefaultEncoding::default(),
            explicit_encoding: None,
            source,
            content: None,
            text_accessed: AtomicBool::new(false),
            stream_consumed: false,
            closed: false,
            num_bytes_downloaded: 0,
            opaque_redirect: false,
            final_url: None,
            extensions: http::Extensions::new(),
        }
    }

    /// A copy of a response whose body was read or closed (for histories): the content
    /// is shared, the stream is not copied.
    pub(crate) fn clone_read(&self) -> Response {
        Response {
            status: self.status,
            version: self.version,
            reason: self.reason.clone(),
            headers: self.headers.clone(),
            request: self.request.clone(),
            history: self.history.clone(),
            next_request: self.next_request.clone(),
            started: self.started,
            elapsed: self.elapsed,
            default_encoding: self.default_encoding.clone(),
            explicit_encoding: self.explicit_encoding,
            source: None,
            content: self.content.clone(),
            text_accessed: AtomicBool::new(self.text_accessed.load(Ordering::Relaxed)),
            stream_consumed: true,
            closed: true,
            num_bytes_downloaded: self.num_bytes_downloaded,
            opaque_redirect: self.opaque_redirect,
            final_url: self.final_url.clone(),
            extensions: self.extensions.clone(),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The status code as a number (httpx's `status_code`).
    pub fn status_code(&self) -> u16 {
        self.status.as_u16()
    }

    /// The reason phrase the server sent, or the standard one for the status.
    /// (Hosts that do not report one, such as WASI and HTTP/2, get the standard one.)
    pub fn reason_phrase(&self) -> &str {
        self.reason
            .as_deref()
            .unwrap_or_else(|| self.status.reason_phrase())
    }

    /// The HTTP version as httpx names it: `"HTTP/1.1"`, `"HTTP/2"`, ...
    /// Hosts that do not report one (WASI, the browser) say `"HTTP/1.1"`.
    pub fn http_version(&self) -> &'static str {
        match self.version {
            http::Version::HTTP_09 => "HTTP/0.9",
            http::Version::HTTP_10 => "HTTP/1.0",
            http::Version::HTTP_2 => "HTTP/2",
            http::Version::HTTP_3 => "HTTP/3",
            _ => "HTTP/1.1",
        }
    }

    /// The HTTP version.
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The headers, to change (hooks, transports).
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The request this response answers. Set on every response a client returns.
    pub fn request(&self) -> Option<&Request> {
        self.request.as_ref()
    }

    /// Sets the request this response answers.
    pub fn set_request(&mut self, request: Request) {
        self.request = Some(request);
    }

    /// The URL of this response: the URL of the request it answers, or, when the host
    /// followed redirects by itself (the browser's fetch), the URL it ended at.
    pub fn url(&self) -> Option<&Url> {
        self.final_url
            .as_ref()
            .or_else(|| self.request.as_ref().map(Request::url))
    }

    /// Records the URL a host-followed redirect chain ended at (for transports whose
    /// host follows redirects, such as fetch): [`url`](Response::url) returns it, while
    /// [`request`](Response::request) stays the request the client sent.
    pub fn set_final_url(&mut self, url: Url) {
        self.final_url = Some(url);
    }

    /// The responses of the redirects (and auth steps) that led to this one, oldest first.
    pub fn history(&self) -> &[Response] {
        self.history.as_slice()
    }

    pub(crate) fn set_history(&mut self, history: History) {
        self.history = history;
    }

    /// When redirects are not followed: the request the redirect points to.
    pub fn next_request(&self) -> Option<&Request> {
        self.next_request.as_deref()
    }

    /// Takes the redirect's next request out, to send it.
    pub fn take_next_request(&mut self) -> Option<Request> {
        self.next_request.take().map(|b| *b)
    }

    pub(crate) fn set_next_request(&mut self, request: Request) {
        self.next_request = Some(Box::new(request));
    }

    /// The time from sending the request until the body was read or closed; `None`
    /// before that, or for a response no client sent.
    pub fn elapsed(&self) -> Option<Duration> {
        self.elapsed
    }

    pub(crate) fn start_timer(&mut self, started: Instant) {
        self.started = Some(started);
        self.elapsed = None;
    }

    /// Extra typed values from the transport (httpx's `extensions`).
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// Extra typed values, to change.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }

    /// The raw body bytes received so far.
    pub fn num_bytes_downloaded(&self) -> u64 {
        self.num_bytes_downloaded
    }

    /// Whether the body was read or streamed to the end, or the response closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the body stream has been taken (read, iterated or closed).
    pub fn is_stream_consumed(&self) -> bool {
        self.stream_consumed
    }

    /// Whether this is the browser's opaque redirect: with `follow_redirects` off, the
    /// fetch transport receives a redirect whose status, headers and `Location` are
    /// hidden from the page. Its [`status`](Response::status) is 0 and
    /// [`is_redirect`](Response::is_redirect) is true.
    pub fn is_opaque_redirect(&self) -> bool {
        self.opaque_redirect
    }

    /// Marks this response as the browser's opaque redirect (for the fetch transport).
    pub fn set_opaque_redirect(&mut self, opaque: bool) {
        self.opaque_redirect = opaque;
    }

    /// 1xx.
    pub fn is_informational(&self) -> bool {
        self.status.is_informational()
    }
    /// 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
    /// 301, 302, 303, 307 or 308 (or the browser's opaque redirect).
    pub fn is_redirect(&self) -> bool {
        self.status.is_redirect() || self.opaque_redirect
    }
    /// 4xx.
    pub fn is_client_error(&self) -> bool {
        self.status.is_client_error()
    }
    /// 5xx.
    pub fn is_server_error(&self) -> bool {
        self.status.is_server_error()
    }
    /// 4xx or 5xx.
    pub fn is_error(&self) -> bool {
        self.status.is_error()
    }

    /// A redirect status with a `Location` header: a redirect a client can follow.
    pub fn has_redirect_location(&self) -> bool {
        self.status.is_redirect() && self.headers.contains("location")
    }

    /// The response itself when the status is 2xx, else an
    /// [`HttpStatus`](crate::ErrorKind::HttpStatus) error with httpx's message, which
    /// carries the status, headers and (when read) body.
    ///
    /// ```
    /// # use httpx::{Method, Request, Response, Url};
    /// let mut response = Response::new(404);
    /// response.set_request(Request::new(Method::GET, Url::parse("https://example.org/x")?));
    /// let err = response.raise_for_status().unwrap_err();
    /// assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    /// assert!(err.to_string().starts_with("Client error '404 Not Found' for url 'https://example.org/x'"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn raise_for_status(self) -> Result<Response> {
        self.check_status()?;
        Ok(self)
    }

    /// [`raise_for_status`](Response::raise_for_status) by reference.
    pub fn check_status(&self) -> Result<()> {
        let Some(request) = &self.request else {
            return Err(Error::invalid_state(
                "Cannot call `raise_for_status` as the request instance has not been set on this response.",
            ));
        };
        if self.is_success() {
            return Ok(());
        }
        let error_type = match self.status.as_u16() / 100 {
            1 => "Informational response",
            3 => "Redirect response",
            4 => "Client error",
            5 => "Server error",
            _ => "Invalid status code",
        };
        let url = self.url().unwrap_or(request.url()).without_userinfo();
        let mut message = format!(
            "{error_type} '{} {}' for url '{url}'\n",
            self.status.as_u16(),
            self.reason_phrase()
        );
        if self.has_redirect_location() {
            let location = self.headers.get("location").unwrap_or_default();
            message.push_str(&format!("Redirect location: '{location}'\n"));
        }
        message.push_str(&format!(
            "For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/{}",
            self.status.as_u16()
        ));
        Err(Error::new(crate::ErrorKind::HttpStatus, message)
            .with_request(request.method(), request.url())
            .with_status(StatusError {
                status: self.status,
                reason_phrase: self.reason_phrase().to_string(),
                headers: self.headers.clone(),
                body: self.content.clone(),
            }))
    }

    /// The `Link` header parsed, keyed by `rel` (or by URL when there is no `rel`).
    pub fn links(&self) -> HashMap<String, Link> {
        let Some(header) = self.headers.get("link") else {
            return HashMap::new();
        };
        parse_links(&header)
            .into_iter()
            .map(|link| {
                let key = link.rel().unwrap_or(&link.url).to_string();
                (key, link)
            })
            .collect()
    }

    /// The charset named by the `Content-Type` header.
    pub fn charset_encoding(&self) -> Option<String> {
        let content_type = self.headers.get("content-type")?;
        content_type_param(&content_type, "charset")
    }

    fn charset(&self) -> Charset {
        if let Some(charset) = self.explicit_encoding {
            return charset;
        }
        if let Some(charset) = self.charset_encoding().and_then(|l| Charset::for_label(&l)) {
            return charset;
        }
        match &self.default_encoding {
            DefaultEncoding::Label(label) => Charset::for_label(label).unwrap_or(Charset::UTF_8),
            DefaultEncoding::Detect(detect) => self
                .content
                .as_deref()
                .and_then(|content| detect(content))
                .and_then(|label| Charset::for_label(&label))
                .unwrap_or(Charset::UTF_8),
        }
    }

    /// The encoding used to decode the text: set explicitly, else the `Content-Type`
    /// charset, else the client's `default_encoding`, else UTF-8.
    pub fn encoding(&self) -> &'static str {
        self.charset().name()
    }

    /// Sets the encoding used for the text. Fails once the text has been decoded, as
    /// in httpx, and for a label no decoder knows.
    pub fn set_encoding(&mut self, label: &str) -> Result<()> {
        if self.text_accessed.load(Ordering::Relaxed) {
            return Err(Error::invalid_state(
                "Setting encoding after `text` has been accessed is not allowed.",
            ));
        }
        let charset = Charset::for_label(label)
            .ok_or_else(|| Error::decoding(format!("Unknown encoding {label:?}")))?;
        self.explicit_encoding = Some(charset);
        Ok(())
    }

    pub(crate) fn set_default_encoding(&mut self, encoding: DefaultEncoding) {
        self.default_encoding = encoding;
    }

    /// The `Content-Length` header: the size of the body as sent, before any content
    /// decoding (a gzip body's compressed size). `None` when the header is missing or
    /// not a number (a chunked or HTTP/2 body of unknown length, say). For the size of
    /// a read body, use `content()?.len()`.
    ///
    /// ```
    /// let response = httpx::Response::builder(200).content("hello").build()?;
    /// assert_eq!(response.content_length(), Some(5));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        let value = self.headers.get("content-length")?;
        // Repeated headers arrive joined with commas: equal values are one length.
        let mut lengths = value.split(',').map(|v| v.trim().parse::<u64>().ok());
        let first = lengths.next()??;
        lengths.all(|l| l == Some(first)).then_some(first)
    }

    /// The decoded body, borrowed. `ResponseNotRead` until the body has been read.
    ///
    /// [`bytes`](Response::bytes) returns the same buffer as an owned [`Bytes`] (a
    /// reference count, no copy), which also works on a temporary response.
    pub fn content(&self) -> Result<&Bytes> {
        self.content.as_ref().ok_or_else(Error::response_not_read)
    }

    /// The decoded body as an owned [`Bytes`] (reqwest's `bytes()`): the buffer the
    /// response holds, shared by reference count rather than copied. `ResponseNotRead`
    /// until the body has been read.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).content("raw").build());
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let body: bytes::Bytes = client.get("https://example.org/").send()?.bytes()?;
    /// assert_eq!(body, "raw");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn bytes(&self) -> Result<Bytes> {
        self.content().cloned()
    }

    /// The body decoded as text, with [`encoding`](Response::encoding); invalid
    /// sequences become U+FFFD. `ResponseNotRead` until the body has been read.
    ///
    /// The text is returned owned, so it outlives the response: the one-liner
    /// `let body = client.get(url).send()?.text()?;` compiles. Each call decodes the
    /// body again; keep the `String` rather than calling it in a loop. Once the text
    /// has been decoded, [`set_encoding`](Response::set_encoding) fails, as in httpx.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).text("hello").build());
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let body = client.get("https://example.org/").send()?.text()?;
    /// assert_eq!(body, "hello");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn text(&self) -> Result<String> {
        let content = self.content()?;
        self.text_accessed.store(true, Ordering::Relaxed);
        Ok(if content.is_empty() {
            String::new()
        } else {
            self.charset().decode(content)
        })
    }

    /// The body parsed as JSON.
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let content = self.content()?;
        // httpx calls Python's `json.loads(content)`, which reads UTF-8, UTF-16 and
        // UTF-32, detected by BOM or by the zero bytes of the first characters.
        let Some(text) = json_text(content) else {
            // Not valid in the detected encoding: try the declared charset.
            if self.charset() != Charset::UTF_8 {
                if let Ok(value) = serde_json::from_str(&self.text()?) {
                    return Ok(value);
                }
            }
            return Err(Error::decoding(
                "Invalid JSON in response body: it is not valid UTF-8, UTF-16 or UTF-32",
            ));
        };
        serde_json::from_str(&text)
            .map_err(|e| Error::decoding("Invalid JSON in response body").with_source(e))
    }

    fn request_context(&self, err: Error) -> Error {
        match &self.request {
            Some(r) => err.with_request(r.method(), r.url()),
            None => err,
        }
    }

    fn finish(&mut self) {
        self.closed = true;
        self.source = None;
        self.stop_timer();
    }

    /// Sets `elapsed` once, when the response was timed.
    fn stop_timer(&mut self) {
        if self.elapsed.is_none() {
            if let Some(started) = self.started {
                self.elapsed = Some(started.elapsed());
            }
        }
    }

    /// Takes the body source for streaming, checking the httpx stream rules.
    fn take_source(&mut self, for_sync: bool) -> Result<Source> {
        if self.stream_consumed {
            return Err(Error::stream_consumed());
        }
        if self.closed {
            return Err(Error::stream_closed());
        }
        if for_sync && self.source.as_ref().is_some_and(Source::is_async) {
            return Err(sync_on_async());
        }
        self.stream_consumed = true;
        self.num_bytes_downloaded = 0;
        Ok(self.source.take().unwrap_or(Source::Bytes(None)))
    }

    fn decoder(&self) -> Result<ContentDecoder> {
        if !self.headers.contains("content-encoding") {
            return ContentDecoder::new(std::iter::empty::<&str>());
        }
        let values = self.headers.get_list("content-encoding", false);
        ContentDecoder::new(&values)
    }

    /// How many bytes to reserve for reading the body: its `Content-Length` when the
    /// body is not content-encoded (the decoded size is then the same), at most
    /// [`MAX_SIZE_HINT`]; else 0.
    fn size_hint(&self) -> usize {
        let encoded = self
            .headers
            .get_list("content-encoding", false)
            .iter()
            .any(|coding| !coding.trim().eq_ignore_ascii_case("identity"));
        if encoded {
            return 0;
        }
        self.headers
            .get("content-length")
            .and_then(|length| length.trim().parse::<u64>().ok())
            .map_or(0, |length| length.min(MAX_SIZE_HINT as u64) as usize)
    }

    fn reader(&mut self, decode: bool, chunk_size: Option<usize>, for_sync: bool) -> Reader {
        let pending: VecDeque<Bytes> = VecDeque::new();
        let decoder = if decode { Some(self.decoder()) } else { None };
        let setup = match decoder.transpose() {
            Ok(decoder) => self.take_source(for_sync).map(|source| (source, decoder)),
            Err(e) => Err(e),
        };
        match setup {
            Ok((source, decoder)) => Reader {
                source: Some(source),
                decoder,
                chunker: ByteChunker::new(chunk_size),
                pending,
                eof: false,
                failed: None,
                finished: false,
            },
            Err(e) => Reader::failed(e),
        }
    }

    /// Reads the whole body (blocking) and returns the decoded content.
    pub fn read(&mut self) -> Result<&Bytes> {
        if self.content.is_none() {
            let mut body = BodyBuffer::new(self.size_hint());
            for chunk in self.iter_bytes() {
                body.push(chunk?);
            }
            self.content = Some(body.freeze());
        }
        // Also when closed already (a built response): sets `elapsed` once timed.
        self.finish();
        self.content()
    }

    /// Reads the body like [`read`](Response::read) unless its decoded size passes
    /// `limit`: then reading stops, the response is closed (its connection is not
    /// reused) and its content stays unread. Returns whether the body was read.
    /// The client reads the bodies of redirects it follows this way, so a hostile
    /// redirect cannot make it inflate an unbounded body (urllib3 CVE-2026-21441).
    // The blocking client, which uses it, does not exist in the browser.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), allow(dead_code))]
    pub(crate) fn read_bounded(&mut self, limit: usize) -> Result<bool> {
        if self.content.is_some() {
            self.finish();
            return Ok(true);
        }
        let mut body = BodyBuffer::new(self.size_hint().min(limit));
        let mut chunks = self.iter_bytes();
        for chunk in chunks.by_ref() {
            body.push(chunk?);
            if body.len() > limit {
                drop(chunks);
                self.finish();
                return Ok(false);
            }
        }
        drop(chunks);
        self.content = Some(body.freeze());
        self.finish();
        Ok(true)
    }

    /// The async form of [`read_bounded`](Response::read_bounded).
    pub(crate) async fn aread_bounded(&mut self, limit: usize) -> Result<bool> {
        if self.content.is_some() {
            self.finish();
            return Ok(true);
        }
        let mut body = BodyBuffer::new(self.size_hint().min(limit));
        let mut chunks = self.aiter_bytes();
        while let Some(chunk) = chunks.next().await {
            body.push(chunk?);
            if body.len() > limit {
                drop(chunks);
                self.finish();
                return Ok(false);
            }
        }
        drop(chunks);
        self.content = Some(body.freeze());
        self.finish();
        Ok(true)
    }

    /// Reads the whole body and returns the decoded content.
    pub async fn aread(&mut self) -> Result<&Bytes> {
        if self.content.is_none() {
            let mut body = BodyBuffer::new(self.size_hint());
            let mut stream = self.aiter_bytes();
            while let Some(chunk) = stream.next().await {
                body.push(chunk?);
            }
            drop(stream);
            self.content = Some(body.freeze());
        }
        // Also when closed already (a built response): sets `elapsed` once timed.
        self.finish();
        self.content()
    }

    /// Closes the response without reading the rest of the body, releasing the
    /// connection.
    pub fn close(&mut self) {
        self.finish();
    }

    /// Closes the response (async form of [`close`](Response::close)).
    pub async fn aclose(&mut self) {
        self.close();
    }

    /// The decoded body in chunks as they arrive (each at most 64 KiB after decoding).
    pub fn iter_bytes(&mut self) -> BytesIter<'_> {
        self.iter_bytes_chunked(None)
    }

    /// The decoded body re-chunked to exactly `chunk_size` bytes (the last may be shorter).
    pub fn iter_bytes_chunked(&mut self, chunk_size: Option<usize>) -> BytesIter<'_> {
        let reader = match &self.content {
            Some(content) => Reader::from_content(content.clone(), chunk_size),
            None => self.reader(true, chunk_size, true),
        };
        BytesIter {
            response: self,
            reader,
        }
    }

    /// The raw body as received, without content decoding.
    pub fn iter_raw(&mut self) -> BytesIter<'_> {
        self.iter_raw_chunked(None)
    }

    /// The raw body re-chunked to exactly `chunk_size` bytes.
    pub fn iter_raw_chunked(&mut self, chunk_size: Option<usize>) -> BytesIter<'_> {
        let reader = self.reader(false, chunk_size, true);
        BytesIter {
            response: self,
            reader,
        }
    }

    /// The body decoded to text in chunks.
    pub fn iter_text(&mut self) -> TextIter<'_> {
        self.iter_text_chunked(None)
    }

    /// The body decoded to text, re-chunked to `chunk_size` characters.
    pub fn iter_text_chunked(&mut self, chunk_size: Option<usize>) -> TextIter<'_> {
        let decoder = self.charset().new_decoder();
        TextIter {
            bytes: self.iter_bytes(),
            decoder,
            chunker: TextChunker::new(chunk_size),
            pending: VecDeque::new(),
            done: false,
        }
    }

    /// The body decoded to text, line by line (without line endings).
    pub fn iter_lines(&mut self) -> LinesIter<'_> {
        LinesIter {
            text: self.iter_text(),
            decoder: LineDecoder::new(),
            pending: VecDeque::new(),
            done: false,
        }
    }

    /// The decoded body as an async stream of chunks.
    pub fn aiter_bytes(&mut self) -> BytesStream<'_> {
        self.aiter_bytes_chunked(None)
    }

    /// The decoded body as an async stream, re-chunked to `chunk_size` bytes.
    pub fn aiter_bytes_chunked(&mut self, chunk_size: Option<usize>) -> BytesStream<'_> {
        let reader = match &self.content {
            Some(content) => Reader::from_content(content.clone(), chunk_size),
            None => self.reader(true, chunk_size, false),
        };
        BytesStream {
            response: self,
            reader,
        }
    }

    /// The raw body as an async stream, without content decoding.
    pub fn aiter_raw(&mut self) -> BytesStream<'_> {
        self.aiter_raw_chunked(None)
    }

    /// The raw body as an async stream, re-chunked to exactly `chunk_size` bytes.
    pub fn aiter_raw_chunked(&mut self, chunk_size: Option<usize>) -> BytesStream<'_> {
        let reader = self.reader(false, chunk_size, false);
        BytesStream {
            response: self,
            reader,
        }
    }

    /// The body decoded to text as an async stream.
    pub fn aiter_text(&mut self) -> impl Stream<Item = Result<String>> + '_ {
        self.aiter_text_chunked(None)
    }

    /// The body decoded to text as an async stream, re-chunked to `chunk_size`
    /// characters.
    pub fn aiter_text_chunked(
        &mut self,
        chunk_size: Option<usize>,
    ) -> impl Stream<Item = Result<String>> + '_ {
        let mut decoder = self.charset().new_decoder();
        let mut chunker = TextChunker::new(chunk_size);
        let mut pending: VecDeque<String> = VecDeque::new();
        let mut bytes = self.aiter_bytes();
        let mut done = false;
        futures_util::stream::poll_fn(move |cx| loop {
            if let Some(text) = pending.pop_front() {
                return Poll::Ready(Some(Ok(text)));
            }
            if done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut bytes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    pending.extend(chunker.decode(&decoder.decode(&chunk)));
                }
                Poll::Ready(Some(Err(e))) => {
                    done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    done = true;
                    pending.extend(chunker.decode(&decoder.flush()));
                    pending.extend(chunker.flush());
                }
            }
        })
    }

    /// The body decoded to text, line by line, as an async stream.
    pub fn aiter_lines(&mut self) -> impl Stream<Item = Result<String>> + '_ {
        let mut lines = LineDecoder::new();
        let mut text = Box::pin(self.aiter_text());
        let mut queue: VecDeque<String> = VecDeque::new();
        let mut done = false;
        futures_util::stream::poll_fn(move |cx| loop {
            if let Some(line) = queue.pop_front() {
                return Poll::Ready(Some(Ok(line)));
            }
            if done {
                return Poll::Ready(None);
            }
            match text.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => queue.extend(lines.decode(&chunk)),
                Poll::Ready(Some(Err(e))) => {
                    done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    done = true;
                    queue.extend(lines.flush());
                }
            }
        })
    }

    /// Cookies set by this response, as a jar (for its request URL).
    pub fn cookies(&self) -> crate::cookies::Cookies {
        let mut jar = crate::cookies::Cookies::new();
        if let Some(url) = self.url() {
            jar.extract_from_response(url, &self.headers);
        }
        jar
    }

    /// Splits off the parts needed to rebuild this response as an `http::Response`.
    fn into_parts_with_content(self) -> Result<(http::response::Builder, Bytes)> {
        let content = self.content.clone().ok_or_else(Error::response_not_read)?;
        let status = http::StatusCode::try_from(self.status)?;
        let mut builder = http::Response::builder()
            .status(status)
            .version(self.version);
        if let Some(headers) = builder.headers_mut() {
            *headers = self.headers.to_header_map()?;
        }
        Ok((builder, content))
    }
}

/// A JSON body's text, decoded as Python's `json.loads(bytes)` does: the encoding is
/// `json.detect_encoding`'s (a UTF-32, UTF-16 or UTF-8 byte order mark, else the zero
/// bytes that ASCII first characters have in UTF-16 and UTF-32), the BOM is dropped.
/// `None` when the bytes are not valid in that encoding.
#[cfg(feature = "json")]
fn json_text(b: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    // (bytes per code unit, big-endian, BOM length)
    let (width, big_endian, bom) = if b.starts_with(&[0, 0, 0xfe, 0xff]) {
        (4, true, 4)
    } else if b.starts_with(&[0xff, 0xfe, 0, 0]) {
        (4, false, 4)
    } else if b.starts_with(&[0xfe, 0xff]) {
        (2, true, 2)
    } else if b.starts_with(&[0xff, 0xfe]) {
        (2, false, 2)
    } else if b.starts_with(b"\xef\xbb\xbf") {
        (1, false, 3)
    } else if b.len() >= 4 && b[0] == 0 {
        (if b[1] != 0 { 2 } else { 4 }, true, 0)
    } else if b.len() >= 4 && b[1] == 0 {
        (if b[2] != 0 || b[3] != 0 { 2 } else { 4 }, false, 0)
    } else if b.len() == 2 && (b[0] == 0 || b[1] == 0) {
        (2, b[0] == 0, 0)
    } else {
        (1, false, 0)
    };
    let body = &b[bom..];
    if !body.len().is_multiple_of(width) {
        return None;
    }
    match width {
        1 => std::str::from_utf8(body).ok().map(Cow::Borrowed),
        2 => {
            let units = body.chunks_exact(2).map(|c| {
                let pair = [c[0], c[1]];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            });
            char::decode_utf16(units)
                .collect::<std::result::Result<String, _>>()
                .ok()
                .map(Cow::Owned)
        }
        _ => body
            .chunks_exact(4)
            .map(|c| {
                let quad = [c[0], c[1], c[2], c[3]];
                char::from_u32(if big_endian {
                    u32::from_be_bytes(quad)
                } else {
                    u32::from_le_bytes(quad)
                })
            })
            .collect::<Option<String>>()
            .map(Cow::Owned),
    }
}

/// The responses that led to a response (redirects and auth steps), oldest first.
///
/// Held as a list linked through [`Arc`]s, newest first: the history of a response
/// is the response just before it, whose own history continues the list. Each hop
/// adds one node and shares the rest, so a chain of n redirects keeps n responses
/// (copying the whole history at every hop kept n²/2: 618 MiB for 1,000 hops).
/// [`Response::history`] needs a slice: it is built on first use, from copies of
/// the responses that share the list (so O(n) for a history of n).
#[derive(Default)]
pub(crate) struct History {
    /// The response just before, which holds the rest of the list as its history.
    last: Option<Arc<Response>>,
    len: usize,
    /// The slice [`Response::history`] returns, built when first asked for.
    slice: OnceLock<Box<[Response]>>,
}

impl History {
    /// The history after `response`: its own history, then itself. `response` must
    /// have been read or closed (it is kept, not streamed).
    // The Arc is Send and Sync wherever Response is: natively. On wasm targets a
    // response is neither (host values are !Send), and the one thread never shares it.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    pub(crate) fn ending_with(response: Response) -> History {
        History {
            len: response.history.len + 1,
            last: Some(Arc::new(response)),
            slice: OnceLock::new(),
        }
    }

    /// The number of responses.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn as_slice(&self) -> &[Response] {
        if self.len == 0 {
            return &[];
        }
        self.slice.get_or_init(|| {
            let mut responses = Vec::with_capacity(self.len);
            let mut next = self.last.as_deref();
            while let Some(response) = next {
                responses.push(response.clone_read());
                next = response.history.last.as_deref();
            }
            responses.reverse();
            responses.into_boxed_slice()
        })
    }
}

impl Clone for History {
    /// Shares the list (O(1)); the slice is built again when asked for.
    fn clone(&self) -> History {
        History {
            last: self.last.clone(),
            len: self.len,
            slice: OnceLock::new(),
        }
    }
}

impl Drop for History {
    /// Unlinks the list in a loop: dropping it recursively, one frame set per
    /// response, could overflow the stack on a long redirect chain.
    fn drop(&mut self) {
        let mut next = self.last.take();
        while let Some(shared) = next {
            next = match Arc::into_inner(shared) {
                Some(mut response) => response.history.last.take(),
                // Still shared: the other owner drops the rest.
                None => None,
            };
        }
    }
}

/// The most a body's `Content-Length` makes [`Response::read`] reserve at once: a
/// larger (or lying) length grows the buffer as the bytes come instead.
const MAX_SIZE_HINT: usize = 64 * 1024 * 1024;

/// A body read in full, in one buffer that grows as the chunks come (collecting
/// the chunks and joining them held the body twice at the end).
struct BodyBuffer {
    /// The first chunk, kept as it is: a body of one chunk is not copied.
    first: Option<Bytes>,
    buf: BytesMut,
    /// The capacity to reserve once a second chunk comes.
    hint: usize,
}

impl BodyBuffer {
    fn new(hint: usize) -> BodyBuffer {
        BodyBuffer {
            first: None,
            buf: BytesMut::new(),
            hint,
        }
    }

    fn len(&self) -> usize {
        self.first.as_ref().map_or(0, Bytes::len) + self.buf.len()
    }

    fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.first.is_none() && self.buf.is_empty() {
            self.first = Some(chunk);
            return;
        }
        if let Some(first) = self.first.take() {
            // Allocated only now: a HEAD response's Content-Length reserves nothing.
            let needed = first.len() + chunk.len();
            self.buf = BytesMut::with_capacity(self.hint.max(needed));
            self.buf.extend_from_slice(&first);
        }
        self.buf.extend_from_slice(&chunk);
    }

    fn freeze(self) -> Bytes {
        match self.first {
            Some(first) => first,
            // A Content-Length larger than the body reserved more than twice what
            // came (growing never does): keep an exact copy, not the reservation.
            None if self.buf.capacity() > 2 * self.buf.len() => Bytes::copy_from_slice(&self.buf),
            None => self.buf.freeze(),
        }
    }
}

/// The body pump shared by the sync iterators and the async streams: raw chunks in,
/// decoded (and re-chunked) pieces out, never more than one decoder step at a time.
struct Reader {
    source: Option<Source>,
    decoder: Option<ContentDecoder>,
    chunker: ByteChunker,
    pending: VecDeque<Bytes>,
    eof: bool,
    failed: Option<Error>,
    finished: bool,
}

enum Produced {
    Chunk(Bytes),
    NeedInput,
    End,
    Failed(Error),
}

impl Reader {
    fn failed(err: Error) -> Reader {
        Reader {
            source: None,
            decoder: None,
            chunker: ByteChunker::new(None),
            pending: VecDeque::new(),
            eof: true,
            failed: Some(err),
            finished: true,
        }
    }

    /// Iterates already-read content (httpx yields it whole, or in `chunk_size` pieces).
    fn from_content(content: Bytes, chunk_size: Option<usize>) -> Reader {
        let mut pending = VecDeque::new();
        let size = chunk_size.unwrap_or(content.len()).max(1);
        let mut rest = content;
        while !rest.is_empty() {
            let piece = rest.split_to(size.min(rest.len()));
            pending.push_back(piece);
        }
        Reader {
            source: None,
            decoder: None,
            chunker: ByteChunker::new(None),
            pending,
            eof: true,
            failed: None,
            finished: true,
        }
    }

    fn produce(&mut self) -> Produced {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Produced::Chunk(chunk);
            }
            if let Some(err) = self.failed.take() {
                return Produced::Failed(err);
            }
            if self.finished {
                return Produced::End;
            }
            match &mut self.decoder {
                Some(decoder) => match decoder.next_output(self.eof) {
                    Ok(Some(out)) => self.chunker.decode_into(out, &mut self.pending),
                    Ok(None) if self.eof => {
                        self.finished = true;
                        self.chunker.flush_into(&mut self.pending);
                    }
                    Ok(None) => return Produced::NeedInput,
                    Err(e) => {
                        self.finished = true;
                        return Produced::Failed(e);
                    }
                },
                None if self.eof => {
                    self.finished = true;
                    self.chunker.flush_into(&mut self.pending);
                }
                None => return Produced::NeedInput,
            }
        }
    }

    fn feed(&mut self, input: Option<Result<Bytes>>, downloaded: &mut u64) {
        match input {
            Some(Ok(chunk)) => {
                *downloaded += chunk.len() as u64;
                match &mut self.decoder {
                    Some(decoder) => decoder.feed(chunk),
                    None => self.chunker.decode_into(chunk, &mut self.pending),
                }
            }
            Some(Err(e)) => {
                self.finished = true;
                self.failed = Some(e);
            }
            None => {
                self.eof = true;
                self.source = None;
            }
        }
    }
}

/// A blocking iterator over a response body; see [`Response::iter_bytes`].
pub struct BytesIter<'a> {
    response: &'a mut Response,
    reader: Reader,
}

impl Iterator for BytesIter<'_> {
    type Item = Result<Bytes>;

    fn next(&mut self) -> Option<Result<Bytes>> {
        loop {
            match self.reader.produce() {
                Produced::Chunk(chunk) => return Some(Ok(chunk)),
                Produced::End => {
                    // A body held in memory (a response built with content) stays
                    // readable; either way the exchange has ended.
                    if self.response.content.is_none() {
                        self.response.finish();
                    } else {
                        self.response.stop_timer();
                    }
                    return None;
                }
                Produced::Failed(err) => {
                    // An error before the body was taken (a sync read of an async
                    // body, a bad Content-Encoding) leaves the response as it was.
                    if self.response.source.is_none() {
                        self.response.finish();
                    }
                    return Some(Err(self.response.request_context(err)));
                }
                Produced::NeedInput => {
                    let input = match &mut self.reader.source {
                        Some(source) => source.next_blocking(),
                        None => None,
                    };
                    self.reader
                        .feed(input, &mut self.response.num_bytes_downloaded);
                }
            }
        }
    }
}

/// An async stream over a response body; see [`Response::aiter_bytes`].
pub struct BytesStream<'a> {
    response: &'a mut Response,
    reader: Reader,
}

impl Stream for BytesStream<'_> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            match this.reader.produce() {
                Produced::Chunk(chunk) => return Poll::Ready(Some(Ok(chunk))),
                Produced::End => {
                    // As in BytesIter.
                    if this.response.content.is_none() {
                        this.response.finish();
                    } else {
                        this.response.stop_timer();
                    }
                    return Poll::Ready(None);
                }
                Produced::Failed(err) => {
                    // As in BytesIter: a setup error leaves the response as it was.
                    if this.response.source.is_none() {
                        this.response.finish();
                    }
                    return Poll::Ready(Some(Err(this.response.request_context(err))));
                }
                Produced::NeedInput => {
                    let input = match &mut this.reader.source {
                        Some(source) => match source.poll_next(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(input) => input,
                        },
                        None => None,
                    };
                    this.reader
                        .feed(input, &mut this.response.num_bytes_downloaded);
                }
            }
        }
    }
}

/// A blocking iterator over a response body as text; see [`Response::iter_text`].
pub struct TextIter<'a> {
    bytes: BytesIter<'a>,
    decoder: TextDecoder,
    chunker: TextChunker,
    pending: VecDeque<String>,
    done: bool,
}

impl Iterator for TextIter<'_> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        loop {
            if let Some(text) = self.pending.pop_front() {
                return Some(Ok(text));
            }
            if self.done {
                return None;
            }
            match self.bytes.next() {
                Some(Ok(chunk)) => {
                    let text = self.decoder.decode(&chunk);
                    self.pending.extend(self.chunker.decode(&text));
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    let text = self.decoder.flush();
                    self.pending.extend(self.chunker.decode(&text));
                    self.pending.extend(self.chunker.flush());
                }
            }
        }
    }
}

/// A blocking iterator over a response body line by line; see [`Response::iter_lines`].
pub struct LinesIter<'a> {
    text: TextIter<'a>,
    decoder: LineDecoder,
    pending: VecDeque<String>,
    done: bool,
}

impl Iterator for LinesIter<'_> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        loop {
            if let Some(line) = self.pending.pop_front() {
                return Some(Ok(line));
            }
            if self.done {
                return None;
            }
            match self.text.next() {
                Some(Ok(text)) => self.pending.extend(self.decoder.decode(&text)),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    self.pending.extend(self.decoder.flush());
                }
            }
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<Response [{} {}]>",
            self.status.as_u16(),
            self.reason_phrase()
        )
    }
}

/// One entry of a `Link` header: the URL and its parameters (`rel`, `type`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The link target, as written.
    pub url: String,
    /// The parameters, in order.
    pub params: Vec<(String, String)>,
}

impl Link {
    /// The `rel` parameter.
    pub fn rel(&self) -> Option<&str> {
        self.get("rel")
    }

    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// httpx's `_parse_header_links`.
fn parse_links(value: &str) -> Vec<Link> {
    let strip = |s: &str| {
        s.trim_matches(|c| c == ' ' || c == '\'' || c == '"')
            .to_string()
    };
    let value = value.trim_matches(|c| c == ' ' || c == '\'' || c == '"');
    let mut links = Vec::new();
    if value.is_empty() {
        return links;
    }
    for (i, part) in split_links(value).into_iter().enumerate() {
        let part = if i > 0 {
            format!("<{part}")
        } else {
            part.to_string()
        };
        let (url, params) = part.split_once(';').unwrap_or((&part, ""));
        let url = url
            .trim_matches(|c| c == '<' || c == '>' || c == ' ' || c == '\'' || c == '"')
            .to_string();
        let mut link = Link {
            url,
            params: Vec::new(),
        };
        for param in params.split(';') {
            let mut kv = param.split('=');
            let (Some(k), Some(v), None) = (kv.next(), kv.next(), kv.next()) else {
                break;
            };
            link.params.push((strip(k), strip(v)));
        }
        links.push(link);
    }
    links
}

/// Splits on `, *<` as httpx's regex does.
fn split_links(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'<' {
                parts.push(&value[start..i]);
                start = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    parts.push(&value[start..]);
    parts
}

enum BuilderBody {
    Empty,
    Bytes(Bytes),
    Iter(BoxIter<'static, Result<Bytes>>),
    Stream(BoxStream<'static, Result<Bytes>>),
}

/// Builds a [`Response`]; see [`Response::builder`].
///
/// Content set with [`content`](ResponseBuilder::content), [`text`](ResponseBuilder::text),
/// [`html`](ResponseBuilder::html) or [`json`](ResponseBuilder::json) gets httpx's
/// automatic headers (`Content-Length`, `Content-Type`) unless set already, and is
/// decoded at once according to `Content-Encoding`, as httpx does. A stream is read
/// later, by the client or by the caller.
#[must_use = "call build() to get the response"]
pub struct ResponseBuilder {
    status: StatusCode,
    version: http::Version,
    reason: Option<String>,
    headers: Headers,
    body: BuilderBody,
    content_headers: Vec<(&'static str, String)>,
    extensions: http::Extensions,
    error: Option<Error>,
}

impl ResponseBuilder {
    /// Adds a header (an invalid one makes `build` fail).
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if let Err(e) = self.headers.append(name, value) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Adds headers.
    pub fn headers(mut self, headers: &Headers) -> Self {
        // A `Headers` holds only valid pairs: no need to check them again.
        self.headers.append_all(headers.clone());
        self
    }

    /// Sets the HTTP version.
    pub fn version(mut self, version: http::Version) -> Self {
        self.version = version;
        self
    }

    /// Sets the reason phrase the server sent.
    pub fn reason_phrase(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }

    /// Sets the body to bytes (with `Content-Length`).
    pub fn content(mut self, content: impl Into<Bytes>) -> Self {
        let content = content.into();
        self.content_headers = vec![("Content-Length", content.len().to_string())];
        self.body = BuilderBody::Bytes(content);
        self
    }

    /// Sets a text body (`text/plain; charset=utf-8`).
    pub fn text(self, text: impl Into<String>) -> Self {
        let mut this = self.content(text.into());
        this.content_headers
            .push(("Content-Type", "text/plain; charset=utf-8".into()));
        this
    }

    /// Sets an HTML body (`text/html; charset=utf-8`).
    pub fn html(self, html: impl Into<String>) -> Self {
        let mut this = self.content(html.into());
        this.content_headers
            .push(("Content-Type", "text/html; charset=utf-8".into()));
        this
    }

    /// Sets a JSON body (`application/json`, compact as httpx 0.28 writes it).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                self = self.content(bytes);
                self.content_headers
                    .push(("Content-Type", "application/json".into()));
            }
            Err(e) => {
                self.error
                    .get_or_insert(Error::local_protocol("Cannot serialise JSON").with_source(e));
            }
        }
        self
    }

    /// Sets a blocking stream body (`Transfer-Encoding: chunked` unless a length is set).
    pub fn stream<I, B>(mut self, iter: I) -> Self
    where
        I: IntoIterator<Item = Result<B>>,
        I::IntoIter: MaybeSend + 'static,
        B: Into<Bytes>,
    {
        self.body = BuilderBody::Iter(Box::new(iter.into_iter().map(|r| r.map(Into::into))));
        self.content_headers = vec![("Transfer-Encoding", "chunked".into())];
        self
    }

    /// Sets a body from a transport's raw blocking stream: no headers are added.
    pub fn raw_stream<I>(mut self, iter: I) -> Self
    where
        I: Iterator<Item = Result<Bytes>> + MaybeSend + 'static,
    {
        self.body = BuilderBody::Iter(Box::new(iter));
        self.content_headers.clear();
        self
    }

    /// Sets an async stream body (`Transfer-Encoding: chunked` unless a length is set).
    pub fn async_stream<S, B>(mut self, stream: S) -> Self
    where
        S: Stream<Item = Result<B>> + MaybeSend + 'static,
        B: Into<Bytes>,
    {
        self.body = BuilderBody::Stream(Box::pin(stream.map(|r| r.map(Into::into))));
        self.content_headers = vec![("Transfer-Encoding", "chunked".into())];
        self
    }

    /// Sets a body from a transport's raw async stream: no headers are added.
    pub fn raw_async_stream<S>(mut self, stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes>> + MaybeSend + 'static,
    {
        self.body = BuilderBody::Stream(Box::pin(stream));
        self.content_headers.clear();
        self
    }

    /// Adds a typed extension value.
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Builds the response. Fails for an invalid header, JSON that cannot be
    /// serialised, or bytes content that does not decode as its `Content-Encoding` says.
    pub fn build(mut self) -> Result<Response> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for (name, value) in &self.content_headers {
            if *name == "Transfer-Encoding" && self.headers.contains("content-length") {
                continue;
            }
            self.headers.set_default(name, value)?;
        }
        let (source, read_now) = match self.body {
            BuilderBody::Empty => (Source::Bytes(None), true),
            BuilderBody::Bytes(b) => (Source::Bytes(Some(b)), true),
            BuilderBody::Iter(iter) => (Source::Iter(SyncWrapper::new(iter)), false),
            BuilderBody::Stream(stream) => (Source::Stream(SyncWrapper::new(stream)), false),
        };
        let mut response = Response::with_source(self.status, self.headers, Some(source));
        response.version = self.version;
        response.reason = self.reason;
        response.extensions = self.extensions;
        if read_now {
            // Read and closed, as httpx's `Response(content=...)` is.
            response.read()?;
        }
        Ok(response)
    }
}

impl<B: Into<Bytes>> TryFrom<http::Response<B>> for Response {
    type Error = Error;
    /// Converts an `http::Response` with an in-memory body (decoded at once).
    fn try_from(response: http::Response<B>) -> Result<Response> {
        let (parts, body) = response.into_parts();
        let mut builder = Response::builder(parts.status)
            .version(parts.version)
            .headers(&Headers::from(&parts.headers));
        builder.body = BuilderBody::Bytes(body.into());
        builder.extensions = parts.extensions;
        builder.build()
    }
}

impl TryFrom<Response> for http::Response<Bytes> {
    type Error = Error;
    /// Converts a read response into an `http::Response` holding the decoded content
    /// (`ResponseNotRead` for a response whose body was not read).
    fn try_from(response: Response) -> Result<http::Response<Bytes>> {
        let (builder, content) = response.into_parts_with_content()?;
        builder
            .body(content)
            .map_err(|e| Error::remote_protocol("Invalid response").with_source(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_host_followed_redirect_sets_the_response_url() {
        let sent = Url::parse("https://example.org/start").unwrap();
        let mut response = Response::new(404);
        response.set_request(Request::new(http::Method::GET, sent.clone()));
        assert_eq!(response.url(), Some(&sent));
        response.set_final_url(Url::parse("https://example.org/end").unwrap());
        assert_eq!(response.url().unwrap().path(), "/end");
        assert_eq!(response.request().unwrap().url(), &sent);
        assert_eq!(response.clone_read().url().unwrap().path(), "/end");
        let err = response.check_status().unwrap_err();
        assert!(
            err.to_string().contains("'https://example.org/end'"),
            "{err}"
        );
    }

    fn streaming(chunks: Vec<&'static str>) -> Response {
        Response::builder(200)
            .stream(chunks.into_iter().map(Ok::<_, Error>))
            .build()
            .unwrap()
    }

    #[test]
    fn a_body_of_one_chunk_is_read_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1000]);
        let at = chunk.as_ptr();
        let mut r = Response::builder(200)
            .stream([Ok::<_, Error>(chunk)])
            .build()
            .unwrap();
        assert_eq!(r.read().unwrap().as_ptr(), at);
    }

    #[test]
    fn reading_reserves_an_unencoded_content_length() {
        let sized = |headers: &[(&str, &str)]| {
            let mut r = Response::new(200);
            for (name, value) in headers {
                r.headers_mut().insert(name, *value).unwrap();
            }
            r.size_hint()
        };
        assert_eq!(sized(&[("content-length", "1000")]), 1000);
        assert_eq!(
            sized(&[("content-length", "1000"), ("content-encoding", "identity")]),
            1000
        );
        assert_eq!(
            sized(&[("content-length", "1000"), ("content-encoding", "gzip")]),
            0
        );
        assert_eq!(sized(&[("content-length", "99999999999")]), MAX_SIZE_HINT);
        assert_eq!(sized(&[("content-length", "-1")]), 0);
        assert_eq!(sized(&[]), 0);
        let mut r = streaming(vec!["ab", "", "cd", "e"]);
        r.headers_mut().insert("content-length", "5").unwrap();
        assert_eq!(r.read().unwrap().as_ref(), b"abcde");
    }

    #[test]
    fn built_content_is_read_at_once() {
        let r = Response::builder(200).content("abc").build().unwrap();
        assert_eq!(r.content().unwrap().as_ref(), b"abc");
        assert_eq!(r.headers().get("content-length").as_deref(), Some("3"));
        assert!(r.is_closed());
    }

    #[test]
    fn streaming_rules() {
        let mut r = streaming(vec!["a", "b"]);
        assert_eq!(
            r.headers().get("transfer-encoding").as_deref(),
            Some("chunked")
        );
        assert_eq!(r.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        let chunks: Vec<_> = r.iter_bytes().map(|c| c.unwrap()).collect();
        assert_eq!(chunks, vec![Bytes::from("a"), Bytes::from("b")]);
        assert!(r.is_closed() && r.is_stream_consumed());
        assert_eq!(r.num_bytes_downloaded(), 2);
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::StreamConsumed);
        let mut r = streaming(vec!["a"]);
        r.close();
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::StreamClosed);
    }

    #[test]
    fn read_then_iterate_content() {
        let mut r = streaming(vec!["ab", "cd"]);
        assert_eq!(r.read().unwrap().as_ref(), b"abcd");
        let chunks: Vec<_> = r.iter_bytes_chunked(Some(3)).map(|c| c.unwrap()).collect();
        assert_eq!(chunks, vec![Bytes::from("abc"), Bytes::from("d")]);
        assert_eq!(
            r.iter_raw().next().unwrap().unwrap_err().kind(),
            ErrorKind::StreamConsumed
        );
    }

    #[test]
    fn lines_and_text() {
        let mut r = streaming(vec!["a\nb", "\r", "\nc"]);
        let lines: Vec<_> = r.iter_lines().map(|l| l.unwrap()).collect();
        assert_eq!(lines, vec!["a", "b", "c"]);
        let mut r = Response::builder(200)
            .stream(vec![Ok::<_, Error>(&b"\xc3"[..]), Ok(&b"\xa9"[..])])
            .build()
            .unwrap();
        let text: String = r.iter_text().map(|t| t.unwrap()).collect();
        assert_eq!(text, "é");
    }

    #[test]
    fn encoding_priority() {
        let r = Response::builder(200)
            .header("content-type", "text/plain; charset=latin-1")
            .content(vec![0xe9u8])
            .build()
            .unwrap();
        assert_eq!(r.text().unwrap(), "é");
        let mut r = Response::builder(200)
            .content(vec![0xe9u8])
            .build()
            .unwrap();
        assert_eq!(r.encoding(), "utf-8");
        r.set_encoding("latin-1").unwrap();
        assert_eq!(r.text().unwrap(), "é");
        assert_eq!(
            r.set_encoding("utf-8").unwrap_err().kind(),
            ErrorKind::InvalidState
        );
    }

    #[test]
    fn links_parse_like_httpx() {
        let r = Response::builder(200)
            .header(
                "link",
                "<https://example.com>; rel=\"preload\", <https://example.com/2>; type=\"image/png\"",
            )
            .build()
            .unwrap();
        let links = r.links();
        assert_eq!(links["preload"].url, "https://example.com");
        assert_eq!(
            links["https://example.com/2"].get("type"),
            Some("image/png")
        );
    }

    #[test]
    fn raise_for_status_needs_request() {
        let r = Response::new(200);
        assert_eq!(
            r.check_status().unwrap_err().kind(),
            ErrorKind::InvalidState
        );
    }

    #[test]
    fn async_stream_is_not_read_synchronously() {
        let mut r = Response::builder(200)
            .async_stream(futures_util::stream::iter(vec![Ok::<_, Error>("x")]))
            .build()
            .unwrap();
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::InvalidState);
        // The failed sync attempt did not consume the stream.
        assert!(!r.is_stream_consumed());
    }

    #[test]
    fn http_interop() {
        let r =
            Response::try_from(http::Response::builder().status(201).body("hi").unwrap()).unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.content().unwrap().as_ref(), b"hi");
        let back = http::Response::<Bytes>::try_from(r).unwrap();
        assert_eq!(back.body().as_ref(), b"hi");
    }
}
