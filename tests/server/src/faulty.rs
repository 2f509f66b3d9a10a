//! [`FaultServer`]: a server that misbehaves at the connection level (stray bytes on an
//! idle keep-alive connection, connections closed under a pooled client, slow or absent
//! request-body reads, HTTP/2 GOAWAY and REFUSED_STREAM), for the tests of a client's
//! connection layer; and, in [`FaultMode::Hostile`], a hostile server that attacks the
//! client on paths of its own (ambiguous framing, bytes after the body, slow drip, header
//! floods, decompression bombs, redirect loops, control characters in `Location`),
//! recording each request it received and on which connection
//! ([`FaultServer::received`]).
//!
//! HTTP/1.1 is written by hand on the socket (request heads parsed with `httparse`), so
//! that the server does exactly what the mode says and nothing else; HTTP/2 is served over
//! TLS (ALPN `h2` only) with the `h2` crate's server, whose stream and GOAWAY control is
//! direct.
//!
//! ```no_run
//! use std::time::Duration;
//! use httpx_test_server::{FaultMode, FaultServer};
//!
//! let server = FaultServer::start(FaultMode::StrayAfterResponse {
//!     delay: Duration::from_millis(100),
//! });
//! let url = server.url("/a"); // http://127.0.0.1:PORT/a
//! // ... a client sends requests ...
//! assert_eq!(server.connections_accepted(), 1);
//!
//! let hostile = FaultServer::start(FaultMode::Hostile);
//! let url = hostile.url("/hostile/bytes-after-body");
//! // ... a client sends it, then a normal request ...
//! let connections: Vec<usize> = hostile.received().iter().map(|r| r.connection).collect();
//! # drop((url, connections));
//!
//! let h2 = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
//! let url = h2.url("/x"); // https://127.0.0.1:PORT/x, HTTP/2 only
//! let ca = h2.ca_pem(); // the CA to trust
//! # drop((url, ca));
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::tls::Certificates;
use crate::ServerThread;

/// How long [`FaultMode::NeverReadBody`] keeps a connection open.
const HOLD: Duration = Duration::from_secs(60);

/// How long an HTTP/2 graceful shutdown may wait for the client (its PING answer)
/// before the connection is closed anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head accepted (HTTP/1.1 modes).
const MAX_HEAD: usize = 64 * 1024;

/// The receive buffer of the sockets of the body-reading modes, kept small so that the
/// server's reading pace, not the kernel's buffering, decides how fast a client can send.
const SMALL_RECV_BUFFER: usize = 64 * 1024;

/// What a [`FaultServer`] does wrong.
///
/// The HTTP/1.1 modes answer `200 OK` with `Content-Type: text/plain`, a
/// `Content-Length`, an `X-Body-Bytes` header (the number of request-body bytes read) and
/// the body `answer to {path}` (the request target as sent, query included), unless said
/// otherwise. They read request bodies framed by `Content-Length` or chunked, honour a
/// request's `Connection: close`, and count a connection as
/// [closed by the peer](FaultServer::connections_closed_by_peer) when a read returns EOF
/// (or a reset).
///
/// The HTTP/2 modes (`H2...`) serve HTTPS with ALPN `h2` only; they answer every stream
/// they do not refuse with status 200, an `x-body-bytes` header, and the body
/// `answer to {path}`, or, when the request had a body, the number of body bytes in
/// decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMode {
    /// HTTP/1.1 keep-alive: each request is answered correctly, then, when no new request
    /// arrived within `delay`, a complete extra response (`HTTP/1.1 200 OK`,
    /// `X-Smuggled: 1`, body `smuggled`) is written on the same idle connection, which
    /// stays open to serve further requests the same way. (A request arriving within
    /// `delay` skips the extra response for that round.)
    StrayAfterResponse {
        /// How long after an answer the extra response is written.
        delay: Duration,
    },
    /// HTTP/1.1 keep-alive: the first request on each connection is answered; the second
    /// and later requests on a connection are read in full (head and body) and then the
    /// connection is closed (FIN) without an answer.
    CloseAfterRequest,
    /// HTTP/1.1 keep-alive: a connection is closed (FIN) when no new request started
    /// within `after` of an answer, like a server's keep-alive timeout.
    CloseWhenIdle {
        /// The keep-alive timeout.
        after: Duration,
    },
    /// HTTP/1.1 keep-alive: request bodies are read at `bytes_per_sec` (reads of at most
    /// 64 KiB, paced by sleeps; the socket's receive buffer is small), then the answer's
    /// body is the number of body bytes received, in decimal.
    SlowBodyReader {
        /// The reading rate.
        bytes_per_sec: usize,
    },
    /// HTTP/1.1: the request head is read and the body never is; the connection stays
    /// open (unanswered) for 60 s or until the server stops. The socket's receive buffer
    /// is small, so a large upload stalls soon.
    NeverReadBody,
    /// HTTP/2: on each connection, once `requests` streams were accepted, the server
    /// starts a graceful shutdown (GOAWAY, then after a PING round trip GOAWAY with the
    /// last stream id it saw), refuses (RST_STREAM REFUSED_STREAM) every stream accepted
    /// beyond `requests` (streams above the final GOAWAY's id are ignored by `h2`),
    /// answers the accepted ones, then closes: nginx's `keepalive_requests`. A client
    /// that does not answer the PING gets the connection closed 2 s later anyway.
    H2GoawayAfter {
        /// Streams served per connection.
        requests: usize,
    },
    /// HTTP/2: every `nth` stream of a connection (the nth, 2nth, ...) is reset with
    /// REFUSED_STREAM before its body is read; the others are answered.
    H2RefuseEvery {
        /// The period of the refusals (0 refuses nothing).
        nth: usize,
    },
    /// HTTP/2: a connection with no open stream for `after` gets a GOAWAY (NO_ERROR, the
    /// last stream id the server saw) and is closed at once, as servers' idle timeouts do
    /// (no PING round trip first, so a client that does not read its idle connections
    /// finds it closed).
    H2GoawayWhenIdle {
        /// The idle timeout.
        after: Duration,
    },
    /// HTTP/2: every stream is answered after `delay`.
    H2Plain {
        /// How long each answer waits.
        delay: Duration,
    },
    /// HTTP/1.1 keep-alive, a hostile server: requests for `/hostile/...` get answers
    /// that attack the client (ambiguous or broken framing, bytes after the body,
    /// slow-drip heads and bodies, header floods, decompression bombs, redirect loops,
    /// control characters in `Location`; the paths are listed below), every other path
    /// the ordinary answer. The connection stays open after a hostile answer, so a
    /// client that reuses it gets what was left on it; [`FaultServer::received`] tells
    /// which connection each request came on.
    ///
    /// | path | answer |
    /// | --- | --- |
    /// | `/hostile/duplicate-content-length` | `Content-Length: 5` and `Content-Length: 6`, body `hello!` |
    /// | `/hostile/content-length-and-chunked?delay_ms=N` | `Transfer-Encoding: chunked` (body `hello`) with a `Content-Length` that also covers a smuggled response written right after it (N ms later with `delay_ms`) |
    /// | `/hostile/chunk-size/{non-hex,overflow,negative}` | chunked with the chunk size `zz`, `1` and 32 `f`s, or `-5` |
    /// | `/hostile/bytes-after-body` | `Content-Length: 5`, `hello`, and a complete smuggled response in the same write |
    /// | `/hostile/slow-head?interval_ms=N` | the head one byte every N ms (default 200), then `hello` |
    /// | `/hostile/slow-body?interval_ms=N&bytes=B` | the head at once, then B bytes (default 100) one every N ms |
    /// | `/hostile/header-flood?count=N` | N headers (default 5000) |
    /// | `/hostile/huge-header?kib=N` | one header line of N KiB (default 1024) |
    /// | `/hostile/bomb/{gzip,deflate,br,zstd}?mib=N` | N MiB of zeros (default 16) compressed, with `Content-Encoding` |
    /// | `/hostile/redirect-loop` | `302` to itself |
    /// | `/hostile/location?to=X` | `302` with `Location:` X percent-decoded and written raw (CR, LF, NUL, ...) |
    ///
    /// The smuggled response is `HTTP/1.1 200 OK` with `X-Smuggled: 1` and the body
    /// `smuggled`.
    Hostile,
}

impl FaultMode {
    /// Whether the mode serves HTTP/2 over TLS.
    pub fn is_h2(&self) -> bool {
        matches!(
            self,
            FaultMode::H2GoawayAfter { .. }
                | FaultMode::H2RefuseEvery { .. }
                | FaultMode::H2GoawayWhenIdle { .. }
                | FaultMode::H2Plain { .. }
        )
    }

    fn small_recv_buffer(&self) -> bool {
        matches!(
            self,
            FaultMode::SlowBodyReader { .. } | FaultMode::NeverReadBody
        )
    }
}

/// A request as an HTTP/1.1 mode received it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The connection it came on: 1 for the first connection accepted, 2 for the next...
    pub connection: usize,
    /// The method.
    pub method: String,
    /// The request target as sent (origin form: path and query).
    pub target: String,
    /// The header fields in received order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The whole head as received (request line, fields, the empty line), bytes as they
    /// came (invalid UTF-8 replaced).
    pub head: String,
}

impl ReceivedRequest {
    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server saw.
#[derive(Debug, Default)]
struct Counters {
    received: std::sync::Mutex<Vec<ReceivedRequest>>,
    connections_accepted: AtomicUsize,
    connections_closed_by_peer: AtomicUsize,
    requests_received: AtomicUsize,
    bodies_received: AtomicUsize,
    requests_refused: AtomicUsize,
    stray_responses_sent: AtomicUsize,
    body_bytes_received: AtomicUsize,
}

impl Counters {
    fn bump(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

/// A misbehaving server (see [`FaultMode`]) on 127.0.0.1, running on its own thread with
/// its own tokio runtime, like [`TestServer`](crate::TestServer); dropping it stops it
/// and drops every connection.
#[derive(Debug)]
pub struct FaultServer {
    /// Declared first: the server stops before the rest is dropped.
    _thread: ServerThread,
    addr: SocketAddr,
    mode: FaultMode,
    certificates: Option<Certificates>,
    counters: Arc<Counters>,
}

impl FaultServer {
    /// Starts a server in `mode` on an ephemeral port; returns once it is listening.
    ///
    /// # Panics
    /// When the socket, the certificates or the runtime cannot be created.
    pub fn start(mode: FaultMode) -> FaultServer {
        FaultServer::try_start(mode).expect("cannot start the fault server")
    }

    /// Starts a server in `mode`, reporting failures instead of panicking.
    pub fn try_start(mode: FaultMode) -> io::Result<FaultServer> {
        let certificates = if mode.is_h2() {
            Some(Certificates::generate()?)
        } else {
            None
        };
        let acceptor = match &certificates {
            Some(certs) => Some(TlsAcceptor::from(certs.h2_config()?)),
            None => None,
        };
        let listener = bind(&mode)?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let task_counters = counters.clone();
        let thread = ServerThread::spawn("httpx-fault-server", listener, move |listener, rx| {
            accept_loop(listener, mode, acceptor, task_counters, rx)
        })?;
        Ok(FaultServer {
            _thread: thread,
            addr,
            mode,
            certificates,
            counters,
        })
    }

    /// The mode the server runs in.
    pub fn mode(&self) -> FaultMode {
        self.mode
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the server speaks HTTPS (the HTTP/2 modes).
    pub fn is_tls(&self) -> bool {
        self.certificates.is_some()
    }

    /// `http://127.0.0.1:PORT` (`https://` for the HTTP/2 modes; no trailing slash).
    pub fn base_url(&self) -> String {
        crate::server_url(self.is_tls(), self.addr, "")
    }

    /// `{base_url}{path}`; a missing leading `/` is added.
    pub fn url(&self, path: &str) -> String {
        crate::server_url(self.is_tls(), self.addr, path)
    }

    /// The CA certificate (PEM) that signed the server's certificate (for `127.0.0.1`,
    /// `localhost` and `::1`).
    ///
    /// # Panics
    /// For the HTTP/1.1 modes, which do not use TLS.
    pub fn ca_pem(&self) -> &str {
        match &self.certificates {
            Some(certs) => certs.ca_pem(),
            None => panic!("FaultServer::ca_pem: {:?} does not use TLS", self.mode),
        }
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.counters.connections_accepted.load(Ordering::SeqCst)
    }

    /// Connections on which the server saw the client close: a read returned EOF or a
    /// reset (HTTP/1.1), or the HTTP/2 connection ended without the server shutting it
    /// down. [`FaultMode::NeverReadBody`] never reads, so never counts.
    pub fn connections_closed_by_peer(&self) -> usize {
        self.counters
            .connections_closed_by_peer
            .load(Ordering::SeqCst)
    }

    /// Requests whose head was read (HTTP/2: streams accepted, refused ones included).
    pub fn requests_received(&self) -> usize {
        self.counters.requests_received.load(Ordering::SeqCst)
    }

    /// Request bodies read to their end: a `Content-Length` above 0 or chunked
    /// (HTTP/1.1), a stream not ended by its HEADERS frame (HTTP/2).
    pub fn bodies_received(&self) -> usize {
        self.counters.bodies_received.load(Ordering::SeqCst)
    }

    /// Request-body bytes read so far, over all requests (counted as they are read, so
    /// it shows the progress of an upload).
    pub fn body_bytes_received(&self) -> usize {
        self.counters.body_bytes_received.load(Ordering::SeqCst)
    }

    /// HTTP/2 streams reset with REFUSED_STREAM.
    pub fn requests_refused(&self) -> usize {
        self.counters.requests_refused.load(Ordering::SeqCst)
    }

    /// The requests the HTTP/1.1 modes read so far (oldest first), with the connection
    /// each came on. (HTTP/2 modes record none.)
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.counters
            .received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Extra responses written by [`FaultMode::StrayAfterResponse`].
    pub fn stray_responses_sent(&self) -> usize {
        self.counters.stray_responses_sent.load(Ordering::SeqCst)
    }
}

/// A listening socket on 127.0.0.1:0 (with a small receive buffer for the body-reading
/// modes, inherited by the accepted sockets).
fn bind(mode: &FaultMode) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    if mode.small_recv_buffer() {
        socket.set_recv_buffer_size(SMALL_RECV_BUFFER)?;
    }
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

async fn accept_loop(
    listener: TcpListener,
    mode: FaultMode,
    acceptor: Option<TlsAcceptor>,
    counters: Arc<Counters>,
    shutdown: oneshot::Receiver<()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let connection = counters.connections_accepted.fetch_add(1, Ordering::SeqCst) + 1;
                    let _ = stream.set_nodelay(true);
                    let counters = counters.clone();
                    match &acceptor {
                        Some(acceptor) => {
                            tokio::spawn(h2_modes::serve(stream, acceptor.clone(), mode, counters));
                        }
                        None => {
                            tokio::spawn(h1_modes::serve(stream, mode, counters, connection));
                        }
                    }
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

/// The HTTP/1.1 modes, by hand.
mod h1_modes {
    use super::*;
    use crate::hostile::Step;

    /// How a request body is framed.
    #[derive(Debug, Clone, Copy)]
    enum Framing {
        Length(u64),
        Chunked,
    }

    /// A parsed request head.
    #[derive(Debug)]
    struct Head {
        method: String,
        target: String,
        framing: Option<Framing>,
        close: bool,
        headers: Vec<(String, String)>,
        raw: String,
    }

    /// Paces reads to a rate.
    struct Pacer {
        rate: usize,
        start: Instant,
        bytes: u64,
    }

    impl Pacer {
        fn new(rate: usize) -> Pacer {
            Pacer {
                rate: rate.max(1),
                start: Instant::now(),
                bytes: 0,
            }
        }

        /// Accounts for `n` bytes read and sleeps until the rate allows more.
        async fn consumed(&mut self, n: usize) {
            self.bytes += n as u64;
            let due = Duration::from_secs_f64(self.bytes as f64 / self.rate as f64);
            tokio::time::sleep_until(self.start + due).await;
        }
    }

    /// The connection: the socket and the bytes read but not consumed yet.
    struct Conn {
        stream: TcpStream,
        buf: Vec<u8>,
        counters: Arc<Counters>,
        peer_closed: bool,
    }

    impl Conn {
        /// Reads up to `max` more bytes into the buffer; `Ok(0)` at EOF (counted once as
        /// a close by the peer, as is a reset).
        async fn fill(&mut self, max: usize) -> io::Result<usize> {
            let mut tmp = vec![0u8; max.clamp(1, 64 * 1024)];
            match self.stream.read(&mut tmp).await {
                Ok(0) => {
                    self.saw_close();
                    Ok(0)
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&tmp[..n]);
                    Ok(n)
                }
                Err(e) => {
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                    ) {
                        self.saw_close();
                    }
                    Err(e)
                }
            }
        }

        fn saw_close(&mut self) {
            if !self.peer_closed {
                self.peer_closed = true;
                Counters::bump(&self.counters.connections_closed_by_peer);
            }
        }

        /// The next request head; `None` when the client closed before sending one.
        async fn read_head(&mut self) -> io::Result<Option<Head>> {
            loop {
                // Empty lines before a request line are allowed.
                let skip = self
                    .buf
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
                self.buf.drain(..skip);
                if !self.buf.is_empty() {
                    if let Some((head, len)) = parse_head(&self.buf)? {
                        self.buf.drain(..len);
                        return Ok(Some(head));
                    }
                }
                if self.buf.len() > MAX_HEAD {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
                }
                if self.fill(64 * 1024).await? == 0 {
                    return if self.buf.is_empty() {
                        Ok(None)
                    } else {
                        Err(io::ErrorKind::UnexpectedEof.into())
                    };
                }
            }
        }

        /// Consumes `n` bytes of the body (paced when `pacer` is given).
        async fn skip(&mut self, mut n: u64, pacer: &mut Option<Pacer>) -> io::Result<()> {
            while n > 0 {
                if self.buf.is_empty() {
                    let want = usize::try_from(n).unwrap_or(usize::MAX);
                    if self.fill(want).await? == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                let take = self.buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
                self.buf.drain(..take);
                n -= take as u64;
                self.counters
                    .body_bytes_received
                    .fetch_add(take, Ordering::SeqCst);
                if let Some(pacer) = pacer {
                    pacer.consumed(take).await;
                }
            }
            Ok(())
        }

        /// One CRLF-terminated line, without the line end.
        async fn line(&mut self) -> io::Result<Vec<u8>> {
            loop {
                if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                    let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    return Ok(line);
                }
                if self.buf.len() > MAX_HEAD {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
                }
                if self.fill(64 * 1024).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
        }

        /// Reads the body and returns its length in bytes.
        async fn read_body(&mut self, framing: Framing, rate: Option<usize>) -> io::Result<u64> {
            let mut pacer = rate.map(Pacer::new);
            let total = match framing {
                Framing::Length(n) => {
                    self.skip(n, &mut pacer).await?;
                    n
                }
                Framing::Chunked => {
                    let mut total = 0u64;
                    loop {
                        let line = self.line().await?;
                        let size = std::str::from_utf8(&line)
                            .ok()
                            .map(|l| l.split(';').next().unwrap_or("").trim())
                            .and_then(|s| u64::from_str_radix(s, 16).ok())
                            .ok_or_else(|| {
                                io::Error::new(io::ErrorKind::InvalidData, "bad chunk size")
                            })?;
                        if size == 0 {
                            // Trailers, up to the empty line.
                            while !self.line().await?.is_empty() {}
                            break;
                        }
                        self.skip(size, &mut pacer).await?;
                        total += size;
                        if !self.line().await?.is_empty() {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                "no CRLF after a chunk",
                            ));
                        }
                    }
                    total
                }
            };
            Counters::bump(&self.counters.bodies_received);
            Ok(total)
        }

        async fn write(&mut self, data: &[u8]) -> io::Result<()> {
            self.stream.write_all(data).await?;
            self.stream.flush().await
        }

        /// Writes `data` one byte at a time, `interval` apart; fails once the client
        /// has left (its close is noticed between bytes).
        async fn drip(&mut self, data: &[u8], interval: Duration) -> io::Result<()> {
            for (i, byte) in data.iter().enumerate() {
                if i > 0 {
                    tokio::select! {
                        _ = tokio::time::sleep(interval) => {}
                        read = self.fill(64 * 1024) => {
                            if read? == 0 {
                                return Err(io::ErrorKind::ConnectionAborted.into());
                            }
                        }
                    }
                }
                self.write(std::slice::from_ref(byte)).await?;
            }
            Ok(())
        }

        /// Sends FIN and lets the socket go.
        async fn close(mut self) {
            let _ = self.stream.shutdown().await;
        }
    }

    /// Parses a complete head at the start of `buf`: the head and its length.
    fn parse_head(buf: &[u8]) -> io::Result<Option<(Head, usize)>> {
        let mut headers = [httparse::EMPTY_HEADER; 128];
        let mut request = httparse::Request::new(&mut headers);
        let len = match request.parse(buf) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        };
        let mut framing = None;
        let mut close = request.version == Some(0);
        for header in request.headers.iter() {
            let value = String::from_utf8_lossy(header.value).to_ascii_lowercase();
            if header.name.eq_ignore_ascii_case("content-length") {
                let n = value.trim().parse().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length")
                })?;
                if n > 0 && !matches!(framing, Some(Framing::Chunked)) {
                    framing = Some(Framing::Length(n));
                }
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                if value.contains("chunked") {
                    framing = Some(Framing::Chunked);
                }
            } else if header.name.eq_ignore_ascii_case("connection") {
                if value.contains("close") {
                    close = true;
                } else if value.contains("keep-alive") {
                    close = false;
                }
            }
        }
        let head = Head {
            method: request.method.unwrap_or("GET").to_string(),
            target: request.path.unwrap_or("/").to_string(),
            framing,
            close,
            headers: crate::util::header_pairs(request.headers),
            raw: String::from_utf8_lossy(&buf[..len]).into_owned(),
        };
        Ok(Some((head, len)))
    }

    /// A `200 OK` with a text body.
    fn answer(head: &Head, body: &str, body_bytes: u64) -> Vec<u8> {
        let connection = if head.close {
            "Connection: close\r\n"
        } else {
            ""
        };
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nX-Body-Bytes: {body_bytes}\r\n{connection}\r\n",
            body.len()
        )
        .into_bytes();
        if head.method != "HEAD" {
            out.extend_from_slice(body.as_bytes());
        }
        out
    }

    const STRAY: &[u8] =
        b"HTTP/1.1 200 OK\r\nX-Smuggled: 1\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nsmuggled";

    pub(super) async fn serve(
        stream: TcpStream,
        mode: FaultMode,
        counters: Arc<Counters>,
        connection: usize,
    ) {
        let mut conn = Conn {
            stream,
            buf: Vec::new(),
            counters,
            peer_closed: false,
        };
        let mut served = 0usize;
        loop {
            let head = match conn.read_head().await {
                Ok(Some(head)) => head,
                Ok(None) | Err(_) => return,
            };
            Counters::bump(&conn.counters.requests_received);
            conn.counters
                .received
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(ReceivedRequest {
                    connection,
                    method: head.method.clone(),
                    target: head.target.clone(),
                    headers: head.headers.clone(),
                    head: head.raw.clone(),
                });
            served += 1;
            if mode == FaultMode::NeverReadBody {
                tokio::time::sleep(HOLD).await;
                return;
            }
            let rate = match mode {
                FaultMode::SlowBodyReader { bytes_per_sec } => Some(bytes_per_sec),
                _ => None,
            };
            let body_bytes = match head.framing {
                Some(framing) => match conn.read_body(framing, rate).await {
                    Ok(n) => n,
                    Err(_) => return,
                },
                None => 0,
            };
            if mode == FaultMode::CloseAfterRequest && served >= 2 {
                conn.close().await;
                return;
            }
            if mode == FaultMode::Hostile {
                if let Some(steps) = crate::hostile::answer(&head.target) {
                    for step in steps {
                        let written = match step {
                            Step::Write(bytes) => conn.write(&bytes).await,
                            Step::Drip(bytes, interval) => conn.drip(&bytes, interval).await,
                            Step::Sleep(pause) => {
                                tokio::time::sleep(pause).await;
                                Ok(())
                            }
                        };
                        if written.is_err() {
                            return;
                        }
                    }
                    continue;
                }
            }
            let text = match mode {
                FaultMode::SlowBodyReader { .. } => body_bytes.to_string(),
                _ => format!("answer to {}", head.target),
            };
            if conn.write(&answer(&head, &text, body_bytes)).await.is_err() {
                return;
            }
            if head.close {
                conn.close().await;
                return;
            }
            if !conn.buf.is_empty() {
                // A pipelined request is waiting: no idle time.
                continue;
            }
            match mode {
                FaultMode::StrayAfterResponse { delay } => {
                    match tokio::time::timeout(delay, conn.fill(64 * 1024)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return,
                        Ok(Ok(_)) => {}
                        Err(_) => {
                            if conn.write(STRAY).await.is_err() {
                                return;
                            }
                            Counters::bump(&conn.counters.stray_responses_sent);
                        }
                    }
                }
                FaultMode::CloseWhenIdle { after } => {
                    match tokio::time::timeout(after, conn.fill(64 * 1024)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return,
                        Ok(Ok(_)) => {}
                        Err(_) => {
                            conn.close().await;
                            return;
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The HTTP/2 modes, with the `h2` crate.
mod h2_modes {
    use super::*;
    use ::h2::server::SendResponse;
    use ::h2::{Reason, RecvStream};

    /// Counts a stream as open until dropped, and wakes the connection task then.
    struct OpenStream {
        open: Arc<AtomicUsize>,
        changed: Arc<Notify>,
    }

    impl Drop for OpenStream {
        fn drop(&mut self) {
            self.open.fetch_sub(1, Ordering::SeqCst);
            self.changed.notify_one();
        }
    }

    pub(super) async fn serve(
        stream: TcpStream,
        acceptor: TlsAcceptor,
        mode: FaultMode,
        counters: Arc<Counters>,
    ) {
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => tls,
            _ => return,
        };
        let mut conn =
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, ::h2::server::handshake(tls)).await {
                Ok(Ok(conn)) => conn,
                _ => return,
            };
        let open = Arc::new(AtomicUsize::new(0));
        let changed = Arc::new(Notify::new());
        let idle_after = match mode {
            FaultMode::H2GoawayWhenIdle { after } => Some(after),
            _ => None,
        };
        let delay = match mode {
            FaultMode::H2Plain { delay } => delay,
            _ => Duration::ZERO,
        };
        let mut accepted = 0usize;
        let mut shutting_down = false;
        // When a graceful shutdown gives up waiting for the client.
        let mut give_up: Option<Instant> = None;
        loop {
            let idle = idle_after.filter(|_| !shutting_down && open.load(Ordering::SeqCst) == 0);
            let next = tokio::select! {
                next = conn.accept() => next,
                _ = tokio::time::sleep(idle.unwrap_or_default()), if idle.is_some() => {
                    // No stream is open, so nothing is cut short.
                    conn.abrupt_shutdown(Reason::NO_ERROR);
                    shutting_down = true;
                    continue;
                }
                _ = tokio::time::sleep_until(give_up.unwrap_or_else(Instant::now)), if give_up.is_some() => {
                    conn.abrupt_shutdown(Reason::NO_ERROR);
                    give_up = None;
                    continue;
                }
                // A stream ended: look at the idle state again.
                _ = changed.notified(), if idle_after.is_some() => continue,
            };
            let (request, mut respond) = match next {
                Some(Ok(pair)) => pair,
                Some(Err(e)) => {
                    if !shutting_down && (e.is_io() || e.is_go_away()) {
                        Counters::bump(&counters.connections_closed_by_peer);
                    }
                    return;
                }
                None => {
                    if !shutting_down {
                        Counters::bump(&counters.connections_closed_by_peer);
                    }
                    return;
                }
            };
            Counters::bump(&counters.requests_received);
            accepted += 1;
            let refuse = match mode {
                FaultMode::H2GoawayAfter { requests } => accepted > requests,
                FaultMode::H2RefuseEvery { nth } => nth > 0 && accepted.is_multiple_of(nth),
                FaultMode::H2GoawayWhenIdle { .. } => shutting_down,
                _ => false,
            };
            if refuse {
                respond.send_reset(Reason::REFUSED_STREAM);
                Counters::bump(&counters.requests_refused);
                continue;
            }
            if let FaultMode::H2GoawayAfter { requests } = mode {
                if accepted == requests && !shutting_down {
                    conn.graceful_shutdown();
                    shutting_down = true;
                    give_up = Some(Instant::now() + SHUTDOWN_GRACE);
                }
            }
            open.fetch_add(1, Ordering::SeqCst);
            let guard = OpenStream {
                open: open.clone(),
                changed: changed.clone(),
            };
            tokio::spawn(answer(request, respond, delay, counters.clone(), guard));
        }
    }

    async fn answer(
        request: http::Request<RecvStream>,
        mut respond: SendResponse<Bytes>,
        delay: Duration,
        counters: Arc<Counters>,
        _open: OpenStream,
    ) {
        let target = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let mut body = request.into_body();
        let has_body = !body.is_end_stream();
        let mut received = 0usize;
        while let Some(chunk) = body.data().await {
            match chunk {
                Ok(chunk) => {
                    received += chunk.len();
                    counters
                        .body_bytes_received
                        .fetch_add(chunk.len(), Ordering::SeqCst);
                    let _ = body.flow_control().release_capacity(chunk.len());
                }
                Err(_) => return,
            }
        }
        if has_body {
            Counters::bump(&counters.bodies_received);
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let text = if has_body {
            received.to_string()
        } else {
            format!("answer to {target}")
        };
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "text/plain")
            .header("content-length", text.len())
            .header("x-body-bytes", received)
            .body(())
            .unwrap_or_default();
        if let Ok(mut send) = respond.send_response(response, false) {
            let _ = send.send_data(Bytes::from(text), true);
        }
    }
}
