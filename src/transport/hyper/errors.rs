//! hyper's errors mapped onto httpx's kinds, and which failed requests may be sent
//! again.

use super::io::{self, IoFailure};
use super::send::Retry;
use crate::config::{MAX_RESPONSE_HEADERS, MAX_RESPONSE_HEAD_BYTES};
use crate::error::{Error, ErrorKind};

/// Whether `err`, from a request hyper took, may be retried; see [`Retry`].
pub(super) fn retry_class(err: &hyper::Error) -> Retry {
    if err.is_canceled() {
        // The connection closed before the request was written.
        return Retry::Unprocessed;
    }
    #[cfg(feature = "http2")]
    if let Some(e) = find_h2_error(err) {
        if e.reason() == Some(h2::Reason::REFUSED_STREAM)
            || (e.is_go_away() && e.is_remote() && e.reason() == Some(h2::Reason::NO_ERROR))
        {
            return Retry::Unprocessed;
        }
        if e.is_go_away() || e.is_io() {
            return Retry::StaleConnection;
        }
        return Retry::No;
    }
    if err.is_incomplete_message() {
        return Retry::StaleConnection;
    }
    use std::error::Error as _;
    match err.source().and_then(|s| io::find_failure(s)) {
        Some(IoFailure::Write(e)) | Some(IoFailure::Read(e)) => {
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                Retry::StaleConnection
            } else {
                Retry::No
            }
        }
        _ => Retry::No,
    }
}

/// The HTTP/2 error behind a hyper error, if any.
#[cfg(feature = "http2")]
fn find_h2_error(err: &hyper::Error) -> Option<&h2::Error> {
    use std::error::Error as _;
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(e) = s.downcast_ref::<h2::Error>() {
            return Some(e);
        }
        source = s.source();
    }
    None
}

/// Whether the HTTP/2 connection a request failed on is going away (GOAWAY, or the
/// connection broke): it is no longer shared.
#[cfg(feature = "http2")]
pub(super) fn h2_connection_ends(err: &hyper::Error) -> bool {
    find_h2_error(err).is_some_and(|e| e.is_go_away() || e.is_io())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Connect,
    Send,
    Body,
}

/// Maps a hyper error onto httpx's kinds.
pub(super) fn map_error(err: hyper::Error, phase: Phase) -> Error {
    use std::error::Error as _;
    let tagged = err.source().and_then(|s| io::find_failure(s));
    let (kind, message) = match tagged {
        Some(IoFailure::ReadTimeout) => (
            ErrorKind::ReadTimeout,
            "Timed out reading from the server".to_string(),
        ),
        Some(IoFailure::WriteTimeout) => (
            ErrorKind::WriteTimeout,
            "Timed out writing to the server".to_string(),
        ),
        Some(IoFailure::Read(_)) => (
            ErrorKind::ReadError,
            "Reading from the server failed".to_string(),
        ),
        Some(IoFailure::Write(_)) => (
            ErrorKind::WriteError,
            "Writing to the server failed".to_string(),
        ),
        None => {
            if err.is_timeout() {
                (ErrorKind::ReadTimeout, "Timed out".to_string())
            } else if is_head_too_large(&err) {
                (ErrorKind::RemoteProtocolError, head_too_large_message())
            } else if phase != Phase::Body && h2_refused_head(&err) {
                (
                    ErrorKind::RemoteProtocolError,
                    format!(
                        "HTTP/2 response refused (PROTOCOL_ERROR): a malformed head, or a \
                         header list over MAX_RESPONSE_HEAD_BYTES ({MAX_RESPONSE_HEAD_BYTES} bytes)"
                    ),
                )
            } else if err.is_parse() || err.is_parse_status() {
                (
                    ErrorKind::RemoteProtocolError,
                    "Invalid HTTP response from the server".to_string(),
                )
            } else if err.is_incomplete_message() {
                (
                    ErrorKind::RemoteProtocolError,
                    "Server disconnected without sending a response.".to_string(),
                )
            } else if err.is_user() {
                (ErrorKind::LocalProtocolError, "Invalid request".to_string())
            } else if phase == Phase::Body {
                body_error_kind(&err)
            } else if phase == Phase::Connect {
                (
                    ErrorKind::ConnectError,
                    "Connection set-up failed".to_string(),
                )
            } else {
                (
                    ErrorKind::RemoteProtocolError,
                    "The connection failed".to_string(),
                )
            }
        }
    };
    Error::new(kind, message).with_source(err)
}

/// Whether hyper refused an HTTP/1.1 response head over [`MAX_RESPONSE_HEADERS`]
/// fields or [`MAX_RESPONSE_HEAD_BYTES`] bytes.
fn is_head_too_large(err: &hyper::Error) -> bool {
    // hyper's `is_parse_too_large` needs its `server` feature; its message is stable.
    err.is_parse() && err.to_string().starts_with("message head is too large")
}

fn head_too_large_message() -> String {
    format!(
        "Response head too large: more than MAX_RESPONSE_HEADERS ({MAX_RESPONSE_HEADERS}) \
         header fields or MAX_RESPONSE_HEAD_BYTES ({MAX_RESPONSE_HEAD_BYTES}) bytes"
    )
}

/// Whether h2 refused the response on its own: it resets the stream with
/// PROTOCOL_ERROR for a header list over [`MAX_RESPONSE_HEAD_BYTES`] and for a
/// malformed head alike, and says no more.
#[cfg(feature = "http2")]
fn h2_refused_head(err: &hyper::Error) -> bool {
    find_h2_error(err).is_some_and(|e| {
        e.is_reset()
            && e.is_library()
            && !e.is_go_away()
            && e.reason() == Some(h2::Reason::PROTOCOL_ERROR)
    })
}

#[cfg(not(feature = "http2"))]
fn h2_refused_head(_: &hyper::Error) -> bool {
    false
}

/// A body error with no I/O failure of ours in it: malformed framing is the server
/// breaking the protocol; an early end of the stream is a read error.
fn body_error_kind(err: &hyper::Error) -> (ErrorKind, String) {
    use std::error::Error as _;
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
            ) {
                return (
                    ErrorKind::RemoteProtocolError,
                    "Invalid response body framing".to_string(),
                );
            }
            return (
                ErrorKind::ReadError,
                "Reading the response body failed".to_string(),
            );
        }
        source = s.source();
    }
    (
        ErrorKind::ReadError,
        "Reading the response body failed".to_string(),
    )
}
