//! `wasi:http` `error-code` mapped onto httpx's error kinds.
//!
//! | `error-code` | before the response | while reading the body |
//! |---|---|---|
//! | `DNS-timeout` | ConnectTimeout | ConnectTimeout |
//! | `DNS-error` | ConnectError | ConnectError |
//! | `destination-not-found`, `destination-unavailable`, `destination-IP-prohibited`, `destination-IP-unroutable` | ConnectError | ConnectError |
//! | `connection-refused` | ConnectError | ConnectError |
//! | `connection-terminated` | ConnectError | ReadError |
//! | `connection-timeout` | ConnectTimeout | ConnectTimeout |
//! | `connection-read-timeout`, `HTTP-response-timeout` | ReadTimeout | ReadTimeout |
//! | `connection-write-timeout` | WriteTimeout | WriteTimeout |
//! | `connection-limit-reached` | ConnectError | ConnectError |
//! | `TLS-protocol-error`, `TLS-certificate-error`, `TLS-alert-received` | ConnectError ("TLS ...") | ConnectError |
//! | `HTTP-request-denied`, `loop-detected`, `configuration-error` | ConnectError | ConnectError |
//! | `HTTP-request-*` (length required, body size, method, URI, header and trailer sizes) | LocalProtocolError | LocalProtocolError |
//! | `HTTP-response-incomplete`, `HTTP-response-*-size`, `HTTP-response-transfer-coding`, `HTTP-upgrade-failed`, `HTTP-protocol-error` | RemoteProtocolError | RemoteProtocolError |
//! | `HTTP-response-content-coding` | DecodingError | DecodingError |
//! | `internal-error` | ConnectError | ReadError |
//!
//! `internal-error` is the host's catch-all (jco reports unexpected socket errors with
//! it, wasmtime its own failures): before a response it means the request could not be
//! delivered, a network failure like httpx's ConnectError; while a body streams it is a
//! failed read. Every message names the `error-code` as the WIT spells it.

use wasi::http::types::{ErrorCode, FieldSizePayload};

use crate::error::{Error, ErrorKind};

/// Where in the exchange an error happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Sending the request or waiting for the response head.
    Send,
    /// Reading the response body.
    Body,
}

fn field_size(p: &FieldSizePayload) -> String {
    match (&p.field_name, p.field_size) {
        (Some(name), Some(size)) => format!(": '{name}', {size} bytes"),
        (Some(name), None) => format!(": '{name}'"),
        (None, Some(size)) => format!(": {size} bytes"),
        (None, None) => String::new(),
    }
}

fn opt<T: std::fmt::Display>(value: &Option<T>, unit: &str) -> String {
    match value {
        Some(v) => format!(": {v}{unit}"),
        None => String::new(),
    }
}

/// The kind, the WIT name of the code and a description.
pub(crate) fn describe(code: &ErrorCode, phase: Phase) -> (ErrorKind, &'static str, String) {
    use ErrorKind::*;
    let body_or = |send: ErrorKind| {
        if phase == Phase::Body {
            ReadError
        } else {
            send
        }
    };
    match code {
        ErrorCode::DnsTimeout => (ConnectTimeout, "DNS-timeout", "DNS lookup timed out".into()),
        ErrorCode::DnsError(p) => (
            ConnectError,
            "DNS-error",
            format!(
                "DNS lookup failed{}{}",
                opt(&p.rcode, ""),
                p.info_code
                    .map(|c| format!(" (info code {c})"))
                    .unwrap_or_default()
            ),
        ),
        ErrorCode::DestinationNotFound => (
            ConnectError,
            "destination-not-found",
            "The host found no such destination".into(),
        ),
        ErrorCode::DestinationUnavailable => (
            ConnectError,
            "destination-unavailable",
            "The destination is unavailable".into(),
        ),
        ErrorCode::DestinationIpProhibited => (
            ConnectError,
            "destination-IP-prohibited",
            "The host prohibits connecting to this IP address".into(),
        ),
        ErrorCode::DestinationIpUnroutable => (
            ConnectError,
            "destination-IP-unroutable",
            "The destination IP address is unroutable".into(),
        ),
        ErrorCode::ConnectionRefused => (
            ConnectError,
            "connection-refused",
            "Connection refused".into(),
        ),
        ErrorCode::ConnectionTerminated => (
            body_or(ConnectError),
            "connection-terminated",
            "The connection was terminated".into(),
        ),
        ErrorCode::ConnectionTimeout => (
            ConnectTimeout,
            "connection-timeout",
            "Timed out connecting to the server".into(),
        ),
        ErrorCode::ConnectionReadTimeout => (
            ReadTimeout,
            "connection-read-timeout",
            "Timed out reading from the server".into(),
        ),
        ErrorCode::ConnectionWriteTimeout => (
            WriteTimeout,
            "connection-write-timeout",
            "Timed out writing to the server".into(),
        ),
        ErrorCode::ConnectionLimitReached => (
            ConnectError,
            "connection-limit-reached",
            "The host's connection limit was reached".into(),
        ),
        ErrorCode::TlsProtocolError => (
            ConnectError,
            "TLS-protocol-error",
            "TLS handshake failed: protocol error".into(),
        ),
        ErrorCode::TlsCertificateError => (
            ConnectError,
            "TLS-certificate-error",
            "TLS handshake failed: the server's certificate was not accepted".into(),
        ),
        ErrorCode::TlsAlertReceived(p) => (
            ConnectError,
            "TLS-alert-received",
            format!(
                "TLS handshake failed: the server sent alert{}{}",
                p.alert_id.map(|a| format!(" {a}")).unwrap_or_default(),
                opt(&p.alert_message, "")
            ),
        ),
        ErrorCode::HttpRequestDenied => (
            ConnectError,
            "HTTP-request-denied",
            "The WASI host denied this request (is the destination allowed for this \
             component?)"
                .into(),
        ),
        ErrorCode::HttpRequestLengthRequired => (
            LocalProtocolError,
            "HTTP-request-length-required",
            "The request needs a Content-Length".into(),
        ),
        ErrorCode::HttpRequestBodySize(n) => (
            LocalProtocolError,
            "HTTP-request-body-size",
            format!(
                "The request body does not match its Content-Length{}",
                opt(n, " bytes sent")
            ),
        ),
        ErrorCode::HttpRequestMethodInvalid => (
            LocalProtocolError,
            "HTTP-request-method-invalid",
            "The host refused the request method".into(),
        ),
        ErrorCode::HttpRequestUriInvalid => (
            LocalProtocolError,
            "HTTP-request-URI-invalid",
            "The host refused the request URL as invalid".into(),
        ),
        ErrorCode::HttpRequestUriTooLong => (
            LocalProtocolError,
            "HTTP-request-URI-too-long",
            "The request URL is too long".into(),
        ),
        ErrorCode::HttpRequestHeaderSectionSize(n) => (
            LocalProtocolError,
            "HTTP-request-header-section-size",
            format!("The request headers are too large{}", opt(n, " bytes")),
        ),
        ErrorCode::HttpRequestHeaderSize(p) => (
            LocalProtocolError,
            "HTTP-request-header-size",
            format!(
                "A request header is too large{}",
                p.as_ref().map(field_size).unwrap_or_default()
            ),
        ),
        ErrorCode::HttpRequestTrailerSectionSize(n) => (
            LocalProtocolError,
            "HTTP-request-trailer-section-size",
            format!("The request trailers are too large{}", opt(n, " bytes")),
        ),
        ErrorCode::HttpRequestTrailerSize(p) => (
            LocalProtocolError,
            "HTTP-request-trailer-size",
            format!("A request trailer is too large{}", field_size(p)),
        ),
        ErrorCode::HttpResponseIncomplete => (
            RemoteProtocolError,
            "HTTP-response-incomplete",
            "The server closed the connection before the response was complete".into(),
        ),
        ErrorCode::HttpResponseHeaderSectionSize(n) => (
            RemoteProtocolError,
            "HTTP-response-header-section-size",
            format!("The response headers are too large{}", opt(n, " bytes")),
        ),
        ErrorCode::HttpResponseHeaderSize(p) => (
            RemoteProtocolError,
            "HTTP-response-header-size",
            format!("A response header is too large{}", field_size(p)),
        ),
        ErrorCode::HttpResponseBodySize(n) => (
            RemoteProtocolError,
            "HTTP-response-body-size",
            format!(
                "The response body does not match its length{}",
                opt(n, " bytes")
            ),
        ),
        ErrorCode::HttpResponseTrailerSectionSize(n) => (
            RemoteProtocolError,
            "HTTP-response-trailer-section-size",
            format!("The response trailers are too large{}", opt(n, " bytes")),
        ),
        ErrorCode::HttpResponseTrailerSize(p) => (
            RemoteProtocolError,
            "HTTP-response-trailer-size",
            format!("A response trailer is too large{}", field_size(p)),
        ),
        ErrorCode::HttpResponseTransferCoding(c) => (
            RemoteProtocolError,
            "HTTP-response-transfer-coding",
            format!("Invalid response transfer coding{}", opt(c, "")),
        ),
        ErrorCode::HttpResponseContentCoding(c) => (
            DecodingError,
            "HTTP-response-content-coding",
            format!("The response content coding failed{}", opt(c, "")),
        ),
        ErrorCode::HttpResponseTimeout => (
            ReadTimeout,
            "HTTP-response-timeout",
            "Timed out waiting for the response".into(),
        ),
        ErrorCode::HttpUpgradeFailed => (
            RemoteProtocolError,
            "HTTP-upgrade-failed",
            "The HTTP upgrade failed".into(),
        ),
        ErrorCode::HttpProtocolError => (
            RemoteProtocolError,
            "HTTP-protocol-error",
            "The server broke the HTTP protocol".into(),
        ),
        ErrorCode::LoopDetected => (
            ConnectError,
            "loop-detected",
            "The WASI host detected a request loop".into(),
        ),
        ErrorCode::ConfigurationError => (
            ConnectError,
            "configuration-error",
            "The WASI host's configuration prevents this request".into(),
        ),
        ErrorCode::InternalError(message) => (
            body_or(ConnectError),
            "internal-error",
            match (phase, message) {
                (Phase::Send, Some(m)) => format!("The host failed to send the request: {m}"),
                (Phase::Send, None) => "The host failed to send the request".into(),
                (Phase::Body, Some(m)) => format!("Reading the response body failed: {m}"),
                (Phase::Body, None) => "Reading the response body failed".into(),
            },
        ),
    }
}

/// The httpx error for a `wasi:http` `error-code`.
pub(crate) fn from_code(code: &ErrorCode, phase: Phase) -> Error {
    let (kind, name, description) = describe(code, phase);
    Error::new(kind, format!("{description} (wasi:http error-code {name})"))
}

/// The `error-code` behind a failed stream operation, read from the host's description
/// of the I/O error.
///
/// `wasi:http` offers `http-error-code(io-error)` for this, but it cannot be called
/// safely: jco 1.35 (preview2-shim 0.26) answers every stream error with a JavaScript
/// `Error` where an `error-code` is expected, which traps the component, and wasmtime 48
/// recognises none of its own body errors (they are not `error-code` values, so it
/// answers `none`). Hosts describe the error instead: wasmtime 48 in words
/// ("connection read timeout"), older wasmtime with the code's debug form
/// (`ErrorCode::ConnectionReadTimeout`). A description matched here gives the code;
/// any other stays a read or write error carrying the host's text.
fn code_from_description(text: &str) -> Option<ErrorCode> {
    let text = text.trim();
    let name = text.strip_prefix("ErrorCode::").unwrap_or(text);
    Some(match name {
        "connection read timeout" | "ConnectionReadTimeout" => ErrorCode::ConnectionReadTimeout,
        "connection write timeout" | "ConnectionWriteTimeout" => ErrorCode::ConnectionWriteTimeout,
        "connection terminated" | "ConnectionTerminated" => ErrorCode::ConnectionTerminated,
        "connection timeout" | "ConnectionTimeout" => ErrorCode::ConnectionTimeout,
        "connection refused" | "ConnectionRefused" => ErrorCode::ConnectionRefused,
        "incomplete HTTP response" | "HttpResponseIncomplete" => ErrorCode::HttpResponseIncomplete,
        "HTTP response timeout" | "HttpResponseTimeout" => ErrorCode::HttpResponseTimeout,
        "HTTP protocol error" | "HttpProtocolError" => ErrorCode::HttpProtocolError,
        _ => return None,
    })
}

/// The httpx error for a failed stream operation: the `error-code` its description
/// names, else a read or write error with the host's description.
pub(crate) fn from_stream_error(error: wasi::io::streams::StreamError, phase: Phase) -> Error {
    use wasi::io::streams::StreamError;
    match error {
        StreamError::LastOperationFailed(e) => {
            let text = e.to_debug_string();
            match code_from_description(&text) {
                Some(code) => from_code(&code, phase),
                None => match phase {
                    Phase::Send => Error::new(
                        ErrorKind::WriteError,
                        format!("Writing the request body failed: {text}"),
                    ),
                    Phase::Body => Error::new(
                        ErrorKind::ReadError,
                        format!("Reading the response body failed: {text}"),
                    ),
                },
            }
        }
        StreamError::Closed => match phase {
            Phase::Send => Error::new(
                ErrorKind::WriteError,
                "Writing the request body failed: the host closed the stream",
            ),
            Phase::Body => Error::new(
                ErrorKind::ReadError,
                "Reading the response body failed: the host closed the stream",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasi::http::types::{DnsErrorPayload, TlsAlertReceivedPayload};

    #[test]
    fn codes_map_onto_httpx_kinds_and_messages_name_them() {
        let cases = [
            (
                ErrorCode::DnsTimeout,
                ErrorKind::ConnectTimeout,
                "DNS-timeout",
            ),
            (
                ErrorCode::DnsError(DnsErrorPayload {
                    rcode: Some("NXDOMAIN".into()),
                    info_code: Some(3),
                }),
                ErrorKind::ConnectError,
                "DNS-error",
            ),
            (
                ErrorCode::ConnectionRefused,
                ErrorKind::ConnectError,
                "connection-refused",
            ),
            (
                ErrorCode::ConnectionTimeout,
                ErrorKind::ConnectTimeout,
                "connection-timeout",
            ),
            (
                ErrorCode::ConnectionReadTimeout,
                ErrorKind::ReadTimeout,
                "connection-read-timeout",
            ),
            (
                ErrorCode::HttpResponseTimeout,
                ErrorKind::ReadTimeout,
                "HTTP-response-timeout",
            ),
            (
                ErrorCode::TlsCertificateError,
                ErrorKind::ConnectError,
                "TLS-certificate-error",
            ),
            (
                ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
                    alert_id: Some(40),
                    alert_message: Some("handshake failure".into()),
                }),
                ErrorKind::ConnectError,
                "TLS-alert-received",
            ),
            (
                ErrorCode::HttpRequestDenied,
                ErrorKind::ConnectError,
                "HTTP-request-denied",
            ),
            (
                ErrorCode::DestinationNotFound,
                ErrorKind::ConnectError,
                "destination-not-found",
            ),
            (
                ErrorCode::HttpResponseIncomplete,
                ErrorKind::RemoteProtocolError,
                "HTTP-response-incomplete",
            ),
            (
                ErrorCode::HttpResponseContentCoding(Some("br".into())),
                ErrorKind::DecodingError,
                "HTTP-response-content-coding",
            ),
            (
                ErrorCode::HttpRequestBodySize(Some(3)),
                ErrorKind::LocalProtocolError,
                "HTTP-request-body-size",
            ),
            (
                ErrorCode::InternalError(Some("boom".into())),
                ErrorKind::ConnectError,
                "internal-error",
            ),
        ];
        for (code, kind, name) in cases {
            let err = from_code(&code, Phase::Send);
            assert_eq!(err.kind(), kind, "{name}");
            assert!(err.message().contains(name), "{err}");
        }
        let tls = from_code(&ErrorCode::TlsProtocolError, Phase::Send);
        assert!(tls.message().contains("TLS"), "{tls}");
        let boom = from_code(&ErrorCode::InternalError(Some("boom".into())), Phase::Send);
        assert!(boom.message().contains("boom"), "{boom}");
    }

    #[test]
    fn wasmtime_descriptions_are_recognised() {
        assert!(matches!(
            code_from_description("connection read timeout"),
            Some(ErrorCode::ConnectionReadTimeout)
        ));
        assert!(matches!(
            code_from_description("ErrorCode::HttpResponseIncomplete"),
            Some(ErrorCode::HttpResponseIncomplete)
        ));
        assert!(code_from_description("hyper error: something").is_none());
        assert!(code_from_description("aborted").is_none());
    }

    #[test]
    fn the_phase_decides_for_terminated_connections_and_internal_errors() {
        let body = from_code(&ErrorCode::ConnectionTerminated, Phase::Body);
        assert_eq!(body.kind(), ErrorKind::ReadError);
        let send = from_code(&ErrorCode::ConnectionTerminated, Phase::Send);
        assert_eq!(send.kind(), ErrorKind::ConnectError);
        let body = from_code(&ErrorCode::InternalError(None), Phase::Body);
        assert_eq!(body.kind(), ErrorKind::ReadError);
    }
}
