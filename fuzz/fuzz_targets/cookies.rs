//! `Set-Cookie` lines into a jar from a request URL, then the `Cookie` header for
//! another URL. Line 1: the request host and path, line 2: the later request's; the
//! rest: Set-Cookie values. The jar never holds a cookie RFC 6265 would ignore in a
//! way that breaks a request: the Cookie header is always a valid header value.
#![no_main]

use httpx::{Cookies, Headers, Url};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_800_000_000;

fn url(secure: bool, rest: &str) -> Option<Url> {
    Url::parse(&format!(
        "{}://{rest}",
        if secure { "https" } else { "http" }
    ))
    .ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let mut lines = input.split('\n');
    let (Some(from), Some(to)) = (
        url(flags & 1 != 0, lines.next().unwrap_or("")),
        url(flags & 2 != 0, lines.next().unwrap_or("")),
    ) else {
        return;
    };
    let mut jar = Cookies::new();
    let mut headers = Headers::new();
    for line in lines {
        if flags & 4 != 0 {
            jar.set_cookie_line(&from, line, NOW);
        } else {
            let _ = headers.append("Set-Cookie", line);
        }
    }
    if flags & 4 == 0 {
        jar.extract_from_response(&from, &headers);
    }
    for cookie in jar.iter() {
        assert!(!cookie.name().is_empty());
        for part in [
            cookie.name(),
            cookie.value(),
            cookie.domain(),
            cookie.path(),
        ] {
            assert!(
                !part.contains(|c: char| c.is_ascii_control() && c != '\t'),
                "{cookie:?}"
            );
        }
        assert!(cookie.path().starts_with('/'), "{cookie:?}");
    }
    for target in [&from, &to] {
        if let Some(header) = jar.cookie_header_at(target, NOW) {
            let mut request = Headers::new();
            request
                .insert("Cookie", &header)
                .unwrap_or_else(|e| panic!("Cookie {header:?}: {e}"));
        }
    }
    let _ = jar.cookie_header(&to);
});
