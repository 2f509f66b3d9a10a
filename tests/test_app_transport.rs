//! Mirrors httpx's `tests/test_asgi.py` and `tests/test_wsgi.py` with an axum `Router`
//! (or a hand-written tower `Service`) behind [`httpx::AppTransport`], our analogue of
//! httpx's `ASGITransport` and `WSGITransport`.
//!
//! Skipped from httpx's files:
//! - `test_asgi_disconnect_after_response_complete`: ASGI's `http.disconnect` message
//!   has no tower equivalent (a service gets the request once; there is no `receive`).
//! - `test_asgi_exc_no_raise` (`raise_app_exceptions=False` turning an app exception
//!   into a 500): AppTransport has no such switch. A tower service reports failure
//!   by returning `Err` (mapped to an httpx error, tested below) or by answering 500
//!   itself; a panicking handler is not an error value and is not tested.
//! - `test_logging` (`wsgi.errors`): a WSGI environ stream with no tower equivalent.
//!
//! httpx's raise-the-app's-own-exception tests (`test_asgi_exc`, `test_wsgi_exc`,
//! `test_wsgi_http_error`, `test_asgi_exc_after_response`) become: the service's
//! error comes back as an httpx `Error` whose source is the service's error.
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
#![cfg(feature = "tower")]

mod common;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Ready;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body as AxumBody;
use axum::extract::{Query, RawQuery};
use axum::http::{header, HeaderMap, Method as AxumMethod, StatusCode, Uri, Version};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use bytes::Bytes;
use futures_util::StreamExt;
use httpx::{AppTransport, AsyncTransport, ErrorKind, Method, Request, Url};

/// httpx's `hello_world` app.
async fn hello_world() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain")], "Hello, World!")
}

/// httpx's `echo_body`: the request body back.
async fn echo_body(body: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain")], body)
}

/// httpx's `echo_body_with_response_stream`: the request body streamed back as it is
/// read.
async fn echo_body_streamed(request: axum::extract::Request) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain")],
        AxumBody::new(request.into_body()),
    )
}

/// httpx's `echo_headers`: the request headers, in order, as JSON pairs.
async fn echo_headers(headers: HeaderMap) -> Json<serde_json::Value> {
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or("<binary>").to_string(),
            )
        })
        .collect();
    Json(serde_json::json!({ "headers": pairs }))
}

/// What the app sees of the request line: the full URI, its parts, Host, version.
async fn echo_request(
    method: AxumMethod,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
) -> Json<serde_json::Value> {
    let default_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    Json(serde_json::json!({
        "method": method.as_str(),
        "uri": uri.to_string(),
        "scheme": uri.scheme_str(),
        "authority": uri.authority().map(|a| a.as_str()),
        "path": uri.path(),
        "raw_query": uri.query(),
        "server_port": uri.port_u16().unwrap_or(default_port),
        "host": headers.get(header::HOST).and_then(|h| h.to_str().ok()),
        "version": format!("{version:?}"),
    }))
}

async fn echo_json(Json(value): Json<serde_json::Value>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "received": value }))
}

async fn echo_query(
    Query(params): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "params": params, "raw": raw }))
}

/// httpx's `application_factory(output)`: a body streamed from the given chunks.
fn generator(output: &'static [&'static [u8]]) -> impl IntoResponse {
    let stream = futures_util::stream::iter(
        output
            .iter()
            .map(|c| Ok::<_, Infallible>(Bytes::from_static(c))),
    );
    (
        [(header::CONTENT_TYPE, "text/plain")],
        AxumBody::from_stream(stream),
    )
}

fn app() -> Router {
    Router::new()
        .route("/", get(hello_world).post(echo_body))
        .route("/echo", any(echo_body))
        .route("/echo-stream", post(echo_body_streamed))
        .route("/headers", get(echo_headers))
        .route("/json", post(echo_json))
        .route("/query", get(echo_query))
        .route(
            "/generator",
            get(|| async { generator(&[b"", b"", b"Some content", b" and more content"]) }),
        )
        .route(
            "/generator-empty",
            get(|| async { generator(&[b"", b"", b"", b""]) }),
        )
        .route(
            "/status/{code}",
            get(
                |axum::extract::Path(code): axum::extract::Path<u16>| async move {
                    (
                        StatusCode::from_u16(code).unwrap(),
                        format!("status {code}"),
                    )
                },
            ),
        )
        .fallback(echo_request)
}

fn transport() -> AppTransport<Router> {
    AppTransport::new(app())
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

// ---------------------------------------------------------------------------
// test_asgi.py
// ---------------------------------------------------------------------------

#[tokio::test]
async fn test_asgi_transport() -> httpx::Result<()> {
    let transport = transport();
    let request = Request::new(Method::GET, url("http://www.example.com/"));
    let mut response = transport.handle_async_request(request).await?;
    response.aread().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.content()?.as_ref(), b"Hello, World!");
    assert_eq!(
        response.headers().get("content-type").as_deref(),
        Some("text/plain")
    );
    Ok(())
}

#[tokio::test]
async fn test_asgi_transport_no_body() -> httpx::Result<()> {
    let transport = transport();
    let request = Request::new(Method::GET, url("http://www.example.com/echo"));
    let mut response = transport.handle_async_request(request).await?;
    response.aread().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.content()?.as_ref(), b"");
    Ok(())
}

#[tokio::test]
async fn test_asgi() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let response = client.get("http://www.example.org/").send().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "Hello, World!");
    client.aclose().await;
    Ok(())
}

#[tokio::test]
async fn test_asgi_urlencoded_path() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let url = url("http://www.example.org/")
        .copy_with()
        .path("/user@example.org")
        .build()?;
    let response = client.get(url).send().await?;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json()?;
    assert_eq!(body["path"], "/user@example.org");
    Ok(())
}

#[tokio::test]
async fn test_asgi_raw_path() -> httpx::Result<()> {
    // The app gets the path as sent on the wire: percent-escapes kept.
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    for (path, raw) in [
        ("/user@example.org", "/user@example.org"),
        ("/a b/ü", "/a%20b/%C3%BC"),
    ] {
        let url = url("http://www.example.org/")
            .copy_with()
            .path(path)
            .build()?;
        let response = client.get(url).send().await?;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["path"], raw, "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn test_asgi_raw_path_should_not_include_querystring_portion() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let response = client
        .get("http://www.example.org/path?query")
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json()?;
    assert_eq!(body["path"], "/path");
    assert_eq!(body["raw_query"], "query");
    Ok(())
}

#[tokio::test]
async fn test_asgi_upload() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let response = client
        .post("http://www.example.org/")
        .content("example")
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "example");
    Ok(())
}

#[tokio::test]
async fn test_asgi_upload_async_stream() -> httpx::Result<()> {
    // An async request body is handed to the app as a stream.
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let chunks = futures_util::stream::iter(["ex", "am", "ple"].map(Ok::<_, httpx::Error>));
    let response = client
        .post("http://www.example.org/echo-stream")
        .content(httpx::Body::from_stream(chunks, None))
        .send()
        .await?;
    assert_eq!(response.text()?, "example");
    Ok(())
}

#[tokio::test]
async fn test_asgi_headers() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(transport())
        .build()?;
    let response = client.get("http://www.example.org/headers").send().await?;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json()?;
    assert_eq!(
        body,
        serde_json::json!({
            "headers": [
                ["host", "www.example.org"],
                ["accept", "*/*"],
                ["accept-encoding", "gzip, deflate, br, zstd"],
                ["connection", "keep-alive"],
                ["user-agent", httpx::config::USER_AGENT],
            ]
        })
    );
    Ok(())
}

/// A service that fails: what a tower app returns instead of raising.
#[derive(Clone)]
struct Failing;

impl tower_service::Service<http::Request<httpx::Body>> for Failing {
    type Response = http::Response<String>;
    type Error = std::io::Error;
    type Future = Ready<Result<http::Response<String>, std::io::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<httpx::Body>) -> Self::Future {
        std::future::ready(Err(std::io::Error::other("the app broke")))
    }
}

/// A service that is never ready.
#[derive(Clone)]
struct NotReady;

impl tower_service::Service<http::Request<httpx::Body>> for NotReady {
    type Response = http::Response<String>;
    type Error = std::io::Error;
    type Future = Ready<Result<http::Response<String>, std::io::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Err(std::io::Error::other("overloaded")))
    }

    fn call(&mut self, _: http::Request<httpx::Body>) -> Self::Future {
        unreachable!("poll_ready failed")
    }
}

/// The chain of sources of an error, as text.
fn sources(err: &httpx::Error) -> Vec<String> {
    let mut out = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push(s.to_string());
        source = s.source();
    }
    out
}

fn assert_app_error(err: &httpx::Error, text: &str) {
    // httpx re-raises the app's exception; here it is the source of an httpx error,
    // named once: in the chain, not in the message too.
    assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
    assert!(!err.to_string().contains(text), "{err}");
    assert!(format!("{err:#}").contains(text), "{err:#}");
    assert!(
        sources(err).iter().any(|s| s.contains(text)),
        "{:?}",
        sources(err)
    );
}

#[tokio::test]
async fn test_asgi_exc() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(AppTransport::new(Failing))
        .build()?;
    let err = client
        .get("http://www.example.org/")
        .send()
        .await
        .unwrap_err();
    assert_app_error(&err, "the app broke");
    let request = err.request().expect("the request is named");
    assert_eq!(request.url.as_str(), "http://www.example.org/");

    let client = httpx::AsyncClient::builder()
        .transport(AppTransport::new(NotReady))
        .build()?;
    let err = client
        .get("http://www.example.org/")
        .send()
        .await
        .unwrap_err();
    assert_app_error(&err, "overloaded");
    Ok(())
}

fn failing_body() -> AxumBody {
    let chunks = vec![
        Ok(Bytes::from_static(b"Hello, World!")),
        Err(std::io::Error::other("failed after the response started")),
    ];
    AxumBody::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn test_asgi_exc_after_response() -> httpx::Result<()> {
    let app = Router::new().route("/", get(|| async { failing_body() }));
    let client = httpx::AsyncClient::builder()
        .transport(AppTransport::new(app))
        .build()?;
    let err = client
        .get("http://www.example.org/")
        .send()
        .await
        .unwrap_err();
    // The body failed while being read: a ReadError, the app's error as its source.
    assert_eq!(err.kind(), ErrorKind::ReadError, "{err}");
    assert!(sources(&err)
        .iter()
        .any(|s| s.contains("failed after the response started")));

    // Streamed: the start of the body arrives, then the error.
    let mut response = client
        .stream("GET", "http://www.example.org/")
        .send()
        .await?;
    let mut chunks = response.aiter_bytes();
    assert_eq!(chunks.next().await.unwrap()?.as_ref(), b"Hello, World!");
    assert_eq!(
        chunks.next().await.unwrap().unwrap_err().kind(),
        ErrorKind::ReadError
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// test_wsgi.py: the blocking Client, with handlers that need no runtime
// ---------------------------------------------------------------------------

fn sync_client() -> httpx::Result<httpx::Client> {
    httpx::Client::builder().transport(transport()).build()
}

#[test]
fn test_wsgi() -> httpx::Result<()> {
    let response = sync_client()?.get("http://www.example.org/").send()?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "Hello, World!");
    Ok(())
}

#[test]
fn test_wsgi_upload() -> httpx::Result<()> {
    let response = sync_client()?
        .post("http://www.example.org/")
        .content("example")
        .send()?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "example");
    Ok(())
}

#[test]
fn test_wsgi_upload_with_response_stream() -> httpx::Result<()> {
    let client = sync_client()?;
    let response = client
        .post("http://www.example.org/echo-stream")
        .content("example")
        .send()?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "example");
    // A blocking request stream is handed over too.
    let chunks = ["ex", "am", "ple"].map(Ok::<_, httpx::Error>);
    let response = client
        .post("http://www.example.org/echo-stream")
        .content(httpx::Body::from_iter(chunks, None))
        .send()?;
    assert_eq!(response.text()?, "example");
    Ok(())
}

#[test]
fn test_wsgi_exc() -> httpx::Result<()> {
    let client = httpx::Client::builder()
        .transport(AppTransport::new(Failing))
        .build()?;
    let err = client.get("http://www.example.org/").send().unwrap_err();
    assert_app_error(&err, "the app broke");
    Ok(())
}

#[test]
fn test_wsgi_http_error() -> httpx::Result<()> {
    // httpx's app answers 500 after raising; a tower app that answers 500 is a
    // response like any other, and raise_for_status turns it into an HttpStatus error.
    let client = sync_client()?;
    let response = client.get("http://www.example.org/status/500").send()?;
    assert_eq!(response.status(), 500);
    assert_eq!(response.text()?, "status 500");
    let err = response.raise_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));

    let app = Router::new().route("/", get(|| async { failing_body() }));
    let client = httpx::Client::builder()
        .transport(AppTransport::new(app))
        .build()?;
    let err = client.get("http://www.example.org/").send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadError);
    Ok(())
}

#[test]
fn test_wsgi_generator() -> httpx::Result<()> {
    let response = sync_client()?
        .get("http://www.example.org/generator")
        .send()?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "Some content and more content");
    Ok(())
}

#[test]
fn test_wsgi_generator_empty() -> httpx::Result<()> {
    let response = sync_client()?
        .get("http://www.example.org/generator-empty")
        .send()?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text()?, "");
    Ok(())
}

#[test]
fn test_wsgi_server_port() -> httpx::Result<()> {
    let client = sync_client()?;
    for (url, expected_port, expected_host) in [
        ("http://www.example.org", 80, "www.example.org"),
        ("https://www.example.org", 443, "www.example.org"),
        ("http://www.example.org:8000", 8000, "www.example.org:8000"),
    ] {
        let response = client.get(format!("{url}/port")).send()?;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["server_port"], expected_port, "{url}");
        assert_eq!(body["host"], expected_host, "{url}");
    }
    Ok(())
}

#[test]
fn test_wsgi_server_protocol() -> httpx::Result<()> {
    let client = httpx::Client::builder()
        .transport(transport())
        .base_url("http://testserver")
        .build()?;
    let response = client.get("/protocol").send()?;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json()?;
    assert_eq!(body["version"], "HTTP/1.1");
    Ok(())
}

// ---------------------------------------------------------------------------
// Both clients: what the app receives, JSON, query, streaming, and the core's
// redirects, cookies and auth on top of the app transport
// ---------------------------------------------------------------------------

/// The app behind a mock-like set of routes for redirects, cookies and auth.
fn flow_app() -> Router {
    async fn redirect() -> impl IntoResponse {
        (StatusCode::FOUND, [(header::LOCATION, "/target")])
    }
    async fn redirect_away() -> impl IntoResponse {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "http://other.example/target")],
        )
    }
    async fn target(headers: HeaderMap, uri: Uri) -> Json<serde_json::Value> {
        let get = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Json(serde_json::json!({
            "uri": uri.to_string(),
            "authorization": get(header::AUTHORIZATION),
            "cookie": get(header::COOKIE),
        }))
    }
    async fn set_cookie() -> impl IntoResponse {
        (
            [(header::SET_COOKIE, "session=abc123; Path=/")],
            "cookie set",
        )
    }
    async fn protected(headers: HeaderMap) -> axum::response::Response {
        // user:pass
        if headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some("Basic dXNlcjpwYXNz")
        {
            "welcome".into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"app\"")],
                "who are you",
            )
                .into_response()
        }
    }
    Router::new()
        .route("/redirect", get(redirect))
        .route("/redirect-away", get(redirect_away))
        .route("/target", get(target))
        .route("/set-cookie", get(set_cookie))
        .route("/protected", get(protected))
}

dual_test! {
    fn test_app_receives_absolute_uri_and_host() {
        let client = builder!().transport(transport()).build()?;
        let response = send!(client.get("http://www.example.org:8080/some/path?a=1&b=two"))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["uri"], "http://www.example.org:8080/some/path?a=1&b=two");
        assert_eq!(body["scheme"], "http");
        assert_eq!(body["authority"], "www.example.org:8080");
        assert_eq!(body["host"], "www.example.org:8080");
        assert_eq!(body["method"], "GET");
        assert_eq!(body["version"], "HTTP/1.1");

        // A base URL and client params make the same absolute URI.
        let client = builder!()
            .transport(transport())
            .base_url("https://api.example.org/v1")
            .params([("key", "k")])
            .build()?;
        let response = send!(client.request("DELETE", "items/3").query([("page", 2)]))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["uri"], "https://api.example.org/v1/items/3?key=k&page=2");
        assert_eq!(body["host"], "api.example.org");
        assert_eq!(body["method"], "DELETE");
        Ok(())
    }

    fn test_app_get_and_post_echo() {
        let client = builder!().transport(transport()).build()?;
        let response = send!(client.get("http://testserver/"))?;
        assert_eq!(response.text()?, "Hello, World!");
        let response = send!(client.post("http://testserver/echo").content(vec![0u8, 1, 2, 255]))?;
        assert_eq!(response.content()?.as_ref(), &[0u8, 1, 2, 255]);
        let response = send!(client.put("http://testserver/echo").content("put body"))?;
        assert_eq!(response.text()?, "put body");
        // An unknown method on a known route: the app's own 405.
        let response = send!(client.delete("http://testserver/json"))?;
        assert_eq!(response.status(), 405);
        Ok(())
    }

    fn test_app_json() {
        let client = builder!().transport(transport()).build()?;
        let response = send!(client.post("http://testserver/json").json(&serde_json::json!({"a": [1, 2], "é": null})))?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers().get("content-type").as_deref(), Some("application/json"));
        let body: serde_json::Value = response.json()?;
        assert_eq!(body, serde_json::json!({"received": {"a": [1, 2], "é": null}}));

        // Without the JSON Content-Type, axum's extractor refuses (415).
        let response = send!(client.post("http://testserver/json").content("{}"))?;
        assert_eq!(response.status(), 415);
        Ok(())
    }

    fn test_app_headers() {
        let client = builder!().transport(transport()).header("X-Client", "c").build()?;
        let response = send!(client
            .get("http://testserver/headers")
            .header("X-Request", "r")
            .append_header("X-Multi", "1")
            .append_header("X-Multi", "2"))?;
        let body: serde_json::Value = response.json()?;
        let headers: Vec<(String, String)> = serde_json::from_value(body["headers"].clone()).unwrap();
        let get_all = |name: &str| -> Vec<&str> {
            headers.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
        };
        assert_eq!(get_all("x-client"), ["c"]);
        assert_eq!(get_all("x-request"), ["r"]);
        assert_eq!(get_all("x-multi"), ["1", "2"]);
        assert_eq!(get_all("host"), ["testserver"]);
        Ok(())
    }

    fn test_app_query_params() {
        let client = builder!().transport(transport()).params([("client", "1")]).build()?;
        let response = send!(client
            .get("http://testserver/query?from_url=yes")
            .query([("q", "a b&c"), ("lang", "é")]))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(
            body["params"],
            serde_json::json!({"from_url": "yes", "client": "1", "q": "a b&c", "lang": "é"})
        );
        assert_eq!(body["raw"], "from_url=yes&client=1&q=a+b%26c&lang=%C3%A9");
        Ok(())
    }

    fn test_app_streamed_response() {
        let client = builder!().transport(transport()).build()?;
        let mut response = send!(client.stream("GET", "http://testserver/generator"))?;
        assert_eq!(response.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        let chunks = bytes!(response)?;
        // The app's chunks arrive as they were sent (empty ones dropped).
        assert_eq!(chunks, [Bytes::from_static(b"Some content"), Bytes::from_static(b" and more content")]);
        Ok(())
    }

    fn test_app_status_codes() {
        let client = builder!().transport(transport()).build()?;
        for code in [201u16, 204, 404, 418, 503] {
            let response = send!(client.get(format!("http://testserver/status/{code}")))?;
            assert_eq!(response.status_code(), code);
            assert_eq!(response.is_error(), code >= 400);
        }
        Ok(())
    }

    fn test_app_redirects() {
        let client = builder!().transport(AppTransport::new(flow_app())).follow_redirects(true).build()?;
        let response = send!(client.get("http://testserver/redirect"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.url().unwrap().as_str(), "http://testserver/target");
        assert_eq!(response.history().len(), 1);
        assert_eq!(response.history()[0].status(), 302);
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["uri"], "http://testserver/target");

        // Not followed by default.
        let client = builder!().transport(AppTransport::new(flow_app())).build()?;
        let response = send!(client.get("http://testserver/redirect"))?;
        assert_eq!(response.status(), 302);
        assert_eq!(response.next_request().unwrap().url().as_str(), "http://testserver/target");
        Ok(())
    }

    fn test_app_redirect_strips_auth_across_origins() {
        // SECURITY.md R1: Authorization does not follow a redirect to another origin.
        let client = builder!()
            .transport(AppTransport::new(flow_app()))
            .follow_redirects(true)
            .auth(("user", "pass"))
            .build()?;
        let response = send!(client.get("http://testserver/redirect"))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["authorization"], "Basic dXNlcjpwYXNz");
        let response = send!(client.get("http://testserver/redirect-away"))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["uri"], "http://other.example/target");
        assert_eq!(body["authorization"], serde_json::Value::Null);
        Ok(())
    }

    fn test_app_cookies() {
        let client = builder!().transport(AppTransport::new(flow_app())).build()?;
        let response = send!(client.get("http://testserver/set-cookie"))?;
        assert_eq!(response.text()?, "cookie set");
        assert_eq!(client.cookies().get("session", None, None)?.as_deref(), Some("abc123"));
        let response = send!(client.get("http://testserver/target"))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["cookie"], "session=abc123");
        // Not sent to another host.
        let response = send!(client.get("http://elsewhere/target"))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["cookie"], serde_json::Value::Null);
        Ok(())
    }

    fn test_app_auth() {
        let client = builder!().transport(AppTransport::new(flow_app())).build()?;
        let response = send!(client.get("http://testserver/protected"))?;
        assert_eq!(response.status(), 401);
        let response = send!(client.get("http://testserver/protected").auth(("user", "pass")))?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text()?, "welcome");
        let response = send!(client.get("http://user:pass@testserver/protected"))?;
        assert_eq!(response.status(), 200);
        Ok(())
    }
}

#[tokio::test]
async fn test_app_streamed_response_arrives_as_sent() -> httpx::Result<()> {
    // The response body is streamed, not buffered: a chunk can be read before the app
    // has produced the next one.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
    let rx = Arc::new(Mutex::new(Some(rx)));
    let app = Router::new().route(
        "/",
        get(move || {
            let rx = rx.clone();
            async move {
                let rx = rx.lock().unwrap().take().expect("one request");
                let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                    rx.recv()
                        .await
                        .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
                });
                AxumBody::from_stream(stream)
            }
        }),
    );
    let client = httpx::AsyncClient::builder()
        .transport(AppTransport::new(app))
        .build()?;
    let mut response = client.stream("GET", "http://testserver/").send().await?;
    assert_eq!(response.status(), 200);
    let mut chunks = response.aiter_bytes();
    for chunk in ["first", "second", "third"] {
        tx.send(Bytes::from(chunk)).await.unwrap();
        assert_eq!(chunks.next().await.unwrap()?.as_ref(), chunk.as_bytes());
    }
    drop(tx);
    assert!(chunks.next().await.is_none());
    Ok(())
}

#[tokio::test]
async fn test_app_streamed_response_read_with_aiter_text() -> httpx::Result<()> {
    // A body that pends between chunks (a timer) and splits a UTF-8 character.
    let app = Router::new().route(
        "/",
        get(|| async {
            let parts: [&'static [u8]; 3] = [b"tick \xe2", b"\x82\xac", b" tock"];
            let stream = futures_util::stream::iter(parts).then(|part| async move {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                Ok::<_, Infallible>(Bytes::from_static(part))
            });
            AxumBody::from_stream(stream)
        }),
    );
    let client = httpx::AsyncClient::builder()
        .transport(AppTransport::new(app))
        .build()?;
    let mut response = client.stream("GET", "http://testserver/").send().await?;
    let text = common::collect_stream(response.aiter_text()).await?;
    assert_eq!(text.concat(), "tick € tock");
    let response = client.get("http://testserver/").send().await?;
    assert_eq!(response.text()?, "tick € tock");
    Ok(())
}

#[tokio::test]
async fn test_app_transport_is_shared_between_clients() -> httpx::Result<()> {
    // The transport is Clone (the service is cloned per request).
    let transport = transport();
    let a = httpx::AsyncClient::builder()
        .transport(transport.clone())
        .build()?;
    let b = httpx::Client::builder().transport(transport).build()?;
    assert_eq!(a.get("http://x/").send().await?.text()?, "Hello, World!");
    let text =
        tokio::task::spawn_blocking(move || b.get("http://x/").send().and_then(|r| r.text()))
            .await
            .unwrap()?;
    assert_eq!(text, "Hello, World!");
    Ok(())
}

// ---------------------------------------------------------------------------
// The blocking Client with handlers that need a tokio runtime
// ---------------------------------------------------------------------------

/// Handlers that await a tokio timer, spawn a task, and stream a body with pauses.
fn timer_app() -> Router {
    Router::new()
        .route(
            "/sleep",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                "slept"
            }),
        )
        .route(
            "/spawn",
            get(|| async {
                tokio::spawn(async { "spawned" })
                    .await
                    .unwrap_or("join failed")
            }),
        )
        .route(
            "/slow-body",
            get(|| async {
                let chunks = futures_util::stream::iter(["a", "b", "c"]).then(|chunk| async move {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    Ok::<_, Infallible>(Bytes::from_static(chunk.as_bytes()))
                });
                AxumBody::from_stream(chunks)
            }),
        )
}

fn timer_client() -> httpx::Result<httpx::Client> {
    httpx::Client::builder()
        .transport(AppTransport::new(timer_app()))
        .base_url("http://testserver")
        .build()
}

fn check_timer_app(client: &httpx::Client) -> httpx::Result<()> {
    // The one-liners a reqwest user writes: owned text from a temporary response.
    let slept = client.get("/sleep").send()?.text()?;
    assert_eq!(slept, "slept");
    let spawned = client.get("/spawn").send()?.text()?;
    assert_eq!(spawned, "spawned");
    assert_eq!(client.get("/slow-body").send()?.text()?, "abc");
    // Streamed: each chunk's timer fires while the body is read.
    let mut response = client.stream("GET", "/slow-body").send()?;
    let chunks: Vec<Bytes> = response.iter_bytes().collect::<httpx::Result<_>>()?;
    assert_eq!(chunks.concat(), b"abc");
    Ok(())
}

#[test]
fn blocking_client_drives_handlers_that_await_tokio_timers() -> httpx::Result<()> {
    // No runtime on this thread: the transport's shared runtime drives the timers.
    assert!(tokio::runtime::Handle::try_current().is_err());
    check_timer_app(&timer_client()?)
}

#[tokio::test]
async fn blocking_client_inside_a_current_thread_runtime() -> httpx::Result<()> {
    // This thread is the runtime's only one, and it blocks: the shared runtime must
    // drive the handler's timers, not this one.
    check_timer_app(&timer_client()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_client_from_spawn_blocking_uses_the_callers_runtime() -> httpx::Result<()> {
    // A handler that uses the caller's runtime: a channel served by a task of it.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<tokio::sync::oneshot::Sender<String>>(1);
    tokio::spawn(async move {
        while let Some(reply) = rx.recv().await {
            let _ = reply.send(format!("{:?}", tokio::runtime::Handle::current().id()));
        }
    });
    let caller = format!("{:?}", tokio::runtime::Handle::current().id());
    let app = Router::new().route(
        "/runtime",
        get(move || {
            let tx = tx.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let here = format!("{:?}", tokio::runtime::Handle::current().id());
                let (reply, answer) = tokio::sync::oneshot::channel();
                let _ = tx.send(reply).await;
                let served_by = answer.await.unwrap_or_default();
                format!("{here} {served_by}")
            }
        }),
    );
    let body = tokio::task::spawn_blocking(move || -> httpx::Result<String> {
        let client = httpx::Client::builder()
            .transport(AppTransport::new(app))
            .build()?;
        client.get("http://testserver/runtime").send()?.text()
    })
    .await
    .expect("the blocking task ran")?;
    assert_eq!(body, format!("{caller} {caller}"));
    Ok(())
}
