//! [`RawClient`]: httpx's `AsyncClient`, configured and driven from JavaScript.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{AbortHandle, Abortable, Aborted};
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use httpx::{AsyncClient, Credentials, Multipart, Part, Request, Response, Result, Timeout};

use crate::auth::auth_from_js;
use crate::convert::{
    apply_request, body_from_js, call, given, headers_from_js, pairs, params_from_js, prop,
    request_to_js, string,
};
use crate::error::{invalid_state, to_js};
use crate::response::{RawResponse, Slot};
use crate::transport::JsTransport;

/// httpx's `AsyncClient`, for the JavaScript layer.
#[wasm_bindgen]
pub struct RawClient {
    client: AsyncClient,
}

/// `[connect, read, write, pool, total]` in ms, each a number or `null` (no limit).
fn timeout_from_js(value: &JsValue) -> Timeout {
    let parts: &Array = value.unchecked_ref();
    let ms = |i: u32| -> Option<Duration> {
        parts
            .get(i)
            .as_f64()
            .map(|ms| Duration::from_millis(ms.max(0.0) as u64))
    };
    Timeout::none()
        .connect(ms(0))
        .read(ms(1))
        .write(ms(2))
        .pool(ms(3))
        .total(ms(4))
}

/// fetch's `credentials` string, by the core's own names for them.
fn credentials_from_js(value: &JsValue) -> Option<Credentials> {
    let text = value.as_string()?;
    [
        Credentials::Omit,
        Credentials::SameOrigin,
        Credentials::Include,
    ]
    .into_iter()
    .find(|credentials| credentials.as_str() == text)
}

/// Whether the client has hooks of `kind` ("request" or "response") at the moment:
/// the JavaScript lists may change at any time, and without hooks the request and
/// response need not cross to JavaScript and back.
fn has_hooks(has_hooks: &Function, kind: &str) -> bool {
    has_hooks
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(kind))
        .map_or(true, |answer| answer.is_truthy())
}

/// Runs the JavaScript request hooks: `hook(request)` resolves to the request, changed.
async fn request_hook(hook: Function, wanted: Function, request: &mut Request) -> Result<()> {
    if !has_hooks(&wanted, "request") {
        return Ok(());
    }
    let changed = call(&hook, &request_to_js(request)).await?;
    apply_request(request, &changed)
}

/// Runs the JavaScript response hooks on a handle to the response, then takes the
/// response back (read, if a hook read it). When a hook throws, the response stays with
/// the handle, which the exception may refer to (`HTTPStatusError.response`).
async fn response_hook(hook: Function, wanted: Function, response: &mut Response) -> Result<()> {
    if !has_hooks(&wanted, "response") {
        return Ok(());
    }
    let placeholder = Response::new(response.status());
    let slot = Rc::new(RefCell::new(Slot::default()));
    slot.borrow_mut().response = Some(std::mem::replace(response, placeholder));
    call(&hook, &RawResponse::shared(slot.clone()).into()).await?;
    let back = slot.borrow_mut().response.take();
    *response = back.ok_or_else(|| {
        invalid_state(
            "A response hook left the response half-streamed: read it whole or not at all.",
        )
    })?;
    Ok(())
}

#[wasm_bindgen]
impl RawClient {
    /// A client from the JavaScript layer's normalised options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<RawClient, JsValue> {
        build(&options).map_err(to_js)
    }

    /// Sends a request described by the JavaScript layer: a promise of a
    /// [`RawResponse`].
    ///
    /// With an `AbortSignal` as `options.signal`, aborting it drops the send (the fetch
    /// is aborted) and the promise rejects with the signal's reason, as fetch does.
    pub fn send(&self, options: JsValue) -> Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            let signal = given(&options, "signal").and_then(|s| s.dyn_into::<AbortSignal>().ok());
            let Some(signal) = signal else {
                let response = send(&client, &options).await.map_err(to_js)?;
                return Ok(RawResponse::new(response).into());
            };
            if signal.aborted() {
                return Err(signal.reason());
            }
            let (handle, registration) = AbortHandle::new_pair();
            let on_abort = Closure::once(move || handle.abort());
            let listener: &Function = on_abort.as_ref().unchecked_ref();
            let _ = signal.add_event_listener_with_callback("abort", listener);
            let sent = Abortable::new(send(&client, &options), registration).await;
            let _ = signal.remove_event_listener_with_callback("abort", listener);
            match sent {
                Ok(response) => Ok(RawResponse::new(response.map_err(to_js)?).into()),
                Err(Aborted) => Err(signal.reason()),
            }
        })
    }

    /// Closes the client (httpx's `aclose`).
    pub fn close(&self) -> Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            client.aclose().await;
            Ok(JsValue::UNDEFINED)
        })
    }
}

fn build(options: &JsValue) -> Result<RawClient> {
    let mut builder = AsyncClient::builder();
    if let Some(url) = prop(options, "baseUrl").as_string() {
        builder = builder.base_url(url);
    }
    if let Some(headers) = given(options, "headers") {
        builder = builder.headers(&headers_from_js(&headers)?);
    }
    if let Some(params) = given(options, "params") {
        builder = builder.params(params_from_js(&params));
    }
    let auth = prop(options, "auth");
    if !auth.is_undefined() && !auth.is_null() {
        builder = builder.auth(auth_from_js(&auth)?);
    }
    if let Some(timeout) = given(options, "timeout") {
        builder = builder.timeout(timeout_from_js(&timeout));
    }
    if let Some(follow) = prop(options, "followRedirects").as_bool() {
        builder = builder.follow_redirects(follow);
    }
    if let Some(max) = prop(options, "maxRedirects").as_f64() {
        builder = builder.max_redirects(max as usize);
    }
    if let Some(credentials) = credentials_from_js(&prop(options, "credentials")) {
        builder = builder.credentials(credentials);
    }
    if let Ok(wanted) = prop(options, "hasHooks").dyn_into::<Function>() {
        if let Ok(hook) = prop(options, "requestHook").dyn_into::<Function>() {
            let wanted = wanted.clone();
            builder = builder.on_request_async(move |request| {
                Box::pin(request_hook(hook.clone(), wanted.clone(), request))
            });
        }
        if let Ok(hook) = prop(options, "responseHook").dyn_into::<Function>() {
            builder = builder.on_response_async(move |response| {
                Box::pin(response_hook(hook.clone(), wanted.clone(), response))
            });
        }
    }
    if let Some(transport) = JsTransport::from_js(&prop(options, "transport")) {
        builder = builder.transport(transport);
    }
    let mounts = prop(options, "mounts");
    if let Some(mounts) = mounts.dyn_ref::<Array>() {
        let mut i = 0;
        while i + 1 < mounts.length() {
            let pattern = string(&mounts.get(i));
            builder = match JsTransport::from_js(&mounts.get(i + 1)) {
                Some(transport) => builder.mount(&pattern, transport),
                None => builder.mount_default(&pattern),
            };
            i += 2;
        }
    }
    Ok(RawClient {
        client: builder.build()?,
    })
}

/// The multipart body of `data` (text fields) and `files`, a flat array of
/// `[name, filename, contentType, content, headers]`.
fn multipart(options: &JsValue, files: &Array) -> Result<(String, httpx::Body)> {
    let mut form = Multipart::new();
    if let Some(boundary) = prop(options, "boundary").as_string() {
        form = form.boundary(boundary);
    }
    for (name, value) in pairs(&prop(options, "form")) {
        form = form.text(name, value);
    }
    let mut i = 0;
    while i + 4 < files.length() {
        let content: Uint8Array = files.get(i + 3).unchecked_into();
        let mut part = Part::bytes(content.to_vec());
        if let Some(name) = files.get(i + 1).as_string() {
            part = part.file_name(name);
        }
        if let Some(content_type) = files.get(i + 2).as_string() {
            part = part.content_type(content_type);
        }
        for (name, value) in pairs(&files.get(i + 4)) {
            part = part.header(name, value);
        }
        form = form.part(string(&files.get(i)), part);
        i += 5;
    }
    form.into_body()
}

async fn send(client: &AsyncClient, options: &JsValue) -> Result<Response> {
    let method = string(&prop(options, "method"));
    let url = string(&prop(options, "url"));
    let mut builder = if prop(options, "stream").is_truthy() {
        client.stream(method.as_str(), url)
    } else {
        client.request(method.as_str(), url)
    };
    if let Some(headers) = given(options, "headers") {
        builder = builder.headers(&headers_from_js(&headers)?);
    }
    if let Some(params) = given(options, "params") {
        builder = builder.query(params_from_js(&params));
    }
    let files = prop(options, "files");
    if let Some(files) = files.dyn_ref::<Array>() {
        let (content_type, body) = multipart(options, files)?;
        builder = builder.content(body);
        if prop(options, "contentType").is_truthy() {
            builder = builder.header("Content-Type", content_type);
        }
    } else if !prop(options, "form").is_undefined() {
        builder = builder.form(params_from_js(&prop(options, "form")));
    } else {
        let content = prop(options, "content");
        if !content.is_undefined() {
            builder = builder.content(body_from_js(content));
        }
    }
    let auth = prop(options, "auth");
    if auth.is_null() {
        builder = builder.no_auth();
    } else if !auth.is_undefined() {
        builder = builder.auth(auth_from_js(&auth)?);
    }
    if let Some(timeout) = given(options, "timeout") {
        builder = builder.timeout(timeout_from_js(&timeout));
    }
    if let Some(follow) = prop(options, "followRedirects").as_bool() {
        builder = builder.follow_redirects(follow);
    }
    if let Some(credentials) = credentials_from_js(&prop(options, "credentials")) {
        builder = builder.credentials(credentials);
    }
    builder.send().await
}
