//! The limits on what a server (or a URL) can make the client hold: each limit of the
//! README's "Limits and hostile input", at its number and one past it, with the error
//! it gives. Response heads go through raw sockets (hyper's parser is what is tested);
//! bodies through mocks and the test server's decompression bombs.
#![cfg(not(target_family = "wasm"))]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::OnceLock;

use httpx::config::{
    DEFAULT_MAX_REDIRECTS, MAX_COOKIES_PER_DOMAIN, MAX_REDIRECT_BODY_BYTES, MAX_RESPONSE_HEADERS,
    MAX_RESPONSE_HEAD_BYTES, MAX_URL_LENGTH,
};
use httpx::{ErrorKind, MockTransport, Response};
use httpx_test_server::TestServer;

/// A server on 127.0.0.1 that answers every request on every connection with
/// `response` and closes the connection. Returns its base URL.
fn raw_server(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let response = response.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                // The client may hang up before it all goes out: that is the point.
                let _ = stream.write_all(&response);
            });
        }
    });
    url
}

/// A 200 response whose head has `fields` header fields in all (Content-Length among
/// them) and, with `head_bytes`, an `x-padding` field making the head that long.
fn response_with_head(fields: usize, head_bytes: Option<usize>) -> Vec<u8> {
    let mut head = String::from("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n");
    for i in 1..fields.saturating_sub(usize::from(head_bytes.is_some())) {
        head.push_str(&format!("x-field-{i}: v\r\n"));
    }
    if let Some(total) = head_bytes {
        // The field's own framing ("x-padding: " and CRLF) and the final CRLF count too.
        let fill = total - head.len() - "x-padding: \r\n\r\n".len();
        head.push_str(&format!("x-padding: {}\r\n", "a".repeat(fill)));
    }
    head.push_str("\r\n");
    assert!(head_bytes.is_none_or(|total| head.len() == total));
    let mut response = head.into_bytes();
    response.extend_from_slice(b"ok");
    response
}

fn server() -> &'static TestServer {
    TestServer::shared()
}

/// 20 KiB of text in 1 KiB chunks, streamed (not held by the mock).
fn streaming_20k() -> MockTransport {
    MockTransport::new(|_| {
        Response::builder(200)
            .stream((0..20).map(|_| Ok::<_, httpx::Error>("x".repeat(1024))))
            .build()
    })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// 16 MiB of zeros, gzipped (about 16 KiB), made once.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| gzip(&vec![0u8; 16 << 20]))
}

fn assert_too_large(err: &httpx::Error, limit: u64) {
    assert_eq!(err.kind(), ErrorKind::DecodingError, "{err}");
    assert_eq!(
        err.message(),
        format!("The response body exceeded max_body_size ({limit} bytes)")
    );
    assert!(!err.is_transport());
}

dual_test! {
    // --- Response head: MAX_RESPONSE_HEADERS fields, MAX_RESPONSE_HEAD_BYTES bytes ---

    fn response_head_field_count_is_capped() {
        let client = new_client!();
        let at_limit = raw_server(response_with_head(MAX_RESPONSE_HEADERS, None));
        let response = send!(client.get(&at_limit))?;
        assert_eq!(response.headers().len(), MAX_RESPONSE_HEADERS);
        assert_eq!(response.text()?, "ok");

        let over = raw_server(response_with_head(MAX_RESPONSE_HEADERS + 1, None));
        let err = send!(client.get(&over)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
        assert!(err.message().starts_with("Response head too large: more than MAX_RESPONSE_HEADERS (100) header fields"), "{err}");
        Ok(())
    }

    fn response_head_size_is_capped() {
        let client = new_client!();
        let at_limit = raw_server(response_with_head(3, Some(MAX_RESPONSE_HEAD_BYTES)));
        let response = send!(client.get(&at_limit))?;
        assert_eq!(response.text()?, "ok");

        let over = raw_server(response_with_head(3, Some(MAX_RESPONSE_HEAD_BYTES + 1)));
        let err = send!(client.get(&over)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
        assert!(err.message().contains("MAX_RESPONSE_HEAD_BYTES (262144) bytes"), "{err}");
        Ok(())
    }

    // --- max_body_size ---

    fn no_body_limit_by_default() {
        let client = builder!().transport(streaming_20k()).build()?;
        assert_eq!(send!(client.get("https://example.org/"))?.content()?.len(), 20 * 1024);
        Ok(())
    }

    fn body_limit_of_the_client_on_send() {
        let client = builder!().transport(streaming_20k()).max_body_size(10_000).build()?;
        let err = send!(client.get("https://example.org/")).unwrap_err();
        assert_too_large(&err, 10_000);
        assert_eq!(err.url().map(|u| u.as_str().to_string()).as_deref(), Some("https://example.org/"));

        // Exactly at the limit is fine.
        let client = builder!().transport(streaming_20k()).max_body_size(20 * 1024).build()?;
        assert_eq!(send!(client.get("https://example.org/"))?.content()?.len(), 20 * 1024);
        Ok(())
    }

    fn body_limit_per_request_and_per_send() {
        let client = builder!().transport(streaming_20k()).max_body_size(10_000).build()?;
        // The request's limit replaces the client's, both ways.
        let response = send!(client.get("https://example.org/").max_body_size(u64::MAX))?;
        assert_eq!(response.content()?.len(), 20 * 1024);
        let err = send!(client.get("https://example.org/").max_body_size(100)).unwrap_err();
        assert_too_large(&err, 100);

        let request = client.get("https://example.org/").build()?;
        let options = httpx::SendOptions::new().max_body_size(30_000);
        assert_eq!(send_with!(client, request, options)?.content()?.len(), 20 * 1024);

        // A request made by hand gets the client's limit.
        let request = httpx::Request::new(httpx::Method::GET, httpx::Url::parse("https://example.org/")?);
        let err = send_request!(client, request).unwrap_err();
        assert_too_large(&err, 10_000);
        Ok(())
    }

    fn body_limit_on_streamed_readers() {
        let client = builder!().transport(streaming_20k()).max_body_size(10_000).build()?;
        // The readers yield the pieces before the one that passes the limit, then fail.
        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        let err = bytes!(response).unwrap_err();
        assert_too_large(&err, 10_000);
        assert!(response.is_closed());

        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        assert_too_large(&read!(response).unwrap_err(), 10_000);
        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        assert_too_large(&text_chunks!(response).unwrap_err(), 10_000);
        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        assert_too_large(&lines!(response).unwrap_err(), 10_000);
        // iter_raw counts the raw bytes it yields.
        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        assert_too_large(&raw!(response).unwrap_err(), 10_000);
        Ok(())
    }

    fn body_limit_counts_decoded_bytes() {
        // A gzip bomb: 16 KiB on the wire, 16 MiB decoded.
        let bomb = gzip_bomb();
        let transport = MockTransport::new(move |_| {
            Response::builder(200)
                .header("content-encoding", "gzip")
                .stream(bomb.chunks(1024).map(|c| Ok::<_, httpx::Error>(c.to_vec())))
                .build()
        });
        let client = builder!().transport(transport).max_body_size(1 << 20).build()?;
        let mut response = send!(client.stream("GET", "https://example.org/bomb"))?;
        let err = bytes!(response).unwrap_err();
        assert_too_large(&err, 1 << 20);
        // The decoder stopped early: not all of the 16 KiB was even downloaded.
        assert!(response.num_bytes_downloaded() < bomb.len() as u64, "{}", response.num_bytes_downloaded());
        // Raw, the bomb is small.
        let mut response = send!(client.stream("GET", "https://example.org/bomb"))?;
        assert_eq!(raw!(response)?.concat(), bomb);
        Ok(())
    }

    fn body_limit_with_a_bomb_over_the_network() {
        let client = builder!().max_body_size(1 << 20).build()?;
        for coding in ["gzip", "br", "zstd", "deflate"] {
            let url = server().url(&format!("/bomb/{coding}?mib=64"));
            let err = send!(client.get(&url)).unwrap_err();
            assert_too_large(&err, 1 << 20);
        }
        // The connection the bomb came on was closed, not reused; the next request
        // works.
        assert_eq!(send!(client.get(server().url("/get")))?.status(), 200);
        Ok(())
    }

    fn body_limit_on_content_held_in_memory() {
        let transport = MockTransport::new(|_| Response::builder(200).text("x".repeat(100)).build());
        let client = builder!().transport(transport).max_body_size(99).build()?;
        assert_too_large(&send!(client.get("https://example.org/")).unwrap_err(), 99);
        assert_too_large(&send!(client.stream("GET", "https://example.org/")).unwrap_err(), 99);
        Ok(())
    }

    fn body_limit_below_a_redirect_body_is_no_error() {
        // A followed redirect's body is read up to the smaller of the two limits and
        // dropped past it, without an error.
        let transport = MockTransport::new(|request| match request.url().path().as_ref() {
            "/start" => Response::builder(302)
                .header("location", "/end")
                .stream((0..4).map(|_| Ok::<_, httpx::Error>("r".repeat(1024))))
                .build(),
            _ => Response::builder(200).text("done").build(),
        });
        let client = builder!().transport(transport).follow_redirects(true).max_body_size(1000).build()?;
        let response = send!(client.get("https://example.org/start"))?;
        assert_eq!(response.text()?, "done");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    // --- The other limits, through a client ---

    fn redirects_are_capped() {
        let transport = MockTransport::new(|request| {
            let n: u32 = request.url().path().trim_start_matches('/').parse().unwrap_or(0);
            Response::builder(302).header("location", format!("/{}", n + 1)).build()
        });
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let err = send!(client.get("https://example.org/0")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        assert_eq!(err.message(), format!("Exceeded maximum allowed redirects ({DEFAULT_MAX_REDIRECTS})."));
        Ok(())
    }

    fn redirect_bodies_are_read_up_to_their_limit() {
        let big = MAX_REDIRECT_BODY_BYTES + 1;
        let transport = MockTransport::new(move |request| match request.url().path().as_ref() {
            "/small" => Response::builder(302).header("location", "/end").text("moved").build(),
            "/big" => Response::builder(302)
                .header("location", "/end")
                .stream([Ok::<_, httpx::Error>(vec![b'r'; big])])
                .build(),
            _ => Response::builder(200).text("done").build(),
        });
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/small"))?;
        assert_eq!(response.history()[0].text()?, "moved");
        let response = send!(client.get("https://example.org/big"))?;
        assert_eq!(response.text()?, "done");
        // Left unread, no error.
        assert_eq!(response.history()[0].content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        Ok(())
    }

    fn urls_are_capped() {
        let client = new_client!();
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LENGTH));
        let err = send!(client.get(&long)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
        assert_eq!(err.message(), "URL too long");
        Ok(())
    }

    fn cookies_per_domain_are_capped() {
        let transport = MockTransport::new(|_| {
            let mut builder = Response::builder(200);
            for i in 0..MAX_COOKIES_PER_DOMAIN + 10 {
                builder = builder.header("set-cookie", format!("c{i}=v; Path=/"));
            }
            builder.build()
        });
        let client = builder!().transport(transport).build()?;
        send!(client.get("https://example.org/"))?;
        let jar = client.cookies();
        assert_eq!(jar.len(), MAX_COOKIES_PER_DOMAIN);
        // The least recently set went first.
        assert_eq!(jar.get("c0", None, None)?, None);
        assert_eq!(jar.get("c59", None, None)?.as_deref(), Some("v"));
        Ok(())
    }
}
