//! The sync [`Client`] (native and WASI), plus what both clients share: their
//! settings and the [`RequestBuilder`].

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::auth::{Auth, IntoAuth};
use crate::config::{
    Credentials, DefaultEncoding, Limits, Proxy, Timeout, DEFAULT_MAX_REDIRECTS, USER_AGENT,
};
#[cfg(feature = "multipart")]
use crate::content::Multipart;
use crate::content::{self, Encoded};
use crate::cookies::Cookies;
use crate::error::{Error, Result};
use crate::flow::FlowSettings;
use crate::headers::Headers;
use crate::request::{Body, IntoMethod, Method, Request};
use crate::transport::mounts::{Mounts, UrlPattern};
use crate::transport::Capabilities;
use crate::url::{IntoUrl, QueryParams, Url, UrlInput};

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use crate::{
    auth::AuthFlow,
    flow::{Input, SendFlow, Step},
    response::Response,
    transport::Transport,
};

/// The `Accept-Encoding` value: the codings this build can decode.
fn accept_encoding() -> &'static str {
    static VALUE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VALUE.get_or_init(accept_encoding_list)
}

fn accept_encoding_list() -> String {
    let mut codings: Vec<&str> = Vec::new();
    if cfg!(feature = "gzip") {
        codings.push("gzip");
    }
    if cfg!(feature = "deflate") {
        codings.push("deflate");
    }
    if cfg!(feature = "brotli") {
        codings.push("br");
    }
    if cfg!(feature = "zstd") {
        codings.push("zstd");
    }
    if codings.is_empty() {
        codings.push("identity");
    }
    codings.join(", ")
}

/// httpx's default client headers.
fn default_headers() -> Headers {
    let mut headers = Headers::new();
    headers.append_static("Accept", "*/*");
    headers.append_static("Accept-Encoding", accept_encoding());
    headers.append_static("Connection", "keep-alive");
    headers.append_static("User-Agent", USER_AGENT);
    headers
}

const DEFAULT_HEADER_NAMES: [&str; 4] = ["accept", "accept-encoding", "connection", "user-agent"];

/// Settings shared by [`Client`] and [`AsyncClient`](crate::AsyncClient).
pub struct ClientConfig {
    pub(crate) base_url: Option<Url>,
    pub(crate) headers: Headers,
    /// Which of `headers` are httpx's defaults rather than the user's.
    pub(crate) default_header_names: Vec<&'static str>,
    pub(crate) params: QueryParams,
    pub(crate) cookies: Arc<Mutex<Cookies>>,
    pub(crate) auth: Option<Arc<dyn Auth>>,
    pub(crate) timeout: Timeout,
    pub(crate) follow_redirects: bool,
    pub(crate) max_redirects: usize,
    pub(crate) default_encoding: DefaultEncoding,
    pub(crate) trust_env: bool,
    pub(crate) proxy: Option<Proxy>,
    pub(crate) limits: Limits,
    /// fetch's `credentials` for every request, unless a request sets its own.
    pub(crate) credentials: Option<Credentials>,
    #[cfg_attr(
        not(all(feature = "hyper", not(target_family = "wasm"))),
        allow(dead_code)
    )]
    pub(crate) connection: crate::config::ConnectionSettings,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("headers", &self.headers)
            .field("params", &self.params)
            .field("auth", &self.auth.as_ref().map(|_| "[set]"))
            .field("timeout", &self.timeout)
            .field("follow_redirects", &self.follow_redirects)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

/// The builder settings both client builders share.
pub(crate) struct ConfigBuilder {
    pub(crate) config: ClientConfig,
    error: Option<Error>,
}

impl Default for ConfigBuilder {
    fn default() -> ConfigBuilder {
        ConfigBuilder {
            config: ClientConfig {
                base_url: None,
                headers: default_headers(),
                default_header_names: DEFAULT_HEADER_NAMES.to_vec(),
                params: QueryParams::new(),
                cookies: Arc::new(Mutex::new(Cookies::new())),
                auth: None,
                timeout: Timeout::default(),
                follow_redirects: false,
                max_redirects: DEFAULT_MAX_REDIRECTS,
                default_encoding: DefaultEncoding::default(),
                trust_env: true,
                proxy: None,
                limits: Limits::default(),
                credentials: None,
                connection: Default::default(),
            },
            error: None,
        }
    }
}

impl ConfigBuilder {
    pub(crate) fn fail(&mut self, err: Error) {
        self.error.get_or_insert(err);
    }

    pub(crate) fn set_header(&mut self, name: &str, value: &[u8]) {
        match self.config.headers.insert(name, value) {
            Ok(()) => self
                .config
                .default_header_names
                .retain(|d| !d.eq_ignore_ascii_case(name)),
            Err(e) => self.fail(e),
        }
    }

    pub(crate) fn finish(self) -> Result<ClientConfig> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.config),
        }
    }
}

/// Setters shared by [`ClientBuilder`] and [`AsyncClientBuilder`](crate::AsyncClientBuilder).
macro_rules! config_setters {
    () => {
        /// The base URL relative request URLs are appended to (a `/` is added to its
        /// path when missing, as httpx does: `"/items"` under
        /// `"https://api.example.org/v1"` is `https://api.example.org/v1/items`).
        pub fn base_url(mut self, url: impl $crate::url::IntoUrl) -> Self {
            let parsed = match url.into_url_input() {
                $crate::url::UrlInput::Url(u) => Ok(u),
                $crate::url::UrlInput::Text(t) => $crate::url::Url::parse(&t),
            };
            match parsed {
                Ok(u) => self.common.config.base_url = Some($crate::url::enforce_trailing_slash(u)),
                Err(e) => self.common.fail(e),
            }
            self
        }

        /// Sets a header sent with every request (replacing a default of that name).
        pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
            self.common.set_header(name, value.as_ref());
            self
        }

        /// Removes a header from every request, a default such as `User-Agent` included
        /// (httpx's `del client.headers[name]`).
        pub fn remove_header(mut self, name: &str) -> Self {
            self.common.config.headers.remove(name);
            self.common
                .config
                .default_header_names
                .retain(|d| !d.eq_ignore_ascii_case(name));
            self
        }

        /// Sets headers sent with every request.
        pub fn headers(mut self, headers: &$crate::headers::Headers) -> Self {
            for key in headers.keys() {
                let values: Vec<Vec<u8>> =
                    headers.get_all_bytes(&key).map(<[u8]>::to_vec).collect();
                for (i, value) in values.iter().enumerate() {
                    if i == 0 {
                        self.common.set_header(&key, value);
                    } else if let Err(e) = self.common.config.headers.append(&key, value) {
                        self.common.fail(e);
                    }
                }
            }
            self
        }

        /// Query parameters added to every request URL.
        pub fn params(mut self, params: impl Into<$crate::url::QueryParams>) -> Self {
            self.common.config.params = self.common.config.params.merge(params.into());
            self
        }

        /// The cookie jar to start with; cookies set by responses are kept in it.
        pub fn cookies(mut self, cookies: $crate::cookies::Cookies) -> Self {
            self.common.config.cookies = std::sync::Arc::new(std::sync::Mutex::new(cookies));
            self
        }

        /// Auth for every request (a request can override it or turn it off).
        pub fn auth(mut self, auth: impl $crate::auth::IntoAuth) -> Self {
            self.common.config.auth = Some(auth.into_auth());
            self
        }

        /// Timeouts (httpx's default: 5 seconds each, no total deadline).
        pub fn timeout(mut self, timeout: impl Into<$crate::config::Timeout>) -> Self {
            self.common.config.timeout = timeout.into();
            self
        }

        /// Whether redirects are followed (default false, as in httpx).
        pub fn follow_redirects(mut self, follow: bool) -> Self {
            self.common.config.follow_redirects = follow;
            self
        }

        /// The most redirects followed before `TooManyRedirects` (default 20).
        pub fn max_redirects(mut self, max: usize) -> Self {
            self.common.config.max_redirects = max;
            self
        }

        /// The encoding for response text without a charset (default UTF-8), or a
        /// function that guesses it.
        pub fn default_encoding(
            mut self,
            encoding: impl Into<$crate::config::DefaultEncoding>,
        ) -> Self {
            self.common.config.default_encoding = encoding.into();
            self
        }

        /// Whether environment settings (proxies, certificates, netrc) are used where the
        /// host has an environment (default true).
        pub fn trust_env(mut self, trust: bool) -> Self {
            self.common.config.trust_env = trust;
            self
        }

        /// A proxy for every request (transports that can proxy use it).
        pub fn proxy(mut self, proxy: $crate::config::Proxy) -> Self {
            self.common.config.proxy = Some(proxy);
            self
        }

        /// Connection pool limits (for pooling transports).
        pub fn limits(mut self, limits: $crate::config::Limits) -> Self {
            self.common.config.limits = limits;
            self
        }

        /// Whether the browser sends and stores cookies with each request (fetch's
        /// `credentials`; unset leaves the browser's default, same-origin). A browser
        /// notion: only the fetch transport reads it, other transports ignore it.
        pub fn credentials(mut self, credentials: $crate::config::Credentials) -> Self {
            self.common.config.credentials = Some(credentials);
            self
        }

        /// Whether the network transport verifies server certificates (default true;
        /// native targets, where the client owns TLS).
        #[cfg(not(target_family = "wasm"))]
        pub fn verify(mut self, verify: bool) -> Self {
            self.common.config.connection.verify = Some(verify);
            self
        }

        /// Trusts only the certificates of this PEM bundle (httpx's
        /// `verify="bundle.pem"`; native targets).
        #[cfg(not(target_family = "wasm"))]
        pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.common.config.connection.ca_bundle_pem = Some(pem.into());
            self
        }

        /// Presents a client certificate (chain and key, PEM; httpx's `cert=`; native
        /// targets).
        #[cfg(not(target_family = "wasm"))]
        pub fn client_certificate_pem(
            mut self,
            chain: impl Into<Vec<u8>>,
            key: impl Into<Vec<u8>>,
        ) -> Self {
            self.common.config.connection.client_certificate = Some((chain.into(), key.into()));
            self
        }

        /// Whether HTTP/1.1 is offered (default true; native targets).
        #[cfg(not(target_family = "wasm"))]
        pub fn http1(mut self, enabled: bool) -> Self {
            self.common.config.connection.http1 = Some(enabled);
            self
        }

        /// Whether HTTP/2 is offered over TLS (default false, as in httpx; native
        /// targets with the `http2` feature).
        #[cfg(not(target_family = "wasm"))]
        pub fn http2(mut self, enabled: bool) -> Self {
            self.common.config.connection.http2 = Some(enabled);
            self
        }
    };
}
pub(crate) use config_setters;

/// The clients a [`RequestBuilder`] can belong to: [`Client`] and
/// [`AsyncClient`](crate::AsyncClient). Sealed.
pub trait ClientKind: sealed::Sealed {}

pub(crate) mod sealed {
    /// Keeps [`ClientKind`](super::ClientKind) to this crate's clients.
    pub trait Sealed {
        /// The client's settings.
        fn config(&self) -> &super::ClientConfig;
    }
}

/// The auth choice of one request.
#[derive(Clone)]
pub(crate) enum AuthChoice {
    ClientDefault,
    Disabled,
    Use(Arc<dyn Auth>),
}

/// Per-send options: httpx's `send(request, stream=, auth=, follow_redirects=)`.
#[derive(Clone)]
pub struct SendOptions {
    pub(crate) stream: bool,
    pub(crate) auth: AuthChoice,
    pub(crate) follow_redirects: Option<bool>,
    pub(crate) timeout: Option<Timeout>,
}

impl Default for SendOptions {
    fn default() -> SendOptions {
        SendOptions {
            stream: false,
            auth: AuthChoice::ClientDefault,
            follow_redirects: None,
            timeout: None,
        }
    }
}

impl SendOptions {
    /// The client's defaults, body read in full.
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
}

impl fmt::Debug for SendOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendOptions")
            .field("stream", &self.stream)
            .field("follow_redirects", &self.follow_redirects)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Which event hooks a client has: a send without them skips their steps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HookPresence {
    pub(crate) request: bool,
    pub(crate) response: bool,
}

impl ClientConfig {
    /// The auth for one send: the request's choice, else the client's; without either,
    /// credentials in the URL's userinfo become Basic auth (httpx's rule, which also
    /// applies after `no_auth()`), else none.
    /// `None` when there is no auth at all (the send loop then skips the auth steps).
    pub(crate) fn resolve_auth(&self, choice: &AuthChoice, url: &Url) -> Option<Arc<dyn Auth>> {
        let chosen = match choice {
            AuthChoice::Use(auth) => Some(auth.clone()),
            AuthChoice::Disabled => None,
            AuthChoice::ClientDefault => self.auth.clone(),
        };
        if chosen.is_some() {
            return chosen;
        }
        let username = url.username();
        let password = url.password();
        if !username.is_empty() || password.is_some() {
            return Some(Arc::new(crate::auth::BasicAuth::new(
                username,
                password.unwrap_or_default(),
            )));
        }
        None
    }

    /// The flow settings for one send.
    pub(crate) fn flow_settings(
        &self,
        options: &SendOptions,
        auth: Option<&dyn Auth>,
        request: &Request,
        hooks: HookPresence,
    ) -> FlowSettings {
        FlowSettings {
            has_auth: auth.is_some(),
            has_request_hooks: hooks.request,
            has_response_hooks: hooks.response,
            follow_redirects: options.follow_redirects.unwrap_or(self.follow_redirects),
            max_redirects: self.max_redirects,
            timeout: options.timeout.unwrap_or(*request.timeout()),
            stream: options.stream,
            requires_request_body: auth.is_some_and(|a| a.requires_request_body()),
            requires_response_body: auth.is_some_and(|a| a.requires_response_body()),
            default_encoding: self.default_encoding.clone(),
            credentials: self.credentials,
            cookies: if cfg!(feature = "cookies") {
                Some(self.cookies.clone())
            } else {
                None
            },
        }
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

/// A request in the making, sent with `send()`: `.send()` on a [`Client`] blocks,
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
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.options.timeout = Some(timeout.into());
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
        let config = sealed::Sealed::config(&*self.client);
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

/// Adapts a request to what the host of its transport allows: the client's own
/// default headers the host forbids are dropped; a forbidden header the user set is a
/// `LocalProtocolError` naming it; the jar's `Cookie` is dropped where the host keeps
/// cookies itself.
pub(crate) fn prepare_for_transport(
    request: &mut Request,
    capabilities: &Capabilities,
) -> Result<()> {
    if capabilities.manages_cookies && request.is_auto_header("cookie") {
        request.headers_mut().remove("cookie");
    }
    if capabilities.forbidden_headers.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = request.headers().keys().collect();
    for name in names {
        if !capabilities.forbids(&name) {
            continue;
        }
        if request.is_auto_header(&name) {
            request.headers_mut().remove(&name);
        } else {
            return Err(Error::local_protocol(format!(
                "The header '{name}' cannot be sent by this transport: its host forbids it"
            ))
            .with_request(request.method(), request.url()));
        }
    }
    Ok(())
}

/// Routes a URL: a mounted transport, or the client's own for http and https.
pub(crate) fn route<'a, T: ?Sized>(
    mounts: &'a Mounts<T>,
    default: &'a Arc<T>,
    url: &Url,
) -> Result<&'a Arc<T>> {
    match mounts.route(url) {
        Some(Some(transport)) => Ok(transport),
        _ if matches!(url.scheme(), "http" | "https") => Ok(default),
        _ => Err(Error::new(
            crate::ErrorKind::UnsupportedProtocol,
            format!(
                "Request URL has an unsupported protocol '{}://': use http:// or https://, \
                 or mount a transport for that scheme",
                url.scheme()
            ),
        )),
    }
}

/// Parses a mount pattern for a builder, keeping the first error.
pub(crate) fn mount_pattern(pattern: &str, error: &mut Option<Error>) -> Option<UrlPattern> {
    match UrlPattern::parse(pattern) {
        Ok(p) => Some(p),
        Err(e) => {
            error.get_or_insert(e);
            None
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod sync_client {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A request event hook: may change the request, or fail the send.
    pub(crate) type RequestHook = Arc<dyn Fn(&mut Request) -> Result<()> + Send + Sync>;
    /// A response event hook: may read the response (`raise_for_status`, say), or fail.
    pub(crate) type ResponseHook = Arc<dyn Fn(&mut Response) -> Result<()> + Send + Sync>;

    struct ClientInner {
        config: ClientConfig,
        transport: Arc<dyn Transport>,
        mounts: Mounts<dyn Transport>,
        request_hooks: Vec<RequestHook>,
        response_hooks: Vec<ResponseHook>,
        closed: AtomicBool,
    }

    /// A blocking HTTP client (httpx's `Client`), on native targets and WASI.
    ///
    /// Cloning is cheap and shares the connection pool, the cookie jar and the closed
    /// state. Dropping the last clone closes it; [`close`](Client::close) closes it at
    /// once (later sends fail).
    ///
    /// ```
    /// let transport = httpx::MockTransport::new(|request| {
    ///     httpx::Response::builder(200).json(&serde_json::json!({"path": request.url().path()})).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let response = client.get("https://example.org/items").send()?.raise_for_status()?;
    /// let value: serde_json::Value = response.json()?;
    /// assert_eq!(value["path"], "/items");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    #[derive(Clone)]
    pub struct Client {
        inner: Arc<ClientInner>,
    }

    impl sealed::Sealed for Client {
        fn config(&self) -> &ClientConfig {
            &self.inner.config
        }
    }
    impl ClientKind for Client {}

    impl Client {
        /// A client with httpx's defaults and this target's network transport.
        ///
        /// If that set-up fails (an invalid proxy in the environment, say), the client is
        /// still returned and each of its requests fails with that error; use
        /// [`Client::builder`] and `build()` to get the error at once.
        pub fn new() -> Client {
            match ClientBuilder::default().build() {
                Ok(client) => client,
                Err(e) => ClientBuilder::default()
                    .trust_env(false)
                    .transport(crate::transport::FailedSetup::new(&e))
                    .build_infallible(),
            }
        }

        /// A builder to configure a client.
        pub fn builder() -> ClientBuilder {
            ClientBuilder::default()
        }

        /// A request with any method.
        pub fn request(
            &self,
            method: impl IntoMethod,
            url: impl IntoUrl,
        ) -> RequestBuilder<'_, Client> {
            RequestBuilder::new(ClientHandle::Borrowed(self), method, url)
        }

        /// A GET request.
        pub fn get(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::GET, url)
        }
        /// A POST request.
        pub fn post(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::POST, url)
        }
        /// A PUT request.
        pub fn put(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::PUT, url)
        }
        /// A PATCH request.
        pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::PATCH, url)
        }
        /// A DELETE request.
        pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::DELETE, url)
        }
        /// A HEAD request.
        pub fn head(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::HEAD, url)
        }
        /// An OPTIONS request.
        pub fn options(&self, url: impl IntoUrl) -> RequestBuilder<'_, Client> {
            self.request(Method::OPTIONS, url)
        }

        /// A request whose response body is left unread, to stream it (httpx's
        /// `client.stream(...)`): use `iter_bytes()`, `iter_lines()` or `read()`.
        pub fn stream(
            &self,
            method: impl IntoMethod,
            url: impl IntoUrl,
        ) -> RequestBuilder<'_, Client> {
            self.request(method, url).streaming()
        }

        /// A request builder; `.build()` gives the [`Request`] (httpx's `build_request`).
        pub fn build_request(
            &self,
            method: impl IntoMethod,
            url: impl IntoUrl,
        ) -> RequestBuilder<'_, Client> {
            self.request(method, url)
        }

        /// Sends a built request with the client's settings; the body is read.
        pub fn send(&self, request: Request) -> Result<Response> {
            self.send_with(request, SendOptions::default())
        }

        /// Sends a built request with per-send options.
        pub fn send_with(&self, request: Request, options: SendOptions) -> Result<Response> {
            let method = request.method().clone();
            let url = request.url().clone();
            self.execute(request, options)
                .map_err(|e| e.with_request(&method, &url))
        }

        fn execute(&self, request: Request, options: SendOptions) -> Result<Response> {
            let inner = &*self.inner;
            if inner.closed.load(Ordering::Acquire) {
                return Err(Error::invalid_state(
                    "Cannot send a request, as the client has been closed.",
                ));
            }
            let auth = inner.config.resolve_auth(&options.auth, request.url());
            let hooks = HookPresence {
                request: !inner.request_hooks.is_empty(),
                response: !inner.response_hooks.is_empty(),
            };
            let settings = inner
                .config
                .flow_settings(&options, auth.as_deref(), &request, hooks);
            let mut flow = SendFlow::new(request, settings);
            let mut auth_flow: Option<Box<dyn AuthFlow + '_>> = None;
            let mut input = Input::Start;
            loop {
                input = match flow.step(input)? {
                    Step::ReadRequestBody(mut request) => {
                        request.read()?;
                        Input::Request(request)
                    }
                    Step::StartAuth(request) => {
                        let auth = auth.as_deref().ok_or_else(|| {
                            Error::invalid_state("the send loop asked for auth without one")
                        })?;
                        Input::Request(auth_flow.insert(auth.auth_flow(request)).first()?)
                    }
                    Step::RequestHooks(mut request) => {
                        for hook in &inner.request_hooks {
                            hook(&mut request)?;
                        }
                        Input::Request(request)
                    }
                    Step::Send(mut request) => {
                        let transport = route(&inner.mounts, &inner.transport, request.url())?;
                        let capabilities = transport.capabilities();
                        prepare_for_transport(&mut request, &capabilities)?;
                        if request.body().is_async_stream() {
                            return Err(Error::invalid_state(
                                "Attempted to send an async request body with a sync Client; \
                                 use AsyncClient, or a blocking iterator or reader.",
                            ));
                        }
                        Input::Sent(transport.handle_request(request)?, capabilities)
                    }
                    Step::ResponseHooks(mut response) => {
                        for hook in &inner.response_hooks {
                            hook(&mut response)?;
                        }
                        Input::Response(response)
                    }
                    Step::ReadResponse(mut response) => {
                        response.read()?;
                        Input::Response(response)
                    }
                    Step::DrainRedirect(mut response) => {
                        response.read_bounded(crate::flow::REDIRECT_BODY_LIMIT)?;
                        Input::Response(response)
                    }
                    Step::AuthNext(response) => {
                        let flow = auth_flow
                            .as_mut()
                            .ok_or_else(|| Error::invalid_state("the auth flow was not started"))?;
                        let next = flow.next(&response)?;
                        Input::AuthNext(response, next)
                    }
                    Step::Done(response) => return Ok(response),
                };
            }
        }

        /// Closes the client: its transports release their connections, and later
        /// sends fail with `InvalidState`.
        pub fn close(&self) {
            if !self.inner.closed.swap(true, Ordering::AcqRel) {
                self.inner.transport.close();
                for transport in self.inner.mounts.transports() {
                    transport.close();
                }
            }
        }

        /// Whether [`close`](Client::close) was called.
        pub fn is_closed(&self) -> bool {
            self.inner.closed.load(Ordering::Acquire)
        }

        /// A copy of the cookie jar.
        pub fn cookies(&self) -> Cookies {
            self.inner
                .config
                .cookies
                .lock()
                .map(|jar| jar.clone())
                .unwrap_or_default()
        }

        /// Changes the cookie jar in place.
        pub fn with_cookies<R>(&self, f: impl FnOnce(&mut Cookies) -> R) -> R {
            let mut jar = match self.inner.config.cookies.lock() {
                Ok(jar) => jar,
                Err(poisoned) => poisoned.into_inner(),
            };
            f(&mut jar)
        }

        /// The base URL, with its trailing `/`.
        pub fn base_url(&self) -> Option<&Url> {
            self.inner.config.base_url.as_ref()
        }

        /// The headers sent with every request.
        pub fn headers(&self) -> &Headers {
            &self.inner.config.headers
        }

        /// The query parameters added to every request.
        pub fn params(&self) -> &QueryParams {
            &self.inner.config.params
        }

        /// The timeouts.
        pub fn timeout(&self) -> &Timeout {
            &self.inner.config.timeout
        }

        /// Whether redirects are followed by default.
        pub fn follows_redirects(&self) -> bool {
            self.inner.config.follow_redirects
        }
    }

    impl Default for Client {
        fn default() -> Client {
            Client::new()
        }
    }

    impl Drop for ClientInner {
        fn drop(&mut self) {
            if !self.closed.swap(true, Ordering::AcqRel) {
                self.transport.close();
                for transport in self.mounts.transports() {
                    transport.close();
                }
            }
        }
    }

    impl fmt::Debug for Client {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Client")
                .field("config", &self.inner.config)
                .field("closed", &self.is_closed())
                .finish()
        }
    }

    impl RequestBuilder<'_, Client> {
        /// Sends the request and returns the response, its body read (or left unread
        /// for a `stream` request).
        pub fn send(self) -> Result<Response> {
            let (client, request, options) = self.into_parts()?;
            client.send_with(request, options)
        }
    }

    /// Configures a [`Client`].
    #[derive(Default)]
    #[must_use = "call build() to get the client"]
    pub struct ClientBuilder {
        pub(crate) common: ConfigBuilder,
        transport: Option<Arc<dyn Transport>>,
        mounts: Mounts<dyn Transport>,
        request_hooks: Vec<RequestHook>,
        response_hooks: Vec<ResponseHook>,
        mount_error: Option<Error>,
    }

    impl fmt::Debug for ClientBuilder {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("ClientBuilder")
                .field("config", &self.common.config)
                .finish_non_exhaustive()
        }
    }

    impl ClientBuilder {
        config_setters!();

        /// The transport for every request not routed by a mount (else this target's
        /// network transport).
        pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
            self.transport = Some(Arc::new(transport));
            self
        }

        /// Routes URLs matching `pattern` to `transport` (httpx's `mounts`); see
        /// [`UrlPattern`](crate::transport::UrlPattern) for the patterns.
        pub fn mount(mut self, pattern: &str, transport: impl Transport + 'static) -> Self {
            if let Some(p) = mount_pattern(pattern, &mut self.mount_error) {
                self.mounts.insert(p, Some(Arc::new(transport)));
            }
            self
        }

        /// Routes URLs matching `pattern` to the client's own transport, ahead of less
        /// specific mounts (httpx's `mounts={pattern: None}`).
        pub fn mount_default(mut self, pattern: &str) -> Self {
            if let Some(p) = mount_pattern(pattern, &mut self.mount_error) {
                self.mounts.insert(p, None);
            }
            self
        }

        /// Adds a request event hook, called before each request is sent (redirects
        /// and auth retries included).
        pub fn on_request<F>(mut self, hook: F) -> Self
        where
            F: Fn(&mut Request) -> Result<()> + Send + Sync + 'static,
        {
            self.request_hooks.push(Arc::new(hook));
            self
        }

        /// Adds a response event hook, called on each response before redirects are
        /// followed; the body is not read yet (call `read()` in the hook if needed).
        pub fn on_response<F>(mut self, hook: F) -> Self
        where
            F: Fn(&mut Response) -> Result<()> + Send + Sync + 'static,
        {
            self.response_hooks.push(Arc::new(hook));
            self
        }

        /// Builds the client. Fails for an invalid setting (base URL, header, mount
        /// pattern).
        // On wasm the client's parts are !Send and the Arc shares them on one thread; on
        // native they are Send + Sync, asserted below.
        #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
        pub fn build(self) -> Result<Client> {
            if let Some(e) = self.mount_error {
                return Err(e);
            }
            let config = self.common.finish()?;
            let mounts = crate::transport::client_mounts(
                &config,
                self.transport.is_some(),
                self.mounts,
                |proxy| crate::transport::default_transport(&config, Some(proxy)),
            )?;
            let transport = match self.transport {
                Some(transport) => transport,
                None => crate::transport::default_transport(&config, None)?,
            };
            Ok(Client {
                inner: Arc::new(ClientInner {
                    config,
                    transport,
                    mounts,
                    request_hooks: self.request_hooks,
                    response_hooks: self.response_hooks,
                    closed: AtomicBool::new(false),
                }),
            })
        }

        /// Builds a client whose settings cannot fail: defaults, no environment, a
        /// given transport.
        fn build_infallible(self) -> Client {
            match self.build() {
                Ok(client) => client,
                Err(_) => unreachable!("default settings with a given transport always build"),
            }
        }
    }

    /// Top-level helpers: each builds a client for one request (no connection reuse;
    /// use a [`Client`] for more than one).
    impl Client {
        pub(crate) fn one_off(
            method: impl IntoMethod,
            url: impl IntoUrl,
        ) -> RequestBuilder<'static, Client> {
            RequestBuilder::new(ClientHandle::Owned(Client::new()), method, url)
        }
    }

    #[cfg(not(target_family = "wasm"))]
    const _: fn() = || {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Client>();
        assert_bounds::<ClientBuilder>();
    };
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use sync_client::{Client, ClientBuilder};

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    #[test]
    fn credentials_reach_the_transport_from_client_or_request() {
        use crate::config::Credentials;
        let transport = crate::MockTransport::new(|request| {
            let seen = format!("{:?}", request.options().credentials);
            crate::Response::builder(200).text(seen).build()
        });
        let client = Client::builder()
            .transport(transport.clone())
            .credentials(Credentials::Include)
            .build()
            .unwrap();
        let text = |r: Result<crate::Response>| r.unwrap().text().unwrap().to_string();
        assert_eq!(text(client.get("https://a.test/").send()), "Some(Include)");
        let omit = client
            .get("https://a.test/")
            .credentials(Credentials::Omit)
            .send();
        assert_eq!(text(omit), "Some(Omit)");
        // A request built by hand takes the client's setting when sent.
        let raw = Request::new(Method::GET, Url::parse("https://a.test/").unwrap());
        assert_eq!(text(client.send(raw)), "Some(Include)");
        let plain = Client::builder().transport(transport).build().unwrap();
        assert_eq!(text(plain.get("https://a.test/").send()), "None");
    }

    #[test]
    fn accept_encoding_lists_enabled_codings() {
        let value = accept_encoding();
        assert!(value.contains("gzip") == cfg!(feature = "gzip"));
        assert!(value.contains("zstd") == cfg!(feature = "zstd"));
    }
}
