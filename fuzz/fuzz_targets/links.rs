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
        // httpx's key: a non-empty `rel`, else the URL.
        let rel = link.params.iter().find(|(name, _)| name == "rel");
        match rel {
            Some((_, rel)) if !rel.is_empty() => assert_eq!(&key, rel),
            _ => assert_eq!(key, link.url),
        }
        let _ = (link.rel(), link.get("url"), link.get("rel"));
    }
});
