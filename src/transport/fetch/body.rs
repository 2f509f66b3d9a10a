//! Bodies across the boundary: a response's `ReadableStream` read chunk by chunk as the
//! core's raw async stream, and a streaming request body handed to fetch as a
//! `ReadableStream` that pulls from the Rust stream.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ReadableStream, ReadableStreamDefaultController, ReadableStreamDefaultReader,
    ReadableStreamReadResult,
};

use super::abort::Guard;
use crate::error::{Error, ErrorKind, Result};
use crate::rt::BoxStream;

/// A response body: each poll reads one chunk from the stream's reader, timed by the
/// read timeout; the end of the stream ends the exchange, dropping it aborts the fetch.
pub(super) struct BodyStream {
    reader: Option<ReadableStreamDefaultReader>,
    pending: Option<JsFuture>,
    guard: Guard,
}

impl BodyStream {
    pub(super) fn new(stream: ReadableStream, guard: Guard) -> BodyStream {
        BodyStream {
            reader: Some(stream.get_reader().unchecked_into()),
            pending: None,
            guard,
        }
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            let Some(reader) = &this.reader else {
                return Poll::Ready(None);
            };
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => {
                    this.guard.arm_read();
                    this.pending.insert(JsFuture::from(reader.read()))
                }
            };
            let result = match Pin::new(pending).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            this.pending = None;
            this.guard.disarm_read();
            let chunk = match result {
                Ok(chunk) => chunk.unchecked_into::<ReadableStreamReadResult>(),
                Err(e) => {
                    this.reader = None;
                    return Poll::Ready(Some(Err(this.guard.body_error(&e))));
                }
            };
            if chunk.get_done().unwrap_or(true) {
                this.reader = None;
                this.guard.finish();
                return Poll::Ready(None);
            }
            let bytes = chunk.get_value().unchecked_into::<Uint8Array>().to_vec();
            if !bytes.is_empty() {
                return Poll::Ready(Some(Ok(Bytes::from(bytes))));
            }
        }
    }
}

type Pull = Closure<dyn FnMut(JsValue) -> Promise>;

/// A `ReadableStream` that fetch pulls a streaming request body from, and what must
/// stay alive while it does. A failure of the Rust stream is kept in `error`, since
/// fetch only reports a generic TypeError for it.
pub(super) fn upload_stream(
    body: BoxStream<'static, Result<Bytes>>,
    error: Rc<RefCell<Option<Error>>>,
) -> Result<(ReadableStream, Box<dyn std::any::Any>)> {
    let state = Rc::new(RefCell::new(Some(body)));
    let pull: Pull = Closure::new(move |controller: JsValue| {
        let controller: ReadableStreamDefaultController = controller.unchecked_into();
        let state = state.clone();
        let error = error.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            // Taken out while awaiting, so that no borrow is held across the await.
            let taken = state.borrow_mut().take();
            let Some(mut body) = taken else {
                return controller.close().map(|()| JsValue::UNDEFINED);
            };
            loop {
                match body.next().await {
                    Some(Ok(chunk)) if chunk.is_empty() => continue,
                    Some(Ok(chunk)) => {
                        controller.enqueue_with_chunk(&Uint8Array::from(&chunk[..]))?;
                        *state.borrow_mut() = Some(body);
                    }
                    Some(Err(e)) => {
                        let message = e.to_string();
                        *error.borrow_mut() = Some(e);
                        return Err(js_sys::Error::new(&message).into());
                    }
                    None => controller.close()?,
                }
                return Ok(JsValue::UNDEFINED);
            }
        })
    });
    let source = Object::new();
    Reflect::set(&source, &JsValue::from_str("pull"), pull.as_ref()).map_err(write_error)?;
    let stream = ReadableStream::new_with_underlying_source(&source).map_err(write_error)?;
    Ok((stream, Box::new(pull)))
}

fn write_error(e: JsValue) -> Error {
    Error::new(
        ErrorKind::WriteError,
        format!(
            "cannot stream the request body to fetch: {}",
            super::abort::describe(&e)
        ),
    )
}
