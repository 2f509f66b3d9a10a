//! One accepted connection: hyper serves it, a wrapper around the socket records each
//! request head as received (for `raw_headers`), and `/fault/...` requests take the raw
//! socket back from hyper.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::app::{self, State};
use crate::fault::{self, Fault};

/// Heads larger than this are not captured (hyper refuses them anyway).
const MAX_HEAD: usize = 256 * 1024;

/// Records the bytes of the next request head.
#[derive(Debug)]
struct Capture {
    active: bool,
    buf: Vec<u8>,
    heads: VecDeque<Vec<u8>>,
}

impl Capture {
    fn feed(&mut self, data: &[u8]) {
        if !self.active {
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
        Some(
            parsed
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_string(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
        )
    }

    /// Starts recording the next request head (call once the request body is consumed).
    pub(crate) fn rearm(&self) {
        let mut cap = self.capture.lock().unwrap_or_else(|e| e.into_inner());
        cap.active = true;
        cap.buf.clear();
    }

    /// Asks the connection task to take the socket from hyper and perform `fault`.
    pub(crate) async fn hijack(&self, fault: Fault) {
        let _ = self.hijack.send(fault).await;
    }
}

/// The socket as hyper sees it: shared, so the connection task can take it back.
struct Io {
    stream: Arc<TcpStream>,
    capture: Arc<Mutex<Capture>>,
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match self.stream.try_read(unfilled) {
                Ok(n) => {
                    self.capture
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .feed(&unfilled[..n]);
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                r => return Poll::Ready(r),
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write_vectored(bufs) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                r => return Poll::Ready(r),
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = socket2::SockRef::from(&*self.stream).shutdown(std::net::Shutdown::Write);
        match r {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            r => Poll::Ready(r),
        }
    }
}

/// Serves one accepted connection until it closes.
pub(crate) async fn handle(stream: TcpStream, peer: SocketAddr, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let local = match stream.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    let stream = Arc::new(stream);
    let capture = Arc::new(Mutex::new(Capture {
        active: true,
        buf: Vec::new(),
        heads: VecDeque::new(),
    }));
    let (hijack_tx, mut hijack_rx) = mpsc::channel(1);
    let ctx = Arc::new(ConnCtx {
        peer,
        local,
        capture: capture.clone(),
        hijack: hijack_tx,
    });
    let io = TokioIo::new(Io {
        stream: stream.clone(),
        capture,
    });
    let service = service_fn(move |req| app::dispatch(req, ctx.clone(), state.clone()));
    let conn = http1::Builder::new()
        .max_buf_size(1 << 20)
        .serve_connection(io, service);
    let fault = tokio::select! {
        _ = conn => None,
        Some(fault) = hijack_rx.recv() => Some(fault),
    };
    // The hyper connection (and with it its handle on the socket) is gone now.
    if let Some(fault) = fault {
        if let Ok(stream) = Arc::try_unwrap(stream) {
            fault::run(fault, stream).await;
        }
    }
}
