//! [`Cookies`], the jar: storing received cookies (RFC 6265 §5.3), choosing the
//! ones a request gets (§5.4), and httpx's mapping methods.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use super::parse::{has_ctl, parse_set_cookie, starts_with_ignore_case};
use super::{default_path, domain_match, is_ip_address, is_public_suffix, path_match, Cookie};
use super::{MAX_COOKIES, MAX_COOKIES_PER_DOMAIN, MAX_COOKIES_PER_HEADER, MAX_COOKIE_HEADER_BYTES};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::url::{domain_to_ascii, Url};

/// A cookie jar (httpx's `Cookies`): cookies set by hand, plus the cookies servers set,
/// stored and sent back by RFC 6265. See the [module docs](crate::cookies) for the
/// rules and the deviations from httpx.
///
/// # Examples
///
/// ```
/// use httpx::cookies::Cookies;
///
/// let mut cookies = Cookies::from([("a", "1")]);
/// cookies.set("b", "2", "example.org", "/");
/// assert_eq!(cookies.get("a", None, None)?.as_deref(), Some("1"));
/// assert_eq!(cookies.names().collect::<Vec<_>>(), ["a", "b"]);
/// cookies.delete("a", None, None);
/// assert_eq!(cookies.len(), 1);
/// // Debug output never shows values.
/// assert!(!format!("{cookies:?}").contains('2'));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Cookies {
    cookies: Vec<Cookie>,
    /// The next value of the store-order counter behind `created` and `touched`.
    counter: u64,
}

impl Cookies {
    /// An empty jar.
    pub fn new() -> Cookies {
        Cookies::default()
    }

    /// Sets a cookie by hand (httpx's `set(name, value, domain="", path="/")`).
    ///
    /// `domain` `""` makes a cookie sent to every host; any other domain makes a domain
    /// cookie, sent to that domain and its subdomains (a leading dot is dropped, the
    /// domain is lowercased). `path` `"/"` covers every path; `""` does too. The cookie
    /// replaces one with the same name, domain and path. It is a session cookie, not
    /// `Secure`, and is taken as given: hand-set cookies are not checked against the
    /// jar's limits (but one containing control characters is never sent).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, Url};
    /// let mut cookies = Cookies::new();
    /// cookies.set("token", "t", "", "/");
    /// cookies.set("region", "eu", "example.org", "/api");
    /// let url = Url::parse("https://www.example.org/api/v1")?;
    /// assert_eq!(cookies.cookie_header(&url).as_deref(), Some("region=eu; token=t"));
    /// let other = Url::parse("http://other.test/")?;
    /// assert_eq!(cookies.cookie_header(&other).as_deref(), Some("token=t"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn set(&mut self, name: &str, value: &str, domain: &str, path: &str) {
        let domain = domain.strip_prefix('.').unwrap_or(domain);
        let domain = domain_to_ascii(domain).unwrap_or_else(|| domain.to_lowercase());
        let cookie = Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain,
            path: path.to_string(),
            expires: None,
            secure: false,
            http_only: false,
            host_only: false,
            same_site: None,
            by_hand: true,
            created: 0,
            touched: 0,
        };
        self.store(cookie);
    }

    /// The value of the cookie called `name`, optionally only among those of `domain`
    /// and `path`; `None` when there is none.
    ///
    /// A `domain` filter matches a cookie's [`domain`](Cookie::domain) exactly (case
    /// aside); for domain cookies `".example.org"` matches too, as in httpx.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CookieConflict`] when several cookies match ("Multiple cookies
    /// exist with name=..."): give a domain and path to tell them apart.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, ErrorKind};
    /// let mut cookies = Cookies::new();
    /// cookies.set("id", "1", "a.test", "/");
    /// cookies.set("id", "2", "b.test", "/");
    /// let err = cookies.get("id", None, None).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::CookieConflict);
    /// assert_eq!(cookies.get("id", Some("b.test"), None)?.as_deref(), Some("2"));
    /// assert_eq!(cookies.get("nope", None, None)?, None);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn get(
        &self,
        name: &str,
        domain: Option<&str>,
        path: Option<&str>,
    ) -> Result<Option<String>> {
        let mut found: Option<&Cookie> = None;
        for cookie in self.select(Some(name), domain, path) {
            if found.is_some() {
                return Err(Error::new(
                    ErrorKind::CookieConflict,
                    format!("Multiple cookies exist with name={name}"),
                ));
            }
            found = Some(cookie);
        }
        Ok(found.map(|c| c.value.clone()))
    }

    /// Deletes the cookies called `name`, optionally only those of `domain` and `path`
    /// (filters as in [`get`](Cookies::get)).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::cookies::Cookies;
    ///
    /// let mut cookies = Cookies::new();
    /// cookies.set("id", "1", "a.test", "/");
    /// cookies.set("id", "2", "b.test", "/");
    /// cookies.delete("id", Some("a.test"), None);
    /// assert_eq!(cookies.get("id", None, None)?.as_deref(), Some("2"));
    /// cookies.delete("id", None, None); // every cookie of that name
    /// assert!(cookies.is_empty());
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn delete(&mut self, name: &str, domain: Option<&str>, path: Option<&str>) {
        self.cookies
            .retain(|c| !selects(c, Some(name), domain, path));
    }

    /// Deletes every cookie, or only those of `domain`, or of `domain` and `path`
    /// (filters as in [`get`](Cookies::get); httpx requires a domain with a path, this
    /// jar also takes a path alone).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::cookies::Cookies;
    ///
    /// let mut cookies = Cookies::new();
    /// cookies.set("session", "s", "example.org", "/");
    /// cookies.set("prefs", "p", "example.org", "/settings");
    /// cookies.set("ad", "x", "ads.test", "/");
    ///
    /// cookies.clear(Some("example.org"), Some("/settings"));
    /// assert_eq!(cookies.names().collect::<Vec<_>>(), ["session", "ad"]);
    /// cookies.clear(Some("ads.test"), None);
    /// assert_eq!(cookies.len(), 1);
    /// cookies.clear(None, None);
    /// assert!(cookies.is_empty());
    /// ```
    pub fn clear(&mut self, domain: Option<&str>, path: Option<&str>) {
        self.cookies.retain(|c| !selects(c, None, domain, path));
    }

    /// Deletes the cookies that have expired (`http.cookiejar`'s
    /// `clear_expired_cookies`). The jar also does this on every change.
    pub fn clear_expired(&mut self) {
        self.evict_expired(crate::rt::unix_now());
    }

    /// The number of cookies (expired ones included until they are evicted).
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// Whether the jar holds no cookie.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Every cookie, in creation order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(200)
    ///         .header("set-cookie", "session=abc; Path=/; Secure; HttpOnly")
    ///         .header("set-cookie", "theme=dark; Domain=example.org; Path=/")
    ///         .build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    /// client.get("https://www.example.org/login").send()?;
    ///
    /// let jar = client.cookies();
    /// let seen: Vec<(&str, &str, bool)> = jar
    ///     .iter()
    ///     .map(|cookie| (cookie.name(), cookie.domain(), cookie.secure()))
    ///     .collect();
    /// assert_eq!(seen, [("session", "www.example.org", true), ("theme", "example.org", false)]);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Cookie> {
        self.cookies.iter()
    }

    /// The name of every cookie, in creation order (repeated when several cookies share
    /// a name), as iterating over httpx's `Cookies` gives.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.cookies.iter().map(|c| c.name.as_str())
    }

    /// Copies every cookie of `other` into this jar, replacing cookies with the same
    /// name, domain and path (httpx's `update`).
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::cookies::Cookies;
    ///
    /// let mut cookies = Cookies::from([("a", "1"), ("b", "2")]);
    /// let newer = Cookies::from([("b", "20"), ("c", "30")]);
    /// cookies.update(&newer);
    /// assert_eq!(cookies.get("b", None, None)?.as_deref(), Some("20"));
    /// assert_eq!(cookies.names().collect::<Vec<_>>(), ["a", "b", "c"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn update(&mut self, other: &Cookies) {
        for cookie in &other.cookies {
            self.store(cookie.clone());
        }
    }

    /// Stores the cookies of every `Set-Cookie` header of a response to `request_url`
    /// (httpx's `extract_cookies`). Cookies that are malformed or not allowed for that
    /// URL are ignored silently, as user agents do.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, Headers, Url};
    /// let url = Url::parse("https://example.org/login")?;
    /// let mut headers = Headers::new();
    /// headers.append("Set-Cookie", "session=abc; Path=/; Secure")?;
    /// headers.append("Set-Cookie", "tracker=x; Domain=com")?; // refused
    /// let mut cookies = Cookies::new();
    /// cookies.extract_from_response(&url, &headers);
    /// assert_eq!(cookies.names().collect::<Vec<_>>(), ["session"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn extract_from_response(&mut self, request_url: &Url, response_headers: &Headers) {
        let now = crate::rt::unix_now();
        for line in response_headers.get_list("set-cookie", false) {
            self.set_cookie_line(request_url, &line, now);
        }
    }

    /// Receives one `Set-Cookie` header value from a response to `request_url`, at
    /// time `now` (seconds since the Unix epoch), per RFC 6265 §5.2 and §5.3.
    ///
    /// Returns whether the cookie is now in the jar. A cookie that is malformed, not
    /// allowed for the URL or over the limits is ignored and `false` is returned; so is
    /// an already-expired cookie (`Max-Age=0`, an `Expires` date in the past), which
    /// deletes the jar's cookie with the same name, domain and path.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, Url};
    /// let url = Url::parse("http://example.org/")?;
    /// let mut jar = Cookies::new();
    /// assert!(jar.set_cookie_line(&url, "a=1", 0));
    /// assert!(!jar.set_cookie_line(&url, "a=1; Max-Age=0", 0));
    /// assert!(jar.is_empty());
    /// assert!(!jar.set_cookie_line(&url, "no-equals-sign", 0));
    /// assert!(!jar.set_cookie_line(&url, "s=1; Secure", 0)); // Secure needs https
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn set_cookie_line(&mut self, request_url: &Url, line: &str, now: i64) -> bool {
        let host = request_url.raw_host();
        if host.is_empty() {
            return false;
        }
        let Some(parsed) = parse_set_cookie(line, now) else {
            return false;
        };
        let secure_origin = request_url.is_secure();

        // §5.3 steps 4-6: the domain and the host-only flag.
        let (domain, host_only) = match parsed.domain {
            None => (host.to_string(), true),
            Some(attr) => {
                let Some(attr) = domain_to_ascii(attr) else {
                    return false;
                };
                if attr.is_empty() {
                    (host.to_string(), true)
                } else if is_ip_address(host) {
                    // An IP address only domain-matches itself; cookies for it stay
                    // host-only.
                    let bare = attr
                        .strip_prefix('[')
                        .and_then(|a| a.strip_suffix(']'))
                        .unwrap_or(&attr);
                    if bare != host {
                        return false;
                    }
                    (host.to_string(), true)
                } else if is_public_suffix(&attr) {
                    if attr != host {
                        return false;
                    }
                    (host.to_string(), true)
                } else if domain_match(host, &attr) {
                    (attr, false)
                } else {
                    return false;
                }
            }
        };

        // Step 7: the path.
        let path = match parsed.path {
            Some(path) => path.to_string(),
            None => default_path(request_url.encoded_path()).to_string(),
        };

        // RFC 6265bis: Secure cookies only from secure origins, and the cookie prefixes.
        if parsed.secure && !secure_origin {
            return false;
        }
        if starts_with_ignore_case(parsed.name, "__Secure-") && !parsed.secure {
            return false;
        }
        if starts_with_ignore_case(parsed.name, "__Host-")
            && !(parsed.secure && host_only && parsed.domain.is_none() && path == "/")
        {
            return false;
        }
        // RFC 6265bis: leave secure cookies alone (an insecure origin may not shadow,
        // overwrite or delete them).
        if !secure_origin
            && self.cookies.iter().any(|c| {
                c.secure
                    && c.name == parsed.name
                    && (domain_match(&c.domain, &domain) || domain_match(&domain, &c.domain))
                    && path_match(&path, &c.path)
            })
        {
            return false;
        }

        self.evict_expired(now);
        let expires = parsed.max_age.or(parsed.expires);
        if expires.is_some_and(|t| t <= now) {
            self.cookies
                .retain(|c| !c.same_key(parsed.name, &domain, &path));
            return false;
        }
        let cookie = Cookie {
            name: parsed.name.to_string(),
            value: parsed.value.to_string(),
            domain,
            path,
            expires,
            secure: parsed.secure,
            http_only: parsed.http_only,
            host_only,
            same_site: parsed.same_site.map(str::to_string),
            by_hand: false,
            created: 0,
            touched: 0,
        };
        self.store(cookie);
        true
    }

    /// The `Cookie` header value to send with a request to `request_url` now, or
    /// `None` when no cookie applies. See [`cookie_header_at`](Cookies::cookie_header_at).
    pub fn cookie_header(&self, request_url: &Url) -> Option<String> {
        self.cookie_header_at(request_url, crate::rt::unix_now())
    }

    /// The `Cookie` header value to send with a request to `request_url` at time `now`
    /// (seconds since the Unix epoch), per RFC 6265 §5.4: `name=value; name2=value2`,
    /// longer paths first, then earlier-created cookies first. Expired cookies are left
    /// out; so are `Secure` cookies unless the scheme is `https`. `None` when no cookie
    /// applies.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, Url};
    /// let mut jar = Cookies::new();
    /// let url = Url::parse("http://example.org/docs/index.html")?;
    /// jar.set_cookie_line(&url, "a=1; Path=/", 0);
    /// jar.set_cookie_line(&url, "b=2", 0); // default path: /docs
    /// let page = Url::parse("http://example.org/docs/faq")?;
    /// assert_eq!(jar.cookie_header_at(&page, 0).as_deref(), Some("b=2; a=1"));
    /// let home = Url::parse("http://example.org/")?;
    /// assert_eq!(jar.cookie_header_at(&home, 0).as_deref(), Some("a=1"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn cookie_header_at(&self, request_url: &Url, now: i64) -> Option<String> {
        let host = request_url.raw_host();
        let path = match request_url.encoded_path() {
            "" => "/",
            path => path,
        };
        let secure = request_url.is_secure();
        let mut matching: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| c.matches(host, path, secure, now))
            .filter(|c| !has_ctl(&c.name) && !has_ctl(&c.value))
            .collect();
        matching.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then(a.created.cmp(&b.created))
        });
        let mut header = String::new();
        let mut count = 0;
        for cookie in matching {
            if count == MAX_COOKIES_PER_HEADER {
                break;
            }
            let separator = if header.is_empty() { 0 } else { 2 };
            let pair = if cookie.name.is_empty() {
                cookie.value.len()
            } else {
                cookie.name.len() + 1 + cookie.value.len()
            };
            if header.len() + separator + pair > MAX_COOKIE_HEADER_BYTES {
                continue;
            }
            if !header.is_empty() {
                header.push_str("; ");
            }
            if !cookie.name.is_empty() {
                header.push_str(&cookie.name);
                header.push('=');
            }
            header.push_str(&cookie.value);
            count += 1;
        }
        (count > 0).then_some(header)
    }

    /// Sets the `Cookie` header of a request to `request_url` from the jar (httpx's
    /// `set_cookie_header`), unless the request already has a `Cookie` header, which
    /// is left as it is (as `http.cookiejar` does). Nothing is set when no cookie
    /// applies.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{cookies::Cookies, Headers, Url};
    /// let cookies = Cookies::from([("a", "1")]);
    /// let url = Url::parse("http://example.org/")?;
    /// let mut headers = Headers::new();
    /// cookies.set_cookie_header(&mut headers, &url);
    /// assert_eq!(headers.get("cookie").as_deref(), Some("a=1"));
    ///
    /// let mut own = Headers::new();
    /// own.insert("Cookie", "mine=1")?;
    /// cookies.set_cookie_header(&mut own, &url);
    /// assert_eq!(own.get("cookie").as_deref(), Some("mine=1"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn set_cookie_header(&self, request_headers: &mut Headers, request_url: &Url) {
        if request_headers.contains("cookie") {
            return;
        }
        if let Some(value) = self.cookie_header(request_url) {
            // Cannot fail: cookies with control characters are never sent.
            let _ = request_headers.insert("Cookie", value);
        }
    }

    /// The cookies selected by the optional name, domain and path filters.
    fn select<'a>(
        &'a self,
        name: Option<&'a str>,
        domain: Option<&'a str>,
        path: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Cookie> + 'a {
        self.cookies
            .iter()
            .filter(move |c| selects(c, name, domain, path))
    }

    fn evict_expired(&mut self, now: i64) {
        self.cookies.retain(|c| !c.is_expired(now));
    }

    fn next_counter(&mut self) -> u64 {
        let n = self.counter;
        self.counter = self.counter.wrapping_add(1);
        n
    }

    /// Inserts `cookie`, replacing the one with the same name, domain and path (whose
    /// creation order it keeps), and evicting others when a limit is reached.
    fn store(&mut self, mut cookie: Cookie) {
        cookie.touched = self.next_counter();
        if let Some(old) = self
            .cookies
            .iter_mut()
            .find(|c| c.same_key(&cookie.name, &cookie.domain, &cookie.path))
        {
            cookie.created = old.created;
            *old = cookie;
            return;
        }
        cookie.created = cookie.touched;
        if !cookie.by_hand {
            let in_domain = self
                .cookies
                .iter()
                .filter(|c| c.domain == cookie.domain)
                .count();
            if in_domain >= MAX_COOKIES_PER_DOMAIN {
                self.evict_least_recent(|c| c.domain == cookie.domain);
            }
            if self.cookies.len() >= MAX_COOKIES {
                self.evict_least_recent(|_| true);
            }
        }
        self.cookies.push(cookie);
    }

    /// Removes the least recently set cookie among those `pred` selects.
    fn evict_least_recent(&mut self, pred: impl Fn(&Cookie) -> bool) {
        let oldest = self
            .cookies
            .iter()
            .enumerate()
            .filter(|(_, c)| pred(c))
            .min_by_key(|(_, c)| c.touched)
            .map(|(i, _)| i);
        if let Some(i) = oldest {
            self.cookies.remove(i);
        }
    }
}

/// Whether the `get`/`delete`/`clear` filters select `cookie`.
fn selects(cookie: &Cookie, name: Option<&str>, domain: Option<&str>, path: Option<&str>) -> bool {
    name.is_none_or(|n| cookie.name == n)
        && domain.is_none_or(|d| cookie.domain_is(d))
        && path.is_none_or(|p| cookie.path == p)
}

impl fmt::Debug for Cookies {
    /// The cookies' names, domains and paths: never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cookies")?;
        f.debug_list().entries(self.cookies.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Cookies {
    type Item = &'a Cookie;
    type IntoIter = std::slice::Iter<'a, Cookie>;

    fn into_iter(self) -> Self::IntoIter {
        self.cookies.iter()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Cookies {
    /// A jar of `(name, value)` cookies for every host and path (domain `""`, path
    /// `"/"`), like httpx's `Cookies({"a": "1"})`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Cookies {
        let mut cookies = Cookies::new();
        cookies.extend(iter);
        cookies
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for Cookies {
    /// Sets each `(name, value)` for every host and path (domain `""`, path `"/"`).
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (name, value) in iter {
            self.set(name.as_ref(), value.as_ref(), "", "/");
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for Cookies {
    /// A jar of `(name, value)` cookies for every host and path.
    fn from(pairs: [(K, V); N]) -> Cookies {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> From<Vec<(K, V)>> for Cookies {
    /// A jar of `(name, value)` cookies for every host and path.
    fn from(pairs: Vec<(K, V)>) -> Cookies {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> From<HashMap<K, V, S>> for Cookies {
    /// A jar of `(name, value)` cookies for every host and path.
    fn from(pairs: HashMap<K, V, S>) -> Cookies {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> From<BTreeMap<K, V>> for Cookies {
    /// A jar of `(name, value)` cookies for every host and path.
    fn from(pairs: BTreeMap<K, V>) -> Cookies {
        pairs.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::tests::{url, NOW};

    #[test]
    fn host_only_and_domain_cookies() {
        let mut jar = Cookies::new();
        let from = url("http://www.example.org/");
        assert!(jar.set_cookie_line(&from, "host=1", NOW));
        assert!(jar.set_cookie_line(&from, "dom=2; Domain=.Example.ORG", NOW));
        let cookies: Vec<_> = jar
            .iter()
            .map(|c| (c.name(), c.domain(), c.host_only()))
            .collect();
        assert_eq!(
            cookies,
            [
                ("host", "www.example.org", true),
                ("dom", "example.org", false)
            ]
        );
        let at = |u: &str| jar.cookie_header_at(&url(u), NOW);
        assert_eq!(
            at("http://www.example.org/").as_deref(),
            Some("host=1; dom=2")
        );
        assert_eq!(at("http://example.org/").as_deref(), Some("dom=2"));
        assert_eq!(at("http://a.b.example.org/").as_deref(), Some("dom=2"));
        assert_eq!(at("http://sub.www.example.org/").as_deref(), Some("dom=2"));
        assert_eq!(at("http://badexample.org/"), None);
        assert_eq!(at("http://example.com/"), None);
        // A Domain that the host does not domain-match is refused.
        assert!(!jar.set_cookie_line(&from, "x=1; Domain=other.org", NOW));
        assert!(!jar.set_cookie_line(&from, "x=1; Domain=sub.www.example.org", NOW));
        assert!(!jar.set_cookie_line(&from, "x=1; Domain=ww.example.org", NOW));
    }

    #[test]
    fn public_suffix_domains_are_refused() {
        let mut jar = Cookies::new();
        let from = url("http://www.example.co.uk/");
        for line in [
            "a=1; Domain=com",
            "a=1; Domain=.uk",
            "a=1; Domain=co.uk",
            "a=1; Domain=.CO.UK",
            "a=1; Domain=co.uk.",
        ] {
            assert!(!jar.set_cookie_line(&from, line, NOW), "{line}");
        }
        assert!(!jar.set_cookie_line(&url("http://example.com/"), "a=1; Domain=com", NOW));
        // Trailing-dot hosts do not open a hole.
        assert!(!jar.set_cookie_line(&url("http://example.com./"), "a=1; Domain=com.", NOW));
        assert!(!jar.set_cookie_line(&url("http://me.github.io/"), "a=1; Domain=github.io", NOW));
        assert!(!jar.set_cookie_line(&url("http://foo.localhost/"), "a=1; Domain=localhost", NOW));
        assert!(jar.is_empty());
        assert!(jar.set_cookie_line(&from, "a=1; Domain=example.co.uk", NOW));
        // A public suffix equal to the host: accepted as host-only (§5.3 step 5).
        let localhost = url("http://localhost:8000/");
        assert!(jar.set_cookie_line(&localhost, "l=1; Domain=localhost", NOW));
        let l = jar.iter().find(|c| c.name() == "l").unwrap();
        assert!(l.host_only());
        assert_eq!(l.domain(), "localhost");
        assert_eq!(
            jar.cookie_header_at(&url("http://sub.localhost/"), NOW),
            None
        );
    }

    #[test]
    fn ip_hosts_get_host_only_cookies() {
        let mut jar = Cookies::new();
        let from = url("http://127.0.0.1:8000/");
        assert!(jar.set_cookie_line(&from, "a=1", NOW));
        assert!(jar.set_cookie_line(&from, "b=2; Domain=127.0.0.1", NOW));
        assert!(!jar.set_cookie_line(&from, "c=3; Domain=0.0.1", NOW));
        assert!(!jar.set_cookie_line(&from, "c=3; Domain=localhost", NOW));
        assert!(jar
            .iter()
            .all(|c| c.host_only() && c.domain() == "127.0.0.1"));
        // Ports are ignored (SECURITY.md C3)...
        assert_eq!(
            jar.cookie_header_at(&url("http://127.0.0.1:9000/"), NOW)
                .as_deref(),
            Some("a=1; b=2")
        );
        // ...but another host name is another host.
        assert_eq!(
            jar.cookie_header_at(&url("http://localhost:8000/"), NOW),
            None
        );
        assert_eq!(
            jar.cookie_header_at(&url("http://127.0.0.2:8000/"), NOW),
            None
        );

        let v6 = url("http://[::1]:8000/");
        assert!(jar.set_cookie_line(&v6, "v=6; Domain=[::1]", NOW));
        assert!(jar.set_cookie_line(&v6, "w=6; Domain=::1", NOW));
        assert_eq!(
            jar.cookie_header_at(&url("http://[::1]/"), NOW).as_deref(),
            Some("v=6; w=6")
        );
    }

    #[test]
    fn secure_cookies() {
        let mut jar = Cookies::new();
        let https = url("https://example.org/");
        let http = url("http://example.org/");
        // Not stored from http (RFC 6265bis).
        assert!(!jar.set_cookie_line(&http, "s=1; Secure", NOW));
        assert!(jar.set_cookie_line(&https, "s=1; Secure", NOW));
        assert!(jar.iter().next().unwrap().secure());
        assert_eq!(jar.cookie_header_at(&https, NOW).as_deref(), Some("s=1"));
        // Not sent over http, not even to localhost-like hosts.
        assert_eq!(jar.cookie_header_at(&http, NOW), None);
        let mut local = Cookies::new();
        assert!(local.set_cookie_line(&url("https://localhost/"), "s=1; Secure", NOW));
        assert_eq!(local.cookie_header_at(&url("http://localhost/"), NOW), None);
        // Leave secure cookies alone: http may not overwrite or delete them.
        assert!(!jar.set_cookie_line(&http, "s=evil", NOW));
        assert!(!jar.set_cookie_line(&http, "s=evil; Max-Age=0", NOW));
        assert!(!jar.set_cookie_line(
            &url("http://www.example.org/"),
            "s=evil; Domain=example.org",
            NOW
        ));
        assert_eq!(jar.get("s", None, None).unwrap().as_deref(), Some("1"));
        // https may.
        assert!(jar.set_cookie_line(&https, "s=2", NOW));
        assert_eq!(jar.cookie_header_at(&http, NOW).as_deref(), Some("s=2"));
    }

    #[test]
    fn cookie_prefixes() {
        let mut jar = Cookies::new();
        let https = url("https://www.example.org/a/b");
        assert!(!jar.set_cookie_line(&https, "__Secure-a=1", NOW));
        assert!(jar.set_cookie_line(&https, "__Secure-a=1; Secure", NOW));
        assert!(!jar.set_cookie_line(&https, "__Host-a=1; Secure", NOW)); // path /a
        assert!(!jar.set_cookie_line(
            &https,
            "__Host-a=1; Secure; Path=/; Domain=example.org",
            NOW
        ));
        assert!(!jar.set_cookie_line(&https, "__host-a=1; Path=/", NOW));
        assert!(jar.set_cookie_line(&https, "__Host-a=1; Secure; Path=/", NOW));
    }

    #[test]
    fn max_age_and_expires() {
        let mut jar = Cookies::new();
        let from = url("http://example.org/");
        assert!(jar.set_cookie_line(&from, "a=1; Max-Age=60", NOW));
        assert_eq!(jar.iter().next().unwrap().expires(), Some(NOW + 60));
        assert_eq!(
            jar.cookie_header_at(&from, NOW + 59).as_deref(),
            Some("a=1")
        );
        assert_eq!(jar.cookie_header_at(&from, NOW + 60), None);
        // Max-Age wins over Expires, whatever their order.
        assert!(jar.set_cookie_line(
            &from,
            "b=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            NOW
        ));
        assert!(jar.set_cookie_line(
            &from,
            "c=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60",
            NOW
        ));
        assert_eq!(jar.len(), 3);
        // Max-Age=0 deletes, and so does a negative one.
        assert!(!jar.set_cookie_line(&from, "a=x; Max-Age=0", NOW));
        assert!(!jar.set_cookie_line(&from, "b=x; Max-Age=-5", NOW));
        assert_eq!(jar.names().collect::<Vec<_>>(), ["c"]);
        // An Expires date in the past deletes.
        assert!(!jar.set_cookie_line(&from, "c=x; Expires=Wed, 09 Jun 2021 10:18:14 GMT", NOW));
        assert!(jar.is_empty());
        // A deletion only hits the cookie with the same domain and path.
        assert!(jar.set_cookie_line(&from, "d=1; Path=/x", NOW));
        assert!(!jar.set_cookie_line(&from, "d=1; Max-Age=0", NOW));
        assert_eq!(jar.len(), 1);
        // Invalid Max-Age values are ignored; huge ones saturate.
        assert!(jar.set_cookie_line(&from, "e=1; Max-Age=1e3", NOW));
        assert_eq!(jar.iter().last().unwrap().expires(), None);
        assert!(jar.set_cookie_line(&from, "f=1; Max-Age=99999999999999999999999", NOW));
        assert_eq!(jar.iter().last().unwrap().expires(), Some(i64::MAX));
        // Expired cookies are evicted lazily, on the next change.
        assert!(jar.set_cookie_line(&from, "g=1; Max-Age=10", NOW));
        assert_eq!(jar.len(), 4);
        assert!(jar.set_cookie_line(&from, "h=1", NOW + 10));
        assert_eq!(jar.names().collect::<Vec<_>>(), ["d", "e", "f", "h"]);
    }

    #[test]
    fn ordering_by_path_length_then_creation() {
        let mut jar = Cookies::new();
        let from = url("http://example.org/");
        for line in [
            "a=1",
            "b=1; Path=/x/y",
            "c=1; Path=/x",
            "d=1",
            "e=1; Path=/x/y",
        ] {
            assert!(jar.set_cookie_line(&from, line, NOW));
        }
        let to = url("http://example.org/x/y/z");
        assert_eq!(
            jar.cookie_header_at(&to, NOW).as_deref(),
            Some("b=1; e=1; c=1; a=1; d=1")
        );
        // Replacing keeps the creation order.
        assert!(jar.set_cookie_line(&from, "a=2", NOW + 5));
        assert_eq!(
            jar.cookie_header_at(&to, NOW).as_deref(),
            Some("b=1; e=1; c=1; a=2; d=1")
        );
        assert_eq!(jar.len(), 5);
    }

    #[test]
    fn size_and_count_limits() {
        let mut jar = Cookies::new();
        let from = url("http://example.org/");
        // 4096 bytes of name and value are fine, 5000 are not.
        let fits = format!("a={}", "x".repeat(4095));
        assert!(jar.set_cookie_line(&from, &fits, NOW));
        let big = format!("b={}", "x".repeat(4999));
        assert!(!jar.set_cookie_line(&from, &big, NOW));
        // Long attribute values are ignored (the cookie stays).
        let long_path = format!("c=1; Path=/{}", "p".repeat(1100));
        assert!(jar.set_cookie_line(&from, &long_path, NOW));
        assert_eq!(jar.iter().last().unwrap().path(), "/");
        jar.clear(None, None);

        // The 51st cookie of a domain evicts the least recently set one.
        for i in 0..50 {
            assert!(jar.set_cookie_line(&from, &format!("c{i}=1"), NOW));
        }
        assert!(jar.set_cookie_line(&from, "c0=refreshed", NOW)); // c1 is now oldest
        assert!(jar.set_cookie_line(&from, "c50=1", NOW));
        assert_eq!(jar.len(), 50);
        assert!(jar.get("c1", None, None).unwrap().is_none());
        assert_eq!(
            jar.get("c0", None, None).unwrap().as_deref(),
            Some("refreshed")
        );
        // Other domains are not affected.
        assert!(jar.set_cookie_line(&url("http://other.org/"), "o=1", NOW));
        assert_eq!(jar.len(), 51);
        // Expired cookies go first.
        jar.clear(None, None);
        assert!(jar.set_cookie_line(&from, "short=1; Max-Age=1", NOW));
        for i in 0..49 {
            assert!(jar.set_cookie_line(&from, &format!("c{i}=1"), NOW));
        }
        assert!(jar.set_cookie_line(&from, "late=1", NOW + 2));
        assert_eq!(jar.len(), 50);
        assert!(jar.get("c0", None, None).unwrap().is_some());

        // 3000 in all.
        jar.clear(None, None);
        for d in 0..61 {
            let from = url(&format!("http://d{d}.example/"));
            for i in 0..50 {
                jar.set_cookie_line(&from, &format!("c{i}=1"), NOW);
            }
        }
        assert_eq!(jar.len(), 3000);
        assert!(jar.get("c0", Some("d0.example"), None).unwrap().is_none());
        assert!(jar.get("c49", Some("d60.example"), None).unwrap().is_some());
    }

    #[test]
    fn cookie_header_is_capped() {
        let mut jar = Cookies::new();
        let from = url("http://example.org/");
        for i in 0..3 {
            assert!(jar.set_cookie_line(&from, &format!("c{i}={}", "v".repeat(3000)), NOW));
        }
        let header = jar.cookie_header_at(&from, NOW).unwrap();
        assert!(header.len() <= MAX_COOKIE_HEADER_BYTES);
        assert_eq!(header.matches('=').count(), 2);
        jar.clear(None, None);
        for i in 0..200 {
            jar.set(&format!("n{i}"), "1", "", "/");
        }
        let header = jar.cookie_header_at(&from, NOW).unwrap();
        assert_eq!(header.split("; ").count(), MAX_COOKIES_PER_HEADER);
    }

    #[test]
    fn control_characters_are_refused() {
        let mut jar = Cookies::new();
        let from = url("http://example.org/");
        for line in [
            "a=b\u{0}c",
            "a=b\rc",
            "a=b\nc",
            "a\u{1}=b",
            "a=b; Path=/\u{7f}",
            "a=\u{1b}",
        ] {
            assert!(!jar.set_cookie_line(&from, line, NOW), "{line:?}");
        }
        assert!(jar.set_cookie_line(&from, "a=b\tc", NOW));
        assert_eq!(jar.get("a", None, None).unwrap().as_deref(), Some("b\tc"));
        // Set by hand, a bad value is kept but never sent.
        let mut jar = Cookies::new();
        jar.set("bad", "x\r\nInjected: 1", "", "/");
        jar.set("good", "1", "", "/");
        assert_eq!(jar.cookie_header_at(&from, NOW).as_deref(), Some("good=1"));
        let mut headers = Headers::new();
        jar.set_cookie_header(&mut headers, &from);
        assert_eq!(headers.get("cookie").as_deref(), Some("good=1"));
    }

    #[test]
    fn get_delete_clear_and_conflicts() {
        let mut jar = Cookies::new();
        jar.set("a", "1", "", "/");
        jar.set("a", "2", "example.org", "/");
        jar.set("a", "3", "example.org", "/x");
        jar.set("b", "4", ".Example.org", "/");
        let err = jar.get("a", None, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CookieConflict);
        assert_eq!(err.message(), "Multiple cookies exist with name=a");
        assert!(jar.get("a", Some("example.org"), None).is_err());
        assert_eq!(jar.get("a", Some(""), None).unwrap().as_deref(), Some("1"));
        assert_eq!(
            jar.get("a", Some("example.org"), Some("/x"))
                .unwrap()
                .as_deref(),
            Some("3")
        );
        assert_eq!(
            jar.get("a", Some(".example.org"), Some("/"))
                .unwrap()
                .as_deref(),
            Some("2")
        );
        assert_eq!(
            jar.get("b", Some(".example.org"), None).unwrap().as_deref(),
            Some("4")
        );
        assert_eq!(
            jar.get("b", Some("example.org"), None).unwrap().as_deref(),
            Some("4")
        );
        assert_eq!(jar.get("b", Some("other.org"), None).unwrap(), None);
        // The same cookie, set again with the other spelling of its domain.
        jar.set("b", "5", "example.org", "/");
        assert_eq!(jar.len(), 4);
        assert_eq!(jar.get("b", None, None).unwrap().as_deref(), Some("5"));

        jar.delete("a", Some("example.org"), Some("/x"));
        assert_eq!(jar.len(), 3);
        jar.delete("a", None, None);
        assert_eq!(jar.names().collect::<Vec<_>>(), ["b"]);
        jar.set("c", "1", "other.org", "/");
        jar.clear(Some("example.org"), None);
        assert_eq!(jar.names().collect::<Vec<_>>(), ["c"]);
        jar.clear(Some("other.org"), Some("/nope"));
        assert_eq!(jar.len(), 1);
        jar.clear(None, None);
        assert!(jar.is_empty());

        // Host-only cookies do not answer to the dotted spelling.
        let mut jar = Cookies::new();
        assert!(jar.set_cookie_line(&url("http://example.org/"), "h=1", NOW));
        assert_eq!(jar.get("h", Some(".example.org"), None).unwrap(), None);
        assert_eq!(
            jar.get("h", Some("example.org"), None).unwrap().as_deref(),
            Some("1")
        );
    }

    #[test]
    fn hand_set_cookies() {
        let mut jar: Cookies = vec![("a", "1"), ("b", "2")].into();
        jar.set("d", "3", "example.org", "/api");
        jar.set("e", "4", "", "");
        let at = |u: &str| jar.cookie_header_at(&url(u), NOW);
        assert_eq!(at("https://any.host/x").as_deref(), Some("a=1; b=2; e=4"));
        assert_eq!(
            at("http://example.org/api/v1").as_deref(),
            Some("d=3; a=1; b=2; e=4")
        );
        assert_eq!(
            at("http://www.example.org/api").as_deref(),
            Some("d=3; a=1; b=2; e=4")
        );
        assert_eq!(at("http://127.0.0.1/").as_deref(), Some("a=1; b=2; e=4"));
        let c = jar.iter().find(|c| c.name() == "d").unwrap();
        assert_eq!(
            (c.domain(), c.path(), c.host_only(), c.secure()),
            ("example.org", "/api", false, false)
        );
        assert_eq!(c.expires(), None);
        assert_eq!(c.same_site(), None);

        let from_iter: Cookies = [("x", "1")].into_iter().collect();
        assert_eq!(
            from_iter.get("x", Some(""), Some("/")).unwrap().as_deref(),
            Some("1")
        );
        let from_map = Cookies::from(HashMap::from([("m", "1")]));
        assert_eq!(from_map.len(), 1);
        let from_btree = Cookies::from(BTreeMap::from([("m", String::from("1"))]));
        assert_eq!(from_btree.names().collect::<Vec<_>>(), ["m"]);

        let mut merged = Cookies::from([("a", "old"), ("z", "26")]);
        merged.update(&jar);
        assert_eq!(
            merged.names().collect::<Vec<_>>(),
            ["a", "z", "b", "d", "e"]
        );
        assert_eq!(merged.get("a", None, None).unwrap().as_deref(), Some("1"));
    }

    #[test]
    fn idna_domains() {
        let mut jar = Cookies::new();
        let from = url("http://www.müller.de/");
        assert_eq!(from.raw_host(), "www.xn--mller-kva.de");
        assert!(jar.set_cookie_line(&from, "a=1; Domain=MÜLLER.de", NOW));
        assert_eq!(jar.iter().next().unwrap().domain(), "xn--mller-kva.de");
        assert_eq!(
            jar.cookie_header_at(&url("http://xn--mller-kva.de/"), NOW)
                .as_deref(),
            Some("a=1")
        );
        // A full-width dot does not sneak past the public-suffix check.
        assert!(!jar.set_cookie_line(
            &url("http://a.example.co.uk/"),
            "b=1; Domain=co\u{ff0e}uk",
            NOW
        ));
    }

    #[test]
    fn extract_and_set_cookie_header() {
        let from = url("http://example.org/login");
        let mut headers = Headers::new();
        headers.append("Set-Cookie", "a=1; Path=/").unwrap();
        headers.append("set-cookie", "b=2, c=3; Path=/").unwrap();
        headers.append("Set-Cookie", "bad").unwrap();
        headers.append("Set-Cookie", "gone=1; Max-Age=0").unwrap();
        let mut jar = Cookies::new();
        jar.extract_from_response(&from, &headers);
        assert_eq!(jar.names().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(jar.get("b", None, None).unwrap().as_deref(), Some("2, c=3"));

        let to = url("http://example.org/home");
        let mut request = Headers::new();
        jar.set_cookie_header(&mut request, &to);
        assert_eq!(request.get("Cookie").as_deref(), Some("a=1; b=2, c=3"));
        // An existing Cookie header is kept, as http.cookiejar does.
        let mut request = Headers::new();
        request.insert("cookie", "own=1").unwrap();
        jar.set_cookie_header(&mut request, &to);
        assert_eq!(request.get_list("cookie", false), ["own=1"]);
        // Nothing to send: no header.
        let mut request = Headers::new();
        jar.set_cookie_header(&mut request, &url("http://other.org/"));
        assert!(!request.contains("cookie"));
    }

    #[test]
    fn cookies_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync + Clone + Default>() {}
        assert_send_sync::<Cookies>();
    }

    #[cfg(not(target_family = "wasm"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn set_cookie_line_never_panics(line in any::<String>(), now in any::<i64>()) {
                let mut jar = Cookies::new();
                let from = url("http://home.example.org:8888/a/b");
                let _ = jar.set_cookie_line(&from, &line, now);
                let _ = jar.cookie_header_at(&from, now);
            }

            #[test]
            fn cookie_like_lines_never_panic(
                line in "[a-zA-Z0-9 =;,.\"\t/:_-]{0,40}(; ?(Expires|Max-Age|Domain|Path|Secure|SameSite)=?[ -~]{0,30}){0,4}",
                now in prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), any::<i64>()],
                host in prop_oneof![
                    Just("http://127.0.0.1/"),
                    Just("https://[::1]:8443/x"),
                    Just("http://a.b.example.co.uk/p/q"),
                    Just("http://localhost/"),
                ],
            ) {
                let mut jar = Cookies::new();
                let from = url(host);
                if jar.set_cookie_line(&from, &line, now) {
                    prop_assert_eq!(jar.len(), 1);
                }
                let _ = jar.cookie_header_at(&from, now);
                let _ = format!("{jar:?}");
            }
        }
    }
}
