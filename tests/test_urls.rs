//! httpx's `tests/models/test_url.py` (its `test_whatwg.py` is in `url_everywhere.rs`,
//! which runs on every target and parser), plus the URL rows of
//! `SECURITY.md`: H2 (control characters), U1 (parsing differentials and the
//! `copy_with`/`base_url` SSRF of CVE-2021-41945), U2 (base_url joining) and U3 (ports,
//! empty hosts, missing schemes).
//!
//! Our `Url` parses by the WHATWG standard (the `url` crate) and is always absolute;
//! httpx's operations (`join`, `copy_with`, params) keep httpx's semantics. Where the
//! result differs from httpx on purpose, the test checks ours and says why in a
//! `// httpx: ...; here: ...` comment.
//!
//! Skipped from test_url.py (they test Python's dynamic typing, which Rust checks at
//! compile time: an unknown keyword argument or a value of the wrong type does not
//! compile here):
//! - test_urlparse_with_invalid_component
//! - test_url_invalid_type
//! - test_url_with_invalid_component
//! - test_url_copywith_invalid_component
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::collections::HashSet;

use httpx::{ErrorKind, MockTransport, QueryParams, Url};

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

fn invalid(s: &str) -> httpx::Error {
    match Url::parse(s) {
        Ok(u) => panic!("{s:?} should be refused, got {u:?}"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidUrl, "{s:?}: {e}");
            e
        }
    }
}

// ---------------------------------------------------------------------------------
// Instantiation and property accessors
// ---------------------------------------------------------------------------------

#[test]
fn test_basic_url() {
    let url = url("https://www.example.com/");
    assert_eq!(url.scheme(), "https");
    assert_eq!(url.userinfo(), "");
    assert_eq!(url.netloc(), "www.example.com");
    assert_eq!(url.host(), "www.example.com");
    assert_eq!(url.port(), None);
    assert_eq!(url.path(), "/");
    assert_eq!(url.query(), "");
    assert_eq!(url.fragment(), "");
    assert_eq!(url.as_str(), "https://www.example.com/");
    assert_eq!(url.to_string(), "https://www.example.com/");
    // httpx: repr is URL('...'); here: Debug is Url("...").
    assert_eq!(format!("{url:?}"), "Url(\"https://www.example.com/\")");
}

#[test]
fn test_complete_url() {
    let url = url("https://example.org:123/path/to/somewhere?abc=123#anchor");
    assert_eq!(url.scheme(), "https");
    assert_eq!(url.host(), "example.org");
    assert_eq!(url.port(), Some(123));
    assert_eq!(url.path(), "/path/to/somewhere");
    assert_eq!(url.query(), "abc=123");
    assert_eq!(url.raw_path(), "/path/to/somewhere?abc=123");
    assert_eq!(url.fragment(), "anchor");
    assert_eq!(
        url.as_str(),
        "https://example.org:123/path/to/somewhere?abc=123#anchor"
    );
    assert_eq!(
        format!("{url:?}"),
        "Url(\"https://example.org:123/path/to/somewhere?abc=123#anchor\")"
    );
}

#[test]
fn test_url_with_empty_query() {
    let u = url("https://www.example.com/path");
    assert_eq!(u.path(), "/path");
    assert_eq!(u.query(), "");
    assert_eq!(u.raw_path(), "/path");

    let u = url("https://www.example.com/path?");
    assert_eq!(u.path(), "/path");
    assert_eq!(u.query(), "");
    assert_eq!(u.raw_path(), "/path?");
}

#[test]
fn test_url_no_scheme() {
    // httpx: URL("://example.com") is a relative URL with host example.com; here: a Url
    // is always absolute, so a missing scheme is an InvalidURL error.
    let err = invalid("://example.com");
    assert!(err.message().contains("relative URL"), "{}", err.message());
}

#[test]
fn test_url_no_authority() {
    // httpx: URL("http://") has an empty host; here: InvalidURL, before any I/O (U3).
    let err = invalid("http://");
    assert!(err.message().contains("empty host"), "{}", err.message());
}

// ---------------------------------------------------------------------------------
// Percent-encoding across path, query and fragment
// ---------------------------------------------------------------------------------

#[test]
fn test_path_query_fragment() {
    // (url, raw_path, path, query, fragment)
    let cases = [
        // Unescaped characters in the path.
        (
            "https://example.com/!$&'()*+,;= abc ABC 123 :/[]@",
            "/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@",
            "/!$&'()*+,;= abc ABC 123 :/[]@",
            "",
            "",
        ),
        // Escaped characters in the path.
        (
            "https://example.com/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@",
            "/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@",
            "/!$&'()*+,;= abc ABC 123 :/[]@",
            "",
            "",
        ),
        // A mix of unescaped and escaped characters in the path.
        (
            "https://example.com/ %61%62%63",
            "/%20%61%62%63",
            "/ abc",
            "",
            "",
        ),
        // Unescaped characters in the query.
        // httpx: keeps "'" as is; here: WHATWG's special-query set encodes it as %27
        // for http(s) URLs, as browsers send it.
        (
            "https://example.com/?!$&'()*+,;= abc ABC 123 :/[]@?",
            "/?!$&%27()*+,;=%20abc%20ABC%20123%20:/[]@?",
            "/",
            "!$&%27()*+,;=%20abc%20ABC%20123%20:/[]@?",
            "",
        ),
        // Escaped characters in the query.
        (
            "https://example.com/?!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?",
            "/?!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?",
            "/",
            "!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?",
            "",
        ),
        // A mix of unescaped and escaped characters in the query.
        (
            "https://example.com/?%20%97%98%99",
            "/?%20%97%98%99",
            "/",
            "%20%97%98%99",
            "",
        ),
        // Characters in the fragment.
        (
            "https://example.com/#!$&'()*+,;= abc ABC 123 :/[]@?#",
            "/",
            "/",
            "",
            "!$&'()*+,;= abc ABC 123 :/[]@?#",
        ),
    ];
    for (input, raw_path, path, query, fragment) in cases {
        let u = url(input);
        assert_eq!(u.raw_path(), raw_path, "{input}");
        assert_eq!(u.path(), path, "{input}");
        assert_eq!(u.query(), query, "{input}");
        assert_eq!(u.fragment(), fragment, "{input}");
    }
}

#[test]
fn test_url_query_encoding() {
    assert_eq!(
        url("https://www.example.com/?a=b c&d=e/f").raw_path(),
        "/?a=b%20c&d=e/f"
    );
    assert_eq!(
        url("https://www.example.com/?a=b+c&d=e/f").raw_path(),
        "/?a=b+c&d=e/f"
    );
    // httpx: URL(url, params={...}); here: copy_with().params(...).
    let u = url("https://www.example.com/")
        .copy_with()
        .params([("a", "b c"), ("d", "e/f")])
        .build()
        .unwrap();
    assert_eq!(u.raw_path(), "/?a=b+c&d=e%2Ff");
}

#[test]
fn test_url_params() {
    let u = url("https://example.org:123/path/to/somewhere")
        .copy_with()
        .params([("a", "123")])
        .build()
        .unwrap();
    assert_eq!(
        u.as_str(),
        "https://example.org:123/path/to/somewhere?a=123"
    );
    assert_eq!(u.params(), QueryParams::from([("a", "123")]));

    // params replace the query the URL had.
    let u = url("https://example.org:123/path/to/somewhere?b=456")
        .copy_with()
        .params([("a", "123")])
        .build()
        .unwrap();
    assert_eq!(
        u.as_str(),
        "https://example.org:123/path/to/somewhere?a=123"
    );
    assert_eq!(u.params(), QueryParams::from([("a", "123")]));
}

// ---------------------------------------------------------------------------------
// Username and password
// ---------------------------------------------------------------------------------

#[test]
fn test_url_username_and_password() {
    // (url, userinfo, username, password)
    let cases = [
        (
            "https://username:password@example.com",
            "username:password",
            "username",
            "password",
        ),
        (
            "https://username%40gmail.com:pa%20ssword@example.com",
            "username%40gmail.com:pa%20ssword",
            "username@gmail.com",
            "pa ssword",
        ),
        (
            "https://user%20name:p%40ssword@example.com",
            "user%20name:p%40ssword",
            "user name",
            "p@ssword",
        ),
        // Without percent escapes: the last '@' ends the userinfo.
        (
            "https://username@gmail.com:pa ssword@example.com",
            "username%40gmail.com:pa%20ssword",
            "username@gmail.com",
            "pa ssword",
        ),
        (
            "https://user name:p@ssword@example.com",
            "user%20name:p%40ssword",
            "user name",
            "p@ssword",
        ),
    ];
    for (input, userinfo, username, password) in cases {
        let u = url(input);
        assert_eq!(u.userinfo(), userinfo, "{input}");
        assert_eq!(u.username(), username, "{input}");
        assert_eq!(u.password().as_deref(), Some(password), "{input}");
        assert_eq!(u.host(), "example.com", "{input}");
    }
}

// ---------------------------------------------------------------------------------
// Hosts
// ---------------------------------------------------------------------------------

#[test]
fn test_url_valid_host() {
    assert_eq!(url("https://example.com/").host(), "example.com");
}

#[test]
fn test_url_normalized_host() {
    assert_eq!(url("https://EXAMPLE.com/").host(), "example.com");
}

#[test]
fn test_url_percent_escape_host() {
    // httpx: the host becomes "exam%20le.com"; here: a space is a forbidden host code
    // point in WHATWG, so the URL is refused (a browser refuses it too).
    invalid("https://exam le.com/");
}

#[test]
fn test_url_ipv4_like_host() {
    // Rare host names that used to qualify as IPv4.
    assert_eq!(url("https://023b76x43144/").host(), "023b76x43144");
}

// ---------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------

#[test]
fn test_url_valid_port() {
    assert_eq!(url("https://example.com:123/").port(), Some(123));
}

#[test]
fn test_url_normalized_port() {
    // A port matching the scheme's default is normalised away.
    let u = url("https://example.com:443/");
    assert_eq!(u.port(), None);
    assert_eq!(u.port_or_default(), Some(443));
    assert_eq!(u.as_str(), "https://example.com/");
}

#[test]
fn test_url_invalid_port() {
    let err = invalid("https://example.com:abc/");
    // httpx: "Invalid port: 'abc'"; here: the same, followed by the URL.
    assert!(
        err.message().starts_with("Invalid port: 'abc'"),
        "{}",
        err.message()
    );
}

// ---------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------

#[test]
fn test_url_normalized_path() {
    assert_eq!(
        url("https://example.com/abc/def/../ghi/./jkl").path(),
        "/abc/ghi/jkl"
    );
}

#[test]
fn test_url_escaped_path() {
    assert_eq!(
        url("https://example.com/ /🌟/").raw_path(),
        "/%20/%F0%9F%8C%9F/"
    );
}

#[test]
fn test_url_leading_dot_prefix_on_absolute_url() {
    assert_eq!(url("https://example.com/../abc").path(), "/abc");
}

#[test]
fn test_url_leading_dot_prefix_on_relative_url() {
    // httpx: URL("../abc").path == "../abc"; here: a Url is always absolute, so the
    // relative reference is refused on its own and resolved with join().
    let err = invalid("../abc");
    assert!(err.message().contains("relative URL"), "{}", err.message());
    assert_eq!(
        url("https://example.com/a/b")
            .join("../abc")
            .unwrap()
            .path(),
        "/abc"
    );
}

// ---------------------------------------------------------------------------------
// Query parameter percent-encoding: params match browser form encoding
// ---------------------------------------------------------------------------------

fn with_params(base: &str, key: &str, value: &str) -> String {
    url(base)
        .copy_with()
        .params([(key, value)])
        .build()
        .unwrap()
        .to_string()
}

// httpx: "http://webservice?u=..."; here (and in the next tests): WHATWG gives a special
// URL an empty path as "/", so "http://webservice/?u=...".

#[test]
fn test_param_with_space() {
    assert_eq!(
        with_params("http://webservice", "u", "with spaces"),
        "http://webservice/?u=with+spaces"
    );
}

#[test]
fn test_param_requires_encoding() {
    assert_eq!(
        with_params("http://webservice", "u", "%"),
        "http://webservice/?u=%25"
    );
}

#[test]
fn test_param_with_percent_encoded() {
    assert_eq!(
        with_params("http://webservice", "u", "with%20spaces"),
        "http://webservice/?u=with%2520spaces"
    );
}

#[test]
fn test_param_with_existing_escape_requires_encoding() {
    assert_eq!(
        with_params("http://webservice", "u", "http://example.com?q=foo%2Fa"),
        "http://webservice/?u=http%3A%2F%2Fexample.com%3Fq%3Dfoo%252Fa"
    );
}

// ---------------------------------------------------------------------------------
// Query percent-encoding in the URL itself: matches the browser's URL bar
// ---------------------------------------------------------------------------------

#[test]
fn test_query_with_existing_percent_encoding() {
    assert_eq!(
        url("http://webservice?u=phrase%20with%20spaces").as_str(),
        "http://webservice/?u=phrase%20with%20spaces"
    );
}

#[test]
fn test_query_requiring_percent_encoding() {
    assert_eq!(
        url("http://webservice?u=phrase with spaces").as_str(),
        "http://webservice/?u=phrase%20with%20spaces"
    );
}

#[test]
fn test_query_with_mixed_percent_encoding() {
    assert_eq!(
        url("http://webservice?u=phrase%20with spaces").as_str(),
        "http://webservice/?u=phrase%20with%20spaces"
    );
}

// ---------------------------------------------------------------------------------
// Invalid URLs
// ---------------------------------------------------------------------------------

#[test]
fn test_url_invalid_hostname() {
    // httpx: "https://😇/" is an invalid IDNA hostname; here: WHATWG's UTS #46
    // processing (non-strict, as in browsers) accepts emoji labels, so the host is
    // IDNA-encoded like a browser would send it.
    let u = url("https://😇/");
    assert_eq!(u.raw_host(), "xn--l28h");
    assert_eq!(u.host(), "😇");
    // A host that is invalid for WHATWG too is refused.
    let err = invalid("https://exa<mple.com/");
    assert!(err.message().contains("host"), "{}", err.message());
}

#[test]
fn test_url_excessively_long_url() {
    let err = invalid(&format!("https://www.example.com/{}", "x".repeat(100_000)));
    assert_eq!(err.message(), "URL too long");
}

#[test]
fn test_url_excessively_long_component() {
    // httpx: URL(url, path=...); here: copy_with().path(...).
    let err = url("https://www.example.com")
        .copy_with()
        .path(&format!("/{}", "x".repeat(100_000)))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    assert_eq!(err.message(), "URL component 'path' too long");
}

#[test]
fn test_url_non_printing_character_in_url() {
    let err = invalid("https://www.example.com/\n");
    assert_eq!(
        err.message(),
        "Invalid non-printable ASCII character in URL, '\\n' at position 24."
    );
}

#[test]
fn test_url_non_printing_character_in_component() {
    let err = url("https://www.example.com")
        .copy_with()
        .path("/\n")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    assert_eq!(
        err.message(),
        "Invalid non-printable ASCII character in URL path component, '\\n' at position 1."
    );
}

// ---------------------------------------------------------------------------------
// URL components
// ---------------------------------------------------------------------------------

#[test]
fn test_url_with_components() {
    // httpx: URL(scheme=..., host=..., path=...); here: there is no constructor from
    // components (a Url is parsed, then changed), so copy_with() from another URL.
    let u = url("http://placeholder.invalid/x?y#z")
        .copy_with()
        .scheme("https")
        .host("www.example.com")
        .path("/")
        .query(None)
        .fragment(None)
        .build()
        .unwrap();
    assert_eq!(u.scheme(), "https");
    assert_eq!(u.userinfo(), "");
    assert_eq!(u.host(), "www.example.com");
    assert_eq!(u.port(), None);
    assert_eq!(u.path(), "/");
    assert_eq!(u.query(), "");
    assert_eq!(u.fragment(), "");
    assert_eq!(u.as_str(), "https://www.example.com/");
}

#[test]
fn test_urlparse_with_invalid_scheme() {
    let err = url("https://www.example.com/")
        .copy_with()
        .scheme("~")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    // httpx: "Invalid URL component 'scheme'"; here: the same, with the reason after it.
    assert!(
        err.message().starts_with("Invalid URL component 'scheme'"),
        "{}",
        err.message()
    );
}

#[test]
fn test_urlparse_with_invalid_path() {
    let err = url("https://www.example.com/")
        .copy_with()
        .path("abc")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    assert_eq!(
        err.message(),
        "For absolute URLs, path must be empty or begin with '/'"
    );
    // httpx: URL(path="//abc") and URL(path=":abc") are invalid relative URLs; here:
    // there are no relative Urls, and both are refused as such.
    invalid("//abc");
    invalid(":abc");
}

#[test]
fn test_url_with_relative_path() {
    // httpx: URL(path="abc") is a valid relative URL; here: a Url is always absolute.
    // The reference is resolved with join() instead.
    invalid("abc");
    assert_eq!(
        url("https://example.com/dir/").join("abc").unwrap().path(),
        "/dir/abc"
    );
}

// ---------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------

#[test]
fn test_url_eq_str() {
    let u = url("https://example.org:123/path/to/somewhere?abc=123#anchor");
    assert_eq!(
        u,
        "https://example.org:123/path/to/somewhere?abc=123#anchor"
    );
    assert!(u == *"https://example.org:123/path/to/somewhere?abc=123#anchor");
    assert_eq!(url(&u.to_string()), u);
}

#[test]
fn test_url_set() {
    let urls = [
        url("http://example.org:123/path/to/somewhere"),
        url("http://example.org:123/path/to/somewhere/else"),
    ];
    let set: HashSet<Url> = urls.iter().cloned().collect();
    assert_eq!(set.len(), 2);
    assert!(set.iter().all(|u| urls.contains(u)));
    // Equal URLs (after normalisation) collapse.
    let set: HashSet<Url> = [url("http://example.org:80/a"), url("HTTP://EXAMPLE.ORG/a")]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 1);
}

// ---------------------------------------------------------------------------------
// join()
// ---------------------------------------------------------------------------------

#[test]
fn test_url_join() {
    let u = url("https://example.org:123/path/to/somewhere");
    assert_eq!(
        u.join("/somewhere-else").unwrap(),
        "https://example.org:123/somewhere-else"
    );
    assert_eq!(
        u.join("somewhere-else").unwrap(),
        "https://example.org:123/path/to/somewhere-else"
    );
    assert_eq!(
        u.join("../somewhere-else").unwrap(),
        "https://example.org:123/path/somewhere-else"
    );
    assert_eq!(
        u.join("../../somewhere-else").unwrap(),
        "https://example.org:123/somewhere-else"
    );
}

#[test]
fn test_relative_url_join() {
    // httpx joins onto the relative URL "/path/to/somewhere"; here: a Url is always
    // absolute, so the same references are joined onto an absolute URL with that path
    // and the resulting paths are httpx's.
    let u = url("https://example.org/path/to/somewhere");
    assert_eq!(u.join("/somewhere-else").unwrap().path(), "/somewhere-else");
    assert_eq!(
        u.join("somewhere-else").unwrap().path(),
        "/path/to/somewhere-else"
    );
    assert_eq!(
        u.join("../somewhere-else").unwrap().path(),
        "/path/somewhere-else"
    );
    assert_eq!(
        u.join("../../somewhere-else").unwrap().path(),
        "/somewhere-else"
    );
}

#[test]
fn test_url_join_rfc3986() {
    // RFC 3986 §5.4 reference resolution examples.
    let base = url("http://example.com/b/c/d;p?q");
    let cases = [
        // §5.4.1 normal examples
        ("g", "http://example.com/b/c/g"),
        ("./g", "http://example.com/b/c/g"),
        ("g/", "http://example.com/b/c/g/"),
        ("/g", "http://example.com/g"),
        // httpx: "http://g"; here: WHATWG serialises an empty path as "/".
        ("//g", "http://g/"),
        ("?y", "http://example.com/b/c/d;p?y"),
        ("g?y", "http://example.com/b/c/g?y"),
        ("#s", "http://example.com/b/c/d;p?q#s"),
        ("g#s", "http://example.com/b/c/g#s"),
        ("g?y#s", "http://example.com/b/c/g?y#s"),
        (";x", "http://example.com/b/c/;x"),
        ("g;x", "http://example.com/b/c/g;x"),
        ("g;x?y#s", "http://example.com/b/c/g;x?y#s"),
        ("", "http://example.com/b/c/d;p?q"),
        (".", "http://example.com/b/c/"),
        ("./", "http://example.com/b/c/"),
        ("..", "http://example.com/b/"),
        ("../", "http://example.com/b/"),
        ("../g", "http://example.com/b/g"),
        ("../..", "http://example.com/"),
        ("../../", "http://example.com/"),
        ("../../g", "http://example.com/g"),
        // §5.4.2 abnormal examples
        ("../../../g", "http://example.com/g"),
        ("../../../../g", "http://example.com/g"),
        ("/./g", "http://example.com/g"),
        ("/../g", "http://example.com/g"),
        ("g.", "http://example.com/b/c/g."),
        (".g", "http://example.com/b/c/.g"),
        ("g..", "http://example.com/b/c/g.."),
        ("..g", "http://example.com/b/c/..g"),
        ("./../g", "http://example.com/b/g"),
        ("./g/.", "http://example.com/b/c/g/"),
        ("g/./h", "http://example.com/b/c/g/h"),
        ("g/../h", "http://example.com/b/c/h"),
        ("g;x=1/./y", "http://example.com/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://example.com/b/c/y"),
        ("g?y/./x", "http://example.com/b/c/g?y/./x"),
        ("g?y/../x", "http://example.com/b/c/g?y/../x"),
        ("g#s/./x", "http://example.com/b/c/g#s/./x"),
        ("g#s/../x", "http://example.com/b/c/g#s/../x"),
    ];
    let mut failures = Vec::new();
    for (reference, expected) in cases {
        match base.join(reference) {
            Ok(joined) if joined == expected => {}
            other => failures.push(format!("{reference:?}: got {other:?}, want {expected}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn test_resolution_error_1833() {
    // https://github.com/encode/httpx/issues/1833
    let u = url("https://example.com/?[]");
    assert_eq!(u.join("/").unwrap(), "https://example.com/");
}

// ---------------------------------------------------------------------------------
// copy_with()
// ---------------------------------------------------------------------------------

#[test]
fn test_copy_with() {
    let u = url("https://www.example.com/");
    assert_eq!(u.as_str(), "https://www.example.com/");

    let u = u.copy_with().build().unwrap();
    assert_eq!(u.as_str(), "https://www.example.com/");

    let u = u.copy_with().scheme("http").build().unwrap();
    assert_eq!(u.as_str(), "http://www.example.com/");

    // httpx: copy_with(netloc=b"example.com"); here: netloc is host and port.
    let u = u.copy_with().host("example.com").build().unwrap();
    assert_eq!(u.as_str(), "http://example.com/");

    let u = u.copy_with().path("/abc").build().unwrap();
    assert_eq!(u.as_str(), "http://example.com/abc");
}

#[test]
fn test_url_copywith_authority_subcomponents() {
    let new = url("https://example.org")
        .copy_with()
        .username("username")
        .password("password")
        .port(Some(444))
        .host("example.net")
        .build()
        .unwrap();
    // httpx: no "/" after the authority; here: WHATWG serialises the empty path as "/".
    assert_eq!(new.as_str(), "https://username:password@example.net:444/");
}

#[test]
fn test_url_copywith_netloc() {
    // httpx: copy_with(netloc=b"example.net:444"); here: host and port.
    let new = url("https://example.org")
        .copy_with()
        .host("example.net")
        .port(Some(444))
        .build()
        .unwrap();
    assert_eq!(new.as_str(), "https://example.net:444/");
    assert_eq!(new.netloc(), "example.net:444");
}

#[test]
fn test_url_copywith_userinfo_subcomponents() {
    let new = url("https://example.org")
        .copy_with()
        .username("tom@example.org")
        .password("abc123@ %")
        .build()
        .unwrap();
    // httpx: leaves the '%' unescaped ("abc123%40%20%"), so decoding the userinfo again
    // is ambiguous; here: '%' is escaped too, so the password round-trips exactly.
    assert_eq!(
        new.as_str(),
        "https://tom%40example.org:abc123%40%20%25@example.org/"
    );
    assert_eq!(new.username(), "tom@example.org");
    assert_eq!(new.password().as_deref(), Some("abc123@ %"));
    assert_eq!(new.userinfo(), "tom%40example.org:abc123%40%20%25");
    assert_eq!(url(new.as_str()).password().as_deref(), Some("abc123@ %"));
}

#[test]
fn test_url_copywith_urlencoded_path() {
    let u = url("https://example.org")
        .copy_with()
        .path("/path to somewhere")
        .build()
        .unwrap();
    assert_eq!(u.path(), "/path to somewhere");
    assert_eq!(u.query(), "");
    assert_eq!(u.raw_path(), "/path%20to%20somewhere");
}

#[test]
fn test_url_copywith_query() {
    let u = url("https://example.org")
        .copy_with()
        .query(Some("a=123"))
        .build()
        .unwrap();
    assert_eq!(u.path(), "/");
    assert_eq!(u.query(), "a=123");
    assert_eq!(u.raw_path(), "/?a=123");
}

#[test]
fn test_url_copywith_raw_path() {
    let u = url("https://example.org")
        .copy_with()
        .raw_path("/some/path")
        .build()
        .unwrap();
    assert_eq!(u.path(), "/some/path");
    assert_eq!(u.query(), "");
    assert_eq!(u.raw_path(), "/some/path");

    let u = url("https://example.org")
        .copy_with()
        .raw_path("/some/path?")
        .build()
        .unwrap();
    assert_eq!(u.path(), "/some/path");
    assert_eq!(u.query(), "");
    assert_eq!(u.raw_path(), "/some/path?");

    let u = url("https://example.org")
        .copy_with()
        .raw_path("/some/path?a=123")
        .build()
        .unwrap();
    assert_eq!(u.path(), "/some/path");
    assert_eq!(u.query(), "a=123");
    assert_eq!(u.raw_path(), "/some/path?a=123");
}

#[test]
fn test_url_copywith_security() {
    // Prevent unexpected changes on URL after calling copy_with (CVE-2021-41945).
    invalid("https://u:p@[invalid!]//evilHost/path?t=w#tw");

    let u = url("https://example.com/path?t=w#tw");
    let bad = "https://xxxx:xxxx@xxxxxxx/xxxxx/xxx?x=x#xxxxx";
    let err = u.copy_with().scheme(bad).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    assert!(
        err.message().starts_with("Invalid URL component 'scheme'"),
        "{}",
        err.message()
    );
}

// ---------------------------------------------------------------------------------
// copy_*_param
// ---------------------------------------------------------------------------------

#[test]
fn test_url_set_param_manipulation() {
    let u = url("https://example.org:123/?a=123");
    assert_eq!(
        u.copy_set_param("a", "456"),
        "https://example.org:123/?a=456"
    );
}

#[test]
fn test_url_add_param_manipulation() {
    let u = url("https://example.org:123/?a=123");
    assert_eq!(
        u.copy_add_param("a", "456"),
        "https://example.org:123/?a=123&a=456"
    );
}

#[test]
fn test_url_remove_param_manipulation() {
    let u = url("https://example.org:123/?a=123");
    assert_eq!(u.copy_remove_param("a"), "https://example.org:123/");
}

#[test]
fn test_url_merge_params_manipulation() {
    let u = url("https://example.org:123/?a=123");
    assert_eq!(
        u.copy_merge_params([("b", "456")]),
        "https://example.org:123/?a=123&b=456"
    );
}

// ---------------------------------------------------------------------------------
// IDNA
// ---------------------------------------------------------------------------------

#[test]
fn test_idna_url() {
    // (id, given, idna, host, raw_host, scheme, port)
    let cases = [
        (
            "http_with_port",
            "http://中国.icom.museum:80/",
            "http://xn--fiqs8s.icom.museum:80/",
            "中国.icom.museum",
            "xn--fiqs8s.icom.museum",
            "http",
            None,
        ),
        (
            "unicode_tr46_compat",
            "http://Königsgäßchen.de",
            "http://xn--knigsgchen-b4a3dun.de",
            "königsgäßchen.de",
            "xn--knigsgchen-b4a3dun.de",
            "http",
            None,
        ),
        (
            "https_without_port",
            "https://faß.de",
            "https://xn--fa-hia.de",
            "faß.de",
            "xn--fa-hia.de",
            "https",
            None,
        ),
        (
            "https_with_port",
            "https://βόλος.com:443",
            "https://xn--nxasmm1c.com:443",
            "βόλος.com",
            "xn--nxasmm1c.com",
            "https",
            None,
        ),
        (
            "http_with_custom_port",
            "http://ශ්‍රී.com:444",
            "http://xn--10cl1a0b660p.com:444",
            "ශ්‍රී.com",
            "xn--10cl1a0b660p.com",
            "http",
            Some(444),
        ),
        (
            "https_with_custom_port",
            "https://نامه‌ای.com:4433",
            "https://xn--mgba3gch31f060k.com:4433",
            "نامه‌ای.com",
            "xn--mgba3gch31f060k.com",
            "https",
            Some(4433),
        ),
    ];
    for (id, given, idna, host, raw_host, scheme, port) in cases {
        let u = url(given);
        assert_eq!(u, url(idna), "{id}");
        assert_eq!(u.host(), host, "{id}");
        assert_eq!(u.raw_host(), raw_host, "{id}");
        assert_eq!(u.scheme(), scheme, "{id}");
        assert_eq!(u.port(), port, "{id}");
    }
}

#[test]
fn test_url_unescaped_idna_host() {
    assert_eq!(
        url("https://中国.icom.museum/").raw_host(),
        "xn--fiqs8s.icom.museum"
    );
}

#[test]
fn test_url_escaped_idna_host() {
    assert_eq!(
        url("https://xn--fiqs8s.icom.museum/").raw_host(),
        "xn--fiqs8s.icom.museum"
    );
}

#[test]
fn test_url_invalid_idna_host() {
    // httpx: "https://☃.com/" is refused (IDNA 2008); here: WHATWG uses UTS #46 as
    // browsers do, which maps the snowman to "xn--n3h", so what we send is what a
    // browser sends.
    let u = url("https://☃.com/");
    assert_eq!(u.raw_host(), "xn--n3h.com");
    assert_eq!(u.host(), "☃.com");
    // Labels that are invalid for UTS #46 are refused, with httpx's message start.
    for bad in ["https://xn--a.com/", "https://a\u{200d}b.com/"] {
        let err = invalid(bad);
        assert!(
            err.message().starts_with("Invalid IDNA hostname"),
            "{bad}: {}",
            err.message()
        );
    }
}

// ---------------------------------------------------------------------------------
// IPv4 and IPv6
// ---------------------------------------------------------------------------------

#[test]
fn test_url_valid_ipv4() {
    assert_eq!(url("https://1.2.3.4/").host(), "1.2.3.4");
}

#[test]
fn test_url_invalid_ipv4() {
    let err = invalid("https://999.999.999.999/");
    // httpx: "Invalid IPv4 address: '999.999.999.999'"; here: the same start, then the URL.
    assert!(
        err.message().starts_with("Invalid IPv4 address"),
        "{}",
        err.message()
    );
}

#[test]
fn test_ipv6_url() {
    let u = url("http://[::ffff:192.168.0.1]:5678/");
    // httpx: keeps "::ffff:192.168.0.1"; here: WHATWG serialises IPv6 in its
    // canonical (RFC 5952 hex) form, as browsers do.
    assert_eq!(u.host(), "::ffff:c0a8:1");
    assert_eq!(u.netloc(), "[::ffff:c0a8:1]:5678");
}

#[test]
fn test_url_valid_ipv6() {
    assert_eq!(
        url("https://[2001:db8::ff00:42:8329]/").host(),
        "2001:db8::ff00:42:8329"
    );
}

#[test]
fn test_url_invalid_ipv6() {
    let err = invalid("https://[2001]/");
    // httpx: "Invalid IPv6 address: '[2001]'"; here: the same start, then the URL.
    assert!(
        err.message().starts_with("Invalid IPv6 address"),
        "{}",
        err.message()
    );
}

#[test]
fn test_ipv6_url_from_raw_url() {
    for host in ["[::ffff:192.168.0.1]", "::ffff:192.168.0.1"] {
        // httpx: URL(scheme=..., host=..., port=..., path=...); here: copy_with().
        let u = url("http://placeholder.invalid/")
            .copy_with()
            .scheme("https")
            .host(host)
            .port(Some(443))
            .path("/")
            .build()
            .unwrap();
        // httpx: "::ffff:192.168.0.1"; here: the canonical WHATWG form (see above).
        assert_eq!(u.host(), "::ffff:c0a8:1", "{host}");
        assert_eq!(u.netloc(), "[::ffff:c0a8:1]", "{host}");
        assert_eq!(u.as_str(), "https://[::ffff:c0a8:1]/", "{host}");
    }
}

#[test]
fn test_ipv6_url_copy_with_host() {
    for url_str in [
        "http://127.0.0.1:1234",
        "http://example.com:1234",
        "http://[::ffff:127.0.0.1]:1234",
    ] {
        for new_host in ["[::ffff:192.168.0.1]", "::ffff:192.168.0.1"] {
            let u = url(url_str).copy_with().host(new_host).build().unwrap();
            assert_eq!(u.host(), "::ffff:c0a8:1", "{url_str} {new_host}");
            assert_eq!(u.netloc(), "[::ffff:c0a8:1]:1234", "{url_str} {new_host}");
            // httpx: no trailing "/"; here: WHATWG's "/" for an empty path.
            assert_eq!(
                u.as_str(),
                "http://[::ffff:c0a8:1]:1234/",
                "{url_str} {new_host}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// SECURITY.md H2: control characters in URLs and methods, refused before I/O
// ---------------------------------------------------------------------------------

#[test]
fn security_h2_control_characters_in_url() {
    let cases = [
        (
            "https://example.org/a\r\nX-Injected: 1",
            "'\\r' at position 21",
        ),
        ("https://example.org/a\nb", "'\\n' at position 21"),
        ("https://example.org/a\tb", "'\\t' at position 21"),
        ("https://example.org/?q=\0", "'\\x00' at position 23"),
        ("https://exa\rmple.org/", "'\\r' at position 11"),
        ("https://example.org/#\x7f", "'\\x7f' at position 21"),
        ("\x01https://example.org/", "'\\x01' at position 0"),
        // Positions count characters, not bytes.
        ("https://example.org/é\n", "'\\n' at position 21"),
    ];
    for (input, position) in cases {
        let err = invalid(input);
        assert!(
            err.message()
                .starts_with("Invalid non-printable ASCII character in URL, ")
                && err.message().contains(position),
            "{input:?}: {}",
            err.message()
        );
    }
    // join() and every copy_with component check too.
    let base = url("https://example.org/dir/");
    assert_eq!(
        base.join("a\r\nb").unwrap_err().kind(),
        ErrorKind::InvalidUrl
    );
    type Change = fn(httpx::url::UrlBuilder) -> httpx::url::UrlBuilder;
    let components: [(&str, Change); 8] = [
        ("scheme", |b| b.scheme("ht\ntp")),
        ("username", |b| b.username("a\r\n")),
        ("password", |b| b.password("a\0")),
        ("host", |b| b.host("evil\r\n.com")),
        ("path", |b| b.path("/a\r\nb")),
        ("query", |b| b.query(Some("a=\n"))),
        ("raw_path", |b| b.raw_path("/a?\r\n")),
        ("fragment", |b| b.fragment(Some("\x7f"))),
    ];
    for (component, change) in components {
        let err = change(base.copy_with()).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{component}");
        assert!(
            err.message().starts_with(&format!(
                "Invalid non-printable ASCII character in URL {component} component"
            )),
            "{component}: {}",
            err.message()
        );
    }
}

/// A transport that counts the requests it is given: refusals must come before I/O.
fn counting_transport() -> (
    MockTransport,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let transport = MockTransport::new(move |request| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        common::echo(request)
    });
    (transport, calls)
}

fn calls(counter: &std::sync::atomic::AtomicUsize) -> usize {
    counter.load(std::sync::atomic::Ordering::SeqCst)
}

mod security_h2_client_refuses_control_characters_before_io {
    use super::*;

    dual_test! {
        fn security_h2_client_refuses_control_characters_before_io() {
            let (transport, counter) = counting_transport();
            let client = builder!().transport(transport).build()?;
            let err = send!(client.get("https://example.org/a\r\nX-Injected: 1")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl);
            // A relative reference is checked too.
            let client_with_base = builder!()
                .transport(MockTransport::new(common::echo))
                .base_url("https://example.org/")
                .build()?;
            let err = send!(client_with_base.get("a\nb")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl);
            // A method must be a token.
            for method in ["GET /x HTTP/1.1\r\n", "GE T", "GET\n", ""] {
                let err = send!(client.request(method, "https://example.org/")).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{method:?}");
            }
            assert_eq!(calls(&counter), 0);
            // The control case goes through.
            send!(client.get("https://example.org/ok"))?;
            assert_eq!(calls(&counter), 1);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// SECURITY.md U3: bad ports, empty hosts, missing or unsupported schemes
// ---------------------------------------------------------------------------------

#[test]
fn security_u3_ports() {
    for (input, shown) in [
        ("http://example.com:99999/", "99999"),
        ("http://example.com:65536/", "65536"),
        ("http://example.com:-1/", "-1"),
        ("http://example.com:8o/", "8o"),
        ("http://[::1]:70000/", "70000"),
        ("http://user:pass@example.com:1.5/", "1.5"),
    ] {
        let err = invalid(input);
        assert!(
            err.message()
                .starts_with(&format!("Invalid port: '{shown}'")),
            "{input}: {}",
            err.message()
        );
        // The password is never echoed in the message.
        assert!(!err.message().contains("pass@"), "{}", err.message());
    }
    assert_eq!(url("http://example.com:65535/").port(), Some(65535));
    assert_eq!(url("http://example.com:0/").port(), Some(0));
    // An empty port is no port.
    assert_eq!(url("http://example.com:/").port(), None);
    assert_eq!(url("http://example.com:/").as_str(), "http://example.com/");
    // Leading zeros are the same port.
    assert_eq!(url("http://example.com:0080/").port(), None);
    // copy_with takes a u16, so an out-of-range port cannot be written.
    let u = url("http://example.com/")
        .copy_with()
        .port(Some(8080))
        .build()
        .unwrap();
    assert_eq!(u.as_str(), "http://example.com:8080/");
    let u = u.copy_with().port(None).build().unwrap();
    assert_eq!(u.as_str(), "http://example.com/");
}

#[test]
fn security_u3_empty_hosts() {
    for input in [
        "http://",
        "https://",
        "http://:80/",
        "https://@/",
        "http://user:pass@/",
        "https://?q",
        "https://#f",
    ] {
        let err = invalid(input);
        assert!(
            err.message().contains("empty host"),
            "{input}: {}",
            err.message()
        );
        assert!(!err.message().contains("pass@"), "{}", err.message());
    }
    // copy_with cannot empty the host either.
    let err = url("https://example.com/")
        .copy_with()
        .host("")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
}

mod security_u3_refused_before_io {
    use super::*;

    dual_test! {
        fn security_u3_refused_before_io() {
            let (transport, counter) = counting_transport();
            let client = builder!().transport(transport).build()?;
            // httpx: ":99999" is a ConnectError at connect time; here: InvalidURL, no I/O.
            let err = send!(client.get("http://example.com:99999/")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl);
            let err = send!(client.get("http://")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl);
            // No scheme, and no base_url to resolve against.
            for input in ["example.com/path", "/path", "//example.com/path"] {
                let err = send!(client.get(input)).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{input}");
                assert!(err.message().contains("missing an 'http://' or 'https://' protocol"), "{}", err.message());
            }
            // A scheme no transport serves.
            for input in ["ftp://example.com/", "file:///etc/passwd", "file://host/etc/passwd", "javascript:alert(1)"] {
                let err = send!(client.get(input)).unwrap_err();
                assert!(
                    matches!(err.kind(), ErrorKind::UnsupportedProtocol | ErrorKind::InvalidUrl),
                    "{input}: {err:?}"
                );
            }
            assert_eq!(calls(&counter), 0);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// SECURITY.md U1: parsing differentials and the copy_with/base_url SSRF (CVE-2021-41945)
// ---------------------------------------------------------------------------------

/// The host a URL's serialisation gives to the other parsers on the way: our own
/// re-parse and `http::Uri` (what transports built on `http` read).
fn hosts_agree(u: &Url, host: &str) {
    assert_eq!(u.raw_host(), host, "{u:?}");
    assert_eq!(url(u.as_str()).raw_host(), host, "re-parse of {u:?}");
    let uri = http::Uri::try_from(u).unwrap_or_else(|e| panic!("{u:?} as http::Uri: {e}"));
    assert_eq!(uri.host(), Some(host), "http::Uri of {u:?}");
}

#[test]
fn security_u1_parsing_differentials() {
    // Extra slashes: WHATWG (and so a browser) skips them; httpx agrees.
    hosts_agree(&url("http:////host/x"), "host");
    hosts_agree(&url("http:\\\\host/x"), "host");
    // A backslash is a slash for http(s): the host ends there, as in browsers.
    let u = url("http://good.com\\@evil.com/");
    hosts_agree(&u, "good.com");
    assert_eq!(u.path(), "/@evil.com/");
    // '@' in the userinfo: the last one ends it.
    let u = url("http://evil.com%2F@good.com/");
    hosts_agree(&u, "good.com");
    assert_eq!(u.username(), "evil.com/");
    let u = url("http://a@evil.com@good.com/");
    hosts_agree(&u, "good.com");
    assert_eq!(u.username(), "a@evil.com");
    // A percent-encoded host that decodes to a delimiter is refused.
    for input in [
        "http://good.com%2F.evil.com/",
        "http://good.com%2f.evil.com/",
        "http://good.com%3F.evil.com/",
        "http://good.com%23.evil.com/",
        "http://good.com%40evil.com/",
        "http://good.com%5C.evil.com/",
        "http://good.com%00.evil.com/",
        "http://good.com%20.evil.com/",
    ] {
        invalid(input);
    }
    // Percent-encoded letters in the host are decoded and lowercased.
    hosts_agree(&url("http://%45xample.com/"), "example.com");
    // IDN full stops are dots (curl CVE-2022-43551): one host, however it is written.
    for input in [
        "http://example\u{3002}com/",
        "http://example\u{ff0e}com/",
        "http://example\u{ff61}com/",
        "http://EXAMPLE.com./",
    ] {
        let u = url(input);
        assert!(
            u.raw_host() == "example.com" || u.raw_host() == "example.com.",
            "{input}: {u:?}"
        );
        assert_eq!(u.raw_host().trim_end_matches('.'), "example.com", "{input}");
    }
    // Numeric IPv4 forms are normalised, so a filter on the host sees the address.
    for input in [
        "http://0x7f.1/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://127.1/",
    ] {
        hosts_agree(&url(input), "127.0.0.1");
    }
    // A reference that looks like userinfo stays a path.
    let u = url("https://good.com/dir/").join("x@//evil.com").unwrap();
    hosts_agree(&u, "good.com");
    assert_eq!(u.path(), "/dir/x@//evil.com");
}

#[test]
fn security_u1_copy_with() {
    let base = url("https://good.com/path?t=w#tw");
    // A host carrying another authority, path, query or fragment is refused.
    for host in [
        "evil.com/x",
        "good.com#@evil.com",
        "evil.com?",
        "a@evil.com",
        "evil.com\\x",
        "evil.com:80",
        "evil .com",
        "[invalid!]//evilHost",
        "",
    ] {
        let err = base.copy_with().host(host).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{host:?}");
    }
    // A scheme carrying a whole URL is refused (httpx's test_url_copywith_security).
    for scheme in [
        "https://evil.com",
        "https://xxxx:xxxx@xxxxxxx/xxxxx/xxx?x=x#xxxxx",
        "ht tp",
        "",
        "evil",
    ] {
        let err = base.copy_with().scheme(scheme).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{scheme:?}");
    }
    // A path or query cannot smuggle in other components.
    assert!(base.copy_with().path("/a?b").build().is_err());
    assert!(base.copy_with().path("/a#b").build().is_err());
    assert!(base.copy_with().query(Some("a#b")).build().is_err());
    assert!(base.copy_with().raw_path("/a?b#c").build().is_err());
    // A path that looks like an authority stays a path, for every parser after us.
    for path in ["//evil.com/x", "/\\evil.com", "//evil.com:80@good.com"] {
        let u = base.copy_with().path(path).build().unwrap();
        hosts_agree(&u, "good.com");
    }
    // Userinfo is encoded, never read as an authority.
    let u = base
        .copy_with()
        .username("evil.com/x?")
        .password("p@ss:word#")
        .build()
        .unwrap();
    hosts_agree(&u, "good.com");
    assert_eq!(u.username(), "evil.com/x?");
    assert_eq!(u.password().as_deref(), Some("p@ss:word#"));
    assert_eq!(u.userinfo(), "evil.com%2Fx%3F:p%40ss%3Aword%23");
    // The changes apply one by one: a valid host change plus a bad path still fails
    // as a whole, leaving no half-changed URL behind.
    assert!(base
        .copy_with()
        .host("other.com")
        .path("x")
        .build()
        .is_err());
    assert_eq!(base.as_str(), "https://good.com/path?t=w#tw");
}

mod security_u1_base_url_cannot_change_host {
    use super::*;

    dual_test! {
        fn security_u1_base_url_cannot_change_host() {
            let client = builder!()
                .transport(MockTransport::new(common::echo))
                .base_url("https://api.example.com/v1")
                .build()?;
            // (reference, expected URL): every relative reference stays on the base's host.
            let cases = [
                // httpx: "//evil.com/x" -> /v1/x (it drops the network-path host); here: the
                // text is appended as a path, so nothing is dropped silently.
                ("//evil.com/x", "https://api.example.com/v1/evil.com/x"),
                ("@evil.com/x", "https://api.example.com/v1/@evil.com/x"),
                ("x@//evil.com", "https://api.example.com/v1/x@//evil.com"),
                // httpx: the backslashes stay; here: WHATWG makes them slashes, as a browser
                // does. The host is the base's either way.
                ("\\\\evil.com\\x", "https://api.example.com/v1///evil.com/x"),
                ("/\\evil.com", "https://api.example.com/v1//evil.com"),
                // Dot segments may climb out of the base path (as in httpx), never off the host.
                ("..//evil.com", "https://api.example.com//evil.com"),
                ("../../../evil.com", "https://api.example.com/evil.com"),
                ("%2F%2Fevil.com", "https://api.example.com/v1/%2F%2Fevil.com"),
            ];
            for (reference, expected) in cases {
                let response = send!(client.get(reference))?;
                let request_url = response.request().expect("request").url().clone();
                assert_eq!(request_url.as_str(), expected, "{reference:?}");
                hosts_agree(&request_url, "api.example.com");
                let body: serde_json::Value = response.json()?;
                assert_eq!(body["url"], expected, "{reference:?}");
            }
            // An absolute URL does override the base (httpx semantics). WHATWG's slash-less
            // form "http:evil.com" has no authority, so it is appended to the base, as httpx
            // does: a reference never leaves the base host without a "//".
            let response = send!(client.get("https://other.org/x"))?;
            assert_eq!(response.request().unwrap().url().as_str(), "https://other.org/x");
            let response = send!(client.get("http:evil.com"))?;
            assert_eq!(
                response.request().unwrap().url().as_str(),
                "https://api.example.com/v1/http:evil.com"
            );
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// SECURITY.md U2: base_url joining with httpx's semantics
// ---------------------------------------------------------------------------------

mod security_u2_base_url_joining {
    use super::*;

    dual_test! {
        fn security_u2_base_url_joining() {
            for base in ["https://api.example.org/v1", "https://api.example.org/v1/"] {
                let client = builder!()
                    .transport(MockTransport::new(common::echo))
                    .base_url(base)
                    .build()?;
                // The base always ends in "/".
                assert_eq!(client.base_url().map(Url::as_str), Some("https://api.example.org/v1/"));
                let cases = [
                    ("items", "https://api.example.org/v1/items"),
                    // A leading "/" does not reset to the root.
                    ("/items", "https://api.example.org/v1/items"),
                    ("", "https://api.example.org/v1/"),
                    ("?page=2", "https://api.example.org/v1/?page=2"),
                    // The fragment is not sent.
                    ("#frag", "https://api.example.org/v1/"),
                    ("items?x=1#f", "https://api.example.org/v1/items?x=1"),
                    ("a b/ü", "https://api.example.org/v1/a%20b/%C3%BC"),
                    // An absolute URL overrides the base.
                    ("https://other.org/x", "https://other.org/x"),
                    ("http://api.example.org:8080/", "http://api.example.org:8080/"),
                ];
                for (reference, expected) in cases {
                    let response = send!(client.get(reference))?;
                    let body: serde_json::Value = response.json()?;
                    assert_eq!(body["url"], expected, "{base} + {reference:?}");
                }
                // A Url value is absolute and used as it is.
                let response = send!(client.get(url("https://elsewhere.org/y")))?;
                let body: serde_json::Value = response.json()?;
                assert_eq!(body["url"], "https://elsewhere.org/y");
                // Request params merge over the reference's query.
                let response = send!(client.get("items?a=1&b=2").query([("b", "3")]))?;
                let body: serde_json::Value = response.json()?;
                assert_eq!(body["url"], "https://api.example.org/v1/items?a=1&b=3");
            }
            // The base's own query is kept when the reference has none.
            let client = builder!()
                .transport(MockTransport::new(common::echo))
                .base_url("https://api.example.org/")
                .build()?;
            let response = send!(client.get("/"))?;
            assert_eq!(response.json::<serde_json::Value>()?["url"], "https://api.example.org/");
            // An invalid base_url fails the build.
            let err = builder!().base_url("https://exa mple.org/").build().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl);
            Ok(())
        }
    }
}
