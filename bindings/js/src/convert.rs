//! Requests, responses and header lists to and from the plain JavaScript shapes
//! described in the crate docs.

use bytes::Bytes;
use futures_util::Stream;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use httpx::headers::decode_value;
use httpx::request::IntoMethod;
use httpx::{Body, Headers, QueryParams, Request, Response, Result, Url};

use crate::error::{invalid_state, thrown};

/// A property of a JavaScript object (`undefined` when missing).
pub(crate) fn prop(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A property that is set (neither missing nor `undefined`).
pub(crate) fn given(target: &JsValue, key: &str) -> Option<JsValue> {
    Some(prop(target, key)).filter(|value| !value.is_undefined())
}

/// A JavaScript string, or the empty string.
pub(crate) fn string(value: &JsValue) -> String {
    value.as_string().unwrap_or_default()
}

/// Calls `f(arg)` and waits for its result when it is a promise; an exception or a
/// rejection comes back as the JavaScript value, inside the error.
pub(crate) async fn call(f: &Function, arg: &JsValue) -> Result<JsValue> {
    let value = f.call1(&JsValue::UNDEFINED, arg).map_err(thrown)?;
    JsFuture::from(Promise::resolve(&value))
        .await
        .map_err(thrown)
}

/// A flat `[name, value, ...]` array of strings, as pairs.
pub(crate) fn pairs(value: &JsValue) -> Vec<(String, String)> {
    let Some(array) = value.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(array.length() as usize / 2);
    let mut i = 0;
    while i + 1 < array.length() {
        out.push((string(&array.get(i)), string(&array.get(i + 1))));
        i += 2;
    }
    out
}

pub(crate) fn headers_from_js(value: &JsValue) -> Result<Headers> {
    let mut headers = Headers::new();
    for (name, value) in pairs(value) {
        headers.append(&name, value)?;
    }
    Ok(headers)
}

pub(crate) fn params_from_js(value: &JsValue) -> QueryParams {
    pairs(value).into_iter().collect()
}

/// Headers as a flat array, names as given, values decoded as the core's `get` does.
pub(crate) fn headers_to_js(headers: &Headers) -> Array {
    let out = Array::new();
    for (name, value) in headers.raw() {
        out.push(&JsValue::from_str(name));
        out.push(&JsValue::from_str(&decode_value(value)));
    }
    out
}

pub(crate) fn bytes_to_js(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// `[method, url, headers, content]`; `content` is `undefined` for a stream.
pub(crate) fn request_to_js(request: &Request) -> JsValue {
    let out = Array::new();
    out.push(&JsValue::from_str(request.method().as_str()));
    out.push(&JsValue::from_str(request.url().as_str()));
    out.push(&headers_to_js(request.headers()));
    out.push(&match request.body().as_bytes() {
        Some(bytes) => bytes_to_js(bytes),
        None => JsValue::UNDEFINED,
    });
    out.into()
}

/// Applies a JavaScript request (`[method, url, headers, content]`) to `request`: its
/// method, URL and headers replace the request's; its content, when given, replaces
/// the body (and the framing headers follow it); `undefined` keeps the body.
pub(crate) fn apply_request(request: &mut Request, value: &JsValue) -> Result<()> {
    let Some(parts) = value.dyn_ref::<Array>() else {
        return Err(invalid_state(
            "expected a Request from JavaScript (an auth flow, hook or handler)",
        ));
    };
    let method = string(&parts.get(0));
    if method != request.method().as_str() {
        request.set_method(method.as_str().into_method()?);
    }
    let url = string(&parts.get(1));
    if url != request.url().as_str() {
        request.set_url(Url::parse(&url)?);
    }
    *request.headers_mut() = headers_from_js(&parts.get(2))?;
    let content = parts.get(3);
    if let Some(bytes) = content.dyn_ref::<Uint8Array>() {
        request.set_body(bytes.to_vec());
    }
    Ok(())
}

/// A JavaScript pull function; dropping it calls its `cancel` property, if any, so a
/// body source left unfinished (a failed send, a response closed early) is cancelled
/// (a `ReadableStream`'s reader, a generator's `finally`). After the end it is a no-op.
struct Puller(Function);

impl Drop for Puller {
    fn drop(&mut self) {
        if let Ok(cancel) = prop(&self.0, "cancel").dyn_into::<Function>() {
            let _ = cancel.call0(&JsValue::UNDEFINED);
        }
    }
}

/// A stream of chunks pulled from a JavaScript function that returns a promise of the
/// next `Uint8Array`, or of `undefined` at the end.
pub(crate) fn pull_stream(pull: Function) -> impl Stream<Item = Result<Bytes>> {
    futures_util::stream::unfold(Some(Puller(pull)), |pull| async move {
        let puller = pull?;
        match call(&puller.0, &JsValue::UNDEFINED).await {
            Ok(chunk) => match chunk.dyn_into::<Uint8Array>() {
                Ok(chunk) => Some((Ok(Bytes::from(chunk.to_vec())), Some(puller))),
                Err(_) => None,
            },
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// A body from JavaScript: bytes, a pull function (a stream), or nothing.
pub(crate) fn body_from_js(value: JsValue) -> Body {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Body::from_bytes(bytes.to_vec());
    }
    match value.dyn_into::<Function>() {
        Ok(pull) => Body::from_stream(pull_stream(pull), None),
        Err(_) => Body::empty(),
    }
}

/// A response from a JavaScript transport: `[status, headers, body, reasonPhrase]`.
pub(crate) fn response_from_js(value: &JsValue) -> Result<Response> {
    let Some(parts) = value.dyn_ref::<Array>() else {
        return Err(invalid_state(
            "a transport handler must return a Response (or a promise of one)",
        ));
    };
    let status = parts.get(0).as_f64().unwrap_or(0.0) as u16;
    let mut builder = Response::builder(status);
    for (name, value) in pairs(&parts.get(1)) {
        builder = builder.header(&name, value);
    }
    if let Some(reason) = parts.get(3).as_string() {
        builder = builder.reason_phrase(&reason);
    }
    let body = parts.get(2);
    builder = if let Some(bytes) = body.dyn_ref::<Uint8Array>() {
        builder.content(bytes.to_vec())
    } else if let Ok(pull) = body.dyn_into::<Function>() {
        builder.raw_async_stream(pull_stream(pull))
    } else {
        builder
    };
    builder.build()
}

/// `[status, reasonPhrase, httpVersion, url, headers, request, history, elapsedMs,
/// nextRequest, isOpaqueRedirect, content]`; the history's responses carry no history
/// of their own.
pub(crate) fn response_meta(response: &Response, with_history: bool) -> JsValue {
    let out = Array::new();
    out.push(&JsValue::from(response.status_code()));
    out.push(&JsValue::from_str(response.reason_phrase()));
    out.push(&JsValue::from_str(response.http_version()));
    out.push(&match response.url() {
        Some(url) => JsValue::from_str(url.as_str()),
        None => JsValue::UNDEFINED,
    });
    out.push(&headers_to_js(response.headers()));
    out.push(&match response.request() {
        Some(request) => request_to_js(request),
        None => JsValue::UNDEFINED,
    });
    let history = Array::new();
    if with_history {
        for earlier in response.history() {
            history.push(&response_meta(earlier, false));
        }
    }
    out.push(&history);
    out.push(&elapsed_ms(response));
    out.push(&match response.next_request() {
        Some(request) => request_to_js(request),
        None => JsValue::UNDEFINED,
    });
    out.push(&JsValue::from_bool(response.is_opaque_redirect()));
    out.push(&match response.content() {
        Ok(content) => bytes_to_js(content),
        Err(_) => JsValue::UNDEFINED,
    });
    out.into()
}

pub(crate) fn elapsed_ms(response: &Response) -> JsValue {
    match response.elapsed() {
        Some(elapsed) => JsValue::from(elapsed.as_secs_f64() * 1000.0),
        None => JsValue::UNDEFINED,
    }
}
