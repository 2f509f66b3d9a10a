//! [`RawResponse`]: a response of the Rust client, held for JavaScript.
//!
//! JavaScript reads its metadata once ([`RawResponse::meta`]), then its body whole
//! ([`RawResponse::read`]) or chunk by chunk ([`RawResponse::next_chunk`]); `close()`
//! stops either. The core's
//! body stream borrows the response, and JavaScript asks for one chunk per call, so the
//! chunks come from a *producer*: a future that owns the response, iterates its body and
//! parks each chunk in a slot, pausing after each one. Each `next_chunk` call polls the
//! producer until a chunk is parked (or it ends, handing the response back). Dropping
//! the producer (`close`) drops the stream, which aborts the fetch.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::future::{AbortHandle, Abortable, Aborted};
use futures_util::StreamExt;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use httpx::{Error, ErrorKind, Response, Result};

use crate::convert::{bytes_to_js, elapsed_ms, response_meta};
use crate::error::{invalid_state, to_js};

type Chunk = Option<Result<Bytes>>;
type Producer = Pin<Box<dyn Future<Output = Response>>>;

#[derive(Default)]
pub(crate) struct Slot {
    /// The response, when neither a read nor a producer holds it.
    pub(crate) response: Option<Response>,
    producer: Option<Producer>,
    /// The chunk the producer parked last.
    parked: Rc<RefCell<Option<Chunk>>>,
    /// The body stream ended (or failed): no more chunks.
    ended: bool,
    /// `close()` was called: reads fail with StreamClosed.
    closed: bool,
    /// Stops a whole-body `read()` in progress (which holds the response).
    read_abort: Option<AbortHandle>,
    /// The `nextChunk()` waiting for the producer: `close()` wakes it, since dropping
    /// the producer drops the waker its body source holds.
    waiting: Option<Waker>,
}

/// A response of the client, for JavaScript.
#[wasm_bindgen]
pub struct RawResponse {
    slot: Rc<RefCell<Slot>>,
}

impl RawResponse {
    pub(crate) fn new(response: Response) -> RawResponse {
        RawResponse::shared(Rc::new(RefCell::new(Slot {
            response: Some(response),
            ..Slot::default()
        })))
    }

    /// A handle on a slot that Rust keeps a reference to (response hooks).
    pub(crate) fn shared(slot: Rc<RefCell<Slot>>) -> RawResponse {
        RawResponse { slot }
    }
}

fn busy() -> httpx::Error {
    invalid_state("The response is being read: wait for the read to finish.")
}

fn closed() -> httpx::Error {
    Error::new(
        ErrorKind::StreamClosed,
        "Attempted to read or stream response content, but the response has been closed.",
    )
}

/// Pending once, without asking to be woken: the caller polls again at once.
struct Pause(bool);

impl Future for Pause {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

async fn produce(mut response: Response, parked: Rc<RefCell<Option<Chunk>>>) -> Response {
    {
        let mut chunks = response.aiter_bytes();
        loop {
            let chunk = chunks.next().await;
            let last = !matches!(chunk, Some(Ok(_)));
            *parked.borrow_mut() = Some(chunk);
            if last {
                break;
            }
            Pause(false).await;
        }
    }
    response
}

/// Polls the producer once with no borrow of the slot held: the body source may run
/// JavaScript (a mock transport's stream) that calls back into this response.
fn poll_producer(slot: &RefCell<Slot>, cx: &mut Context<'_>) -> Poll<Chunk> {
    let parked = slot.borrow().parked.clone();
    if let Some(chunk) = parked.borrow_mut().take() {
        return Poll::Ready(chunk);
    }
    let Some(mut producer) = slot.borrow_mut().producer.take() else {
        let closed_early = slot.borrow().closed;
        return Poll::Ready(closed_early.then(|| Err(closed())));
    };
    let polled = producer.as_mut().poll(cx);
    let closed_meanwhile = slot.borrow().closed;
    match polled {
        Poll::Ready(response) => slot.borrow_mut().response = Some(response),
        // Dropping the producer drops the stream (the fetch aborts, a JavaScript source
        // is cancelled: with no borrow held, as that may call back).
        Poll::Pending if closed_meanwhile => drop(producer),
        Poll::Pending => slot.borrow_mut().producer = Some(producer),
    }
    let mut s = slot.borrow_mut();
    let chunk = parked.borrow_mut().take();
    match chunk {
        Some(chunk) => Poll::Ready(chunk),
        None if s.closed => Poll::Ready(Some(Err(closed()))),
        None if s.producer.is_none() => Poll::Ready(None),
        None => {
            s.waiting = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[wasm_bindgen]
impl RawResponse {
    /// The metadata array (see the crate docs).
    pub fn meta(&self) -> Result<JsValue, JsValue> {
        match &self.slot.borrow().response {
            Some(response) => Ok(response_meta(response, true)),
            None => Err(to_js(busy())),
        }
    }

    /// The time from sending until the body was read, in ms (`undefined` before).
    pub fn elapsed(&self) -> JsValue {
        match &self.slot.borrow().response {
            Some(response) => elapsed_ms(response),
            None => JsValue::UNDEFINED,
        }
    }

    /// Reads the whole body: a promise of a `Uint8Array`. `close()` stops it (the
    /// promise rejects with StreamClosed).
    pub fn read(&self) -> Promise {
        let slot = self.slot.clone();
        future_to_promise(async move {
            let (mut response, registration) = {
                let mut s = slot.borrow_mut();
                if s.closed {
                    return Err(to_js(closed()));
                }
                let response = s.response.take().ok_or_else(|| to_js(busy()))?;
                let (handle, registration) = AbortHandle::new_pair();
                s.read_abort = Some(handle);
                (response, registration)
            };
            let read = Abortable::new(
                async move {
                    let content = response.aread().await.map(|c| bytes_to_js(c));
                    (response, content)
                },
                registration,
            )
            .await;
            let mut s = slot.borrow_mut();
            s.read_abort = None;
            match read {
                Ok((response, content)) => {
                    s.response = Some(response);
                    content.map_err(to_js)
                }
                // Dropped with the response: the fetch is aborted.
                Err(Aborted) => Err(to_js(closed())),
            }
        })
    }

    /// The next chunk of the body: a promise of a `Uint8Array`, or of `undefined` at
    /// the end.
    #[wasm_bindgen(js_name = nextChunk)]
    pub fn next_chunk(&self) -> Promise {
        let slot = self.slot.clone();
        future_to_promise(async move {
            {
                let mut s = slot.borrow_mut();
                if s.closed {
                    return Err(to_js(closed()));
                }
                if s.ended {
                    return Ok(JsValue::UNDEFINED);
                }
                if s.producer.is_none() {
                    let response = s.response.take().ok_or_else(|| to_js(busy()))?;
                    let producer = produce(response, s.parked.clone());
                    s.producer = Some(Box::pin(producer));
                }
            }
            let chunk = std::future::poll_fn(|cx| poll_producer(&slot, cx)).await;
            match chunk {
                Some(Ok(bytes)) => Ok(bytes_to_js(&bytes)),
                other => {
                    slot.borrow_mut().ended = true;
                    match other {
                        Some(Err(e)) => Err(to_js(e)),
                        _ => Ok(JsValue::UNDEFINED),
                    }
                }
            }
        })
    }

    /// Closes the response: a body not read to the end is dropped (the fetch aborted),
    /// and a `read()` or `nextChunk()` in progress fails with StreamClosed.
    pub fn close(&self) {
        let (producer, response) = {
            let mut s = self.slot.borrow_mut();
            s.closed = true;
            if let Some(read) = s.read_abort.take() {
                read.abort();
            }
            if let Some(waiting) = s.waiting.take() {
                waiting.wake();
            }
            (s.producer.take(), s.response.take())
        };
        // Dropped and closed with no borrow held: a JavaScript body source's cancel()
        // may call back into this response.
        drop(producer);
        if let Some(mut response) = response {
            response.close();
            self.slot.borrow_mut().response = Some(response);
        }
    }
}
