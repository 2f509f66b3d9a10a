//! The endpoints.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};

use crate::digest;
use crate::echo::{self, headers_json};
use crate::encode::Coding;
use crate::fault::Fault;
use crate::req::Req;
use crate::statics;
use crate::util::{
    self, append_header, error, json, no_body, redirect, response, Chunks, Repeat, Resp, HTML,
    JSON, OCTETS, TEXT,
};

/// Upper bound of `/bytes`, `/range`, `/stream-bytes` sizes.
const MAX_BYTES: usize = 100 << 20;
/// Upper bound of `/delay`, `/drip` durations, in seconds.
const MAX_DELAY: f64 = 30.0;

/// Routes a request whose body has been read.
pub(crate) async fn handle(req: Req) -> Resp {
    let path = req.uri.path().to_string();
    let decoded: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    match segs.as_slice() {
        [""] => statics::index(&req).await,
        ["static", ..] => statics::serve(&req, &segs[1..]).await,

        ["get"] => only(&req, &[Method::GET], || json(200, &echo::echo(&req))),
        ["post"] => only(&req, &[Method::POST], || json(200, &echo::echo(&req))),
        ["put"] => only(&req, &[Method::PUT], || json(200, &echo::echo(&req))),
        ["patch"] => only(&req, &[Method::PATCH], || json(200, &echo::echo(&req))),
        ["delete"] => only(&req, &[Method::DELETE], || json(200, &echo::echo(&req))),
        ["anything", ..] => json(200, &echo::echo(&req)),
        ["headers"] => json(200, &json!({"headers": headers_json(&req)})),
        ["user-agent"] => json(200, &json!({"user-agent": req.header("user-agent")})),
        ["ip"] => json(200, &json!({"origin": req.peer.ip().to_string()})),

        ["status", code] => status(&req, code),

        ["redirect", n] => redirect_chain(&req, n, "/redirect", req.query.flag("absolute")),
        ["relative-redirect", n] => redirect_chain(&req, n, "/relative-redirect", false),
        ["absolute-redirect", n] => redirect_chain(&req, n, "/absolute-redirect", true),
        ["redirect-to"] => redirect_to(&req),
        ["redirect-to-port", port] => match port.parse::<u16>() {
            Ok(port) => {
                let path = req.query.get("path").unwrap_or("/get");
                let scheme = match req.query.get("scheme") {
                    Some("http") => "http",
                    Some("https") => "https",
                    Some(_) => return error(400, "scheme must be http or https"),
                    None => req.scheme(),
                };
                let location = format!("{scheme}://127.0.0.1:{port}{}", with_slash(path));
                redirect(redirect_code(&req), &location)
            }
            Err(_) => error(400, "bad port"),
        },
        ["redirect-to-host", host] => {
            let path = req.query.get("path").unwrap_or("/get");
            let location = format!(
                "{}://{host}:{}{}",
                req.scheme(),
                req.local.port(),
                with_slash(path)
            );
            redirect(redirect_code(&req), &location)
        }
        ["redirect-loop"] => redirect(302, "/redirect-loop"),
        ["redirect-no-location"] => no_body(302),

        ["basic-auth", user, passwd] => basic_auth(&req, user, passwd, 401),
        ["hidden-basic-auth", user, passwd] => basic_auth(&req, user, passwd, 404),
        ["bearer"] => bearer(&req),
        ["digest-auth", rest @ ..] if (3..=5).contains(&rest.len()) => digest::handle(&req, rest),

        ["cookies"] => cookies_json(&req),
        ["cookies", "set"] => {
            let pairs = req.query.0.clone();
            set_cookies(&pairs)
        }
        ["cookies", "set", name, value] => set_cookies(&[(name.to_string(), value.to_string())]),
        ["cookies", "delete"] => delete_cookies(&req),
        ["cookies", "set-with-attributes"] => set_cookie_with_attributes(&req),

        ["json"] => json(200, &slideshow()),
        ["html"] => response(200, HTML, MOBY),
        ["xml"] => response(200, "application/xml", SLIDESHOW_XML),
        ["robots.txt"] => response(200, TEXT, "User-agent: *\nDisallow: /deny\n"),
        ["encoding", "utf8"] => response(200, HTML, UTF8_DEMO),
        ["bytes", n] => bytes(&req, n),
        ["range", n] => range(&req, n),
        ["base64", value] => base64_decode(value),
        ["charset", charset] => charset_text(&req, charset),
        ["response-headers"] => response_headers(&req),
        ["links"] => links(&req),

        ["gzip"] => compressed_json(&req, Coding::Gzip, "gzip"),
        ["deflate"] => compressed_json(&req, Coding::Deflate, "deflate"),
        ["deflate-raw"] => compressed_json(&req, Coding::DeflateRaw, "deflate-raw"),
        ["brotli"] => compressed_json(&req, Coding::Br, "brotli"),
        ["zstd"] => compressed_json(&req, Coding::Zstd, "zstd"),
        ["compressed", codings] => compressed(&req, codings),
        ["bomb", coding] => bomb(&req, coding).await,
        ["lie", coding] => lie(coding),

        ["stream", n] => stream_json(&req, n),
        ["stream-bytes", n] => stream_bytes(&req, n),
        ["drip"] => drip(&req).await,
        ["delay", secs] => match parse_seconds(secs) {
            Some(d) => {
                tokio::time::sleep(d).await;
                json(200, &echo::echo(&req))
            }
            None => error(400, "delay must be a number of seconds"),
        },
        ["slow-body"] => slow_body(&req),
        ["large", mib] => large(&req, mib),

        ["fault", ..] => error(404, format!("faults: {}", Fault::NAMES.join(", "))),
        _ => error(404, format!("no endpoint at {path}")),
    }
}

/// Runs `f` if the method is one of `allowed` (HEAD counts as GET), else 405.
fn only(req: &Req, allowed: &[Method], f: impl FnOnce() -> Resp) -> Resp {
    let ok = allowed
        .iter()
        .any(|a| *a == req.method || (*a == Method::GET && req.method == Method::HEAD));
    if ok {
        return f();
    }
    let mut names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    if allowed.contains(&Method::GET) {
        names.push("HEAD");
    }
    names.push("OPTIONS");
    let mut resp = error(405, "method not allowed");
    append_header(&mut resp, "allow", &names.join(", "));
    resp
}

fn with_slash(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn redirect_code(req: &Req) -> u16 {
    req.query
        .get("status_code")
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (300..400).contains(c))
        .unwrap_or(302)
}

fn status(req: &Req, code: &str) -> Resp {
    let Some(code) = code
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|c| (100..=999).contains(c))
    else {
        return error(400, "status code must be a number in 100..=999");
    };
    if (100..200).contains(&code) && code != 101 {
        return error(400, "an informational status cannot be the final response");
    }
    let mut resp = no_body(code);
    match code {
        300..=399 => {
            let location = req.query.get("location").unwrap_or("/redirect/1");
            append_header(&mut resp, "location", location);
        }
        401 => {
            append_header(&mut resp, "www-authenticate", "Basic realm=\"Fake Realm\"");
        }
        407 => {
            append_header(
                &mut resp,
                "proxy-authenticate",
                "Basic realm=\"Fake Realm\"",
            );
        }
        _ => {}
    }
    resp
}

fn redirect_chain(req: &Req, n: &str, prefix: &str, absolute: bool) -> Resp {
    let Ok(n) = n.parse::<u32>() else {
        return error(400, "the redirect count must be a number");
    };
    let target = if n <= 1 {
        "/get".to_string()
    } else {
        format!("{prefix}/{}", n - 1)
    };
    if absolute {
        redirect(302, &format!("{}{target}", req.base_url()))
    } else {
        redirect(302, &target)
    }
}

fn redirect_to(req: &Req) -> Resp {
    // The target may come from the query or from a urlencoded form body.
    let form = util::Query(
        form_urlencoded::parse(&req.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let url = req.query.get("url").or_else(|| form.get("url"));
    let Some(url) = url else {
        return error(400, "redirect-to needs ?url=");
    };
    let code = req
        .query
        .get("status_code")
        .or_else(|| form.get("status_code"))
        .map(|c| c.parse::<u16>());
    match code {
        None => redirect(302, url),
        Some(Ok(c)) if (300..400).contains(&c) => redirect(c, url),
        Some(_) => error(400, "status_code must be a 3xx code"),
    }
}

fn basic_auth(req: &Req, user: &str, passwd: &str, fail: u16) -> Resp {
    let ok = req
        .header_str("authorization")
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        })
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|raw| String::from_utf8_lossy(&raw).into_owned())
        .is_some_and(|pair| pair.split_once(':') == Some((user, passwd)));
    if ok {
        return json(200, &json!({"authenticated": true, "user": user}));
    }
    let mut resp = json(fail, &json!({"authenticated": false}));
    if fail == 401 {
        append_header(&mut resp, "www-authenticate", "Basic realm=\"Fake Realm\"");
    }
    resp
}

fn bearer(req: &Req) -> Resp {
    let token = req.header_str("authorization").and_then(|v| {
        let (scheme, rest) = v.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| rest.trim().to_string())
    });
    match token {
        Some(t) if !t.is_empty() => json(200, &json!({"authenticated": true, "token": t})),
        _ => {
            let mut resp = json(401, &json!({"authenticated": false}));
            append_header(&mut resp, "www-authenticate", "Bearer");
            resp
        }
    }
}

fn cookies_json(req: &Req) -> Resp {
    let mut map = serde_json::Map::new();
    for (k, v) in req.cookies() {
        map.insert(k, Value::String(v));
    }
    json(200, &json!({"cookies": map}))
}

fn set_cookies(pairs: &[(String, String)]) -> Resp {
    let mut resp = redirect(302, "/cookies");
    for (k, v) in pairs {
        if !append_header(&mut resp, "set-cookie", &format!("{k}={v}; Path=/")) {
            return error(400, "invalid cookie");
        }
    }
    resp
}

fn delete_cookies(req: &Req) -> Resp {
    let mut resp = redirect(302, "/cookies");
    for (k, _) in &req.query.0 {
        let value = format!("{k}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
        if !append_header(&mut resp, "set-cookie", &value) {
            return error(400, "invalid cookie name");
        }
    }
    resp
}

fn set_cookie_with_attributes(req: &Req) -> Resp {
    let q = &req.query;
    let (Some(name), Some(value)) = (q.get("name"), q.get("value")) else {
        return error(400, "set-with-attributes needs name and value");
    };
    let mut cookie = format!("{name}={value}");
    for (param, attr) in [
        ("domain", "Domain"),
        ("path", "Path"),
        ("max_age", "Max-Age"),
        ("expires", "Expires"),
        ("samesite", "SameSite"),
    ] {
        if let Some(v) = q.get(param) {
            cookie.push_str(&format!("; {attr}={v}"));
        }
    }
    if q.get("secure").is_some() && q.flag("secure") {
        cookie.push_str("; Secure");
    }
    if q.get("httponly").is_some() && q.flag("httponly") {
        cookie.push_str("; HttpOnly");
    }
    if q.get("partitioned").is_some() && q.flag("partitioned") {
        cookie.push_str("; Partitioned");
    }
    let mut resp = json(200, &json!({"set_cookie": cookie}));
    if !append_header(&mut resp, "set-cookie", &cookie) {
        return error(400, "invalid cookie");
    }
    resp
}

fn parse_size(n: &str, max: usize) -> Result<usize, Box<Resp>> {
    match n.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(Box::new(error(400, format!("at most {max} bytes")))),
        Err(_) => Err(Box::new(error(400, "the size must be a number"))),
    }
}

fn bytes(req: &Req, n: &str) -> Resp {
    let n = match parse_size(n, MAX_BYTES) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let seed = match req.query.number("seed", 0u64) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    response(200, OCTETS, util::Rng::new(seed).bytes(n))
}

/// The byte at position `i` of `/range/{n}`.
fn range_byte(i: usize) -> u8 {
    b'a' + (i % 26) as u8
}

fn range(req: &Req, n: &str) -> Resp {
    let n = match parse_size(n, MAX_BYTES) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let requested = req.header_str("range").map(|r| parse_range(r, n));
    let (code, start, end) = match requested {
        None => (200, 0, n),
        Some(Some((s, e))) => (206, s, e),
        Some(None) => {
            let mut resp = no_body(416);
            append_header(&mut resp, "content-range", &format!("bytes */{n}"));
            append_header(&mut resp, "accept-ranges", "bytes");
            return resp;
        }
    };
    let data: Vec<u8> = (start..end).map(range_byte).collect();
    let mut resp = response(code, OCTETS, data);
    append_header(&mut resp, "accept-ranges", "bytes");
    append_header(&mut resp, "etag", &format!("\"range{n}\""));
    if code == 206 {
        append_header(
            &mut resp,
            "content-range",
            &format!("bytes {start}-{}/{n}", end - 1),
        );
    }
    resp
}

/// Parses one `bytes=a-b`, `a-` or `-suffix` range into `[start, end)`.
fn parse_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let first = spec.split(',').next()?.trim();
    let (a, b) = first.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let suffix: usize = b.parse().ok()?;
        (len.saturating_sub(suffix), len)
    } else {
        let start: usize = a.parse().ok()?;
        let end = if b.is_empty() {
            len
        } else {
            b.parse::<usize>().ok()?.saturating_add(1).min(len)
        };
        (start, end)
    };
    (start < end && start < len).then_some((start, end))
}

fn base64_decode(value: &str) -> Resp {
    let v = value.trim_end_matches('=');
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(v)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(v));
    match decoded {
        Ok(data) => response(200, HTML, data),
        Err(_) => error(400, "invalid base64"),
    }
}

fn charset_text(req: &Req, charset: &str) -> Resp {
    let label = charset.trim().to_ascii_lowercase();
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes());
    let default_text = match encoding.map(|e| e.name()) {
        Some("Shift_JIS" | "EUC-JP" | "ISO-2022-JP") => "こんにちは、世界！",
        Some("GBK" | "gb18030" | "Big5") => "你好，世界！",
        Some("EUC-KR") => "안녕하세요, 세계!",
        Some("windows-1251" | "KOI8-R" | "KOI8-U" | "IBM866" | "ISO-8859-5") => "Привет, мир!",
        _ => "Hello, café naïve façade!",
    };
    let text = req.query.get("text").unwrap_or(default_text);
    let data: Vec<u8> = match label.as_str() {
        "utf-16le" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "utf-16be" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        "utf-16" => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        _ => match encoding {
            Some(e) => e.encode(text).0.into_owned(),
            None => return error(400, format!("unknown charset {charset:?}")),
        },
    };
    let content_type = if req.query.flag("no_charset") {
        "text/plain".to_string()
    } else {
        format!("text/plain; charset={charset}")
    };
    let mut resp = response(200, TEXT, data);
    resp.headers_mut().remove("content-type");
    if !append_header(&mut resp, "content-type", &content_type) {
        return error(400, "invalid charset name");
    }
    resp
}

fn response_headers(req: &Req) -> Resp {
    let mut resp = json(200, &req.query.to_json());
    if req
        .query
        .0
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        resp.headers_mut().remove("content-type");
    }
    for (k, v) in &req.query.0 {
        if !append_header(&mut resp, k, v) {
            return error(400, format!("invalid header {k:?}"));
        }
    }
    resp
}

fn links(req: &Req) -> Resp {
    let page = req.query.number("page", 1u32).unwrap_or(1);
    let mut resp = json(200, &json!({"page": page}));
    let value = format!(
        "</links?page={}>; rel=\"next\", </links?page=10>; rel=\"last\", \
         </links?page=1>; rel=\"first\", <https://example.com/style.css>; rel=\"preload stylesheet\"; as=\"style\"",
        page + 1
    );
    append_header(&mut resp, "link", &value);
    resp
}

fn compressed_json(req: &Req, coding: Coding, key: &str) -> Resp {
    let mut obj = json!({
        "method": req.method.as_str(),
        "headers": headers_json(req),
        "origin": req.peer.ip().to_string(),
    });
    obj[key] = Value::Bool(true);
    let mut text = serde_json::to_vec_pretty(&obj).unwrap_or_default();
    text.push(b'\n');
    match coding.encode(&text) {
        Ok(data) => {
            let mut resp = response(200, JSON, data);
            append_header(&mut resp, "content-encoding", coding.token());
            resp
        }
        Err(e) => error(500, e.to_string()),
    }
}

fn compressed(req: &Req, codings: &str) -> Resp {
    let text = req.query.get("body").unwrap_or("Hello, world!\n");
    let repeat = match req.query.number("repeat", 1usize) {
        Ok(r) if r.saturating_mul(text.len()) <= 64 << 20 => r,
        Ok(_) => return error(400, "body too large"),
        Err(r) => return *r,
    };
    let mut data = text.repeat(repeat).into_bytes();
    let mut tokens = Vec::new();
    for name in codings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(coding) = Coding::parse(name) else {
            return error(400, format!("unknown coding {name:?}"));
        };
        data = match coding.encode(&data) {
            Ok(d) => d,
            Err(e) => return error(500, e.to_string()),
        };
        tokens.push(coding.token());
    }
    let mut resp = response(200, TEXT, data);
    if !tokens.is_empty() {
        append_header(&mut resp, "content-encoding", &tokens.join(", "));
    }
    resp
}

async fn bomb(req: &Req, coding: &str) -> Resp {
    let Some(coding) = Coding::parse(coding).filter(|c| *c != Coding::Identity) else {
        return error(400, "unknown coding");
    };
    let mib = match req.query.number("mib", 128u32) {
        Ok(m) if (1..=2048).contains(&m) => m,
        Ok(_) => return error(400, "mib must be in 1..=2048"),
        Err(r) => return *r,
    };
    match req.state.bombs.get(coding, mib).await {
        Ok(data) => {
            let mut resp = http::Response::new(Chunks::body(data, 64 * 1024));
            append_header(&mut resp, "content-type", OCTETS);
            append_header(&mut resp, "content-encoding", coding.token());
            resp
        }
        Err(e) => error(500, e.to_string()),
    }
}

fn lie(coding: &str) -> Resp {
    let mut resp = response(200, TEXT, format!("this is not {coding} data\n"));
    if !append_header(&mut resp, "content-encoding", coding) {
        return error(400, "invalid coding");
    }
    resp
}

fn streaming_response(
    content_type: &str,
) -> (http_body_util::channel::Sender<Bytes, util::BoxError>, Resp) {
    let (tx, body) = util::channel();
    let mut resp = http::Response::new(body);
    append_header(&mut resp, "content-type", content_type);
    (tx, resp)
}

fn stream_json(req: &Req, n: &str) -> Resp {
    let n = match n.parse::<usize>() {
        Ok(n) if n <= 100_000 => n,
        _ => return error(400, "n must be a number up to 100000"),
    };
    let base = json!({
        "url": req.full_url(),
        "args": req.query.to_json(),
        "headers": headers_json(req),
        "origin": req.peer.ip().to_string(),
    });
    let (mut tx, resp) = streaming_response(JSON);
    tokio::spawn(async move {
        for id in 0..n {
            let mut obj = base.clone();
            obj["id"] = json!(id);
            let mut line = serde_json::to_vec(&obj).unwrap_or_default();
            line.push(b'\n');
            if tx.send_data(Bytes::from(line)).await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
    });
    resp
}

fn stream_bytes(req: &Req, n: &str) -> Resp {
    let n = match parse_size(n, MAX_BYTES) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let (seed, chunk) = match (
        req.query.number("seed", 0u64),
        req.query.number("chunk_size", 10 * 1024usize),
    ) {
        (Ok(s), Ok(c)) => (s, c.clamp(1, 16 << 20)),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let (mut tx, resp) = streaming_response(OCTETS);
    tokio::spawn(async move {
        let mut rng = util::Rng::new(seed);
        let data = Bytes::from(rng.bytes(n));
        let mut pos = 0;
        while pos < n {
            let end = (pos + chunk).min(n);
            if tx.send_data(data.slice(pos..end)).await.is_err() {
                return;
            }
            pos = end;
        }
    });
    resp
}

fn parse_seconds(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(MAX_DELAY)))
}

async fn drip(req: &Req) -> Resp {
    let q = &req.query;
    let (numbytes, duration, delay, code) = match (
        q.number("numbytes", 10usize),
        q.get("duration").unwrap_or("2"),
        q.get("delay").unwrap_or("2"),
        q.number("code", 200u16),
    ) {
        (Ok(n), d, w, Ok(c)) => (n, d, w, c),
        (Err(r), ..) | (_, _, _, Err(r)) => return *r,
    };
    if numbytes > 10 << 20 || !(100..=999).contains(&code) {
        return error(400, "numbytes at most 10 MiB, code in 100..=999");
    }
    let (Some(duration), Some(delay)) = (parse_seconds(duration), parse_seconds(delay)) else {
        return error(400, "duration and delay must be seconds");
    };
    tokio::time::sleep(delay).await;
    let (mut tx, mut resp) = streaming_response(OCTETS);
    *resp.status_mut() = util::status(code);
    append_header(&mut resp, "content-length", &numbytes.to_string());
    if numbytes == 0 {
        return resp;
    }
    let interval = duration / numbytes as u32;
    tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        for i in 0..numbytes {
            tokio::time::sleep_until(start + interval * i as u32).await;
            if tx.send_data(Bytes::from_static(b"*")).await.is_err() {
                return;
            }
        }
    });
    resp
}

fn slow_body(req: &Req) -> Resp {
    let (chunks, interval) = match (
        req.query.number("chunks", 5u32),
        req.query.number("interval_ms", 200u64),
    ) {
        (Ok(c), Ok(i)) if c <= 10_000 && i <= 60_000 => (c, i),
        (Err(r), _) | (_, Err(r)) => return *r,
        _ => return error(400, "chunks at most 10000, interval_ms at most 60000"),
    };
    let (mut tx, resp) = streaming_response(TEXT);
    tokio::spawn(async move {
        for i in 0..chunks {
            tokio::time::sleep(Duration::from_millis(interval)).await;
            if tx
                .send_data(Bytes::from(format!("chunk {i}\n")))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    resp
}

fn large(req: &Req, mib: &str) -> Resp {
    let mib = match mib.parse::<u64>() {
        Ok(m) if m <= 4096 => m,
        _ => return error(400, "mib must be a number up to 4096"),
    };
    static BLOCK: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    let block = BLOCK
        .get_or_init(|| Bytes::from(util::Rng::new(0).bytes(256 * 1024)))
        .clone();
    let exact = !req.query.flag("chunked");
    let mut resp = http::Response::new(Repeat::body(block, mib << 20, exact));
    append_header(&mut resp, "content-type", OCTETS);
    resp
}

fn slideshow() -> Value {
    json!({
        "slideshow": {
            "author": "Yours Truly",
            "date": "date of publication",
            "slides": [
                {"title": "Wake up to WonderWidgets!", "type": "all"},
                {
                    "items": [
                        "Why <em>WonderWidgets</em> are great",
                        "Who <em>buys</em> WonderWidgets"
                    ],
                    "title": "Overview",
                    "type": "all"
                }
            ],
            "title": "Sample Slide Show"
        }
    })
}

const SLIDESHOW_XML: &str = r#"<?xml version='1.0' encoding='us-ascii'?>

<!--  A SAMPLE set of slides  -->

<slideshow
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>
"#;

const MOBY: &str = "<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>Herman Melville - Moby-Dick</h1>

      <div>
        <p>
          Availing himself of the mild, summer-cool weather that now reigned in these
          latitudes, and in preparation for the peculiarly active pursuits shortly to be
          anticipated, Perth, the begrimed, blistered old blacksmith, had not removed his
          portable forge to the hold again, after concluding his contributory work for
          Ahab's leg, but still retained it on deck, fast lashed to ringbolts by the
          foremast.
        </p>
      </div>
  </body>
</html>
";

const UTF8_DEMO: &str = "<!DOCTYPE html>
<html><head><meta charset=\"utf-8\"><title>UTF-8 demo</title></head>
<body>
<h1>Unicode Demo</h1>
<p>Mathematics: ∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋</p>
<p>Greek: Σὲ γνωρίζω ἀπὸ τὴν κόψη</p>
<p>Russian: Зарегистрируйтесь сейчас на Десятую Международную Конференцию</p>
<p>Japanese: 日本語のテキスト、ひらがな、カタカナ</p>
<p>Thai: ๏ แผ่นดินฮั่นเสื่อมโทรมแสนสังเวช</p>
<p>Emoji: 🦀 🐍 ✨</p>
<p>Latin-1: café naïve façade — “quotes” ‘single’ … ¥ £ €</p>
</body></html>
";
