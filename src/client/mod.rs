//! The two clients and what they share. [`settings`] holds a client's settings and
//! the builder setters that fill them; [`builder`] the [`RequestBuilder`] and
//! [`SendOptions`]; [`setup`] the transports and proxy routes a client gets by
//! default; [`dispatch`] the core that starts the send flow of a request and routes
//! it. The blocking [`Client`] ([`blocking`]) and the [`AsyncClient`]
//! ([`asynchronous`]) add a driver loop each, which performs the flow's steps.

mod asynchronous;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod blocking;
mod builder;
mod dispatch;
mod settings;
mod setup;

pub use self::asynchronous::{AsyncClient, AsyncClientBuilder};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use self::blocking::{Client, ClientBuilder};
pub use self::builder::{RequestBuilder, SendOptions};
pub use self::settings::ClientConfig;

/// The clients a [`RequestBuilder`] can belong to: [`Client`] and
/// [`AsyncClient`]. Sealed.
pub trait ClientKind: sealed::Sealed {}

pub(crate) mod sealed {
    /// Keeps [`ClientKind`](super::ClientKind) to this crate's clients.
    pub trait Sealed {
        /// The client's settings.
        fn config(&self) -> &super::ClientConfig;
    }
}

/// One method per HTTP verb: `get(url)` is `request(Method::GET, url)`.
macro_rules! verb_methods {
    ($client:ident; $($(#[$doc:meta])* $verb:ident $method:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $verb(
                &self,
                url: impl $crate::url::IntoUrl,
            ) -> $crate::client::RequestBuilder<'_, $client> {
                self.request($crate::request::Method::$method, url)
            }
        )*
    };
}
pub(crate) use verb_methods;

/// The methods both clients have in the same form: the verbs, and the settings and
/// state they show. Expanded in each client's `impl` block.
macro_rules! shared_client_methods {
    ($client:ident, $builder:ident) => {
        /// A client with httpx's defaults and this target's network transport.
        ///
        /// If that set-up fails (an invalid proxy in the environment, say), the client is
        /// still returned and each of its requests fails with that error; use
        /// [`builder`](Self::builder) and `build()` to get the error at once.
        pub fn new() -> $client {
            match $builder::default().build() {
                Ok(client) => client,
                Err(e) => $builder::default()
                    .trust_env(false)
                    .transport(super::setup::FailedSetup::new(&e))
                    .build()
                    .unwrap_or_else(|_| {
                        unreachable!("default settings with a given transport always build")
                    }),
            }
        }

        /// A builder to configure a client.
        pub fn builder() -> $builder {
            $builder::default()
        }

        /// A request with any method (a [`Method`](crate::Method) or its name).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", stringify!($client), "::new();")]
        /// let request = client.request("PROPFIND", "https://example.org/dav/").build()?;
        /// assert_eq!(request.method().as_str(), "PROPFIND");
        /// assert!(client.request("BAD METHOD", "https://example.org/").build().is_err());
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn request(
            &self,
            method: impl $crate::request::IntoMethod,
            url: impl $crate::url::IntoUrl,
        ) -> $crate::client::RequestBuilder<'_, $client> {
            $crate::client::RequestBuilder::new(
                super::builder::ClientHandle::Borrowed(self),
                method,
                url,
            )
        }
        verb_methods! {
            $client;
            /// A GET request.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let client = httpx::", stringify!($client), "::new();")]
            /// let request = client
            ///     .get("https://example.org/search")
            ///     .query([("q", "rust http"), ("page", "2")])
            ///     .header("Accept", "application/json")
            ///     .build()?;
            /// assert_eq!(request.url().as_str(), "https://example.org/search?q=rust+http&page=2");
            /// assert_eq!(request.headers().get("accept").as_deref(), Some("application/json"));
            /// # Ok::<(), httpx::Error>(())
            /// ```
            get GET,
            /// A POST request.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let client = httpx::", stringify!($client), "::new();")]
            /// let request = client
            ///     .post("https://example.org/items")
            ///     .json(&serde_json::json!({"name": "kettle"}))
            ///     .build()?;
            /// assert_eq!(request.headers().get("content-type").as_deref(), Some("application/json"));
            /// assert_eq!(request.content()?, br#"{"name":"kettle"}"#);
            /// # Ok::<(), httpx::Error>(())
            /// ```
            post POST,
            /// A PUT request.
            put PUT,
            /// A PATCH request.
            patch PATCH,
            /// A DELETE request.
            delete DELETE,
            /// A HEAD request.
            head HEAD,
            /// An OPTIONS request.
            options OPTIONS,
        }

        /// A request whose response body is left unread, to stream it (httpx's
        /// `client.stream(...)`): use `iter_bytes()`/`aiter_bytes()`, the line
        /// iterators, or `read()`/`aread()`.
        pub fn stream(
            &self,
            method: impl $crate::request::IntoMethod,
            url: impl $crate::url::IntoUrl,
        ) -> $crate::client::RequestBuilder<'_, $client> {
            self.request(method, url).streaming()
        }

        /// A request builder; `.build()` gives the [`Request`](crate::Request) (httpx's
        /// `build_request`).
        pub fn build_request(
            &self,
            method: impl $crate::request::IntoMethod,
            url: impl $crate::url::IntoUrl,
        ) -> $crate::client::RequestBuilder<'_, $client> {
            self.request(method, url)
        }

        /// Whether the client was closed.
        pub fn is_closed(&self) -> bool {
            self.inner.core.is_closed()
        }

        /// A copy of the cookie jar.
        pub fn cookies(&self) -> $crate::cookies::Cookies {
            self.inner
                .core
                .config
                .cookies
                .lock()
                .map(|jar| jar.clone())
                .unwrap_or_default()
        }

        /// Changes the cookie jar in place.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("let client = httpx::", stringify!($client), "::new();")]
        /// client.with_cookies(|jar| jar.set("theme", "dark", "example.org", "/"));
        /// assert_eq!(client.cookies().get("theme", None, None)?.as_deref(), Some("dark"));
        /// let request = client.get("https://example.org/").build()?;
        /// assert_eq!(request.headers().get("cookie").as_deref(), Some("theme=dark"));
        /// # Ok::<(), httpx::Error>(())
        /// ```
        pub fn with_cookies<R>(&self, f: impl FnOnce(&mut $crate::cookies::Cookies) -> R) -> R {
            let mut jar = match self.inner.core.config.cookies.lock() {
                Ok(jar) => jar,
                Err(poisoned) => poisoned.into_inner(),
            };
            f(&mut jar)
        }

        /// The base URL, with its trailing `/`.
        pub fn base_url(&self) -> Option<&$crate::url::Url> {
            self.inner.core.config.base_url.as_ref()
        }

        /// The headers sent with every request.
        pub fn headers(&self) -> &$crate::headers::Headers {
            &self.inner.core.config.headers
        }

        /// The query parameters added to every request.
        pub fn params(&self) -> &$crate::url::QueryParams {
            &self.inner.core.config.params
        }

        /// The timeouts.
        pub fn timeout(&self) -> &$crate::config::Timeout {
            &self.inner.core.config.timeout
        }

        /// Whether redirects are followed by default.
        pub fn follows_redirects(&self) -> bool {
            self.inner.core.config.follow_redirects
        }
    };
}
pub(crate) use shared_client_methods;

/// The builder methods that give a client its transports; `$transport` is the
/// client's transport trait, `$mount_doc` more docs for `mount`.
macro_rules! transport_setters {
    ($transport:path; $(#[$mount_doc:meta])*) => {
        /// The transport for every request not routed by a mount (else this target's
        /// network transport).
        pub fn transport(mut self, transport: impl $transport + 'static) -> Self {
            self.parts.transport = Some(Arc::new(transport));
            self
        }

        /// Routes URLs matching `pattern` to `transport` (httpx's `mounts`); see
        /// [`UrlPattern`](crate::transport::UrlPattern) for the patterns.
        $(#[$mount_doc])*
        pub fn mount(mut self, pattern: &str, transport: impl $transport + 'static) -> Self {
            self.parts.mount(pattern, Some(Arc::new(transport)));
            self
        }

        /// Routes URLs matching `pattern` to the client's own transport, ahead of less
        /// specific mounts (httpx's `mounts={pattern: None}`).
        pub fn mount_default(mut self, pattern: &str) -> Self {
            self.parts.mount(pattern, None);
            self
        }
    };
}
pub(crate) use transport_setters;

/// The trait impls both clients have in the same form.
macro_rules! shared_client_impls {
    ($client:ident) => {
        impl super::sealed::Sealed for $client {
            fn config(&self) -> &super::ClientConfig {
                &self.inner.core.config
            }
        }

        impl super::ClientKind for $client {}

        impl Default for $client {
            fn default() -> $client {
                $client::new()
            }
        }

        impl std::fmt::Debug for $client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($client))
                    .field("config", &self.inner.core.config)
                    .field("closed", &self.is_closed())
                    .finish()
            }
        }
    };
}
pub(crate) use shared_client_impls;
