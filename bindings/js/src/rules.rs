//! httpx's rules that the JavaScript layer asks the core for, so there is one
//! implementation of each: the `raise_for_status` decision and message, and the
//! exception tree.
//!
//! Two rules stay in JavaScript, checked against the core by shared test vectors
//! (tests/vectors/, run by the crate's tests/js_vectors.rs too), because the exports
//! cost more wasm than the package's budget allows (measured, gzip -9 of the .wasm):
//! a JSON body's text (Response::json needs serde_json: +12.5 KB for a RawValue check)
//! and `Link` parsing (Response::links with its HashMap, plus restoring the header
//! order that the map loses: +5 KB).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use httpx::{ErrorKind, Method, Request, Response, Url};

use crate::error::to_js;

/// Response::raise_for_status for a response of the JavaScript layer: `undefined` for
/// a 2xx status, else the HTTPStatusError message (the URL without its credentials).
/// `reason` is the reason phrase the server sent (else the standard one), `url` the
/// response's URL (an invalid one throws InvalidURL), `location` its Location header
/// (the only header the check reads).
#[wasm_bindgen(js_name = statusError)]
pub fn status_error(
    status: u16,
    reason: Option<String>,
    url: String,
    location: Option<String>,
) -> Result<Option<String>, JsValue> {
    let mut builder = Response::builder(status);
    if let Some(reason) = &reason {
        builder = builder.reason_phrase(reason);
    }
    if let Some(location) = &location {
        builder = builder.header("location", location);
    }
    // A Location value that is not a valid header: checked without it.
    let mut response = builder.build().unwrap_or_else(|_| Response::new(status));
    if response.is_success() {
        return Ok(None);
    }
    let url = Url::parse(&url).map_err(to_js)?;
    // The message names the status, the URL and the redirect location, not the method.
    response.set_request(Request::new(Method::GET, url));
    match response.check_status() {
        Ok(()) => Ok(None),
        Err(error) if error.kind() == ErrorKind::HttpStatus => Ok(Some(error.message().into())),
        Err(error) => Err(to_js(error)),
    }
}

/// Every error kind with httpx's middle classes it belongs to, nearest first:
/// `[[name, [parent, ...]], ...]`, from ErrorKind's own predicates. The JavaScript
/// layer's classes are tested against this list.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Array {
    type Is = fn(ErrorKind) -> bool;
    let middle: [(Is, &str); 7] = [
        (ErrorKind::is_timeout, "TimeoutException"),
        (ErrorKind::is_network, "NetworkError"),
        (ErrorKind::is_protocol, "ProtocolError"),
        (ErrorKind::is_transport, "TransportError"),
        (ErrorKind::is_request, "RequestError"),
        (ErrorKind::is_http, "HTTPError"),
        (ErrorKind::is_stream, "StreamError"),
    ];
    let out = Array::new();
    for &kind in ErrorKind::ALL {
        let parents = Array::new();
        for (is, name) in middle {
            if is(kind) {
                parents.push(&JsValue::from_str(name));
            }
        }
        out.push(&Array::of2(&JsValue::from_str(kind.name()), &parents));
    }
    out
}
