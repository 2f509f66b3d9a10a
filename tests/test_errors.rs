//! What a Rust user meets first: owned bodies from one-liners, request bodies streamed
//! from any error type, error messages that name each cause once (C-GOOD-ERR), and the
//! names reqwest users reach for. Against the test server and in-memory transports.
#![cfg(not(target_family = "wasm"))]

mod common;

use std::error::Error as _;

use bytes::Bytes;
use common::assert_chain_without_repeats;
use httpx::{AsyncClient, Body, Client, Error, ErrorKind, MockTransport, Response};
use httpx_test_server::TestServer;

fn server() -> &'static TestServer {
    static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(TestServer::start)
}

// ---------------------------------------------------------------------------------
// Owned bodies

#[test]
fn text_and_bytes_outlive_a_temporary_response() -> httpx::Result<()> {
    let client = Client::new();
    // The one-liners of reqwest and ureq users (E0716 when `text()` borrowed).
    let text: String = client.get(server().url("/robots.txt")).send()?.text()?;
    assert_eq!(text, "User-agent: *\nDisallow: /deny\n");
    let bytes: Bytes = client.get(server().url("/bytes/16")).send()?.bytes()?;
    assert_eq!(bytes.len(), 16);
    let top = httpx::get(server().url("/robots.txt"))?.text()?;
    assert_eq!(top, text);
    Ok(())
}

#[tokio::test]
async fn async_text_outlives_a_temporary_response() -> httpx::Result<()> {
    let client = AsyncClient::new();
    let text = client
        .get(server().url("/robots.txt"))
        .send()
        .await?
        .text()?;
    assert!(text.starts_with("User-agent"));
    Ok(())
}

#[test]
fn text_is_decoded_again_on_each_call_and_fixes_the_encoding() -> httpx::Result<()> {
    let mut response = Response::builder(200)
        .header("content-type", "text/plain; charset=latin-1")
        .content(&b"caf\xe9"[..])
        .build()?;
    let first = response.text()?;
    assert_eq!(first, "café");
    assert_eq!(response.text()?, first);
    // httpx: the encoding cannot change once the text has been accessed.
    let err = response.set_encoding("utf-8").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    Ok(())
}

#[test]
fn content_length_is_the_header_not_the_decoded_size() -> httpx::Result<()> {
    let response = Client::new().get(server().url("/gzip")).send()?;
    let wire = response
        .content_length()
        .expect("the server sends a length");
    assert_eq!(
        response.headers().get("content-encoding").as_deref(),
        Some("gzip")
    );
    assert_ne!(wire, response.content()?.len() as u64);

    let built = Response::builder(200)
        .header("content-length", "5, 5")
        .build()?;
    assert_eq!(built.content_length(), Some(5));
    let conflicting = Response::builder(200)
        .header("content-length", "5, 6")
        .build()?;
    assert_eq!(conflicting.content_length(), None);
    let chunked = Response::builder(200)
        .stream(["a", "b"].map(Ok::<_, Error>))
        .build()?;
    assert_eq!(chunked.content_length(), None);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Request bodies from any error type

/// An error type of the user's own.
#[derive(Debug)]
struct DiskGone;

impl std::fmt::Display for DiskGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the disk went away")
    }
}

impl std::error::Error for DiskGone {}

fn echo_client() -> httpx::Result<AsyncClient> {
    AsyncClient::builder()
        .transport(MockTransport::new(|request| {
            Response::builder(200)
                .content(request.content()?.to_vec())
                .build()
        }))
        .build()
}

#[tokio::test]
async fn a_tokio_file_streams_as_a_request_body() -> httpx::Result<()> {
    let path = std::env::temp_dir().join(format!("httpx-upload-{}.txt", std::process::id()));
    std::fs::write(&path, b"uploaded from a tokio file").map_err(Error::from)?;
    let file = tokio::fs::File::open(&path).await?;
    let len = file.metadata().await?.len();
    // ReaderStream yields Result<Bytes, std::io::Error>.
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file), Some(len));
    let response = AsyncClient::new()
        .post(server().url("/post"))
        .body(body)
        .send()
        .await?;
    let _ = std::fs::remove_file(&path);
    let echo: serde_json::Value = response.raise_for_status()?.json()?;
    assert_eq!(echo["data"], "uploaded from a tokio file");
    let headers = echo["headers"].as_object().expect("echoed headers");
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, value)| value.clone());
    assert_eq!(
        length,
        Some(serde_json::Value::from(len.to_string())),
        "{headers:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_failing_stream_is_a_write_error_whose_source_is_the_cause() -> httpx::Result<()> {
    let client = echo_client()?;

    let io = futures_util::stream::iter([
        Ok(Bytes::from_static(b"a")),
        Err(std::io::Error::other("read failed")),
    ]);
    let err = client
        .post("https://example.org/")
        .body(Body::from_stream(io, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteError, "{err:#}");
    assert_eq!(
        err.source().map(|s| s.to_string()).as_deref(),
        Some("read failed")
    );
    let report = assert_chain_without_repeats(&err);
    assert!(report.ends_with(": read failed"), "{report}");

    let own = futures_util::stream::iter([Ok::<_, DiskGone>("a"), Err(DiskGone)]);
    let err = client
        .post("https://example.org/")
        .body(Body::from_stream(own, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteError);
    assert!(err.source().is_some_and(|s| s.is::<DiskGone>()));
    assert_chain_without_repeats(&err);

    // An httpx error in the stream is kept as it is.
    let ours = futures_util::stream::iter([Err::<Bytes, _>(Error::new(
        ErrorKind::ReadTimeout,
        "upstream stalled",
    ))]);
    let err = client
        .post("https://example.org/")
        .body(Body::from_stream(ours, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    assert!(err.message().starts_with("upstream stalled"));
    Ok(())
}

#[test]
fn a_blocking_iterator_of_io_results_is_a_body() -> httpx::Result<()> {
    let client = Client::builder()
        .transport(MockTransport::new(|request| {
            Response::builder(200)
                .content(request.content()?.to_vec())
                .build()
        }))
        .build()?;
    let lines = ["a\n", "b\n"].map(Ok::<_, std::io::Error>);
    let text = client
        .post("https://example.org/")
        .body(Body::from_iter(lines, Some(4)))
        .send()?
        .text()?;
    assert_eq!(text, "a\nb\n");

    let failing = [
        Ok("a"),
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "slow disk",
        )),
    ];
    let err = client
        .post("https://example.org/")
        .body(Body::from_iter(failing, None))
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteTimeout, "{err:#}");
    assert_chain_without_repeats(&err);
    Ok(())
}

#[test]
fn io_errors_convert_both_ways() {
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no access");
    let err = Error::from(io);
    assert_eq!(err.kind(), ErrorKind::WriteError);
    assert_eq!(err.source().unwrap().to_string(), "no access");

    // An httpx error that went through io::Error comes back unchanged.
    let original = Error::new(ErrorKind::ReadTimeout, "slow server");
    let io: std::io::Error = original.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    let back = Error::from(io);
    assert_eq!(back.kind(), ErrorKind::ReadTimeout);
    assert_eq!(back.to_string(), "slow server");
}

// ---------------------------------------------------------------------------------
// Messages that name each cause once

#[test]
fn a_refused_connection_names_its_cause_once() {
    for err in [
        Client::new().get("http://127.0.0.1:1/").send().unwrap_err(),
        futures_executor::block_on(async {
            // The async client on a runtime of its own choosing.
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(AsyncClient::new().get("http://127.0.0.1:1/").send())
                .unwrap_err()
        }),
    ] {
        assert_eq!(err.kind(), ErrorKind::ConnectError, "{err:#}");
        assert!(err.is_connect() && err.is_network() && !err.is_timeout());
        let report = assert_chain_without_repeats(&err);
        assert!(
            report.starts_with("Connection to 127.0.0.1:1 failed (GET http://127.0.0.1:1/): "),
            "{report}"
        );
        // The io::Error is the cause, not part of the message.
        assert!(
            err.source().is_some_and(|s| s.is::<std::io::Error>()),
            "{err:?}"
        );
        assert!(!err.to_string().contains("refused"), "{err}");
        assert_eq!(format!("{err:#}"), report);
        assert_eq!(err.url().map(|u| u.as_str()), Some("http://127.0.0.1:1/"));
    }
}

#[test]
fn a_failed_name_resolution_names_its_cause_once() {
    let err = Client::new()
        .get("http://name-that-does-not-resolve.invalid/")
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectError, "{err:#}");
    let report = assert_chain_without_repeats(&err);
    assert!(
        report.starts_with("Name resolution failed for name-that-does-not-resolve.invalid"),
        "{report}"
    );
    assert!(err.source().is_some(), "{err:?}");
}

#[test]
fn invalid_json_names_its_cause_once() -> httpx::Result<()> {
    let response = Client::new().get(server().url("/html")).send()?;
    let err = response.json::<serde_json::Value>().unwrap_err();
    assert!(err.is_decode() && err.is_request(), "{err:#}");
    let report = assert_chain_without_repeats(&err);
    assert!(
        report.starts_with("Invalid JSON in response body"),
        "{report}"
    );
    assert!(
        report.ends_with(": expected value at line 1 column 1"),
        "{report}"
    );
    assert!(err.source().is_some_and(|s| s.is::<serde_json::Error>()));
    Ok(())
}

// TLS set-up errors need the rustls feature.
#[cfg(feature = "rustls")]
#[test]
fn tls_failures_name_their_cause_once() {
    let server = TestServer::start_with(httpx_test_server::Options::new().tls(true));
    let client = Client::builder().build().unwrap();
    // A certificate no system root signed.
    let err = client.get(server.url("/get")).send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectError, "{err:#}");
    let report = assert_chain_without_repeats(&err);
    assert!(
        report.contains("TLS handshake with 127.0.0.1 failed"),
        "{report}"
    );
    assert!(
        report.to_ascii_lowercase().contains("certificate"),
        "{report}"
    );

    // A CA bundle that holds no certificate, and one that cannot be read.
    let err = Client::builder()
        .ca_bundle_pem(b"not a certificate".to_vec())
        .build()
        .and_then(|c| c.get(server.url("/get")).send())
        .unwrap_err();
    assert_chain_without_repeats(&err);
    let transport = httpx::HttpTransport::builder()
        .ca_bundle_file("/nonexistent/ca.pem")
        .build();
    let err = transport
        .and_then(|t| Client::builder().transport(t).build())
        .and_then(|c| c.get(server.url("/get")).send())
        .unwrap_err();
    // Set-up errors are built once per transport and kept as text: the cause is in
    // the message, once.
    let report = assert_chain_without_repeats(&err);
    assert!(
        report.starts_with("cannot read the CA bundle /nonexistent/ca.pem: "),
        "{report}"
    );
    assert!(report.contains("No such file"), "{report}");
}

// ---------------------------------------------------------------------------------
// reqwest's names

#[test]
fn reqwest_predicates_map_onto_httpx_classes() -> httpx::Result<()> {
    let looping = Client::builder()
        .transport(MockTransport::new(|_| {
            Response::builder(302).header("location", "/again").build()
        }))
        .follow_redirects(true)
        .max_redirects(3)
        .build()?;
    let err = looping.get("https://example.org/").send().unwrap_err();
    assert!(err.is_redirect() && err.is_request(), "{err:#}");
    assert!(!err.is_connect() && !err.is_decode() && !err.is_status());

    let missing = Client::builder()
        .transport(MockTransport::new(|_| Response::builder(404).build()))
        .build()?;
    let err = missing
        .get("https://example.org/gone")
        .send()?
        .raise_for_status()
        .unwrap_err();
    assert!(err.is_status() && !err.is_request());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        err.url().map(|u| u.path().into_owned()).as_deref(),
        Some("/gone")
    );

    for kind in [ErrorKind::ConnectError, ErrorKind::ConnectTimeout] {
        assert!(Error::new(kind, "x").is_connect());
    }
    assert!(Error::new(ErrorKind::ConnectTimeout, "x").is_timeout());
    for kind in [
        ErrorKind::ProxyError,
        ErrorKind::ReadError,
        ErrorKind::PoolTimeout,
    ] {
        assert!(!Error::new(kind, "x").is_connect(), "{kind}");
    }
    assert!(Error::new(ErrorKind::DecodingError, "x").is_decode());
    Ok(())
}
