//! Multipart encoding parsed back by `multer`, field by field: names, file names,
//! content types and bytes survive. Fields are records split by 0xff; in each, the
//! first byte picks the kind and 0xfe separates name, value, file name, content type.
//! Names and file names with `"`, `\`, `%` or control characters are skipped: httpx
//! escapes those as HTML5 forms do, which multer does not undo.
#![no_main]

use bytes::Bytes;
use httpx::{Multipart, Part};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
struct Field {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn plain(s: &str) -> bool {
    !s.contains(|c: char| c == '"' || c == '\\' || c == '%' || c.is_control())
}

fn parse_back(content_type: &str, body: Bytes) -> Result<Vec<Field>, multer::Error> {
    let boundary = multer::parse_boundary(content_type)?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    futures_executor::block_on(async move {
        let mut fields = Vec::new();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field
                .headers()
                .get("content-type")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let data = field.bytes().await?.to_vec();
            fields.push(Field {
                name,
                file_name,
                content_type,
                data,
            });
        }
        Ok(fields)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut form = Multipart::new();
    let (mut texts, mut files) = (Vec::new(), Vec::new());
    for record in rest.split(|&b| b == 0xff).take(16) {
        let Some((&kind, record)) = record.split_first() else {
            continue;
        };
        let mut parts = record.split(|&b| b == 0xfe);
        let name = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        let value = parts.next().unwrap_or_default().to_vec();
        let file_name = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        let content_type = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        if !plain(&name) || !plain(&file_name) || content_type.contains(|c: char| c.is_control()) {
            return;
        }
        if kind % 3 == 0 {
            let text = String::from_utf8_lossy(&value).into_owned();
            form = form.text(name.clone(), &text);
            texts.push(Field {
                name,
                file_name: None,
                content_type: None,
                data: text.into_bytes(),
            });
        } else {
            let mut part = Part::bytes(value.clone()).file_name(file_name.clone());
            let mut expected_type = None;
            if kind % 3 == 2 {
                part = part.content_type(content_type.clone());
                expected_type = Some(content_type.trim().to_owned());
            }
            form = form.part(name.clone(), part);
            files.push(Field {
                name,
                // An empty file name is left out of the part's headers, as httpx does.
                file_name: Some(file_name).filter(|f| !f.is_empty()),
                content_type: expected_type,
                data: value,
            });
        }
    }
    if flags & 1 != 0 {
        // A boundary the input chooses: it may occur inside a value (then refused).
        form = form.boundary("fuzz-boundary");
    }
    let Ok((content_type, body)) = form.into_body() else {
        return;
    };
    let bytes = Bytes::copy_from_slice(body.as_bytes().expect("in-memory parts give bytes"));
    let mut parsed = parse_back(&content_type, bytes.clone())
        .unwrap_or_else(|e| panic!("multer refuses {:?}: {e}", String::from_utf8_lossy(&bytes)));
    // httpx sends the text fields before the files; a content type it guessed is not
    // compared.
    texts.extend(files);
    for (got, want) in parsed.iter_mut().zip(&texts) {
        if want.content_type.is_none() && want.file_name.is_some() {
            got.content_type = None;
        }
    }
    assert_eq!(parsed, texts);
});
