//! Small helpers shared by the endpoints: bodies, responses, query strings, parameters.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, LOCATION};
use http::{Response, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use serde_json::{Map, Value};

/// The error type of response bodies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body type of every response.
pub(crate) type Body = BoxBody<Bytes, BoxError>;
/// A response of the server.
pub(crate) type Resp = Response<Body>;

pub(crate) const JSON: &str = "application/json";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const HTML: &str = "text/html; charset=utf-8";
pub(crate) const OCTETS: &str = "application/octet-stream";

/// A body holding `data` in one frame.
pub(crate) fn full(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// An empty body.
pub(crate) fn empty() -> Body {
    Empty::new()
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A status code from a number, falling back to 500 for numbers hyper refuses.
pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A response with a body and a content type.
pub(crate) fn response(code: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status(code);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, v);
    }
    resp
}

/// A response without a body.
pub(crate) fn no_body(code: u16) -> Resp {
    let mut resp = Response::new(empty());
    *resp.status_mut() = status(code);
    resp
}

/// A JSON response (pretty-printed, newline-terminated).
pub(crate) fn json(code: u16, value: &Value) -> Resp {
    let mut text = serde_json::to_vec_pretty(value).unwrap_or_else(|_| b"null".to_vec());
    text.push(b'\n');
    response(code, JSON, text)
}

/// A JSON error response `{"error": message}`.
pub(crate) fn error(code: u16, message: impl Into<String>) -> Resp {
    json(code, &serde_json::json!({ "error": message.into() }))
}

/// A redirect with `Location: location` (raw bytes allowed, so non-ASCII targets pass through).
pub(crate) fn redirect(code: u16, location: &str) -> Resp {
    match HeaderValue::from_bytes(location.as_bytes()) {
        Ok(v) => {
            let mut resp = no_body(code);
            resp.headers_mut().insert(LOCATION, v);
            resp
        }
        Err(_) => error(400, "invalid redirect location"),
    }
}

/// Appends a header; answers false when the name or value is not valid.
/// Parsed header fields as owned (name, value) pairs, values decoded lossily.
pub(crate) fn header_pairs(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}

pub(crate) fn append_header(resp: &mut Resp, name: &str, value: &str) -> bool {
    match (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_bytes(value.as_bytes()),
    ) {
        (Ok(n), Ok(v)) => {
            resp.headers_mut().append(n, v);
            true
        }
        _ => false,
    }
}

/// A parsed query string, keeping order and repeats.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=2&a=3` (form-urlencoded rules: `+` is a space).
    pub(crate) fn parse(query: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present with a true-ish value (`1`, `true`, `yes`, `on`, or empty).
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(
            self.get(name).map(|v| v.to_ascii_lowercase()).as_deref(),
            Some("" | "1" | "true" | "yes" | "on")
        )
    }

    /// Parses the value of `name`, using `default` when absent; `Err` names a bad value.
    pub(crate) fn number<T: std::str::FromStr>(
        &self,
        name: &str,
        default: T,
    ) -> Result<T, Box<Resp>> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| Box::new(error(400, format!("invalid value for {name}: {v:?}")))),
        }
    }

    /// `{key: value}` or `{key: [values]}` when a key repeats.
    pub(crate) fn to_json(&self) -> Value {
        multi_map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
        )
    }
}

/// Builds `{key: value}`, turning repeated keys into arrays.
pub(crate) fn multi_map(pairs: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut order: Vec<String> = Vec::new();
    let mut groups: std::collections::HashMap<String, Vec<Value>> = Default::default();
    for (k, v) in pairs {
        let group = groups.entry(k.clone()).or_default();
        if group.is_empty() {
            order.push(k);
        }
        group.push(v);
    }
    let mut map = Map::new();
    for k in order {
        let mut values = groups.remove(&k).unwrap_or_default();
        let value = if values.len() == 1 {
            values.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(values)
        };
        map.insert(k, value);
    }
    Value::Object(map)
}

/// Parses `key=value` parameters separated by `sep`; values may be quoted strings with
/// backslash escapes. Keys are returned lowercased.
pub(crate) fn parse_params(input: &[u8], sep: u8) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = input.len();
    let ws = |b: u8| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n';
    while i < n {
        while i < n && (ws(input[i]) || input[i] == sep) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        while i < n && input[i] != b'=' && input[i] != sep {
            i += 1;
        }
        let key = String::from_utf8_lossy(&input[start..i])
            .trim()
            .to_ascii_lowercase();
        let mut value = Vec::new();
        if i < n && input[i] == b'=' {
            i += 1;
            while i < n && ws(input[i]) {
                i += 1;
            }
            if i < n && input[i] == b'"' {
                i += 1;
                while i < n && input[i] != b'"' {
                    if input[i] == b'\\' && i + 1 < n {
                        i += 1;
                    }
                    value.push(input[i]);
                    i += 1;
                }
                i += 1; // closing quote
                while i < n && input[i] != sep {
                    i += 1;
                }
            } else {
                let vstart = i;
                while i < n && input[i] != sep {
                    i += 1;
                }
                value.extend_from_slice(input[vstart..i].trim_ascii());
            }
        }
        if !key.is_empty() {
            out.push((key, String::from_utf8_lossy(&value).into_owned()));
        }
    }
    out
}

/// Decodes an RFC 8187 extended value such as `UTF-8''na%C3%AFve` (UTF-8 and ISO-8859-1).
pub(crate) fn decode_ext_value(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let charset = parts.next()?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.iter().map(|&b| b as char).collect())
    } else {
        None
    }
}

/// Finds `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A deterministic pseudo-random generator (splitmix64).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` bytes from the stream.
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// Random hex for nonces and opaques.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // Fall back to a time-seeded generator; nonces need not be secret here.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        buf = Rng::new(seed).bytes(bytes);
    }
    hex(&buf)
}

/// Lowercase hex.
pub(crate) fn hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A body that hands out `data` in slices of `chunk` bytes, with an exact size.
pub(crate) struct Chunks {
    data: Bytes,
    chunk: usize,
}

impl Chunks {
    pub(crate) fn body(data: Bytes, chunk: usize) -> Body {
        Chunks {
            data,
            chunk: chunk.max(1),
        }
        .boxed()
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.data.is_empty() {
            return Poll::Ready(None);
        }
        let n = this.chunk.min(this.data.len());
        Poll::Ready(Some(Ok(Frame::data(this.data.split_to(n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

/// A body that repeats `block` until `remaining` bytes are sent; exact size unless `chunked`.
pub(crate) struct Repeat {
    block: Bytes,
    remaining: u64,
    exact: bool,
}

impl Repeat {
    pub(crate) fn body(block: Bytes, total: u64, exact: bool) -> Body {
        Repeat {
            block,
            remaining: total,
            exact,
        }
        .boxed()
    }
}

impl http_body::Body for Repeat {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.remaining == 0 || this.block.is_empty() {
            return Poll::Ready(None);
        }
        let n = (this.block.len() as u64).min(this.remaining) as usize;
        this.remaining -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(this.block.slice(..n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.exact {
            SizeHint::with_exact(self.remaining)
        } else {
            SizeHint::default()
        }
    }
}

/// A streaming body fed through a channel; the body ends when the sender drops.
pub(crate) fn channel() -> (http_body_util::channel::Sender<Bytes, BoxError>, Body) {
    let (tx, body) = http_body_util::channel::Channel::<Bytes, BoxError>::new(4);
    (tx, body.boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_quoted_and_plain() {
        let p = parse_params(
            br#"Digest username="Mu\"fasa", nc=00000001 , qop=auth"#,
            b',',
        );
        assert_eq!(p[0], ("digest username".into(), "Mu\"fasa".into()));
        assert_eq!(p[1], ("nc".into(), "00000001".into()));
        assert_eq!(p[2], ("qop".into(), "auth".into()));
        let p = parse_params(b"form-data; name=\"f\"; filename=\"a;b.txt\"", b';');
        assert_eq!(p[0], ("form-data".into(), "".into()));
        assert_eq!(p[2], ("filename".into(), "a;b.txt".into()));
    }

    #[test]
    fn ext_values() {
        assert_eq!(
            decode_ext_value("UTF-8''J%C3%A4s%C3%B8n").as_deref(),
            Some("Jäsøn")
        );
        assert_eq!(decode_ext_value("iso-8859-1'en'%E9").as_deref(), Some("é"));
        assert_eq!(decode_ext_value("nonsense"), None);
    }

    #[test]
    fn multi_map_repeats() {
        let q = Query::parse(Some("a=1&b=2&a=3&a=4"));
        assert_eq!(
            q.to_json(),
            serde_json::json!({"a": ["1", "3", "4"], "b": "2"})
        );
    }
}
