//! Errors across the boundary.
//!
//! A JavaScript exception (from a hook, an auth flow or a transport) is kept in a
//! per-thread table while it travels through the core inside an [`httpx::Error`] whose
//! source is a [`Thrown`] holding its index; [`to_js`] hands the very same value back
//! to JavaScript. The core's own errors are built by the JavaScript layer's factory as
//! instances of its httpx exception classes.

use std::cell::RefCell;
use std::fmt;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsValue;

use httpx::{Error, ErrorKind};

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
    static THROWN: RefCell<Vec<Option<JsValue>>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn set_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// The index of a JavaScript exception in the table; frees its slot when dropped, so
/// an error the core discards does not keep the value alive.
struct Thrown(usize);

impl fmt::Debug for Thrown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Thrown")
    }
}

impl fmt::Display for Thrown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JavaScript exception")
    }
}

impl std::error::Error for Thrown {}

impl Drop for Thrown {
    fn drop(&mut self) {
        THROWN.with(|t| {
            if let Some(slot) = t.borrow_mut().get_mut(self.0) {
                *slot = None;
            }
        });
    }
}

/// An `httpx::Error` carrying a JavaScript exception, to give back unchanged.
pub(crate) fn thrown(value: JsValue) -> Error {
    let message = Reflect::get(&value, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "a JavaScript callback threw".to_string());
    let index = THROWN.with(|t| {
        let mut table = t.borrow_mut();
        match table.iter().position(Option::is_none) {
            Some(i) => {
                table[i] = Some(value);
                i
            }
            None => {
                table.push(Some(value));
                table.len() - 1
            }
        }
    });
    Error::new(ErrorKind::InvalidState, message).with_source(Thrown(index))
}

/// The JavaScript value for an error: the exception a callback threw, or an instance of
/// the httpx exception class named by the error's kind.
pub(crate) fn to_js(error: Error) -> JsValue {
    use std::error::Error as _;
    if let Some(thrown) = error.source().and_then(|s| s.downcast_ref::<Thrown>()) {
        let value = THROWN.with(|t| t.borrow_mut().get_mut(thrown.0).and_then(Option::take));
        if let Some(value) = value {
            return value;
        }
    }
    let parts = Array::new();
    parts.push(&JsValue::from_str(error.kind().name()));
    parts.push(&JsValue::from_str(error.message()));
    if let Some(request) = error.request() {
        parts.push(&JsValue::from_str(request.method.as_str()));
        parts.push(&JsValue::from_str(request.url.as_str()));
    }
    FACTORY.with(|f| match &*f.borrow() {
        Some(factory) => factory
            .call1(&JsValue::UNDEFINED, &parts)
            .unwrap_or_else(|e| e),
        None => js_sys::Error::new(error.message()).into(),
    })
}

/// An `InvalidState` error (httpx's `RuntimeError`).
pub(crate) fn invalid_state(message: &'static str) -> Error {
    Error::new(ErrorKind::InvalidState, message)
}
