//! httpx's `tests/models/test_responses.py`, and the response-JSON tests of
//! `tests/test_utils.py` (`test_encoded`, `test_bad_utf_like_encoding`,
//! `test_guess_by_bom`): text and encoding detection, the sync and async iterators
//! with chunk sizes, read/close semantics and the stream errors, JSON, links, elapsed,
//! and decoding across chunk boundaries.
//!
//! httpx builds a response with `httpx.Response(200, content=...)`; here
//! `Response::builder(200).content(...)`, `.stream(iter)` (a sync generator) or
//! `.async_stream(stream)` (an async generator).
//!
//! Skipped, with the reason:
//! - `test_json_with_options` (`json(parse_int=str)`): Python's `json.loads` keyword
//!   arguments; here the serde type chosen for `json::<T>()` decides the representation.
//! - `test_response_picklable`, `test_response_async_streaming_picklable`: pickling is
//!   Python-only, and a `Response` is not `Clone` (its body may be a live stream).
//! - test_utils.py's logging, `get_environment_proxies` and URL-pattern tests: logging
//!   of requests is checked with the client tests; environment proxies need a proxy
//!   transport; `URLPattern` matching and priority are unit-tested in
//!   `src/transport/mounts.rs` (httpx's `test_url_matches` table and priority order).
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use httpx::config::DefaultEncoding;
use httpx::{Error, ErrorKind, Headers, Method, MockTransport, Request, Response, StatusCode, Url};

fn streaming(chunks: &[&'static [u8]]) -> Response {
    let items: Vec<httpx::Result<&'static [u8]>> = chunks.iter().map(|c| Ok(*c)).collect();
    Response::builder(200).stream(items).build().unwrap()
}

fn async_streaming(chunks: &[&'static [u8]]) -> Response {
    let items: Vec<httpx::Result<&'static [u8]>> = chunks.iter().map(|c| Ok(*c)).collect();
    Response::builder(200)
        .async_stream(futures_util::stream::iter(items))
        .build()
        .unwrap()
}

/// httpx's `streaming_body()` generator: b"Hello, ", b"world!".
fn streaming_body() -> Response {
    streaming(&[b"Hello, ", b"world!"])
}

/// httpx's `async_streaming_body()`.
fn async_streaming_body() -> Response {
    async_streaming(&[b"Hello, ", b"world!"])
}

fn content(bytes: impl Into<Bytes>) -> Response {
    Response::builder(200).content(bytes).build().unwrap()
}

fn with_content_type(content_type: &str, bytes: impl Into<Bytes>) -> Response {
    Response::builder(200)
        .header("Content-Type", content_type)
        .content(bytes)
        .build()
        .unwrap()
}

fn headers<const N: usize>(pairs: [(&str, &str); N]) -> Headers {
    Headers::from_pairs(pairs).unwrap()
}

fn collect_bytes(iter: impl Iterator<Item = httpx::Result<Bytes>>) -> Vec<Bytes> {
    iter.collect::<httpx::Result<Vec<_>>>().expect("no error")
}

fn byte_parts(parts: &[&str]) -> Vec<Bytes> {
    parts
        .iter()
        .map(|p| Bytes::copy_from_slice(p.as_bytes()))
        .collect()
}

// ---------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------

#[test]
fn test_response() {
    let mut response = content("Hello, world!");
    response.set_request(Request::new(
        Method::GET,
        Url::parse("https://example.org").unwrap(),
    ));
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.text().unwrap(), "Hello, world!");
    let request = response.request().expect("request");
    assert_eq!(request.method(), "GET");
    // httpx: "https://example.org"; here: WHATWG's "/" for the empty path.
    assert_eq!(request.url().as_str(), "https://example.org/");
    assert_eq!(
        response.url().map(Url::as_str),
        Some("https://example.org/")
    );
    assert!(!response.is_error());
}

#[test]
fn test_response_content() {
    let response = content("Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert_eq!(response.headers(), &headers([("Content-Length", "13")]));
}

#[test]
fn test_response_text() {
    let response = Response::builder(200)
        .text("Hello, world!")
        .build()
        .unwrap();
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert_eq!(
        response.headers(),
        &headers([
            ("Content-Length", "13"),
            ("Content-Type", "text/plain; charset=utf-8")
        ])
    );
}

#[test]
fn test_response_html() {
    let response = Response::builder(200)
        .html("<html><body>Hello, world!</html></body>")
        .build()
        .unwrap();
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(
        response.text().unwrap(),
        "<html><body>Hello, world!</html></body>"
    );
    assert_eq!(
        response.headers(),
        &headers([
            ("Content-Length", "39"),
            ("Content-Type", "text/html; charset=utf-8")
        ])
    );
}

#[test]
fn test_response_json() {
    let response = Response::builder(200)
        .json(&serde_json::json!({"hello": "world"}))
        .build()
        .unwrap();
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    let value: serde_json::Value = response.json().unwrap();
    assert_eq!(value, serde_json::json!({"hello": "world"}));
    assert_eq!(response.text().unwrap(), r#"{"hello":"world"}"#);
    assert_eq!(
        response.headers(),
        &headers([
            ("Content-Length", "17"),
            ("Content-Type", "application/json")
        ])
    );
}

#[test]
fn test_raise_for_status() {
    let request = || Request::new(Method::GET, Url::parse("https://example.org").unwrap());
    let with_request = |status: u16, location: Option<&str>| {
        let mut builder = Response::builder(status);
        if let Some(location) = location {
            builder = builder.header("location", location);
        }
        let mut response = builder.build().unwrap();
        response.set_request(request());
        response
    };

    // 2xx is not an error.
    let response = with_request(200, None).raise_for_status().unwrap();
    assert_eq!(response.status_code(), 200);

    // httpx's URLs here have no "/" after the host; ours have WHATWG's "/".
    let cases = [
        (
            101,
            None,
            "Informational response '101 Switching Protocols' for url 'https://example.org/'\n\
             For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/101",
        ),
        (
            303,
            Some("https://other.org"),
            "Redirect response '303 See Other' for url 'https://example.org/'\n\
             Redirect location: 'https://other.org'\n\
             For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/303",
        ),
        (
            403,
            None,
            "Client error '403 Forbidden' for url 'https://example.org/'\n\
             For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/403",
        ),
        (
            500,
            None,
            "Server error '500 Internal Server Error' for url 'https://example.org/'\n\
             For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/500",
        ),
    ];
    for (status, location, message) in cases {
        let response = with_request(status, location);
        match status {
            101 => assert!(response.is_informational()),
            303 => assert!(response.is_redirect()),
            403 => assert!(response.is_client_error() && response.is_error()),
            _ => assert!(response.is_server_error() && response.is_error()),
        }
        assert_eq!(response.check_status().unwrap_err().to_string(), message);
        let err = response.raise_for_status().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HttpStatus);
        assert!(err.is_status() && err.is_http() && !err.is_request());
        assert_eq!(err.to_string(), message);
        assert_eq!(err.status(), Some(StatusCode::from(status)));
        let details = err.status_error().expect("status details");
        assert_eq!(details.status, status);
        assert_eq!(
            err.request().map(|r| r.url.as_str()),
            Some("https://example.org/")
        );
    }

    // Without a request: httpx raises RuntimeError; here: InvalidState.
    let err = Response::new(200).raise_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
}

#[test]
fn test_response_repr() {
    assert_eq!(
        format!("{:?}", content("Hello, world!")),
        "<Response [200 OK]>"
    );
}

// ---------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------

#[test]
fn test_response_content_type_encoding() {
    let response = with_content_type("text-plain; charset=latin-1", &b"Latin 1: \xff"[..]);
    assert_eq!(response.text().unwrap(), "Latin 1: ÿ");
    // httpx: "latin-1" (the label as given); here: the canonical WHATWG name, which is
    // what browsers decode "latin-1" as.
    assert_eq!(response.encoding(), "windows-1252");
    assert_eq!(response.charset_encoding().as_deref(), Some("latin-1"));
}

#[test]
fn test_response_default_to_utf8_encoding() {
    let response = content("おはようございます。");
    assert_eq!(response.text().unwrap(), "おはようございます。");
    assert_eq!(response.encoding(), "utf-8");
}

#[test]
fn test_response_fallback_to_utf8_encoding() {
    let response = with_content_type(
        "text-plain; charset=invalid-codec-name",
        "おはようございます。",
    );
    assert_eq!(response.text().unwrap(), "おはようございます。");
    assert_eq!(response.encoding(), "utf-8");
}

#[test]
fn test_response_no_charset_with_ascii_content() {
    let response = with_content_type("text/plain", "Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.encoding(), "utf-8");
    assert_eq!(response.text().unwrap(), "Hello, world!");
}

#[test]
fn test_response_no_charset_with_utf8_content() {
    let response = with_content_type("text/plain", "Unicode Snowman: ☃");
    assert_eq!(response.text().unwrap(), "Unicode Snowman: ☃");
    assert_eq!(response.encoding(), "utf-8");
}

/// httpx passes `chardet.detect` as `default_encoding`; here a detector function is a
/// client setting (`DefaultEncoding::Detect`), so these go through a client. This
/// stand-in detector answers `label` for bodies that are not UTF-8.
fn detector(label: &'static str) -> DefaultEncoding {
    DefaultEncoding::Detect(Arc::new(move |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .is_err()
            .then(|| label.to_string())
    }))
}

fn through_client(
    encoding: DefaultEncoding,
    content_type: Option<&'static str>,
    body: Vec<u8>,
) -> Response {
    let transport = MockTransport::new(move |_request| {
        let mut builder = Response::builder(200);
        if let Some(ct) = content_type {
            builder = builder.header("Content-Type", ct);
        }
        builder.content(body.clone()).build()
    });
    let client = httpx::Client::builder()
        .transport(transport)
        .default_encoding(encoding)
        .build()
        .unwrap();
    client.get("https://example.org/").send().unwrap()
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1 text"))
        .collect()
}

#[test]
fn test_response_no_charset_with_iso_8859_1_content() {
    let text = "Accented: Österreich abcdefghijklmnopqrstuzwxyz";
    let response = through_client(detector("ISO-8859-1"), Some("text/plain"), latin1(text));
    assert_eq!(response.text().unwrap(), text);
    assert_eq!(response.charset_encoding(), None);
}

#[test]
fn test_response_no_charset_with_cp_1252_content() {
    // "Euro Currency: € abc..." in cp1252: the euro sign is 0x80.
    let mut body = b"Euro Currency: ".to_vec();
    body.push(0x80);
    body.extend_from_slice(b" abcdefghijklmnopqrstuzwxyz");
    let response = through_client(detector("cp1252"), Some("text/plain"), body);
    assert_eq!(
        response.text().unwrap(),
        "Euro Currency: € abcdefghijklmnopqrstuzwxyz"
    );
    assert_eq!(response.charset_encoding(), None);
}

#[test]
fn test_response_non_text_encoding() {
    let response = with_content_type("image/png", "xyz");
    assert_eq!(response.text().unwrap(), "xyz");
    assert_eq!(response.encoding(), "utf-8");
}

#[test]
fn test_response_set_explicit_encoding() {
    // A deliberately wrong charset in the header.
    let mut response = with_content_type("text-plain; charset=utf-8", &b"Latin 1: \xff"[..]);
    response.set_encoding("latin-1").unwrap();
    assert_eq!(response.text().unwrap(), "Latin 1: ÿ");
    // httpx: "latin-1"; here: the canonical name (see above).
    assert_eq!(response.encoding(), "windows-1252");
}

#[test]
fn test_response_force_encoding() {
    let mut response = content("Snowman: ☃");
    response.set_encoding("iso-8859-1").unwrap();
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    // httpx: Python's iso-8859-1 gives "Snowman: â\x98\x83"; here: the WHATWG label
    // "iso-8859-1" is windows-1252, as in browsers, where 0x98 and 0x83 are ˜ and ƒ.
    assert_eq!(response.text().unwrap(), "Snowman: â˜ƒ");
    assert_eq!(response.encoding(), "windows-1252");
}

#[test]
fn test_response_force_encoding_after_text_accessed() {
    let mut response = content("Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert_eq!(response.encoding(), "utf-8");
    // httpx: ValueError; here: InvalidState.
    for label in ["UTF8", "iso-8859-1"] {
        let err = response.set_encoding(label).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState, "{label}");
    }
    assert_eq!(response.encoding(), "utf-8");
}

#[test]
fn unknown_encoding_label_is_refused() {
    let mut response = content("abc");
    assert_eq!(
        response.set_encoding("no-such-codec").unwrap_err().kind(),
        ErrorKind::DecodingError
    );
    assert_eq!(response.encoding(), "utf-8");
}

#[test]
fn test_response_decode_text_using_autodetect() {
    let text = "Non-seulement Despréaux ne se trompait pas, mais de tous les écrivains \
                que la France a produits, sans excepter Voltaire lui-même, imprégné de \
                l'esprit anglais par son séjour à Londres, c'est incontestablement \
                Molière ou Poquelin qui reproduit avec l'exactitude la plus vive et la \
                plus complète le fond du génie français.";
    let response = through_client(detector("ISO-8859-1"), None, latin1(text));
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    // httpx: "ISO-8859-1" (chardet's answer); here: its WHATWG decoder's name.
    assert_eq!(response.encoding(), "windows-1252");
    assert_eq!(response.text().unwrap(), text);
}

#[test]
fn test_response_decode_text_using_explicit_encoding() {
    let text = "Non-seulement Despréaux ne se trompait pas, mais de tous les écrivains \
                que la France a produits, sans excepter Voltaire lui-même, imprégné de \
                l'esprit anglais par son séjour à Londres, c'est incontestablement \
                Molière ou Poquelin qui reproduit avec l'exactitude la plus vive et la \
                plus complète le fond du génie français.";
    // Every character of this text is in Latin-1, and cp1252 agrees with it there.
    let response = through_client(DefaultEncoding::from("cp1252"), None, latin1(text));
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    // httpx: "cp1252"; here: the canonical name of the same encoding.
    assert_eq!(response.encoding(), "windows-1252");
    assert_eq!(response.text().unwrap(), text);
    // The Content-Type charset wins over the default encoding.
    let response = through_client(
        DefaultEncoding::from("cp1252"),
        Some("text/plain; charset=utf-8"),
        "é".into(),
    );
    assert_eq!(response.text().unwrap(), "é");
}

// ---------------------------------------------------------------------------------
// read / aread
// ---------------------------------------------------------------------------------

#[test]
fn test_read() {
    let mut response = content("Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert_eq!(response.encoding(), "utf-8");
    assert!(response.is_closed());

    assert_eq!(response.read().unwrap().as_ref(), b"Hello, world!");
    assert_eq!(response.content().unwrap().as_ref(), b"Hello, world!");
    assert!(response.is_closed());
}

#[test]
fn test_empty_read() {
    let mut response = Response::new(200);
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.text().unwrap(), "");
    assert_eq!(response.encoding(), "utf-8");
    assert!(response.is_closed());

    assert_eq!(response.read().unwrap().as_ref(), b"");
    assert_eq!(response.content().unwrap().as_ref(), b"");
    assert!(response.is_closed());
}

#[tokio::test]
async fn test_aread() {
    let mut response = content("Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert_eq!(response.encoding(), "utf-8");
    assert!(response.is_closed());

    assert_eq!(response.aread().await.unwrap().as_ref(), b"Hello, world!");
    assert_eq!(response.content().unwrap().as_ref(), b"Hello, world!");
    assert!(response.is_closed());
}

#[tokio::test]
async fn test_empty_aread() {
    let mut response = Response::new(200);
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.text().unwrap(), "");
    assert_eq!(response.encoding(), "utf-8");
    assert!(response.is_closed());

    assert_eq!(response.aread().await.unwrap().as_ref(), b"");
    assert_eq!(response.content().unwrap().as_ref(), b"");
    assert!(response.is_closed());
}

// ---------------------------------------------------------------------------------
// iter_raw / aiter_raw
// ---------------------------------------------------------------------------------

#[test]
fn test_iter_raw() {
    let mut response = streaming_body();
    let raw: Vec<u8> = collect_bytes(response.iter_raw()).concat();
    assert_eq!(raw, b"Hello, world!");
}

#[test]
fn test_iter_raw_with_chunksize() {
    let cases: [(usize, &[&str]); 4] = [
        (5, &["Hello", ", wor", "ld!"]),
        (7, &["Hello, ", "world!"]),
        (13, &["Hello, world!"]),
        (20, &["Hello, world!"]),
    ];
    for (size, expected) in cases {
        let mut response = streaming_body();
        assert_eq!(
            collect_bytes(response.iter_raw_chunked(Some(size))),
            byte_parts(expected),
            "{size}"
        );
    }
}

#[test]
fn test_iter_raw_doesnt_return_empty_chunks() {
    let mut response = streaming(&[b"Hello, ", b"", b"world!", b""]);
    assert_eq!(
        collect_bytes(response.iter_raw()),
        byte_parts(&["Hello, ", "world!"])
    );
}

#[test]
fn test_iter_raw_on_iterable() {
    // httpx distinguishes a generator from an iterable class; here any IntoIterator.
    struct StreamingBody;
    impl IntoIterator for StreamingBody {
        type Item = httpx::Result<&'static str>;
        type IntoIter = std::vec::IntoIter<httpx::Result<&'static str>>;
        fn into_iter(self) -> Self::IntoIter {
            vec![Ok("Hello, "), Ok("world!")].into_iter()
        }
    }
    let mut response = Response::builder(200)
        .stream(StreamingBody)
        .build()
        .unwrap();
    assert_eq!(
        collect_bytes(response.iter_raw()).concat(),
        b"Hello, world!"
    );
}

#[test]
fn test_iter_raw_on_async() {
    let mut response = async_streaming_body();
    // httpx: RuntimeError; here: InvalidState, and the stream is left for aiter_raw().
    let err = response
        .iter_raw()
        .collect::<httpx::Result<Vec<_>>>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(!response.is_stream_consumed());
}

#[tokio::test]
async fn test_close_on_async() {
    let mut response = async_streaming_body();
    // httpx: close() on an async stream raises RuntimeError; here: closing needs no
    // I/O, so close() works on any response; the body is then gone.
    response.close();
    assert!(response.is_closed());
    assert_eq!(
        response.aread().await.unwrap_err().kind(),
        ErrorKind::StreamClosed
    );
}

#[test]
fn test_iter_raw_increments_updates_counter() {
    // httpx reads the counter between parts; here the iterator borrows the response,
    // so the parts' lengths are summed and compared once the iteration ends.
    let mut response = streaming_body();
    assert_eq!(response.num_bytes_downloaded(), 0);
    let lengths: Vec<u64> = collect_bytes(response.iter_raw())
        .iter()
        .map(|p| p.len() as u64)
        .collect();
    assert_eq!(lengths, vec![7, 6]);
    assert_eq!(response.num_bytes_downloaded(), 13);
    // The counter counts raw bytes received, whatever the chunk size given.
    let mut response = streaming_body();
    assert_eq!(collect_bytes(response.iter_raw_chunked(Some(5))).len(), 3);
    assert_eq!(response.num_bytes_downloaded(), 13);
}

#[tokio::test]
async fn test_aiter_raw() {
    let mut response = async_streaming_body();
    let raw = common::collect_stream(response.aiter_raw())
        .await
        .unwrap()
        .concat();
    assert_eq!(raw, b"Hello, world!");
}

#[tokio::test]
async fn test_aiter_raw_with_chunksize() {
    let cases: [(usize, &[&str]); 3] = [
        (5, &["Hello", ", wor", "ld!"]),
        (13, &["Hello, world!"]),
        (20, &["Hello, world!"]),
    ];
    for (size, expected) in cases {
        let mut response = async_streaming_body();
        let parts = common::collect_stream(response.aiter_raw_chunked(Some(size)))
            .await
            .unwrap();
        assert_eq!(parts, byte_parts(expected), "{size}");
    }
}

#[tokio::test]
async fn test_aiter_raw_on_sync() {
    let mut response = streaming_body();
    // httpx: RuntimeError; here: a blocking iterator is polled inline by the async
    // iterators (it does no I/O of its own), so this works.
    let raw = common::collect_stream(response.aiter_raw())
        .await
        .unwrap()
        .concat();
    assert_eq!(raw, b"Hello, world!");
}

#[tokio::test]
async fn test_aclose_on_sync() {
    let mut response = streaming_body();
    // httpx: RuntimeError; here: aclose() works on any response (see test_close_on_async).
    response.aclose().await;
    assert!(response.is_closed());
    assert_eq!(response.read().unwrap_err().kind(), ErrorKind::StreamClosed);
}

#[tokio::test]
async fn test_aiter_raw_increments_updates_counter() {
    let mut response = async_streaming_body();
    assert_eq!(response.num_bytes_downloaded(), 0);
    let mut lengths = Vec::new();
    {
        let mut stream = response.aiter_raw();
        while let Some(part) = stream.next().await {
            lengths.push(part.unwrap().len() as u64);
        }
    }
    assert_eq!(lengths, vec![7, 6]);
    assert_eq!(response.num_bytes_downloaded(), 13);
}

// ---------------------------------------------------------------------------------
// iter_bytes / aiter_bytes
// ---------------------------------------------------------------------------------

#[test]
fn test_iter_bytes() {
    let mut response = content("Hello, world!");
    assert_eq!(
        collect_bytes(response.iter_bytes()).concat(),
        b"Hello, world!"
    );
}

#[test]
fn test_iter_bytes_with_chunk_size() {
    let cases: [(usize, &[&str]); 3] = [
        (5, &["Hello", ", wor", "ld!"]),
        (13, &["Hello, world!"]),
        (20, &["Hello, world!"]),
    ];
    for (size, expected) in cases {
        let mut response = streaming_body();
        assert_eq!(
            collect_bytes(response.iter_bytes_chunked(Some(size))),
            byte_parts(expected),
            "{size}"
        );
        // The same on content already read.
        let mut response = content("Hello, world!");
        assert_eq!(
            collect_bytes(response.iter_bytes_chunked(Some(size))),
            byte_parts(expected),
            "{size}"
        );
    }
}

#[test]
fn test_iter_bytes_with_empty_response() {
    let mut response = content("");
    assert!(collect_bytes(response.iter_bytes()).is_empty());
}

#[test]
fn test_iter_bytes_doesnt_return_empty_chunks() {
    let mut response = streaming(&[b"Hello, ", b"", b"world!", b""]);
    assert_eq!(
        collect_bytes(response.iter_bytes()),
        byte_parts(&["Hello, ", "world!"])
    );
}

#[tokio::test]
async fn test_aiter_bytes() {
    let mut response = content("Hello, world!");
    let parts = common::collect_stream(response.aiter_bytes())
        .await
        .unwrap();
    assert_eq!(parts.concat(), b"Hello, world!");
}

#[tokio::test]
async fn test_aiter_bytes_with_chunk_size() {
    let cases: [(usize, &[&str]); 3] = [
        (5, &["Hello", ", wor", "ld!"]),
        (13, &["Hello, world!"]),
        (20, &["Hello, world!"]),
    ];
    for (size, expected) in cases {
        let mut response = async_streaming_body();
        let parts = common::collect_stream(response.aiter_bytes_chunked(Some(size)))
            .await
            .unwrap();
        assert_eq!(parts, byte_parts(expected), "{size}");
    }
}

// ---------------------------------------------------------------------------------
// iter_text / aiter_text / iter_lines / aiter_lines
// ---------------------------------------------------------------------------------

#[test]
fn test_iter_text() {
    let mut response = content("Hello, world!");
    let text: String = response.iter_text().map(Result::unwrap).collect();
    assert_eq!(text, "Hello, world!");
}

#[test]
fn test_iter_text_with_chunk_size() {
    let cases: [(&str, usize, &[&str]); 5] = [
        ("Hello, world!", 5, &["Hello", ", wor", "ld!"]),
        ("Hello, world!!", 7, &["Hello, ", "world!!"]),
        ("Hello, world!", 7, &["Hello, ", "world!"]),
        ("Hello, world!", 13, &["Hello, world!"]),
        ("Hello, world!", 20, &["Hello, world!"]),
    ];
    for (body, size, expected) in cases {
        let mut response = content(body);
        let parts: Vec<String> = response
            .iter_text_chunked(Some(size))
            .map(Result::unwrap)
            .collect();
        assert_eq!(parts, expected, "{body} {size}");
    }
}

#[tokio::test]
async fn test_aiter_text() {
    let mut response = content("Hello, world!");
    let parts = common::collect_stream(response.aiter_text()).await.unwrap();
    assert_eq!(parts.concat(), "Hello, world!");
}

#[tokio::test]
async fn test_aiter_text_with_chunk_size() {
    let cases: [(usize, &[&str]); 3] = [
        (5, &["Hello", ", wor", "ld!"]),
        (13, &["Hello, world!"]),
        (20, &["Hello, world!"]),
    ];
    for (size, expected) in cases {
        let mut response = content("Hello, world!");
        let parts = common::collect_stream(response.aiter_text_chunked(Some(size)))
            .await
            .unwrap();
        assert_eq!(parts, expected, "{size}");
    }
}

#[test]
fn test_iter_lines() {
    let mut response = content("Hello,\nworld!");
    let lines: Vec<String> = response.iter_lines().map(Result::unwrap).collect();
    assert_eq!(lines, vec!["Hello,", "world!"]);
}

#[tokio::test]
async fn test_aiter_lines() {
    let mut response = content("Hello,\nworld!");
    let lines = common::collect_stream(response.aiter_lines())
        .await
        .unwrap();
    assert_eq!(lines, vec!["Hello,", "world!"]);
}

// ---------------------------------------------------------------------------------
// Streaming read / close semantics
// ---------------------------------------------------------------------------------

#[test]
fn test_sync_streaming_response() {
    let mut response = streaming_body();
    assert_eq!(response.status_code(), 200);
    assert!(!response.is_closed());
    assert_eq!(
        response.content().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );

    assert_eq!(response.read().unwrap().as_ref(), b"Hello, world!");
    assert_eq!(response.content().unwrap().as_ref(), b"Hello, world!");
    assert!(response.is_closed());
}

#[tokio::test]
async fn test_async_streaming_response() {
    let mut response = async_streaming_body();
    assert_eq!(response.status_code(), 200);
    assert!(!response.is_closed());
    assert_eq!(
        response.text().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );

    assert_eq!(response.aread().await.unwrap().as_ref(), b"Hello, world!");
    assert_eq!(response.content().unwrap().as_ref(), b"Hello, world!");
    assert!(response.is_closed());
}

#[test]
fn test_cannot_read_after_stream_consumed() {
    let mut response = streaming_body();
    let content = collect_bytes(response.iter_bytes()).concat();
    assert_eq!(content, b"Hello, world!");
    let err = response.read().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamConsumed);
    assert!(err.is_stream());
    // Every other way to take the stream again fails the same way.
    assert_eq!(
        response.iter_raw().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    assert_eq!(
        response.iter_bytes().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    assert_eq!(
        response.iter_text().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    assert_eq!(
        response.iter_lines().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
}

#[tokio::test]
async fn test_cannot_aread_after_stream_consumed() {
    let mut response = async_streaming_body();
    let parts = common::collect_stream(response.aiter_bytes())
        .await
        .unwrap();
    assert_eq!(parts.concat(), b"Hello, world!");
    assert_eq!(
        response.aread().await.unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    let err = common::collect_stream(response.aiter_lines())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamConsumed);
}

#[test]
fn test_cannot_read_after_response_closed() {
    let mut response = streaming_body();
    response.close();
    let err = response.read().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamClosed);
    assert_eq!(
        response.iter_raw().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamClosed
    );
    assert_eq!(
        response.content().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );
}

#[tokio::test]
async fn test_cannot_aread_after_response_closed() {
    let mut response = async_streaming_body();
    response.aclose().await;
    assert_eq!(
        response.aread().await.unwrap_err().kind(),
        ErrorKind::StreamClosed
    );
    let err = common::collect_stream(response.aiter_text())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamClosed);
}

#[test]
fn iterating_a_read_response_replays_its_content() {
    // After read(), the iterators give the content again (httpx does the same), but the
    // raw stream is gone.
    let mut response = streaming_body();
    response.read().unwrap();
    assert_eq!(
        collect_bytes(response.iter_bytes()).concat(),
        b"Hello, world!"
    );
    let text: String = response.iter_text().map(Result::unwrap).collect();
    assert_eq!(text, "Hello, world!");
    assert_eq!(
        response.iter_raw().next().unwrap().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
}

#[tokio::test]
async fn test_elapsed_not_available_until_closed() {
    let response = async_streaming_body();
    // httpx: reading .elapsed raises RuntimeError; here: elapsed() is None.
    assert_eq!(response.elapsed(), None);
}

mod elapsed_through_a_client {
    use super::*;

    dual_test! {
        fn elapsed_is_set_when_the_body_is_read_or_closed() {
            let transport = MockTransport::new(|_request| {
                Response::builder(200).stream(vec![Ok::<_, Error>("a"), Ok("b")]).build()
            });
            let client = builder!().transport(transport).build()?;
            // A response from send() has its body read: elapsed is there.
            let response = send!(client.get("https://example.org/"))?;
            assert!(response.elapsed().is_some());
            // A streamed one gets it when it is read...
            let mut response = send!(client.stream("GET", "https://example.org/"))?;
            assert_eq!(response.elapsed(), None);
            assert_eq!(read!(response)?.as_ref(), b"ab");
            assert!(response.elapsed().is_some());
            // ...or closed.
            let mut response = send!(client.stream("GET", "https://example.org/"))?;
            assert_eq!(response.elapsed(), None);
            close!(response);
            assert!(response.elapsed().is_some());
            Ok(())
        }
    }
}

#[test]
fn test_unknown_status_code() {
    let response = Response::new(600);
    assert_eq!(response.status_code(), 600);
    assert_eq!(response.reason_phrase(), "");
    assert_eq!(response.text().unwrap(), "");
}

// ---------------------------------------------------------------------------------
// JSON (with test_utils.py's test_encoded, test_bad_utf_like_encoding, test_guess_by_bom)
// ---------------------------------------------------------------------------------

/// Encodes text as Python's codecs do (`str.encode(encoding)`), BOM included where
/// Python adds one.
fn encode(text: &str, encoding: &str) -> Vec<u8> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    let utf32: Vec<u32> = text.chars().map(u32::from).collect();
    match encoding {
        "utf-8" => text.as_bytes().to_vec(),
        "utf-8-sig" => [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat(),
        "utf-16" => [vec![0xff, 0xfe], encode(text, "utf-16-le")].concat(),
        "utf-16-le" => utf16.iter().flat_map(|u| u.to_le_bytes()).collect(),
        "utf-16-be" => utf16.iter().flat_map(|u| u.to_be_bytes()).collect(),
        "utf-32" => [vec![0xff, 0xfe, 0, 0], encode(text, "utf-32-le")].concat(),
        "utf-32-le" => utf32.iter().flat_map(|u| u.to_le_bytes()).collect(),
        "utf-32-be" => utf32.iter().flat_map(|u| u.to_be_bytes()).collect(),
        other => panic!("no encoder for {other}"),
    }
}

const JSON_ENCODINGS: [&str; 8] = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-be",
    "utf-16-le",
    "utf-32",
    "utf-32-be",
    "utf-32-le",
];

fn greeting() -> serde_json::Value {
    serde_json::json!({"greeting": "hello", "recipient": "world"})
}

#[test]
fn test_json_with_specified_encoding() {
    let body = encode(&greeting().to_string(), "utf-16");
    // A malformed Content-Type (a comma, not a ';'): httpx reads JSON by its bytes.
    let response = with_content_type("application/json, charset=utf-16", body);
    assert_eq!(response.json::<serde_json::Value>().unwrap(), greeting());
}

#[test]
fn test_json_without_specified_charset() {
    for encoding in JSON_ENCODINGS {
        let response = with_content_type(
            "application/json",
            encode(&greeting().to_string(), encoding),
        );
        let value: httpx::Result<serde_json::Value> = response.json();
        assert_eq!(value.ok(), Some(greeting()), "{encoding}");
    }
}

#[test]
fn test_json_with_specified_charset() {
    for encoding in JSON_ENCODINGS {
        let response = with_content_type(
            &format!("application/json; charset={encoding}"),
            encode(&greeting().to_string(), encoding),
        );
        let value: httpx::Result<serde_json::Value> = response.json();
        assert_eq!(value.ok(), Some(greeting()), "{encoding}");
    }
}

#[test]
fn test_encoded() {
    // test_utils.py: JSON in any UTF encoding, without a Content-Type.
    for encoding in [
        "utf-32",
        "utf-8-sig",
        "utf-16",
        "utf-8",
        "utf-16-be",
        "utf-16-le",
        "utf-32-be",
        "utf-32-le",
    ] {
        let response = content(encode(r#"{"abc": 123}"#, encoding));
        let value: httpx::Result<serde_json::Value> = response.json();
        assert_eq!(
            value.ok(),
            Some(serde_json::json!({"abc": 123})),
            "{encoding}"
        );
    }
}

#[test]
fn test_bad_utf_like_encoding() {
    let response = content(&b"\x00\x00\x00\x00"[..]);
    // httpx: json.JSONDecodeError; here: DecodingError.
    let err = response.json::<serde_json::Value>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
}

#[test]
fn test_guess_by_bom() {
    for encoding in ["utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"] {
        let response = content(encode("\u{feff}{\"abc\": 123}", encoding));
        let value: httpx::Result<serde_json::Value> = response.json();
        assert_eq!(
            value.ok(),
            Some(serde_json::json!({"abc": 123})),
            "{encoding}"
        );
    }
}

#[test]
fn json_errors() {
    let err = content("{not json")
        .json::<serde_json::Value>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
    assert!(err.is_request());
    let streamed = streaming_body();
    assert_eq!(
        streamed.json::<serde_json::Value>().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );
    // Typed JSON.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Greeting {
        greeting: String,
        recipient: String,
    }
    let response = Response::builder(200).json(&greeting()).build().unwrap();
    assert_eq!(
        response.json::<Greeting>().unwrap(),
        Greeting {
            greeting: "hello".into(),
            recipient: "world".into()
        }
    );
}

// ---------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------

#[test]
fn test_link_headers() {
    // (Link header, [(key, url, rel)])
    type Expected = Vec<(&'static str, &'static str, &'static str)>;
    let cases: [(&str, Expected); 2] = [
        (
            "<https://example.com>; rel='preload'",
            vec![("preload", "https://example.com", "preload")],
        ),
        (
            r#"</hub>; rel="hub", </resource>; rel="self""#,
            vec![("hub", "/hub", "hub"), ("self", "/resource", "self")],
        ),
    ];
    for (header, expected) in cases {
        let response = Response::builder(200)
            .header("Link", header)
            .build()
            .unwrap();
        let links = response.links();
        assert_eq!(links.len(), expected.len(), "{header}");
        for (key, url, rel) in expected {
            let link = &links[key];
            assert_eq!(link.url, url);
            assert_eq!(link.rel(), Some(rel));
            assert_eq!(link.params, vec![("rel".to_string(), rel.to_string())]);
        }
    }
}

// ---------------------------------------------------------------------------------
// Decoding errors
// ---------------------------------------------------------------------------------

#[test]
fn test_decode_error_with_request() {
    for coding in ["deflate", "gzip", "br"] {
        let err = Response::builder(200)
            .header("Content-Encoding", coding)
            .content(&b"xxxxxxxxxxxxxx"[..])
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        // The same body streamed, with a request: the error names it.
        let mut response = Response::builder(200)
            .header("Content-Encoding", coding)
            .stream(vec![Ok::<_, Error>(&b"xxxxxxxxxxxxxx"[..])])
            .build()
            .unwrap();
        response.set_request(Request::new(
            Method::GET,
            Url::parse("https://www.example.org/").unwrap(),
        ));
        let err = response.read().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        assert_eq!(
            err.request().map(|r| r.url.as_str()),
            Some("https://www.example.org/")
        );
    }
}

#[test]
fn test_value_error_without_request() {
    for coding in ["deflate", "gzip", "br"] {
        let mut response = Response::builder(200)
            .header("Content-Encoding", coding)
            .stream(vec![Ok::<_, Error>(&b"xxxxxxxxxxxxxx"[..])])
            .build()
            .unwrap();
        let err = response.read().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        assert!(err.request().is_none());
    }
}

// ---------------------------------------------------------------------------------
// The request of a response
// ---------------------------------------------------------------------------------

#[test]
fn test_response_with_unset_request() {
    let response = content("Hello, world!");
    assert_eq!(response.status_code(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.text().unwrap(), "Hello, world!");
    assert!(!response.is_error());
}

#[test]
fn test_set_request_after_init() {
    let mut response = content("Hello, world!");
    response.set_request(Request::new(
        Method::GET,
        Url::parse("https://www.example.org").unwrap(),
    ));
    let request = response.request().unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.url().as_str(), "https://www.example.org/");
}

#[test]
fn test_cannot_access_unset_request() {
    // httpx: RuntimeError; here: None.
    let response = content("Hello, world!");
    assert!(response.request().is_none());
    assert!(response.url().is_none());
}

#[test]
fn test_generator_with_transfer_encoding_header() {
    let response = Response::builder(200)
        .stream(vec![Ok::<_, Error>("test 123")])
        .build()
        .unwrap();
    assert_eq!(
        response.headers(),
        &headers([("Transfer-Encoding", "chunked")])
    );
}

#[test]
fn test_generator_with_content_length_header() {
    let response = Response::builder(200)
        .header("Content-Length", "8")
        .stream(vec![Ok::<_, Error>("test 123")])
        .build()
        .unwrap();
    assert_eq!(response.headers(), &headers([("Content-Length", "8")]));
}

// ---------------------------------------------------------------------------------
// Decoding at chunk boundaries
// ---------------------------------------------------------------------------------

#[test]
fn text_decoding_across_chunk_boundaries() {
    // "é" (c3 a9), "☃" (e2 98 83) and "🌟" (f0 9f 8c 9f) split across chunks.
    let chunks: &[&'static [u8]] = &[
        b"a\xc3",
        b"\xa9b\xe2",
        b"\x98",
        b"\x83\xf0\x9f",
        b"\x8c\x9f",
    ];
    let mut response = streaming(chunks);
    let text: String = response.iter_text().map(Result::unwrap).collect();
    assert_eq!(text, "aéb☃🌟");
    // Chunked by characters, not bytes.
    let mut response = streaming(chunks);
    let parts: Vec<String> = response
        .iter_text_chunked(Some(2))
        .map(Result::unwrap)
        .collect();
    assert_eq!(parts, vec!["aé", "b☃", "🌟"]);
    // A truncated character at the end is replaced, not dropped.
    let mut response = streaming(&[b"ok\xe2\x98"]);
    let text: String = response.iter_text().map(Result::unwrap).collect();
    assert_eq!(text, "ok\u{fffd}");
}

#[tokio::test]
async fn async_text_decoding_across_chunk_boundaries() {
    let chunks: &[&'static [u8]] = &[
        b"a\xc3",
        b"\xa9b\xe2",
        b"\x98",
        b"\x83\xf0\x9f",
        b"\x8c\x9f",
    ];
    let mut response = async_streaming(chunks);
    let text = common::collect_stream(response.aiter_text())
        .await
        .unwrap()
        .concat();
    assert_eq!(text, "aéb☃🌟");
    let mut response = async_streaming(chunks);
    let parts = common::collect_stream(response.aiter_text_chunked(Some(2)))
        .await
        .unwrap();
    assert_eq!(parts, vec!["aé", "b☃", "🌟"]);
}

#[test]
fn utf16_text_across_chunk_boundaries() {
    // A UTF-16 code unit split between chunks, and a surrogate pair split too.
    let body = encode("h☃🌟", "utf-16-le");
    let (a, rest) = body.split_at(1);
    let (b, c) = rest.split_at(4);
    let chunks: Vec<httpx::Result<Vec<u8>>> = vec![Ok(a.to_vec()), Ok(b.to_vec()), Ok(c.to_vec())];
    let mut response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=utf-16le")
        .stream(chunks)
        .build()
        .unwrap();
    let text: String = response.iter_text().map(Result::unwrap).collect();
    assert_eq!(text, "h☃🌟");
}

#[test]
fn lines_across_chunk_boundaries() {
    // "\r\n" split between chunks is one line break; "\r" alone is one too.
    let mut response = streaming(&[b"one\r", b"\ntwo\rthree\n", b"\nfour"]);
    let lines: Vec<String> = response.iter_lines().map(Result::unwrap).collect();
    assert_eq!(lines, vec!["one", "two", "three", "", "four"]);
}

#[tokio::test]
async fn async_lines_across_chunk_boundaries() {
    let mut response = async_streaming(&[
        b"one\r",
        b"\ntwo\rthree\n",
        b"\nfour",
        b"\xe2\x98",
        b"\x83\n",
    ]);
    let lines = common::collect_stream(response.aiter_lines())
        .await
        .unwrap();
    assert_eq!(lines, vec!["one", "two", "three", "", "four☃"]);
}

#[test]
fn gzip_across_chunk_boundaries() {
    use std::io::Write;
    let text = "Hello, gzip world! ".repeat(100);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let compressed = gz.finish().unwrap();
    // One byte per chunk: the header, the deflate stream and the trailer are all split.
    let chunks =
        || -> Vec<httpx::Result<Vec<u8>>> { compressed.iter().map(|b| Ok(vec![*b])).collect() };
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .stream(chunks())
        .build()
        .unwrap();
    assert_eq!(response.read().unwrap().as_ref(), text.as_bytes());
    assert_eq!(response.num_bytes_downloaded(), compressed.len() as u64);
    // Raw bytes are the compressed ones.
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .stream(chunks())
        .build()
        .unwrap();
    assert_eq!(collect_bytes(response.iter_raw()).concat(), compressed);
    // Re-chunked decoded bytes.
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .stream(chunks())
        .build()
        .unwrap();
    let parts = collect_bytes(response.iter_bytes_chunked(Some(64)));
    assert!(parts[..parts.len() - 1].iter().all(|p| p.len() == 64));
    assert_eq!(parts.concat(), text.as_bytes());
}

#[tokio::test]
async fn async_gzip_across_chunk_boundaries() {
    use std::io::Write;
    let text = "Hello, async gzip! ".repeat(50);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let compressed = gz.finish().unwrap();
    let chunks: Vec<httpx::Result<Vec<u8>>> =
        compressed.chunks(3).map(|c| Ok(c.to_vec())).collect();
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .async_stream(futures_util::stream::iter(chunks))
        .build()
        .unwrap();
    let lines = common::collect_stream(response.aiter_text())
        .await
        .unwrap()
        .concat();
    assert_eq!(lines, text);
}
