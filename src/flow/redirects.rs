//! Building the request a redirect points to (httpx's `_build_redirect_request`), with
//! the credential rules made stricter where httpx is lax.

use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::{Method, Request};
use crate::response::Response;
use crate::status::StatusCode;
use crate::url::Url;

/// The method after a redirect: 303 (and 302, as browsers do) turn anything but HEAD
/// into GET; 301 turns POST into GET; 307 and 308 keep the method.
pub(crate) fn redirect_method(method: &Method, status: StatusCode) -> Method {
    let code = status.as_u16();
    if (code == 303 || code == 302) && *method != Method::HEAD {
        return Method::GET;
    }
    if code == 301 && *method == Method::POST {
        return Method::GET;
    }
    method.clone()
}

/// The URL a redirect points to, resolved against the request URL.
pub(crate) fn redirect_url(request: &Request, location: &str) -> Result<Url> {
    let base = request.url();
    let joined = match base.join(location) {
        Ok(url) => url,
        Err(err) => match host_less_absolute(location, base) {
            // httpx accepts absolute locations that lack a host ("https://:443/path")
            // by taking the request's host.
            Some(fixed) => base
                .join(&fixed)
                .map_err(|e| invalid_location(location, e))?,
            None => return Err(invalid_location(location, err)),
        },
    };
    if !matches!(joined.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorKind::UnsupportedProtocol,
            format!(
                "Redirect location '{location}' has the unsupported scheme '{}'; \
                 only http:// and https:// redirects are followed",
                joined.scheme()
            ),
        ));
    }
    // RFC 9110 §10.2.2: a Location without a fragment inherits the request's.
    let fragment = base.fragment();
    if !fragment.is_empty() && !joined.has_fragment() {
        return joined.copy_with().fragment(Some(&fragment)).build();
    }
    Ok(joined)
}

fn invalid_location(location: &str, err: Error) -> Error {
    Error::remote_protocol(format!(
        "Invalid URL in location header {location:?}: {}.",
        err.message()
    ))
}

/// `scheme://[:port]/rest` → `scheme://request-host[:port]/rest`.
fn host_less_absolute(location: &str, base: &Url) -> Option<String> {
    let (scheme, rest) = location.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if !(authority.is_empty() || authority.starts_with(':')) {
        return None;
    }
    let host = base.host_for_authority();
    if host.is_empty() {
        return None;
    }
    Some(format!(
        "{scheme}://{host}{authority}{}",
        &rest[authority_end..]
    ))
}

/// Whether two URLs have the same scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// httpx's exception: http → https on the same host with default ports keeps
/// `Authorization`.
pub(crate) fn is_https_upgrade(from: &Url, to: &Url) -> bool {
    from.raw_host() == to.raw_host()
        && from.scheme() == "http"
        && from.port_or_default() == Some(80)
        && to.scheme() == "https"
        && to.port_or_default() == Some(443)
}

/// The headers of the redirected request.
///
/// - `Authorization` is dropped when the origin changes (scheme, host or port), except
///   for httpx's http → https upgrade on default ports;
/// - `Proxy-Authorization` is always dropped when the origin changes, stricter than
///   httpx (CVE-2023-32681 class: proxy credentials must never reach an origin);
/// - `Host` follows the new URL; `Cookie` is dropped here and rebuilt from the jar;
/// - a method change to GET drops the body headers.
pub(crate) fn redirect_headers(request: &Request, url: &Url, method: &Method) -> Headers {
    let mut headers = request.headers().clone();
    if !same_origin(url, request.url()) {
        if !is_https_upgrade(request.url(), url) {
            headers.remove("authorization");
        }
        headers.remove("proxy-authorization");
        // A netloc is always a valid header value.
        let _ = headers.insert("Host", url.netloc());
    }
    if method != request.method() && *method == Method::GET {
        headers.remove("content-length");
        headers.remove("transfer-encoding");
        headers.remove("content-type");
    }
    headers.remove("cookie");
    headers
}

/// The request a redirect response points to.
pub(crate) fn build_redirect_request(request: &Request, response: &Response) -> Result<Request> {
    let location = response.headers().get("location").unwrap_or_default();
    let method = redirect_method(request.method(), response.status());
    let url = redirect_url(request, &location)?;
    let headers = redirect_headers(request, &url, &method);
    let body = if method != *request.method() && method == Method::GET {
        crate::request::Body::empty()
    } else {
        // The original body again: bytes replay; a stream that was sent is consumed,
        // and sending it again fails with StreamConsumed (httpx's rule).
        request.clone().take_body()
    };
    let mut next = Request::from_parts(method, url, headers, body);
    *next.options_mut() = request.options().clone();
    *next.extensions_mut() = request.extensions().clone();
    next.inherit_auto_headers(request);
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn methods() {
        use StatusCode as S;
        assert_eq!(redirect_method(&Method::POST, S::SEE_OTHER), Method::GET);
        assert_eq!(redirect_method(&Method::HEAD, S::SEE_OTHER), Method::HEAD);
        assert_eq!(redirect_method(&Method::PUT, S::FOUND), Method::GET);
        assert_eq!(
            redirect_method(&Method::POST, S::MOVED_PERMANENTLY),
            Method::GET
        );
        assert_eq!(
            redirect_method(&Method::PUT, S::MOVED_PERMANENTLY),
            Method::PUT
        );
        assert_eq!(
            redirect_method(&Method::POST, S::TEMPORARY_REDIRECT),
            Method::POST
        );
        assert_eq!(
            redirect_method(&Method::POST, S::PERMANENT_REDIRECT),
            Method::POST
        );
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            &url("https://example.org/a"),
            &url("https://example.org:443/b")
        ));
        assert!(!same_origin(
            &url("https://example.org/"),
            &url("http://example.org/")
        ));
        assert!(!same_origin(
            &url("http://127.0.0.1/"),
            &url("http://localhost/")
        ));
        assert!(!same_origin(
            &url("http://example.org:8080/"),
            &url("http://example.org/")
        ));
        assert!(is_https_upgrade(
            &url("http://example.org/"),
            &url("https://example.org/")
        ));
        assert!(!is_https_upgrade(
            &url("http://example.org:8080/"),
            &url("https://example.org/")
        ));
        assert!(!is_https_upgrade(
            &url("https://example.org/"),
            &url("http://example.org/")
        ));
    }

    #[test]
    fn locations() {
        let request = Request::new(Method::GET, url("https://example.org/a/b#frag"));
        assert_eq!(
            redirect_url(&request, "c").unwrap().as_str(),
            "https://example.org/a/c#frag"
        );
        assert_eq!(
            redirect_url(&request, "https://:443/x").unwrap().as_str(),
            "https://example.org/x#frag"
        );
        assert_eq!(
            redirect_url(&request, "//other.org/y#f2").unwrap().as_str(),
            "https://other.org/y#f2"
        );
        let err = redirect_url(&request, "market://details?id=123").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
        let err = redirect_url(&request, "https://example.org:99999/").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
        assert!(redirect_url(&request, "file:///etc/passwd").is_err());
    }
}
