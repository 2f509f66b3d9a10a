//! A `wasi:http/proxy` component: for each incoming request it calls an upstream through
//! httpx's client (following redirects, answering Basic or Digest challenges, decoding
//! gzip, deflate, br and zstd) and streams the decoded answer back.
//!
//! ```sh
//! cargo build --example wasi_proxy --target wasm32-wasip2
//! wasmtime serve -S cli --addr 127.0.0.1:8770 --env HTTPX_UPSTREAM=http://127.0.0.1:8765 \
//!     target/wasm32-wasip2/debug/examples/wasi_proxy.wasm
//! curl -i http://127.0.0.1:8770/redirect/2
//! curl -i -H 'x-upstream-auth: digest user:pass' http://127.0.0.1:8770/digest-auth/auth/user/pass
//! ```
//!
//! `GET /PATH` on the component is `GET {HTTPX_UPSTREAM}/PATH` upstream (the method,
//! query, headers and body are forwarded; hop-by-hop headers are not). Request headers
//! for the component itself:
//!
//! - `x-upstream-auth: basic USER:PASS` or `digest USER:PASS`: the client authenticates
//!   upstream (Digest answers the server's challenge);
//! - `x-client: async`: use `AsyncClient` on the WASI executor instead of the blocking
//!   `Client`.
//!
//! The answer carries the upstream's status and headers (less `Content-Encoding` and
//! `Content-Length`: the body comes decoded), `x-upstream-url` (the final URL),
//! `x-upstream-history` (how many redirects and auth steps led there) and `x-client`.
//! An upstream that cannot be reached is a 502 whose body names the error kind.
//!
//! `HTTPX_UPSTREAM` comes from the environment (`wasmtime serve --env`), else from
//! `HTTPX_TEST_SERVER` when the component was built.
#![cfg(all(target_os = "wasi", feature = "wasi"))]

use futures_util::StreamExt;
use httpx::auth::{BasicAuth, DigestAuth};
use httpx::{AsyncClient, Client, Headers, Response};
use wasi::exports::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::streams::{OutputStream, StreamError};

struct Proxy;

wasi::http::proxy::export!(Proxy);

/// Request headers that belong to one connection, or to this component.
const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
    "content-length",
    // The client asks for the codings it can decode.
    "accept-encoding",
    "x-upstream-auth",
    "x-client",
];

/// Response headers that no longer describe the decoded, re-framed body.
const NOT_RETURNED: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-encoding",
    "content-length",
    "trailer",
    "upgrade",
];

impl Guest for Proxy {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let incoming = match read_request(request) {
            Ok(incoming) => incoming,
            Err(message) => return respond_error(out, 400, &message),
        };
        if incoming.use_async {
            match httpx::transport::wasi::block_on(forward_async(incoming, out)) {
                Ok(Ok(())) => {}
                // The response head was sent already: only the log can say more.
                Ok(Err(e)) | Err(e) => eprintln!("wasi_proxy: {e}"),
            }
        } else {
            forward(incoming, out);
        }
    }
}

/// The incoming request, read.
struct Incoming {
    method: String,
    path: String,
    headers: Headers,
    body: Vec<u8>,
    auth: Option<(String, String, String)>,
    use_async: bool,
}

fn read_request(request: IncomingRequest) -> Result<Incoming, String> {
    let method = match request.method() {
        Method::Get => "GET".to_string(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other,
    };
    let path = request.path_with_query().unwrap_or_else(|| "/".into());
    let mut headers = Headers::new();
    let mut auth = None;
    let mut use_async = false;
    let entries = request.headers().entries();
    for (name, value) in entries {
        let lower = name.to_ascii_lowercase();
        if lower == "x-upstream-auth" {
            let value = String::from_utf8_lossy(&value).into_owned();
            let (scheme, credentials) = value
                .split_once(' ')
                .ok_or("x-upstream-auth: expected 'basic USER:PASS' or 'digest USER:PASS'")?;
            let (user, pass) = credentials
                .split_once(':')
                .ok_or("x-upstream-auth: expected USER:PASS")?;
            auth = Some((scheme.to_ascii_lowercase(), user.into(), pass.into()));
        } else if lower == "x-client" {
            use_async = value.eq_ignore_ascii_case(b"async");
        }
        if NOT_FORWARDED.contains(&lower.as_str()) {
            continue;
        }
        headers
            .append(&name, &value)
            .map_err(|e| format!("invalid header {name}: {e}"))?;
    }
    let body = read_body(&request)?;
    Ok(Incoming {
        method,
        path,
        headers,
        body,
        auth,
        use_async,
    })
}

fn read_body(request: &IncomingRequest) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let body = request.consume().map_err(|()| "no request body")?;
    let mut bytes = Vec::new();
    {
        let mut stream = body.stream().map_err(|()| "no request body stream")?;
        stream
            .read_to_end(&mut bytes)
            .map_err(|e| format!("reading the request body failed: {e}"))?;
        // The stream is a child of the body: dropped before the body is finished.
    }
    drop(IncomingBody::finish(body));
    Ok(bytes)
}

fn upstream(path: &str) -> Result<String, String> {
    let base = std::env::var("HTTPX_UPSTREAM")
        .ok()
        .or_else(|| option_env!("HTTPX_TEST_SERVER").map(String::from))
        .ok_or("no upstream: set HTTPX_UPSTREAM (wasmtime serve --env HTTPX_UPSTREAM=URL)")?;
    Ok(format!("{}{path}", base.trim_end_matches('/')))
}

/// Forwards with the blocking `Client`.
fn forward(incoming: Incoming, out: ResponseOutparam) {
    let url = match upstream(&incoming.path) {
        Ok(url) => url,
        Err(message) => return respond_error(out, 500, &message),
    };
    let mut builder = Client::builder().follow_redirects(true);
    builder = match &incoming.auth {
        Some((scheme, user, pass)) if scheme == "digest" => {
            builder.auth(DigestAuth::new(user, pass))
        }
        Some((_, user, pass)) => builder.auth(BasicAuth::new(user, pass)),
        None => builder,
    };
    let result = builder.build().and_then(|client| {
        client
            .stream(incoming.method.as_str(), url)
            .headers(&incoming.headers)
            .content(incoming.body)
            .send()
    });
    let mut response = match result {
        Ok(response) => response,
        Err(e) => return respond_error(out, 502, &format!("{}: {e}", e.kind())),
    };
    let Some((body, mut stream)) = start_response(&response, out, "sync") else {
        return;
    };
    for chunk in response.iter_bytes() {
        match chunk {
            Ok(chunk) => {
                if let Err(e) = write_all(&stream, &chunk) {
                    eprintln!("wasi_proxy: the caller went away: {e:?}");
                    return;
                }
            }
            // The head is out: dropping the body unfinished tells the host it is cut.
            Err(e) => {
                eprintln!("wasi_proxy: the upstream body failed: {e}");
                return;
            }
        }
    }
    finish(body, &mut stream);
}

/// Forwards with `AsyncClient` on the WASI executor.
async fn forward_async(incoming: Incoming, out: ResponseOutparam) -> httpx::Result<()> {
    let url = match upstream(&incoming.path) {
        Ok(url) => url,
        Err(message) => {
            respond_error(out, 500, &message);
            return Ok(());
        }
    };
    let mut builder = AsyncClient::builder().follow_redirects(true);
    builder = match &incoming.auth {
        Some((scheme, user, pass)) if scheme == "digest" => {
            builder.auth(DigestAuth::new(user, pass))
        }
        Some((_, user, pass)) => builder.auth(BasicAuth::new(user, pass)),
        None => builder,
    };
    let client = builder.build()?;
    let result = client
        .stream(incoming.method.as_str(), url)
        .headers(&incoming.headers)
        .content(incoming.body)
        .send()
        .await;
    let mut response = match result {
        Ok(response) => response,
        Err(e) => {
            respond_error(out, 502, &format!("{}: {e}", e.kind()));
            return Ok(());
        }
    };
    let Some((body, mut stream)) = start_response(&response, out, "async") else {
        return Ok(());
    };
    let mut chunks = response.aiter_bytes();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        if let Err(e) = write_all(&stream, &chunk) {
            eprintln!("wasi_proxy: the caller went away: {e:?}");
            return Ok(());
        }
    }
    drop(chunks);
    finish(body, &mut stream);
    Ok(())
}

/// Sends the response head: the upstream's status and headers, with what describes
/// how the answer was obtained.
fn start_response(
    response: &Response,
    out: ResponseOutparam,
    client: &str,
) -> Option<(OutgoingBody, Option<OutputStream>)> {
    let mut entries: Vec<(String, Vec<u8>)> = response
        .headers()
        .raw()
        .filter(|(name, _)| !NOT_RETURNED.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(name, value)| (name.to_string(), value.to_vec()))
        .collect();
    let final_url = response
        .url()
        .map(|u| u.as_str().to_string())
        .unwrap_or_default();
    entries.push(("x-upstream-url".into(), final_url.into_bytes()));
    entries.push((
        "x-upstream-history".into(),
        response.history().len().to_string().into_bytes(),
    ));
    entries.push(("x-client".into(), client.as_bytes().to_vec()));
    let fields = match Fields::from_list(&entries) {
        Ok(fields) => fields,
        Err(e) => {
            respond_error(
                out,
                502,
                &format!("the host refused a response header: {e:?}"),
            );
            return None;
        }
    };
    let outgoing = OutgoingResponse::new(fields);
    if outgoing.set_status_code(response.status_code()).is_err() {
        return None;
    }
    let body = outgoing.body().ok()?;
    ResponseOutparam::set(out, Ok(outgoing));
    let stream = body.write().ok()?;
    Some((body, Some(stream)))
}

/// Writes `bytes`, never more at once than `check-write` allows.
fn write_all(stream: &Option<OutputStream>, mut bytes: &[u8]) -> Result<(), StreamError> {
    let Some(stream) = stream else {
        return Ok(());
    };
    while !bytes.is_empty() {
        let budget = stream.check_write()?;
        if budget == 0 {
            stream.subscribe().block();
            continue;
        }
        let n = bytes
            .len()
            .min(usize::try_from(budget).unwrap_or(usize::MAX));
        stream.write(&bytes[..n])?;
        bytes = &bytes[n..];
    }
    Ok(())
}

/// Flushes and drops the stream, then finishes the body.
fn finish(body: OutgoingBody, stream: &mut Option<OutputStream>) {
    if let Some(s) = stream.take() {
        if s.flush().is_ok() {
            while matches!(s.check_write(), Ok(0)) {
                s.subscribe().block();
            }
        }
    }
    if let Err(e) = OutgoingBody::finish(body, None) {
        eprintln!("wasi_proxy: finishing the response failed: {e:?}");
    }
}

/// A plain-text error answer.
fn respond_error(out: ResponseOutparam, status: u16, message: &str) {
    let fields = Fields::from_list(&[(
        "content-type".to_string(),
        b"text/plain; charset=utf-8".to_vec(),
    )])
    .unwrap_or_else(|_| Fields::new());
    let outgoing = OutgoingResponse::new(fields);
    let _ = outgoing.set_status_code(status);
    let Ok(body) = outgoing.body() else {
        return;
    };
    ResponseOutparam::set(out, Ok(outgoing));
    let mut stream = body.write().ok();
    let _ = write_all(&stream, format!("{message}\n").as_bytes());
    finish(body, &mut stream);
}
