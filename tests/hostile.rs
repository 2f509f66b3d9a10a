//! The native transport against a hostile server (`FaultMode::Hostile` of
//! `httpx_test_server::FaultServer`, and TLS servers with bad certificates): ambiguous and
//! broken framing, bytes after a body, slow-drip heads and bodies, header floods,
//! decompression bombs, redirect loops, control characters in `Location`, and bad
//! certificates. Each case runs with the blocking `Client` and with the `AsyncClient`,
//! asserts the error kind, then sends a normal request on the same client and checks that
//! it gets its own answer, on a new connection when the hostile one may be poisoned.
//!
//! Here a decompression bomb is checked to stream in bounded chunks; a bomb read whole
//! against `max_body_size` is in tests/test_limits.rs.
#![cfg(not(target_family = "wasm"))]

mod common;
use common::assert_error;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use httpx::ErrorKind;
use httpx_test_server::{
    Certificates, FaultMode, FaultServer, Options, ReceivedRequest, TestServer,
};

/// Every case must end well within this, whatever the server does.
const CASE_LIMIT: Duration = Duration::from_secs(4);

/// The largest piece the decoders hand out (the crate decodes in 64 KiB steps).
const MAX_PIECE: usize = 64 * 1024;

fn hostile() -> FaultServer {
    FaultServer::start(FaultMode::Hostile)
}

/// The requests the server received for `target`.
fn received(server: &FaultServer, target: &str) -> Vec<ReceivedRequest> {
    server
        .received()
        .into_iter()
        .filter(|r| r.target == target)
        .collect()
}

/// The connection the (only) request for `target` came on.
#[track_caller]
fn connection_of(server: &FaultServer, target: &str) -> usize {
    let seen = received(server, target);
    assert_eq!(seen.len(), 1, "requests for {target}: {seen:#?}");
    seen[0].connection
}

/// Asserts that no request the server received carries a header smuggled through a
/// `Location` (a line starting with `X-Injected`) and that every request line is
/// `METHOD SP target SP version` with no control character or space in the target.
#[track_caller]
fn assert_no_injection(server: &FaultServer) {
    for request in server.received() {
        for line in request.head.split("\r\n") {
            assert!(
                !line.to_ascii_lowercase().starts_with("x-injected"),
                "a header was injected: {:?}",
                request.head
            );
        }
        let request_line = request.head.split("\r\n").next().unwrap_or_default();
        let parts: Vec<&str> = request_line.split(' ').collect();
        assert_eq!(parts.len(), 3, "request line {request_line:?}");
        assert!(
            !parts[1].bytes().any(|b| b.is_ascii_control() || b >= 0x80),
            "raw control or non-ASCII bytes in the target {request_line:?}"
        );
        assert_eq!(request.target, parts[1]);
    }
}

/// A streamed body read chunk by chunk without keeping it: `read()` / `aread()`, so
/// that `read!(ChunkStats::of(&mut response))` works with both clients.
struct ChunkStats<'a>(&'a mut httpx::Response);

/// What a streamed read saw: the number of chunks, the largest, the total.
#[derive(Debug, Default)]
struct Stats {
    chunks: usize,
    largest: usize,
    total: usize,
}

impl Stats {
    fn add(&mut self, chunk: &[u8]) {
        assert!(chunk.iter().all(|&b| b == 0), "a bomb decodes to zeros");
        self.chunks += 1;
        self.largest = self.largest.max(chunk.len());
        self.total += chunk.len();
    }
}

impl ChunkStats<'_> {
    fn of(response: &mut httpx::Response) -> ChunkStats<'_> {
        ChunkStats(response)
    }

    fn read(self) -> httpx::Result<Stats> {
        let mut stats = Stats::default();
        for chunk in self.0.iter_bytes() {
            stats.add(&chunk?);
        }
        Ok(stats)
    }

    async fn aread(self) -> httpx::Result<Stats> {
        use futures_util::StreamExt;
        let mut stats = Stats::default();
        let mut stream = std::pin::pin!(self.0.aiter_bytes());
        while let Some(chunk) = stream.next().await {
            stats.add(&chunk?);
        }
        Ok(stats)
    }
}

/// Sends a well-behaved request to `server` on `client` and checks it gets its own
/// answer (not bytes the hostile one left behind); evaluates to the connection it came
/// on.
macro_rules! next_answer_is_clean {
    ($client:expr, $server:expr, $tag:expr) => {{
        let target = format!("/ok/{}", $tag);
        let response = send!($client.get($server.url(&target)))?;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers().get("x-smuggled"),
            None,
            "a smuggled response was taken as the answer to {target}"
        );
        assert_eq!(response.text()?, format!("answer to {target}"));
        connection_of(&$server, &target)
    }};
}

/// The hostile request's connection was not reused for the next request.
macro_rules! poisoned_connection_not_reused {
    ($client:expr, $server:expr, $hostile_target:expr, $tag:expr) => {{
        let hostile_connection = connection_of(&$server, $hostile_target);
        let next = next_answer_is_clean!($client, $server, $tag);
        assert_ne!(
            next, hostile_connection,
            "the connection of {} was reused",
            $hostile_target
        );
    }};
}

// ---------------------------------------------------------------------------------------
// Framing attacks.

mod framing {
    use super::*;

    dual_test! {
        fn conflicting_duplicate_content_length_is_refused() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/duplicate-content-length";
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &["content-length"]);
            poisoned_connection_not_reused!(client, server, target, "after-duplicate");
            Ok(())
        }

        /// Transfer-Encoding wins over Content-Length (RFC 9112 §6.3, as in httpx), but
        /// such a message may be a smuggling attempt: the connection is not used again,
        /// so whatever the Content-Length covered beyond the chunked body is never read
        /// as a response.
        fn content_length_with_chunked_is_read_chunked_and_not_reused() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/content-length-and-chunked";
            let response = send!(client.get(server.url(target)))?;
            assert_eq!(response.text()?, "hello");
            for round in 0..3 {
                poisoned_connection_not_reused!(client, server, target, format!("after-te-cl-{round}"));
            }
            Ok(())
        }

        /// The same with the smuggled response written 150 ms after the chunked body,
        /// when the client may already have sent its next request on the connection.
        fn content_length_with_chunked_and_a_late_smuggled_response() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/content-length-and-chunked?delay_ms=150";
            let response = send!(client.get(server.url(target)))?;
            assert_eq!(response.text()?, "hello");
            poisoned_connection_not_reused!(client, server, target, "after-late-smuggling");
            Ok(())
        }

        fn bad_chunk_sizes_are_refused() {
            let server = hostile();
            let client = builder!().build()?;
            for kind in ["non-hex", "overflow", "negative"] {
                let target = format!("/hostile/chunk-size/{kind}");
                let err = send!(client.get(server.url(&target))).unwrap_err();
                assert_error(&err, ErrorKind::RemoteProtocolError, &["chunk"]);
                poisoned_connection_not_reused!(client, server, &target, format!("after-{kind}"));
            }
            Ok(())
        }

        /// A complete response arrives right after the body, in the same packet: the
        /// body is the 5 bytes announced, and the extra response is never the answer
        /// to the next request.
        fn bytes_after_the_body_are_not_the_next_response() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/bytes-after-body";
            let response = send!(client.get(server.url(target)))?;
            assert_eq!(response.headers().get("x-smuggled"), None);
            assert_eq!(response.text()?, "hello");
            poisoned_connection_not_reused!(client, server, target, "after-extra-bytes");
            Ok(())
        }

        /// The same, streamed: the body ends after its 5 bytes.
        fn bytes_after_a_streamed_body_are_not_the_next_response() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/bytes-after-body";
            let mut response = send!(client.stream("GET", server.url(target)))?;
            assert_eq!(bytes!(response)?.concat(), b"hello");
            poisoned_connection_not_reused!(client, server, target, "after-extra-bytes");
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Slow drip: a byte every N ms.

mod slow_drip {
    use super::*;

    dual_test! {
        /// A byte every 300 ms: each read waits longer than the read timeout.
        fn slow_head_hits_the_read_timeout() {
            let server = hostile();
            let client = builder!().timeout(httpx::Timeout::new(5.0).read(0.1)).build()?;
            let target = "/hostile/slow-head?interval_ms=300";
            let start = Instant::now();
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::ReadTimeout, &["read timeout"]);
            assert!(start.elapsed() < CASE_LIMIT, "{:?}", start.elapsed());
            poisoned_connection_not_reused!(client, server, target, "after-slow-head");
            Ok(())
        }

        /// A byte every 20 ms never trips a 1 s read timeout: the total timeout ends it.
        fn slow_head_hits_the_total_timeout() {
            let server = hostile();
            let client = builder!().timeout(httpx::Timeout::new(1.0).total(0.4)).build()?;
            let target = "/hostile/slow-head?interval_ms=20";
            let start = Instant::now();
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::TotalTimeout, &["total timeout"]);
            let elapsed = start.elapsed();
            assert!(elapsed >= Duration::from_millis(350) && elapsed < CASE_LIMIT, "{elapsed:?}");
            poisoned_connection_not_reused!(client, server, target, "after-slow-head");
            Ok(())
        }

        fn slow_body_hits_the_read_timeout() {
            let server = hostile();
            let client = builder!().timeout(httpx::Timeout::new(5.0).read(0.1)).build()?;
            let target = "/hostile/slow-body?interval_ms=300&bytes=20";
            let start = Instant::now();
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::ReadTimeout, &["read timeout"]);
            assert!(start.elapsed() < CASE_LIMIT, "{:?}", start.elapsed());
            poisoned_connection_not_reused!(client, server, target, "after-slow-body");
            Ok(())
        }

        fn slow_body_hits_the_total_timeout() {
            let server = hostile();
            let client = builder!().timeout(httpx::Timeout::new(1.0).total(0.4)).build()?;
            let target = "/hostile/slow-body?interval_ms=20&bytes=200";
            let start = Instant::now();
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::TotalTimeout, &["total timeout"]);
            let elapsed = start.elapsed();
            assert!(elapsed >= Duration::from_millis(350) && elapsed < CASE_LIMIT, "{elapsed:?}");
            poisoned_connection_not_reused!(client, server, target, "after-slow-body");
            Ok(())
        }

        /// Streamed: the total timeout also ends a body read after `send` returned.
        fn slow_streamed_body_hits_the_total_timeout() {
            let server = hostile();
            let client = builder!().timeout(httpx::Timeout::new(1.0).total(0.4)).build()?;
            let target = "/hostile/slow-body?interval_ms=20&bytes=200";
            let start = Instant::now();
            let mut response = send!(client.stream("GET", server.url(target)))?;
            let err = bytes!(response).unwrap_err();
            assert_error(&err, ErrorKind::TotalTimeout, &["total timeout"]);
            assert!(start.elapsed() < CASE_LIMIT, "{:?}", start.elapsed());
            drop(response);
            poisoned_connection_not_reused!(client, server, target, "after-slow-stream");
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Header floods.

mod header_flood {
    use super::*;

    dual_test! {
        /// 1000 short headers (16 KB: the head's size is fine, their number is not).
        fn a_thousand_headers_are_refused() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/header-flood?count=1000";
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &["too large"]);
            poisoned_connection_not_reused!(client, server, target, "after-flood");
            Ok(())
        }

        fn a_huge_header_line_is_refused() {
            let server = hostile();
            let client = builder!().build()?;
            let target = "/hostile/huge-header?kib=1024";
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &["too large"]);
            poisoned_connection_not_reused!(client, server, target, "after-huge-header");
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Decompression bombs. (Limits on the decoded size are another option's business; here
// the read is streamed and must come in bounded pieces.)

mod bombs {
    use super::*;

    const MIB: usize = 32;

    dual_test! {
        fn bombs_stream_in_bounded_chunks() {
            let server = hostile();
            let client = builder!().build()?;
            for coding in ["gzip", "deflate", "br", "zstd"] {
                let target = format!("/hostile/bomb/{coding}?mib={MIB}");
                let mut response = send!(client.stream("GET", server.url(&target)))?;
                assert_eq!(response.headers().get("content-encoding").as_deref(), Some(coding));
                let compressed: usize = response
                    .headers()
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .expect("a Content-Length");
                assert!(compressed < MIB << 20 >> 6, "{coding}: a bomb is small ({compressed} bytes)");
                let stats = read!(ChunkStats::of(&mut response))?;
                assert_eq!(stats.total, MIB << 20, "{coding}");
                assert!(stats.largest <= MAX_PIECE, "{coding}: a {} byte chunk", stats.largest);
                assert!(stats.chunks >= (MIB << 20) / MAX_PIECE, "{coding}: {stats:?}");
                assert_eq!(response.num_bytes_downloaded(), compressed as u64, "{coding}");
                next_answer_is_clean!(client, server, format!("after-{coding}"));
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Redirects: loops, and control characters in Location.

mod redirects {
    use super::*;

    /// `/hostile/location?to=...`: a 302 whose Location is `raw`, written as is.
    fn location_url(server: &FaultServer, raw: &[u8]) -> String {
        let encoded = percent_encoding::percent_encode(raw, percent_encoding::NON_ALPHANUMERIC);
        server.url(&format!("/hostile/location?to={encoded}"))
    }

    dual_test! {
        fn redirect_loop_stops_at_max_redirects() {
            let server = hostile();
            let client = builder!().follow_redirects(true).max_redirects(3).build()?;
            let target = "/hostile/redirect-loop";
            let err = send!(client.get(server.url(target))).unwrap_err();
            assert_error(&err, ErrorKind::TooManyRedirects, &["redirects"]);
            // The first request and three redirects.
            assert_eq!(received(&server, target).len(), 4);
            next_answer_is_clean!(client, server, "after-loop");
            Ok(())
        }

        /// A raw CRLF ends the Location field on the wire: what follows is another
        /// response header, never a header of the next request.
        fn crlf_in_location_ends_the_field() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let url = location_url(&server, b"/ok/crlf\r\nX-Injected: 1");
            let response = send!(client.get(url))?;
            assert_eq!(response.text()?, "answer to /ok/crlf");
            assert_eq!(response.history().len(), 1);
            assert_eq!(response.history()[0].headers().get("x-injected").as_deref(), Some("1"));
            assert_no_injection(&server);
            next_answer_is_clean!(client, server, "after-crlf");
            Ok(())
        }

        /// A bare LF ends a field too (RFC 9112 §2.2 lets a recipient accept it).
        fn bare_lf_in_location_ends_the_field() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let url = location_url(&server, b"/ok/lf\nX-Injected: 1");
            let response = send!(client.get(url))?;
            assert_eq!(response.text()?, "answer to /ok/lf");
            assert_no_injection(&server);
            next_answer_is_clean!(client, server, "after-lf");
            Ok(())
        }

        /// Percent-encoded CR LF stay encoded in the request target.
        fn encoded_crlf_in_location_stays_encoded() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let url = location_url(&server, b"/ok/encoded?q=%0D%0AX-Injected:%201");
            let response = send!(client.get(url))?;
            assert_eq!(response.status(), 200);
            let follow = server.received().pop().expect("the redirected request");
            assert_eq!(follow.target, "/ok/encoded?q=%0D%0AX-Injected:%201");
            assert_no_injection(&server);
            next_answer_is_clean!(client, server, "after-encoded");
            Ok(())
        }

        /// Spaces cannot split the request line: they are percent-encoded.
        fn spaces_in_location_are_encoded() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let url = location_url(&server, b"/ok/space?q=a b HTTP/1.1");
            let response = send!(client.get(url))?;
            assert_eq!(response.status(), 200);
            let follow = server.received().pop().expect("the redirected request");
            assert_eq!(follow.target, "/ok/space?q=a%20b%20HTTP/1.1");
            assert_no_injection(&server);
            next_answer_is_clean!(client, server, "after-space");
            Ok(())
        }

        /// Control characters other than HTAB in a field value are a broken response
        /// (RFC 9110 §5.5): refused, nothing is sent for it.
        fn control_characters_in_location_are_refused() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            for (name, raw) in [
                ("bare-cr", &b"/ok/cr\rX-Injected: 1"[..]),
                ("nul", &b"/ok/nul\x00X-Injected: 1"[..]),
                ("ctl", &b"/ok/ctl\x01\x1b[0m"[..]),
                ("del", &b"/ok/del\x7f"[..]),
            ] {
                let before = server.received().len();
                let err = send!(client.get(location_url(&server, raw))).unwrap_err();
                assert_error(&err, ErrorKind::RemoteProtocolError, &["invalid http header"]);
                assert_eq!(server.received().len(), before + 1, "{name}: nothing followed");
                assert_no_injection(&server);
                next_answer_is_clean!(client, server, format!("after-{name}"));
            }
            Ok(())
        }

        /// A folded line (obs-fold) continuing Location is refused.
        fn folded_location_is_refused() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let err = send!(client.get(location_url(&server, b"/ok/fold\r\n X-Injected: 1"))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &["invalid http header"]);
            assert_eq!(server.received().len(), 1);
            next_answer_is_clean!(client, server, "after-fold");
            Ok(())
        }

        /// An encoded CR LF in the host of an absolute Location is not a URL.
        fn encoded_crlf_in_the_location_host_is_refused() {
            let server = hostile();
            let client = builder!().follow_redirects(true).build()?;
            let raw = format!("http://127.0.0.1%0D%0AX-Injected:%201:{}/ok", server.addr().port());
            let err = send!(client.get(location_url(&server, raw.as_bytes()))).unwrap_err();
            assert_error(&err, ErrorKind::RemoteProtocolError, &["location"]);
            assert_eq!(server.received().len(), 1);
            next_answer_is_clean!(client, server, "after-host");
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// TLS with bad certificates.

mod bad_certificates {
    use super::*;

    fn tls_server(
        slot: &'static OnceLock<TestServer>,
        make: fn() -> std::io::Result<Certificates>,
    ) -> &'static TestServer {
        slot.get_or_init(|| {
            TestServer::start_with(Options::new().certificates(make().expect("certificates")))
        })
    }

    fn expired() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        tls_server(&SERVER, Certificates::generate_expired)
    }

    fn wrong_host() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        tls_server(&SERVER, || Certificates::generate_for(&["other.example"]))
    }

    fn self_signed() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        tls_server(&SERVER, Certificates::generate_self_signed)
    }

    fn unknown_ca() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        tls_server(&SERVER, Certificates::generate)
    }

    dual_test! {
        fn expired_certificate() {
            let plain = hostile();
            let client = builder!().ca_bundle_pem(expired().ca_pem()).build()?;
            let err = send!(client.get(expired().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate", "expired"]);
            next_answer_is_clean!(client, plain, "after-expired");
            Ok(())
        }

        fn wrong_host_name() {
            let plain = hostile();
            let client = builder!().ca_bundle_pem(wrong_host().ca_pem()).build()?;
            let err = send!(client.get(wrong_host().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate", "name"]);
            next_answer_is_clean!(client, plain, "after-wrong-host");
            Ok(())
        }

        /// Self-signed: unknown to the system's roots, and trusting the CA that
        /// signed the server's other certificates does not help either.
        fn self_signed_certificate() {
            let plain = hostile();
            let client = builder!().build()?;
            let err = send!(client.get(self_signed().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate", "issuer"]);
            let trusting = builder!().ca_bundle_pem(self_signed().ca_pem()).build()?;
            let err = send!(trusting.get(self_signed().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate", "issuer"]);
            next_answer_is_clean!(client, plain, "after-self-signed");
            Ok(())
        }

        fn unknown_certificate_authority() {
            let plain = hostile();
            let client = builder!().build()?;
            let err = send!(client.get(unknown_ca().url("/get"))).unwrap_err();
            assert_error(&err, ErrorKind::ConnectError, &["certificate", "issuer"]);
            next_answer_is_clean!(client, plain, "after-unknown-ca");
            Ok(())
        }

        /// `verify(false)` accepts any certificate: every bad one above is served.
        fn verify_false_accepts_bad_certificates() {
            let client = builder!().verify(false).build()?;
            for server in [expired(), wrong_host(), self_signed(), unknown_ca()] {
                let response = send!(client.get(server.url("/get")))?;
                assert_eq!(response.status(), 200, "{}", server.url("/get"));
                assert_eq!(response.json::<serde_json::Value>()?["tls"], true);
            }
            Ok(())
        }
    }
}
