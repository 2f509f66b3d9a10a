//! Transports from JavaScript: the host's fetch (the core's [`FetchTransport`]), or a
//! JavaScript function (`MockTransport`, the in-process `AppTransport`, a user's own
//! transport), which the JavaScript layer hands over as `handle(request)` resolving to
//! a response in the shapes of the crate docs.

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use httpx::rt::BoxFuture;
use httpx::{AsyncTransport, Capabilities, FetchTransport, Request, Response, Result};

use crate::convert::{call, request_to_js, response_from_js};

/// A transport the JavaScript layer described: `["fetch", streamingUploads]` or a
/// handler function.
pub(crate) enum JsTransport {
    Fetch(FetchTransport),
    Handler(Function),
}

impl JsTransport {
    /// `None` for `undefined` or `null` (the client's default).
    pub(crate) fn from_js(value: &JsValue) -> Option<JsTransport> {
        if value.is_null() || value.is_undefined() {
            return None;
        }
        if let Some(handler) = value.dyn_ref::<Function>() {
            return Some(JsTransport::Handler(handler.clone()));
        }
        let parts: &Array = value.unchecked_ref();
        let streaming = !parts.get(1).is_falsy();
        Some(JsTransport::Fetch(
            FetchTransport::new().streaming_uploads(streaming),
        ))
    }
}

impl AsyncTransport for JsTransport {
    fn handle_async_request(&self, mut request: Request) -> BoxFuture<'_, Result<Response>> {
        match self {
            JsTransport::Fetch(fetch) => fetch.handle_async_request(request),
            // As httpx's MockTransport: the handler sees the body read.
            JsTransport::Handler(handler) => Box::pin(async move {
                request.aread().await?;
                let response = call(handler, &request_to_js(&request)).await?;
                response_from_js(&response)
            }),
        }
    }

    fn capabilities(&self) -> Capabilities {
        match self {
            JsTransport::Fetch(fetch) => fetch.capabilities(),
            JsTransport::Handler(_) => Capabilities::default(),
        }
    }
}
