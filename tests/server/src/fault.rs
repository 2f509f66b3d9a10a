//! Broken responses written by hand on the raw socket, for transport error tests.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::conn::Stream;

/// A fault the connection task performs once hyper has let go of the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    CloseMidBody,
    DuplicateContentLength,
    PlusContentLength,
    BadChunkSize,
    Stall,
    StallBody,
    Garbage,
    CloseImmediately,
    Reset,
    ResetMidBody,
}

/// How long stalls keep the socket open.
const STALL: Duration = Duration::from_secs(60);

impl Fault {
    /// The fault named by the last segment of `/fault/{name}`.
    pub(crate) fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "close-mid-body" => Fault::CloseMidBody,
            "duplicate-content-length" => Fault::DuplicateContentLength,
            "plus-content-length" => Fault::PlusContentLength,
            "bad-chunk-size" => Fault::BadChunkSize,
            "stall" => Fault::Stall,
            "stall-body" => Fault::StallBody,
            "garbage" => Fault::Garbage,
            "close-immediately" => Fault::CloseImmediately,
            "reset" => Fault::Reset,
            "reset-mid-body" => Fault::ResetMidBody,
            _ => return None,
        })
    }

    /// Every fault name, for the index page.
    pub(crate) const NAMES: &'static [&'static str] = &[
        "close-mid-body",
        "duplicate-content-length",
        "plus-content-length",
        "bad-chunk-size",
        "stall",
        "stall-body",
        "garbage",
        "close-immediately",
        "reset",
        "reset-mid-body",
    ];
}

/// Performs `fault` on `stream` (the request head has been read already). Over TLS the
/// broken answer goes through the TLS session; resets reset the TCP socket underneath.
pub(crate) async fn run<S: Stream>(fault: Fault, mut stream: S) {
    let _ = stream.tcp().set_nodelay(true);
    let head = |extra: &str| {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n{extra}\r\n")
    };
    let result = match fault {
        Fault::CloseMidBody => {
            let msg = head("Content-Length: 100\r\n") + "0123456789";
            write_then_close(&mut stream, msg.as_bytes()).await
        }
        Fault::DuplicateContentLength => {
            let msg = head("Content-Length: 5\r\nContent-Length: 6\r\n") + "hello!";
            write_then_close(&mut stream, msg.as_bytes()).await
        }
        Fault::PlusContentLength => {
            let msg = head("Content-Length: +3\r\n") + "abc";
            write_then_close(&mut stream, msg.as_bytes()).await
        }
        Fault::BadChunkSize => {
            let msg = head("Transfer-Encoding: chunked\r\n") + "zz\r\nhello\r\n0\r\n\r\n";
            write_then_close(&mut stream, msg.as_bytes()).await
        }
        Fault::Stall => {
            hold(&mut stream).await;
            Ok(())
        }
        Fault::StallBody => {
            let msg = head("Content-Length: 10\r\n") + "01";
            let mut r = stream.write_all(msg.as_bytes()).await;
            if r.is_ok() {
                r = stream.flush().await;
            }
            if r.is_ok() {
                hold(&mut stream).await;
            }
            r
        }
        Fault::Garbage => {
            let msg = b"\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n";
            write_then_close(&mut stream, msg).await
        }
        Fault::CloseImmediately => write_then_close(&mut stream, b"").await,
        Fault::Reset => {
            reset(stream);
            Ok(())
        }
        Fault::ResetMidBody => {
            let msg = head("Content-Length: 100\r\n") + "0123456789";
            let mut r = stream.write_all(msg.as_bytes()).await;
            if r.is_ok() {
                r = stream.flush().await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            reset(stream);
            r
        }
    };
    let _ = result;
}

/// Writes `data`, sends FIN, and drains what the client still sends (so the close is a
/// clean FIN rather than a reset caused by unread input).
async fn write_then_close<S: Stream>(stream: &mut S, data: &[u8]) -> std::io::Result<()> {
    stream.write_all(data).await?;
    stream.flush().await?;
    stream.shutdown().await?;
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    Ok(())
}

/// Keeps the socket open (reading and discarding) until the client leaves or time runs out.
async fn hold<S: Stream>(stream: &mut S) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(STALL, async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Closes with a TCP reset (SO_LINGER 0; no TLS close_notify).
fn reset<S: Stream>(stream: S) {
    let _ = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO));
    drop(stream);
}
