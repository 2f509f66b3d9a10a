//! `Url::parse` against the `url` crate's WHATWG parser, outside the deviations the
//! `httpx::url` docs list (control characters, empty hosts of special schemes, URLs
//! over 64 KiB are refused): the same URL, and every accessor works on it.
#![no_main]

use httpx::Url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let ours = Url::parse(input);
    let reference = url::Url::parse(input);
    match (&ours, &reference) {
        (Ok(u), Ok(r)) => assert_eq!(u.as_str(), r.as_str()),
        (Ok(u), Err(e)) => panic!("httpx parses {input:?} as {u}, url fails: {e}"),
        (Err(e), Ok(r)) => {
            let documented = input.len() > 65536
                || input.chars().any(|c| c.is_ascii_control())
                || (r.is_special() && r.host_str().is_none_or(str::is_empty));
            assert!(documented, "httpx refuses {input:?} ({e}), url parses {r}");
        }
        (Err(_), Err(_)) => {}
    }
    let Ok(url) = ours else {
        return;
    };
    let _ = (
        url.host(),
        url.raw_host(),
        url.port(),
        url.port_or_default(),
        url.netloc(),
    );
    let _ = (
        url.userinfo(),
        url.username(),
        url.password(),
        url.path(),
        url.query(),
    );
    let _ = (
        url.raw_path(),
        url.fragment(),
        url.is_secure(),
        url.origin(),
    );
    let _ = url.without_userinfo();
    let params = url.params();
    let _ = params.to_string();
    let again = Url::parse(url.as_str()).expect("a parsed URL parses again");
    assert_eq!(again, url, "serialising and parsing again changed the URL");
});
