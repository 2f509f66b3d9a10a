//! The answers of [`FaultMode::Hostile`](crate::FaultMode::Hostile): responses that
//! attack the client's parser, framing, timeouts, decoders and redirect handling, written
//! byte for byte on the raw socket.
//!
//! | path | answer (keep-alive unless said) |
//! | --- | --- |
//! | `/hostile/duplicate-content-length` | `Content-Length: 5` and `Content-Length: 6`, body `hello!` |
//! | `/hostile/content-length-and-chunked?delay_ms=N` | `Transfer-Encoding: chunked` (body `hello`) and a `Content-Length` that also covers a complete smuggled response (`X-Smuggled: 1`, body `smuggled`) written right after the chunked body, in the same write, or N ms later (before the next request is read) |
//! | `/hostile/chunk-size/{non-hex,overflow,negative}` | chunked, first chunk size `zz`, `1` followed by 32 `f`s, or `-5` |
//! | `/hostile/bytes-after-body` | `Content-Length: 5`, `hello`, then at once (same write) the smuggled response |
//! | `/hostile/slow-head?interval_ms=N` | the head of a 5-byte answer (`hello`) one byte every N ms (default 200), then the body |
//! | `/hostile/slow-body?interval_ms=N&bytes=B` | the head at once (`Content-Length: B`, default 100), then the body, `*` one byte every N ms (default 200) |
//! | `/hostile/header-flood?count=N` | N headers `X-Flood-{i}: {i}` (default 5000), then a 5-byte body |
//! | `/hostile/huge-header?kib=N` | one header line `X-Huge` of N KiB (default 1024), then a 5-byte body |
//! | `/hostile/bomb/{coding}?mib=N` | N MiB of zeros (default 16, 1..=2048) compressed with `gzip`, `deflate`, `br` or `zstd`, with `Content-Encoding` and `Content-Length` |
//! | `/hostile/redirect-loop` | `302` to itself |
//! | `/hostile/location?to=X` | `302` whose `Location` is `X` percent-decoded and written raw: CR, LF, NUL, DEL, spaces and all |
//!
//! Any other path gets the well-behaved answer of the fault server (`200`,
//! `answer to {target}`). A write that fails (the client left) ends the connection.

use std::time::Duration;

use crate::encode::{bomb, Coding};

/// A complete response written after the hostile one, which a client must never take as
/// the answer to its next request.
pub(crate) const SMUGGLED: &[u8] =
    b"HTTP/1.1 200 OK\r\nX-Smuggled: 1\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nsmuggled";

/// What the connection does to answer.
#[derive(Debug)]
pub(crate) enum Step {
    /// Writes the bytes in one write.
    Write(Vec<u8>),
    /// Writes the bytes one at a time, `interval` apart.
    Drip(Vec<u8>, Duration),
    /// Waits (reading nothing).
    Sleep(Duration),
}

/// The hostile answer to a request for `target`, or `None` when the path is not a
/// hostile one (the request gets the ordinary answer).
pub(crate) fn answer(target: &str) -> Option<Vec<Step>> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let rest = path.strip_prefix("/hostile/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let param = |name: &str| -> Option<Vec<u8>> {
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| percent_encoding::percent_decode_str(v).collect())
        })
    };
    let number = |name: &str, default: u64| -> u64 {
        param(name)
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let text = "Content-Type: text/plain\r\n";
    let steps = match segments.as_slice() {
        ["duplicate-content-length"] => vec![Step::Write(
            format!(
                "HTTP/1.1 200 OK\r\n{text}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
            )
            .into_bytes(),
        )],
        ["content-length-and-chunked"] => {
            let chunked: &[u8] = b"5\r\nhello\r\n0\r\n\r\n";
            let mut out = format!(
                "HTTP/1.1 200 OK\r\n{text}Transfer-Encoding: chunked\r\nContent-Length: {}\r\n\r\n",
                chunked.len() + SMUGGLED.len()
            )
            .into_bytes();
            out.extend_from_slice(chunked);
            match number("delay_ms", 0) {
                0 => {
                    out.extend_from_slice(SMUGGLED);
                    vec![Step::Write(out)]
                }
                ms => vec![
                    Step::Write(out),
                    Step::Sleep(Duration::from_millis(ms)),
                    Step::Write(SMUGGLED.to_vec()),
                ],
            }
        }
        ["chunk-size", kind] => {
            let size = match *kind {
                "non-hex" => "zz".to_string(),
                "overflow" => format!("1{}", "f".repeat(32)),
                "negative" => "-5".to_string(),
                _ => return None,
            };
            vec![Step::Write(
                format!(
                    "HTTP/1.1 200 OK\r\n{text}Transfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
                )
                .into_bytes(),
            )]
        }
        ["bytes-after-body"] => {
            let mut out =
                format!("HTTP/1.1 200 OK\r\n{text}Content-Length: 5\r\n\r\nhello").into_bytes();
            out.extend_from_slice(SMUGGLED);
            vec![Step::Write(out)]
        }
        ["slow-head"] => {
            let interval = Duration::from_millis(number("interval_ms", 200));
            vec![
                Step::Drip(
                    format!("HTTP/1.1 200 OK\r\n{text}Content-Length: 5\r\n\r\n").into_bytes(),
                    interval,
                ),
                Step::Write(b"hello".to_vec()),
            ]
        }
        ["slow-body"] => {
            let interval = Duration::from_millis(number("interval_ms", 200));
            let bytes = number("bytes", 100).min(1 << 20) as usize;
            vec![
                Step::Write(
                    format!("HTTP/1.1 200 OK\r\n{text}Content-Length: {bytes}\r\n\r\n")
                        .into_bytes(),
                ),
                Step::Drip(vec![b'*'; bytes], interval),
            ]
        }
        ["header-flood"] => {
            let count = number("count", 5000).min(1_000_000);
            let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
            for i in 0..count {
                out.extend_from_slice(format!("X-Flood-{i}: {i}\r\n").as_bytes());
            }
            out.extend_from_slice(format!("{text}Content-Length: 5\r\n\r\nhello").as_bytes());
            vec![Step::Write(out)]
        }
        ["huge-header"] => {
            let kib = number("kib", 1024).min(64 * 1024) as usize;
            let mut out = b"HTTP/1.1 200 OK\r\nX-Huge: ".to_vec();
            out.resize(out.len() + kib * 1024, b'a');
            out.extend_from_slice(format!("\r\n{text}Content-Length: 5\r\n\r\nhello").as_bytes());
            vec![Step::Write(out)]
        }
        ["bomb", coding] => {
            let coding = Coding::parse(coding).filter(|c| *c != Coding::Identity)?;
            let mib = number("mib", 16).clamp(1, 2048) as u32;
            let body = match bomb(coding, mib) {
                Ok(body) => body,
                Err(e) => {
                    let msg = e.to_string();
                    return Some(vec![Step::Write(
                        format!(
                            "HTTP/1.1 500 Internal Server Error\r\n{text}Content-Length: {}\r\n\r\n{msg}",
                            msg.len()
                        )
                        .into_bytes(),
                    )]);
                }
            };
            let mut out = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Encoding: {}\r\nContent-Length: {}\r\n\r\n",
                coding.token(),
                body.len()
            )
            .into_bytes();
            out.extend_from_slice(&body);
            vec![Step::Write(out)]
        }
        ["redirect-loop"] => vec![Step::Write(
            b"HTTP/1.1 302 Found\r\nLocation: /hostile/redirect-loop\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
        )],
        ["location"] => {
            let mut out = b"HTTP/1.1 302 Found\r\nLocation: ".to_vec();
            out.extend_from_slice(&param("to").unwrap_or_default());
            out.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
            vec![Step::Write(out)]
        }
        _ => return None,
    };
    Some(steps)
}
