//! Mirrors httpx's `tests/test_content.py`: request and response bodies (bytes, text,
//! blocking iterators and readers, async streams, JSON, urlencoded forms, multipart),
//! and the `Content-Length` / `Transfer-Encoding: chunked` framing headers httpx sets.
//!
//! Skipped from httpx's file:
//! - the `data=<bytes>` / `data=<iterator>` halves of `test_bytes_content`,
//!   `test_iterator_content` and `test_aiterator_content`: a deprecated Python alias of
//!   `content=`; there is one way to pass raw content here (`.content(..)` / `Body`).
//! - `test_invalid_argument`, `test_response_invalid_argument`: `content=123` is a
//!   `TypeError` in Python; here `impl Into<Body>` rejects it at compile time.
//! - the `isinstance(request.stream, Iterable / AsyncIterable)` checks: Python's stream
//!   protocol classes. Their Rust analogue (which bodies a sync client can send) is
//!   checked through `Body::is_async_stream` and the client tests below.
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;
use common::{headers_without_defaults, pairs};

use std::io::Cursor;

use futures_util::StreamExt;
use httpx::{Body, ErrorKind, Method, MockTransport, Multipart, Part, Request, Response, Url};

const URL: &str = "https://www.example.com";

/// The default headers every client adds (httpx's `Accept`, `Accept-Encoding`,
/// `Connection`, `User-Agent`): left out so a request built by a client compares with
/// httpx's `httpx.Request(...)`, which has none of them.
fn url() -> Url {
    Url::parse(URL).unwrap()
}

/// A request as `httpx.Request(method, url)` builds it.
fn request(method: Method) -> Request {
    Request::new(method, url())
}

/// `b"".join(list(request.stream))`: the body through the blocking interface.
fn sync_content(body: Body) -> httpx::Result<Vec<u8>> {
    let mut out = Vec::new();
    for chunk in body.into_iter_blocking()? {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// `b"".join([part async for part in request.stream])`: the body as an async stream.
async fn async_content(body: Body) -> httpx::Result<Vec<u8>> {
    let mut stream = body.into_stream()?;
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// A request built by a client's request builder (httpx's `client.build_request`).
fn client() -> httpx::Client {
    httpx::Client::new()
}

fn hello_world_iter() -> impl Iterator<Item = httpx::Result<&'static [u8]>> + Send {
    vec![Ok(&b"Hello, "[..]), Ok(&b"world!"[..])].into_iter()
}

fn hello_world_stream() -> impl futures_util::Stream<Item = httpx::Result<&'static [u8]>> + Send {
    futures_util::stream::iter(hello_world_iter())
}

/// An async stream that is not ready at once: each chunk comes after a yield to the
/// executor (httpx's `AsyncBytesIO` with `aread`).
fn pending_stream(
    content: &'static [u8],
) -> impl futures_util::Stream<Item = httpx::Result<Vec<u8>>> + Send {
    futures_util::stream::unfold(0usize, move |idx| async move {
        if idx >= content.len() {
            return None;
        }
        tokio::task::yield_now().await;
        let end = (idx + 5).min(content.len());
        Some((Ok(content[idx..end].to_vec()), end))
    })
}

#[tokio::test]
async fn test_empty_content() -> httpx::Result<()> {
    let request = request(Method::POST);
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[("host", "www.example.com"), ("content-length", "0")])
    );
    assert_eq!(request.content()?, b"");
    assert_eq!(sync_content(request.clone().take_body())?, b"");
    assert_eq!(async_content(request.clone().take_body()).await?, b"");
    Ok(())
}

#[tokio::test]
async fn test_bytes_content() -> httpx::Result<()> {
    let mut request = request(Method::POST);
    request.set_body(&b"Hello, world!"[..]);
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[("host", "www.example.com"), ("content-length", "13")])
    );
    assert_eq!(request.content()?, b"Hello, world!");
    // Bytes can be sent any number of times, through either interface.
    assert!(request.body().is_replayable());
    assert_eq!(sync_content(request.clone().take_body())?, b"Hello, world!");
    assert_eq!(
        async_content(request.clone().take_body()).await?,
        b"Hello, world!"
    );

    // Text is sent as its UTF-8 bytes.
    let mut request = self::request(Method::POST);
    request.set_body("Hello, wörld!".to_string());
    assert_eq!(
        request.headers().get("content-length").as_deref(),
        Some("14")
    );
    assert_eq!(request.content()?, "Hello, wörld!".as_bytes());
    Ok(())
}

#[test]
fn test_bytesio_content() -> httpx::Result<()> {
    // httpx: a BytesIO's length is known, so it is sent with Content-Length; here a
    // reader is given its length.
    let mut request = request(Method::POST);
    request.set_body(Body::from_reader(
        Cursor::new(b"Hello, world!".to_vec()),
        Some(13),
    ));
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[("host", "www.example.com"), ("content-length", "13")])
    );
    assert!(request.body().is_stream() && !request.body().is_async_stream());
    assert_eq!(sync_content(request.take_body())?, b"Hello, world!");

    // Without a length, a reader is sent chunked.
    let mut request = self::request(Method::POST);
    request.set_body(Body::from_reader(
        Cursor::new(b"Hello, world!".to_vec()),
        None,
    ));
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("transfer-encoding", "chunked")
        ])
    );
    assert_eq!(request.read()?, b"Hello, world!");
    Ok(())
}

#[tokio::test]
async fn test_async_bytesio_content() -> httpx::Result<()> {
    let mut request = request(Method::POST);
    request.set_body(Body::from_stream(pending_stream(b"Hello, world!"), None));
    assert!(request.body().is_async_stream());
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("transfer-encoding", "chunked")
        ])
    );
    assert_eq!(async_content(request.take_body()).await?, b"Hello, world!");
    Ok(())
}

#[test]
fn test_iterator_content() -> httpx::Result<()> {
    let mut request = request(Method::POST);
    request.set_body(Body::from_iter(hello_world_iter(), None));
    assert!(request.body().is_stream() && !request.body().is_async_stream());
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("transfer-encoding", "chunked")
        ])
    );
    // Not read yet: httpx's RequestNotRead.
    assert_eq!(
        request.content().unwrap_err().kind(),
        ErrorKind::RequestNotRead
    );
    // A copy of a streaming request cannot replay the stream: StreamConsumed.
    let copy = request.clone();
    assert_eq!(
        copy.content().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    let err = sync_content(copy.clone().take_body()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamConsumed);

    assert_eq!(sync_content(request.take_body())?, b"Hello, world!");

    // `read()` keeps the bytes: afterwards `content()` works.
    let mut request = self::request(Method::POST);
    request.set_body(Body::from_iter(hello_world_iter(), None));
    assert_eq!(request.read()?, b"Hello, world!");
    assert_eq!(request.content()?, b"Hello, world!");
    Ok(())
}

#[tokio::test]
async fn test_aiterator_content() -> httpx::Result<()> {
    let mut request = request(Method::POST);
    request.set_body(Body::from_stream(hello_world_stream(), None));
    assert!(request.body().is_async_stream());
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("transfer-encoding", "chunked")
        ])
    );
    let copy = request.clone();
    let err = async_content(copy.clone().take_body()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamConsumed);
    assert_eq!(
        copy.content().unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    assert_eq!(async_content(request.take_body()).await?, b"Hello, world!");

    let mut request = self::request(Method::POST);
    request.set_body(Body::from_stream(hello_world_stream(), None));
    // Sync code cannot drive an async body.
    assert_eq!(request.read().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(request.aread().await?, b"Hello, world!");
    assert_eq!(request.content()?, b"Hello, world!");
    Ok(())
}

#[test]
fn test_json_content() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .json(&serde_json::json!({"Hello": "world!"}))
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "18"),
            ("content-type", "application/json"),
        ])
    );
    assert_eq!(request.content()?, br#"{"Hello":"world!"}"#);
    Ok(())
}

#[test]
fn test_json_content_is_compact_and_keeps_non_ascii() -> httpx::Result<()> {
    // httpx 0.28: json.dumps(separators=(",", ":"), ensure_ascii=False).
    let request = client()
        .build_request("POST", URL)
        .json(&serde_json::json!({"a": "é\u{2028}", "b": [1, 2.5, null]}))
        .build()?;
    assert_eq!(
        request.content()?,
        "{\"a\":\"é\u{2028}\",\"b\":[1,2.5,null]}".as_bytes()
    );

    // Any Serialize type works, not only serde_json::Value.
    #[derive(serde::Serialize)]
    struct Item<'a> {
        name: &'a str,
        tags: Vec<&'a str>,
    }
    let request = client()
        .build_request("PUT", URL)
        .json(&Item {
            name: "ça",
            tags: vec!["x", "y"],
        })
        .build()?;
    assert_eq!(
        request.content()?,
        "{\"name\":\"ça\",\"tags\":[\"x\",\"y\"]}".as_bytes()
    );
    assert_eq!(
        request.headers().get("content-type").as_deref(),
        Some("application/json")
    );
    Ok(())
}

#[test]
fn test_urlencoded_content() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .form([("Hello", "world!")])
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "14"),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(request.content()?, b"Hello=world%21");

    // Reserved and non-ASCII characters are escaped as Python's urlencode does.
    let request = client()
        .build_request("POST", URL)
        .form([("k", "a b&c=d/é")])
        .build()?;
    assert_eq!(request.content()?, b"k=a+b%26c%3Dd%2F%C3%A9");
    Ok(())
}

#[test]
fn test_urlencoded_boolean() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .form([("example", true)])
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "12"),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(request.content()?, b"example=true");
    Ok(())
}

#[test]
fn test_urlencoded_none() -> httpx::Result<()> {
    // httpx: a None value is sent as an empty value; here values are `Display`, and
    // the empty string is the way to send one.
    let request = client()
        .build_request("POST", URL)
        .form([("example", "")])
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "8"),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(request.content()?, b"example=");
    Ok(())
}

#[test]
fn test_urlencoded_list() -> httpx::Result<()> {
    // httpx: {"example": ["a", 1, True]}; here a repeated key.
    let request = client()
        .build_request("POST", URL)
        .form(vec![
            ("example", "a"),
            ("example", "1"),
            ("example", "true"),
        ])
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "32"),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(request.content()?, b"example=a&example=1&example=true");
    Ok(())
}

fn file_part(content: &'static [u8]) -> Part {
    // httpx: io.BytesIO(...) with no filename is sent as filename="upload".
    Part::bytes(content)
}

#[tokio::test]
async fn test_multipart_files_content() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=+++")
        .multipart(Multipart::new().part("file", file_part(b"<file content>")))
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-type", "multipart/form-data; boundary=+++"),
            ("content-length", "138"),
        ])
    );
    let expected = [
        &b"--+++\r\n"[..],
        b"Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n",
        b"Content-Type: application/octet-stream\r\n",
        b"\r\n",
        b"<file content>\r\n",
        b"--+++--\r\n",
    ]
    .concat();
    assert_eq!(request.content()?, &expected[..]);
    assert_eq!(sync_content(request.clone().take_body())?, expected);
    assert_eq!(async_content(request.clone().take_body()).await?, expected);
    Ok(())
}

#[tokio::test]
async fn test_multipart_data_and_files_content() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=+++")
        .multipart(
            Multipart::new()
                .text("message", "Hello, world!")
                .part("file", file_part(b"<file content>")),
        )
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-type", "multipart/form-data; boundary=+++"),
            ("content-length", "210"),
        ])
    );
    let expected = [
        &b"--+++\r\n"[..],
        b"Content-Disposition: form-data; name=\"message\"\r\n",
        b"\r\n",
        b"Hello, world!\r\n",
        b"--+++\r\n",
        b"Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n",
        b"Content-Type: application/octet-stream\r\n",
        b"\r\n",
        b"<file content>\r\n",
        b"--+++--\r\n",
    ]
    .concat();
    assert_eq!(request.content()?, &expected[..]);
    assert_eq!(sync_content(request.clone().take_body())?, expected);
    assert_eq!(async_content(request.clone().take_body()).await?, expected);
    Ok(())
}

#[tokio::test]
async fn test_multipart_content_from_request_new() -> httpx::Result<()> {
    // The same body built without a client: Multipart::into_body and Request::set_body.
    let (content_type, body) = Multipart::new()
        .text("message", "Hello, world!")
        .part("file", file_part(b"<file content>"))
        .boundary("+++")
        .into_body()?;
    let mut request = request(Method::POST);
    request.set_body(body);
    request
        .headers_mut()
        .insert("Content-Type", &content_type)?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-length", "210"),
            ("content-type", "multipart/form-data; boundary=+++"),
        ])
    );
    assert_eq!(request.content()?.len(), 210);
    Ok(())
}

#[tokio::test]
async fn test_empty_request() -> httpx::Result<()> {
    // httpx: data={}, files={} sends an empty body with Content-Length: 0 and no
    // Content-Type.
    let request = client()
        .build_request("POST", URL)
        .form(Vec::<(&str, &str)>::new())
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[("host", "www.example.com"), ("content-length", "0")])
    );
    assert_eq!(request.content()?, b"");
    assert_eq!(sync_content(request.clone().take_body())?, b"");
    assert_eq!(async_content(request.clone().take_body()).await?, b"");

    let request = client()
        .build_request("POST", URL)
        .multipart(Multipart::new())
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[("host", "www.example.com"), ("content-length", "0")])
    );
    assert_eq!(request.content()?, b"");
    Ok(())
}

#[tokio::test]
async fn test_multipart_multiple_files_single_input_content() -> httpx::Result<()> {
    let request = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=+++")
        .multipart(
            Multipart::new()
                .part("file", file_part(b"<file content 1>"))
                .part("file", file_part(b"<file content 2>")),
        )
        .build()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-type", "multipart/form-data; boundary=+++"),
            ("content-length", "271"),
        ])
    );
    let expected = [
        &b"--+++\r\n"[..],
        b"Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n",
        b"Content-Type: application/octet-stream\r\n",
        b"\r\n",
        b"<file content 1>\r\n",
        b"--+++\r\n",
        b"Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n",
        b"Content-Type: application/octet-stream\r\n",
        b"\r\n",
        b"<file content 2>\r\n",
        b"--+++--\r\n",
    ]
    .concat();
    assert_eq!(request.content()?, &expected[..]);
    assert_eq!(sync_content(request.clone().take_body())?, expected);
    assert_eq!(async_content(request.clone().take_body()).await?, expected);
    Ok(())
}

fn response_headers(response: &Response) -> Vec<(String, String)> {
    response
        .headers()
        .multi_items()
        .map(|(k, v)| (k, v.into_owned()))
        .collect()
}

#[tokio::test]
async fn test_response_empty_content() -> httpx::Result<()> {
    for mut response in [Response::new(200), Response::builder(200).build()?] {
        assert_eq!(response_headers(&response), vec![]);
        assert_eq!(response.content()?.as_ref(), b"");
        assert_eq!(bytes_of(&mut response)?, b"");
        assert_eq!(abytes_of(&mut response).await?, b"");
    }
    Ok(())
}

fn bytes_of(response: &mut Response) -> httpx::Result<Vec<u8>> {
    Ok(response
        .iter_bytes()
        .collect::<httpx::Result<Vec<_>>>()?
        .concat())
}

async fn abytes_of(response: &mut Response) -> httpx::Result<Vec<u8>> {
    Ok(common::collect_stream(response.aiter_bytes())
        .await?
        .concat())
}

#[tokio::test]
async fn test_response_bytes_content() -> httpx::Result<()> {
    let mut response = Response::builder(200)
        .content(&b"Hello, world!"[..])
        .build()?;
    assert_eq!(
        response_headers(&response),
        pairs(&[("content-length", "13")])
    );
    assert_eq!(response.content()?.as_ref(), b"Hello, world!");
    // Content in memory can be iterated again, with either interface.
    assert_eq!(bytes_of(&mut response)?, b"Hello, world!");
    assert_eq!(abytes_of(&mut response).await?, b"Hello, world!");
    Ok(())
}

#[test]
fn test_response_iterator_content() -> httpx::Result<()> {
    let mut response = Response::builder(200).stream(hello_world_iter()).build()?;
    assert_eq!(
        response_headers(&response),
        pairs(&[("transfer-encoding", "chunked")])
    );
    assert_eq!(
        response.content().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );
    assert_eq!(bytes_of(&mut response)?, b"Hello, world!");
    assert_eq!(
        bytes_of(&mut response).unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    Ok(())
}

#[tokio::test]
async fn test_response_aiterator_content() -> httpx::Result<()> {
    let mut response = Response::builder(200)
        .async_stream(hello_world_stream())
        .build()?;
    assert_eq!(
        response_headers(&response),
        pairs(&[("transfer-encoding", "chunked")])
    );
    // Sync code cannot drive an async body.
    assert_eq!(
        bytes_of(&mut response).unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(abytes_of(&mut response).await?, b"Hello, world!");
    assert_eq!(
        abytes_of(&mut response).await.unwrap_err().kind(),
        ErrorKind::StreamConsumed
    );
    Ok(())
}

#[test]
fn test_response_stream_with_content_length_is_not_chunked() -> httpx::Result<()> {
    // httpx's Response: Transfer-Encoding is not added when Content-Length is set.
    let mut response = Response::builder(200)
        .header("Content-Length", "13")
        .stream(hello_world_iter())
        .build()?;
    assert_eq!(
        response_headers(&response),
        pairs(&[("content-length", "13")])
    );
    assert_eq!(response.read()?.as_ref(), b"Hello, world!");
    Ok(())
}

#[test]
fn test_ensure_ascii_false_with_french_characters() -> httpx::Result<()> {
    let response = Response::builder(200)
        .json(&serde_json::json!({"greeting": "Bonjour, ça va ?"}))
        .build()?;
    assert!(response.text()?.contains("ça va"), "{}", response.text()?);
    assert_eq!(
        response.headers().get("Content-Type").as_deref(),
        Some("application/json")
    );
    Ok(())
}

#[test]
fn test_separators_for_compact_json() -> httpx::Result<()> {
    let response = Response::builder(200)
        .json(&serde_json::json!({"clé": "valeur", "liste": [1, 2, 3]}))
        .build()?;
    assert_eq!(response.text()?, r#"{"clé":"valeur","liste":[1,2,3]}"#);
    assert_eq!(
        response.headers().get("Content-Type").as_deref(),
        Some("application/json")
    );
    Ok(())
}

#[derive(serde::Serialize)]
struct Number {
    nombre: f64,
}

#[test]
fn test_allow_nan_false() -> httpx::Result<()> {
    // httpx: json.dumps(allow_nan=False) raises "Out of range float values are not JSON
    // compliant"; here: serde_json writes NaN and the infinities as `null` (documented on
    // `RequestBuilder::json`), so the body is still valid JSON.
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let response = Response::builder(200)
            .json(&Number { nombre: value })
            .build()?;
        assert_eq!(response.text()?, r#"{"nombre":null}"#);
        let request = client()
            .build_request("POST", URL)
            .json(&Number { nombre: value })
            .build()?;
        assert_eq!(request.content()?, br#"{"nombre":null}"#);
    }
    Ok(())
}

#[test]
fn test_json_serialisation_error() -> httpx::Result<()> {
    // A value serde cannot write as JSON (a map with non-string keys) fails at build.
    let mut map = std::collections::BTreeMap::new();
    map.insert((1, 2), "x");
    let err = client()
        .build_request("POST", URL)
        .json(&map)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    let err = Response::builder(200).json(&map).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    Ok(())
}

#[test]
fn test_empty_body_content_length_per_method() -> httpx::Result<()> {
    // httpx: POST, PUT and PATCH without a body send Content-Length: 0; other methods
    // send no framing header.
    for (method, expected) in [
        ("GET", None),
        ("HEAD", None),
        ("OPTIONS", None),
        ("DELETE", None),
        ("POST", Some("0")),
        ("PUT", Some("0")),
        ("PATCH", Some("0")),
    ] {
        let m: Method = method.parse().unwrap();
        let by_hand = Request::new(m, url());
        let built = client().build_request(method, URL).build()?;
        for request in [by_hand, built] {
            assert_eq!(
                request.headers().get("content-length").as_deref(),
                expected,
                "{method}"
            );
            assert!(!request.headers().contains("transfer-encoding"), "{method}");
            assert_eq!(request.content()?, b"");
        }
    }
    Ok(())
}

#[test]
fn test_explicit_framing_headers_are_kept() -> httpx::Result<()> {
    // A Content-Length set by hand is not replaced, and no Transfer-Encoding is added
    // next to it (httpx's `_prepare`).
    let request = client()
        .build_request("POST", URL)
        .header("Content-Length", "13")
        .content(Body::from_iter(hello_world_iter(), None))
        .build()?;
    assert_eq!(
        request.headers().get("content-length").as_deref(),
        Some("13")
    );
    assert!(!request.headers().contains("transfer-encoding"));
    Ok(())
}

#[test]
fn test_set_body_replaces_framing_headers() -> httpx::Result<()> {
    let mut request = request(Method::PUT);
    request.set_body("abc");
    assert_eq!(
        request.headers().get("content-length").as_deref(),
        Some("3")
    );
    request.set_body(Body::from_iter(hello_world_iter(), None));
    assert_eq!(request.headers().get("content-length"), None);
    assert_eq!(
        request.headers().get("transfer-encoding").as_deref(),
        Some("chunked")
    );
    request.set_body(Body::from_iter(hello_world_iter(), Some(13)));
    assert_eq!(
        request.headers().get("content-length").as_deref(),
        Some("13")
    );
    assert_eq!(request.headers().get("transfer-encoding"), None);
    Ok(())
}

/// Answers with the request body as the response body; the headers the transport saw
/// are `response.request().headers()`.
fn echo_content(request: Request) -> httpx::Result<Response> {
    Response::builder(200)
        .content(request.content()?.to_vec())
        .build()
}

fn sent_header(response: &Response, name: &str) -> Option<String> {
    response
        .request()?
        .headers()
        .get(name)
        .map(|v| v.into_owned())
}

dual_test! {
    fn test_transport_receives_bytes_and_content_length() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let response = send!(client.request(method, URL).content("Hello, world!"))?;
            assert_eq!(response.content()?.as_ref(), b"Hello, world!");
            assert_eq!(sent_header(&response, "content-length").as_deref(), Some("13"));
            assert_eq!(sent_header(&response, "transfer-encoding"), None);
        }
        let response = send!(client.post(URL).content(vec![0u8, 159, 146, 150]))?;
        assert_eq!(response.content()?.as_ref(), &[0u8, 159, 146, 150]);
        Ok(())
    }

    fn test_transport_receives_empty_bodies() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        for (method, expected) in [
            ("GET", None),
            ("DELETE", None),
            ("POST", Some("0")),
            ("PUT", Some("0")),
            ("PATCH", Some("0")),
        ] {
            let response = send!(client.request(method, URL))?;
            assert_eq!(response.content()?.as_ref(), b"");
            assert_eq!(sent_header(&response, "content-length").as_deref(), expected, "{method}");
            assert_eq!(sent_header(&response, "transfer-encoding"), None);
        }
        // An empty content is no body at all.
        let response = send!(client.post(URL).content(""))?;
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("0"));
        Ok(())
    }

    fn test_transport_receives_iterator_chunked() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let response = send!(client.post(URL).content(Body::from_iter(hello_world_iter(), None)))?;
        assert_eq!(response.content()?.as_ref(), b"Hello, world!");
        assert_eq!(sent_header(&response, "transfer-encoding").as_deref(), Some("chunked"));
        assert_eq!(sent_header(&response, "content-length"), None);

        // With a known length: Content-Length.
        let response = send!(client.put(URL).content(Body::from_iter(hello_world_iter(), Some(13))))?;
        assert_eq!(response.content()?.as_ref(), b"Hello, world!");
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("13"));
        assert_eq!(sent_header(&response, "transfer-encoding"), None);
        Ok(())
    }

    fn test_transport_receives_reader() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        // Larger than one 64 KiB read, so the reader is read in several chunks.
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let response = send!(client
            .post(URL)
            .content(Body::from_reader(Cursor::new(data.clone()), Some(data.len() as u64))))?;
        assert_eq!(response.content()?.as_ref(), &data[..]);
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("200000"));

        let response = send!(client.post(URL).content(Body::from_reader(Cursor::new(data.clone()), None)))?;
        assert_eq!(response.content()?.as_ref(), &data[..]);
        assert_eq!(sent_header(&response, "transfer-encoding").as_deref(), Some("chunked"));
        Ok(())
    }

    fn test_transport_receives_reader_error() {
        struct Broken;
        impl std::io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let err = send!(client.post(URL).content(Body::from_reader(Broken, None))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WriteError);
        // The reader's error is the cause, named once: in the chain, not the message.
        assert!(!err.to_string().contains("disk on fire"), "{err}");
        assert_eq!(
            std::error::Error::source(&err).map(|s| s.to_string()).as_deref(),
            Some("disk on fire")
        );
        Ok(())
    }

    fn test_transport_receives_async_stream() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let result = send!(client.post(URL).content(Body::from_stream(hello_world_stream(), None)));
        if flavour!() == "sync" {
            // A blocking client cannot drive an async body.
            assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidState);
        } else {
            let response = result?;
            assert_eq!(response.content()?.as_ref(), b"Hello, world!");
            assert_eq!(sent_header(&response, "transfer-encoding").as_deref(), Some("chunked"));
            let response = send!(client.post(URL).content(Body::from_stream(pending_stream(b"Hello, world!"), Some(13))))?;
            assert_eq!(response.content()?.as_ref(), b"Hello, world!");
            assert_eq!(sent_header(&response, "content-length").as_deref(), Some("13"));
        }
        Ok(())
    }

    fn test_transport_receives_json_and_form() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let response = send!(client.post(URL).json(&serde_json::json!({"Hello": "wörld!"})))?;
        assert_eq!(response.content()?.as_ref(), "{\"Hello\":\"wörld!\"}".as_bytes());
        assert_eq!(sent_header(&response, "content-type").as_deref(), Some("application/json"));
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("19"));

        let response = send!(client.post(URL).form(vec![("a", "1"), ("a", "2"), ("b", "x y")]))?;
        assert_eq!(response.content()?.as_ref(), b"a=1&a=2&b=x+y");
        assert_eq!(
            sent_header(&response, "content-type").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("13"));

        // A Content-Type set on the request wins over the encoder's.
        let response = send!(client
            .post(URL)
            .header("Content-Type", "application/vnd.api+json")
            .json(&serde_json::json!([1])))?;
        assert_eq!(sent_header(&response, "content-type").as_deref(), Some("application/vnd.api+json"));
        assert_eq!(response.content()?.as_ref(), b"[1]");
        Ok(())
    }

    fn test_transport_receives_multipart() {
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let form = Multipart::new()
            .text("message", "Hello, world!")
            .part("file", file_part(b"<file content>"))
            .boundary("+++");
        let response = send!(client.post(URL).multipart(form))?;
        assert_eq!(sent_header(&response, "content-type").as_deref(), Some("multipart/form-data; boundary=+++"));
        assert_eq!(sent_header(&response, "content-length").as_deref(), Some("210"));
        assert_eq!(response.content()?.len(), 210);
        assert!(response.content()?.ends_with(b"<file content>\r\n--+++--\r\n"));
        Ok(())
    }

    fn test_streaming_body_is_sent_once() {
        // httpx: a request whose body is a stream cannot be sent again (StreamConsumed).
        let client = builder!().transport(MockTransport::new(echo_content)).build()?;
        let request = client.post(URL).content(Body::from_iter(hello_world_iter(), None)).build()?;
        let copy = request.clone();
        let response = send_request!(client, request)?;
        assert_eq!(response.content()?.as_ref(), b"Hello, world!");
        let err = send_request!(client, copy).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamConsumed);

        // A request with bytes can be sent again.
        let request = client.post(URL).content("again").build()?;
        let copy = request.clone();
        assert_eq!(send_request!(client, request)?.content()?.as_ref(), b"again");
        assert_eq!(send_request!(client, copy)?.content()?.as_ref(), b"again");
        Ok(())
    }
}
