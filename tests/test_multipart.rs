//! Mirrors httpx's `tests/test_multipart.py`: `multipart/form-data` bodies built with
//! [`Multipart`] and [`Part`] (httpx's `data=` + `files=`), checked byte for byte as a
//! `MockTransport` receives them or as `Request::read` returns them.
//!
//! Skipped from httpx's file:
//! - `test_multipart_encode_files_raises_exception_with_StringIO_content` and
//!   `..._with_text_mode_file`: Python text streams passed as files are a `TypeError`;
//!   a Rust part reads bytes (`std::io::Read`), so there is no text-mode file to refuse.
//!
//! Adapted (see the comment on each): `test_multipart_invalid_key` /
//! `test_multipart_invalid_value` (names and values are strings or `Display` here, so
//! the invalid input left is a bad part header) and `test_multipart_rewinds_files`
//! (a `Part` owns its reader and is sent once; a file path can be sent again).
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;
use common::{headers_without_defaults, pairs};

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use httpx::{ErrorKind, MockTransport, Multipart, Part, Request, Response};

const URL: &str = "https://www.example.com/";

/// httpx's `echo_request_content`.
fn echo_request_content(request: Request) -> httpx::Result<Response> {
    Response::builder(200)
        .content(request.content()?.to_vec())
        .build()
}

/// A request built by a client's request builder; compare with [`headers`].
fn client() -> httpx::Client {
    httpx::Client::new()
}

/// The boundary of the Content-Type the transport saw.
fn sent_boundary(response: &Response) -> String {
    let content_type = response
        .request()
        .unwrap()
        .headers()
        .get("content-type")
        .unwrap()
        .into_owned();
    content_type.rsplit("boundary=").next().unwrap().to_string()
}

/// httpx's `io.BytesIO(b"<file content>")`: a file with no filename (sent as "upload").
fn file_content() -> Part {
    Part::bytes(&b"<file content>"[..])
}

/// A request with `Content-Type: multipart/form-data; boundary=BOUNDARY` set by hand,
/// read into memory, as httpx's `httpx.Request("POST", url, headers=..., files=...)`
/// followed by `request.read()`.
fn read_request(method: &str, form: Multipart) -> httpx::Result<Request> {
    let mut request = client()
        .build_request(method, URL)
        .header("Content-Type", "multipart/form-data; boundary=BOUNDARY")
        .multipart(form)
        .build()?;
    request.read()?;
    Ok(request)
}

fn boundary_headers(request: &Request) -> Vec<(String, String)> {
    let length = request.content().unwrap().len().to_string();
    pairs(&[
        ("host", "www.example.com"),
        ("content-type", "multipart/form-data; boundary=BOUNDARY"),
        ("content-length", &length),
    ])
}

/// A temporary directory, removed on drop (no tempfile dev-dependency here).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("httpx-rs-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A reader that hides its length (httpx's non-seekable `IteratorIO`).
struct Unsized<R>(R);

impl<R: Read> Read for Unsized<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

dual_test! {
    fn test_multipart() {
        // httpx parametrises the text value as str and bytes; here a text field is a
        // `Display` value or a `Part::text`.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let forms = [
            Multipart::new().text("text", "abc").part("file", file_content()),
            Multipart::new().part("text", Part::text("abc")).part("file", file_content()),
        ];
        for form in forms {
            let response = send!(client.post("http://127.0.0.1:8000/").multipart(form))?;
            let boundary = sent_boundary(&response);
            // The generated boundary: 32 hex digits, as httpx's os.urandom(16).hex().
            assert_eq!(boundary.len(), 32, "{boundary}");
            assert!(boundary.bytes().all(|b| b.is_ascii_hexdigit()), "{boundary}");
            assert_eq!(response.status(), 200);
            let expected = format!(
                "--{boundary}\r\n\
                 Content-Disposition: form-data; name=\"text\"\r\n\
                 \r\n\
                 abc\r\n\
                 --{boundary}\r\n\
                 Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n\
                 Content-Type: application/octet-stream\r\n\
                 \r\n\
                 <file content>\r\n\
                 --{boundary}--\r\n"
            );
            assert_eq!(response.content()?.as_ref(), expected.as_bytes());
            assert_eq!(
                response.request().unwrap().headers().get("content-length").as_deref(),
                Some(expected.len().to_string().as_str())
            );
        }
        Ok(())
    }

    fn test_multipart_explicit_boundary() {
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        for header in [
            "multipart/form-data; boundary=+++; charset=utf-8",
            "multipart/form-data; charset=utf-8; boundary=+++",
            "multipart/form-data; boundary=+++",
            "multipart/form-data; boundary=+++ ;",
            "multipart/form-data; boundary=\"+++\"; charset=utf-8",
            "multipart/form-data; charset=utf-8; boundary=\"+++\"",
            "multipart/form-data; boundary=\"+++\"",
            "multipart/form-data; boundary=\"+++\" ;",
        ] {
            let form = Multipart::new().part("file", file_content());
            let response = send!(client
                .post("http://127.0.0.1:8000/")
                .header("content-type", header)
                .multipart(form))?;
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.request().unwrap().headers().get("Content-Type").as_deref(),
                Some(header)
            );
            assert_eq!(
                response.content()?.as_ref(),
                &b"--+++\r\n\
                   Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n\
                   Content-Type: application/octet-stream\r\n\
                   \r\n\
                   <file content>\r\n\
                   --+++--\r\n"[..],
                "{header}"
            );
        }
        Ok(())
    }

    fn test_multipart_explicit_boundary_method() {
        // The Rust way to choose the boundary: `Multipart::boundary`, which also sets
        // the Content-Type; it wins over a boundary in a hand-set header.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let response = send!(client
            .post("http://127.0.0.1:8000/")
            .multipart(Multipart::new().part("file", file_content()).boundary("a'()+_,-./:=?Z")))?;
        assert_eq!(
            response.request().unwrap().headers().get("content-type").as_deref(),
            Some("multipart/form-data; boundary=a'()+_,-./:=?Z")
        );
        assert!(response.content()?.starts_with(b"--a'()+_,-./:=?Z\r\n"));
        assert!(response.content()?.ends_with(b"\r\n--a'()+_,-./:=?Z--\r\n"));

        let response = send!(client
            .post("http://127.0.0.1:8000/")
            .header("Content-Type", "multipart/form-data; boundary=+++")
            .multipart(Multipart::new().part("file", file_content()).boundary("XyZ")))?;
        assert!(response.content()?.starts_with(b"--XyZ\r\n"));
        // The header the user set is sent as it is (as httpx keeps a hand-set header).
        assert_eq!(
            response.request().unwrap().headers().get("content-type").as_deref(),
            Some("multipart/form-data; boundary=+++")
        );
        Ok(())
    }

    fn test_multipart_header_without_boundary() {
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        for header in ["multipart/form-data; charset=utf-8", "multipart/form-data; charset=utf-8; "] {
            let form = Multipart::new().part("file", file_content());
            let response = send!(client
                .post("http://127.0.0.1:8000/")
                .header("content-type", header)
                .multipart(form))?;
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.request().unwrap().headers().get("Content-Type").as_deref(),
                Some(header)
            );
            // The body uses a generated boundary (as httpx does, although the header
            // does not name it).
            let content = response.content()?;
            assert_eq!(&content[..2], b"--");
            let boundary = &content[2..34];
            assert!(boundary.iter().all(u8::is_ascii_hexdigit));
            assert!(content.ends_with(&[b"--", boundary, b"--\r\n"].concat()));
        }
        Ok(())
    }

    fn test_multipart_invalid_key() {
        // httpx: a non-str name (bytes, int, float, None) is a TypeError. Here names
        // are `impl Into<String>`, so the type system rules those out; what is left to
        // refuse is a part header whose name is not a token.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        for bad_name in ["Bad Name", "X-A:", "", "X\r\nInjected"] {
            let form = Multipart::new()
                .text("text", "abc")
                .part("file", file_content().header(bad_name, "1"));
            let err = send!(client.post("http://127.0.0.1:8000/").multipart(form)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{bad_name:?}");
        }
        // Control characters in a field name are escaped, not refused (HTML5 rule).
        let response = send!(client
            .post("http://127.0.0.1:8000/")
            .multipart(Multipart::new().text("a\"b\r\nc", "v").boundary("B")))?;
        assert_eq!(
            response.content()?.as_ref(),
            &b"--B\r\nContent-Disposition: form-data; name=\"a%22b%0D%0Ac\"\r\n\r\nv\r\n--B--\r\n"[..]
        );
        Ok(())
    }

    fn test_multipart_invalid_value() {
        // httpx: a value that is not str/bytes/int/float/None is a TypeError. Here
        // values are `Display`; a part header value with CR, LF or NUL is refused.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        for bad_value in ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"] {
            let form = Multipart::new().part("file", file_content().header("X-A", bad_value));
            let err = send!(client.post("http://127.0.0.1:8000/").multipart(form)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{bad_value:?}");
            let form = Multipart::new().part("file", file_content().content_type(bad_value));
            let err = send!(client.post("http://127.0.0.1:8000/").multipart(form)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{bad_value:?}");
        }
        // Any Display value is a text field: numbers and booleans as Python's str().
        let response = send!(client
            .post("http://127.0.0.1:8000/")
            .multipart(Multipart::new().text("i", 1).text("f", 2.5).text("b", false).boundary("B")))?;
        let text = String::from_utf8(response.content()?.to_vec()).unwrap();
        assert!(text.contains("name=\"i\"\r\n\r\n1\r\n"), "{text}");
        assert!(text.contains("name=\"f\"\r\n\r\n2.5\r\n"), "{text}");
        assert!(text.contains("name=\"b\"\r\n\r\nfalse\r\n"), "{text}");
        Ok(())
    }

    fn test_multipart_file_tuple() {
        // httpx: data={"text": ["abc"]}, files={"file": ("name.txt", BytesIO(...))}.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let form = Multipart::new()
            .text("text", "abc")
            .part("file", file_content().file_name("name.txt"));
        let response = send!(client.post("http://127.0.0.1:8000/").multipart(form))?;
        let boundary = sent_boundary(&response);
        assert_eq!(response.status(), 200);
        let expected = format!(
            "--{boundary}\r\n\
             Content-Disposition: form-data; name=\"text\"\r\n\
             \r\n\
             abc\r\n\
             --{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"name.txt\"\r\n\
             Content-Type: text/plain\r\n\
             \r\n\
             <file content>\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(response.content()?.as_ref(), expected.as_bytes());
        Ok(())
    }

    fn test_multipart_rewinds_files() {
        // httpx rewinds a file object posted twice. A `Part` owns its reader and is
        // sent once; posting the same file twice means `Part::file(path)` twice, and
        // both requests carry the whole content.
        let dir = TempDir::new(&format!("rewind-{}", flavour!()));
        let path = dir.file("upload", b"Hello, world!");
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        for _ in 0..2 {
            let form = Multipart::new().part("file", Part::file(&path)?);
            let response = send!(client.post("http://127.0.0.1:8000/").multipart(form))?;
            assert_eq!(response.status(), 200);
            let content = response.content()?;
            assert!(content.windows(17).any(|w| w == b"\r\nHello, world!\r\n"));
        }
        Ok(())
    }

    fn test_multipart_streamed_request_is_sent_once() {
        // A form with a reader is a stream: a copy of the request cannot resend it.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let request = client
            .post("http://127.0.0.1:8000/")
            .multipart(Multipart::new().part("file", Part::reader(Cursor::new(b"abc".to_vec()), Some(3))))
            .build()?;
        let copy = request.clone();
        let response = send_request!(client, request)?;
        assert!(response.content()?.windows(7).any(|w| w == b"\r\nabc\r\n"));
        assert_eq!(send_request!(client, copy).unwrap_err().kind(), ErrorKind::StreamConsumed);
        Ok(())
    }

    fn test_multipart_exact_content_length_with_readers() {
        // Files read while sending keep Content-Length exact when their size is known.
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let big: Vec<u8> = (0..150_000u32).map(|i| (i % 253) as u8).collect();
        let dir = TempDir::new(&format!("length-{}", flavour!()));
        let path = dir.file("data.json", b"{\"a\": 1}");
        let form = Multipart::new()
            .text("a", "1")
            .part("big", Part::reader(Cursor::new(big.clone()), Some(big.len() as u64)).file_name("big.bin"))
            .part("disk", Part::file(&path)?)
            .part("mem", Part::bytes("memory").file_name("m.txt"))
            .boundary("BOUNDARY");
        let response = send!(client.post(URL).multipart(form))?;
        let sent = response.request().unwrap();
        let content = response.content()?;
        assert_eq!(sent.headers().get("transfer-encoding"), None);
        assert_eq!(
            sent.headers().get("content-length").as_deref(),
            Some(content.len().to_string().as_str())
        );
        let expected = [
            &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"[..],
            b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n",
            b"Content-Type: application/octet-stream\r\n\r\n",
            &big,
            b"\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"disk\"; filename=\"data.json\"\r\n",
            b"Content-Type: application/json\r\n\r\n{\"a\": 1}\r\n",
            b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"mem\"; filename=\"m.txt\"\r\n",
            b"Content-Type: text/plain\r\n\r\nmemory\r\n",
            b"--BOUNDARY--\r\n",
        ]
        .concat();
        assert_eq!(content.as_ref(), &expected[..]);
        Ok(())
    }

    fn test_multipart_unknown_length_is_chunked() {
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let form = Multipart::new()
            .text("a", "1")
            .part("file", Part::reader(Unsized(Cursor::new(b"HelloWorld".to_vec())), None))
            .boundary("BOUNDARY");
        let response = send!(client.post(URL).multipart(form))?;
        let sent = response.request().unwrap();
        assert_eq!(sent.headers().get("transfer-encoding").as_deref(), Some("chunked"));
        assert_eq!(sent.headers().get("content-length"), None);
        assert!(response.content()?.ends_with(b"\r\n\r\nHelloWorld\r\n--BOUNDARY--\r\n"));
        Ok(())
    }

    fn test_multipart_file_read_error() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("unplugged"))
            }
        }
        let client = builder!().transport(MockTransport::new(echo_request_content)).build()?;
        let form = Multipart::new().part("file", Part::reader(Broken, Some(10)));
        let err = send!(client.post(URL).multipart(form)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WriteError);
        // The reader's error is the cause, named once: in the chain, not the message.
        assert!(!err.to_string().contains("unplugged"), "{err}");
        assert!(format!("{err:#}").ends_with(": unplugged"), "{err:#}");
        Ok(())
    }
}

#[test]
fn test_multipart_file_tuple_headers() -> httpx::Result<()> {
    // httpx: files={"file": ("test.txt", BytesIO(...), content_type, {"Expires": "0"})};
    // the extra headers come first, then the Content-Type.
    for file_content_type in [None, Some("text/plain")] {
        let mut part = file_content().file_name("test.txt").header("Expires", "0");
        if let Some(content_type) = file_content_type {
            part = part.content_type(content_type);
        }
        let request = read_request("POST", Multipart::new().part("file", part))?;
        assert_eq!(
            headers_without_defaults(&request),
            boundary_headers(&request)
        );
        assert_eq!(
            request.content()?,
            &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
               filename=\"test.txt\"\r\nExpires: 0\r\nContent-Type: \
               text/plain\r\n\r\n<file content>\r\n--BOUNDARY--\r\n"[..]
        );
    }
    Ok(())
}

#[test]
fn test_multipart_headers_include_content_type() -> httpx::Result<()> {
    // A Content-Type among the part's headers overrides the content_type argument.
    let part = file_content()
        .file_name("test.txt")
        .content_type("text/plain")
        .header("Content-Type", "image/png");
    let request = read_request("POST", Multipart::new().part("file", part))?;
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
           filename=\"test.txt\"\r\nContent-Type: \
           image/png\r\n\r\n<file content>\r\n--BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_encode() -> httpx::Result<()> {
    let dir = TempDir::new("encode");
    let path = dir.file("name.txt", b"<file content>");
    // httpx: {"a": "1", "b": b"C", "c": ["11", "22", "33"], "d": "", "e": True, "f": ""}.
    let form = Multipart::new()
        .text("a", "1")
        .text("b", "C")
        .text("c", "11")
        .text("c", "22")
        .text("c", "33")
        .text("d", "")
        .text("e", true)
        .text("f", "")
        .part("file", Part::file(&path)?);
    let mut request = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=BOUNDARY")
        .multipart(form)
        .build()?;
    // The file is read while sending, its size known: Content-Length, not chunked.
    assert!(request.body().is_stream());
    let announced = request
        .headers()
        .get("content-length")
        .unwrap()
        .into_owned();
    request.read()?;
    assert_eq!(announced, request.content()?.len().to_string());
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nC\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n11\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n22\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n33\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\ntrue\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n\
         --BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"name.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n<file content>\r\n\
         --BOUNDARY--\r\n"
            .as_bytes()
    );
    Ok(())
}

#[test]
fn test_multipart_encode_text_fields_come_first() -> httpx::Result<()> {
    // httpx sends `data` before `files`, whatever order they were given in.
    let (_, body) = Multipart::new()
        .part("file", Part::bytes("x").file_name("a.txt"))
        .text("t", "1")
        .boundary("B")
        .into_body()?;
    let text = String::from_utf8(body.as_bytes().unwrap().to_vec()).unwrap();
    assert!(
        text.find("name=\"t\"").unwrap() < text.find("name=\"file\"").unwrap(),
        "{text}"
    );
    Ok(())
}

#[test]
fn test_multipart_encode_unicode_file_contents() -> httpx::Result<()> {
    let form = Multipart::new().part(
        "file",
        Part::bytes(&b"<bytes content>"[..]).file_name("name.txt"),
    );
    let request = read_request("POST", form)?;
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
           filename=\"name.txt\"\r\n\
           Content-Type: text/plain\r\n\r\n<bytes content>\r\n\
           --BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_encode_files_allows_filenames_as_none() -> httpx::Result<()> {
    // httpx: a filename of None sends no filename and no Content-Type; here an empty
    // file name does.
    let form = Multipart::new().part("file", file_content().file_name(""));
    let request = read_request("POST", form)?;
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\
           <file content>\r\n--BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_encode_files_guesses_correct_content_type() -> httpx::Result<()> {
    for (file_name, expected_content_type) in [
        ("example.json", "application/json"),
        ("example.txt", "text/plain"),
        ("no-extension", "application/octet-stream"),
    ] {
        let form = Multipart::new().part("file", file_content().file_name(file_name));
        let request = read_request("POST", form)?;
        assert_eq!(
            headers_without_defaults(&request),
            boundary_headers(&request)
        );
        let expected = format!(
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: \
             {expected_content_type}\r\n\r\n<file content>\r\n--BOUNDARY--\r\n"
        );
        assert_eq!(request.content()?, expected.as_bytes());
    }
    Ok(())
}

#[test]
fn test_multipart_encode_files_allows_bytes_content() -> httpx::Result<()> {
    let form = Multipart::new().part(
        "file",
        Part::bytes(&b"<bytes content>"[..])
            .file_name("test.txt")
            .content_type("text/plain"),
    );
    let request = read_request("POST", form)?;
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
           filename=\"test.txt\"\r\n\
           Content-Type: text/plain\r\n\r\n<bytes content>\r\n\
           --BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_encode_files_allows_str_content() -> httpx::Result<()> {
    let form = Multipart::new().part(
        "file",
        Part::bytes(String::from("<str content>"))
            .file_name("test.txt")
            .content_type("text/plain"),
    );
    let request = read_request("POST", form)?;
    assert_eq!(
        headers_without_defaults(&request),
        boundary_headers(&request)
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
           filename=\"test.txt\"\r\n\
           Content-Type: text/plain\r\n\r\n<str content>\r\n\
           --BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_encode_non_seekable_filelike() -> httpx::Result<()> {
    // A reader of unknown length: the body is sent chunked.
    let reader = Unsized(Cursor::new(b"Hello".to_vec()).chain(Cursor::new(b"World".to_vec())));
    let form = Multipart::new().part("file", Part::reader(reader, None));
    let mut request = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=BOUNDARY")
        .multipart(form)
        .build()?;
    request.read()?;
    assert_eq!(
        headers_without_defaults(&request),
        pairs(&[
            ("host", "www.example.com"),
            ("content-type", "multipart/form-data; boundary=BOUNDARY"),
            ("transfer-encoding", "chunked"),
        ])
    );
    assert_eq!(
        request.content()?,
        &b"--BOUNDARY\r\n\
           Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n\
           Content-Type: application/octet-stream\r\n\
           \r\n\
           HelloWorld\r\n\
           --BOUNDARY--\r\n"[..]
    );
    Ok(())
}

#[test]
fn test_multipart_part_file_names_the_part_after_the_file() -> httpx::Result<()> {
    let dir = TempDir::new("partfile");
    let path: &Path = &dir.file("report.csv", b"a,b\n1,2\n");
    let (content_type, body) = Multipart::new()
        .part("upload", Part::file(path)?)
        .boundary("B")
        .into_body()?;
    assert_eq!(content_type, "multipart/form-data; boundary=B");
    assert!(body.is_stream());
    let expected =
        b"--B\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"report.csv\"\r\n\
                     Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n--B--\r\n";
    assert_eq!(body.len(), Some(expected.len() as u64));
    let mut request = Request::new(httpx::Method::POST, httpx::Url::parse(URL)?);
    request.set_body(body);
    assert_eq!(request.read()?, &expected[..]);

    // A missing file is an error when the part is made.
    let err = Part::file(dir.0.join("missing.txt")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    Ok(())
}

#[test]
fn test_multipart_boundary_rules() -> httpx::Result<()> {
    // RFC 2046: 1 to 70 characters of the boundary alphabet; never inside a part.
    for bad in ["", "a\r\nb", "with\"quote", "trailing ", &"x".repeat(71)] {
        let err = Multipart::new()
            .text("a", "b")
            .boundary(bad)
            .into_body()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{bad:?}");
    }
    assert!(Multipart::new()
        .text("a", "b")
        .boundary("x".repeat(70))
        .into_body()
        .is_ok());
    let err = Multipart::new()
        .part("f", Part::bytes("abc--BOUNDARYdef"))
        .boundary("BOUNDARY")
        .into_body()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    // A bad boundary in a hand-set Content-Type header fails the request too.
    let err = client()
        .build_request("POST", URL)
        .header("Content-Type", "multipart/form-data; boundary=\"\"")
        .multipart(Multipart::new().text("a", "b"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    Ok(())
}

#[test]
fn test_multipart_generated_boundaries_differ() -> httpx::Result<()> {
    let (a, _) = Multipart::new().text("a", "b").into_body()?;
    let (b, _) = Multipart::new().text("a", "b").into_body()?;
    assert_ne!(a, b);
    Ok(())
}

/// httpx's `TestHeaderParamHTML5Formatting`: `httpx.Request("GET", url, files=...)`.
fn html5_request(file_name: &str) -> httpx::Result<Vec<u8>> {
    let form = Multipart::new().part(
        "upload",
        Part::bytes(&b"<file content>"[..]).file_name(file_name),
    );
    let mut request = client()
        .build_request("GET", "https://www.example.com")
        .multipart(form)
        .build()?;
    Ok(request.read()?.to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn test_header_param_html5_unicode() -> httpx::Result<()> {
    // Non-ASCII names are sent as raw UTF-8 (no RFC 2231 filename*).
    let content = html5_request("n\u{e4}me")?;
    assert!(contains(&content, b"filename=\"n\xc3\xa4me\""));
    assert!(!contains(&content, b"filename*"));
    Ok(())
}

#[test]
fn test_header_param_html5_ascii() -> httpx::Result<()> {
    assert!(contains(&html5_request("name")?, b"filename=\"name\""));
    Ok(())
}

#[test]
fn test_header_param_html5_unicode_escape() -> httpx::Result<()> {
    assert!(contains(
        &html5_request("hello\\world\u{22}")?,
        b"filename=\"hello\\\\world%22\""
    ));
    Ok(())
}

#[test]
fn test_header_param_html5_unicode_with_control_character() -> httpx::Result<()> {
    assert!(contains(
        &html5_request("hello\x1a\x1b\x1c")?,
        b"filename=\"hello%1A\x1b%1C\""
    ));
    Ok(())
}

#[test]
fn test_header_param_html5_newlines_and_quotes() -> httpx::Result<()> {
    // SECURITY.md multipart row: CR, LF and quotes cannot break out of the header.
    let content = html5_request("evil\"\r\nContent-Type: text/html\r\n\r\n.txt")?;
    assert!(contains(
        &content,
        b"filename=\"evil%22%0D%0AContent-Type: text/html%0D%0A%0D%0A.txt\""
    ));
    assert!(!contains(&content, b"\r\nContent-Type: text/html\r\n"));
    Ok(())
}
