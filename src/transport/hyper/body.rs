//! The bodies hyper streams: the request body going out, and the response body coming
//! back, which returns its HTTP/1.1 connection to the pool at its end.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use hyper::body::Incoming;
use tokio::time::Sleep;

use super::errors::{map_error, Phase};
use super::io::ActiveRequest;
#[cfg(feature = "http2")]
use super::pool;
use super::pool::H1Conn;
use super::send::total_timeout;
use super::Shared;
use crate::config::Timeout;
use crate::error::{Error, Result};
use crate::request::Body;

/// A request body on its way to hyper; says when it has been handed over in full, so
/// that the read timeout starts then.
pub(crate) struct SendBody {
    pub(super) body: Body,
    pub(super) active: ActiveRequest,
}

impl http_body::Body for SendBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || this.body.is_end_stream() {
            this.active.body_sent();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        let end = self.body.is_end_stream();
        if end {
            self.active.body_sent();
        }
        end
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Ends the request's in-flight mark on its connection when dropped.
pub(super) struct InFlight(pub(super) ActiveRequest);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// The response body as it arrives. At its end the HTTP/1.1 connection goes back to
/// the pool (unless `reuse` is false); dropped early, the connection is closed.
pub(super) struct ResponseBody {
    pub(super) incoming: Incoming,
    pub(super) conn: Option<(H1Conn, Arc<Shared>)>,
    /// Whether the HTTP/1.1 connection may serve another request once the body ended:
    /// false after a response whose framing was ambiguous.
    pub(super) reuse: bool,
    /// An HTTP/2 connection's handle, which keeps its pool slot while the body streams.
    #[cfg(feature = "http2")]
    pub(super) _shared_conn: Option<pool::H2Conn>,
    #[cfg(not(feature = "http2"))]
    pub(super) _shared_conn: Option<std::convert::Infallible>,
    pub(super) in_flight: Option<InFlight>,
    pub(super) deadline: Option<Pin<Box<Sleep>>>,
    pub(super) timeout: Timeout,
    pub(super) done: bool,
}

/// At most this many bytes of a response body that already arrived are taken with
/// its head by the blocking transport.
pub(super) const PREFETCH_LIMIT: usize = 64 * 1024;

impl ResponseBody {
    /// The chunks (and the end, or an error) that are ready now, up to about `limit`
    /// bytes, without waiting for more.
    pub(super) fn take_ready(&mut self, limit: usize) -> std::collections::VecDeque<Result<Bytes>> {
        let mut ready = std::collections::VecDeque::new();
        let mut taken = 0;
        while taken < limit {
            match futures_util::FutureExt::now_or_never(futures_util::StreamExt::next(self)) {
                Some(Some(Ok(chunk))) => {
                    taken += chunk.len();
                    ready.push_back(Ok(chunk));
                }
                Some(Some(Err(e))) => {
                    ready.push_back(Err(e));
                    break;
                }
                Some(None) | None => break,
            }
        }
        ready
    }

    fn finish(&mut self) {
        self.done = true;
        self.in_flight = None;
        if let Some((conn, shared)) = self.conn.take() {
            if self.reuse {
                shared.pool.put_back(conn);
            }
        }
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match hyper::body::Body::poll_frame(Pin::new(&mut this.incoming), cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    this.conn = None;
                    this.in_flight = None;
                    return Poll::Ready(Some(Err(map_error(e, Phase::Body))));
                }
                Poll::Ready(None) => {
                    this.finish();
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    if let Some(deadline) = &mut this.deadline {
                        if deadline.as_mut().poll(cx).is_ready() {
                            this.done = true;
                            this.conn = None;
                            this.in_flight = None;
                            return Poll::Ready(Some(Err(total_timeout(&this.timeout))));
                        }
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}
