//! The request builder both clients hand out ([`RequestBuilder`]) and the per-send
//! options ([`SendOptions`]).

use std::fmt;
use std::sync::Arc;

use super::ClientKind;
use crate::auth::{Auth, IntoAuth};
use crate::config::{Credentials, Timeout};
#[cfg(feature = "multipart")]
use crate::content::Multipart;
use crate::content::{self, Encoded};
use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::request::{Body, IntoMethod, Method, Request};
use crate::url::{IntoUrl, QueryParams, UrlInput};

/// The auth choice of one request.
#[derive(Clone)]
pub(crate) enum AuthChoice {
    ClientDefault,
    Disabled,
    Use(Arc<dyn Auth>),
}

impl fmt::Debug for AuthChoice {
    /// The choice, never the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthChoice::ClientDefault => "ClientDefault",
            AuthChoice::Disabled => "Disabled",
            AuthChoice::Use(_) => "Use(..)",
        })
    }
}

/// Per-send options: httpx's `send(request, stream=, auth=, follow_redirects=)`.
#[derive(Clone, Debug)]
pub struct SendOptions {
    pub(crate) stream: bool,
    pub(crate) auth: AuthChoice,
    pub(crate) follow_redirects: Option<bool>,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) max_body_size: Option<u64>,
}

impl Default for SendOptions {
    fn default() -> SendOptions {
        SendOptions {
            stream: false,
            auth: AuthChoice::ClientDefault,
            follow_redirects: None,
            timeout: None,
            max_body_size: None,
        }
    }
}

impl SendOptions {
    /// The client's defaults, body read in full.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::SendOptions;
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let auth = request.headers().get("authorization").is_some();
    ///     httpx::Response::builder(200).text(format!("auth: {auth}")).build()
    /// });
    /// let client = httpx::Client::builder()
    ///     .transport(transport)
    ///     .auth(("user", "pass"))
    ///     .build()?;
    /// let request = client.get("https://example.org/").build()?;
    /// let response = client.send_with(request, SendOptions::new().no_auth().timeout(2.0))?;
    /// assert_eq!(response.text()?, "auth: false");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn new() -> SendOptions {
        SendOptions::default()
    }
    /// Whether the body is left unread for streaming.
    pub fn stream(mut self, stream: bool) -> SendOptions {
        self.stream = stream;
        self
    }
    /// Auth for this send instead of the client's.
    pub fn auth(mut self, auth: impl IntoAuth) -> SendOptions {
        self.auth = AuthChoice::Use(auth.into_auth());
        self
    }
    /// No auth for this send.
    pub fn no_auth(mut self) -> SendOptions {
        self.auth = AuthChoice::Disabled;
        self
    }
    /// Whether this send follows redirects.
    pub fn follow_redirects(mut self, follow: bool) -> SendOptions {
        self.follow_redirects = Some(follow);
        self
    }
    /// Timeouts for this send.
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> SendOptions {
        self.timeout = Some(timeout.into());
        self
    }
    /// The most bytes the response body may decode to for this send, instead of the
    /// request's and the client's limit (`u64::MAX` lifts it). See
    /// [`RequestBuilder::max_body_size`].
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{ErrorKind, SendOptions};
    ///
    /// let transport = httpx::MockTransport::new(|_| {
    ///     httpx::Response::builder(200).stream(["0123456789"; 3].map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let request = client.get("https://example.org/").build()?;
    /// let err = client.send_with(request, SendOptions::new().max_body_size(25)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::DecodingError);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> SendOptions {
        self.max_body_size = Some(bytes);
        self
    }
}

/// The client behind a [`RequestBuilder`]: borrowed from the caller, or owned by the
/// builder (the top-level `httpx::request` helpers).
pub(crate) enum ClientHandle<'c, C> {
    Borrowed(&'c C),
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), allow(dead_code))]
    Owned(C),
}

impl<C> std::ops::Deref for ClientHandle<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        match self {
            ClientHandle::Borrowed(c) => c,
            ClientHandle::Owned(c) => c,
        }
    }
}

enum BodyChoice {
    None,
    Encoded(Encoded),
    #[cfg(feature = "multipart")]
    Multipart(Multipart),
}

/// A request in the making, sent with `send()`: `.send()` on a [`Client`](crate::Client) blocks,
/// `.send().await` on an [`AsyncClient`](crate::AsyncClient) does not.
///
/// Errors in arguments (a bad header, a bad URL) are kept and reported by `send()` or
/// `build()`, so calls chain without `?` until then.
///
/// ```
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// let transport = httpx::MockTransport::new(|request| {
///     httpx::Response::builder(200).text(request.url().as_str().to_string()).build()
/// });
/// let client = httpx::Client::builder()
///     .transport(transport)
///     .base_url("https://api.example.org/v1")
///     .params([("key", "k")])
///     .build()?;
/// let response = client.get("items").query([("page", 2)]).header("x-a", "1").send()?;
/// assert_eq!(response.text()?, "https://api.example.org/v1/items?key=k&page=2");
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'c, C> {
    client: ClientHandle<'c, C>,
    method: Result<Method>,
    url: UrlInput,
    headers: Headers,
    params: QueryParams,
    body: BodyChoice,
    options: SendOptions,
    credentials: Option<Credentials>,
    extensions: http::Extensions,
    error: Option<Error>,
}

impl<'c, C: ClientKind> RequestBuilder<'c, C> {
    pub(crate) fn new(
        client: ClientHandle<'c, C>,
        method: impl IntoMethod,
        url: impl IntoUrl,
    ) -> Self {
        RequestBuilder {
            client,
            method: method.into_method(),
            url: url.into_url_input(),
            headers: Headers::new(),
            params: QueryParams::new(),
            body: BodyChoice::None,
            options: SendOptions::default(),
            credentials: None,
            extensions: http::Extensions::new(),
            error: None,
        }
    }

    fn fail(&mut self, err: Error) {
        self.error.get_or_insert(err);
    }

    /// Leaves the body unread: read it with `read()`/`aread()` or the iterators.
    pub(crate) fn streaming(mut self) -> Self {
        self.options.stream = true;
        self
    }

    /// Sets a header, replacing the client's value for that name.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if let Err(e) = self.headers.insert(name, value) {
            self.fail(e);
        }
        self
    }

    /// Adds a header value, keeping earlier ones set on this request.
    pub fn append_header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if let Err(e) = self.headers.append(name, value) {
            self.fail(e);
        }
        self
    }

    /// Sets headers (each name replaces the client's value).
    pub fn headers(mut self, headers: &Headers) -> Self {
        for key in headers.keys() {
            self.headers.remove(&key);
        }
        for (name, value) in headers.raw() {
            if let Err(e) = self.headers.append(name, value) {
                self.fail(e);
            }
        }
        self
    }

    /// Query parameters, merged over the URL's and the client's (httpx's `params=`).
    pub fn query(mut self, params: impl Into<QueryParams>) -> Self {
        self.params = self.params.merge(params.into());
        self
    }

    /// A raw body: bytes or text, sent as they are with `Content-Length`
    /// (httpx's `content=`).
    pub fn content(mut self, body: impl Into<Body>) -> Self {
        self.body = BodyChoice::Encoded(Encoded {
            body: body.into(),
            content_type: None,
        });
        self
    }

    /// A body from a [`Body`] (bytes, or a blocking or async stream).
    pub fn body(self, body: Body) -> Self {
        self.content(body)
    }

    /// A JSON body (`Content-Type: application/json`, compact as httpx 0.28 writes it,
    /// non-ASCII kept as UTF-8). Non-finite floats are written as `null` (serde_json's
    /// rule; httpx refuses them).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match content::json(value) {
            Ok(encoded) => self.body = BodyChoice::Encoded(encoded),
            Err(e) => self.fail(e),
        }
        self
    }

    /// An urlencoded form body (httpx's `data=`).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = httpx::AsyncClient::new();
    /// let request = client
    ///     .post("https://example.org/login")
    ///     .form([("user", "ada"), ("remember", "on")])
    ///     .build()?;
    /// assert_eq!(
    ///     request.headers().get("content-type").as_deref(),
    ///     Some("application/x-www-form-urlencoded")
    /// );
    /// assert_eq!(request.content()?, b"user=ada&remember=on");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn form(mut self, fields: impl Into<QueryParams>) -> Self {
        self.body = BodyChoice::Encoded(content::form(&fields.into()));
        self
    }

    /// A `multipart/form-data` body (httpx's `data=` with `files=`; feature
    /// `multipart`).
    #[cfg(feature = "multipart")]
    pub fn multipart(mut self, form: Multipart) -> Self {
        self.body = BodyChoice::Multipart(form);
        self
    }

    /// Auth for this request instead of the client's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let value = request.headers().get("authorization").unwrap_or_default().into_owned();
    ///     httpx::Response::builder(200).text(value).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let response = client.get("https://example.org/").auth(("ada", "secret")).send()?;
    /// assert_eq!(response.text()?, "Basic YWRhOnNlY3JldA==");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn auth(mut self, auth: impl IntoAuth) -> Self {
        self.options = self.options.auth(auth);
        self
    }

    /// No auth for this request, whatever the client has.
    pub fn no_auth(mut self) -> Self {
        self.options = self.options.no_auth();
        self
    }

    /// Timeouts for this request.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = httpx::AsyncClient::new();
    /// let request = client.get("https://example.org/slow").timeout(60.0).build()?;
    /// assert_eq!(request.timeout().read, Some(Duration::from_secs(60)));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.options.timeout = Some(timeout.into());
        self
    }

    /// The most bytes this response's body may decode to, instead of the client's
    /// [`max_body_size`](crate::ClientBuilder::max_body_size) (`u64::MAX` lifts the
    /// client's limit). Reading past it (`send()`, `read()`, the `iter_*` and `aiter_*`
    /// readers) fails with a `DecodingError`: "The response body exceeded max_body_size
    /// (N bytes)".
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, ErrorKind, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(200).stream(["0123456789"; 3].map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let err = client.get("https://example.org/").max_body_size(25).send().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::DecodingError);
    /// assert!(err.to_string().starts_with("The response body exceeded max_body_size (25 bytes)"));
    ///
    /// let response = client.get("https://example.org/").max_body_size(30).send()?;
    /// assert_eq!(response.content()?.len(), 30);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.options.max_body_size = Some(bytes);
        self
    }

    /// Whether this request follows redirects.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.options.follow_redirects = Some(follow);
        self
    }

    /// Whether the browser sends and stores cookies with this request (fetch's
    /// `credentials`), instead of the client's setting. Other transports ignore it.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Adds a typed value transports and hooks can read (httpx's `extensions`).
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Builds the request without sending it (httpx's `build_request`).
    pub fn build(self) -> Result<Request> {
        self.into_parts().map(|(_, request, _)| request)
    }

    pub(crate) fn into_parts(self) -> Result<(ClientHandle<'c, C>, Request, SendOptions)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let method = self.method?;
        let config = super::sealed::Sealed::config(&*self.client);
        let mut url = self.url.resolve(config.base_url.as_ref())?;
        let params = config.params.merge(self.params);
        if !params.is_empty() {
            url = url.copy_merge_params(params);
        }
        // httpx's order: Host, the client's headers updated with the request's, then
        // the content headers.
        // Room for Host, the headers and two content headers: one allocation.
        let mut headers =
            Headers::with_capacity(3 + config.headers.entry_count() + self.headers.entry_count());
        let auto_host = !config.headers.contains("host")
            && !self.headers.contains("host")
            && !url.raw_host().is_empty();
        if auto_host {
            // A netloc is always a valid header value.
            headers.insert_checked("Host", bytes::Bytes::from(url.netloc()));
        }
        headers.append_merged(&config.headers, &self.headers);

        let (body, content_type) = match self.body {
            BodyChoice::None => (Body::empty(), None),
            BodyChoice::Encoded(e) => (e.body, e.content_type),
            // httpx sends no body for `files={}`; a multipart body needs a part.
            #[cfg(feature = "multipart")]
            BodyChoice::Multipart(form) if form.is_empty() => (Body::empty(), None),
            #[cfg(feature = "multipart")]
            BodyChoice::Multipart(mut form) => {
                if !form.has_boundary() {
                    if let Some(b) = headers
                        .get("content-type")
                        .and_then(|ct| content::boundary_from_content_type(&ct))
                    {
                        form = form.boundary(b);
                    }
                }
                let (ct, body) = form.into_body()?;
                (body, Some(ct))
            }
        };

        let mut request = Request::from_parts(method, url, headers, Body::empty());
        if auto_host {
            request.mark_auto_header("host");
        }
        for name in &config.default_header_names {
            if !self.headers.contains(name) {
                request.mark_auto_header(name);
            }
        }
        // As httpx's `_prepare`: framing headers the user set are kept.
        *request.body_mut() = body;
        request.set_content_length_headers();
        if let Some(ct) = content_type {
            if !request.headers().contains("content-type") {
                request.headers_mut().insert("Content-Type", ct)?;
            }
        }
        if cfg!(feature = "cookies") && !request.headers().contains("cookie") {
            let cookie = config
                .cookies
                .lock()
                .ok()
                .and_then(|jar| jar.cookie_header(request.url()));
            if let Some(cookie) = cookie {
                request.headers_mut().insert("Cookie", cookie)?;
                request.mark_auto_header("cookie");
            }
        }
        let options = request.options_mut();
        options.timeout = self.options.timeout.unwrap_or(config.timeout);
        options.follow_redirects = self
            .options
            .follow_redirects
            .unwrap_or(config.follow_redirects);
        options.max_redirects = config.max_redirects;
        options.credentials = self.credentials.or(config.credentials);
        options.max_body_size = self.options.max_body_size.or(config.max_body_size);
        *request.extensions_mut() = self.extensions;
        Ok((self.client, request, self.options))
    }
}

impl<C> fmt::Debug for RequestBuilder<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method.as_ref().ok())
            .field("url", &self.url)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}
