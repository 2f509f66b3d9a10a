//! One accepted connection: TLS when the server has it, then hyper serves HTTP/1.1 or
//! HTTP/2 (ALPN `h2`, or the HTTP/2 preface on a plain socket); a wrapper around the byte
//! stream records each HTTP/1 request head as received (for `raw_headers`), and
//! `/fault/...` requests take the stream back from hyper.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

use crate::app::{self, State};
use crate::fault::{self, Fault};

/// Heads larger than this are not captured (hyper refuses them anyway).
const MAX_HEAD: usize = 256 * 1024;

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Records the bytes of the next request head.
#[derive(Debug)]
struct Capture {
    active: bool,
    /// Set once the connection turns out to speak HTTP/2: nothing to capture.
    disabled: bool,
    buf: Vec<u8>,
    heads: VecDeque<Vec<u8>>,
}

impl Capture {
    fn feed(&mut self, data: &[u8]) {
        if !self.active || self.disabled {
            return;
        }
        self.buf.extend_from_slice(data);
        // Empty lines before a request line are allowed; drop them.
        let skip = self
            .buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if skip > 0 {
            self.buf.drain(..skip);
        }
        let end = self.buf.windows(2).enumerate().find_map(|(i, w)| match w {
            b"\n\n" => Some(i + 2),
            b"\n\r" if self.buf.get(i + 2) == Some(&b'\n') => Some(i + 3),
            _ => None,
        });
        if let Some(end) = end {
            let head = self.buf[..end].to_vec();
            self.heads.push_back(head);
            self.buf.clear();
            self.active = false;
        } else if self.buf.len() > MAX_HEAD {
            self.buf.clear();
            self.active = false;
        }
    }
}

/// What the request handlers know about their connection.
pub(crate) struct ConnCtx {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// Whether the connection is a TLS session.
    pub tls: bool,
    capture: Arc<Mutex<Capture>>,
    hijack: mpsc::Sender<Fault>,
}

impl ConnCtx {
    /// The captured head of the current request, if it is the one hyper parsed.
    pub(crate) fn take_head(
        &self,
        method: &http::Method,
        uri: &http::Uri,
    ) -> Option<Vec<(String, String)>> {
        let head = {
            let mut cap = self.capture.lock().unwrap_or_else(|e| e.into_inner());
            let head = cap.heads.pop_front();
            cap.heads.clear();
            head?
        };
        let mut headers = [httparse::EMPTY_HEADER; 256];
        let mut parsed = httparse::Request::new(&mut headers);
        let status = parsed.parse(&head).ok()?;
        if status.is_partial()
            || parsed.method != Some(method.as_str())
            || (parsed.path != Some(uri.to_string().as_str())
                && parsed.path != uri.path_and_query().map(|p| p.as_str()))
        {
            return None;
        }
        Some(crate::util::header_pairs(parsed.headers))
    }

    /// Starts recording the next request head (call once the request body is consumed).
    pub(crate) fn rearm(&self) {
        let mut cap = self.capture.lock().unwrap_or_else(|e| e.into_inner());
        cap.active = !cap.disabled;
        cap.buf.clear();
    }

    /// Stops recording for good: the connection speaks HTTP/2, whose heads are binary.
    pub(crate) fn disable_capture(&self) {
        let mut cap = self.capture.lock().unwrap_or_else(|e| e.into_inner());
        if !cap.disabled {
            cap.disabled = true;
            cap.active = false;
            cap.buf = Vec::new();
            cap.heads.clear();
        }
    }

    /// Asks the connection task to take the socket from hyper and perform `fault`.
    pub(crate) async fn hijack(&self, fault: Fault) {
        let _ = self.hijack.send(fault).await;
    }
}

/// A connection's byte stream: a TCP socket, or a TLS session on one.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The TCP socket underneath (for resets).
    fn tcp(&self) -> &TcpStream;
}

impl Stream for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Stream for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// The stream as hyper sees it: shared, so the connection task can take it back, and
/// recording what it reads into the capture. Only the connection task touches it, so the
/// lock is never contended.
struct Io<S> {
    stream: Arc<Mutex<S>>,
    capture: Arc<Mutex<Capture>>,
}

impl<S> Io<S> {
    fn stream(&self) -> MutexGuard<'_, S> {
        self.stream.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<S: Stream> AsyncRead for Io<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut *self.stream()).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let new = &buf.filled()[before..];
            if !new.is_empty() {
                self.capture
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .feed(new);
            }
        }
        result
    }
}

impl<S: Stream> AsyncWrite for Io<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.stream()).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.stream()).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream().is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.stream()).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut *self.stream()).poll_shutdown(cx) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            r => r,
        }
    }
}

/// Serves one accepted connection until it closes: TLS first when `tls` is given (a failed
/// handshake just drops the connection).
pub(crate) async fn handle(
    stream: TcpStream,
    peer: SocketAddr,
    state: Arc<State>,
    tls: Option<TlsAcceptor>,
) {
    let _ = stream.set_nodelay(true);
    let local = match stream.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    match tls {
        None => serve(stream, peer, local, false, state).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(session)) => serve(session, peer, local, true, state).await,
                Ok(Err(e)) => {
                    if state.verbose {
                        eprintln!("{peer} TLS handshake failed: {e}");
                    }
                }
                Err(_) => {
                    if state.verbose {
                        eprintln!("{peer} TLS handshake timed out");
                    }
                }
            }
        }
    }
}

/// Serves HTTP/1.1 or HTTP/2 on `stream` until it closes or a fault takes it over.
async fn serve<S: Stream>(
    stream: S,
    peer: SocketAddr,
    local: SocketAddr,
    tls: bool,
    state: Arc<State>,
) {
    let stream = Arc::new(Mutex::new(stream));
    let capture = Arc::new(Mutex::new(Capture {
        active: true,
        disabled: false,
        buf: Vec::new(),
        heads: VecDeque::new(),
    }));
    let (hijack_tx, mut hijack_rx) = mpsc::channel(1);
    let ctx = Arc::new(ConnCtx {
        peer,
        local,
        tls,
        capture: capture.clone(),
        hijack: hijack_tx,
    });
    let io = TokioIo::new(Io {
        stream: stream.clone(),
        capture,
    });
    let service = service_fn(move |req| app::dispatch(req, ctx.clone(), state.clone()));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().max_buf_size(1 << 20);
    let conn = builder.serve_connection(io, service);
    let fault = tokio::select! {
        _ = conn => None,
        Some(fault) = hijack_rx.recv() => Some(fault),
    };
    // The hyper connection (and with it its handle on the stream) is gone now.
    if let Some(fault) = fault {
        if let Ok(stream) = Arc::try_unwrap(stream) {
            let stream = stream.into_inner().unwrap_or_else(|e| e.into_inner());
            fault::run(fault, stream).await;
        }
    }
}
