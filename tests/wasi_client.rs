//! The WASI transport end to end: both clients in a component (wasmtime, or jco) against
//! the test server on 127.0.0.1. Every test runs with `Client` and `AsyncClient`.
//!
//! `make test-wasi` builds this with `HTTPX_TEST_SERVER` set and runs it with
//! `-- --nocapture` (wasm32 is panic=abort: a panic ends the binary, so checks return
//! errors instead).
#![cfg(target_os = "wasi")]

#[macro_use]
mod wasi_support;

use httpx::auth::{BasicAuth, DigestAuth};
use httpx::{Body, ErrorKind, Multipart, Part};
use wasi_support::{expect_error, json, port, runtime, url};

wasi_dual! {
    fn get_with_default_headers() {
        let client = builder!().build()?;
        let response = send!(client.get(url("/get?a=1&b=two")))?;
        check_eq!(response.status_code(), 200);
        // The host gives neither: the standard phrase and HTTP/1.1.
        check_eq!(response.reason_phrase(), "OK");
        check_eq!(response.http_version(), "HTTP/1.1");
        let body = json(&response)?;
        check_eq!(body["args"]["b"], "two");
        check_eq!(body["url"], url("/get?a=1&b=two"));
        let headers = &body["headers"];
        check_eq!(headers["host"], format!("127.0.0.1:{}", port()));
        check_eq!(headers["accept"], "*/*");
        check!(headers["user-agent"].as_str().unwrap_or("").starts_with("httpx-rs/"));
        check!(headers["accept-encoding"].as_str().unwrap_or("").contains("gzip"));
        // The client's `Connection: keep-alive` is forbidden by the host: dropped.
        if runtime() == "wasmtime" {
            // Node's HTTP agent (under jco) adds `Connection: keep-alive` by itself.
            check!(headers.get("connection").is_none(), "{headers}");
        }
        Ok(())
    }

    fn reason_phrases_are_the_standard_ones() {
        let client = builder!().build()?;
        let teapot = send!(client.get(url("/status/418")))?;
        check_eq!(teapot.reason_phrase(), "I'm a teapot");
        let odd = send!(client.get(url("/status/299")))?;
        check_eq!(odd.status_code(), 299);
        check_eq!(odd.reason_phrase(), "");
        let missing = send!(client.get(url("/status/404")))?;
        let err = expect_error(missing.raise_for_status(), ErrorKind::HttpStatus, "404")?;
        check_eq!(err.status().map(|s| s.as_u16()), Some(404));
        Ok(())
    }

    fn methods_including_extension_methods() {
        let client = builder!().build()?;
        for method in ["PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"] {
            let response = send!(client.request(method, url("/anything")))?;
            check_eq!(response.status_code(), 200);
            check_eq!(json(&response)?["method"], method);
        }
        let head = send!(client.head(url("/get")))?;
        check_eq!(head.status_code(), 200);
        check!(head.content()?.is_empty());
        Ok(())
    }

    fn bytes_json_and_form_bodies() {
        let client = builder!().build()?;
        let r = send!(client.post(url("/post")).content("hello"))?;
        let body = json(&r)?;
        check_eq!(body["data"], "hello");
        check_eq!(body["headers"]["content-length"], "5");

        let r = send!(client.put(url("/put")).json(&serde_json::json!({"a": [1, 2]})))?;
        let body = json(&r)?;
        check_eq!(body["json"]["a"][1], 2);
        check_eq!(body["headers"]["content-type"], "application/json");

        let r = send!(client.patch(url("/patch")).form([("x", "1"), ("y", "a b")]))?;
        let body = json(&r)?;
        check_eq!(body["form"]["y"], "a b");

        // POST without a body sends Content-Length: 0.
        let r = send!(client.post(url("/post")))?;
        check_eq!(json(&r)?["headers"]["content-length"], "0");
        Ok(())
    }

    fn multipart_bodies() {
        let client = builder!().build()?;
        let form = Multipart::new()
            .text("field", "value")
            .part("file", Part::bytes(vec![0u8, 159, 146, 150]).file_name("blob.bin"));
        let r = send!(client.post(url("/post")).multipart(form))?;
        let body = json(&r)?;
        check_eq!(body["form"]["field"], "value");
        check_eq!(body["files"]["file"]["filename"], "blob.bin");
        check_eq!(body["files"]["file"]["size"], 4);
        Ok(())
    }

    fn streamed_request_bodies() {
        let client = builder!().build()?;
        // Unknown length: chunked (the host frames it; our Transfer-Encoding is dropped).
        let chunks = vec![Ok::<_, httpx::Error>("ab"), Ok("cd"), Ok("ef")];
        let r = send!(client.post(url("/post")).body(Body::from_iter(chunks, None)))?;
        let body = json(&r)?;
        check_eq!(body["data"], "abcdef");
        check_eq!(body["chunked"], true);
        // Known length: Content-Length.
        let chunks = vec![Ok::<_, httpx::Error>("ab"), Ok("cd")];
        let r = send!(client.post(url("/post")).body(Body::from_iter(chunks, Some(4))))?;
        let body = json(&r)?;
        check_eq!(body["data"], "abcd");
        check_eq!(body["chunked"], false);
        // A reader.
        let reader = std::io::Cursor::new(b"from a reader".to_vec());
        let r = send!(client.post(url("/post")).body(Body::from_reader(reader, None)))?;
        check_eq!(json(&r)?["data"], "from a reader");
        Ok(())
    }

    fn large_uploads_respect_backpressure() {
        // 5 MiB is more than wasmtime's output stream takes at once (1 MiB): the upload
        // has to wait on check-write.
        let client = builder!().build()?;
        let size = 5 * 1024 * 1024;
        let r = send!(client.post(url("/upload")).content(vec![b'x'; size]))?;
        check_eq!(json(&r)?["body_length"], size);
        let chunk = vec![b'y'; 256 * 1024];
        let chunks = (0..12).map(move |_| Ok::<_, httpx::Error>(chunk.clone()));
        let r = send!(client.post(url("/upload")).body(Body::from_iter(chunks, None)))?;
        let body = json(&r)?;
        check_eq!(body["body_length"], 12 * 256 * 1024);
        check_eq!(body["chunked"], true);
        Ok(())
    }

    fn a_mismatched_content_length_is_a_local_error() {
        let client = builder!().build()?;
        let chunks = vec![Ok::<_, httpx::Error>("abc")];
        let result = send!(client.post(url("/post")).body(Body::from_iter(chunks, Some(10))));
        expect_error(result, ErrorKind::LocalProtocolError, "HTTP-request-body-size")?;
        Ok(())
    }

    fn streamed_responses() {
        let client = builder!().build()?;
        let mut response = send!(client.stream("GET", url("/stream-bytes/200000?chunk_size=4096")))?;
        let chunks = bytes!(response)?;
        let total: usize = chunks.iter().map(|c| c.len()).sum();
        check_eq!(total, 200_000);
        check!(chunks.len() > 1, "{} chunks", chunks.len());

        let mut response = send!(client.stream("GET", url("/stream/20")))?;
        let lines = lines!(response)?;
        check_eq!(lines.iter().filter(|l| !l.is_empty()).count(), 20);

        // A large body read whole.
        let response = send!(client.get(url("/bytes/1000000?seed=3")))?;
        check_eq!(response.content()?.len(), 1_000_000);
        Ok(())
    }

    fn redirects_with_history() {
        let client = builder!().follow_redirects(true).build()?;
        let response = send!(client.get(url("/redirect/3")))?;
        check_eq!(response.status_code(), 200);
        check_eq!(response.history().len(), 3);
        check_eq!(response.history()[0].status_code(), 302);
        check_eq!(response.url().map(|u| u.path().into_owned()), Some("/get".into()));

        let response = send!(client.get(url("/absolute-redirect/2")))?;
        check_eq!(response.history().len(), 2);

        // 307 keeps the method and the body.
        let response = send!(client
            .post(url("/redirect-to?url=/anything&status_code=307"))
            .content("kept"))?;
        let body = json(&response)?;
        check_eq!(body["method"], "POST");
        check_eq!(body["data"], "kept");

        // Not following: the 302 and the request that would follow.
        let client = builder!().build()?;
        let response = send!(client.get(url("/redirect/1")))?;
        check_eq!(response.status_code(), 302);
        check!(response.next_request().is_some());

        let client = builder!().follow_redirects(true).max_redirects(3).build()?;
        let result = send!(client.get(url("/redirect-loop")));
        expect_error(result, ErrorKind::TooManyRedirects, "redirects")?;
        Ok(())
    }

    fn cookies_across_requests() {
        let client = builder!().follow_redirects(true).build()?;
        let response = send!(client.get(url("/cookies/set?flavour=oat&size=big")))?;
        check_eq!(json(&response)?["cookies"]["flavour"], "oat");
        // Kept by the client's jar for later requests.
        let response = send!(client.get(url("/cookies")))?;
        let body = json(&response)?;
        check_eq!(body["cookies"]["size"], "big");
        check_eq!(client.cookies().get("flavour", None, None)?.as_deref(), Some("oat"));
        let response = send!(client.get(url("/cookies/delete?flavour")))?;
        check!(json(&response)?["cookies"].get("flavour").is_none());
        Ok(())
    }

    fn compressed_bodies_are_decoded_by_the_client() {
        let client = builder!().build()?;
        for (path, key) in [("/gzip", "gzip"), ("/deflate", "deflated"), ("/brotli", "brotli"), ("/zstd", "zstd")] {
            let response = send!(client.get(url(path)))?;
            check_eq!(response.status_code(), 200);
            let body = json(&response)?;
            check!(body.get(key).is_some() || body.get(path.trim_start_matches('/')).is_some(), "{path}: {body}");
        }
        let response = send!(client.get(url("/compressed/gzip,br,zstd?body=layers&repeat=3")))?;
        check_eq!(response.text()?, "layerslayerslayers");
        // The host passes the bytes through raw: iter_raw sees them compressed.
        let mut response = send!(client.stream("GET", url("/compressed/gzip?body=abc&repeat=100")))?;
        let raw: Vec<u8> = raw!(response)?.concat();
        check_eq!(&raw[..2], &[0x1f, 0x8b][..]);
        Ok(())
    }

    fn basic_and_digest_auth() {
        let client = builder!().build()?;
        let response = send!(client.get(url("/basic-auth/user/pass")).auth(BasicAuth::new("user", "pass")))?;
        check_eq!(response.status_code(), 200);
        check_eq!(json(&response)?["authenticated"], true);
        let response = send!(client.get(url("/basic-auth/user/pass")).auth(("user", "wrong")))?;
        check_eq!(response.status_code(), 401);

        let client = builder!().auth(DigestAuth::new("user", "pass")).build()?;
        for path in ["/digest-auth/auth/user/pass", "/digest-auth/auth/user/pass/SHA-256"] {
            let response = send!(client.get(url(path)))?;
            check_eq!(response.status_code(), 200, "{path}");
            check_eq!(response.history().len(), 1);
        }
        // auth-int hashes the body.
        let response = send!(client.post(url("/digest-auth/auth-int/user/pass")).content("payload"))?;
        check_eq!(response.status_code(), 200);
        Ok(())
    }

    fn forbidden_headers() {
        let client = builder!().build()?;
        // Set by the caller: refused, naming the header.
        let result = send!(client.get(url("/get")).header("Connection", "close"));
        expect_error(result, ErrorKind::LocalProtocolError, "'connection'")?;
        let result = send!(client.get(url("/get")).header("Upgrade", "websocket"));
        expect_error(result, ErrorKind::LocalProtocolError, "upgrade")?;
        // A Host header other than the URL's cannot be sent either.
        let result = send!(client.get(url("/get")).header("Host", "example.org"));
        expect_error(result, ErrorKind::LocalProtocolError, "host")?;
        Ok(())
    }

    fn connection_errors() {
        let client = builder!().build()?;
        // Port 9 (discard) is closed on the loopback.
        let result = send!(client.get("http://127.0.0.1:9/"));
        let err = expect_error(result, ErrorKind::ConnectError, "connection-refused")?;
        check!(err.request().is_some());
        // TLS to a plain HTTP port: the handshake fails.
        let result = send!(client.get(format!("https://127.0.0.1:{}/get", port())));
        let err = match result {
            Err(e) => e,
            Ok(r) => return Err(wasi_support::fail(format!("TLS to a plain port answered {}", r.status()))),
        };
        check!(err.kind() == ErrorKind::ConnectError || err.kind() == ErrorKind::RemoteProtocolError, "{err:?}");
        let result = send!(client.get("ftp://127.0.0.1/"));
        expect_error(result, ErrorKind::UnsupportedProtocol, "ftp")?;
        Ok(())
    }

    fn broken_responses() {
        let client = builder!().build()?;
        let result = send!(client.get(url("/fault/garbage")));
        let err = match result {
            Err(e) => e,
            Ok(r) => return Err(wasi_support::fail(format!("garbage answered {}", r.status()))),
        };
        if runtime() == "jco" {
            // jco reports Node's parse errors as `internal-error` (its catch-all), which
            // means a ConnectError before any response.
            check!(err.kind() == ErrorKind::ConnectError && err.message().contains("internal-error"), "{err:?}");
        } else {
            check!(err.kind() == ErrorKind::RemoteProtocolError, "{err:?}");
        }
        let result = send!(client.get(url("/fault/close-mid-body")));
        let err = match result {
            Err(e) => e,
            Ok(r) => return Err(wasi_support::fail(format!("a cut body answered {}", r.status()))),
        };
        check!(err.is_transport(), "{err:?}");
        Ok(())
    }
}
