//! Sending one request end to end: the deadline, the retries, a connection from the
//! pool or a new one (through the proxy, with TLS), and the request as hyper takes it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

use super::body::{InFlight, ResponseBody, SendBody};
use super::connect::{self, ProxyRoute};
#[cfg(feature = "http2")]
use super::errors::h2_connection_ends;
use super::errors::{map_error, retry_class, Phase};
use super::io::{self, IoTimeouts, TimedIo};
use super::pool::{self, Conn, Pool};
use super::Shared;
use crate::config::{Timeout, MAX_RESPONSE_HEADERS, MAX_RESPONSE_HEAD_BYTES};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::Body;
use crate::request::Request;
use crate::response::Response;

/// A response head from hyper, before its body is attached.
pub(super) struct Head {
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    reason: Option<String>,
}

impl Head {
    pub(super) fn build(
        self,
        body: impl FnOnce(crate::response::ResponseBuilder) -> crate::response::ResponseBuilder,
    ) -> Result<Response> {
        let mut builder = Response::builder(self.status)
            .version(self.version)
            .headers(&Headers::from(&self.headers));
        if let Some(reason) = &self.reason {
            builder = builder.reason_phrase(reason);
        }
        body(builder).build()
    }
}

fn deadline_of(request: &Request) -> Option<tokio::time::Instant> {
    request
        .options()
        .deadline
        .map(tokio::time::Instant::from_std)
}

pub(super) fn total_timeout(timeout: &Timeout) -> Error {
    let total = timeout.total.unwrap_or_default();
    Error::new(
        ErrorKind::TotalTimeout,
        format!("The total timeout of {:.3}s passed", total.as_secs_f64()),
    )
}

/// Runs `fut` until the request's deadline.
async fn until_deadline<T>(
    deadline: Option<tokio::time::Instant>,
    timeout: &Timeout,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match deadline {
        None => fut.await,
        Some(at) => tokio::time::timeout_at(at, fut)
            .await
            .unwrap_or_else(|_| Err(total_timeout(timeout))),
    }
}

/// Sends one request and returns its response head and body stream.
pub(super) async fn execute(
    shared: Arc<Shared>,
    mut request: Request,
    driver: Driver,
) -> Result<(Head, ResponseBody)> {
    let timeout = *request.timeout();
    let deadline = deadline_of(&request);
    let scheme = request.url().scheme();
    if !matches!(scheme, "http" | "https") {
        return Err(Error::new(
            ErrorKind::UnsupportedProtocol,
            format!("Request URL has an unsupported protocol '{scheme}://'"),
        )
        .with_request(request.method(), request.url()));
    }
    let result = until_deadline(
        deadline,
        &timeout,
        send_with_retries(&shared, &mut request, driver),
    )
    .await
    .map(|(head, mut body)| {
        body.deadline = deadline.map(|at| Box::pin(tokio::time::sleep_until(at)));
        (head, body)
    });
    result.map_err(|e| e.with_request(request.method(), request.url()))
}

/// Who runs the request: the blocking transport's own runtime, turned only while a
/// request runs, or an async caller's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Driver {
    Blocking,
    Async,
}

/// How many times a request the server did not process (refused HTTP/2 streams,
/// streams above a GOAWAY's last stream id, requests a closing connection never sent)
/// is sent again. Such retries are always safe, and under load one request can lose
/// several in a row (a server ending each connection after N streams refuses every
/// stream above the N-th, new ones included): the bound only stops a server that
/// refuses everything.
const MAX_UNPROCESSED_RETRIES: u32 = 32;

/// Sends `request`, on a new connection again where that is safe: when the request
/// was not processed (any method, RFC 9113 §8.7), or once when a reused connection
/// failed before any response byte and the method is idempotent (RFC 9112 §9.3.1).
async fn send_with_retries(
    shared: &Arc<Shared>,
    request: &mut Request,
    driver: Driver,
) -> Result<(Head, ResponseBody)> {
    let timeout = *request.timeout();
    let key = pool_key(shared, request.url());
    let idempotent = is_idempotent(request.method());
    let mut unprocessed_retries = 0;
    let mut stale_retried = false;
    loop {
        let (conn, reused) = connection(shared, &key, request, &timeout, driver).await?;
        let failure = match send(shared, &key, conn, request, &timeout).await {
            Ok(response) => return Ok(response),
            Err(failure) => failure,
        };
        if let Some(body) = failure.unsent_body {
            *request.body_mut() = body;
        }
        // In memory, or a stream that hyper gave back unread.
        let replayable = !request.body().is_consumed();
        let retry = match failure.retry {
            Retry::Unprocessed if replayable => unprocessed_retries < MAX_UNPROCESSED_RETRIES,
            Retry::Unprocessed => false,
            Retry::StaleConnection => reused && idempotent && replayable && !stale_retried,
            Retry::No => false,
        };
        if !retry {
            return Err(failure.error);
        }
        match failure.retry {
            Retry::Unprocessed => unprocessed_retries += 1,
            _ => stale_retried = true,
        }
        log::debug!("sending the request again after: {}", failure.error);
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2).
fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::PUT
            | http::Method::DELETE
            | http::Method::OPTIONS
            | http::Method::TRACE
    )
}

/// Whether a failed request may be sent again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Retry {
    /// The server did not process it: it was never sent, refused (`REFUSED_STREAM`) or
    /// above a graceful GOAWAY's last stream id.
    Unprocessed,
    /// The connection failed before any response byte: perhaps the server closed it
    /// while the request was on its way. Safe for idempotent methods only.
    StaleConnection,
    No,
}

/// A failed send: the error, whether it may be retried, and the request body when
/// hyper gave it back unsent.
struct SendFailure {
    error: Error,
    retry: Retry,
    unsent_body: Option<Body>,
}

impl SendFailure {
    fn fatal(error: Error) -> SendFailure {
        SendFailure {
            error,
            retry: Retry::No,
            unsent_body: None,
        }
    }
}

/// An origin (scheme, host, port) and its pool key.
pub(super) type LastKey = (String, String, u16, Arc<str>);

/// The pool key: the origin, or the proxy that requests are forwarded to. The last
/// origin's key is kept: requests in a row to one origin (the common case) reuse it
/// instead of formatting a new one.
fn pool_key(shared: &Shared, url: &crate::url::Url) -> Arc<str> {
    let forward = matches!(&shared.proxy, Some(ProxyRoute::Http { .. })) && url.scheme() == "http";
    if let (true, Some(ProxyRoute::Http { host, port, .. })) = (forward, &shared.proxy) {
        return format!("proxy|{host}:{port}").into();
    }
    let origin = (
        url.scheme(),
        url.host_for_authority(),
        url.port_or_default().unwrap_or(0),
    );
    let mut last = match shared.last_key.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((scheme, host, port, key)) = &*last {
        if (scheme.as_str(), host.as_str(), *port) == origin {
            return key.clone();
        }
    }
    let key: Arc<str> = format!("{}|{}|{}", origin.0, origin.1, origin.2).into();
    *last = Some((
        origin.0.to_string(),
        origin.1.to_string(),
        origin.2,
        key.clone(),
    ));
    key
}

/// Lets the blocking transport's runtime process what arrived on idle connections (a
/// close, a GOAWAY, stray bytes: each makes hyper close the connection) before one is
/// picked. That runtime runs only while a request drives it: without this, bytes a
/// server sent to an idle connection would be read as the answer to the next request.
/// One turn is enough: the request runs as a task of that runtime, and a yielding task
/// is woken only after the scheduler has polled the reactor, which queues the tasks of
/// the connections that got something ahead of it. (An async client's runtime turns
/// whenever its tasks wait, so it has seen them already.)
async fn settle_idle_connections() {
    tokio::task::yield_now().await;
}

/// A connection for `request` (and whether it served requests before): from the
/// pool, or new.
async fn connection(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    request: &Request,
    timeout: &Timeout,
    driver: Driver,
) -> Result<(Conn, bool)> {
    if driver == Driver::Blocking && shared.pool.has_connection(key) {
        settle_idle_connections().await;
    }
    let may_be_h2 = shared.settings.http2 && request.url().scheme() == "https";
    loop {
        match shared.pool.acquire(key, may_be_h2, timeout.pool).await? {
            pool::Acquired::Reuse(Conn::H1(mut conn)) => {
                // The connection may still be finishing its last response, or closing.
                if conn.sender.ready().await.is_ok() {
                    return Ok((Conn::H1(conn), true));
                }
            }
            #[cfg(feature = "http2")]
            pool::Acquired::Reuse(Conn::H2(conn)) => return Ok((Conn::H2(conn), true)),
            pool::Acquired::New(permit, pending) => {
                // Boxed: the rarely taken connect path stays out of every request's
                // future.
                let conn = Box::pin(new_connection(
                    shared,
                    key,
                    request.url(),
                    timeout,
                    permit,
                    pending,
                ))
                .await?;
                return Ok((conn, false));
            }
        }
    }
}

/// Opens a connection to `url` on `permit`'s slot. `pending` marks it as the connection
/// other requests to the origin wait for, in case it is HTTP/2.
async fn new_connection(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    url: &crate::url::Url,
    timeout: &Timeout,
    permit: pool::Permit,
    pending: Option<pool::H2Pending>,
) -> Result<Conn> {
    let opened =
        connect::with_connect_timeout(timeout.connect, connect_with_retries(shared, url)).await;
    let (io, h2) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            if let Some(pending) = pending {
                pending.failed(&e);
            }
            return Err(e);
        }
    };
    let timeouts = Arc::new(IoTimeouts::default());
    let io = TokioIo::new(TimedIo::new(io, timeouts.clone()));
    let (done_tx, done) = pool::TaskDone::new();
    if h2 {
        #[cfg(feature = "http2")]
        {
            let handshake =
                hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .timer(hyper_util::rt::TokioTimer::new())
                    // Ours, not hyper's 16 KiB: the same cap as HTTP/1.1's head.
                    .max_header_list_size(MAX_RESPONSE_HEAD_BYTES as u32)
                    .handshake(io)
                    .await;
            let (sender, connection) = match handshake {
                Ok(parts) => parts,
                Err(e) => {
                    let e = map_error(e, Phase::Connect);
                    if let Some(pending) = pending {
                        pending.failed(&e);
                    }
                    return Err(e);
                }
            };
            tokio::spawn(async move {
                let _ = connection.await;
                drop(done_tx);
            });
            let conn = shared
                .pool
                .add_h2(key, sender, timeouts, permit, done, pending);
            return Ok(Conn::H2(conn));
        }
    }
    if let Some(pending) = pending {
        pending.negotiated_h1();
    }
    // The head limits are ours, not hyper's defaults (100 fields, the ~400 KB read
    // buffer): see `crate::config`.
    let (sender, connection) = http1::Builder::new()
        .max_headers(MAX_RESPONSE_HEADERS)
        .max_header_size(MAX_RESPONSE_HEAD_BYTES)
        .handshake(io)
        .await
        .map_err(|e| map_error(e, Phase::Connect))?;
    tokio::spawn(async move {
        let _ = connection.await;
        drop(done_tx);
    });
    Ok(Pool::new_h1(sender, timeouts, permit, key.clone(), done))
}

async fn connect_with_retries(shared: &Shared, url: &crate::url::Url) -> Result<(io::BoxIo, bool)> {
    let mut delay = Duration::ZERO;
    let mut attempts_left = shared.settings.retries;
    loop {
        match open(shared, url).await {
            Err(e) if attempts_left > 0 && e.kind() == ErrorKind::ConnectError => {
                attempts_left -= 1;
                tokio::time::sleep(delay).await;
                delay = if delay.is_zero() {
                    Duration::from_millis(500)
                } else {
                    delay * 2
                };
                log::debug!("retrying the connection after: {e}");
            }
            other => return other,
        }
    }
}

/// Opens the byte stream to the target (through the proxy, with TLS as needed) and
/// says whether HTTP/2 was negotiated.
async fn open(shared: &Shared, url: &crate::url::Url) -> Result<(io::BoxIo, bool)> {
    let host = url.host_for_authority();
    let port = url.port_or_default().unwrap_or(80);
    let https = url.scheme() == "https";
    let local_address = shared.settings.local_address;
    let io = match &shared.proxy {
        None => match &shared.settings.uds {
            Some(path) => connect::unix(path).await?,
            None => {
                connect::tcp(connect::TcpTarget {
                    host,
                    port,
                    local_address,
                })
                .await?
            }
        },
        Some(ProxyRoute::Http {
            host: proxy_host,
            port: proxy_port,
            tls,
            authorization,
            headers,
        }) => {
            let mut io = connect::tcp(connect::TcpTarget {
                host: proxy_host,
                port: *proxy_port,
                local_address,
            })
            .await
            .map_err(|e| {
                Error::new(ErrorKind::ProxyError, "Connection to the proxy failed").with_source(e)
            })?;
            if *tls {
                io = tls_handshake(shared, io, proxy_host, false).await?.0;
            }
            if !https {
                // Forwarding: requests go to the proxy in absolute form.
                return Ok((io, false));
            }
            connect::connect_tunnel(io, host, port, authorization.as_deref(), headers).await?
        }
        #[cfg(feature = "socks")]
        Some(ProxyRoute::Socks5 {
            host: proxy_host,
            port: proxy_port,
            remote_dns,
            credentials,
        }) => {
            connect::socks5(
                proxy_host,
                *proxy_port,
                *remote_dns,
                credentials.as_ref(),
                host,
                port,
                local_address,
            )
            .await?
        }
        #[cfg(not(feature = "socks"))]
        Some(ProxyRoute::Socks5 { .. }) => {
            return Err(Error::new(
                ErrorKind::UnsupportedProtocol,
                "SOCKS proxies need the `socks` feature",
            ))
        }
    };
    if https {
        return tls_handshake(shared, io, host, shared.settings.http2).await;
    }
    Ok((io, false))
}

#[cfg(feature = "rustls")]
async fn tls_handshake(
    shared: &Shared,
    io: io::BoxIo,
    host: &str,
    offer_h2: bool,
) -> Result<(io::BoxIo, bool)> {
    let offer_h2 = offer_h2 && cfg!(feature = "http2");
    let slot = &shared.tls_configs[usize::from(offer_h2)];
    let config = slot
        .get_or_init(|| {
            shared
                .settings
                .tls
                .client_config(offer_h2)
                .map_err(|e| e.message().to_string())
        })
        .clone()
        .map_err(|message| Error::new(ErrorKind::ConnectError, message))?;
    let stream = connect::tls(io, host, config).await?;
    Ok((stream.io, stream.h2))
}

#[cfg(not(feature = "rustls"))]
async fn tls_handshake(
    _shared: &Shared,
    _io: io::BoxIo,
    host: &str,
    _offer_h2: bool,
) -> Result<(io::BoxIo, bool)> {
    Err(Error::new(
        ErrorKind::UnsupportedProtocol,
        format!("https://{host} needs the crate's `rustls` feature"),
    ))
}

/// Headers a request may not carry over HTTP/2 (RFC 9113 §8.2.2); Host becomes
/// `:authority`.
const H2_FORBIDDEN: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "host",
];

/// Sends the request on `conn`.
async fn send(
    shared: &Arc<Shared>,
    key: &Arc<str>,
    conn: Conn,
    request: &mut Request,
    timeout: &Timeout,
) -> std::result::Result<(Head, ResponseBody), SendFailure> {
    let h2 = !matches!(conn, Conn::H1(_));
    let hyper_request = to_hyper_request(shared, request, h2).map_err(SendFailure::fatal)?;
    let timeouts = match &conn {
        Conn::H1(c) => c.timeouts.clone(),
        #[cfg(feature = "http2")]
        Conn::H2(c) => c.timeouts.clone(),
    };
    let active = timeouts.activate(timeout.read, timeout.write);
    let in_flight = InFlight(active.clone());
    let body = request
        .body_mut()
        .take_for_send()
        .map_err(SendFailure::fatal)?;
    if body.is_empty() {
        active.body_sent();
    }
    let hyper_request = hyper_request.map(|()| SendBody { body, active });
    let (response, back, shared_conn) = match conn {
        Conn::H1(mut c) => {
            let response = c.sender.try_send_request(hyper_request).await;
            (response, Some(c), None)
        }
        #[cfg(feature = "http2")]
        Conn::H2(mut c) => {
            let response = c.sender.try_send_request(hyper_request).await;
            (response, None, Some(c))
        }
    };
    let response = match response {
        Ok(response) => response,
        Err(mut e) => {
            let unsent_body = e.take_message().map(|m| m.into_body().body);
            let err = e.into_error();
            let retry = if unsent_body.is_some() {
                Retry::Unprocessed
            } else {
                retry_class(&err)
            };
            #[cfg(feature = "http2")]
            if let Some(conn) = &shared_conn {
                if h2_connection_ends(&err) {
                    shared.pool.evict_h2(key, conn);
                }
            }
            let _ = key;
            return Err(SendFailure {
                error: map_error(err, Phase::Send),
                retry,
                unsent_body,
            });
        }
    };
    let (parts, incoming) = response.into_parts();
    let reason = parts
        .extensions
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned());
    let head = Head {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        reason,
    };
    let body = ResponseBody {
        incoming,
        conn: back.map(|c| (c, shared.clone())),
        reuse: !ambiguous_framing(&head.headers),
        _shared_conn: shared_conn,
        in_flight: Some(in_flight),
        deadline: None,
        timeout: *timeout,
        done: false,
    };
    Ok((head, body))
}

/// Whether an HTTP/1.1 response came with both `Transfer-Encoding` and
/// `Content-Length`. hyper reads the body by `Transfer-Encoding`, as RFC 9112 §6.3 (and
/// httpx) say, but the message may be a smuggling attempt, or a sign that something on
/// the way framed it otherwise: its connection is not used again (what the RFC asks of a
/// server receiving such a request), so that bytes the `Content-Length` covered beyond
/// the chunked body are never read as the next response.
fn ambiguous_framing(headers: &http::HeaderMap) -> bool {
    headers.contains_key(http::header::TRANSFER_ENCODING)
        && headers.contains_key(http::header::CONTENT_LENGTH)
}

/// The request's head as hyper takes it (the body is attached by the caller).
fn to_hyper_request(shared: &Shared, request: &Request, h2: bool) -> Result<http::Request<()>> {
    let url = request.url();
    let forward = matches!(&shared.proxy, Some(ProxyRoute::Http { .. })) && url.scheme() == "http";
    let tunnelled = shared.proxy.is_some() && !forward;
    let mut headers = request.headers().to_header_map()?;
    if tunnelled {
        // Proxy credentials are for the proxy, never for the origin behind a tunnel.
        headers.remove(http::header::PROXY_AUTHORIZATION);
    }
    if forward {
        if let Some(ProxyRoute::Http {
            authorization,
            headers: extra,
            ..
        }) = &shared.proxy
        {
            if let Some(value) = authorization {
                let value = http::HeaderValue::from_str(value).map_err(|e| {
                    Error::local_protocol(format!("Invalid proxy credentials: {e}"))
                })?;
                headers.insert(http::header::PROXY_AUTHORIZATION, value);
            }
            for (name, value) in extra {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(value),
                ) {
                    headers.append(name, value);
                }
            }
        }
    }
    let uri: http::Uri = if forward || h2 {
        http::Uri::try_from(url)?
    } else {
        url.request_target()
            .parse()
            .map_err(|e| Error::invalid_url(format!("Invalid request target: {e}")))?
    };
    if h2 {
        for name in H2_FORBIDDEN {
            headers.remove(name);
        }
    }
    let mut builder = http::Request::builder()
        .method(request.method().clone())
        .uri(uri)
        .version(if h2 {
            http::Version::HTTP_2
        } else {
            http::Version::HTTP_11
        });
    if let Some(map) = builder.headers_mut() {
        *map = headers;
    }
    builder
        .body(())
        .map_err(|e| Error::local_protocol(format!("Invalid request: {e}")))
}
