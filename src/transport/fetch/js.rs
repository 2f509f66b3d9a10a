//! The host functions the transport calls, bound on the global object so that they
//! exist in a page, a dedicated worker and Node alike (`window.fetch` does not exist in
//! a worker or in Node).

// No `allow(unsafe_code)` is needed: wasm-bindgen 0.2.130's generated import glue
// does not trip the crate's `deny(unsafe_code)` (checked; add a scoped allow here, and
// only here, if a later version does).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::RequestInit;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch(input, init)`. `catch`: a host may throw instead of returning
    /// a rejected promise.
    #[wasm_bindgen(js_name = fetch, catch)]
    pub(super) fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;

    /// The global `setTimeout(handler, ms)`: a number in browsers, an object in Node.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(super) fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    /// The global `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(super) fn clear_timeout(id: &JsValue);
}
