//! `Url::join`, `copy_with` and the `copy_*_param` family on parsed URLs. Lines of
//! the input: a base URL, a reference to join, then values for the setters.
#![no_main]

use httpx::{QueryParams, Url};
use libfuzzer_sys::fuzz_target;

fn check(url: &Url) {
    let again = Url::parse(url.as_str()).expect("a built URL parses again");
    assert_eq!(again.as_str(), url.as_str());
    let _ = (
        url.host(),
        url.path(),
        url.raw_path(),
        url.params(),
        url.netloc(),
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = input.split('\n');
    let Ok(base) = Url::parse(lines.next().unwrap_or("")) else {
        return;
    };
    if let Ok(joined) = base.join(lines.next().unwrap_or("")) {
        check(&joined);
    }
    let mut next = || lines.next().unwrap_or("");
    let (op, a, b) = (next(), next(), next());
    let built = match op.bytes().next().unwrap_or(0) % 10 {
        0 => base.copy_with().scheme(a).build(),
        1 => base.copy_with().host(a).port(b.parse().ok()).build(),
        2 => base.copy_with().username(a).password(b).build(),
        3 => base.copy_with().path(a).query(Some(b)).build(),
        4 => base.copy_with().raw_path(a).fragment(Some(b)).build(),
        5 => base
            .copy_with()
            .params(QueryParams::parse(a))
            .no_password()
            .build(),
        6 => Ok(base.copy_set_param(a, b)),
        7 => Ok(base.copy_add_param(a, b)),
        8 => Ok(base.copy_remove_param(a)),
        _ => Ok(base.copy_merge_params(QueryParams::parse(a))),
    };
    if let Ok(url) = built {
        check(&url);
    }
});
