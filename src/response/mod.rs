//! [`Response`]: status, headers, the body read in full or streamed, text and JSON.
//!
//! The body reading and its iterators are in `body`, [`ResponseBuilder`] in `builder` and
//! the `Link` header parsing in `links`.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;

use crate::config::DefaultEncoding;
use crate::decoders::Charset;
use crate::error::{Error, Result, StatusError};
use crate::headers::{content_type_param, Headers};
use crate::request::Request;
use crate::rt::Instant;
use crate::status::StatusCode;
use crate::url::Url;

mod body;
mod builder;
mod links;

use self::body::Source;
pub use self::body::{BytesIter, BytesStream, LinesIter, TextIter};
use self::builder::BuilderBody;
pub use self::builder::ResponseBuilder;
use self::links::parse_links;
pub use self::links::Link;

/// A response: status, headers, and a body that is read in full (httpx's non-streaming
/// calls) or streamed on demand (`Client::stream`).
///
/// A response returned by `send()` has its body read: [`content`](Response::content),
/// [`text`](Response::text) and [`json`](Response::json) are plain methods. A streamed
/// one needs [`read`](Response::read) / [`aread`](Response::aread) first, or is consumed
/// with the iterators; otherwise those methods return `ResponseNotRead`.
///
/// # Examples
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
    /// The most bytes the readers of this body yield (`max_body_size`), if limited.
    max_body_size: Option<u64>,
    opaque_redirect: bool,
    /// Where the body came from when the host followed redirects itself (fetch).
    final_url: Option<Url>,
    extensions: http::Extensions,
}

impl Response {
    /// A response with `status`, no headers and an empty body (already read).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let mut response = Response::new(204);
    /// assert_eq!(response.status(), 204);
    /// assert_eq!(response.reason_phrase(), "No Content");
    /// assert!(response.headers().is_empty());
    /// assert_eq!(response.content()?.len(), 0); // read already: no `read()` needed
    /// response.headers_mut().insert("x-trace", "abc")?;
    /// assert_eq!(response.headers().get("X-Trace").as_deref(), Some("abc"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new(status: impl Into<StatusCode>) -> Response {
        let mut response = Response::with_source(status.into(), Headers::new(), None);
        response.content = Some(Bytes::new());
        response.stream_consumed = true;
        response.closed = true;
        response
    }

    /// A builder for a response, for transports, mock handlers and tests.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let response = Response::builder(201)
    ///     .header("location", "/users/7")
    ///     .json(&serde_json::json!({"id": 7}))
    ///     .build()?;
    /// assert_eq!(response.status(), 201);
    /// assert_eq!(response.headers().get("location").as_deref(), Some("/users/7"));
    /// // `json` adds httpx's automatic headers.
    /// assert_eq!(response.headers().get("content-type").as_deref(), Some("application/json"));
    /// assert_eq!(response.headers().get("content-length").as_deref(), Some("8"));
    /// assert_eq!(response.text()?, r#"{"id":7}"#);
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
            max_body_size: None,
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
            max_body_size: self.max_body_size,
            opaque_redirect: self.opaque_redirect,
            final_url: self.final_url.clone(),
            extensions: self.extensions.clone(),
        }
    }

    /// The status code.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{Response, StatusCode};
    ///
    /// let response = Response::builder(418).build()?;
    /// assert_eq!(response.status(), 418); // compares with a number
    /// assert_eq!(response.status(), StatusCode::from(418));
    /// assert_eq!(response.status_code(), 418u16);
    /// assert_eq!(response.reason_phrase(), "I'm a teapot");
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// Names are case-insensitive; `get` joins a repeated header with `", "`, and
    /// `get_list` gives its values one by one.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = httpx::Response::builder(200)
    ///     .header("Cache-Control", "no-cache")
    ///     .header("Vary", "Accept")
    ///     .header("Vary", "Cookie")
    ///     .build()?;
    /// let headers = response.headers();
    /// assert_eq!(headers.get("cache-control").as_deref(), Some("no-cache"));
    /// assert_eq!(headers.get("vary").as_deref(), Some("Accept, Cookie"));
    /// assert_eq!(headers.get_list("vary", false), ["Accept", "Cookie"]);
    /// assert!(!headers.contains("etag"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| httpx::Response::builder(200).build());
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .base_url("https://api.example.org/v1/")
    ///     .build()?;
    /// let response = client.get("items").query([("page", "2")]).send()?;
    /// assert_eq!(response.url().unwrap().as_str(), "https://api.example.org/v1/items?page=2");
    ///
    /// // A response built by hand answers no request.
    /// assert!(httpx::Response::new(200).url().is_none());
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|request| match request.url().path().as_ref() {
    ///     "/old" => Response::builder(301).header("location", "/moved").build(),
    ///     "/moved" => Response::builder(302).header("location", "/new").build(),
    ///     _ => Response::builder(200).text("here").build(),
    /// });
    /// let client = Client::builder().transport(transport).follow_redirects(true).build()?;
    /// let response = client.get("https://example.org/old").send()?;
    /// assert_eq!(response.text()?, "here");
    /// assert_eq!(response.url().unwrap().path(), "/new");
    ///
    /// let hops: Vec<(u16, String)> = response
    ///     .history()
    ///     .iter()
    ///     .map(|r| (r.status_code(), r.url().unwrap().path().into_owned()))
    ///     .collect();
    /// assert_eq!(hops, [(301, "/old".to_string()), (302, "/moved".to_string())]);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| {
    ///     httpx::Response::builder(200).stream([Ok::<_, httpx::Error>("body")]).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    ///
    /// // `send()` reads the body: the response is timed.
    /// let response = client.get("https://example.org/").send()?;
    /// assert!(response.elapsed().is_some());
    ///
    /// // A streamed response is timed once its body is read (or it is closed).
    /// let mut response = client.stream("GET", "https://example.org/").send()?;
    /// assert_eq!(response.elapsed(), None);
    /// response.read()?;
    /// let elapsed = response.elapsed().unwrap();
    /// assert!(elapsed < std::time::Duration::from_secs(5));
    ///
    /// assert_eq!(httpx::Response::new(200).elapsed(), None); // never sent
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// assert!(Response::new(204).is_success());
    /// assert!(!Response::new(304).is_success());
    /// assert!(!Response::new(404).is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
    /// 301, 302, 303, 307 or 308 (or the browser's opaque redirect).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let response = Response::builder(307).header("location", "/elsewhere").build()?;
    /// assert!(response.is_redirect());
    /// assert!(response.has_redirect_location());
    ///
    /// // A redirect status without a `Location` is no redirect a client can follow.
    /// let response = Response::new(302);
    /// assert!(response.is_redirect());
    /// assert!(!response.has_redirect_location());
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let not_found = Response::new(404);
    /// assert!(not_found.is_error() && not_found.is_client_error());
    /// assert!(!not_found.is_server_error());
    ///
    /// let unavailable = Response::new(503);
    /// assert!(unavailable.is_error() && unavailable.is_server_error());
    ///
    /// assert!(!Response::new(200).is_error());
    /// ```
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
    /// # Examples
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
                // httpx's key: a `rel` written in lower case and not empty, else the URL.
                let rel = link.params.iter().find(|(name, _)| name == "rel");
                let key = match rel {
                    Some((_, rel)) if !rel.is_empty() => rel.clone(),
                    _ => link.url.clone(),
                };
                (key, link)
            })
            .collect()
    }

    /// The charset named by the `Content-Type` header.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let response = Response::builder(200)
    ///     .header("content-type", r#"text/html; charset="shift_jis""#)
    ///     .build()?;
    /// assert_eq!(response.charset_encoding().as_deref(), Some("shift_jis"));
    /// assert_eq!(Response::builder(200).json(&1).build()?.charset_encoding(), None);
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    ///
    /// Names are WHATWG's, as browsers use them: `latin-1` and `iso-8859-1` name
    /// windows-1252, which decodes the same text except in 0x80 to 0x9F.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let response = Response::builder(200)
    ///     .header("content-type", "text/plain; charset=iso-8859-1")
    ///     .content(&b"caf\xe9"[..])
    ///     .build()?;
    /// assert_eq!(response.encoding(), "windows-1252");
    /// assert_eq!(response.text()?, "café");
    ///
    /// // No charset declared: UTF-8, unless the client sets a `default_encoding`.
    /// assert_eq!(Response::builder(200).content("café").build()?.encoding(), "utf-8");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn encoding(&self) -> &'static str {
        self.charset().name()
    }

    /// Sets the encoding used for the text. Fails once the text has been decoded, as
    /// in httpx, and for a label no decoder knows.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{ErrorKind, Response};
    ///
    /// // A server that sends Latin-1 text without saying so.
    /// let mut response = Response::builder(200).content(&b"na\xefve"[..]).build()?;
    /// response.set_encoding("latin-1")?;
    /// assert_eq!(response.text()?, "naïve");
    ///
    /// // Once the text has been decoded the encoding is fixed.
    /// let err = response.set_encoding("utf-8").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidState);
    /// assert!(Response::new(200).set_encoding("no-such-charset").is_err());
    /// # Ok::<(), httpx::Error>(())
    /// ```
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

    /// Limits the bytes the body's readers yield (the client's `max_body_size`). A
    /// body read already (content built in memory) is checked at once.
    pub(crate) fn set_max_body_size(&mut self, limit: Option<u64>) -> Result<()> {
        self.max_body_size = limit;
        match (&self.content, limit) {
            (Some(content), Some(limit)) if content.len() as u64 > limit => {
                Err(body::too_large(limit))
            }
            _ => Ok(()),
        }
    }

    /// The `Content-Length` header: the size of the body as sent, before any content
    /// decoding (a gzip body's compressed size). `None` when the header is missing or
    /// not a number (a chunked or HTTP/2 body of unknown length, say). For the size of
    /// a read body, use `content()?.len()`.
    ///
    /// # Examples
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
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, ErrorKind, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(200).stream([Ok::<_, httpx::Error>(&b"\x89PNG"[..])]).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let response = client.get("https://example.org/logo.png").send()?;
    /// assert_eq!(response.content()?.as_ref(), b"\x89PNG");
    ///
    /// // A streamed response has no content until it is read.
    /// let mut response = client.stream("GET", "https://example.org/logo.png").send()?;
    /// assert_eq!(response.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
    /// response.read()?;
    /// assert_eq!(response.content()?.len(), 4);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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

    /// The body parsed as JSON, into any `serde::Deserialize` type (a
    /// `serde_json::Value` when the shape is not known). The bytes are read as UTF-8,
    /// UTF-16 or UTF-32, as Python's `json.loads` does. A body that is not JSON is a
    /// [`DecodingError`](crate::ErrorKind::DecodingError). `ResponseNotRead` until the
    /// body has been read.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, ErrorKind, MockTransport, Response};
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct User {
    ///     id: u64,
    ///     name: String,
    /// }
    ///
    /// let transport = MockTransport::new(|request| match request.url().path().as_ref() {
    ///     "/users/7" => Response::builder(200).json(&serde_json::json!({"id": 7, "name": "Ada"})).build(),
    ///     _ => Response::builder(404).html("<h1>Not Found</h1>").build(),
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let user: User = client.get("https://example.org/users/7").send()?.json()?;
    /// assert_eq!(user, User { id: 7, name: "Ada".into() });
    ///
    /// let err = client.get("https://example.org/nope").send()?.json::<User>().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::DecodingError);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    fn raise_for_status_needs_request() {
        let r = Response::new(200);
        assert_eq!(
            r.check_status().unwrap_err().kind(),
            ErrorKind::InvalidState
        );
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
