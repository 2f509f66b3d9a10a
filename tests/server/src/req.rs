//! A request as the endpoints see it: head, collected body, connection facts.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri, Version};

use crate::app::State;
use crate::util::Query;

/// A request whose body has been read.
pub(crate) struct Req {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    /// Header lines in received order and case, when the raw head was captured.
    pub raw_headers: Option<Vec<(String, String)>>,
    pub body: Bytes,
    pub chunked: bool,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// Whether the request came over TLS.
    pub tls: bool,
    pub query: Query,
    pub state: Arc<State>,
}

impl Req {
    /// A header value as text (lossy for non-UTF-8 bytes); repeated headers joined with ", ".
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let mut values = self.headers.get_all(name).iter().peekable();
        values.peek()?;
        Some(
            values
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// The first value of a header, if it is valid text.
    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The authority the client addressed: the Host header, else the local address.
    pub(crate) fn host(&self) -> String {
        if let Some(a) = self.uri.authority() {
            return a.to_string();
        }
        self.header_str("host")
            .map(str::to_string)
            .unwrap_or_else(|| self.local.to_string())
    }

    /// `https` over TLS, else `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// `"HTTP/1.1"`, `"HTTP/2"`, ...: the protocol the request came in.
    pub(crate) fn http_version(&self) -> &'static str {
        match self.version {
            Version::HTTP_09 => "HTTP/0.9",
            Version::HTTP_10 => "HTTP/1.0",
            Version::HTTP_2 => "HTTP/2",
            Version::HTTP_3 => "HTTP/3",
            _ => "HTTP/1.1",
        }
    }

    /// `http://host/path?query` (`https` over TLS) as the client addressed it.
    pub(crate) fn full_url(&self) -> String {
        if self.uri.scheme().is_some() {
            return self.uri.to_string();
        }
        let target = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        format!("{}://{}{}", self.scheme(), self.host(), target)
    }

    /// `http://host` (`https` over TLS) as the client addressed it.
    pub(crate) fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.host())
    }

    /// Cookies from every Cookie header, in order.
    pub(crate) fn cookies(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for value in self.headers.get_all("cookie") {
            let text = String::from_utf8_lossy(value.as_bytes());
            for pair in text.split(';') {
                let pair = pair.trim();
                if pair.is_empty() {
                    continue;
                }
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        out
    }
}
