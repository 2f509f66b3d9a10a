//! httpx's `mounts`: URL patterns routed to transports, most specific first.

use std::fmt;

use crate::error::{Error, Result};
use crate::url::Url;

/// A URL pattern as httpx's `mounts` keys write them.
///
/// `"all://"` matches everything, `"https://"` a scheme, `"all://example.com"` one
/// host on any scheme, `"http://example.com:8080"` a host and port,
/// `"all://*example.com"` a domain and its subdomains, `"all://*.example.com"` the
/// subdomains only. When several match, the most specific wins: a port first, then
/// the longest host, then the longest scheme.
///
/// ```
/// use httpx::{transport::UrlPattern, Url};
/// let pattern = UrlPattern::parse("all://*.example.com")?;
/// assert!(pattern.matches(&Url::parse("https://www.example.com/")?));
/// assert!(!pattern.matches(&Url::parse("https://example.com/")?));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UrlPattern {
    pattern: String,
    scheme: String,
    host: HostMatch,
    host_len: usize,
    port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostMatch {
    Any,
    Exact(String),
    /// `*example.com`: the domain or any subdomain.
    DomainOrSub(String),
    /// `*.example.com`: subdomains only.
    SubOnly(String),
}

impl UrlPattern {
    /// Parses a pattern; a bare scheme such as `"http"` is refused as in httpx.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::{transport::UrlPattern, ErrorKind, Url};
    ///
    /// let pattern = UrlPattern::parse("https://example.com:443")?; // the default port is no port
    /// assert!(pattern.matches(&Url::parse("https://example.com/")?));
    /// assert_eq!(pattern.as_str(), "https://example.com:443");
    /// let err = UrlPattern::parse("http").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    /// assert!(err.to_string().contains(r#"use "http://""#));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn parse(pattern: &str) -> Result<UrlPattern> {
        let Some((scheme, rest)) = pattern.split_once("://") else {
            return Err(Error::invalid_url(format!(
                "Proxy keys should use proper URL forms rather than plain scheme strings. \
                 Instead of \"{pattern}\", use \"{pattern}://\""
            )));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return Err(Error::invalid_url(format!(
                "Invalid URL pattern {pattern:?}: bad scheme"
            )));
        }
        let authority = rest.split('/').next().unwrap_or("");
        let (host, port) = split_host_port(authority).ok_or_else(|| {
            Error::invalid_url(format!("Invalid URL pattern {pattern:?}: bad port"))
        })?;
        let host = host.to_ascii_lowercase();
        let host_len = if host == "*" { 0 } else { host.chars().count() };
        let wildcard_free = |h: &str| -> Result<String> {
            if h.contains('*') {
                return Err(Error::invalid_url(format!(
                    "Invalid URL pattern {pattern:?}: '*' may only start the host"
                )));
            }
            Ok(idna_host(h))
        };
        let host_match = if host.is_empty() || host == "*" {
            HostMatch::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            HostMatch::SubOnly(wildcard_free(domain)?)
        } else if let Some(domain) = host.strip_prefix('*') {
            HostMatch::DomainOrSub(wildcard_free(domain)?)
        } else {
            HostMatch::Exact(wildcard_free(&host)?)
        };
        let default_port = match scheme.as_str() {
            "http" | "ws" => Some(80),
            "https" | "wss" => Some(443),
            _ => None,
        };
        Ok(UrlPattern {
            pattern: pattern.to_string(),
            scheme: if scheme == "all" {
                String::new()
            } else {
                scheme
            },
            host: host_match,
            host_len,
            // As in httpx, a default port is no port at all.
            port: port.filter(|p| Some(*p) != default_port),
        })
    }

    /// Whether `url` matches.
    pub fn matches(&self, url: &Url) -> bool {
        if !self.scheme.is_empty() && self.scheme != url.scheme() {
            return false;
        }
        let host = url.raw_host();
        let host_ok = match &self.host {
            HostMatch::Any => true,
            HostMatch::Exact(h) => host == h,
            HostMatch::DomainOrSub(d) => host == d || is_subdomain(host, d),
            HostMatch::SubOnly(d) => is_subdomain(host, d),
        };
        if !host_ok {
            return false;
        }
        match self.port {
            Some(port) => url.port() == Some(port),
            None => true,
        }
    }

    /// httpx's priority tuple: smaller sorts first (is more specific).
    fn priority(&self) -> (u8, isize, isize) {
        (
            if self.port.is_some() { 0 } else { 1 },
            -(self.host_len as isize),
            -(self.scheme.len() as isize),
        )
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

fn is_subdomain(host: &str, domain: &str) -> bool {
    host.len() > domain.len() + 1
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

fn idna_host(host: &str) -> String {
    crate::url::domain_to_ascii(host).unwrap_or_else(|| host.to_string())
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let authority = authority.rsplit('@').next().unwrap_or("");
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        return match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some((host, Some(p.parse().ok()?))),
            _ => Some((host, None)),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) if !port.is_empty() => Some((host, Some(port.parse().ok()?))),
        Some((host, _)) => Some((host, None)),
        None => Some((authority, None)),
    }
}

impl fmt::Debug for UrlPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UrlPattern({:?})", self.pattern)
    }
}

/// Patterns and what they route to (`None`: the client's own transport), kept sorted
/// most specific first.
pub(crate) struct Mounts<T: ?Sized> {
    entries: Vec<(UrlPattern, Option<std::sync::Arc<T>>)>,
}

impl<T: ?Sized> Clone for Mounts<T> {
    fn clone(&self) -> Self {
        Mounts {
            entries: self.entries.clone(),
        }
    }
}

impl<T: ?Sized> Default for Mounts<T> {
    fn default() -> Self {
        Mounts {
            entries: Vec::new(),
        }
    }
}

impl<T: ?Sized> Mounts<T> {
    /// Adds a route; a later route for the same pattern replaces the earlier one.
    pub(crate) fn insert(&mut self, pattern: UrlPattern, transport: Option<std::sync::Arc<T>>) {
        self.entries.retain(|(p, _)| p.pattern != pattern.pattern);
        // Kept sorted: the new route goes after those of equal priority, so insertion
        // order among equals is kept, like httpx's sorted dict (without a sort, which
        // costs a browser build several KB).
        let priority = pattern.priority();
        let at = self
            .entries
            .partition_point(|(p, _)| p.priority() <= priority);
        self.entries.insert(at, (pattern, transport));
    }

    /// The route for `url`: `Some(Some(t))` a mounted transport, `Some(None)` the
    /// client's own, `None` no route matched.
    pub(crate) fn route(&self, url: &Url) -> Option<Option<&std::sync::Arc<T>>> {
        self.entries
            .iter()
            .find(|(p, _)| p.matches(url))
            .map(|(_, t)| t.as_ref())
    }

    /// Adds `other`'s routes, which win over same-pattern routes already here.
    pub(crate) fn extend(&mut self, other: Mounts<T>) {
        for (pattern, transport) in other.entries {
            self.insert(pattern, transport);
        }
    }

    /// Every mounted transport, for closing.
    pub(crate) fn transports(&self) -> impl Iterator<Item = &std::sync::Arc<T>> {
        self.entries.iter().filter_map(|(_, t)| t.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// httpx's `test_url_matches` table (tests/test_utils.py).
    #[test]
    fn httpx_pattern_table() {
        let cases = [
            ("http://example.com", "http://example.com", true),
            ("http://example.com", "https://example.com", false),
            ("http://example.com", "http://other.com", false),
            ("http://example.com:123", "http://example.com:123", true),
            ("http://example.com:123", "http://example.com:456", false),
            ("http://example.com:123", "http://example.com", false),
            ("all://example.com", "http://example.com", true),
            ("all://example.com", "https://example.com", true),
            ("http://", "http://example.com", true),
            ("http://", "https://example.com", false),
            ("all://", "https://example.com:123", true),
            ("", "https://example.com:123", true),
            ("all://*", "http://example.com", true),
            ("all://*example.com", "http://www.example.com", true),
            ("all://*example.com", "http://example.com", true),
            ("all://*example.com", "http://wwwexample.com", false),
            ("all://*.example.com", "http://www.example.com", true),
            ("all://*.example.com", "http://example.com", false),
            ("http://example.com:80", "http://example.com", true),
        ];
        for (pattern, target, expected) in cases {
            if pattern.is_empty() {
                continue;
            }
            let p = UrlPattern::parse(pattern).unwrap();
            assert_eq!(p.matches(&url(target)), expected, "{pattern} vs {target}");
        }
    }

    #[test]
    fn bare_scheme_is_refused() {
        let err = UrlPattern::parse("http").unwrap_err();
        assert!(err.message().contains("use \"http://\""));
    }

    #[test]
    fn priority_most_specific_first() {
        let mut mounts: Mounts<str> = Mounts::default();
        for p in [
            "all://",
            "https://",
            "all://example.com",
            "all://example.com:8443",
            "all://*example.com",
        ] {
            mounts.insert(UrlPattern::parse(p).unwrap(), Some(Arc::from(p)));
        }
        let route = |u: &str| mounts.route(&url(u)).flatten().map(|s| s.to_string());
        assert_eq!(
            route("https://example.com:8443/").as_deref(),
            Some("all://example.com:8443")
        );
        assert_eq!(
            route("https://www.example.com/").as_deref(),
            Some("all://*example.com")
        );
        assert_eq!(
            route("http://example.com/").as_deref(),
            Some("all://*example.com")
        );
        assert_eq!(route("https://other.org/").as_deref(), Some("https://"));
        assert_eq!(route("http://other.org/").as_deref(), Some("all://"));
    }
}
