//! Mirrors httpx's `tests/test_decoders.py` at the level httpx tests it: through
//! `httpx.Response(...)` (here `Response::builder(..).content(..).build()` or a stream
//! body) and through a client. The decoders themselves have unit tests in
//! `src/decoders/`; these tests check the Response and client integration: content
//! decoding, raw access, byte counts, text charsets, the text and line iterators
//! across chunk boundaries, and the decompression-bomb bounds of SECURITY.md (D1, D2).
//!
//! Nothing of httpx's file is skipped. Deliberate differences (module docs of
//! `src/decoders/mod.rs`) are marked `// httpx: ...; here: ...` where a test meets them.
// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use futures_util::StreamExt;
use httpx::{DefaultEncoding, ErrorKind, MockTransport, Response};

const URL: &str = "https://example.org/";

// ---------------------------------------------------------------------------
// Compressors (dev-dependencies: flate2, brotli, ruzstd)
// ---------------------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// zlib-wrapped deflate (`zlib.compress`), one of the two "deflate"s in the wild.
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Raw deflate (`zlib.compressobj(9, DEFLATED, -MAX_WBITS)`), the other "deflate".
fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
    w.write_all(data).unwrap();
    w.flush().unwrap();
    w.into_inner()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => gzip(data),
        "deflate" => zlib(data),
        "br" => brotli(data),
        "zstd" => zstd(data),
        "identity" => data.to_vec(),
        other => panic!("no encoder for {other}"),
    }
}

/// `httpx.Response(200, headers=[("Content-Encoding", coding)], content=content)`.
fn response_with(coding: &str, content: impl Into<Bytes>) -> httpx::Result<Response> {
    Response::builder(200)
        .header("Content-Encoding", coding)
        .content(content)
        .build()
}

/// A response whose body arrives in `chunks` (httpx's `content=iterator`).
fn streamed(headers: &[(&str, &str)], chunks: Vec<Vec<u8>>) -> httpx::Result<Response> {
    let mut builder = Response::builder(200);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    builder
        .stream(chunks.into_iter().map(Ok::<_, httpx::Error>))
        .build()
}

fn chunks(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn lines_of(parts: &[&[u8]]) -> httpx::Result<Vec<String>> {
    streamed(&[], chunks(parts))?.iter_lines().collect()
}

// ---------------------------------------------------------------------------
// httpx's test_decoders.py, through httpx.Response(...)
// ---------------------------------------------------------------------------

#[test]
fn test_deflate() -> httpx::Result<()> {
    // "deflate" in the wild is raw deflate or zlib-wrapped: both decode.
    let response = response_with("deflate", raw_deflate(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_zlib() -> httpx::Result<()> {
    let response = response_with("deflate", zlib(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_gzip() -> httpx::Result<()> {
    let response = response_with("gzip", gzip(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    // Tokens are case-insensitive and trimmed.
    let response = response_with(" GZip ", gzip(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_x_gzip() -> httpx::Result<()> {
    // httpx: "x-gzip" is an unknown coding, passed through; here: gzip (RFC 9110
    // section 8.4.1.3 makes x-gzip an alias of gzip).
    let response = response_with("x-gzip", gzip(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_brotli() -> httpx::Result<()> {
    let response = response_with("br", &b"\x8b\x03\x80test 123\x03"[..])?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    let body = b"brotli body ".repeat(1000);
    let response = response_with("br", brotli(&body))?;
    assert_eq!(response.content()?.as_ref(), &body[..]);
    Ok(())
}

#[test]
fn test_zstd() -> httpx::Result<()> {
    let response = response_with("zstd", zstd(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_zstd_decoding_error() {
    let err = response_with("zstd", "this_is_not_zstd_compressed_data").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
}

#[test]
fn test_zstd_empty() -> httpx::Result<()> {
    let response = response_with("zstd", "")?;
    assert_eq!(response.content()?.as_ref(), b"");
    Ok(())
}

#[test]
fn test_zstd_truncated() {
    let compressed = zstd(b"test 123");
    let err = response_with("zstd", compressed[1..3].to_vec()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
    // Cut at the end: "Zstandard data is incomplete" in httpx.
    let err = response_with("zstd", compressed[..compressed.len() - 3].to_vec()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
}

#[test]
fn test_gzip_truncated_is_not_an_error() -> httpx::Result<()> {
    // As httpx (zlib's decompressobj): a gzip body cut short gives what was decoded.
    let body = b"test 123".repeat(100);
    let compressed = gzip(&body);
    let response = response_with("gzip", compressed[..compressed.len() - 4].to_vec())?;
    assert_eq!(response.content()?.as_ref(), &body[..]);
    Ok(())
}

#[test]
fn test_zstd_multiframe() -> httpx::Result<()> {
    let mut data = zstd(b"foo");
    // A skippable frame (must be ignored): magic, size 7, 7 bytes of user data.
    data.extend_from_slice(&[0x50, 0x2A, 0x4D, 0x18, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    data.extend_from_slice(&zstd(b"bar"));
    // httpx: content=io.BytesIO(data), then read(): a stream.
    let mut response = streamed(&[("Content-Encoding", "zstd")], vec![data.clone()])?;
    assert_eq!(response.read()?.as_ref(), b"foobar");
    // The frames split across chunks at every point decode alike.
    for cut in 1..data.len() {
        let parts = vec![data[..cut].to_vec(), data[cut..].to_vec()];
        let mut response = streamed(&[("Content-Encoding", "zstd")], parts)?;
        assert_eq!(response.read()?.as_ref(), b"foobar", "cut at {cut}");
    }
    Ok(())
}

#[test]
fn test_multi() -> httpx::Result<()> {
    // Codings apply in the order listed: gzip(deflate(body)).
    let compressed = gzip(&raw_deflate(b"test 123"));
    let response = response_with("deflate, gzip", compressed.clone())?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    // The same codings in two header lines.
    let response = Response::builder(200)
        .header("Content-Encoding", "deflate")
        .header("Content-Encoding", "gzip")
        .content(compressed)
        .build()?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    // Every pair of codings.
    for first in ["gzip", "deflate", "br", "zstd"] {
        for second in ["gzip", "deflate", "br", "zstd"] {
            let body = format!("{first} then {second} ").repeat(50);
            let response = response_with(
                &format!("{first}, {second}"),
                encode(second, &encode(first, body.as_bytes())),
            )?;
            assert_eq!(
                response.content()?.as_ref(),
                body.as_bytes(),
                "{first}, {second}"
            );
        }
    }
    Ok(())
}

#[test]
fn test_multi_with_identity() -> httpx::Result<()> {
    let compressed = &b"\x8b\x03\x80test 123\x03"[..];
    let response = response_with("br, identity", compressed)?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    let response = response_with("identity, br", compressed)?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_streaming_sync() -> httpx::Result<()> {
    // httpx's test_streaming with a blocking iterator.
    let compressed = gzip(b"test 123");
    let parts = compressed.chunks(3).map(<[u8]>::to_vec).collect();
    let mut response = streamed(&[("Content-Encoding", "gzip")], parts)?;
    assert_eq!(
        response.content().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );
    assert_eq!(response.read()?.as_ref(), b"test 123");
    Ok(())
}

#[tokio::test]
async fn test_streaming() -> httpx::Result<()> {
    let compressed = gzip(b"test 123");
    let (a, b) = compressed.split_at(compressed.len() / 2);
    let parts = vec![Ok::<_, httpx::Error>(a.to_vec()), Ok(b.to_vec())];
    let stream = futures_util::stream::iter(parts).then(|chunk| async move {
        tokio::task::yield_now().await;
        chunk
    });
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .async_stream(stream)
        .build()?;
    assert_eq!(
        response.content().unwrap_err().kind(),
        ErrorKind::ResponseNotRead
    );
    assert_eq!(response.aread().await?.as_ref(), b"test 123");
    Ok(())
}

#[test]
fn test_empty_content() -> httpx::Result<()> {
    for coding in ["deflate", "gzip", "br", "zstd", "identity"] {
        let response = response_with(coding, "")?;
        assert_eq!(response.content()?.as_ref(), b"", "{coding}");
        // A streamed empty body, and one made of empty chunks.
        for parts in [vec![], vec![vec![], vec![]]] {
            let mut response = streamed(&[("Content-Encoding", coding)], parts)?;
            assert_eq!(response.read()?.as_ref(), b"", "{coding}");
        }
    }
    Ok(())
}

#[test]
fn test_decoders_empty_cases() -> httpx::Result<()> {
    for coding in ["deflate", "gzip", "br", "zstd", "identity"] {
        let mut response = response_with(coding, "")?;
        assert_eq!(response.read()?.as_ref(), b"", "{coding}");
    }
    Ok(())
}

#[test]
fn test_decoding_errors() {
    for coding in ["deflate", "gzip", "br", "zstd"] {
        let err = response_with(coding, "invalid").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        // The same error when the body is streamed and read later.
        let mut response =
            streamed(&[("Content-Encoding", coding)], chunks(&[b"inv", b"alid"])).unwrap();
        let err = response.read().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        // After a decoding error the response is closed.
        assert!(response.is_closed());
        assert_eq!(
            response.read().unwrap_err().kind(),
            ErrorKind::StreamConsumed
        );
    }
}

#[tokio::test]
async fn test_text_decoder_with_autodetect() -> httpx::Result<()> {
    // httpx uses chardet; any function from bytes to a label will do here.
    let cases: [(&[&[u8]], &str); 4] = [
        (&[b"Hello,", b" world!"], "Hello, world!"),
        (
            &[
                b"\xe3\x83",
                b"\x88\xe3\x83\xa9",
                b"\xe3",
                b"\x83\x99\xe3\x83\xab",
            ],
            "トラベル",
        ),
        (
            &[b"Euro character: \x88! abcdefghijklmnopqrstuvwxyz", b""],
            "Euro character: \u{2c6}! abcdefghijklmnopqrstuvwxyz",
        ),
        (
            &[b"Accented: \xd6sterreich abcdefghijklmnopqrstuvwxyz", b""],
            "Accented: Österreich abcdefghijklmnopqrstuvwxyz",
        ),
    ];
    for (parts, expected) in cases {
        for flavour in ["sync", "async"] {
            let client_parts = chunks(parts);
            let transport = MockTransport::new(move |_| {
                Response::builder(200)
                    .stream(client_parts.clone().into_iter().map(Ok::<_, httpx::Error>))
                    .build()
            });
            let detect = DefaultEncoding::Detect(Arc::new(autodetect));
            if flavour == "sync" {
                let client = httpx::Client::builder()
                    .transport(transport)
                    .default_encoding(detect)
                    .build()?;
                let mut response = client.get(URL).send()?;
                assert_eq!(response.text()?, expected);
                let text: Vec<String> = response.iter_text().collect::<httpx::Result<_>>()?;
                assert_eq!(text.concat(), expected);
            } else {
                let client = httpx::AsyncClient::builder()
                    .transport(transport)
                    .default_encoding(detect)
                    .build()?;
                let mut response = client.get(URL).send().await?;
                assert_eq!(response.text()?, expected);
                let text = common::collect_stream(response.aiter_text()).await?;
                assert_eq!(text.concat(), expected);
            }
        }
    }
    Ok(())
}

/// A toy charset detector: UTF-8 when the bytes are valid UTF-8, else windows-1252.
fn autodetect(content: &[u8]) -> Option<String> {
    Some(
        if std::str::from_utf8(content).is_ok() {
            "utf-8"
        } else {
            "windows-1252"
        }
        .to_string(),
    )
}

#[tokio::test]
async fn test_text_decoder_known_encoding() -> httpx::Result<()> {
    let parts: Vec<httpx::Result<&'static [u8]>> =
        vec![Ok(b"\x83g"), Ok(b"\x83"), Ok(b"\x89\x83x\x83\x8b")];
    let mut response = Response::builder(200)
        .header("Content-Type", "text/html; charset=shift-jis")
        .async_stream(futures_util::stream::iter(parts))
        .build()?;
    response.aread().await?;
    assert_eq!(response.text()?, "トラベル");
    assert_eq!(response.encoding(), "shift_jis");
    Ok(())
}

#[test]
fn test_text_decoder_empty_cases() -> httpx::Result<()> {
    let response = Response::builder(200).content("").build()?;
    assert_eq!(response.text()?, "");
    let mut response = streamed(&[], vec![vec![]])?;
    response.read()?;
    assert_eq!(response.text()?, "");
    Ok(())
}

#[test]
fn test_streaming_text_decoder() -> httpx::Result<()> {
    let mut response = streamed(&[], chunks(&[b"Hello,", b" world!"]))?;
    let text: Vec<String> = response.iter_text().collect::<httpx::Result<_>>()?;
    assert_eq!(text, ["Hello,", " world!"]);
    Ok(())
}

#[test]
fn test_line_decoder_nl() -> httpx::Result<()> {
    assert_eq!(lines_of(&[b""])?, Vec::<String>::new());
    assert_eq!(lines_of(&[b"", b"a\n\nb\nc"])?, ["a", "", "b", "c"]);
    // Issue #1033
    assert_eq!(
        lines_of(&[b"", b"12345\n", b"foo ", b"bar ", b"baz\n"])?,
        ["12345", "foo bar baz"]
    );
    Ok(())
}

#[test]
fn test_line_decoder_cr() -> httpx::Result<()> {
    assert_eq!(lines_of(&[b"", b"a\r\rb\rc"])?, ["a", "", "b", "c"]);
    assert_eq!(lines_of(&[b"", b"a\r\rb\rc\r"])?, ["a", "", "b", "c"]);
    // Issue #1033
    assert_eq!(
        lines_of(&[b"", b"12345\r", b"foo ", b"bar ", b"baz\r"])?,
        ["12345", "foo bar baz"]
    );
    Ok(())
}

#[test]
fn test_line_decoder_crnl() -> httpx::Result<()> {
    assert_eq!(lines_of(&[b"", b"a\r\n\r\nb\r\nc"])?, ["a", "", "b", "c"]);
    assert_eq!(
        lines_of(&[b"", b"a\r\n\r\nb\r\nc\r\n"])?,
        ["a", "", "b", "c"]
    );
    assert_eq!(
        lines_of(&[b"", b"a\r", b"\n\r\nb\r\nc"])?,
        ["a", "", "b", "c"]
    );
    // Issue #1033
    assert_eq!(
        lines_of(&[b"", b"12345\r\n", b"foo bar baz\r\n"])?,
        ["12345", "foo bar baz"]
    );
    Ok(())
}

#[test]
fn test_invalid_content_encoding_header() -> httpx::Result<()> {
    let response = response_with("invalid-header", "test 123")?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    // An unknown token next to known ones is skipped (SECURITY.md D3).
    let response = response_with("gzip, invalid-header", gzip(b"test 123"))?;
    assert_eq!(response.content()?.as_ref(), b"test 123");
    Ok(())
}

// ---------------------------------------------------------------------------
// Text decoding on Response
// ---------------------------------------------------------------------------

#[test]
fn test_charset_from_content_type() -> httpx::Result<()> {
    let response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=latin-1")
        .content(&b"caf\xe9"[..])
        .build()?;
    assert_eq!(response.charset_encoding().as_deref(), Some("latin-1"));
    assert_eq!(response.text()?, "café");
    // httpx: latin-1 decodes 0x80 as U+0080 and reports "latin-1"; here: WHATWG maps
    // latin-1 to windows-1252 (as browsers do), so 0x80 is the euro sign.
    assert_eq!(response.encoding(), "windows-1252");
    let response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=ISO-8859-1")
        .content(&b"\x80"[..])
        .build()?;
    assert_eq!(response.text()?, "€");

    let response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=\"UTF-8\"")
        .content("naïve".as_bytes().to_vec())
        .build()?;
    assert_eq!(response.text()?, "naïve");
    assert_eq!(response.encoding(), "utf-8");
    Ok(())
}

#[test]
fn test_utf8_is_the_default() -> httpx::Result<()> {
    let response = Response::builder(200)
        .content("é".as_bytes().to_vec())
        .build()?;
    assert_eq!(response.encoding(), "utf-8");
    assert_eq!(response.text()?, "é");
    // Invalid sequences become U+FFFD, as Python's errors="replace".
    let response = Response::builder(200).content(&b"a\xe9b"[..]).build()?;
    assert_eq!(response.text()?, "a\u{fffd}b");
    // An unknown charset falls back to the default.
    let response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=no-such-charset")
        .content("é".as_bytes().to_vec())
        .build()?;
    assert_eq!(response.text()?, "é");
    Ok(())
}

#[test]
fn test_set_encoding() -> httpx::Result<()> {
    let mut response = Response::builder(200)
        .header("Content-Type", "text/plain; charset=utf-8")
        .content(&b"caf\xe9"[..])
        .build()?;
    // An explicit encoding wins over the Content-Type charset.
    response.set_encoding("latin-1")?;
    assert_eq!(response.text()?, "café");
    // httpx: ValueError once `text` has been read.
    assert_eq!(
        response.set_encoding("utf-8").unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(response.text()?, "café");

    let mut response = Response::builder(200).content("x").build()?;
    assert!(response.set_encoding("no-such-encoding").is_err());
    assert_eq!(response.text()?, "x");
    Ok(())
}

#[test]
fn test_iter_text_across_chunk_boundaries() -> httpx::Result<()> {
    // Every split of a UTF-8 text decodes without replacement characters.
    let text = "añ€𝄞z";
    let bytes = text.as_bytes();
    for cut in 0..=bytes.len() {
        for cut2 in cut..=bytes.len() {
            let parts = vec![
                bytes[..cut].to_vec(),
                bytes[cut..cut2].to_vec(),
                bytes[cut2..].to_vec(),
            ];
            let mut response = streamed(&[], parts)?;
            let decoded: Vec<String> = response.iter_text().collect::<httpx::Result<_>>()?;
            assert_eq!(decoded.concat(), text, "cuts {cut} {cut2}");
        }
    }
    // A multi-byte character cut by the end of the body: one U+FFFD at the end.
    let mut response = streamed(&[], chunks(&[b"ab", b"\xe2\x82"]))?;
    let decoded: Vec<String> = response.iter_text().collect::<httpx::Result<_>>()?;
    assert_eq!(decoded.concat(), "ab\u{fffd}");
    Ok(())
}

#[test]
fn test_iter_lines_across_chunk_boundaries() -> httpx::Result<()> {
    let body = "line one\r\nline twö\nthree\rfour\r\n\r\nlast";
    let expected = ["line one", "line twö", "three", "four", "", "last"];
    let bytes = body.as_bytes();
    for size in 1..=bytes.len() {
        let parts: Vec<Vec<u8>> = bytes.chunks(size).map(<[u8]>::to_vec).collect();
        let mut response = streamed(&[], parts)?;
        let lines: Vec<String> = response.iter_lines().collect::<httpx::Result<_>>()?;
        assert_eq!(lines, expected, "chunk size {size}");
    }
    Ok(())
}

#[test]
fn test_iter_text_of_compressed_body() -> httpx::Result<()> {
    let body = "ünïcödé text\n".repeat(2000);
    let compressed = gzip(body.as_bytes());
    let parts = compressed.chunks(7).map(<[u8]>::to_vec).collect();
    let mut response = streamed(
        &[
            ("Content-Encoding", "gzip"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        parts,
    )?;
    let lines: Vec<String> = response.iter_lines().collect::<httpx::Result<_>>()?;
    assert_eq!(lines.len(), 2000);
    assert!(lines.iter().all(|l| l == "ünïcödé text"));
    Ok(())
}

// ---------------------------------------------------------------------------
// Through a client
// ---------------------------------------------------------------------------

/// A transport answering every request with `body` in `chunk`-byte pieces, with the
/// given Content-Encoding and Content-Type.
fn serving(
    coding: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    chunk: usize,
) -> MockTransport {
    let body = Bytes::from(body);
    MockTransport::new(move |_| {
        let parts: Vec<httpx::Result<Bytes>> = (0..body.len())
            .step_by(chunk.max(1))
            .map(|i| Ok(body.slice(i..(i + chunk).min(body.len()))))
            .collect();
        let mut builder = Response::builder(200);
        if !coding.is_empty() {
            builder = builder.header("Content-Encoding", coding);
        }
        if let Some(ct) = content_type {
            builder = builder.header("Content-Type", ct);
        }
        builder.stream(parts).build()
    })
}

/// httpx's largest decoded chunk here (src/decoders/mod.rs MAX_PIECE).
const MAX_PIECE: usize = 64 * 1024;

/// 64 MiB of zeros, gzipped once per test binary (about 64 KiB).
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            e.write_all(&zeros).unwrap();
        }
        e.finish().unwrap()
    })
}

const BOMB_SIZE: usize = 64 << 20;

dual_test! {
    fn test_client_decodes_every_coding() {
        let body = b"hello, decoded world! ".repeat(500);
        for coding in ["gzip", "deflate", "br", "zstd", "identity", "gzip, br", "zstd, deflate"] {
            let mut compressed = body.clone();
            for c in coding.split(", ") {
                compressed = encode(c, &compressed);
            }
            let client = builder!().transport(serving(coding, None, compressed, 100)).build()?;
            let response = send!(client.get(URL))?;
            assert_eq!(response.content()?.as_ref(), &body[..], "{coding}");
        }
        Ok(())
    }

    fn test_client_decoding_error_when_sent() {
        for coding in ["gzip", "deflate", "br", "zstd"] {
            let client = builder!().transport(serving(coding, None, b"not compressed at all".to_vec(), 5)).build()?;
            let err = send!(client.get(URL)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
            // The error names the request it belongs to.
            let info = err.request().expect("request info");
            assert_eq!(info.url.as_str(), URL);
            assert_eq!(info.method, "GET");
        }
        Ok(())
    }

    fn test_client_decoding_error_when_streamed() {
        for coding in ["gzip", "deflate", "br", "zstd"] {
            let client = builder!().transport(serving(coding, None, b"not compressed at all".to_vec(), 5)).build()?;
            let mut response = send!(client.stream("GET", URL))?;
            assert_eq!(response.status(), 200);
            let err = read!(response).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
            assert!(response.is_closed());

            // A lie found part-way: good gzip data followed by garbage.
            let mut lie = encode(coding, &b"x".repeat(300_000));
            let keep = lie.len() / 2;
            lie.truncate(keep);
            lie.extend_from_slice(&[0xff; 64]);
            let client = builder!().transport(serving(coding, None, lie, 1000)).build()?;
            let mut response = send!(client.stream("GET", URL))?;
            let err = bytes!(response).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DecodingError, "{coding}");
        }
        Ok(())
    }

    fn test_client_iter_raw_is_undecoded() {
        let body = b"raw bytes stay compressed ".repeat(100);
        let compressed = gzip(&body);
        let client = builder!().transport(serving("gzip", None, compressed.clone(), 10)).build()?;
        let mut response = send!(client.stream("GET", URL))?;
        let raw = raw!(response)?;
        assert_eq!(raw.len(), compressed.len().div_ceil(10));
        assert_eq!(raw.concat(), compressed);
        assert_eq!(response.num_bytes_downloaded(), compressed.len() as u64);
        // The stream is consumed: decoded iteration is no longer possible.
        assert_eq!(bytes!(response).unwrap_err().kind(), ErrorKind::StreamConsumed);
        Ok(())
    }

    fn test_client_num_bytes_downloaded_counts_raw_bytes() {
        let body = vec![b'a'; 100_000];
        let compressed = brotli(&body);
        let client = builder!().transport(serving("br", None, compressed.clone(), 17)).build()?;
        let mut response = send!(client.stream("GET", URL))?;
        assert_eq!(response.num_bytes_downloaded(), 0);
        let decoded = bytes!(response)?;
        assert_eq!(decoded.concat(), body);
        assert_eq!(response.num_bytes_downloaded(), compressed.len() as u64);

        // A read (non-streamed) response counts the same.
        let response = send!(client.get(URL))?;
        assert_eq!(response.content()?.len(), body.len());
        assert_eq!(response.num_bytes_downloaded(), compressed.len() as u64);
        Ok(())
    }

    fn test_client_default_encoding_label() {
        // Shift-JIS "トラベル" with no charset: decoded with the client's default.
        let sjis = b"\x83g\x83\x89\x83x\x83\x8b".to_vec();
        let client = builder!()
            .transport(serving("", Some("text/plain"), sjis.clone(), 3))
            .default_encoding("shift-jis")
            .build()?;
        let response = send!(client.get(URL))?;
        assert_eq!(response.text()?, "トラベル");
        assert_eq!(response.encoding(), "shift_jis");

        // A charset in the Content-Type wins over the default.
        let client = builder!()
            .transport(serving("", Some("text/plain; charset=utf-8"), "é".as_bytes().to_vec(), 1))
            .default_encoding("shift-jis")
            .build()?;
        let response = send!(client.get(URL))?;
        assert_eq!(response.text()?, "é");

        // Streamed text uses the default label too.
        let client = builder!()
            .transport(serving("", None, sjis, 1))
            .default_encoding("shift-jis")
            .build()?;
        let mut response = send!(client.stream("GET", URL))?;
        assert_eq!(text_chunks!(response)?.concat(), "トラベル");
        Ok(())
    }

    fn test_client_default_encoding_detect() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let detect = DefaultEncoding::Detect(Arc::new(move |content: &[u8]| {
            seen.fetch_add(1, Ordering::SeqCst);
            autodetect(content)
        }));
        let client = builder!()
            .transport(serving("gzip", None, gzip(b"caf\xe9 cr\xe8me"), 4))
            .default_encoding(detect)
            .build()?;
        let response = send!(client.get(URL))?;
        // The detector sees the decoded content.
        assert_eq!(response.text()?, "café crème");
        assert_eq!(response.encoding(), "windows-1252");
        assert!(calls.load(Ordering::SeqCst) >= 1);

        // httpx: without reading first, streamed text gets no guess and uses UTF-8.
        let mut response = send!(client.stream("GET", URL))?;
        assert_eq!(text_chunks!(response)?.concat(), "caf\u{fffd} cr\u{fffd}me");
        Ok(())
    }

    fn test_client_iter_text_and_lines_across_chunks() {
        // UTF-8 split inside characters, and \r\n split between chunks.
        let body = "トラベル\r\nzweite Zeile\r\n€\r\n".as_bytes().to_vec();
        for chunk in [1, 2, 3, 5] {
            let client = builder!().transport(serving("", None, body.clone(), chunk)).build()?;
            let mut response = send!(client.stream("GET", URL))?;
            let text = text_chunks!(response)?;
            assert_eq!(text.concat(), "トラベル\r\nzweite Zeile\r\n€\r\n", "chunk {chunk}");
            assert!(text.iter().all(|t| !t.contains('\u{fffd}')));
            let mut response = send!(client.stream("GET", URL))?;
            assert_eq!(lines!(response)?, ["トラベル", "zweite Zeile", "€"], "chunk {chunk}");
        }
        Ok(())
    }

    fn test_client_decompression_bomb_chunks_are_bounded() {
        // SECURITY.md D1: 64 MiB of zeros in about 64 KiB of gzip is decoded in pieces
        // of at most 64 KiB, as they are asked for.
        let client = builder!().transport(serving("gzip", None, gzip_bomb().to_vec(), 4096)).build()?;
        let mut response = send!(client.stream("GET", URL))?;
        let pieces = bytes!(response)?;
        assert!(pieces.iter().all(|p| !p.is_empty() && p.len() <= MAX_PIECE));
        assert_eq!(pieces.iter().map(Bytes::len).sum::<usize>(), BOMB_SIZE);
        assert!(pieces.iter().all(|p| p.iter().all(|&b| b == 0)));
        assert_eq!(response.num_bytes_downloaded(), gzip_bomb().len() as u64);
        Ok(())
    }

    fn test_client_stacked_codings_are_capped() {
        // SECURITY.md D2: at most 5 codings; a sixth is a DecodingError.
        let body = b"stacked".to_vec();
        let mut compressed = body.clone();
        for _ in 0..5 {
            compressed = gzip(&compressed);
        }
        let five = "gzip, gzip, gzip, gzip, gzip";
        let client = builder!().transport(serving(five, None, compressed.clone(), 16)).build()?;
        assert_eq!(send!(client.get(URL))?.content()?.as_ref(), &body[..]);

        let six = gzip(&compressed);
        let client = builder!().transport(serving("gzip, gzip, gzip, gzip, gzip, gzip", None, six.clone(), 16)).build()?;
        let err = send!(client.get(URL)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecodingError);
        let mut response = send!(client.stream("GET", URL))?;
        assert_eq!(read!(response).unwrap_err().kind(), ErrorKind::DecodingError);
        // The raw body is still there for who wants it.
        let mut response = send!(client.stream("GET", URL))?;
        assert_eq!(bytes!(response).unwrap_err().kind(), ErrorKind::DecodingError);
        assert_eq!(raw!(response)?.concat(), six);
        Ok(())
    }
}

/// A raw body source that counts how many chunks were pulled from it.
fn counted(
    data: &'static [u8],
    chunk: usize,
    pulled: Arc<AtomicUsize>,
) -> impl Iterator<Item = httpx::Result<Bytes>> + Send {
    data.chunks(chunk).map(move |c| {
        pulled.fetch_add(1, Ordering::SeqCst);
        Ok(Bytes::from_static(c))
    })
}

#[test]
fn test_decompression_bomb_is_decoded_on_demand_sync() -> httpx::Result<()> {
    let bomb = gzip_bomb();
    let pulled = Arc::new(AtomicUsize::new(0));
    let source = counted(bomb, 1024, pulled.clone());
    let mut response = Response::builder(200)
        .header("Content-Encoding", "gzip")
        .raw_stream(source)
        .build()?;
    let first: Vec<Bytes> = response
        .iter_bytes()
        .take(8)
        .collect::<httpx::Result<_>>()?;
    assert_eq!(first.len(), 8);
    assert!(first.iter().all(|p| !p.is_empty() && p.len() <= MAX_PIECE));
    // 8 pieces of output need a few KiB of input, not the whole 64 KiB body.
    let raw_read = pulled.load(Ordering::SeqCst);
    assert!(
        raw_read <= 4,
        "pulled {raw_read} raw chunks of {}",
        bomb.len().div_ceil(1024)
    );
    assert!(response.num_bytes_downloaded() <= 4 * 1024);
    assert!(bomb.len() > 32 * 1024);
    Ok(())
}

#[test]
fn test_decompression_bomb_through_sync_client() -> httpx::Result<()> {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let transport = MockTransport::new(move |_| {
        Response::builder(200)
            .header("Content-Encoding", "gzip")
            .raw_stream(counted(gzip_bomb(), 1024, counter.clone()))
            .build()
    });
    let client = httpx::Client::builder().transport(transport).build()?;
    let mut response = client.stream("GET", URL).send()?;
    let sizes: Vec<usize> = response
        .iter_bytes()
        .take(16)
        .map(|p| p.map(|p| p.len()))
        .collect::<httpx::Result<_>>()?;
    assert_eq!(sizes.len(), 16);
    assert!(sizes.iter().all(|&n| n > 0 && n <= MAX_PIECE), "{sizes:?}");
    assert!(pulled.load(Ordering::SeqCst) <= 4);
    response.close();
    assert!(response.is_closed());
    Ok(())
}

#[tokio::test]
async fn test_decompression_bomb_is_decoded_on_demand_async() -> httpx::Result<()> {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let transport = MockTransport::new(move |_| {
        let source = futures_util::stream::iter(counted(gzip_bomb(), 1024, counter.clone()));
        Response::builder(200)
            .header("Content-Encoding", "gzip")
            .raw_async_stream(source)
            .build()
    });
    let client = httpx::AsyncClient::builder().transport(transport).build()?;
    let mut response = client.stream("GET", URL).send().await?;
    let pieces: Vec<httpx::Result<Bytes>> = response.aiter_bytes().take(16).collect().await;
    assert_eq!(pieces.len(), 16);
    for piece in pieces {
        let piece = piece?;
        assert!(!piece.is_empty() && piece.len() <= MAX_PIECE);
    }
    assert!(pulled.load(Ordering::SeqCst) <= 4);
    Ok(())
}

#[test]
fn test_decompression_bombs_of_every_coding_are_bounded() -> httpx::Result<()> {
    // 8 MiB of zeros in each coding: pieces stay at most 64 KiB, and the first few
    // pieces need only the start of the body.
    let zeros = vec![0u8; 8 << 20];
    for coding in ["deflate", "br", "zstd"] {
        let compressed: &'static [u8] = Vec::leak(encode(coding, &zeros));
        let pulled = Arc::new(AtomicUsize::new(0));
        let mut response = Response::builder(200)
            .header("Content-Encoding", coding)
            .raw_stream(counted(compressed, 256, pulled.clone()))
            .build()?;
        let mut total = 0usize;
        for (i, piece) in response.iter_bytes().enumerate() {
            let piece = piece?;
            assert!(
                !piece.is_empty() && piece.len() <= MAX_PIECE,
                "{coding}: {}",
                piece.len()
            );
            total += piece.len();
            if i == 3 {
                let chunks = compressed.len().div_ceil(256);
                let used = pulled.load(Ordering::SeqCst);
                assert!(
                    used < chunks || chunks <= 2,
                    "{coding}: pulled {used} of {chunks}"
                );
            }
        }
        assert_eq!(total, zeros.len(), "{coding}");
    }
    Ok(())
}

#[test]
fn test_stacked_codings_over_the_cap() {
    // SECURITY.md D2, through Response::builder: in one header or spread over several.
    let mut compressed = b"x".to_vec();
    for _ in 0..6 {
        compressed = gzip(&compressed);
    }
    let err = response_with("gzip, gzip, gzip, gzip, gzip, gzip", compressed.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
    let err = Response::builder(200)
        .header("Content-Encoding", "gzip, gzip, gzip")
        .header("Content-Encoding", "gzip, gzip")
        .header("Content-Encoding", "gzip")
        .content(compressed)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecodingError);
    // Identity and unknown tokens do not count towards the cap.
    let mut five = b"x".to_vec();
    for _ in 0..5 {
        five = gzip(&five);
    }
    let response = response_with(
        "identity, gzip, gzip, x-unknown, gzip, gzip, gzip, identity",
        five,
    )
    .unwrap();
    assert_eq!(response.content().unwrap().as_ref(), b"x");
}
