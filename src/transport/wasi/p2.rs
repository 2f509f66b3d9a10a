//! One exchange over `wasi:http/outgoing-handler` (WASI 0.2): the request head through
//! `fields` and `outgoing-request`, the body through the outgoing body's output stream,
//! the response head from `future-incoming-response`, and the body from the incoming
//! body's input stream. Every wait goes through the [executor](crate::rt::wasi_executor), together
//! with the deadline's clock pollable.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use wasi::clocks::monotonic_clock;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    Fields, FutureIncomingResponse, HeaderError, IncomingBody, IncomingResponse, Method,
    OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream, StreamError};

use super::errors::{self, Phase};
use crate::config::Timeout;
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::{Body, Request};
use crate::rt::wasi_executor::wait_any;
use crate::url::Url;

/// The most bytes asked of the input stream per read.
const READ_SIZE: u64 = 64 * 1024;

/// State a transport keeps across requests.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Whether the host's refusal of `connect-timeout` was reported already.
    warned_connect_timeout: AtomicBool,
}

/// The response head, as the host gives it: a status and headers.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
}

/// Nanoseconds, as `wasi:clocks` counts them (saturating).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn seconds(d: Option<Duration>) -> String {
    format!("{:.3}s", d.unwrap_or_default().as_secs_f64())
}

/// The request's total deadline on the host's monotonic clock, with its pollable
/// (made once, on the first wait, and shared by every later wait of the exchange).
pub(crate) struct Deadline {
    at: Option<u64>,
    pollable: Option<Rc<Pollable>>,
    total: Option<Duration>,
    /// The blocking transport: a wait with nothing to race (no deadline, no guest
    /// timer) blocks the component in the host at once, as the bare bindings do,
    /// instead of going through the executor.
    block_in_place: bool,
}

impl Deadline {
    fn new(
        deadline: Option<crate::rt::Instant>,
        timeout: &Timeout,
        block_in_place: bool,
    ) -> Deadline {
        let at = deadline.map(|deadline| {
            let left = deadline.saturating_duration_since(crate::rt::Instant::now());
            monotonic_clock::now().saturating_add(nanos(left))
        });
        Deadline {
            at,
            pollable: None,
            total: timeout.total,
            block_in_place,
        }
    }

    /// Whether a wait on one pollable, with no timer besides, may block in place.
    fn blocks_in_place(&self, timer: Option<Duration>) -> bool {
        self.block_in_place && self.at.is_none() && timer.is_none()
    }

    fn pollable(&mut self) -> Option<Rc<Pollable>> {
        let at = self.at?;
        Some(
            self.pollable
                .get_or_insert_with(|| Rc::new(monotonic_clock::subscribe_instant(at)))
                .clone(),
        )
    }

    fn error(&self) -> Error {
        Error::new(
            ErrorKind::TotalTimeout,
            format!("The total timeout of {} passed", seconds(self.total)),
        )
    }
}

/// What one wait ended with.
enum Woke {
    /// The pollable waited for is ready.
    Ready,
    /// The total deadline passed.
    Deadline,
    /// The guest-side timer (write timeout, or a read timeout the host refused) fired.
    Timer,
}

/// Waits for `ready`, the deadline, or a guest-side timer of `timer`, whichever first.
async fn wait(ready: &Rc<Pollable>, deadline: &mut Deadline, timer: Option<Duration>) -> Woke {
    if deadline.blocks_in_place(timer) {
        ready.block();
        return Woke::Ready;
    }
    let deadline = deadline.pollable();
    let timer = timer.map(|d| Rc::new(monotonic_clock::subscribe_duration(nanos(d))));
    let mut list: Vec<&Rc<Pollable>> = vec![ready];
    list.extend(deadline.as_ref());
    list.extend(timer.as_ref());
    let index = wait_any(&list).await;
    match index {
        0 => Woke::Ready,
        1 if deadline.is_some() => Woke::Deadline,
        _ => Woke::Timer,
    }
}

/// Which `request-options` timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Connect,
    FirstByte,
    BetweenBytes,
}

/// Read timeouts the guest enforces itself because the host refused them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct GuestTimeouts {
    pub(crate) first_byte: Option<Duration>,
    pub(crate) between_bytes: Option<Duration>,
}

/// Maps httpx's timeouts onto `request-options` with `set` (true when the host took
/// the value): connect → `connect-timeout`; read → `first-byte-timeout` and
/// `between-bytes-timeout`. A read timeout the host refuses is enforced in the guest
/// instead (returned); a refused connect timeout cannot be (the guest does not see the
/// connect phase) and is reported once per transport with `log::warn!`.
pub(crate) fn apply_timeouts(
    timeout: &Timeout,
    shared: &Shared,
    mut set: impl FnMut(Which, u64) -> bool,
) -> GuestTimeouts {
    let mut guest = GuestTimeouts::default();
    if let Some(connect) = timeout.connect {
        if !set(Which::Connect, nanos(connect))
            && !shared.warned_connect_timeout.swap(true, Ordering::Relaxed)
        {
            log::warn!(
                "httpx: this WASI host refused wasi:http's connect-timeout ({}): connecting \
                 is bounded only by the read and total timeouts (reported once per transport)",
                seconds(Some(connect))
            );
        }
    }
    if let Some(read) = timeout.read {
        if !set(Which::FirstByte, nanos(read)) {
            log::debug!("the host refused first-byte-timeout: the guest enforces it");
            guest.first_byte = Some(read);
        }
        if !set(Which::BetweenBytes, nanos(read)) {
            log::debug!("the host refused between-bytes-timeout: the guest enforces it");
            guest.between_bytes = Some(read);
        }
    }
    guest
}

fn method(method: &http::Method) -> Method {
    match *method {
        http::Method::GET => Method::Get,
        http::Method::HEAD => Method::Head,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::CONNECT => Method::Connect,
        http::Method::OPTIONS => Method::Options,
        http::Method::TRACE => Method::Trace,
        http::Method::PATCH => Method::Patch,
        ref other => Method::Other(other.as_str().to_string()),
    }
}

fn refused(what: &str, value: &str) -> Error {
    Error::local_protocol(format!(
        "The WASI host refused the request's {what} {value:?}"
    ))
}

/// The request headers as `fields`. The host may forbid some (`header-error`): a
/// header the client added by itself is then dropped; one the user set is an error
/// that names it.
fn request_fields(request: &Request) -> Result<Fields> {
    let entries: Vec<(String, Vec<u8>)> = request
        .headers()
        .raw()
        .map(|(name, value)| (name.to_string(), value.to_vec()))
        .collect();
    // One host call when every header is accepted, the usual case.
    if let Ok(fields) = Fields::from_list(&entries) {
        return Ok(fields);
    }
    let fields = Fields::new();
    for (name, value) in &entries {
        match fields.append(name, value) {
            Ok(()) => {}
            Err(HeaderError::Forbidden) if request.is_auto_header(name) => {
                log::debug!("the WASI host forbids the header '{name}': not sent");
            }
            Err(HeaderError::Forbidden) => {
                return Err(Error::local_protocol(format!(
                    "The header '{name}' cannot be sent: the WASI host forbids it \
                     (wasi:http header-error forbidden)"
                )))
            }
            Err(HeaderError::InvalidSyntax) => {
                return Err(Error::local_protocol(format!(
                    "The header '{name}' was refused by the WASI host as invalid \
                     (wasi:http header-error invalid-syntax)"
                )))
            }
            Err(HeaderError::Immutable) => {
                return Err(Error::local_protocol(format!(
                    "The header '{name}' could not be set: the request's fields are \
                     immutable (wasi:http header-error immutable)"
                )))
            }
        }
    }
    Ok(fields)
}

/// Why an upload stopped.
enum Upload {
    /// The request body itself failed (the caller's stream): the request is abandoned.
    Source(Error),
    /// A guest timer (write timeout, total deadline) fired.
    Timeout(Error),
    /// The host stopped taking the body: the response may say why.
    Host(Error),
}

/// Waits until the output stream takes more bytes, or a timer fires.
async fn writable(
    ready: &Rc<Pollable>,
    deadline: &mut Deadline,
    write_timeout: Option<Duration>,
) -> std::result::Result<(), Upload> {
    match wait(ready, deadline, write_timeout).await {
        Woke::Ready => Ok(()),
        Woke::Deadline => Err(Upload::Timeout(deadline.error())),
        Woke::Timer => Err(Upload::Timeout(Error::new(
            ErrorKind::WriteTimeout,
            format!(
                "Timed out writing the request body (write timeout {})",
                seconds(write_timeout)
            ),
        ))),
    }
}

/// Writes `body` to the outgoing body's stream, no more than `check-write` allows at a
/// time, then flushes it. Consumes (and so drops) the stream and its pollable.
async fn write_body(
    stream: OutputStream,
    body: Body,
    deadline: &mut Deadline,
    write_timeout: Option<Duration>,
) -> std::result::Result<(), Upload> {
    let host = |e: StreamError| Upload::Host(errors::from_stream_error(e, Phase::Send));
    let mut chunks = body.into_stream().map_err(Upload::Source)?;
    // A child of the stream: a local, so dropped before the stream (a parameter).
    let mut ready: Option<Rc<Pollable>> = None;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(Upload::Source)?;
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            let budget = stream.check_write().map_err(host)?;
            if budget == 0 {
                let pollable = ready.get_or_insert_with(|| Rc::new(stream.subscribe()));
                writable(pollable, deadline, write_timeout).await?;
                continue;
            }
            let n = rest
                .len()
                .min(usize::try_from(budget).unwrap_or(usize::MAX));
            stream.write(&rest[..n]).map_err(host)?;
            rest = &rest[n..];
        }
    }
    stream.flush().map_err(host)?;
    // `check-write` answers 0 until the flush completes.
    while stream.check_write().map_err(host)? == 0 {
        let pollable = ready.get_or_insert_with(|| Rc::new(stream.subscribe()));
        writable(pollable, deadline, write_timeout).await?;
    }
    drop(ready);
    drop(stream);
    Ok(())
}

/// Sends `request` and waits for the response head. `blocking`: for the blocking
/// transport, whose waits may block the component in place when they race nothing.
pub(crate) async fn send(
    mut request: Request,
    shared: &Shared,
    blocking: bool,
) -> Result<(Head, ResponseBody)> {
    let url = request.url().clone();
    let method_name = request.method().clone();
    exchange(&mut request, &url, shared, blocking)
        .await
        .map_err(|e| e.with_request(&method_name, &url))
}

async fn exchange(
    request: &mut Request,
    url: &Url,
    shared: &Shared,
    blocking: bool,
) -> Result<(Head, ResponseBody)> {
    let scheme = match url.scheme() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => {
            return Err(Error::new(
                ErrorKind::UnsupportedProtocol,
                format!("Request URL has an unsupported protocol '{other}://'"),
            ))
        }
    };
    let authority = url.netloc();
    if authority.is_empty() {
        return Err(Error::invalid_url(format!(
            "Request URL is missing a host: '{}'",
            url.as_str()
        )));
    }
    let outgoing = OutgoingRequest::new(request_fields(request)?);
    let wasi_method = method(request.method());
    outgoing
        .set_method(&wasi_method)
        .map_err(|()| refused("method", request.method().as_str()))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme", url.scheme()))?;
    outgoing
        .set_authority(Some(&authority))
        .map_err(|()| refused("authority", &authority))?;
    let target = url.raw_path();
    outgoing
        .set_path_with_query(Some(&target))
        .map_err(|()| refused("path", &target))?;

    let timeout = *request.timeout();
    let options = RequestOptions::new();
    let guest = apply_timeouts(&timeout, shared, |which, ns| {
        match which {
            Which::Connect => options.set_connect_timeout(Some(ns)),
            Which::FirstByte => options.set_first_byte_timeout(Some(ns)),
            Which::BetweenBytes => options.set_between_bytes_timeout(Some(ns)),
        }
        .is_ok()
    });
    let mut deadline = Deadline::new(request.options().deadline, &timeout, blocking);

    let body = request.take_body();
    let outgoing_body = outgoing
        .body()
        .map_err(|()| Error::local_protocol("The WASI host gave no request body"))?;
    // The stream exists before the request is handed over, so hosts that start sending
    // at once (jco) see that a body follows.
    let body_stream = if body.is_empty() {
        None
    } else {
        Some(
            outgoing_body
                .write()
                .map_err(|()| Error::local_protocol("The WASI host gave no request body stream"))?,
        )
    };
    let future = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| errors::from_code(&code, Phase::Send))?;
    let future_ready = Rc::new(future.subscribe());

    let upload = match body_stream {
        Some(stream) => write_body(stream, body, &mut deadline, timeout.write).await,
        None => Ok(()),
    };
    match upload {
        Ok(()) => OutgoingBody::finish(outgoing_body, None)
            .map_err(|code| errors::from_code(&code, Phase::Send))?,
        Err(Upload::Source(e)) | Err(Upload::Timeout(e)) => {
            // Dropped unfinished: the host abandons the request.
            drop(outgoing_body);
            return Err(e);
        }
        Err(Upload::Host(e)) => {
            drop(outgoing_body);
            // The host stopped taking the body: the connection failed (the response
            // says how) or the server answered early (as httpx, use its answer).
            return match wait_response(&future, &future_ready, &mut deadline, guest).await {
                Ok(response) => finish_head(response, deadline, guest, timeout, url, request),
                Err(cause) if cause.kind() != ErrorKind::TotalTimeout => Err(cause),
                Err(_) => Err(e),
            };
        }
    }
    let response = wait_response(&future, &future_ready, &mut deadline, guest).await?;
    drop(future_ready);
    drop(future);
    finish_head(response, deadline, guest, timeout, url, request)
}

/// Waits for the response head (or the host's error-code for the exchange).
async fn wait_response(
    future: &FutureIncomingResponse,
    ready: &Rc<Pollable>,
    deadline: &mut Deadline,
    guest: GuestTimeouts,
) -> Result<IncomingResponse> {
    loop {
        // Not asked before the first wait: an answer needs a round trip at least.
        match wait(ready, deadline, guest.first_byte).await {
            Woke::Ready => {}
            Woke::Deadline => return Err(deadline.error()),
            Woke::Timer => {
                return Err(Error::new(
                    ErrorKind::ReadTimeout,
                    format!(
                        "Timed out waiting for the response (read timeout {}, enforced by \
                         the guest: the host refused first-byte-timeout)",
                        seconds(guest.first_byte)
                    ),
                ))
            }
        }
        match future.get() {
            Some(Ok(Ok(response))) => return Ok(response),
            Some(Ok(Err(code))) => return Err(errors::from_code(&code, Phase::Send)),
            Some(Err(())) => {
                return Err(Error::local_protocol(
                    "The WASI host's response was taken already",
                ))
            }
            None => {}
        }
    }
}

fn finish_head(
    response: IncomingResponse,
    deadline: Deadline,
    guest: GuestTimeouts,
    timeout: Timeout,
    url: &Url,
    request: &Request,
) -> Result<(Head, ResponseBody)> {
    let status = response.status();
    let entries = {
        // A child of the response: dropped at once.
        let fields = response.headers();
        fields.entries()
    };
    let mut headers = Headers::new();
    for (name, value) in &entries {
        let values = if name.eq_ignore_ascii_case("set-cookie") {
            split_set_cookie(value)
        } else {
            vec![&value[..]]
        };
        for value in values {
            headers.append(name, value).map_err(|e| {
                Error::remote_protocol(format!(
                    "The response header '{name}' is invalid: {}",
                    e.message()
                ))
            })?;
        }
    }
    let incoming = response
        .consume()
        .map_err(|()| Error::remote_protocol("The WASI host gave no response body"))?;
    let stream = incoming
        .stream()
        .map_err(|()| Error::remote_protocol("The WASI host gave no response body stream"))?;
    Ok((
        Head { status, headers },
        ResponseBody {
            ready: None,
            stream: Some(stream),
            body: Some(incoming),
            _response: Some(response),
            deadline,
            between_bytes: guest.between_bytes,
            timeout,
            method: request.method().clone(),
            url: url.clone(),
        },
    ))
}

/// Splits a `Set-Cookie` value that holds several cookies joined with commas, which jco
/// (preview2-shim 0.26) makes of repeated `Set-Cookie` fields. A comma starts a new
/// cookie only when `name=` follows it before any `;`, so the comma of an `Expires`
/// date (`Thu, 01 Jan 1970 ...`) stays; values from other hosts come back whole.
fn split_set_cookie(value: &[u8]) -> Vec<&[u8]> {
    let is_token = |b: &u8| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(b);
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &b) in value.iter().enumerate() {
        if b != b',' || i < start {
            continue;
        }
        let rest = &value[i + 1..];
        let rest = &rest[rest.iter().take_while(|b| **b == b' ').count()..];
        let segment_end = rest
            .iter()
            .position(|b| *b == b';' || *b == b',')
            .unwrap_or(rest.len());
        let segment = &rest[..segment_end];
        let starts_cookie = match segment.iter().position(|b| *b == b'=') {
            Some(eq) => eq > 0 && segment[..eq].iter().all(is_token),
            None => false,
        };
        if starts_cookie {
            parts.push(&value[start..i]);
            start = i + 1 + (value.len() - (i + 1) - rest.len());
        }
    }
    parts.push(&value[start..]);
    parts
}

/// The response body as the host streams it: raw bytes, for the client to decode.
///
/// WASI resources have parents: the stream's pollable belongs to the stream, the
/// stream to the incoming body. They are released children first, and the body is
/// finished with `incoming-body.finish` once its stream is gone.
pub(crate) struct ResponseBody {
    ready: Option<Rc<Pollable>>,
    stream: Option<InputStream>,
    body: Option<IncomingBody>,
    _response: Option<IncomingResponse>,
    deadline: Deadline,
    /// A read timeout the guest enforces (the host refused `between-bytes-timeout`).
    between_bytes: Option<Duration>,
    timeout: Timeout,
    method: http::Method,
    url: Url,
}

impl ResponseBody {
    /// The next chunk, or `None` at the end of the body.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        self.read()
            .await
            .map_err(|e| e.with_request(&self.method, &self.url))
    }

    async fn read(&mut self) -> Result<Option<Bytes>> {
        loop {
            let Some(stream) = &self.stream else {
                return Ok(None);
            };
            let read = if self.deadline.blocks_in_place(self.between_bytes) {
                stream.blocking_read(READ_SIZE)
            } else {
                stream.read(READ_SIZE)
            };
            match read {
                Ok(bytes) if !bytes.is_empty() => return Ok(Some(Bytes::from(bytes))),
                Ok(_) => {}
                Err(StreamError::Closed) => {
                    self.close();
                    return Ok(None);
                }
                Err(e) => {
                    self.close();
                    return Err(errors::from_stream_error(e, Phase::Body));
                }
            }
            let ready = self
                .ready
                .get_or_insert_with(|| Rc::new(stream.subscribe()))
                .clone();
            let woke = wait(&ready, &mut self.deadline, self.between_bytes).await;
            drop(ready);
            match woke {
                Woke::Ready => {}
                Woke::Deadline => {
                    self.close();
                    return Err(self.deadline.error());
                }
                Woke::Timer => {
                    self.close();
                    return Err(Error::new(
                        ErrorKind::ReadTimeout,
                        format!(
                            "Timed out reading the response body (read timeout {}, enforced \
                             by the guest: the host refused between-bytes-timeout)",
                            seconds(self.timeout.read)
                        ),
                    ));
                }
            }
        }
    }

    /// Releases the stream, then finishes the body (trailers are not read).
    fn close(&mut self) {
        self.ready = None;
        self.stream = None;
        if let Some(body) = self.body.take() {
            drop(IncomingBody::finish(body));
        }
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusing(refused: &'static [Which]) -> impl FnMut(Which, u64) -> bool {
        move |which, _| !refused.contains(&which)
    }

    #[test]
    fn read_timeouts_the_host_refuses_are_enforced_in_the_guest() {
        let shared = Shared::default();
        let timeout = Timeout::new(2.0);
        let guest = apply_timeouts(&timeout, &shared, refusing(&[]));
        assert_eq!(guest, GuestTimeouts::default());
        let guest = apply_timeouts(&timeout, &shared, refusing(&[Which::FirstByte]));
        assert_eq!(guest.first_byte, Some(Duration::from_secs(2)));
        assert_eq!(guest.between_bytes, None);
        let guest = apply_timeouts(&timeout, &shared, refusing(&[Which::BetweenBytes]));
        assert_eq!(guest.between_bytes, Some(Duration::from_secs(2)));
    }

    #[test]
    fn a_refused_connect_timeout_is_reported_once() {
        let shared = Shared::default();
        let timeout = Timeout::new(2.0);
        apply_timeouts(&timeout, &shared, refusing(&[Which::Connect]));
        assert!(shared.warned_connect_timeout.load(Ordering::Relaxed));
        let none = apply_timeouts(&Timeout::none(), &Shared::default(), |_, _| {
            panic!("no timeout set, nothing to ask the host")
        });
        assert_eq!(none, GuestTimeouts::default());
    }

    #[test]
    fn timeouts_are_nanoseconds() {
        let mut seen = Vec::new();
        apply_timeouts(
            &Timeout::new(1.5).connect(0.25),
            &Shared::default(),
            |which, ns| {
                seen.push((which, ns));
                true
            },
        );
        assert_eq!(
            seen,
            [
                (Which::Connect, 250_000_000),
                (Which::FirstByte, 1_500_000_000),
                (Which::BetweenBytes, 1_500_000_000)
            ]
        );
    }

    #[test]
    fn joined_set_cookie_values_are_split_back() {
        let one = b"a=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
        assert_eq!(split_set_cookie(one), [&one[..]]);
        assert_eq!(
            split_set_cookie(b"a=1; Path=/,b=2; Path=/, c=3"),
            [&b"a=1; Path=/"[..], b"b=2; Path=/", b"c=3"]
        );
        assert_eq!(
            split_set_cookie(b"a=x,y; Expires=Thu, 01 Jan 1970 00:00:00 GMT,b=2"),
            [&b"a=x,y; Expires=Thu, 01 Jan 1970 00:00:00 GMT"[..], b"b=2"]
        );
    }

    #[test]
    fn methods_map_onto_wasi_methods() {
        assert!(matches!(method(&http::Method::GET), Method::Get));
        assert!(matches!(method(&http::Method::PATCH), Method::Patch));
        let purge = http::Method::from_bytes(b"PURGE").unwrap();
        assert!(matches!(method(&purge), Method::Other(m) if m == "PURGE"));
    }
}
