//! The browser transport on the global `fetch` (feature `fetch`, wasm32-unknown-unknown):
//! [`FetchTransport`], the default transport of [`AsyncClient`](crate::AsyncClient)
//! there. It works wherever a global `fetch` exists: a page, a dedicated worker, and
//! Node 18 or later.
//!
//! The host does much of what the client does elsewhere, so [`Capabilities`] say so and
//! the client adapts: fetch follows redirects, keeps cookies and decodes bodies itself,
//! and refuses some request headers. The sections below say what that means for each
//! of httpx's features.
//!
//! # Redirects
//!
//! With `follow_redirects(true)` the request goes out with `redirect: "follow"`: the host
//! follows up to 20 redirects and the client sees only the final response, whose
//! [`Response::url`] is the URL the chain ended at (the request the client sent stays in
//! [`Response::request`]) and whose [`FetchDetails::redirected`] says whether there were
//! redirects. The history cannot be seen: [`Response::history`] is empty. With
//! `follow_redirects(false)` the request goes out with `redirect: "manual"`, and the
//! redirect policy is never silently ignored (urllib3's CVE-2025-50182):
//!
//! | host | `follow_redirects(true)` | `follow_redirects(false)` |
//! |---|---|---|
//! | page | followed by the browser (at most 20); the final response, `url()` = final URL, `redirected` true, no history | an opaque redirect: status 0, [`is_opaque_redirect`](Response::is_opaque_redirect) and [`is_redirect`](Response::is_redirect) true, no headers, no `Location`, empty body, no `next_request` |
//! | dedicated worker | as in a page | as in a page |
//! | Node ≥ 18 | followed by Node's fetch (at most 20), as in a page | the real 3xx with its headers and `Location`; the client sets [`next_request`](Response::next_request) as on other hosts |
//!
//! A `max_redirects` below 20 with `follow_redirects(true)` cannot be enforced (the host
//! neither counts for us nor lets us stop it early), so such a request fails at once
//! with a `LocalProtocolError` that says so. Above 20, the host's limit wins: the 21st
//! redirect fails the request (`TooManyRedirects` in Node, which names the cause;
//! `ConnectError` in browsers, which do not).
//!
//! # Timeouts
//!
//! fetch has one control, `AbortSignal`; the transport builds httpx's timeouts on it:
//!
//! | setting | covers | error |
//! |---|---|---|
//! | [`Timeout::connect`](crate::Timeout::connect) | from the call to fetch until the response headers (fetch does not report when the connection is made, so it bounds the whole wait for the response to start) | `ConnectTimeout` |
//! | [`Timeout::read`](crate::Timeout::read) | the same wait for the headers, and then each wait for the next chunk of the body | `ReadTimeout` |
//! | [`Timeout::total`](crate::Timeout::total) | the whole exchange, redirects and auth steps included, until the body is read | `TotalTimeout` |
//! | `write`, `pool` | not applicable: fetch reports neither upload progress nor connections | — |
//!
//! While waiting for the headers the smaller of `connect` and `read` applies and names
//! the error (a tie is a `ConnectTimeout`): set `connect` to the longest you accept for
//! the response to start. Each timer aborts the fetch, so the host stops the request
//! too. Dropping the response future or the body stream also aborts it.
//!
//! # Errors
//!
//! A rejected fetch is a `ConnectError` with the host's message (in Node with its cause,
//! such as `connect ECONNREFUSED 127.0.0.1:1`). Browsers give the same opaque
//! `TypeError: Failed to fetch` for a refused connection, a DNS failure, a CORS refusal
//! and a request blocked by the page's policies: the console names the cause, the
//! program cannot. An abort by one of the timers is that timer's kind; a failure while
//! reading the body is a `ReadError`.
//!
//! # Headers
//!
//! Request headers the host forbids ([`FORBIDDEN_HEADERS`]: `Host`, `Cookie`,
//! `Accept-Encoding`, `Content-Length`, `Connection`, the `Proxy-*` and `Sec-*`
//! families, ...) are dropped from the client's own defaults; one the user sets is a
//! `LocalProtocolError` naming it. The client's default `User-Agent` is not sent either
//! (Chrome drops it silently, and elsewhere it would trigger a CORS preflight on every
//! cross-origin request); a `User-Agent` the user sets is passed on, and the host may
//! ignore it. Methods fetch refuses (`CONNECT`, `TRACE`, `TRACK`) and a body on `GET` or
//! `HEAD` are `LocalProtocolError`s too.
//!
//! Response headers are what the host exposes: cross-origin, only the CORS-safelisted
//! ones unless the server lists others in `Access-Control-Expose-Headers` (Digest auth
//! needs `WWW-Authenticate` there, `links()` needs `Link`). The body arrives decoded, so
//! `Content-Encoding` is removed and the client never decodes twice; so is
//! `Content-Length` when there was an encoding (it counted the encoded bytes; read
//! [`Response::num_bytes_downloaded`] for the decoded size). Without one it stays, for
//! progress bars. Cross-origin, a server that compresses without exposing
//! `Content-Encoding` leaves the compressed length there, as it does for any fetch.
//! fetch does not expose the HTTP version: responses say HTTP/1.1. The reason phrase is fetch's
//! `statusText` when not empty (it is empty over HTTP/2), else the standard one.
//!
//! # Cookies and credentials
//!
//! The host keeps cookies: `Set-Cookie` is never visible in a browser, and the client's
//! own jar is not used (`manages_cookies`). Whether the browser sends and stores
//! cookies is fetch's `credentials` option: set it with
//! [`AsyncClientBuilder::credentials`](crate::AsyncClientBuilder::credentials) or per
//! request with [`RequestBuilder::credentials`](crate::RequestBuilder::credentials)
//! ([`Credentials`]); unset, the browser's default applies
//! (same-origin). Node's fetch keeps no cookies at all and ignores `credentials`, and its
//! responses do show `Set-Cookie`; the transport applies the browser's rules there too
//! (jar unused, `Cookie` refused), so code behaves the same on both.
//!
//! # Bodies
//!
//! Bytes, text, JSON, forms and multipart bodies are sent as bytes. A streaming body
//! goes out as a `ReadableStream` with `duplex: "half"` where the host takes one (a
//! feature test, done once) and the request can use it: Node streams over HTTP/1.1;
//! Chromium streams only over HTTP/2, which browsers speak over `https:` only, so in a
//! browser a stream to an `http:` URL is buffered first, and one to an `https:` server
//! that answers in HTTP/1.1 fails (buffer with
//! [`FetchTransport::streaming_uploads`]`(false)`). Elsewhere the body is buffered. The
//! response body streams chunk by chunk from the host's `ReadableStream`, so
//! `aiter_bytes()` does not wait for the whole body.
//!
//! # Not applicable
//!
//! Proxies (a client with a proxy fails to build), TLS settings, HTTP versions and the
//! connection pool belong to the host.

mod abort;
mod body;
mod js;

use std::borrow::Cow;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, RequestCredentials, RequestInit, RequestRedirect, ResponseType};

use self::abort::Guard;
use super::{AsyncTransport, Capabilities};
use crate::config::Credentials;
use crate::error::{Error, Result};
use crate::request::{Method, Request};
use crate::response::Response;
use crate::rt::BoxFuture;
use crate::url::Url;

/// How many redirects fetch follows before it fails the request (the Fetch standard's
/// limit, which browsers and Node share).
pub const HOST_MAX_REDIRECTS: usize = 20;

/// The request headers fetch refuses to send (lowercase; a trailing `*` is a prefix):
/// the Fetch standard's forbidden request-header names, MDN's list. The `X-HTTP-Method`
/// family, forbidden only with the methods fetch refuses, is checked per request.
pub const FORBIDDEN_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "permissions-policy",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "proxy-*",
    "sec-*",
];

/// The transport on the host's global `fetch`; see the [module docs](self) for what
/// each httpx feature becomes there.
///
/// ```no_run
/// # async fn demo() -> httpx::Result<()> {
/// // The default transport of AsyncClient in the browser: no need to name it.
/// let client = httpx::AsyncClient::builder()
///     .transport(httpx::FetchTransport::new())
///     .follow_redirects(true)
///     .credentials(httpx::Credentials::Include)
///     .build()?;
/// let response = client.get("https://api.example.org/items").send().await?;
/// println!("{} from {}", response.status(), response.url().unwrap());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct FetchTransport {
    streaming_uploads: bool,
}

impl FetchTransport {
    /// A transport with the defaults: streaming request bodies are streamed where the
    /// host can.
    pub fn new() -> FetchTransport {
        FetchTransport {
            streaming_uploads: true,
        }
    }

    /// Whether streaming request bodies are streamed where the host supports it (the
    /// default), or always buffered first (for servers that speak only HTTP/1.1 over
    /// `https:`, where Chromium refuses a streaming body).
    pub fn streaming_uploads(mut self, enabled: bool) -> FetchTransport {
        self.streaming_uploads = enabled;
        self
    }
}

impl Default for FetchTransport {
    fn default() -> FetchTransport {
        FetchTransport::new()
    }
}

impl AsyncTransport for FetchTransport {
    fn handle_async_request(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        let streaming_uploads = self.streaming_uploads;
        let capabilities = self.capabilities();
        Box::pin(async move {
            let method = request.method().clone();
            let url = request.url().clone();
            let mut request = request;
            // The clients did this already; a request handed to the transport directly
            // gets the same treatment (its automatic Host and Content-Length dropped).
            capabilities
                .prepare_request(&mut request)
                .map_err(|e| e.with_request(&method, &url))?;
            send(request, streaming_uploads)
                .await
                .map_err(|e| e.with_request(&method, &url))
        })
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            follows_redirects: true,
            manages_cookies: true,
            decodes_content: true,
            streaming_upload: self.streaming_uploads && host().request_streams,
            forbidden_headers: FORBIDDEN_HEADERS,
        }
    }
}

/// What fetch says about a response beyond its status and headers; in every fetch
/// response's [`extensions`](Response::extensions).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchDetails {
    /// Whether the host followed redirects to get this response (its final URL is
    /// [`Response::url`]).
    pub redirected: bool,
    /// fetch's response type: `"basic"` (same-origin, and always in Node), `"cors"`
    /// (cross-origin), `"opaqueredirect"` (a redirect not followed, in browsers).
    pub response_type: &'static str,
}

/// What the host supports, found out once per thread.
#[derive(Clone, Copy)]
pub(crate) struct Host {
    /// Node (or a host that says it is Node): fetch streams request bodies over
    /// HTTP/1.1 there.
    pub(crate) node: bool,
    /// fetch takes a `ReadableStream` request body (with `duplex: "half"`).
    pub(crate) request_streams: bool,
}

pub(crate) fn host() -> Host {
    thread_local! {
        static HOST: Host = Host {
            node: is_node(),
            request_streams: supports_request_streams(),
        };
    }
    HOST.with(|host| *host)
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_node() -> bool {
    let process = get(&js_sys::global(), "process");
    process.is_object() && get(&get(&process, "versions"), "node").is_string()
}

/// The feature test for streaming request bodies: a host without them turns the
/// stream into the text `[object ReadableStream]`, with a text Content-Type.
fn supports_request_streams() -> bool {
    let Ok(stream) = ReadableStream::new() else {
        return false;
    };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&stream);
    if Reflect::set(&init, &"duplex".into(), &"half".into()).is_err() {
        return false;
    }
    match web_sys::Request::new_with_str_and_init("http://localhost/", &init) {
        Ok(request) => !request.headers().has("content-type").unwrap_or(true),
        Err(_) => false,
    }
}

/// Header bytes as a JavaScript ByteString: one character per byte.
fn byte_string(value: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(text) if text.is_ascii() => Cow::Borrowed(text),
        _ => Cow::Owned(value.iter().map(|&b| char::from(b)).collect()),
    }
}

/// A JavaScript ByteString back to its bytes.
fn byte_string_bytes(value: &str) -> Cow<'_, [u8]> {
    if value.is_ascii() {
        return Cow::Borrowed(value.as_bytes());
    }
    match value.chars().map(|c| u8::try_from(c).ok()).collect() {
        Some(bytes) => Cow::Owned(bytes),
        None => Cow::Borrowed(value.as_bytes()),
    }
}

fn refuse(message: String) -> Error {
    Error::local_protocol(message)
}

/// What fetch would refuse or silently change, refused before any I/O.
fn check(request: &Request) -> Result<()> {
    let options = request.options();
    if options.follow_redirects && options.max_redirects < HOST_MAX_REDIRECTS {
        return Err(refuse(format!(
            "max_redirects={} cannot be enforced by fetch, which follows up to {HOST_MAX_REDIRECTS} \
             redirects by itself without reporting them: use max_redirects({HOST_MAX_REDIRECTS}) \
             or more, or follow_redirects(false) to get each redirect back",
            options.max_redirects
        )));
    }
    let refused = |method: &str| {
        ["CONNECT", "TRACE", "TRACK"]
            .iter()
            .any(|m| method.trim().eq_ignore_ascii_case(m))
    };
    if refused(request.method().as_str()) {
        return Err(refuse(format!(
            "fetch cannot send a {} request",
            request.method()
        )));
    }
    for name in [
        "x-http-method",
        "x-http-method-override",
        "x-method-override",
    ] {
        for value in request.headers().get_all_bytes(name) {
            if String::from_utf8_lossy(value).split(',').any(refused) {
                return Err(refuse(format!(
                    "The header '{name}' cannot be sent by this transport: fetch forbids it \
                     with the CONNECT, TRACE and TRACK methods"
                )));
            }
        }
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) && !request.body().is_empty() {
        return Err(refuse(format!(
            "fetch cannot send a body with a {} request",
            request.method()
        )));
    }
    Ok(())
}

async fn send(mut request: Request, streaming_uploads: bool) -> Result<Response> {
    check(&request)?;
    let options = request.options().clone();
    let mut guard = Guard::new(&options)?;

    let init = RequestInit::new();
    init.set_method(request.method().as_str());
    let headers = web_sys::Headers::new().map_err(|e| js_refusal("headers", &e))?;
    for (name, value) in request.headers().raw() {
        // The client's default User-Agent: see the module docs.
        if name.eq_ignore_ascii_case("user-agent") && request.is_auto_header(name) {
            continue;
        }
        headers
            .append(name, &byte_string(value))
            .map_err(|e| js_refusal(name, &e))?;
    }
    init.set_headers(&headers);
    init.set_redirect(if options.follow_redirects {
        RequestRedirect::Follow
    } else {
        RequestRedirect::Manual
    });
    if let Some(credentials) = options.credentials {
        init.set_credentials(match credentials {
            Credentials::Omit => RequestCredentials::Omit,
            Credentials::SameOrigin => RequestCredentials::SameOrigin,
            Credentials::Include => RequestCredentials::Include,
        });
    }
    init.set_signal(Some(&guard.signal()));

    let mut streamed_upload = false;
    let mut body = request.take_body();
    if body.is_stream() {
        let host = host();
        let can_stream = streaming_uploads
            && host.request_streams
            && (host.node || request.url().scheme() == "https");
        if can_stream {
            let (stream, keep_alive) =
                body::upload_stream(body.into_stream()?, guard.upload_error.clone())?;
            init.set_body(&stream);
            // Not in web-sys's stable API: set as a plain property.
            let _ = Reflect::set(&init, &"duplex".into(), &"half".into());
            guard.keep_alive = Some(keep_alive);
            streamed_upload = true;
            body = crate::request::Body::empty();
        } else {
            body.read_async().await?;
        }
    }
    if let Some(bytes) = body.as_bytes().filter(|b| !b.is_empty()) {
        init.set_body(&Uint8Array::from(bytes));
    }

    // fetch refuses a URL with credentials; the client has turned them into auth.
    let url = request.url();
    let url = if url.username().is_empty() && url.password().is_none() {
        Cow::Borrowed(url.as_str())
    } else {
        Cow::Owned(url.without_userinfo().as_str().to_owned())
    };
    guard.start();
    let promise = js::global_fetch(&url, &init).map_err(|e| guard.fetch_error(&e, false))?;
    let response = match JsFuture::from(promise).await {
        Ok(response) => response.unchecked_into::<web_sys::Response>(),
        Err(e) => return Err(guard.fetch_error(&e, streamed_upload)),
    };
    guard.headers_received();
    into_response(response, guard)
}

fn js_refusal(name: &str, error: &JsValue) -> Error {
    refuse(format!(
        "fetch refused the request's {name}: {}",
        abort::describe(error)
    ))
}

fn response_type(kind: ResponseType) -> &'static str {
    match kind {
        ResponseType::Basic => "basic",
        ResponseType::Cors => "cors",
        ResponseType::Error => "error",
        ResponseType::Opaque => "opaque",
        ResponseType::Opaqueredirect => "opaqueredirect",
        _ => "default",
    }
}

fn into_response(response: web_sys::Response, mut guard: Guard) -> Result<Response> {
    let kind = response.type_();
    let details = FetchDetails {
        redirected: response.redirected(),
        response_type: response_type(kind),
    };
    if kind == ResponseType::Opaqueredirect {
        guard.finish();
        let mut opaque = Response::builder(0u16).extension(details).build()?;
        opaque.set_opaque_redirect(true);
        return Ok(opaque);
    }
    let mut builder = Response::builder(response.status());
    // Decoded by the host already: see the module docs. Content-Length counts the
    // encoded body, so it goes too when there was an encoding.
    let encoded = response
        .headers()
        .get("content-encoding")
        .ok()
        .flatten()
        .is_some_and(|coding| !coding.trim().eq_ignore_ascii_case("identity"));
    for entry in response.headers().entries() {
        let Ok(entry) = entry else { continue };
        let name = get(&entry, "0").as_string().unwrap_or_default();
        if name.eq_ignore_ascii_case("content-encoding")
            || (encoded && name.eq_ignore_ascii_case("content-length"))
        {
            continue;
        }
        let value = get(&entry, "1").as_string().unwrap_or_default();
        builder = builder.header(&name, byte_string_bytes(&value));
    }
    let status_text = response.status_text();
    if !status_text.is_empty() {
        builder = builder.reason_phrase(&status_text);
    }
    let redirected = details.redirected;
    builder = builder.extension(details);
    builder = match response.body() {
        Some(stream) => builder.raw_async_stream(body::BodyStream::new(stream, guard)),
        None => {
            guard.finish();
            builder
        }
    };
    let mut out = builder.build()?;
    if redirected {
        if let Ok(url) = Url::parse(&response.url()) {
            out.set_final_url(url);
        }
    }
    Ok(out)
}
