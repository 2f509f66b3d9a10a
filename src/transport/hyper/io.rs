//! The connection's byte stream: any transport (TCP, Unix socket, TLS, a tunnel) behind
//! one boxed type, wrapped so that httpx's per-operation read and write timeouts apply
//! while a request is in flight, and so that errors say whether reading or writing
//! failed.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A byte stream a connection can run on.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// Any connection stream.
pub(crate) type BoxIo = Box<dyn Io>;

/// What failed on the stream; carried inside the `io::Error` that hyper reports, so
/// the error mapping can tell a read from a write and a timeout from a failure.
#[derive(Debug)]
pub(crate) enum IoFailure {
    ReadTimeout,
    WriteTimeout,
    Read(io::Error),
    Write(io::Error),
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoFailure::ReadTimeout => f.write_str("no data within the read timeout"),
            IoFailure::WriteTimeout => f.write_str("no progress within the write timeout"),
            // Only a tag: the error itself speaks (the message above it says read or write).
            IoFailure::Read(e) | IoFailure::Write(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for IoFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IoFailure::Read(e) | IoFailure::Write(e) => e.source(),
            _ => None,
        }
    }
}

fn failure(kind: io::ErrorKind, failure: IoFailure) -> io::Error {
    io::Error::new(kind, failure)
}

/// Timeouts shared between a connection's stream and the requests using it, as httpx
/// applies them: the write timeout while a request is in flight, the read timeout only
/// once a request's body has been sent (a slow upload is not a slow server). An idle
/// pooled connection never times out by itself.
#[derive(Default)]
pub(crate) struct IoTimeouts {
    /// Requests in flight.
    active: AtomicUsize,
    /// Requests in flight whose body has been sent: they wait for the server.
    awaiting: AtomicUsize,
    /// Milliseconds + 1; 0 means no timeout.
    read: AtomicU64,
    write: AtomicU64,
}

fn encode(d: Option<Duration>) -> u64 {
    d.map_or(0, |d| {
        u64::try_from(d.as_millis())
            .unwrap_or(u64::MAX - 1)
            .saturating_add(1)
    })
}

fn decode(v: u64) -> Option<Duration> {
    v.checked_sub(1).map(Duration::from_millis)
}

/// Where one request is: sending its body, waiting for the server, or finished.
const SENDING: u8 = 0;
const AWAITING: u8 = 1;
const FINISHED: u8 = 2;

impl IoTimeouts {
    /// Marks a request in flight with these timeouts until the guard drops; the read
    /// timeout starts to apply when [`ActiveRequest::body_sent`] is called.
    pub(crate) fn activate(
        self: &Arc<Self>,
        read: Option<Duration>,
        write: Option<Duration>,
    ) -> ActiveRequest {
        self.read.store(encode(read), Ordering::Relaxed);
        self.write.store(encode(write), Ordering::Relaxed);
        self.active.fetch_add(1, Ordering::AcqRel);
        ActiveRequest(Arc::new(Phase {
            timeouts: self.clone(),
            state: AtomicU8::new(SENDING),
        }))
    }

    fn read_timeout(&self) -> Option<Duration> {
        if self.awaiting.load(Ordering::Acquire) == 0 {
            return None;
        }
        decode(self.read.load(Ordering::Relaxed))
    }

    fn write_timeout(&self) -> Option<Duration> {
        if self.active.load(Ordering::Acquire) == 0 {
            return None;
        }
        decode(self.write.load(Ordering::Relaxed))
    }
}

struct Phase {
    timeouts: Arc<IoTimeouts>,
    state: AtomicU8,
}

/// A request in flight on a connection; see [`IoTimeouts::activate`]. Clones share the
/// request's phase (one goes with the request body, to say when it has been sent).
#[derive(Clone)]
pub(crate) struct ActiveRequest(Arc<Phase>);

impl ActiveRequest {
    /// The request's body has been handed to the connection in full: from now on the
    /// request waits for the server, and the read timeout applies.
    pub(crate) fn body_sent(&self) {
        let phase = &self.0;
        // Counted first, so that a request finishing at the same moment never leaves
        // the count below zero.
        phase.timeouts.awaiting.fetch_add(1, Ordering::AcqRel);
        if phase
            .state
            .compare_exchange(SENDING, AWAITING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            phase.timeouts.awaiting.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// The request is over (its response read, or abandoned). Idempotent.
    pub(crate) fn finish(&self) {
        let phase = &self.0;
        match phase.state.swap(FINISHED, Ordering::AcqRel) {
            FINISHED => {}
            previous => {
                if previous == AWAITING {
                    phase.timeouts.awaiting.fetch_sub(1, Ordering::AcqRel);
                }
                phase.timeouts.active.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }
}

/// The stream with timeouts and tagged errors.
pub(crate) struct TimedIo {
    inner: BoxIo,
    timeouts: Arc<IoTimeouts>,
    read_timer: Timer,
    write_timer: Timer,
    /// The last write could not proceed: the server is not reading what we send. The
    /// read timeout waits meanwhile (a slow reader is a write timeout, as in httpx,
    /// where a request's body is written before its response is read).
    write_blocked: bool,
}

impl TimedIo {
    pub(crate) fn new(inner: BoxIo, timeouts: Arc<IoTimeouts>) -> TimedIo {
        TimedIo {
            inner,
            timeouts,
            read_timer: Timer::default(),
            write_timer: Timer::default(),
            write_blocked: false,
        }
    }
}

/// The timer of one direction. One `Sleep` is allocated per connection and re-armed
/// for each wait, rather than one per pending read.
#[derive(Default)]
struct Timer {
    sleep: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl Timer {
    /// The operation made progress: the next wait starts a new period.
    fn disarm(&mut self) {
        self.armed = false;
    }

    /// Polls the timer for an operation that is pending; `true` when it has expired.
    fn expired(&mut self, timeout: Option<Duration>, cx: &mut Context<'_>) -> bool {
        let Some(timeout) = timeout else {
            self.armed = false;
            return false;
        };
        if !self.armed {
            let deadline = tokio::time::Instant::now() + timeout;
            match &mut self.sleep {
                Some(sleep) => sleep.as_mut().reset(deadline),
                None => self.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            self.armed = true;
        }
        let Some(sleep) = &mut self.sleep else {
            return false;
        };
        if sleep.as_mut().poll(cx).is_ready() {
            self.armed = false;
            return true;
        }
        false
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.read_timer.disarm();
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(failure(e.kind(), IoFailure::Read(e)))),
            Poll::Pending => {
                if this.write_blocked {
                    this.read_timer.disarm();
                    return Poll::Pending;
                }
                let timeout = this.timeouts.read_timeout();
                if this.read_timer.expired(timeout, cx) {
                    return Poll::Ready(Err(failure(
                        io::ErrorKind::TimedOut,
                        IoFailure::ReadTimeout,
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                this.wrote(n);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(failure(e.kind(), IoFailure::Write(e)))),
            Poll::Pending => this.poll_write_timeout(cx),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                this.wrote(n);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(failure(e.kind(), IoFailure::Write(e)))),
            Poll::Pending => this.poll_write_timeout(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(Ok(())) => {
                // Not progress of the request: hyper flushes on every turn.
                this.write_timer.disarm();
                this.write_blocked = false;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(failure(e.kind(), IoFailure::Write(e)))),
            Poll::Pending => this.poll_write_timeout(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl TimedIo {
    /// A write went through: the request progresses, so the wait for the server's
    /// answer starts again from here.
    fn wrote(&mut self, n: usize) {
        self.write_timer.disarm();
        self.write_blocked = false;
        if n > 0 {
            self.read_timer.disarm();
        }
    }

    fn poll_write_timeout<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        self.write_blocked = true;
        let timeout = self.timeouts.write_timeout();
        if self.write_timer.expired(timeout, cx) {
            return Poll::Ready(Err(failure(
                io::ErrorKind::TimedOut,
                IoFailure::WriteTimeout,
            )));
        }
        Poll::Pending
    }
}

/// Finds our tag in an error's source chain.
pub(crate) fn find_failure<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a IoFailure> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(f) = e.downcast_ref::<IoFailure>() {
            return Some(f);
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if let Some(f) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<IoFailure>())
            {
                return Some(f);
            }
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_encode_none_and_values() {
        assert_eq!(decode(encode(None)), None);
        assert_eq!(
            decode(encode(Some(Duration::from_millis(5)))),
            Some(Duration::from_millis(5))
        );
        assert_eq!(decode(encode(Some(Duration::ZERO))), Some(Duration::ZERO));
    }

    #[test]
    fn read_timeout_applies_once_the_body_is_sent() {
        let t = Arc::new(IoTimeouts::default());
        assert_eq!(t.read_timeout(), None);
        assert_eq!(t.write_timeout(), None);
        let request = t.activate(Some(Duration::from_secs(1)), Some(Duration::from_secs(2)));
        assert_eq!(t.read_timeout(), None, "not while the body is sent");
        assert_eq!(t.write_timeout(), Some(Duration::from_secs(2)));
        request.body_sent();
        request.body_sent();
        assert_eq!(t.read_timeout(), Some(Duration::from_secs(1)));
        request.finish();
        request.finish();
        assert_eq!(t.read_timeout(), None, "idle connections have no timeout");
        assert_eq!(t.write_timeout(), None);
        request.body_sent();
        assert_eq!(t.read_timeout(), None, "a late body end changes nothing");
    }
}
