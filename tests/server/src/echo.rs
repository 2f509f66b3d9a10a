//! The httpbin-style echo of a request, with form and multipart decoding.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::req::Req;
use crate::util::{self, multi_map};

/// `{lowercase-name: value}`, repeats joined with ", ".
pub(crate) fn headers_json(req: &Req) -> Value {
    let mut map = Map::new();
    for name in req.headers.keys() {
        if let Some(v) = req.header(name.as_str()) {
            map.insert(name.as_str().to_string(), Value::String(v));
        }
    }
    Value::Object(map)
}

/// `[[name, value], ...]` in received order and case (from the captured head when there is
/// one, else from the parsed header map).
pub(crate) fn raw_headers_json(req: &Req) -> Value {
    let pairs: Vec<Value> = match &req.raw_headers {
        Some(raw) => raw.iter().map(|(k, v)| json!([k, v])).collect(),
        None => req
            .headers
            .iter()
            .map(|(k, v)| json!([k.as_str(), String::from_utf8_lossy(v.as_bytes())]))
            .collect(),
    };
    Value::Array(pairs)
}

/// Text for JSON: the UTF-8 text, or base64 and a flag.
fn text_or_base64(data: &[u8]) -> (String, bool) {
    match std::str::from_utf8(data) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(data), true),
    }
}

/// The echo object of /get, /post, /anything and friends.
pub(crate) fn echo(req: &Req) -> Value {
    let (data, data_base64) = text_or_base64(&req.body);
    let json_body = serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
    let (form, files) = form_and_files(req);
    json!({
        "method": req.method.as_str(),
        "url": req.full_url(),
        "path": req.uri.path(),
        "args": req.query.to_json(),
        "headers": headers_json(req),
        "raw_headers": raw_headers_json(req),
        "data": data,
        "data_base64": data_base64,
        "json": json_body,
        "form": form,
        "files": files,
        "origin": req.peer.ip().to_string(),
        "body_length": req.body.len(),
        "chunked": req.chunked,
        "http_version": req.http_version(),
        "tls": req.tls,
    })
}

fn content_type(req: &Req) -> String {
    req.header_str("content-type")
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `form` and `files` of the echo: urlencoded or multipart bodies.
fn form_and_files(req: &Req) -> (Value, Value) {
    let ct = content_type(req);
    if ct.starts_with("application/x-www-form-urlencoded") {
        let pairs = form_urlencoded::parse(&req.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())));
        return (multi_map(pairs), json!({}));
    }
    if ct.starts_with("multipart/") {
        let raw = req.header_str("content-type").unwrap_or("");
        if let Some(boundary) = boundary(raw) {
            let parts = parse_multipart(&req.body, &boundary);
            let mut fields = Vec::new();
            let mut files = Vec::new();
            for part in parts {
                match part.filename {
                    Some(filename) => {
                        let (content, b64) = text_or_base64(&part.data);
                        let mut file = json!({
                            "filename": filename,
                            "content_type": part.content_type,
                            "content": content,
                            "size": part.data.len(),
                        });
                        if b64 {
                            file["content_base64"] = Value::Bool(true);
                        }
                        files.push((part.name, file));
                    }
                    None => fields.push((
                        part.name,
                        Value::String(String::from_utf8_lossy(&part.data).into_owned()),
                    )),
                }
            }
            return (multi_map(fields), multi_map(files));
        }
    }
    (json!({}), json!({}))
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    let (_, params) = content_type.split_once(';')?;
    util::parse_params(params.as_bytes(), b';')
        .into_iter()
        .find(|(k, _)| k == "boundary")
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty())
}

/// One part of a multipart body.
#[derive(Debug)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// Parses a multipart body; malformed trailing data is ignored.
pub(crate) fn parse_multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let delim = format!("--{boundary}").into_bytes();
    let mut close = b"\r\n".to_vec();
    close.extend_from_slice(&delim);
    let mut out = Vec::new();
    let Some(first) = util::find(body, &delim) else {
        return out;
    };
    let mut pos = first + delim.len();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            break;
        }
        // Skip transport padding and the CRLF after the delimiter.
        let Some(eol) = util::find(rest, b"\r\n") else {
            break;
        };
        pos += eol + 2;
        let Some(end) = util::find(&body[pos..], &close) else {
            break;
        };
        if let Some(part) = parse_part(&body[pos..pos + end]) {
            out.push(part);
        }
        pos += end + close.len();
    }
    out
}

fn parse_part(raw: &[u8]) -> Option<Part> {
    let (head, data): (&[u8], &[u8]) = if raw.starts_with(b"\r\n") {
        (b"", &raw[2..])
    } else {
        let at = util::find(raw, b"\r\n\r\n")?;
        (&raw[..at + 2], &raw[at + 4..])
    };
    let mut name = String::new();
    let mut filename = None;
    let mut content_type = None;
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let key = String::from_utf8_lossy(&line[..colon])
            .trim()
            .to_ascii_lowercase();
        let value = &line[colon + 1..];
        match key.as_str() {
            "content-disposition" => {
                let mut ext_filename = None;
                for (k, v) in util::parse_params(value, b';') {
                    match k.as_str() {
                        "name" => name = v,
                        "filename" => filename = Some(v),
                        "filename*" => ext_filename = util::decode_ext_value(&v),
                        _ => {}
                    }
                }
                if ext_filename.is_some() {
                    filename = ext_filename;
                }
            }
            "content-type" => {
                content_type = Some(String::from_utf8_lossy(value).trim().to_string());
            }
            _ => {}
        }
    }
    Some(Part {
        name,
        filename,
        content_type,
        data: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields_and_files() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--XyZ--\r\n";
        let parts = parse_multipart(body, "XyZ");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].data, b"1");
        assert_eq!(parts[1].filename.as_deref(), Some("x.txt"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[1].data, b"hello\r\nworld");
        assert_eq!(parts[2].data, b"2");
    }

    #[test]
    fn garbage_does_not_panic() {
        let mut rng = util::Rng::new(1);
        let alphabet = b"-B\r\n\":;=ab\\";
        for len in 0..400 {
            let data: Vec<u8> = rng
                .bytes(len)
                .iter()
                .map(|b| alphabet[*b as usize % alphabet.len()])
                .collect();
            let _ = parse_multipart(&data, "B");
            let _ = util::parse_params(&data, b';');
            let _ = util::parse_params(&data, b',');
        }
    }

    #[test]
    fn boundary_param() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data").as_deref(), None);
    }
}
