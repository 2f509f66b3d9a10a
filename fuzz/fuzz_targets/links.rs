//! `Response::links`: the `Link` header parsed from any valid header value(s).
#![no_main]

use httpx::Response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut builder = Response::builder(200);
    for value in data.split(|&b| b == b'\n') {
        builder = builder.header("Link", value);
    }
    let Ok(response) = builder.build() else {
        return;
    };
    for (key, link) in response.links() {
        assert!(!key.is_empty() || link.get("url").is_some_and(str::is_empty));
        let _ = (link.rel(), link.get("url"), link.get("rel"));
    }
});
