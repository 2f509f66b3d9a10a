//! Per-request plumbing: CORS, preflights, body collection, logging, panics.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request, Response, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::json;

use crate::conn::ConnCtx;
use crate::digest;
use crate::encode::Bombs;
use crate::fault::Fault;
use crate::req::Req;
use crate::routes;
use crate::util::{self, error, json, no_body, Body, Query, Resp};

/// Bodies larger than this are refused with 413 (except on /upload, which only counts).
const MAX_BODY: usize = 256 << 20;

/// Server-wide state.
pub(crate) struct State {
    pub static_dir: Option<PathBuf>,
    pub verbose: bool,
    pub digest: digest::Store,
    pub bombs: Bombs,
}

impl State {
    pub(crate) fn new(static_dir: Option<PathBuf>, verbose: bool) -> State {
        State {
            static_dir,
            verbose,
            digest: digest::Store::default(),
            bombs: Bombs::default(),
        }
    }
}

/// Header names every response exposes to scripts, besides its own header names.
const ALWAYS_EXPOSED: &[&str] = &[
    "www-authenticate",
    "link",
    "location",
    "content-encoding",
    "content-length",
    "x-request-id",
    "date",
];

/// The hyper service: every request goes through here.
pub(crate) async fn dispatch(
    req: Request<Incoming>,
    ctx: Arc<ConnCtx>,
    state: Arc<State>,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let origin = req.headers().get("origin").cloned();
    let request_id = req.headers().get("x-request-id").cloned();
    let http2 = req.version() == Version::HTTP_2;
    if http2 {
        ctx.disable_capture();
    }
    let mut resp = if method == Method::OPTIONS
        && req.headers().contains_key("access-control-request-method")
    {
        ctx.take_head(&method, &uri);
        let (parts, body) = req.into_parts();
        let _ = body.collect().await;
        ctx.rearm();
        preflight(&parts.headers)
    } else {
        match AssertUnwindSafe(route(req, &ctx, &state))
            .catch_unwind()
            .await
        {
            Ok(resp) => resp,
            Err(_) => error(500, "the handler panicked"),
        }
    };
    if let Some(id) = request_id {
        resp.headers_mut().insert("x-request-id", id);
    }
    if http2 && method == Method::HEAD {
        resp = without_body(resp);
    }
    add_cors(&mut resp, origin);
    if state.verbose {
        eprintln!(
            "{} {} {} -> {} ({} ms)",
            ctx.peer,
            method,
            uri,
            resp.status().as_u16(),
            started.elapsed().as_millis()
        );
    }
    Ok(resp)
}

async fn route(req: Request<Incoming>, ctx: &ConnCtx, state: &Arc<State>) -> Resp {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();

    // Faults: hand the socket to the connection task and never answer here.
    if let Some(name) = path.strip_prefix("/fault/") {
        return match Fault::parse(name) {
            Some(_) if parts.version == Version::HTTP_2 => error(
                501,
                "faults write HTTP/1.1 on the raw socket: use HTTP/1.1 for them",
            ),
            Some(fault) => {
                if state.verbose {
                    eprintln!("{} {} {} -> fault", ctx.peer, parts.method, parts.uri);
                }
                ctx.hijack(fault).await;
                std::future::pending::<Resp>().await
            }
            None => error(404, format!("unknown fault {name:?}")),
        };
    }

    let raw_headers = ctx.take_head(&parts.method, &parts.uri);
    let chunked = parts.headers.get_all("transfer-encoding").iter().any(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .to_ascii_lowercase()
            .contains("chunked")
    });

    if path == "/upload" {
        let mut body = body;
        let mut total: u64 = 0;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => total += f.data_ref().map_or(0, |d| d.len() as u64),
                Err(e) => return error(400, format!("error reading the body: {e}")),
            }
        }
        ctx.rearm();
        return json(
            200,
            &json!({"method": parts.method.as_str(), "body_length": total, "chunked": chunked}),
        );
    }

    let body = match collect(body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    ctx.rearm();
    let req = Req {
        query: Query::parse(parts.uri.query()),
        method: parts.method,
        uri: parts.uri,
        version: parts.version,
        headers: parts.headers,
        raw_headers,
        body,
        chunked,
        peer: ctx.peer,
        local: ctx.local,
        tls: ctx.tls,
        state: state.clone(),
    };
    routes::handle(req).await
}

/// The answer to HEAD over HTTP/2, where hyper sends whatever body it is given (HTTP/1
/// drops it): the headers, with the length the body would have had.
fn without_body(resp: Resp) -> Resp {
    let (mut parts, body) = resp.into_parts();
    if !parts.headers.contains_key(http::header::CONTENT_LENGTH) {
        if let Some(n) = http_body::Body::size_hint(&body).exact() {
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
        }
    }
    Response::from_parts(parts, util::empty())
}

/// Reads a whole request body, up to `MAX_BODY`.
async fn collect(mut body: Incoming) -> Result<Bytes, Resp> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Some(data) = f.data_ref() {
                    if buf.len() + data.len() > MAX_BODY {
                        let mut resp = error(413, "request body too large");
                        resp.headers_mut()
                            .insert("connection", HeaderValue::from_static("close"));
                        return Err(resp);
                    }
                    buf.extend_from_slice(data);
                }
            }
            Err(e) => return Err(error(400, format!("error reading the body: {e}"))),
        }
    }
    Ok(Bytes::from(buf))
}

/// The answer to a CORS preflight.
fn preflight(headers: &http::HeaderMap) -> Resp {
    let mut resp = no_body(204);
    let mut methods: Vec<String> = Vec::new();
    if let Some(m) = headers
        .get("access-control-request-method")
        .and_then(|v| v.to_str().ok())
    {
        methods.push(m.trim().to_string());
    }
    for m in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        if !methods.iter().any(|x| x == m) {
            methods.push(m.to_string());
        }
    }
    util::append_header(
        &mut resp,
        "access-control-allow-methods",
        &methods.join(", "),
    );
    let h = resp.headers_mut();
    if let Some(requested) = headers.get("access-control-request-headers") {
        h.insert("access-control-allow-headers", requested.clone());
    }
    if headers.contains_key("access-control-request-private-network") {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    resp
}

/// Adds the CORS headers every response carries.
fn add_cors(resp: &mut Resp, origin: Option<HeaderValue>) {
    let h = resp.headers_mut();
    h.append(http::header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    let mut names: Vec<String> = Vec::new();
    for name in h.keys() {
        let n = name.as_str();
        if !n.starts_with("access-control-") && !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    }
    for n in ALWAYS_EXPOSED {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    }
    h.insert(
        "access-control-allow-origin",
        origin.unwrap_or_else(|| HeaderValue::from_static("*")),
    );
    h.insert(
        "access-control-allow-credentials",
        HeaderValue::from_static("true"),
    );
    if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
        h.insert("access-control-expose-headers", v);
    }
}

/// One request answered without a socket (see [`crate::InProcess`]): the same routes,
/// CORS included; faults, which need a socket, are refused.
pub(crate) async fn respond_in_process(
    parts: http::request::Parts,
    body: Bytes,
    state: Arc<State>,
) -> Resp {
    let origin = parts.headers.get("origin").cloned();
    let mut resp = if parts.method == Method::OPTIONS
        && parts.headers.contains_key("access-control-request-method")
    {
        preflight(&parts.headers)
    } else if parts.uri.path().starts_with("/fault/") {
        error(501, "faults need a socket: use the server over TCP")
    } else {
        let chunked = parts.headers.get_all("transfer-encoding").iter().any(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .to_ascii_lowercase()
                .contains("chunked")
        });
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let req = Req {
            query: Query::parse(parts.uri.query()),
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            raw_headers: None,
            body,
            chunked,
            peer: loopback,
            local: loopback,
            tls: false,
            state,
        };
        match AssertUnwindSafe(routes::handle(req)).catch_unwind().await {
            Ok(resp) => resp,
            Err(_) => error(500, "the handler panicked"),
        }
    };
    add_cors(&mut resp, origin);
    resp
}
