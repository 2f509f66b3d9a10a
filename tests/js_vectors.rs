//! The test vectors shared with the npm package (bindings/js/tests/vectors/): the rules
//! its JavaScript layer implements itself (`Headers`, `iterLines`, `Link` parsing, a
//! JSON body's text) are checked against the same tables there
//! (bindings/js/tests/suite.js) and here, against this crate.
#![cfg(not(target_family = "wasm"))]

use bytes::Bytes;
use httpx::{Headers, Response};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct HeadersCase {
    name: String,
    init: Vec<(String, String)>,
    ops: Vec<Vec<Value>>,
    expect: HeadersExpect,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HeadersExpect {
    raw: Option<Vec<(String, String)>>,
    multi_items: Option<Vec<(String, String)>>,
    keys: Option<Vec<String>>,
    items: Option<Vec<(String, String)>>,
    size: Option<usize>,
    get: Option<Vec<(String, Option<String>)>>,
    get_list: Option<Vec<(String, bool, Vec<String>)>>,
}

fn headers_of(pairs: &[(String, String)]) -> Headers {
    let mut headers = Headers::new();
    for (name, value) in pairs {
        headers.append(name, value).unwrap();
    }
    headers
}

fn str_arg(op: &[Value], i: usize) -> &str {
    op[i].as_str().expect("a string argument")
}

#[test]
fn headers_vectors() {
    let cases: Vec<HeadersCase> =
        serde_json::from_str(include_str!("../bindings/js/tests/vectors/headers.json")).unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let name = &case.name;
        let mut headers = headers_of(&case.init);
        for op in &case.ops {
            match str_arg(op, 0) {
                "set" => headers.insert(str_arg(op, 1), str_arg(op, 2)).unwrap(),
                "append" => headers.append(str_arg(op, 1), str_arg(op, 2)).unwrap(),
                "setDefault" => headers.set_default(str_arg(op, 1), str_arg(op, 2)).unwrap(),
                "delete" => {
                    let removed = headers.remove(str_arg(op, 1));
                    assert_eq!(Some(removed), op[2].as_bool(), "{name}: {op:?}");
                }
                "update" => {
                    let other: Vec<(String, String)> =
                        serde_json::from_value(op[1].clone()).unwrap();
                    headers.update(&headers_of(&other));
                }
                other => panic!("{name}: unknown operation {other}"),
            }
        }
        let e = &case.expect;
        if let Some(raw) = &e.raw {
            let got: Vec<(String, String)> = headers
                .raw()
                .map(|(k, v)| (k.to_owned(), httpx::headers::decode_value(v).into_owned()))
                .collect();
            assert_eq!(&got, raw, "{name}: raw");
        }
        if let Some(multi) = &e.multi_items {
            let got: Vec<(String, String)> = headers
                .multi_items()
                .map(|(k, v)| (k, v.into_owned()))
                .collect();
            assert_eq!(&got, multi, "{name}: multiItems");
        }
        if let Some(keys) = &e.keys {
            assert_eq!(&headers.keys().collect::<Vec<_>>(), keys, "{name}: keys");
        }
        if let Some(items) = &e.items {
            assert_eq!(&headers.items().collect::<Vec<_>>(), items, "{name}: items");
        }
        if let Some(size) = e.size {
            assert_eq!(headers.len(), size, "{name}: size");
        }
        for (key, value) in e.get.iter().flatten() {
            let got = headers.get(key).map(|v| v.into_owned());
            assert_eq!(&got, value, "{name}: get({key})");
        }
        for (key, split, values) in e.get_list.iter().flatten() {
            assert_eq!(
                &headers.get_list(key, *split),
                values,
                "{name}: getList({key}, {split})"
            );
        }
    }
}

#[derive(Deserialize)]
struct LinesCase {
    name: String,
    chunks: Vec<String>,
    lines: Vec<String>,
}

#[test]
fn lines_vectors() {
    let cases: Vec<LinesCase> =
        serde_json::from_str(include_str!("../bindings/js/tests/vectors/lines.json")).unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let chunks: Vec<httpx::Result<Bytes>> = case
            .chunks
            .iter()
            .map(|c| Ok(Bytes::from(c.clone())))
            .collect();
        let mut response = Response::builder(200)
            .header("content-type", "text/plain; charset=utf-8")
            .stream(chunks)
            .build()
            .unwrap();
        let lines: Vec<String> = response.iter_lines().map(Result::unwrap).collect();
        assert_eq!(lines, case.lines, "{}", case.name);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonCase {
    name: String,
    hex: String,
    content_type: Option<String>,
    value: Option<Value>,
    #[serde(default)]
    error: bool,
}

#[test]
fn json_vectors() {
    let cases: Vec<JsonCase> =
        serde_json::from_str(include_str!("../bindings/js/tests/vectors/json.json")).unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let bytes: Vec<u8> = (0..case.hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&case.hex[i..i + 2], 16).unwrap())
            .collect();
        let mut builder = Response::builder(200);
        if let Some(content_type) = &case.content_type {
            builder = builder.header("content-type", content_type);
        }
        let response = builder.content(bytes).build().unwrap();
        let parsed = response.json::<Value>();
        if case.error {
            let err = parsed.expect_err(&case.name);
            assert_eq!(err.kind(), httpx::ErrorKind::DecodingError, "{}", case.name);
        } else {
            assert_eq!(parsed.ok(), case.value, "{}", case.name);
        }
    }
}

#[derive(Deserialize)]
struct LinksCase {
    name: String,
    header: String,
    /// As the package shows them: `{key: {url, param: value, ...}}`.
    links: serde_json::Map<String, Value>,
}

#[test]
fn links_vectors() {
    let cases: Vec<LinksCase> =
        serde_json::from_str(include_str!("../bindings/js/tests/vectors/links.json")).unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let response = Response::builder(200)
            .header("link", &case.header)
            .build()
            .unwrap();
        // The map's order is not the header's: the package's test checks the order.
        let got: serde_json::Map<String, Value> = response
            .links()
            .into_iter()
            .map(|(key, link)| {
                let mut object = serde_json::Map::new();
                object.insert("url".into(), link.url.into());
                for (name, value) in link.params {
                    object.insert(name, value.into());
                }
                (key, Value::Object(object))
            })
            .collect();
        assert_eq!(got, case.links, "{}", case.name);
    }
}
