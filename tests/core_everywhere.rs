//! The core on every target: the same tests natively (tokio), in the browser and Node
//! (wasm-bindgen-test on wasm32-unknown-unknown) and in WASI (wasmtime on wasm32-wasip2).
//! They use no network: the point is that the send loop, the clock, randomness and
//! pure-Rust decoding work on each host.

use std::io::Write;

use httpx::auth::DigestAuth;
use httpx::{AsyncClient, ErrorKind, MockTransport, Multipart, Part, Response, Timeout};

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! everywhere {
    ($(async fn $name:ident() $body:block)*) => {$(
        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        #[wasm_bindgen_test]
        async fn $name() $body

        #[cfg(target_os = "wasi")]
        #[test]
        fn $name() {
            futures_executor::block_on(async $body)
        }

        #[cfg(not(target_family = "wasm"))]
        #[tokio::test]
        async fn $name() $body
    )*};
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn app() -> MockTransport {
    MockTransport::new(|request| match request.url().path().as_ref() {
        "/login" => Response::builder(303)
            .header("location", "/home")
            .header("set-cookie", "session=abc; Path=/")
            .build(),
        "/home" => {
            let cookie = request.headers().get("cookie").unwrap_or_default();
            Response::builder(200)
                .json(&serde_json::json!({"cookie": cookie, "method": request.method().as_str()}))
                .build()
        }
        "/gzip" => Response::builder(200)
            .header("content-encoding", "gzip")
            .content(gzip("hello, compressed world".as_bytes()))
            .build(),
        "/echo" => {
            let body = request.content()?.to_vec();
            let content_type = request.headers().get("content-type").unwrap_or_default();
            Response::builder(200)
                .header("x-content-type", content_type.as_ref())
                .content(body)
                .build()
        }
        _ => Response::builder(404).build(),
    })
}

everywhere! {
    async fn redirects_and_cookies_in_the_core() {
        let client = AsyncClient::builder()
            .transport(app())
            .base_url("https://example.org")
            .follow_redirects(true)
            .build()
            .unwrap();
        let response = client.post("/login").content("user=a").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.history().len(), 1);
        let body: serde_json::Value = response.json().unwrap();
        assert_eq!(body["cookie"], "session=abc");
        assert_eq!(body["method"], "GET");
        assert!(response.elapsed().is_some());
        assert_eq!(client.cookies().get("session", None, None).unwrap().as_deref(), Some("abc"));
    }

    async fn a_streamed_response_built_in_memory_is_timed_once_iterated() {
        use futures_util::StreamExt;
        let client = AsyncClient::builder().transport(app()).build().unwrap();
        let mut response = client.stream("GET", "https://example.org/missing").send().await.unwrap();
        assert_eq!(response.elapsed(), None);
        let mut chunks = response.aiter_bytes();
        while chunks.next().await.is_some() {}
        assert!(response.elapsed().is_some());
    }

    async fn gzip_decoding_in_pure_rust() {
        let client = AsyncClient::builder().transport(app()).build().unwrap();
        let response = client.get("https://example.org/gzip").send().await.unwrap();
        assert_eq!(response.text().unwrap(), "hello, compressed world");
    }

    async fn multipart_boundary_from_host_randomness() {
        let client = AsyncClient::builder().transport(app()).build().unwrap();
        let form = Multipart::new().text("a", "1").part("f", Part::bytes("x").file_name("x.txt"));
        let response = client.post("https://example.org/echo").multipart(form).send().await.unwrap();
        let content_type = response.headers().get("x-content-type").unwrap().into_owned();
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(boundary.len(), 32);
        assert!(response.text().unwrap().contains("filename=\"x.txt\""));
    }

    async fn errors_and_status() {
        let client = AsyncClient::builder().transport(app()).build().unwrap();
        let response = client.get("https://example.org/missing").send().await.unwrap();
        let err = response.raise_for_status().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HttpStatus);
        let err = client.get("https://example.org:99999/").send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
        let err = client.get("https://example.org/").header("x", "a\nb").send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    }

    async fn digest_auth_with_host_randomness() {
        // The server side of RFC 7616 with a known password: it checks the cnonce's
        // shape and that the client answered the challenge (nc, qop, opaque).
        let transport = MockTransport::new(|request| {
            let header = request.headers().get("authorization").unwrap_or_default().into_owned();
            if header.is_empty() {
                return Response::builder(401)
                    .header(
                        "www-authenticate",
                        r#"Digest realm="core", nonce="n1", qop="auth", opaque="o1", algorithm=SHA-256"#,
                    )
                    .build();
            }
            let cnonce = header
                .split("cnonce=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default();
            let ok = header.starts_with("Digest ")
                && header.contains("nc=00000001")
                && header.contains(r#"opaque="o1""#)
                && cnonce.len() == 32
                && cnonce.chars().all(|c| c.is_ascii_hexdigit());
            Response::builder(if ok { 200 } else { 403 }).text(cnonce.to_string()).build()
        });
        let client = AsyncClient::builder()
            .transport(transport)
            .auth(DigestAuth::new("user", "pass"))
            .build()
            .unwrap();
        let first = client.get("https://example.org/a").send().await.unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.history().len(), 1);
        let again = client.get("https://example.org/b").send().await.unwrap();
        assert_eq!(again.status(), 403, "the pre-emptive answer has nc=00000002");
        assert_ne!(first.text().unwrap(), again.text().unwrap(), "a fresh cnonce each time");
    }

    async fn total_deadline_is_checked_between_hops() {
        let transport = MockTransport::new(|_| Response::builder(302).header("location", "/again").build());
        let client = AsyncClient::builder()
            .transport(transport)
            .follow_redirects(true)
            .max_redirects(1_000_000)
            .timeout(Timeout::none().total(0.0))
            .build()
            .unwrap();
        let err = client.get("https://example.org/").send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    }
}
