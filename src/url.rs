//! [`Url`] and [`QueryParams`]: WHATWG parsing with httpx's operations.
//!
//! Parsing follows the WHATWG URL standard, as browsers do, so the URL a request is
//! built with is the URL the browser transport sends. httpx's semantics apply to the
//! operations: [`Url::join`], [`Url::copy_with`], the `copy_*_param` family and
//! [`QueryParams`]. Deviations from httpx, each on purpose:
//!
//! - A [`Url`] is always absolute. Relative references (`"/path"`) are resolved
//!   against a client's `base_url`, or rejected when the client has none.
//! - Stricter than httpx: an empty host (`"http://"`) and a port out of range
//!   (`":99999"`) are [`ErrorKind::InvalidUrl`](crate::ErrorKind::InvalidUrl) errors
//!   when parsing, not connection errors later.
//! - WHATWG rules for special schemes apply: a backslash counts as a slash and
//!   `http:/host` gains its missing slash, as in browsers.
//! - Changing the scheme between a special scheme (`http`) and another one (`foo`)
//!   with `copy_with` is refused (WHATWG forbids it).
//!
//! In the browser (wasm32-unknown-unknown), the parser is the host's own `URL` class,
//! which follows the same standard, instead of the `url` crate used elsewhere: that
//! keeps the crate's parser and IDNA code out of the wasm (about 15 KB gzipped). The
//! results are the same for http(s) URLs; Chromium's known departures (opaque hosts of
//! `file:` and non-special URLs) are listed in `tests/url_everywhere.rs`. The
//! conversions to and from `url::Url` exist only on the other targets.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{Error, Result};

// The WHATWG parser: the `url` crate, or in the browser the host's `URL` class behind
// the same API (src/url/host_parser.rs).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod host_parser;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use ::url as whatwg;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use host_parser as whatwg;

/// The longest URL [`Url::parse`] accepts, in bytes (httpx's `MAX_URL_LENGTH`); a
/// longer URL, or a longer component given on its own (a path, a query), is an
/// `InvalidUrl` error ("URL too long", "URL component 'path' too long").
pub const MAX_URL_LENGTH: usize = 65536;

/// An absolute URL.
///
/// ```
/// use httpx::Url;
/// let url = Url::parse("HTTPS://jo%40email.com:a%20secret@müller.de:1234/pa%20th?search=ab#anchor")?;
/// assert_eq!(url.scheme(), "https");
/// assert_eq!(url.username(), "jo@email.com");
/// assert_eq!(url.password().as_deref(), Some("a secret"));
/// assert_eq!(url.host(), "müller.de");
/// assert_eq!(url.raw_host(), "xn--mller-kva.de");
/// assert_eq!(url.port(), Some(1234));
/// assert_eq!(url.path(), "/pa th");
/// assert_eq!(url.query(), "search=ab");
/// assert_eq!(url.raw_path(), "/pa%20th?search=ab");
/// assert_eq!(url.fragment(), "anchor");
/// # Ok::<(), httpx::Error>(())
/// ```
// Shared: a request, its error context and the response's request all hold the
// same URL, and a clone costs no allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Url {
    inner: Arc<whatwg::Url>,
}

impl Url {
    /// Parses an absolute URL.
    ///
    /// Errors are [`ErrorKind::InvalidUrl`](crate::ErrorKind::InvalidUrl) and say what is
    /// wrong: a control character and its position, an empty host, a bad port, an
    /// invalid IDNA host, a relative reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{ErrorKind, Url};
    ///
    /// let url = Url::parse("https://api.example.org/v1/items?page=2")?;
    /// assert_eq!(url.host(), "api.example.org");
    /// assert_eq!(url.path(), "/v1/items");
    /// assert_eq!(url.params().get("page"), Some("2"));
    /// // `str::parse` and `Url::try_from` work too.
    /// assert_eq!("https://api.example.org/v1/items?page=2".parse::<Url>()?, url);
    ///
    /// assert_eq!(Url::parse("/v1/items").unwrap_err().kind(), ErrorKind::InvalidUrl);
    /// assert_eq!(Url::parse("https://example.org:99999/").unwrap_err().kind(), ErrorKind::InvalidUrl);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn parse(input: &str) -> Result<Url> {
        check_printable(input, None)?;
        let inner = whatwg::Url::parse(input).map_err(|e| parse_error(input, e))?;
        Url::from_parsed(inner)
    }

    fn from_parsed(inner: whatwg::Url) -> Result<Url> {
        if inner.is_special() && inner.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid_url(format!(
                "Invalid URL '{}': empty host",
                redact(inner.as_str())
            )));
        }
        Ok(Url {
            inner: Arc::new(inner),
        })
    }

    /// The scheme, lowercase: `"http"`, `"https"`.
    pub fn scheme(&self) -> &str {
        self.inner.scheme()
    }

    /// The host, lowercase, with IDNA hosts decoded to Unicode and IPv6 addresses
    /// without brackets: `"中国.icom.museum"`, `"::1"`. Empty when there is none.
    pub fn host(&self) -> Cow<'_, str> {
        let raw = self.raw_host();
        if raw.split('.').any(|label| label.starts_with("xn--")) {
            if let Some(unicode) = domain_to_unicode(raw) {
                return Cow::Owned(unicode);
            }
        }
        Cow::Borrowed(raw)
    }

    /// The host as sent on the wire: lowercase, IDNA-encoded (`"xn--fiqs8s.icom.museum"`),
    /// IPv6 without brackets. Empty when there is none.
    pub fn raw_host(&self) -> &str {
        match self.inner.host_str() {
            Some(h) if h.starts_with('[') && h.ends_with(']') => &h[1..h.len() - 1],
            Some(h) => h,
            None => "",
        }
    }

    /// The host as written in an authority: IPv6 addresses keep their brackets.
    pub(crate) fn host_for_authority(&self) -> &str {
        self.inner.host_str().unwrap_or("")
    }

    /// The explicit port, or `None` when the URL gives none or gives the scheme's
    /// default (`http://example.org:80/` has no port), as in httpx.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Url;
    ///
    /// assert_eq!(Url::parse("http://localhost:8080/")?.port(), Some(8080));
    /// assert_eq!(Url::parse("https://example.org:443/")?.port(), None);
    /// assert_eq!(Url::parse("https://example.org/")?.port_or_default(), Some(443));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn port(&self) -> Option<u16> {
        self.inner.port()
    }

    /// The port to connect to: the explicit one, else the scheme's default.
    pub fn port_or_default(&self) -> Option<u16> {
        self.inner.port_or_known_default()
    }

    /// `host` or `host:port` in wire form, as used for the `Host` header.
    pub fn netloc(&self) -> String {
        let host = self.inner.host_str().unwrap_or("");
        let Some(port) = self.port() else {
            return host.to_string();
        };
        // Built by hand in one allocation of the exact size (this is the Host header of
        // every request): no formatting machinery, no growth.
        let digits = match port {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            1000..=9999 => 4,
            _ => 5,
        };
        let mut netloc = String::with_capacity(host.len() + 1 + digits);
        netloc.push_str(host);
        netloc.push(':');
        let mut buffer = [0u8; 5];
        let mut rest = port;
        for slot in buffer[..digits].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        netloc.extend(buffer[..digits].iter().map(|&d| char::from(d)));
        netloc
    }

    /// The percent-encoded userinfo: `"jo%40email.com:a%20secret"`, or `""`.
    pub fn userinfo(&self) -> String {
        match self.inner.password() {
            Some(p) => format!("{}:{}", self.inner.username(), p),
            None => self.inner.username().to_string(),
        }
    }

    /// The username, percent-decoded. Empty when there is none.
    pub fn username(&self) -> Cow<'_, str> {
        percent_decode_str(self.inner.username()).decode_utf8_lossy()
    }

    /// The password, percent-decoded.
    pub fn password(&self) -> Option<Cow<'_, str>> {
        self.inner
            .password()
            .map(|p| percent_decode_str(p).decode_utf8_lossy())
    }

    /// The path, percent-decoded: `"/pa th"`.
    pub fn path(&self) -> Cow<'_, str> {
        let path = self.inner.path();
        if path.is_empty() {
            return Cow::Borrowed("/");
        }
        percent_decode_str(path).decode_utf8_lossy()
    }

    /// The query string as sent, without the `?`: `"a=1&b=c%20d"`, or `""`.
    pub fn query(&self) -> &str {
        self.inner.query().unwrap_or("")
    }

    /// The query parsed into [`QueryParams`].
    pub fn params(&self) -> QueryParams {
        QueryParams::parse(self.query())
    }

    /// The request target: the encoded path and query, `"/pa%20th?search=ab"`.
    pub fn raw_path(&self) -> String {
        let path = match self.inner.path() {
            "" => "/",
            p => p,
        };
        match self.inner.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        }
    }

    /// [`raw_path`](Url::raw_path) borrowed from the URL where it can be (the
    /// request target of every HTTP/1.1 request): no allocation.
    // Used by the native transport only.
    #[cfg_attr(any(target_family = "wasm", not(feature = "hyper")), allow(dead_code))]
    pub(crate) fn request_target(&self) -> Cow<'_, str> {
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        if !self.inner.path().is_empty() {
            return Cow::Borrowed(
                &self.inner[whatwg::Position::BeforePath..whatwg::Position::AfterQuery],
            );
        }
        Cow::Owned(self.raw_path())
    }

    /// The fragment, percent-decoded, without the `#`; `""` when there is none.
    pub fn fragment(&self) -> Cow<'_, str> {
        percent_decode_str(self.inner.fragment().unwrap_or("")).decode_utf8_lossy()
    }

    /// The whole URL as a string (with credentials: see [`Url::without_userinfo`]).
    pub fn as_str(&self) -> &str {
        self.inner.as_str()
    }

    /// The underlying [`url::Url`] (not in the browser build, which parses with the
    /// host's `URL` class).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn as_url(&self) -> &url::Url {
        &self.inner
    }

    /// The path as sent, percent-encoded; `""` for a non-special URL without one.
    pub(crate) fn encoded_path(&self) -> &str {
        self.inner.path()
    }

    /// Whether the URL has a fragment (`#`), even an empty one.
    pub(crate) fn has_fragment(&self) -> bool {
        self.inner.fragment().is_some()
    }

    /// Whether the scheme is `https` (or `wss`).
    pub fn is_secure(&self) -> bool {
        matches!(self.scheme(), "https" | "wss")
    }

    /// This URL without username and password.
    pub fn without_userinfo(&self) -> Url {
        if self.inner.username().is_empty() && self.inner.password().is_none() {
            return self.clone();
        }
        let mut inner = (*self.inner).clone();
        // Only URLs without a host refuse these, and those have no userinfo.
        let _ = inner.set_username("");
        let _ = inner.set_password(None);
        Url {
            inner: Arc::new(inner),
        }
    }

    /// Resolves a reference against this URL (RFC 3986 §5, WHATWG rules).
    ///
    /// ```
    /// let url = httpx::Url::parse("https://www.example.com/test")?;
    /// assert_eq!(url.join("/new/path")?.as_str(), "https://www.example.com/new/path");
    /// assert_eq!(url.join("other")?.as_str(), "https://www.example.com/other");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn join(&self, reference: &str) -> Result<Url> {
        check_printable(reference, None)?;
        let joined = self
            .inner
            .join(reference)
            .map_err(|e| parse_error(reference, e))?;
        Url::from_parsed(joined)
    }

    /// Starts a copy of this URL with some components changed (httpx's `copy_with`).
    ///
    /// ```
    /// let url = httpx::Url::parse("https://www.example.com/")?;
    /// let url = url.copy_with().username("jo@email.com").password("a secret").build()?;
    /// assert_eq!(url.as_str(), "https://jo%40email.com:a%20secret@www.example.com/");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn copy_with(&self) -> UrlBuilder {
        UrlBuilder {
            url: self.clone(),
            changes: Vec::new(),
        }
    }

    /// A copy with the query parameter `key` set to `value`, replacing earlier values.
    ///
    /// # Examples
    ///
    /// ```
    /// let url = httpx::Url::parse("https://example.org/search?q=rust&page=1")?;
    /// let next = url.copy_set_param("page", 2);
    /// assert_eq!(next.as_str(), "https://example.org/search?q=rust&page=2");
    /// assert_eq!(url.params().get("page"), Some("1")); // `url` is unchanged
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn copy_set_param(&self, key: &str, value: impl fmt::Display) -> Url {
        self.with_params(&self.params().set(key, value))
    }

    /// A copy with one more value for the query parameter `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let url = httpx::Url::parse("https://example.org/search?tag=a&q=rust")?;
    /// // Values are grouped by key, as in httpx.
    /// assert_eq!(url.copy_add_param("tag", "b").as_str(), "https://example.org/search?tag=a&tag=b&q=rust");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn copy_add_param(&self, key: &str, value: impl fmt::Display) -> Url {
        self.with_params(&self.params().add(key, value))
    }

    /// A copy without the query parameter `key`.
    pub fn copy_remove_param(&self, key: &str) -> Url {
        self.with_params(&self.params().remove(key))
    }

    /// A copy whose query is this URL's parameters merged with `params`: keys in
    /// `params` replace the URL's values for those keys (httpx's `copy_merge_params`).
    ///
    /// # Examples
    ///
    /// ```
    /// let url = httpx::Url::parse("https://example.org/search?q=rust&page=1")?;
    /// let url = url.copy_merge_params([("page", "3"), ("sort", "new")]);
    /// assert_eq!(url.as_str(), "https://example.org/search?q=rust&page=3&sort=new");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn copy_merge_params(&self, params: impl Into<QueryParams>) -> Url {
        let params = params.into();
        if params.is_empty() {
            return self.clone();
        }
        self.with_params(&self.params().merge(params))
    }

    /// A copy whose query is exactly `params` (no `?` when `params` is empty).
    pub(crate) fn with_params(&self, params: &QueryParams) -> Url {
        let mut inner = (*self.inner).clone();
        if params.is_empty() {
            inner.set_query(None);
        } else {
            inner.set_query(Some(&params.to_string()));
        }
        Url {
            inner: Arc::new(inner),
        }
    }

    /// The origin: scheme, host and effective port. Two URLs with equal origins are
    /// "same origin" for credential forwarding on redirects.
    pub fn origin(&self) -> (String, String, Option<u16>) {
        (
            self.scheme().to_string(),
            self.raw_host().to_string(),
            self.port_or_default(),
        )
    }
}

/// A domain decoded from IDNA's ASCII form for display, or `None` when a label does
/// not decode. The browser build only undoes the Punycode of `xn--` labels: its hosts
/// come from the host's parser, already validated and mapped.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn domain_to_unicode(domain: &str) -> Option<String> {
    let (unicode, result) = idna::domain_to_unicode(domain);
    result.ok().map(|()| unicode)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn domain_to_unicode(domain: &str) -> Option<String> {
    let labels: Option<Vec<String>> = domain
        .split('.')
        .map(|label| match label.strip_prefix("xn--") {
            Some(encoded) => idna::punycode::decode_to_string(encoded),
            None => Some(label.to_string()),
        })
        .collect();
    labels.map(|labels| labels.join("."))
}

/// A domain lowercased and IDNA-encoded (`"bücher.example"` to
/// `"xn--bcher-kva.example"`), or `None` when it is not a valid domain.
pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
    if domain.is_ascii() {
        return Some(domain.to_ascii_lowercase());
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    return idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::URL)
        .ok()
        .map(Cow::into_owned);
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    return host_parser::domain_to_ascii(domain);
}

fn parse_error(input: &str, err: whatwg::ParseError) -> Error {
    let shown = redact(input);
    let message = match err {
        whatwg::ParseError::EmptyHost => format!("Invalid URL '{shown}': empty host"),
        whatwg::ParseError::InvalidPort => match port_text(input) {
            Some(port) => format!("Invalid port: '{port}' in URL '{shown}'"),
            None => format!("Invalid port in URL '{shown}'"),
        },
        whatwg::ParseError::RelativeUrlWithoutBase => format!(
            "Invalid URL '{shown}': a relative URL needs a base URL \
             (use an absolute URL such as 'https://example.org/path', or a client base_url)"
        ),
        whatwg::ParseError::IdnaError => format!("Invalid IDNA hostname in URL '{shown}'"),
        whatwg::ParseError::InvalidIpv4Address => format!("Invalid IPv4 address in URL '{shown}'"),
        whatwg::ParseError::InvalidIpv6Address => format!("Invalid IPv6 address in URL '{shown}'"),
        whatwg::ParseError::InvalidDomainCharacter => {
            format!("Invalid character in the host of URL '{shown}'")
        }
        other => format!("Invalid URL '{shown}': {other}"),
    };
    Error::invalid_url(message)
}

/// The text after the host's `:` in the authority of `input`, for error messages.
fn port_text(input: &str) -> Option<&str> {
    let after_scheme = &input[input.find("//")? + 2..];
    let authority = after_scheme
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host_end = if host_port.starts_with('[') {
        host_port.find(']').map_or(host_port.len(), |i| i + 1)
    } else {
        host_port.find(':').unwrap_or(host_port.len())
    };
    host_port[host_end..].strip_prefix(':')
}

/// `input` with any password in it shown as `[secure]`, for messages.
fn redact(input: &str) -> Cow<'_, str> {
    let Some(start) = input.find("://").map(|i| i + 3) else {
        return Cow::Borrowed(input);
    };
    let authority_end = input[start..]
        .find(['/', '?', '#'])
        .map_or(input.len(), |i| start + i);
    let Some(at) = input[start..authority_end].rfind('@').map(|i| start + i) else {
        return Cow::Borrowed(input);
    };
    match input[start..at].find(':') {
        Some(colon) => Cow::Owned(format!(
            "{}:[secure]{}",
            &input[..start + colon],
            &input[at..]
        )),
        None => Cow::Borrowed(input),
    }
}

/// httpx refuses URLs with ASCII control characters (WHATWG would strip tabs and
/// newlines silently, which hides header-injection attempts).
fn check_printable(input: &str, component: Option<&str>) -> Result<()> {
    if input.len() > MAX_URL_LENGTH {
        return Err(Error::invalid_url(match component {
            Some(c) => format!("URL component '{c}' too long"),
            None => "URL too long".to_string(),
        }));
    }
    if let Some((pos, ch)) = input.char_indices().find(|&(_, c)| c.is_ascii_control()) {
        let shown = match ch {
            '\t' => "'\\t'".to_string(),
            '\n' => "'\\n'".to_string(),
            '\r' => "'\\r'".to_string(),
            c => format!("'\\x{:02x}'", c as u32),
        };
        let position = input[..pos].chars().count();
        return Err(Error::invalid_url(match component {
            Some(c) => format!(
                "Invalid non-printable ASCII character in URL {c} component, {shown} at position {position}."
            ),
            None => format!(
                "Invalid non-printable ASCII character in URL, {shown} at position {position}."
            ),
        }));
    }
    Ok(())
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.as_str())
    }
}

impl fmt::Debug for Url {
    /// Like httpx's `repr`, the password is masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url({:?})", redact(self.as_str()))
    }
}

impl FromStr for Url {
    type Err = Error;
    fn from_str(s: &str) -> Result<Url> {
        Url::parse(s)
    }
}

impl TryFrom<&str> for Url {
    type Error = Error;
    fn try_from(s: &str) -> Result<Url> {
        Url::parse(s)
    }
}

impl TryFrom<String> for Url {
    type Error = Error;
    fn try_from(s: String) -> Result<Url> {
        Url::parse(&s)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl TryFrom<url::Url> for Url {
    type Error = Error;
    fn try_from(inner: url::Url) -> Result<Url> {
        check_printable(inner.as_str(), None)?;
        Url::from_parsed(inner)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl From<Url> for url::Url {
    fn from(url: Url) -> url::Url {
        Arc::unwrap_or_clone(url.inner)
    }
}

impl TryFrom<&http::Uri> for Url {
    type Error = Error;
    fn try_from(uri: &http::Uri) -> Result<Url> {
        Url::parse(&uri.to_string())
    }
}

impl TryFrom<&Url> for http::Uri {
    type Error = Error;
    fn try_from(url: &Url) -> Result<http::Uri> {
        url.as_str().parse::<http::Uri>().map_err(|e| {
            Error::invalid_url(format!(
                "URL '{}' is not a valid URI: {e}",
                redact(url.as_str())
            ))
        })
    }
}

impl PartialEq<str> for Url {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Url {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What a request method accepts as its URL: a string (absolute, or relative to the
/// client's `base_url`) or a [`Url`].
pub trait IntoUrl: sealed::Sealed {
    #[doc(hidden)]
    fn into_url_input(self) -> UrlInput;
}

#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum UrlInput {
    Text(String),
    Url(Url),
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! into_url_text {
    ($($ty:ty),*) => {$(
        impl sealed::Sealed for $ty {}
        impl IntoUrl for $ty {
            fn into_url_input(self) -> UrlInput {
                UrlInput::Text(self.to_string())
            }
        }
    )*};
}
into_url_text!(&str, String, &String);

impl sealed::Sealed for Url {}
impl IntoUrl for Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self)
    }
}

impl sealed::Sealed for &Url {}
impl IntoUrl for &Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self.clone())
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl sealed::Sealed for url::Url {}
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl IntoUrl for url::Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Text(self.to_string())
    }
}

/// Whether `text` is an absolute URL with a host (httpx's `is_absolute_url`): it has a
/// scheme and an authority (`scheme://`). WHATWG would also read `http:evil.com` as
/// absolute; with a `base_url` that form is appended to the base instead, as in httpx,
/// so that a reference never leaves the base host without a `//`.
fn is_absolute(text: &str) -> bool {
    let scheme_end = text
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
            }
        })
        .count();
    scheme_end > 0 && text[scheme_end..].starts_with("://")
}

impl UrlInput {
    /// Resolves the input against a client's base URL with httpx's rule: a relative
    /// reference is always appended to the base path (`base_url` ends in `/`, and the
    /// reference's leading `/` does not reset to the root).
    pub(crate) fn resolve(self, base: Option<&Url>) -> Result<Url> {
        let text = match self {
            UrlInput::Url(url) => return Ok(url),
            UrlInput::Text(text) => text,
        };
        if is_absolute(&text) {
            return Url::parse(&text);
        }
        check_printable(&text, None)?;
        let Some(base) = base else {
            return Err(Error::new(
                crate::ErrorKind::UnsupportedProtocol,
                format!("Request URL '{text}' is missing an 'http://' or 'https://' protocol."),
            ));
        };
        let reference = text.trim_start_matches('/');
        let reference = reference.split('#').next().unwrap_or("");
        let (path, query) = match reference.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (reference, None),
        };
        let base_path = base.inner.path();
        let mut inner = (*base.inner).clone();
        inner.set_path(&format!("{base_path}{path}"));
        match query {
            Some(q) => inner.set_query(Some(q)),
            None => inner.set_query(base.inner.query()),
        }
        inner.set_fragment(None);
        Url::from_parsed(inner)
    }
}

/// Ensures a base URL's path ends in `/`, so relative references append to it.
pub(crate) fn enforce_trailing_slash(url: Url) -> Url {
    if url.inner.path().ends_with('/') {
        return url;
    }
    let mut inner = Arc::unwrap_or_clone(url.inner);
    let path = format!("{}/", inner.path());
    inner.set_path(&path);
    Url {
        inner: Arc::new(inner),
    }
}

/// A copy of a [`Url`] in the making; see [`Url::copy_with`].
#[derive(Clone, Debug)]
#[must_use = "call build() to get the URL"]
pub struct UrlBuilder {
    url: Url,
    changes: Vec<Change>,
}

#[derive(Clone, Debug)]
enum Change {
    Scheme(String),
    Username(String),
    Password(Option<String>),
    Host(String),
    Port(Option<u16>),
    Path(String),
    Query(Option<String>),
    RawPath(String),
    Fragment(Option<String>),
    Params(QueryParams),
}

impl UrlBuilder {
    /// Sets the scheme.
    pub fn scheme(mut self, scheme: &str) -> Self {
        self.changes.push(Change::Scheme(scheme.to_string()));
        self
    }
    /// Sets the username (percent-encoded as needed).
    pub fn username(mut self, username: &str) -> Self {
        self.changes.push(Change::Username(username.to_string()));
        self
    }
    /// Sets the password (percent-encoded as needed).
    pub fn password(mut self, password: &str) -> Self {
        self.changes
            .push(Change::Password(Some(password.to_string())));
        self
    }
    /// Removes the password.
    pub fn no_password(mut self) -> Self {
        self.changes.push(Change::Password(None));
        self
    }
    /// Sets the host (IDNA-encoded as needed; an IPv6 address with or without brackets).
    pub fn host(mut self, host: &str) -> Self {
        self.changes.push(Change::Host(host.to_string()));
        self
    }
    /// Sets or removes the port.
    pub fn port(mut self, port: Option<u16>) -> Self {
        self.changes.push(Change::Port(port));
        self
    }
    /// Sets the path; it may not contain `?` or `#`.
    pub fn path(mut self, path: &str) -> Self {
        self.changes.push(Change::Path(path.to_string()));
        self
    }
    /// Sets the query string (without `?`); it may not contain `#`.
    pub fn query(mut self, query: Option<&str>) -> Self {
        self.changes.push(Change::Query(query.map(str::to_string)));
        self
    }
    /// Sets path and query from a request target such as `"/a/b?c=d"`.
    pub fn raw_path(mut self, raw_path: &str) -> Self {
        self.changes.push(Change::RawPath(raw_path.to_string()));
        self
    }
    /// Sets or removes the fragment.
    pub fn fragment(mut self, fragment: Option<&str>) -> Self {
        self.changes
            .push(Change::Fragment(fragment.map(str::to_string)));
        self
    }
    /// Replaces the query with `params`.
    pub fn params(mut self, params: impl Into<QueryParams>) -> Self {
        self.changes.push(Change::Params(params.into()));
        self
    }

    /// Applies the changes. A component with characters it may not hold (a `?` in a
    /// path, a `/` in a host, a control character anywhere) is an `InvalidUrl` error:
    /// components are set one by one and never re-parsed as a whole URL.
    pub fn build(self) -> Result<Url> {
        let mut inner = Arc::unwrap_or_clone(self.url.inner);
        for change in self.changes {
            apply(&mut inner, change)?;
        }
        Url::from_parsed(canonical(inner))
    }
}

/// The URL a built URL's text parses to. The setters can leave a text that parses to
/// another URL (both found by fuzzing): a host set on `non-spec:/.//p` kept the `/.`
/// that guards a path starting with `//` only when there is no host, and a path
/// starting with `//` set on a URL without a host got no such guard, so
/// `sc://fiA:kely/` read as a host and a port.
fn canonical(inner: whatwg::Url) -> whatwg::Url {
    let text = inner.as_str();
    let guarded;
    let text = if !inner.has_host() && inner.path().starts_with("//") {
        let scheme = inner.scheme();
        let rest = &text[scheme.len() + 1..];
        let rest = rest.strip_prefix("/.").unwrap_or(rest);
        guarded = format!("{scheme}:/.{rest}");
        guarded.as_str()
    } else {
        text
    };
    whatwg::Url::parse(text).unwrap_or(inner)
}

fn invalid_component(name: &str) -> Error {
    Error::invalid_url(format!("Invalid URL component '{name}'"))
}

fn apply(inner: &mut whatwg::Url, change: Change) -> Result<()> {
    match change {
        Change::Scheme(scheme) => {
            check_printable(&scheme, Some("scheme"))?;
            let scheme = scheme.to_ascii_lowercase();
            if inner.set_scheme(&scheme).is_err() {
                return Err(Error::invalid_url(format!(
                    "Invalid URL component 'scheme': cannot change '{}' to '{scheme}'",
                    inner.scheme()
                )));
            }
        }
        Change::Username(username) => {
            check_printable(&username, Some("username"))?;
            let encoded = utf8_percent_encode(&username, USERINFO).to_string();
            inner
                .set_username(&encoded)
                .map_err(|_| invalid_component("username"))?;
        }
        Change::Password(password) => {
            let encoded = match &password {
                Some(p) => {
                    check_printable(p, Some("password"))?;
                    Some(utf8_percent_encode(p, USERINFO).to_string())
                }
                None => None,
            };
            inner
                .set_password(encoded.as_deref())
                .map_err(|_| invalid_component("password"))?;
        }
        Change::Host(host) => {
            check_printable(&host, Some("host"))?;
            let bracketed = host.contains(':') && !host.starts_with('[');
            let host = if bracketed { format!("[{host}]") } else { host };
            let forbidden = ['/', '?', '#', '@', '\\', ' '];
            if host.is_empty()
                || host.contains(forbidden)
                || (!host.starts_with('[') && host.contains(':'))
            {
                return Err(invalid_component("host"));
            }
            inner.set_host(Some(&host)).map_err(|e| {
                Error::invalid_url(format!("Invalid URL component 'host' '{host}': {e}"))
            })?;
        }
        Change::Port(port) => {
            inner
                .set_port(port)
                .map_err(|_| invalid_component("port"))?;
        }
        Change::Path(path) => {
            check_printable(&path, Some("path"))?;
            if path.contains(['?', '#']) {
                return Err(invalid_component("path"));
            }
            if inner.has_host() && !path.is_empty() && !path.starts_with('/') {
                return Err(Error::invalid_url(
                    "For absolute URLs, path must be empty or begin with '/'",
                ));
            }
            inner.set_path(&path);
        }
        Change::Query(query) => {
            if let Some(q) = &query {
                check_printable(q, Some("query"))?;
                if q.contains('#') {
                    return Err(invalid_component("query"));
                }
            }
            inner.set_query(query.as_deref());
        }
        Change::RawPath(raw_path) => {
            check_printable(&raw_path, Some("raw_path"))?;
            if raw_path.contains('#') {
                return Err(invalid_component("raw_path"));
            }
            let (path, query) = match raw_path.split_once('?') {
                Some((p, q)) => (p.to_string(), Some(q.to_string())),
                None => (raw_path, None),
            };
            apply(inner, Change::Path(path))?;
            apply(inner, Change::Query(query))?;
        }
        Change::Fragment(fragment) => {
            if let Some(f) = &fragment {
                check_printable(f, Some("fragment"))?;
            }
            inner.set_fragment(fragment.as_deref());
        }
        Change::Params(params) => {
            if params.is_empty() {
                inner.set_query(None);
            } else {
                inner.set_query(Some(&params.to_string()));
            }
        }
    }
    Ok(())
}

/// WHATWG's userinfo percent-encode set.
const USERINFO: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'|')
    .add(b'%');

/// Python's `urlencode` (`quote_plus`): everything but `A-Za-z0-9_.-~` is escaped.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

fn encode_query_component(s: &str, out: &mut String) {
    for piece in utf8_percent_encode(s, QUERY_VALUE) {
        // `quote_plus`: a space is `+`.
        out.push_str(&piece.replace("%20", "+"));
    }
}

/// URL query parameters: an ordered multi-map with httpx's immutable API.
///
/// Values are grouped by key in the order keys first appear (httpx keeps a dict of
/// lists), so `"a=1&b=2&a=3"` has the items `a=1, a=3, b=2`.
///
/// ```
/// use httpx::QueryParams;
/// let q = QueryParams::parse("a=123&a=456&b=789");
/// assert_eq!(q.get("a"), Some("123"));
/// assert_eq!(q.get_list("a"), vec!["123", "456"]);
/// let q = q.set("a", "0").add("c", true).remove("b");
/// assert_eq!(q.to_string(), "a=0&c=true");
/// let q = QueryParams::from([("a", "1")]).merge([("a", "2"), ("b", "3")]);
/// assert_eq!(q.to_string(), "a=2&b=3");
/// ```
#[derive(Clone, Default)]
pub struct QueryParams {
    entries: Vec<(String, Vec<String>)>,
}

impl QueryParams {
    /// No parameters.
    pub fn new() -> QueryParams {
        QueryParams::default()
    }

    /// Parses a query string (`+` is a space, blank values are kept).
    pub fn parse(query: &str) -> QueryParams {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut params = QueryParams::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            params.push(key.into_owned(), value.into_owned());
        }
        params
    }

    fn push(&mut self, key: String, value: String) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => self.entries.push((key, vec![value])),
        }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.first().map(String::as_str))
    }

    /// Every value of `key`.
    pub fn get_list(&self, key: &str) -> Vec<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// The keys, each once, in order of first appearance.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The first value of each key.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.items().map(|(_, v)| v)
    }

    /// Each key with its first value.
    pub fn items(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .filter_map(|(k, v)| v.first().map(|v| (k.as_str(), v.as_str())))
    }

    /// Every key-value pair.
    pub fn multi_items(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.as_str(), v.as_str())))
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A copy with `key` set to the single `value`.
    pub fn set(&self, key: &str, value: impl fmt::Display) -> QueryParams {
        let mut q = self.clone();
        let value = value.to_string();
        match q.entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, values)) => *values = vec![value],
            None => q.entries.push((key.to_string(), vec![value])),
        }
        q
    }

    /// A copy with one more `value` for `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::QueryParams;
    ///
    /// let params = QueryParams::from([("tag", "a"), ("page", "1")]);
    /// let params = params.add("tag", "b").add("limit", 50);
    /// // Values are grouped by key, in the order keys first appeared (as in httpx).
    /// assert_eq!(params.to_string(), "tag=a&tag=b&page=1&limit=50");
    /// assert_eq!(params.len(), 3); // distinct keys
    /// ```
    pub fn add(&self, key: &str, value: impl fmt::Display) -> QueryParams {
        let mut q = self.clone();
        q.push(key.to_string(), value.to_string());
        q
    }

    /// A copy without `key`.
    pub fn remove(&self, key: &str) -> QueryParams {
        let mut q = self.clone();
        q.entries.retain(|(k, _)| k != key);
        q
    }

    /// A copy updated with `other`: each key of `other` replaces this one's values.
    pub fn merge(&self, other: impl Into<QueryParams>) -> QueryParams {
        let other = other.into();
        let mut q = self.clone();
        for (key, values) in other.entries {
            match q.entries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, existing)) => *existing = values,
                None => q.entries.push((key, values)),
            }
        }
        q
    }
}

impl PartialEq for QueryParams {
    /// Equal when they hold the same pairs, in any order (as in httpx).
    fn eq(&self, other: &QueryParams) -> bool {
        let mut a: Vec<_> = self.multi_items().collect();
        let mut b: Vec<_> = other.multi_items().collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    }
}

impl Eq for QueryParams {}

/// The query string, encoded as httpx does (Python's `urlencode`: a space is `+`), in
/// the order of [`multi_items`](QueryParams::multi_items).
///
/// # Examples
///
/// ```
/// use httpx::QueryParams;
///
/// let params: QueryParams = [("q", "a b&c"), ("empty", ""), ("lang", "fr-FR")].into_iter().collect();
/// assert_eq!(params.to_string(), "q=a+b%26c&empty=&lang=fr-FR");
/// ```
impl fmt::Display for QueryParams {
    /// The encoded query string, as Python's `urlencode` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, (k, v)) in self.multi_items().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_query_component(k, &mut out);
            out.push('=');
            encode_query_component(v, &mut out);
        }
        f.write_str(&out)
    }
}

impl fmt::Debug for QueryParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryParams({:?})", self.to_string())
    }
}

impl FromStr for QueryParams {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> std::result::Result<QueryParams, Self::Err> {
        Ok(QueryParams::parse(s))
    }
}

impl From<&str> for QueryParams {
    fn from(s: &str) -> QueryParams {
        QueryParams::parse(s)
    }
}

impl From<String> for QueryParams {
    fn from(s: String) -> QueryParams {
        QueryParams::parse(&s)
    }
}

impl From<&QueryParams> for QueryParams {
    fn from(q: &QueryParams) -> QueryParams {
        q.clone()
    }
}

impl<K: AsRef<str>, V: fmt::Display> FromIterator<(K, V)> for QueryParams {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> QueryParams {
        let mut q = QueryParams::new();
        for (k, v) in iter {
            q.push(k.as_ref().to_string(), v.to_string());
        }
        q
    }
}

impl<K: AsRef<str>, V: fmt::Display, const N: usize> From<[(K, V); N]> for QueryParams {
    fn from(items: [(K, V); N]) -> QueryParams {
        items.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display> From<&[(K, V)]> for QueryParams {
    fn from(items: &[(K, V)]) -> QueryParams {
        items.iter().map(|(k, v)| (k, v)).collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display, const N: usize> From<&[(K, V); N]> for QueryParams {
    fn from(items: &[(K, V); N]) -> QueryParams {
        items.iter().map(|(k, v)| (k, v)).collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display> From<Vec<(K, V)>> for QueryParams {
    fn from(items: Vec<(K, V)>) -> QueryParams {
        items.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display> From<&Vec<(K, V)>> for QueryParams {
    fn from(items: &Vec<(K, V)>) -> QueryParams {
        items.iter().map(|(k, v)| (k, v)).collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display, S> From<HashMap<K, V, S>> for QueryParams {
    fn from(items: HashMap<K, V, S>) -> QueryParams {
        items.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: fmt::Display> From<BTreeMap<K, V>> for QueryParams {
    fn from(items: BTreeMap<K, V>) -> QueryParams {
        items.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_url_is_what_its_text_parses_to() {
        // fuzz/regressions/url_ops: a host set on a path-only URL whose path starts `//`,
        // and such a path set on a URL without a host.
        let cases = [
            (
                "non-spec:/.//p",
                Change::Host("key".into()),
                "non-spec://key//p",
            ),
            (
                "sc:/ppa",
                Change::Path("//fiA:kely/".into()),
                "sc:/.//fiA:kely/",
            ),
        ];
        for (base, change, expected) in cases {
            let mut builder = Url::parse(base).unwrap().copy_with();
            builder.changes.push(change);
            let url = builder.build().unwrap();
            assert_eq!(url.as_str(), expected);
            assert_eq!(Url::parse(expected).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn request_target_is_raw_path() {
        for text in [
            "http://h.example/",
            "http://h.example",
            "http://h.example/a/b?x=1&y=%20#frag",
            "http://h.example/?",
            "http://h.example/p#only-fragment",
            "http://u:p@h.example:8080/p%20q?r",
            "foo://h.example",
            "foo://h.example?q",
        ] {
            let url = Url::parse(text).unwrap();
            assert_eq!(url.request_target(), url.raw_path(), "{text}");
        }
    }

    #[test]
    fn netloc_ports_of_every_width() {
        for port in [1u16, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535] {
            let url = Url::parse(&format!("http://h.example:{port}/")).unwrap();
            let netloc = url.netloc();
            assert_eq!(netloc, format!("h.example:{port}"));
            assert_eq!(netloc.len(), netloc.capacity());
        }
        assert_eq!(
            Url::parse("http://h.example:80/").unwrap().netloc(),
            "h.example"
        );
    }
    use crate::ErrorKind;

    #[test]
    fn rejects_control_characters_with_position() {
        let err = Url::parse("https://example.org/\x00path").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
        assert_eq!(
            err.message(),
            "Invalid non-printable ASCII character in URL, '\\x00' at position 20."
        );
        let err = Url::parse("https://example.org/a\r\nb").unwrap_err();
        assert!(err.message().contains("'\\r' at position 21"));
    }

    #[test]
    fn rejects_bad_port_and_empty_host() {
        let err = Url::parse("http://example.com:99999/").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
        assert!(
            err.message().starts_with("Invalid port: '99999'"),
            "{}",
            err.message()
        );
        let err = Url::parse("https://example.com:abc/").unwrap_err();
        assert!(err.message().starts_with("Invalid port: 'abc'"));
        let err = Url::parse("http://").unwrap_err();
        assert!(err.message().contains("empty host"), "{}", err.message());
        let err = Url::parse("/relative").unwrap_err();
        assert!(err.message().contains("relative URL"));
    }

    #[test]
    fn too_long() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LENGTH));
        assert_eq!(Url::parse(&long).unwrap_err().message(), "URL too long");
    }

    #[test]
    fn idna_and_ipv6_hosts() {
        let url = Url::parse("http://中国.icom.museum/").unwrap();
        assert_eq!(url.raw_host(), "xn--fiqs8s.icom.museum");
        assert_eq!(url.host(), "中国.icom.museum");
        let url = Url::parse("http://xn--fiqs8s.icom.museum").unwrap();
        assert_eq!(url.host(), "中国.icom.museum");
        let url = Url::parse("https://[::ffff:192.168.0.1]:8443/").unwrap();
        assert_eq!(url.host(), "::ffff:c0a8:1");
        assert_eq!(url.netloc(), "[::ffff:c0a8:1]:8443");
    }

    #[test]
    fn default_ports_are_none() {
        assert_eq!(Url::parse("http://example.com:80/").unwrap().port(), None);
        assert_eq!(
            Url::parse("http://example.com:80/").unwrap(),
            Url::parse("http://example.com/").unwrap()
        );
        assert_eq!(
            Url::parse("https://example.com:80/").unwrap().port(),
            Some(80)
        );
    }

    #[test]
    fn base_url_merging_appends() {
        let base = enforce_trailing_slash(Url::parse("https://www.example.com/subpath").unwrap());
        assert_eq!(base.as_str(), "https://www.example.com/subpath/");
        let merged = UrlInput::Text("/path?a=1#frag".into())
            .resolve(Some(&base))
            .unwrap();
        assert_eq!(merged.as_str(), "https://www.example.com/subpath/path?a=1");
        let absolute = UrlInput::Text("http://other.org/x".into())
            .resolve(Some(&base))
            .unwrap();
        assert_eq!(absolute.as_str(), "http://other.org/x");
        let err = UrlInput::Text("/path".into()).resolve(None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
    }

    #[test]
    fn copy_with_validates_components() {
        let url = Url::parse("https://example.org/a").unwrap();
        let err = url.copy_with().path("/a?b").build().unwrap_err();
        assert_eq!(err.message(), "Invalid URL component 'path'");
        assert!(url.copy_with().host("evil.com/x").build().is_err());
        assert!(url.copy_with().path("no-slash").build().is_err());
        let copied = url
            .copy_with()
            .scheme("http")
            .host("::1")
            .port(Some(8080))
            .raw_path("/x y?q=1")
            .fragment(Some("f"))
            .build()
            .unwrap();
        assert_eq!(copied.as_str(), "http://[::1]:8080/x%20y?q=1#f");
    }

    #[test]
    fn params_copies() {
        let url = Url::parse("https://example.org/?a=1&b=2").unwrap();
        assert_eq!(
            url.copy_set_param("a", 3).as_str(),
            "https://example.org/?a=3&b=2"
        );
        assert_eq!(
            url.copy_add_param("a", 3).as_str(),
            "https://example.org/?a=1&a=3&b=2"
        );
        assert_eq!(
            url.copy_remove_param("a").as_str(),
            "https://example.org/?b=2"
        );
        assert_eq!(
            url.copy_merge_params([("b", "x y"), ("c", "ü")]).as_str(),
            "https://example.org/?a=1&b=x+y&c=%C3%BC"
        );
        assert_eq!(
            url.copy_remove_param("a").copy_remove_param("b").as_str(),
            "https://example.org/"
        );
    }

    #[test]
    fn query_params_encode_like_python() {
        let q = QueryParams::from([("a", "b c/d~*"), ("e", "ü")]);
        assert_eq!(q.to_string(), "a=b+c%2Fd~%2A&e=%C3%BC");
        let q = QueryParams::parse("a=1&b=2&a=3");
        assert_eq!(
            q.multi_items().collect::<Vec<_>>(),
            vec![("a", "1"), ("a", "3"), ("b", "2")]
        );
        assert_eq!(q, QueryParams::parse("b=2&a=1&a=3"));
        assert_eq!(QueryParams::parse("flag").get("flag"), Some(""));
    }

    #[test]
    fn debug_masks_password() {
        let url = Url::parse("https://user:secret@example.org/").unwrap();
        assert_eq!(
            format!("{url:?}"),
            "Url(\"https://user:[secure]@example.org/\")"
        );
        assert_eq!(url.without_userinfo().as_str(), "https://example.org/");
    }
}
