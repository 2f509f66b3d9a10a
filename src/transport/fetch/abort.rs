//! One fetch's `AbortController`, its timers, and the mapping of its failures onto
//! error kinds.
//!
//! Each timer, when it fires, records its error kind and aborts the fetch; the pending
//! promise (the fetch itself, or a read of the body) then rejects, and the kind
//! recorded says which timeout it was. Dropping the [`Guard`] before the body has been
//! read to the end aborts the fetch, so a dropped response future or body stream
//! cancels the request in the host.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use super::js;
use crate::error::{Error, ErrorKind, Result};
use crate::request::RequestOptions;
use crate::rt::Instant;

/// The longest delay `setTimeout` takes: longer ones fire at once in every host.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// What the fetch is waiting for, for error messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Headers,
    Body,
}

/// A timer that, when it fires, records `kind` and aborts the fetch. Re-armable.
struct Timer {
    closure: Closure<dyn FnMut()>,
    id: Option<JsValue>,
    ms: f64,
}

impl Timer {
    fn new(
        kind: ErrorKind,
        ms: f64,
        fired: &Rc<Cell<Option<ErrorKind>>>,
        controller: &AbortController,
    ) -> Timer {
        let fired = fired.clone();
        let controller = controller.clone();
        let closure = Closure::<dyn FnMut()>::new(move || {
            if fired.get().is_none() {
                fired.set(Some(kind));
            }
            controller.abort();
        });
        Timer {
            closure,
            id: None,
            ms,
        }
    }

    fn arm(&mut self) {
        self.disarm();
        let handler = self.closure.as_ref().unchecked_ref();
        self.id = Some(js::set_timeout(handler, self.ms));
    }

    fn disarm(&mut self) {
        if let Some(id) = self.id.take() {
            js::clear_timeout(&id);
        }
    }
}

impl Drop for Timer {
    // The closure must not be called once dropped: clear the timer first.
    fn drop(&mut self) {
        self.disarm();
    }
}

/// Milliseconds for `setTimeout`, or `None` for a delay no host timer can hold (so no
/// limit in practice: 24.8 days).
fn millis(duration: Duration) -> Option<f64> {
    let ms = (duration.as_secs_f64() * 1000.0).ceil();
    (ms <= MAX_TIMER_MS).then_some(ms)
}

/// One fetch's abort controller and timers; see the module docs.
pub(super) struct Guard {
    controller: AbortController,
    fired: Rc<Cell<Option<ErrorKind>>>,
    /// The total deadline, armed once for the whole exchange.
    total: Option<Timer>,
    /// While waiting for the headers: the smaller of the connect and read timeouts.
    headers: Option<Timer>,
    /// While waiting for each chunk of the body: the read timeout.
    read: Option<Timer>,
    read_ms: Option<f64>,
    /// The total timeout, for its message.
    total_limit: Duration,
    phase: Phase,
    /// The error of a streamed request body, which fetch only reports as a TypeError.
    pub(super) upload_error: Rc<RefCell<Option<Error>>>,
    /// What a streamed request body needs kept alive while fetch reads it.
    pub(super) keep_alive: Option<Box<dyn std::any::Any>>,
    finished: bool,
}

impl Guard {
    /// A controller for one request, with its timers set up (not armed yet). A total
    /// deadline that has passed already is a `TotalTimeout` error at once.
    pub(super) fn new(options: &RequestOptions) -> Result<Guard> {
        let controller = AbortController::new().map_err(|e| {
            Error::new(
                ErrorKind::ConnectError,
                format!(
                    "this host has no AbortController, which fetch needs: {}",
                    describe(&e)
                ),
            )
        })?;
        let fired = Rc::new(Cell::new(None));
        let total = match options.deadline {
            Some(deadline) => {
                let left = deadline
                    .checked_duration_since(Instant::now())
                    .filter(|left| !left.is_zero());
                match left {
                    None => return Err(total_timeout(options)),
                    Some(left) => millis(left)
                        .map(|ms| Timer::new(ErrorKind::TotalTimeout, ms, &fired, &controller)),
                }
            }
            None => None,
        };
        // fetch reports nothing between sending and the response headers: the connect
        // and the read timeouts both bound that wait, and the smaller one fires.
        let timeout = &options.timeout;
        let waits = [
            (ErrorKind::ConnectTimeout, timeout.connect),
            (ErrorKind::ReadTimeout, timeout.read),
        ];
        let headers = waits
            .iter()
            .filter_map(|&(kind, limit)| Some((kind, millis(limit?)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(kind, ms)| Timer::new(kind, ms, &fired, &controller));
        let read_ms = timeout.read.and_then(millis);
        Ok(Guard {
            controller,
            fired,
            total,
            headers,
            read: None,
            read_ms,
            total_limit: options.timeout.total.unwrap_or_default(),
            phase: Phase::Headers,
            upload_error: Rc::new(RefCell::new(None)),
            keep_alive: None,
            finished: false,
        })
    }

    /// The signal to give fetch.
    pub(super) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Starts the total deadline and the wait for the headers.
    pub(super) fn start(&mut self) {
        if let Some(timer) = &mut self.total {
            timer.arm();
        }
        if let Some(timer) = &mut self.headers {
            timer.arm();
        }
    }

    /// The headers arrived: from now on each read of the body is timed.
    pub(super) fn headers_received(&mut self) {
        self.headers = None;
        self.phase = Phase::Body;
    }

    /// Times one read of the body.
    pub(super) fn arm_read(&mut self) {
        let Some(ms) = self.read_ms else {
            return;
        };
        let (fired, controller) = (&self.fired, &self.controller);
        self.read
            .get_or_insert_with(|| Timer::new(ErrorKind::ReadTimeout, ms, fired, controller))
            .arm();
    }

    /// A read of the body completed.
    pub(super) fn disarm_read(&mut self) {
        if let Some(timer) = &mut self.read {
            timer.disarm();
        }
    }

    /// The exchange is over (the body was read to its end, or there is none): no
    /// timer runs any more and dropping the guard does not abort.
    pub(super) fn finish(&mut self) {
        self.finished = true;
        self.total = None;
        self.headers = None;
        self.read = None;
        self.keep_alive = None;
    }

    fn timeout_error(&self, kind: ErrorKind) -> Error {
        let message = match (kind, self.phase) {
            (ErrorKind::TotalTimeout, _) => return Error::total_timeout(self.total_limit),
            (ErrorKind::ConnectTimeout, _) => {
                "Timed out waiting for the response to start (the connect timeout: fetch \
                 cannot tell connecting from waiting for the server's answer)"
            }
            (_, Phase::Headers) => "Timed out waiting for the response headers (the read timeout)",
            (_, Phase::Body) => {
                "Timed out waiting for the next part of the response body (the read timeout)"
            }
        };
        Error::new(kind, message)
    }

    /// The error for a rejected `fetch()`: the timeout that fired, the streamed body's
    /// own error, or a `ConnectError` with the host's message.
    pub(super) fn fetch_error(&self, error: &JsValue, streamed_upload: bool) -> Error {
        if let Some(kind) = self.fired.get() {
            return self.timeout_error(kind);
        }
        if let Some(err) = self.upload_error.borrow_mut().take() {
            return err;
        }
        let description = describe(error);
        // Node (undici) names the cause; browsers say "Failed to fetch" and no more.
        if description.contains("redirect count exceeded") {
            return Error::new(
                ErrorKind::TooManyRedirects,
                format!(
                    "Exceeded maximum allowed redirects (fetch follows at most 20): {description}"
                ),
            );
        }
        // Node's undici rejects with `TypeError: fetch failed` and the reason in its
        // cause: say "fetch failed" once, then the reason.
        let detail = description
            .strip_prefix("TypeError: fetch failed")
            .map(|rest| rest.trim_start_matches(": "))
            .unwrap_or(&description);
        let mut message = if detail.is_empty() {
            "fetch failed".to_string()
        } else {
            format!("fetch failed: {detail}")
        };
        if streamed_upload {
            message.push_str(
                " (a streaming request body needs HTTP/2 in Chromium; against an HTTP/1.1 \
                 server, buffer it with FetchTransport::streaming_uploads(false))",
            );
        }
        if !super::host().node {
            message.push_str(
                " (browsers report a refused connection, a DNS failure, a CORS refusal and \
                 a blocked request alike; the console says which)",
            );
        }
        Error::new(ErrorKind::ConnectError, message)
    }

    /// The error for a failed read of the body.
    pub(super) fn body_error(&self, error: &JsValue) -> Error {
        if let Some(kind) = self.fired.get() {
            return self.timeout_error(kind);
        }
        Error::new(
            ErrorKind::ReadError,
            format!("reading the response body failed: {}", describe(error)),
        )
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.finished {
            // Also when a timer fired already: aborting twice does nothing.
            self.controller.abort();
        }
    }
}

fn total_timeout(options: &RequestOptions) -> Error {
    Error::total_timeout(options.timeout.total.unwrap_or_default())
}

/// `name: message`, plus the cause's message when the host gives one (Node does:
/// `connect ECONNREFUSED 127.0.0.1:1`).
pub(super) fn describe(error: &JsValue) -> String {
    let text = |value: &JsValue, key: &str| -> Option<String> {
        Reflect::get(value, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let mut out = match (text(error, "name"), text(error, "message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (None, Some(message)) => message,
        (Some(name), None) => name,
        (None, None) => error.as_string().unwrap_or_else(|| "unknown error".into()),
    };
    if let Ok(cause) = Reflect::get(error, &JsValue::from_str("cause")) {
        // A cause that only repeats the message adds nothing.
        if let Some(message) = text(&cause, "message").filter(|m| !out.contains(m.as_str())) {
            out.push_str(": ");
            out.push_str(&message);
        }
    }
    out
}
