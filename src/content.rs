//! Request body encoders: bytes, text, JSON, urlencoded forms and multipart forms.

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::error::{Error, Result};
use crate::request::Body;
use crate::rt::MaybeSend;
use crate::url::QueryParams;

/// An encoded body and the `Content-Type` it calls for.
pub(crate) struct Encoded {
    pub(crate) body: Body,
    pub(crate) content_type: Option<String>,
}

/// JSON as httpx 0.28 writes it: compact, non-ASCII kept as UTF-8.
#[cfg(feature = "json")]
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Encoded> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| Error::local_protocol("Cannot serialise the JSON body").with_source(e))?;
    Ok(Encoded {
        body: Body::from_bytes(bytes),
        content_type: Some("application/json".to_string()),
    })
}

/// An `application/x-www-form-urlencoded` body (repeated keys repeat).
pub(crate) fn form(fields: &QueryParams) -> Encoded {
    // httpx sends no body and no Content-Type for an empty form.
    Encoded {
        body: Body::from_bytes(fields.to_string()),
        content_type: (!fields.is_empty()).then(|| "application/x-www-form-urlencoded".to_string()),
    }
}

/// A `multipart/form-data` body (RFC 7578), as httpx encodes it: text fields first,
/// then files; names and filenames escaped as HTML5 forms do (`"` → `%22`, CR → `%0D`,
/// LF → `%0A`, other C0 controls but ESC percent-encoded, `\` doubled), non-ASCII
/// filenames sent as raw UTF-8 (no `filename*`); each file part gets a `Content-Type`
/// guessed from its filename (`application/octet-stream` when unknown).
/// `Content-Length` is exact when every part's size is known; otherwise the body is
/// sent chunked.
///
/// ```
/// use httpx::{Multipart, Part};
/// let form = Multipart::new()
///     .text("name", "value")
///     .part("upload", Part::bytes(&b"<file content>"[..]).file_name("report.txt"))
///     .boundary("XyZ");
/// let (content_type, body) = form.into_body()?;
/// assert_eq!(content_type, "multipart/form-data; boundary=XyZ");
/// assert_eq!(
///     body.as_bytes().unwrap(),
///     b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nvalue\r\n\
///       --XyZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"report.txt\"\r\n\
///       Content-Type: text/plain\r\n\r\n<file content>\r\n--XyZ--\r\n"
/// );
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Default)]
pub struct Multipart {
    boundary: Option<String>,
    fields: Vec<(String, Part)>,
}

enum PartContent {
    Bytes(Bytes),
    Reader {
        reader: Box<dyn std::io::Read + Send + 'static>,
        len: Option<u64>,
    },
}

/// One part of a [`Multipart`] form: a text field or a file.
pub struct Part {
    content: PartContent,
    file_name: Option<String>,
    content_type: Option<String>,
    headers: Vec<(String, String)>,
    is_file: bool,
}

impl Part {
    /// A text field.
    pub fn text(value: impl Into<String>) -> Part {
        Part {
            content: PartContent::Bytes(Bytes::from(value.into())),
            file_name: None,
            content_type: None,
            headers: Vec::new(),
            is_file: false,
        }
    }

    /// A file part from bytes in memory. Without [`file_name`](Part::file_name) it is
    /// sent with the filename `upload`, as httpx names nameless files.
    pub fn bytes(content: impl Into<Bytes>) -> Part {
        Part {
            content: PartContent::Bytes(content.into()),
            file_name: None,
            content_type: None,
            headers: Vec::new(),
            is_file: true,
        }
    }

    /// A file part read from `reader` while sending; `len`, when known, keeps the
    /// `Content-Length` exact.
    pub fn reader(reader: impl std::io::Read + Send + 'static, len: Option<u64>) -> Part {
        Part {
            content: PartContent::Reader {
                reader: Box::new(reader),
                len,
            },
            file_name: None,
            content_type: None,
            headers: Vec::new(),
            is_file: true,
        }
    }

    /// A file part from a file on disk, named after it, its size known.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn file(path: impl AsRef<std::path::Path>) -> Result<Part> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| {
            Error::local_protocol(format!("Cannot open {} for upload", path.display()))
                .with_source(e)
        })?;
        let len = file.metadata().ok().map(|m| m.len());
        let mut part = Part::reader(file, len);
        if let Some(name) = path.file_name() {
            part.file_name = Some(name.to_string_lossy().into_owned());
        }
        Ok(part)
    }

    /// Sets the filename.
    pub fn file_name(mut self, name: impl Into<String>) -> Part {
        self.file_name = Some(name.into());
        self.is_file = true;
        self
    }

    /// Sets the part's `Content-Type` (else guessed from the filename).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Part {
        self.content_type = Some(content_type.into());
        self
    }

    /// Adds a header to the part.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Part {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn len(&self) -> Option<u64> {
        match &self.content {
            PartContent::Bytes(b) => Some(b.len() as u64),
            PartContent::Reader { len, .. } => *len,
        }
    }

    fn render_headers(&self, name: &str) -> Result<Vec<u8>> {
        let mut out = b"Content-Disposition: form-data; ".to_vec();
        out.extend(format_form_param("name", name));
        if !self.is_file {
            out.extend_from_slice(b"\r\n\r\n");
            return Ok(out);
        }
        let file_name = self.file_name.as_deref().unwrap_or("upload");
        if !file_name.is_empty() {
            out.extend_from_slice(b"; ");
            out.extend(format_form_param("filename", file_name));
        }
        let mut headers: Vec<(String, String)> = self.headers.clone();
        let has_content_type = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if !has_content_type {
            let content_type = match &self.content_type {
                Some(ct) => Some(ct.clone()),
                None if !file_name.is_empty() => Some(guess_content_type(file_name)),
                None => None,
            };
            if let Some(ct) = content_type {
                headers.push(("Content-Type".to_string(), ct));
            }
        }
        for (k, v) in headers {
            crate::headers::validate_name(&k)?;
            crate::headers::validate_value(&k, v.as_bytes())?;
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
        }
        out.extend_from_slice(b"\r\n\r\n");
        Ok(out)
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.len())
            .finish()
    }
}

fn guess_content_type(file_name: &str) -> String {
    #[cfg(feature = "multipart")]
    {
        if let Some(mime) = mime_guess::from_path(file_name).first_raw() {
            return mime.to_string();
        }
    }
    let _ = file_name;
    "application/octet-stream".to_string()
}

/// httpx's `_format_form_param`: HTML5 form escaping.
fn format_form_param(name: &str, value: &str) -> Vec<u8> {
    let mut out = format!("{name}=\"").into_bytes();
    for ch in value.chars() {
        match ch {
            '"' => out.extend_from_slice(b"%22"),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) <= 0x1f && c != '\x1b' => {
                out.extend_from_slice(format!("%{:02X}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
    out
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl fmt::Display) -> Multipart {
        self.fields
            .push((name.into(), Part::text(value.to_string())));
        self
    }

    /// Adds a part (a file, usually).
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Multipart {
        self.fields.push((name.into(), part));
        self
    }

    /// Sets the boundary (else 32 random hex digits). It may be 1 to 70 characters of
    /// RFC 2046's boundary alphabet.
    pub fn boundary(mut self, boundary: impl Into<String>) -> Multipart {
        self.boundary = Some(boundary.into());
        self
    }

    /// The boundary set with [`boundary`](Multipart::boundary), if any.
    pub fn get_boundary(&self) -> Option<&str> {
        self.boundary.as_deref()
    }

    /// Whether the form has no fields.
    // Used by the request builder, whose multipart body needs the `multipart` feature.
    #[cfg_attr(not(feature = "multipart"), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    #[cfg_attr(not(feature = "multipart"), allow(dead_code))]
    pub(crate) fn has_boundary(&self) -> bool {
        self.boundary.is_some()
    }

    /// The `Content-Type` and the body. Fails for a bad boundary, a bad part header,
    /// or a boundary that occurs inside a part held in memory.
    pub fn into_body(self) -> Result<(String, Body)> {
        let boundary = match self.boundary {
            Some(b) => {
                let valid = !b.is_empty()
                    && b.len() <= 70
                    && b.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&c))
                    && !b.ends_with(' ');
                if !valid {
                    return Err(Error::local_protocol(format!(
                        "Invalid multipart boundary {b:?}: use 1 to 70 letters, digits or '()+_,-./:=?"
                    )));
                }
                b
            }
            None => crate::rt::random_hex(16)?,
        };
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let delimiter = format!("--{boundary}");
        // Text fields first, as httpx sends `data` before `files`.
        let (texts, files): (Vec<_>, Vec<_>) =
            self.fields.into_iter().partition(|(_, p)| !p.is_file);
        let mut length: Option<u64> = Some(0);
        let mut pieces: Vec<(Vec<u8>, PartContent)> = Vec::new();
        for (name, part) in texts.into_iter().chain(files) {
            if let PartContent::Bytes(b) = &part.content {
                if memchr_subslice(b, delimiter.as_bytes()) {
                    return Err(Error::local_protocol(format!(
                        "The multipart boundary {boundary:?} occurs inside the field {name:?}"
                    )));
                }
            }
            let mut head = format!("{delimiter}\r\n").into_bytes();
            head.extend(part.render_headers(&name)?);
            length = match (length, part.len()) {
                (Some(total), Some(n)) => Some(total + head.len() as u64 + n + 2),
                _ => None,
            };
            pieces.push((head, part.content));
        }
        let tail = format!("{delimiter}--\r\n").into_bytes();
        length = length.map(|n| n + tail.len() as u64);

        let all_bytes = pieces
            .iter()
            .all(|(_, c)| matches!(c, PartContent::Bytes(_)));
        if all_bytes {
            let mut out = BytesMut::new();
            for (head, content) in pieces {
                out.extend_from_slice(&head);
                if let PartContent::Bytes(b) = content {
                    out.extend_from_slice(&b);
                }
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(&tail);
            return Ok((content_type, Body::from_bytes(out.freeze())));
        }
        Ok((
            content_type,
            Body::from_iter(MultipartIter::new(pieces, tail), length),
        ))
    }
}

fn memchr_subslice(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart")
            .field("boundary", &self.boundary)
            .field("fields", &self.fields)
            .finish()
    }
}

/// Streams a multipart body whose files are read while sending.
struct MultipartIter {
    pieces: std::vec::IntoIter<(Vec<u8>, PartContent)>,
    current: Option<PartContent>,
    tail: Option<Vec<u8>>,
}

impl MultipartIter {
    fn new(pieces: Vec<(Vec<u8>, PartContent)>, tail: Vec<u8>) -> MultipartIter {
        MultipartIter {
            pieces: pieces.into_iter(),
            current: None,
            tail: Some(tail),
        }
    }
}

impl Iterator for MultipartIter {
    type Item = Result<Bytes>;

    fn next(&mut self) -> Option<Result<Bytes>> {
        loop {
            match self.current.take() {
                Some(PartContent::Bytes(b)) => {
                    let mut out = BytesMut::from(&b[..]);
                    out.extend_from_slice(b"\r\n");
                    return Some(Ok(out.freeze()));
                }
                Some(PartContent::Reader { mut reader, len }) => {
                    let mut buf = vec![0u8; 64 * 1024];
                    match reader.read(&mut buf) {
                        Ok(0) => return Some(Ok(Bytes::from_static(b"\r\n"))),
                        Ok(n) => {
                            buf.truncate(n);
                            self.current = Some(PartContent::Reader { reader, len });
                            return Some(Ok(Bytes::from(buf)));
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                            self.current = Some(PartContent::Reader { reader, len });
                        }
                        Err(e) => {
                            return Some(Err(Error::new(
                                crate::ErrorKind::WriteError,
                                "Reading a multipart file failed",
                            )
                            .with_source(e)))
                        }
                    }
                }
                None => match self.pieces.next() {
                    Some((head, content)) => {
                        self.current = Some(content);
                        return Some(Ok(Bytes::from(head)));
                    }
                    None => return self.tail.take().map(|t| Ok(Bytes::from(t))),
                },
            }
        }
    }
}

const _: fn() = || {
    fn assert_send<T: MaybeSend>() {}
    assert_send::<MultipartIter>();
};

/// The boundary of a `multipart/form-data` Content-Type set by hand, as httpx reads it.
#[cfg_attr(not(feature = "multipart"), allow(dead_code))]
pub(crate) fn boundary_from_content_type(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    content_type.split(';').find_map(|section| {
        let section = section.trim();
        let value = section
            .get(..9)
            .filter(|p| p.eq_ignore_ascii_case("boundary="))
            .map(|_| &section[9..])?;
        Some(value.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_bytes(body: Body) -> Vec<u8> {
        body.into_iter_blocking()
            .unwrap()
            .map(|c| c.unwrap().to_vec())
            .collect::<Vec<_>>()
            .concat()
    }

    #[test]
    fn escapes_names_like_html5_forms() {
        let form = Multipart::new()
            .part(
                "fi\"le",
                Part::bytes("x").file_name("a\"b\r\nc\\d\x1be.txt"),
            )
            .boundary("b");
        let (_, body) = form.into_body().unwrap();
        let text = String::from_utf8(body_bytes(body)).unwrap();
        assert!(
            text.contains("name=\"fi%22le\"; filename=\"a%22b%0D%0Ac\\\\d\x1be.txt\""),
            "{text}"
        );
    }

    #[test]
    fn streamed_files_have_exact_length() {
        let data = vec![7u8; 200_000];
        let form = Multipart::new()
            .text("a", 1)
            .part(
                "f",
                Part::reader(std::io::Cursor::new(data.clone()), Some(200_000)).file_name("x.bin"),
            )
            .boundary("bnd");
        let (_, body) = form.into_body().unwrap();
        let expected_len = body.len().unwrap();
        let bytes = body_bytes(body);
        assert_eq!(bytes.len() as u64, expected_len);
        assert!(bytes.ends_with(b"\r\n--bnd--\r\n"));
        assert!(String::from_utf8_lossy(&bytes).contains("Content-Type: application/octet-stream"));
    }

    #[test]
    fn unknown_length_is_chunked() {
        let form = Multipart::new().part("f", Part::reader(std::io::empty(), None));
        let (_, body) = form.into_body().unwrap();
        assert_eq!(body.len(), None);
    }

    #[test]
    fn boundary_rules() {
        assert!(Multipart::new().boundary("").into_body().is_err());
        assert!(Multipart::new().boundary("a\r\nb").into_body().is_err());
        assert!(Multipart::new()
            .boundary("x".repeat(71))
            .into_body()
            .is_err());
        let err = Multipart::new()
            .text("a", "--inside--")
            .boundary("inside")
            .into_body()
            .unwrap_err();
        assert!(err.message().contains("occurs inside"));
        assert_eq!(
            boundary_from_content_type("multipart/form-data; boundary=\"+++\"").as_deref(),
            Some("+++")
        );
        assert_eq!(boundary_from_content_type("text/plain; boundary=x"), None);
    }

    #[test]
    fn random_boundary_is_32_hex() {
        let (ct, _) = Multipart::new().text("a", "b").into_body().unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(boundary.len(), 32);
    }
}
