//! The settings both clients share ([`ClientConfig`]), the builder setters that fill
//! them, and httpx's default headers.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::auth::Auth;
use crate::config::{
    Credentials, DefaultEncoding, Limits, Proxy, Timeout, DEFAULT_MAX_REDIRECTS, USER_AGENT,
};
use crate::cookies::Cookies;
use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::url::{QueryParams, Url};

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

/// Settings shared by [`Client`](crate::Client) and [`AsyncClient`](crate::AsyncClient).
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
    /// The most bytes a response body may decode to; `None`, the default, for no limit.
    pub(crate) max_body_size: Option<u64>,
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
            .field("max_body_size", &self.max_body_size)
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
                max_body_size: None,
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

/// Setters shared by [`ClientBuilder`](crate::ClientBuilder) and [`AsyncClientBuilder`](crate::AsyncClientBuilder).
/// `$client` names the client in the examples.
macro_rules! config_setters {
    ($client:literal) => {
        /// The base URL relative request URLs are appended to (a `/` is added to its
        /// path when missing, as httpx does: `"/items"` under
        /// `"https://api.example.org/v1"` is `https://api.example.org/v1/items`).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .base_url("https://api.example.org/v1")
        ///     .build()?;
        /// let request = client.get("items").build()?;
        /// assert_eq!(request.url().as_str(), "https://api.example.org/v1/items");
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn base_url(mut self, url: impl $crate::url::IntoUrl) -> Self {
            let parsed = match url.into_url_input() {
                $crate::url::UrlInput::Url(u) => Ok(u),
                $crate::url::UrlInput::Text(t) => $crate::url::Url::parse(&t),
            };
            match parsed {
                Ok(u) => {
                    self.parts.common.config.base_url = Some($crate::url::enforce_trailing_slash(u))
                }
                Err(e) => self.parts.common.fail(e),
            }
            self
        }

        /// Sets a header sent with every request (replacing a default of that name).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .header("User-Agent", "my-app/1.0")
        ///     .header("X-Api-Key", "k")
        ///     .build()?;
        /// let request = client.get("https://example.org/").build()?;
        /// assert_eq!(request.headers().get("user-agent").as_deref(), Some("my-app/1.0"));
        /// assert_eq!(request.headers().get("x-api-key").as_deref(), Some("k"));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
            self.parts.common.set_header(name, value.as_ref());
            self
        }

        /// Removes a header from every request, a default such as `User-Agent` included
        /// (httpx's `del client.headers[name]`).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .remove_header("User-Agent")
        ///     .build()?;
        /// assert!(!client.headers().contains("user-agent"));
        /// assert!(client.headers().contains("accept"));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn remove_header(mut self, name: &str) -> Self {
            self.parts.common.config.headers.remove(name);
            self.parts
                .common
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
                        self.parts.common.set_header(&key, value);
                    } else if let Err(e) = self.parts.common.config.headers.append(&key, value) {
                        self.parts.common.fail(e);
                    }
                }
            }
            self
        }

        /// Query parameters added to every request URL.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .params([("api-version", "2")])
        ///     .build()?;
        /// let request = client.get("https://example.org/items?page=3").build()?;
        /// assert_eq!(request.url().query(), "page=3&api-version=2");
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn params(mut self, params: impl Into<$crate::url::QueryParams>) -> Self {
            self.parts.common.config.params = self.parts.common.config.params.merge(params.into());
            self
        }

        /// The cookie jar to start with; cookies set by responses are kept in it.
        ///
        /// # Examples
        ///
        /// ```
        /// let mut jar = httpx::Cookies::new();
        /// jar.set("session", "s1", "example.org", "/");
        #[doc = concat!("let client = httpx::", $client, "::builder().cookies(jar).build()?;")]
        /// let request = client.get("https://example.org/").build()?;
        /// assert_eq!(request.headers().get("cookie").as_deref(), Some("session=s1"));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn cookies(mut self, cookies: $crate::cookies::Cookies) -> Self {
            self.parts.common.config.cookies = std::sync::Arc::new(std::sync::Mutex::new(cookies));
            self
        }

        /// Auth for every request (a request can override it or turn it off).
        pub fn auth(mut self, auth: impl $crate::auth::IntoAuth) -> Self {
            self.parts.common.config.auth = Some(auth.into_auth());
            self
        }

        /// Timeouts (httpx's default: 5 seconds each, no total deadline).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .timeout(httpx::Timeout::new(10.0).connect(2.0).total(30.0))
        ///     .build()?;
        /// assert_eq!(client.timeout().connect, Some(Duration::from_secs(2)));
        /// assert_eq!(client.timeout().read, Some(Duration::from_secs(10)));
        /// assert_eq!(client.timeout().total, Some(Duration::from_secs(30)));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn timeout(mut self, timeout: impl Into<$crate::config::Timeout>) -> Self {
            self.parts.common.config.timeout = timeout.into();
            self
        }

        /// Whether redirects are followed (default false, as in httpx).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .follow_redirects(true)
        ///     .max_redirects(5)
        ///     .build()?;
        /// assert!(client.follows_redirects());
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn follow_redirects(mut self, follow: bool) -> Self {
            self.parts.common.config.follow_redirects = follow;
            self
        }

        /// The most redirects followed before `TooManyRedirects` (default 20).
        pub fn max_redirects(mut self, max: usize) -> Self {
            self.parts.common.config.max_redirects = max;
            self
        }

        /// The most bytes a response body may decode to (default: no limit, as in
        /// httpx). Reading a body past it fails with a `DecodingError` ("The response
        /// body exceeded max_body_size (N bytes)"), and the connection is closed. The
        /// limit counts decoded bytes, so a decompression bomb stops at it; it applies
        /// to `send()`, which reads the body, to `read()`/`aread()` (and so `text()`
        /// and `json()`) and to the `iter_*`/`aiter_*` readers of a streamed response
        /// (decoded bytes; raw ones for `iter_raw`). A request can set its own
        /// ([`RequestBuilder::max_body_size`](crate::RequestBuilder::max_body_size)).
        ///
        /// It is a `DecodingError` because the body could not be turned into content
        /// within the bounds set, as a corrupt gzip body cannot: not a network or
        /// protocol failure (retrying gets the same body; `is_transport()` is false),
        /// and reqwest's `is_decode()` is true for it.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", $client, "::builder()")]
        ///     .max_body_size(10 * 1024 * 1024) // 10 MiB
        ///     .build()?;
        /// let request = client.get("https://example.org/").build()?;
        /// assert_eq!(request.options().max_body_size, Some(10 * 1024 * 1024));
        /// let request = client.get("https://example.org/dump").max_body_size(u64::MAX).build()?;
        /// assert_eq!(request.options().max_body_size, Some(u64::MAX));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn max_body_size(mut self, bytes: u64) -> Self {
            self.parts.common.config.max_body_size = Some(bytes);
            self
        }

        /// The encoding for response text without a charset (default UTF-8), or a
        /// function that guesses it.
        pub fn default_encoding(
            mut self,
            encoding: impl Into<$crate::config::DefaultEncoding>,
        ) -> Self {
            self.parts.common.config.default_encoding = encoding.into();
            self
        }

        /// Whether environment settings (proxies, certificates, netrc) are used where the
        /// host has an environment (default true).
        pub fn trust_env(mut self, trust: bool) -> Self {
            self.parts.common.config.trust_env = trust;
            self
        }

        /// A proxy for every request (transports that can proxy use it).
        pub fn proxy(mut self, proxy: $crate::config::Proxy) -> Self {
            self.parts.common.config.proxy = Some(proxy);
            self
        }

        /// Connection pool limits (for pooling transports).
        pub fn limits(mut self, limits: $crate::config::Limits) -> Self {
            self.parts.common.config.limits = limits;
            self
        }

        /// Whether the browser sends and stores cookies with each request (fetch's
        /// `credentials`; unset leaves the browser's default, same-origin). A browser
        /// notion: only the fetch transport reads it, other transports ignore it.
        pub fn credentials(mut self, credentials: $crate::config::Credentials) -> Self {
            self.parts.common.config.credentials = Some(credentials);
            self
        }

        /// Whether the network transport verifies server certificates (default true;
        /// native targets, where the client owns TLS).
        #[cfg(not(target_family = "wasm"))]
        pub fn verify(mut self, verify: bool) -> Self {
            self.parts.common.config.connection.verify = Some(verify);
            self
        }

        /// Trusts only the certificates of this PEM bundle (httpx's
        /// `verify="bundle.pem"`; native targets).
        #[cfg(not(target_family = "wasm"))]
        pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.parts.common.config.connection.ca_bundle_pem = Some(pem.into());
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
            self.parts.common.config.connection.client_certificate =
                Some((chain.into(), key.into()));
            self
        }

        /// Whether HTTP/1.1 is offered (default true; native targets).
        #[cfg(not(target_family = "wasm"))]
        pub fn http1(mut self, enabled: bool) -> Self {
            self.parts.common.config.connection.http1 = Some(enabled);
            self
        }

        /// Whether HTTP/2 is offered over TLS (default false, as in httpx; native
        /// targets with the `http2` feature).
        #[cfg(not(target_family = "wasm"))]
        pub fn http2(mut self, enabled: bool) -> Self {
            self.parts.common.config.connection.http2 = Some(enabled);
            self
        }
    };
}
pub(crate) use config_setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_lists_enabled_codings() {
        let value = accept_encoding();
        assert!(value.contains("gzip") == cfg!(feature = "gzip"));
        assert!(value.contains("zstd") == cfg!(feature = "zstd"));
    }
}
