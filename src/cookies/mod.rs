//! The cookie jar, [`Cookies`]: httpx's API over RFC 6265 semantics.
//!
//! httpx's `Cookies` is a mutable mapping over Python's `http.cookiejar.CookieJar`.
//! This one keeps httpx's methods ([`set`](Cookies::set), [`get`](Cookies::get),
//! [`delete`](Cookies::delete), [`clear`](Cookies::clear), ...) but receives and sends
//! cookies by [RFC 6265] §5 — the algorithm browsers implement — with the hardening of
//! its successor draft, RFC 6265bis, where that is safer:
//!
//! - **Parsing** (§5.2): the name and value split on the first `=` of the part before
//!   the first `;`; a line without `=` or with an empty name is ignored. Attributes:
//!   `Expires` (the §5.1.1 date algorithm), `Max-Age` (wins over `Expires`; `<= 0`
//!   expires the cookie at once), `Domain` (leading dot dropped, lowercased,
//!   IDNA-encoded), `Path` (the §5.1.4 default path when absent or not starting with
//!   `/`), `Secure`, `HttpOnly` and `SameSite` (stored, not enforced: there is no
//!   "site for cookies" outside a browser). Unknown attributes are ignored.
//! - **Storage** (§5.3): a cookie without `Domain` is *host-only* (sent back to that
//!   exact host only); a `Domain` must domain-match the request host, else the cookie
//!   is ignored. On an IP-address host the only `Domain` accepted is that address, and
//!   the cookie stays host-only. A cookie replacing one with the same name, domain and
//!   path keeps the old one's creation time; an already-expired cookie deletes it.
//! - **Retrieval** (§5.4): host-only cookies go to their exact host, domain cookies to
//!   the domain and its subdomains; the path must path-match; `Secure` cookies only
//!   over `https`; expired cookies are never sent (and are evicted lazily, on the next
//!   change to the jar). Ports play no part: a cookie from `127.0.0.1:8000` is sent to
//!   `127.0.0.1:9000`, while a host-only cookie of `127.0.0.1` is *not* sent to
//!   `localhost` (another host name). The `Cookie` header lists longer paths first,
//!   then earlier-created cookies first.
//!
//! ```
//! use httpx::{cookies::Cookies, Url};
//!
//! let mut jar = Cookies::new();
//! let url = Url::parse("https://www.example.org/account/login")?;
//! let now = 1_700_000_000;
//! assert!(jar.set_cookie_line(&url, "session=abc; Path=/; Secure; HttpOnly", now));
//! assert!(jar.set_cookie_line(&url, "lang=en; Domain=example.org; Path=/; Max-Age=3600", now));
//! assert!(!jar.set_cookie_line(&url, "evil=1; Domain=com", now)); // a public suffix
//!
//! let next = Url::parse("https://www.example.org/account/settings")?;
//! assert_eq!(jar.cookie_header_at(&next, now).as_deref(), Some("session=abc; lang=en"));
//! // Other subdomain: only the domain cookie. Plain http: not the Secure one.
//! let api = Url::parse("http://api.example.org/")?;
//! assert_eq!(jar.cookie_header_at(&api, now).as_deref(), Some("lang=en"));
//! // An hour later `lang` has expired.
//! assert_eq!(jar.cookie_header_at(&next, now + 3600).as_deref(), Some("session=abc"));
//! # Ok::<(), httpx::Error>(())
//! ```
//!
//! # Limits
//!
//! Against cookie bombs and memory exhaustion (curl CVE-2022-32205, CVE-2022-35252):
//! a received cookie whose name and value together exceed 4096 bytes is ignored, as is
//! an attribute value over 1024 bytes (RFC 6265bis); the jar keeps at most 50 received
//! cookies per domain and 3000 in all, evicting expired cookies first, then the ones
//! least recently set; and a `Cookie` header carries at most 150 cookies and 8190
//! bytes (curl's caps; servers commonly refuse larger header fields), skipping the
//! cookies that would go over. Cookies set by hand with [`Cookies::set`] are trusted
//! and not subject to the per-cookie and per-domain limits, only to the header caps.
//!
//! # Deviations from httpx (`http.cookiejar`)
//!
//! httpx delegates to Python's `http.cookiejar`, which predates RFC 6265 and differs
//! from it; where they differ this jar follows RFC 6265 (and, where noted, 6265bis):
//!
//! - **Parsing** is RFC 6265's, so the http-state test vectors pass. `http.cookiejar`
//!   accepts a line without `=` (`Set-Cookie: foo`) as a cookie named `foo` with no
//!   value, sent back as `Cookie: foo`; RFC 6265 ignores it (RFC 6265bis would store a nameless cookie; the
//!   http-state vectors follow RFC 6265 and so does this jar).
//! - **Control characters** (`%x00-08`, `%x0A-1F`, `%x7F`) anywhere in a `Set-Cookie`
//!   line make the whole line ignored (RFC 6265bis). Cookies set by hand that contain
//!   control characters are kept but never sent.
//! - **A `Secure` cookie received over `http://` is ignored**, and a non-`Secure` cookie
//!   received over `http://` may not overwrite (or delete) a `Secure` cookie with the
//!   same name whose domain and path overlap (RFC 6265bis "leave secure cookies
//!   alone"). `http.cookiejar` stores both. Names starting with `__Secure-` must be
//!   `Secure`, and names starting with `__Host-` must be `Secure`, host-only and for
//!   `Path=/` (RFC 6265bis cookie prefixes, case-insensitive).
//! - **`http://localhost` and `http://127.0.0.1` are not secure contexts**: `Secure`
//!   cookies are sent over `https` only. RFC 6265bis lets user agents treat loopback
//!   as secure; `http.cookiejar` does not, and neither does this jar.
//! - **Public suffixes**: a `Domain` attribute that is a single label (`com`,
//!   `localhost`) or one of a short built-in list of well-known multi-label public
//!   suffixes (`co.uk`, `com.au`, `github.io`, ... see `PUBLIC_SUFFIXES` in the source)
//!   is refused, unless it is the request host itself, in which case the cookie becomes
//!   host-only (RFC 6265 §5.3 step 5). This is a heuristic, not the full Public Suffix
//!   List: a cookie for `Domain=example.pvt.k12.ma.us` from a host below it is still
//!   accepted. `http.cookiejar` has different heuristics.
//! - **Domains are stored without their leading dot**, with a [`host_only`] flag, as
//!   RFC 6265 does; `http.cookiejar` stores domain cookies
//!   as `.example.org`. The `domain` filters of [`get`](Cookies::get),
//!   [`delete`](Cookies::delete) and [`clear`](Cookies::clear) accept both spellings
//!   for domain cookies. Hence `set("a", "1", ".example.org", "/")` and
//!   `set("a", "1", "example.org", "/")` set the same cookie (two in `http.cookiejar`).
//! - **Order of the `Cookie` header**: longer paths first, then earlier creation
//!   (RFC 6265 §5.4); `http.cookiejar` orders by path length only.
//! - **Limits** (above): `http.cookiejar` has none.
//! - **Expired cookies** are evicted on the next change to the jar (or by
//!   [`clear_expired`](Cookies::clear_expired)); until then [`len`](Cookies::len),
//!   [`iter`](Cookies::iter) and [`get`](Cookies::get) still see them, as with
//!   `http.cookiejar`, but they are never sent.
//! - **Debug output** shows cookie names, domains and paths, never values (httpx's
//!   `repr` prints values).
//! - Expiry dates are not capped at 400 days (RFC 6265bis caps them; httpx does not).
//!
//! [RFC 6265]: https://www.rfc-editor.org/rfc/rfc6265
//! [`host_only`]: Cookie::host_only

use std::fmt;
use std::net::IpAddr;

mod jar;
mod parse;

pub use self::jar::Cookies;

/// The most bytes a received cookie's name and value may hold together; a larger
/// cookie is ignored (RFC 6265bis §5.6).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// Attribute values longer than this are ignored (RFC 6265bis §5.6).
pub const MAX_COOKIE_ATTRIBUTE_BYTES: usize = 1024;
/// The most received cookies kept for one domain; past it the least recently set
/// one of that domain is evicted (expired cookies go first).
pub const MAX_COOKIES_PER_DOMAIN: usize = 50;
/// The most received cookies kept in one jar; past it the least recently set one is
/// evicted.
pub const MAX_COOKIES: usize = 3000;
/// The most cookies sent in one `Cookie` header (curl's cap); the rest are left out.
pub const MAX_COOKIES_PER_HEADER: usize = 150;
/// The longest `Cookie` header value sent (curl's cap, Apache's default field limit);
/// cookies that would go over are left out.
pub const MAX_COOKIE_HEADER_BYTES: usize = 8190;

/// Well-known public suffixes of more than one label: a heuristic complement to the
/// "single label" rule, not the Public Suffix List.
const PUBLIC_SUFFIXES: &[&str] = &[
    // Second-level country domains.
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "ltd.uk",
    "plc.uk",
    "me.uk",
    "net.uk",
    "com.au",
    "net.au",
    "org.au",
    "edu.au",
    "gov.au",
    "co.nz",
    "org.nz",
    "co.jp",
    "ne.jp",
    "or.jp",
    "ac.jp",
    "go.jp",
    "co.kr",
    "or.kr",
    "com.br",
    "net.br",
    "org.br",
    "com.cn",
    "net.cn",
    "org.cn",
    "gov.cn",
    "com.tw",
    "com.hk",
    "com.sg",
    "com.mx",
    "com.ar",
    "com.tr",
    "co.in",
    "net.in",
    "org.in",
    "co.za",
    "co.il",
    "com.ru",
    // Hosting platforms where each subdomain belongs to someone else.
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "appspot.com",
    "blogspot.com",
    "azurewebsites.net",
    "cloudfront.net",
    "s3.amazonaws.com",
    "pages.dev",
    "workers.dev",
    "vercel.app",
    "netlify.app",
    "web.app",
    "firebaseapp.com",
];

/// One cookie in a [`Cookies`] jar, read-only.
///
/// Obtained from [`Cookies::iter`]. Its `Debug` output shows the name, domain and path,
/// never the value.
///
/// # Examples
///
/// ```
/// use httpx::{cookies::Cookies, Url};
///
/// let mut jar = Cookies::new();
/// let url = Url::parse("https://shop.example.org/cart/view")?;
/// let now = 1_700_000_000;
/// jar.set_cookie_line(&url, "cart=42; Max-Age=600; Secure; HttpOnly; SameSite=Lax", now);
///
/// let cookie = jar.iter().next().unwrap();
/// assert_eq!((cookie.name(), cookie.value()), ("cart", "42"));
/// assert_eq!(cookie.domain(), "shop.example.org");
/// assert!(cookie.host_only()); // no Domain attribute
/// assert_eq!(cookie.path(), "/cart"); // the default path: the URL's directory
/// assert_eq!(cookie.expires(), Some(now + 600));
/// assert!(cookie.secure() && cookie.http_only());
/// assert_eq!(cookie.same_site(), Some("Lax"));
/// assert_eq!(format!("{cookie:?}").contains("42"), false);
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub struct Cookie {
    name: String,
    value: String,
    domain: String,
    path: String,
    expires: Option<i64>,
    secure: bool,
    http_only: bool,
    host_only: bool,
    same_site: Option<String>,
    /// Whether it was set by hand ([`Cookies::set`]), exempt from the jar's limits.
    by_hand: bool,
    /// Creation order; kept when the cookie is replaced (RFC 6265 §5.3 step 11.3).
    created: u64,
    /// The last time (in the jar's store order) the cookie was set; eviction order.
    touched: u64,
}

impl Cookie {
    /// The cookie's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value, as received (quotes included, as RFC 6265 keeps them).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The domain: the request host for a host-only cookie, the `Domain` attribute
    /// (lowercase, without leading dot) for a domain cookie, and `""` for a cookie set
    /// by hand without a domain (sent to every host).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The path the cookie is scoped to (`"/"` covers every path).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// When the cookie expires, in seconds since the Unix epoch; `None` for a session
    /// cookie (no `Max-Age` or `Expires`), which lives as long as the jar.
    pub fn expires(&self) -> Option<i64> {
        self.expires
    }

    /// Whether the cookie is only sent over `https` (the `Secure` attribute).
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Whether the cookie had the `HttpOnly` attribute (stored; an HTTP client sends
    /// such cookies like any other).
    pub fn http_only(&self) -> bool {
        self.http_only
    }

    /// Whether the cookie goes back to its exact host only (it had no `Domain`
    /// attribute, or was set from an IP address or for a public suffix equal to the
    /// host). `false` for domain cookies, which subdomains receive too.
    pub fn host_only(&self) -> bool {
        self.host_only
    }

    /// The `SameSite` attribute's value as received (`"Strict"`, `"Lax"`, `"None"`,
    /// ...), if any. Stored only: it is not enforced.
    pub fn same_site(&self) -> Option<&str> {
        self.same_site.as_deref()
    }

    fn is_expired(&self, now: i64) -> bool {
        self.expires.is_some_and(|t| t <= now)
    }

    fn same_key(&self, name: &str, domain: &str, path: &str) -> bool {
        self.name == name && self.domain == domain && self.path == path
    }

    /// RFC 6265 §5.4 step 1, for a canonical host and an encoded request path.
    fn matches(&self, host: &str, path: &str, secure: bool, now: i64) -> bool {
        let domain_ok = if self.domain.is_empty() {
            self.by_hand
        } else if self.host_only {
            host == self.domain
        } else {
            domain_match(host, &self.domain)
        };
        domain_ok
            && path_match(path, &self.path)
            && (secure || !self.secure)
            && !self.is_expired(now)
    }

    /// Whether the `domain` filter of `get`, `delete` and `clear` selects this cookie.
    fn domain_is(&self, filter: &str) -> bool {
        let filter = filter.to_ascii_lowercase();
        filter == self.domain
            || (!self.host_only
                && !self.domain.is_empty()
                && filter.strip_prefix('.') == Some(self.domain.as_str()))
    }
}

impl fmt::Debug for Cookie {
    /// Name, domain and path: never the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cookie")
            .field("name", &self.name)
            .field("domain", &self.domain)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// RFC 6265 §5.1.3 domain-match: `host` is `domain`, or a host name (not an IP
/// address) ending in `.domain`.
fn domain_match(host: &str, domain: &str) -> bool {
    if host == domain {
        return true;
    }
    !domain.is_empty()
        && host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
        && !is_ip_address(host)
}

/// RFC 6265 §5.1.4 path-match of a request path against a cookie path.
fn path_match(request_path: &str, cookie_path: &str) -> bool {
    match request_path.strip_prefix(cookie_path) {
        Some(rest) => rest.is_empty() || cookie_path.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

/// RFC 6265 §5.1.4 default-path of an (encoded) request path.
fn default_path(uri_path: &str) -> &str {
    if !uri_path.starts_with('/') {
        return "/";
    }
    match uri_path.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir,
        _ => "/",
    }
}

fn is_ip_address(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok()
}

/// Whether a (canonical) `Domain` value is a public suffix by this jar's heuristic:
/// a single label, or a well-known multi-label suffix. A trailing dot is ignored.
fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    !domain.contains('.') || PUBLIC_SUFFIXES.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::Url;

    pub(super) const NOW: i64 = 1_800_000_000;

    pub(super) fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn path_scoping_and_default_path() {
        assert_eq!(default_path(""), "/");
        assert_eq!(default_path("/"), "/");
        assert_eq!(default_path("/a"), "/");
        assert_eq!(default_path("/a/"), "/a");
        assert_eq!(default_path("/a/b/c"), "/a/b");
        assert_eq!(default_path("x"), "/");
        assert!(path_match("/a", "/a"));
        assert!(path_match("/a/b", "/a"));
        assert!(path_match("/a/b", "/a/"));
        assert!(!path_match("/ab", "/a"));
        assert!(!path_match("/", "/a"));
        assert!(path_match("/anything", ""));

        let mut jar = Cookies::new();
        let from = url("http://example.org/docs/guide/intro");
        assert!(jar.set_cookie_line(&from, "d=1", NOW)); // path /docs/guide
        assert!(jar.set_cookie_line(&from, "p=1; Path=/docs", NOW));
        assert!(jar.set_cookie_line(&from, "r=1; Path=relative", NOW)); // default path
        let at = |u: &str| jar.cookie_header_at(&url(u), NOW);
        assert_eq!(
            at("http://example.org/docs/guide/x").as_deref(),
            Some("d=1; r=1; p=1")
        );
        assert_eq!(
            at("http://example.org/docs/guide").as_deref(),
            Some("d=1; r=1; p=1")
        );
        assert_eq!(at("http://example.org/docs").as_deref(), Some("p=1"));
        assert_eq!(at("http://example.org/docsx"), None);
        assert_eq!(at("http://example.org/"), None);
        // Paths are compared encoded and case-sensitively.
        assert_eq!(at("http://example.org/Docs"), None);
        assert_eq!(at("http://example.org/d%6Fcs"), None);
    }

    #[test]
    fn attributes_are_stored() {
        let mut jar = Cookies::new();
        let from = url("https://example.org/");
        assert!(jar.set_cookie_line(
            &from,
            "a=\"quoted\"; HttpOnly; SameSite=Lax; Secure; Path=/; Expires=Sun, 06 Nov 2044 08:49:37 GMT",
            NOW
        ));
        let c = jar.iter().next().unwrap();
        assert_eq!(c.value(), "\"quoted\"");
        assert!(c.http_only() && c.secure() && c.host_only());
        assert_eq!(c.same_site(), Some("Lax"));
        assert_eq!(c.expires(), Some(2_362_034_977));
    }

    #[test]
    fn debug_hides_values() {
        let mut jar = Cookies::new();
        jar.set("session", "s3cr3t-value", "example.org", "/");
        let debug = format!("{jar:?}");
        assert!(
            debug.contains("session") && debug.contains("example.org"),
            "{debug}"
        );
        assert!(!debug.contains("s3cr3t"), "{debug}");
        let cookie = format!("{:?}", jar.iter().next().unwrap());
        assert!(!cookie.contains("s3cr3t"), "{cookie}");
    }
}
