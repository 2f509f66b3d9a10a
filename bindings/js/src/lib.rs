//! The wasm side of the `httpx-wasm` npm package: httpx's [`AsyncClient`] on the fetch
//! transport, exported with wasm-bindgen as a few low-level classes that the
//! hand-written JavaScript layer (`js/httpx.js`) wraps into httpx's API.
//!
//! Values cross the boundary in plain shapes the JavaScript layer builds and reads:
//!
//! - a header list is a flat array `[name, value, name, value, ...]`;
//! - a request is `[method, url, headers, content]`, `content` a `Uint8Array`, or
//!   `undefined` when the body is a stream not in memory (from JavaScript: "keep the
//!   body as it is");
//! - a response's metadata is `[status, reasonPhrase, httpVersion, url, headers,
//!   request, history, elapsedMs, nextRequest, isOpaqueRedirect, content]`;
//! - a response from a JavaScript transport is `[status, headers, body, reasonPhrase]`,
//!   `body` a `Uint8Array`, or a function returning a promise of the next chunk
//!   (`undefined` at the end), for a streamed body;
//! - an error thrown by a JavaScript callback (a hook, an auth flow, a transport)
//!   travels through the core as an opaque [`httpx::Error`] and comes out as the very
//!   same JavaScript value; the core's own errors become instances of the JavaScript
//!   layer's httpx exception classes, made by the factory it registers with [`setup`].
//!
//! [`AsyncClient`]: httpx::AsyncClient
#![cfg(target_arch = "wasm32")]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod client;
mod convert;
mod error;
mod response;
mod rules;
mod transport;

use wasm_bindgen::prelude::*;

pub use client::RawClient;
pub use response::RawResponse;
pub use rules::{error_kinds, status_error};

/// Registers the JavaScript layer's error factory:
/// `factory([kind, message, method, url]) -> Error`.
#[wasm_bindgen]
pub fn setup(error_factory: js_sys::Function) {
    error::set_factory(error_factory);
}

/// httpx's standard reason phrase for a status code (`""` when there is none).
#[wasm_bindgen(js_name = reasonPhrase)]
pub fn reason_phrase(status: u16) -> String {
    httpx::StatusCode::from(status).reason_phrase().to_string()
}
