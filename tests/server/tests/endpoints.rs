//! The server's endpoints, hit in-process with hyper's client (and raw sockets where a
//! client would get in the way).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use httpx_test_server::{Options, TestServer};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::Digest as _;
use tokio::net::TcpStream;

/// A response with its body read.
#[derive(Debug)]
struct Res {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl Conn {
    async fn open(server: &TestServer) -> Conn {
        let stream = TcpStream::connect(server.addr()).await.unwrap();
        let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Conn {
            sender,
            host: server.addr().to_string(),
        }
    }

    fn request(&self, method: &str, path: &str) -> http::request::Builder {
        Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Res, Error> {
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Res {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }
}

/// Sends one request on a new connection.
async fn fetch(
    server: &TestServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Res, Error> {
    let mut conn = Conn::open(server).await;
    let mut builder = conn.request(method, path);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let req = builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    conn.send(req).await
}

async fn get(server: &TestServer, path: &str) -> Res {
    fetch(server, "GET", path, &[], b"").await.unwrap()
}

/// Writes `raw` on a new socket and reads until the server closes (blocking).
fn raw_exchange(server: &TestServer, raw: &[u8]) -> Vec<u8> {
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(raw).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn split_response(raw: &[u8]) -> (String, Vec<u8>) {
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of head");
    (
        String::from_utf8_lossy(&raw[..at]).into_owned(),
        raw[at + 4..].to_vec(),
    )
}

#[test]
fn works_from_a_plain_test_with_a_raw_socket() {
    let server = TestServer::start();
    let raw = raw_exchange(
        &server,
        b"GET /get?x=1 HTTP/1.1\r\nHost: example.test\r\nX-Mixed-Case: A\r\nConnection: close\r\n\r\n",
    );
    let (head, body) = split_response(&raw);
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["url"], "http://example.test/get?x=1");
    assert_eq!(v["args"], json!({"x": "1"}));
    assert_eq!(
        v["raw_headers"],
        json!([
            ["Host", "example.test"],
            ["X-Mixed-Case", "A"],
            ["Connection", "close"]
        ])
    );
    assert!(server.url("/get").starts_with("http://127.0.0.1:"));
    assert_eq!(server.url("get"), server.url("/get"));
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}", server.port())
    );
}

#[tokio::test]
async fn echo_repeated_args_and_headers() {
    let server = TestServer::start();
    let res = fetch(
        &server,
        "GET",
        "/get?a=1&b=two&a=3&sp=a+b%20c",
        &[("X-Foo", "1"), ("x-foo", "2"), ("User-Agent", "tests/1")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), "application/json");
    let v = res.json();
    assert_eq!(v["method"], "GET");
    assert_eq!(v["path"], "/get");
    assert_eq!(
        v["args"],
        json!({"a": ["1", "3"], "b": "two", "sp": "a b c"})
    );
    assert_eq!(v["headers"]["x-foo"], "1, 2");
    assert_eq!(v["headers"]["user-agent"], "tests/1");
    assert_eq!(v["origin"], "127.0.0.1");
    assert_eq!(v["url"], server.url("/get?a=1&b=two&a=3&sp=a+b%20c"));
    // hyper's client writes the headers it was given in order, keeping their case.
    let raw = v["raw_headers"].as_array().unwrap();
    let names: Vec<&str> = raw.iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(&names[..3], ["host", "x-foo", "x-foo"]);
    assert_eq!(raw[1][1], "1");
    assert_eq!(raw[2][1], "2");
}

#[tokio::test]
async fn echo_bodies_and_methods() {
    let server = TestServer::start();
    let res = fetch(
        &server,
        "POST",
        "/post",
        &[("content-type", "application/json")],
        br#"{"a": [1, 2]}"#,
    )
    .await
    .unwrap();
    let v = res.json();
    assert_eq!(v["json"], json!({"a": [1, 2]}));
    assert_eq!(v["data"], r#"{"a": [1, 2]}"#);
    assert_eq!(v["body_length"], 13);
    assert_eq!(v["chunked"], false);

    let v = fetch(&server, "PUT", "/put", &[], &[0xff, 0x00, 0xfe])
        .await
        .unwrap()
        .json();
    assert_eq!(v["data_base64"], true);
    assert_eq!(v["data"], "/wD+");

    let v = fetch(
        &server,
        "PATCH",
        "/patch",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"k=v&k=w&x=%E2%82%AC",
    )
    .await
    .unwrap()
    .json();
    assert_eq!(v["form"], json!({"k": ["v", "w"], "x": "€"}));

    assert_eq!(
        fetch(&server, "DELETE", "/delete", &[], b"")
            .await
            .unwrap()
            .status,
        200
    );
    let res = fetch(&server, "POST", "/get", &[], b"").await.unwrap();
    assert_eq!(res.status, 405);
    assert!(res.header("allow").contains("GET"));
    let res = fetch(&server, "HEAD", "/get", &[], b"").await.unwrap();
    assert_eq!(res.status, 200);
    assert!(res.body.is_empty());
    let v = fetch(&server, "PROPFIND", "/anything/a/b?c=d", &[], b"x")
        .await
        .unwrap()
        .json();
    assert_eq!(v["method"], "PROPFIND");
    assert_eq!(v["path"], "/anything/a/b");
    // OPTIONS without preflight headers is an ordinary request.
    let v = fetch(&server, "OPTIONS", "/anything", &[], b"")
        .await
        .unwrap()
        .json();
    assert_eq!(v["method"], "OPTIONS");

    let v = get(&server, "/headers").await.json();
    assert!(v["headers"]["host"].is_string());
    let v = fetch(
        &server,
        "GET",
        "/user-agent",
        &[("user-agent", "ua/2")],
        b"",
    )
    .await
    .unwrap()
    .json();
    assert_eq!(v["user-agent"], "ua/2");
    assert_eq!(get(&server, "/ip").await.json()["origin"], "127.0.0.1");
    assert_eq!(get(&server, "/no-such-thing").await.status, 404);
}

#[test]
fn chunked_request_body_is_reported() {
    let server = TestServer::start();
    let raw = raw_exchange(
        &server,
        b"POST /post HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    );
    let (_, body) = split_response(&raw);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["data"], "hello world");
    assert_eq!(v["chunked"], true);
    assert_eq!(v["body_length"], 11);
}

#[tokio::test]
async fn multipart_upload() {
    let server = TestServer::start();
    let body = b"--BOUNDARY\r\n\
Content-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n\
--BOUNDARY\r\n\
Content-Disposition: form-data; name=\"upload\"; filename=\"hello.txt\"\r\n\
Content-Type: text/plain\r\n\r\nHello, file!\n\r\n\
--BOUNDARY\r\n\
Content-Disposition: form-data; name=\"field\"\r\n\r\nsecond\r\n\
--BOUNDARY--\r\n";
    let v = fetch(
        &server,
        "POST",
        "/post",
        &[("content-type", "multipart/form-data; boundary=BOUNDARY")],
        body,
    )
    .await
    .unwrap()
    .json();
    assert_eq!(v["form"], json!({"field": ["value", "second"]}));
    assert_eq!(
        v["files"]["upload"],
        json!({"filename": "hello.txt", "content_type": "text/plain", "content": "Hello, file!\n", "size": 13})
    );
}

#[tokio::test]
async fn keep_alive_connection_serves_many_requests() {
    let server = TestServer::start();
    let mut conn = Conn::open(&server).await;
    for i in 0..5 {
        let req = conn
            .request("POST", &format!("/anything/{i}"))
            .header("X-Index", i.to_string())
            .body(Full::new(Bytes::from(vec![b'x'; 1000 * i])))
            .unwrap();
        let v = conn.send(req).await.unwrap().json();
        assert_eq!(v["path"], format!("/anything/{i}"));
        assert_eq!(v["body_length"], 1000 * i);
        let raw = v["raw_headers"].as_array().unwrap();
        assert_eq!(raw[1], json!(["x-index", i.to_string()]), "{raw:?}");
    }
}

#[tokio::test]
async fn many_concurrent_connections() {
    let server = TestServer::start();
    let started = Instant::now();
    let tasks: Vec<_> = (0..80)
        .map(|i| {
            let addr = server.addr();
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.unwrap();
                let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
                tokio::spawn(conn);
                let req = Request::get(format!("/delay/0.3?i={i}"))
                    .header("host", addr.to_string())
                    .body(Full::new(Bytes::new()))
                    .unwrap();
                let resp = sender.send_request(req).await.unwrap();
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                let v: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["args"]["i"], i.to_string());
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // Concurrent: one after another would take 24 s (a generous bound for busy
    // machines).
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn status_codes() {
    let server = TestServer::start();
    for code in [200, 201, 204, 400, 404, 418, 500, 503, 599] {
        assert_eq!(get(&server, &format!("/status/{code}")).await.status, code);
    }
    let res = get(&server, "/status/302").await;
    assert_eq!(res.header("location"), "/redirect/1");
    let res = get(&server, "/status/307?location=/get%3Fa%3D1").await;
    assert_eq!(res.status, 307);
    assert_eq!(res.header("location"), "/get?a=1");
    let res = get(&server, "/status/401").await;
    assert!(res.header("www-authenticate").starts_with("Basic"));
    assert_eq!(get(&server, "/status/abc").await.status, 400);
    assert_eq!(get(&server, "/status/1000").await.status, 400);
}

#[tokio::test]
async fn redirects() {
    let server = TestServer::start();
    // Follow /redirect/3 by hand.
    let mut path = "/redirect/3".to_string();
    let mut hops = 0;
    loop {
        let res = get(&server, &path).await;
        if res.status != 302 {
            assert_eq!(res.status, 200);
            assert_eq!(res.json()["path"], "/get");
            break;
        }
        path = res.header("location").to_string();
        assert!(path.starts_with('/'), "{path}");
        hops += 1;
    }
    assert_eq!(hops, 3);

    let res = get(&server, "/absolute-redirect/2").await;
    assert_eq!(res.header("location"), server.url("/absolute-redirect/1"));
    let res = get(&server, "/absolute-redirect/1").await;
    assert_eq!(res.header("location"), server.url("/get"));
    let res = get(&server, "/relative-redirect/2").await;
    assert_eq!(res.header("location"), "/relative-redirect/1");

    let res = fetch(
        &server,
        "POST",
        "/redirect-to?url=http%3A%2F%2Fexample.com%2Fx&status_code=307",
        &[],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(res.status, 307);
    assert_eq!(res.header("location"), "http://example.com/x");
    assert_eq!(get(&server, "/redirect-to?url=/get").await.status, 302);

    let res = get(&server, "/redirect-to-port/9?path=/headers").await;
    assert_eq!(res.header("location"), "http://127.0.0.1:9/headers");
    let res = get(&server, "/redirect-to-host/localhost?path=/get").await;
    assert_eq!(
        res.header("location"),
        format!("http://localhost:{}/get", server.port())
    );
    assert_eq!(
        get(&server, "/redirect-loop").await.header("location"),
        "/redirect-loop"
    );
    let res = get(&server, "/redirect-no-location").await;
    assert_eq!(res.status, 302);
    assert!(res.headers.get("location").is_none());
}

#[tokio::test]
async fn basic_and_bearer_auth() {
    let server = TestServer::start();
    // base64("user:pass") == "dXNlcjpwYXNz"
    let ok = [("authorization", "Basic dXNlcjpwYXNz")];
    let res = fetch(&server, "GET", "/basic-auth/user/pass", &ok, b"")
        .await
        .unwrap();
    assert_eq!(res.json(), json!({"authenticated": true, "user": "user"}));
    let res = get(&server, "/basic-auth/user/pass").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.header("www-authenticate"), "Basic realm=\"Fake Realm\"");
    let bad = [("authorization", "Basic dXNlcjpwYXN0")];
    let res = fetch(&server, "GET", "/basic-auth/user/pass", &bad, b"")
        .await
        .unwrap();
    assert_eq!(res.status, 401);
    assert_eq!(
        get(&server, "/hidden-basic-auth/user/pass").await.status,
        404
    );
    let res = fetch(&server, "GET", "/hidden-basic-auth/user/pass", &ok, b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200);

    let res = get(&server, "/bearer").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.header("www-authenticate"), "Bearer");
    let tok = [("authorization", "Bearer abc123")];
    let res = fetch(&server, "GET", "/bearer", &tok, b"").await.unwrap();
    assert_eq!(res.json()["token"], "abc123");
}

/// The parameters of a `Digest` challenge.
fn challenge_params(header: &str) -> std::collections::HashMap<String, String> {
    let rest = header.strip_prefix("Digest ").expect(header);
    let mut out = std::collections::HashMap::new();
    // The server's challenges never have commas inside quoted values except qop.
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in rest.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    for p in parts {
        let (k, v) = p.trim().split_once('=').unwrap();
        out.insert(k.to_string(), v.trim_matches('"').to_string());
    }
    out
}

fn md5_hex(data: &str) -> String {
    hex(&md5::Md5::digest(data.as_bytes()))
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&sha2::Sha256::digest(data))
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds an Authorization header for a challenge, by hand (MD5 or SHA-256, qop auth or
/// auth-int, or none).
#[allow(clippy::too_many_arguments)]
fn digest_answer(
    challenge: &str,
    method: &str,
    uri: &str,
    user: &str,
    pass: &str,
    nc: &str,
    qop: Option<&str>,
    body: &[u8],
) -> String {
    let c = challenge_params(challenge);
    let alg = c["algorithm"].as_str();
    let h = |s: &str| -> String {
        match alg {
            "MD5" | "MD5-sess" => md5_hex(s),
            "SHA-256" | "SHA-256-sess" => sha256_hex(s.as_bytes()),
            other => panic!("{other}"),
        }
    };
    let body_hash = match alg {
        "MD5" | "MD5-sess" => hex(&md5::Md5::digest(body)),
        _ => sha256_hex(body),
    };
    let (realm, nonce) = (&c["realm"], &c["nonce"]);
    let cnonce = "0a4f113b";
    let mut ha1 = h(&format!("{user}:{realm}:{pass}"));
    if alg.ends_with("-sess") {
        ha1 = h(&format!("{ha1}:{nonce}:{cnonce}"));
    }
    let ha2 = if qop == Some("auth-int") {
        h(&format!("{method}:{uri}:{body_hash}"))
    } else {
        h(&format!("{method}:{uri}"))
    };
    let response = match qop {
        Some(q) => h(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{q}:{ha2}")),
        None => h(&format!("{ha1}:{nonce}:{ha2}")),
    };
    let mut out = format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         algorithm={alg}, response=\"{response}\", opaque=\"{}\"",
        c["opaque"]
    );
    if let Some(q) = qop {
        out.push_str(&format!(", qop={q}, nc={nc}, cnonce=\"{cnonce}\""));
    }
    out
}

#[tokio::test]
async fn digest_auth_by_hand() {
    let server = TestServer::start();
    for (qop_path, qop, alg, method, body) in [
        ("auth", Some("auth"), "MD5", "GET", &b""[..]),
        ("auth", Some("auth"), "SHA-256", "GET", b""),
        ("auth", Some("auth"), "MD5-sess", "GET", b""),
        ("auth-int", Some("auth-int"), "SHA-256", "POST", b"the body"),
        ("auth,auth-int", Some("auth-int"), "MD5", "PUT", b"x"),
        ("none", None, "MD5", "GET", b""),
    ] {
        let uri = format!("/digest-auth/{qop_path}/Mufasa/Circle%20of%20Life/{alg}");
        let first = fetch(&server, method, &uri, &[], body).await.unwrap();
        assert_eq!(first.status, 401, "{uri}");
        let challenge = first.header("www-authenticate").to_string();
        let c = challenge_params(&challenge);
        assert_eq!(c["algorithm"], alg);
        assert_eq!(c.get("qop").map(String::as_str), qop.map(|_| qop_path));
        let answer = digest_answer(
            &challenge,
            method,
            &uri,
            "Mufasa",
            "Circle of Life",
            "00000001",
            qop,
            body,
        );
        let auth = [("authorization", answer.as_str())];
        let res = fetch(&server, method, &uri, &auth, body).await.unwrap();
        assert_eq!(res.status, 200, "{uri}: {}", res.text());
        assert_eq!(res.json(), json!({"authenticated": true, "user": "Mufasa"}));
        if qop.is_some() {
            // The same nc again is a replay.
            let res = fetch(&server, method, &uri, &auth, body).await.unwrap();
            assert_eq!(res.status, 401, "{uri}: replay accepted");
            // The next nc is fine.
            let answer = digest_answer(
                &challenge,
                method,
                &uri,
                "Mufasa",
                "Circle of Life",
                "00000002",
                qop,
                body,
            );
            let auth = [("authorization", answer.as_str())];
            let res = fetch(&server, method, &uri, &auth, body).await.unwrap();
            assert_eq!(res.status, 200, "{uri}");
        }
        // A wrong password gets a fresh challenge.
        let answer = digest_answer(
            &challenge, method, &uri, "Mufasa", "nope", "00000003", qop, body,
        );
        let auth = [("authorization", answer.as_str())];
        let res = fetch(&server, method, &uri, &auth, body).await.unwrap();
        assert_eq!(res.status, 401);
    }
}

#[tokio::test]
async fn digest_stale_after_and_cookie() {
    let server = TestServer::start();
    let uri = "/digest-auth/auth/u/p/MD5/1";
    let challenge = get(&server, uri)
        .await
        .header("www-authenticate")
        .to_string();
    let answer = |nc: &str| digest_answer(&challenge, "GET", uri, "u", "p", nc, Some("auth"), b"");
    let a1 = answer("00000001");
    let res = fetch(&server, "GET", uri, &[("authorization", &a1)], b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    let a2 = answer("00000002");
    let res = fetch(&server, "GET", uri, &[("authorization", &a2)], b"")
        .await
        .unwrap();
    assert_eq!(res.status, 401);
    let fresh = res.header("www-authenticate");
    assert!(fresh.contains("stale=TRUE"), "{fresh}");
    assert_ne!(
        challenge_params(fresh)["nonce"],
        challenge_params(&challenge)["nonce"]
    );

    let uri = "/digest-auth/auth/u/p/MD5?set_cookie=1";
    let first = get(&server, uri).await;
    assert_eq!(first.header("set-cookie"), "fake=fake_value; Path=/");
    let challenge = first.header("www-authenticate").to_string();
    let a = digest_answer(
        &challenge,
        "GET",
        uri,
        "u",
        "p",
        "00000001",
        Some("auth"),
        b"",
    );
    let res = fetch(&server, "GET", uri, &[("authorization", &a)], b"")
        .await
        .unwrap();
    assert_eq!(res.status, 401, "the cookie is required");
    let a = digest_answer(
        &challenge,
        "GET",
        uri,
        "u",
        "p",
        "00000002",
        Some("auth"),
        b"",
    );
    let with_cookie = [("authorization", a.as_str()), ("cookie", "fake=fake_value")];
    let res = fetch(&server, "GET", uri, &with_cookie, b"").await.unwrap();
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn digest_userhash() {
    let server = TestServer::start();
    let uri = "/digest-auth/auth/user/pw/SHA-256?userhash=1";
    let challenge = get(&server, uri)
        .await
        .header("www-authenticate")
        .to_string();
    assert!(challenge.contains("userhash=true"));
    let realm = challenge_params(&challenge)["realm"].clone();
    let answer = digest_answer(
        &challenge,
        "GET",
        uri,
        "user",
        "pw",
        "00000001",
        Some("auth"),
        b"",
    );
    let hashed = sha256_hex(format!("user:{realm}").as_bytes());
    let answer = answer.replace(
        "username=\"user\"",
        &format!("username=\"{hashed}\", userhash=true"),
    );
    let res = fetch(&server, "GET", uri, &[("authorization", &answer)], b"")
        .await
        .unwrap();
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn cookies_set_then_get() {
    let server = TestServer::start();
    let res = get(&server, "/cookies/set?a=1&b=2").await;
    assert_eq!(res.status, 302);
    assert_eq!(res.header("location"), "/cookies");
    let set: Vec<&str> = res
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(set, ["a=1; Path=/", "b=2; Path=/"]);
    let res = fetch(&server, "GET", "/cookies", &[("cookie", "a=1; b=2")], b"")
        .await
        .unwrap();
    assert_eq!(res.json(), json!({"cookies": {"a": "1", "b": "2"}}));
    let res = get(&server, "/cookies/set/name/value").await;
    assert_eq!(res.header("set-cookie"), "name=value; Path=/");
    let res = get(&server, "/cookies/delete?a").await;
    assert!(res.header("set-cookie").contains("Max-Age=0"));
    let res = get(
        &server,
        "/cookies/set-with-attributes?name=n&value=v&domain=localhost&path=/p&max_age=60&secure=1&httponly=1&samesite=Lax",
    )
    .await;
    let expected = "n=v; Domain=localhost; Path=/p; Max-Age=60; SameSite=Lax; Secure; HttpOnly";
    assert_eq!(res.header("set-cookie"), expected);
    assert_eq!(res.json()["set_cookie"], expected);
}

fn decode(coding: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "gzip" => {
            flate2::read::GzDecoder::new(data)
                .read_to_end(&mut out)
                .unwrap();
        }
        "deflate" => {
            flate2::read::ZlibDecoder::new(data)
                .read_to_end(&mut out)
                .unwrap();
        }
        "deflate-raw" => {
            flate2::read::DeflateDecoder::new(data)
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli_decompressor::Decompressor::new(data, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "zstd" => {
            ruzstd::decoding::StreamingDecoder::new(data)
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("{other}"),
    }
    out
}

#[tokio::test]
async fn compression_endpoints_decode() {
    let server = TestServer::start();
    for (path, token, decoder) in [
        ("gzip", "gzip", "gzip"),
        ("deflate", "deflate", "deflate"),
        ("deflate-raw", "deflate", "deflate-raw"),
        ("brotli", "br", "br"),
        ("zstd", "zstd", "zstd"),
    ] {
        let res = get(&server, &format!("/{path}")).await;
        assert_eq!(res.header("content-encoding"), token);
        let v: Value = serde_json::from_slice(&decode(decoder, &res.body)).unwrap();
        assert_eq!(v[path], true, "{path}");
        assert_eq!(v["method"], "GET");
    }
    let res = get(
        &server,
        "/compressed/gzip,br,zstd,deflate?body=layered&repeat=3",
    )
    .await;
    assert_eq!(res.header("content-encoding"), "gzip, br, zstd, deflate");
    let mut data = res.body.to_vec();
    for coding in ["deflate", "zstd", "br", "gzip"] {
        data = decode(coding, &data);
    }
    assert_eq!(data, b"layeredlayeredlayered");

    let res = get(&server, "/lie/gzip").await;
    assert_eq!(res.header("content-encoding"), "gzip");
    assert!(flate2::read::GzDecoder::new(&res.body[..])
        .read_to_end(&mut Vec::new())
        .is_err());
}

#[tokio::test]
async fn bombs_are_small_and_decode_big() {
    let server = TestServer::start();
    for (coding, decoder) in [("gzip", "gzip"), ("br", "br"), ("zstd", "zstd")] {
        let res = get(&server, &format!("/bomb/{coding}?mib=16")).await;
        assert_eq!(res.status, 200);
        assert!(res.body.len() < 1 << 20, "{coding}: {}", res.body.len());
        let data = decode(decoder, &res.body);
        assert_eq!(data.len(), 16 << 20);
        assert!(data.iter().all(|&b| b == 0));
        // The second time comes from the cache.
        let again = get(&server, &format!("/bomb/{coding}?mib=16")).await;
        assert_eq!(again.body, res.body);
    }
    assert_eq!(get(&server, "/bomb/gzip?mib=99999").await.status, 400);
}

#[tokio::test]
async fn content_endpoints() {
    let server = TestServer::start();
    assert_eq!(
        get(&server, "/json").await.json()["slideshow"]["author"],
        "Yours Truly"
    );
    assert!(get(&server, "/html").await.text().contains("Moby-Dick"));
    assert!(get(&server, "/xml").await.text().starts_with("<?xml"));
    assert!(get(&server, "/robots.txt")
        .await
        .text()
        .contains("Disallow"));
    assert!(get(&server, "/encoding/utf8").await.text().contains("🦀"));

    let a = get(&server, "/bytes/100?seed=7").await;
    assert_eq!(a.body.len(), 100);
    assert_eq!(a.body, get(&server, "/bytes/100?seed=7").await.body);
    assert_ne!(a.body, get(&server, "/bytes/100?seed=8").await.body);
    let streamed = get(&server, "/stream-bytes/100?seed=7&chunk_size=7").await;
    assert_eq!(streamed.body, a.body);
    assert_eq!(streamed.header("transfer-encoding"), "chunked");

    let res = get(&server, "/range/30").await;
    assert_eq!(&res.body[..], b"abcdefghijklmnopqrstuvwxyzabcd");
    let res = fetch(
        &server,
        "GET",
        "/range/30",
        &[("range", "bytes=24-27")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(res.status, 206);
    assert_eq!(&res.body[..], b"yzab");
    assert_eq!(res.header("content-range"), "bytes 24-27/30");
    let res = fetch(&server, "GET", "/range/30", &[("range", "bytes=40-")], b"")
        .await
        .unwrap();
    assert_eq!(res.status, 416);

    assert_eq!(
        get(&server, "/base64/aGVsbG8gd29ybGQ=").await.text(),
        "hello world"
    );
    assert_eq!(get(&server, "/base64/!!!").await.status, 400);

    let res = get(&server, "/charset/shift_jis?text=%E6%97%A5%E6%9C%AC").await;
    assert_eq!(res.header("content-type"), "text/plain; charset=shift_jis");
    assert_eq!(&res.body[..], [0x93, 0xfa, 0x96, 0x7b]);
    let res = get(&server, "/charset/iso-8859-1?text=caf%C3%A9").await;
    assert_eq!(&res.body[..], b"caf\xe9");
    let res = get(&server, "/charset/utf-16le?text=hi").await;
    assert_eq!(&res.body[..], b"h\0i\0");
    let res = get(&server, "/charset/windows-1252?text=%E2%82%AC&no_charset=1").await;
    assert_eq!(res.header("content-type"), "text/plain");
    assert_eq!(&res.body[..], [0x80]);
    assert_eq!(get(&server, "/charset/klingon").await.status, 400);

    let res = get(
        &server,
        "/response-headers?X-A=1&X-A=2&Content-Type=text/x-test",
    )
    .await;
    let xa: Vec<_> = res.headers.get_all("x-a").iter().collect();
    assert_eq!(xa, ["1", "2"]);
    assert_eq!(res.header("content-type"), "text/x-test");
    assert_eq!(res.json()["X-A"], json!(["1", "2"]));
    let res = get(&server, "/links").await;
    assert!(res.header("link").contains("rel=\"next\""));

    let res = get(&server, "/large/3").await;
    assert_eq!(res.body.len(), 3 << 20);
    assert_eq!(res.header("content-length"), (3 << 20).to_string());
    let res = fetch(&server, "PUT", "/upload", &[], &vec![1u8; 100_000])
        .await
        .unwrap();
    assert_eq!(res.json()["body_length"], 100_000);
}

#[tokio::test]
async fn streaming_and_timing() {
    let server = TestServer::start();
    let res = get(&server, "/stream/5").await;
    assert_eq!(res.header("transfer-encoding"), "chunked");
    let lines: Vec<Value> = res
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[4]["id"], 4);

    // Headers arrive before the slow body does.
    let mut conn = Conn::open(&server).await;
    let req = conn
        .request("GET", "/slow-body?chunks=3&interval_ms=400")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let started = Instant::now();
    let resp = conn.sender.send_request(req).await.unwrap();
    let head_after = started.elapsed();
    let mut body = resp.into_body();
    let mut frames = 0;
    while let Some(frame) = body.frame().await {
        if frame.unwrap().is_data() {
            frames += 1;
        }
    }
    let total = started.elapsed();
    // Two 400 ms intervals after the head: the head came at least one interval before
    // the end of the body, however late both were on a busy machine.
    assert!(total >= Duration::from_millis(800), "{total:?}");
    assert!(
        head_after + Duration::from_millis(400) <= total,
        "{head_after:?} {total:?}"
    );
    assert_eq!(frames, 3);

    let started = Instant::now();
    let res = get(&server, "/drip?numbytes=4&duration=0.3&delay=0.1&code=201").await;
    assert_eq!(res.status, 201);
    assert_eq!(&res.body[..], b"****");
    assert!(started.elapsed() >= Duration::from_millis(300));

    let started = Instant::now();
    let res = get(&server, "/delay/0.4").await;
    assert_eq!(res.json()["path"], "/delay/0.4");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(get(&server, "/delay/abc").await.status, 400);
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let server = TestServer::start();
    let res = fetch(
        &server,
        "OPTIONS",
        "/basic-auth/a/b",
        &[
            ("origin", "http://127.0.0.1:9999"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization, x-custom"),
        ],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(res.status, 204);
    assert_eq!(
        res.header("access-control-allow-origin"),
        "http://127.0.0.1:9999"
    );
    assert_eq!(res.header("access-control-allow-credentials"), "true");
    assert!(res
        .header("access-control-allow-methods")
        .starts_with("PUT, GET"));
    assert_eq!(
        res.header("access-control-allow-headers"),
        "authorization, x-custom"
    );
    assert_eq!(res.header("access-control-max-age"), "600");

    let res = fetch(
        &server,
        "GET",
        "/response-headers?X-Custom-Thing=1",
        &[("origin", "http://localhost:1234"), ("x-request-id", "r-1")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(
        res.header("access-control-allow-origin"),
        "http://localhost:1234"
    );
    assert_eq!(res.header("x-request-id"), "r-1");
    assert!(res.header("vary").contains("Origin"));
    let exposed: Vec<&str> = res
        .header("access-control-expose-headers")
        .split(", ")
        .collect();
    for name in [
        "x-custom-thing",
        "www-authenticate",
        "link",
        "location",
        "content-length",
        "x-request-id",
    ] {
        assert!(exposed.contains(&name), "{name} not in {exposed:?}");
    }
    let res = get(&server, "/basic-auth/a/b").await;
    assert_eq!(res.header("access-control-allow-origin"), "*");
    assert!(res
        .header("access-control-expose-headers")
        .contains("www-authenticate"));
}

#[tokio::test]
async fn faults() {
    let server = TestServer::start();
    // The body stops after 10 of 100 bytes.
    let err = fetch(&server, "GET", "/fault/close-mid-body", &[], b"")
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("IncompleteBody"), "{err:?}");
    // hyper's client refuses conflicting lengths, a signed length and a bad chunk size.
    for fault in [
        "duplicate-content-length",
        "plus-content-length",
        "bad-chunk-size",
        "garbage",
        "close-immediately",
        "reset",
    ] {
        let res = fetch(&server, "GET", &format!("/fault/{fault}"), &[], b"").await;
        assert!(res.is_err(), "{fault}: {res:?}");
    }
    // A stalled body: headers, then nothing.
    let mut conn = Conn::open(&server).await;
    let req = conn
        .request("GET", "/fault/stall-body")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let resp = conn.sender.send_request(req).await.unwrap();
    assert_eq!(resp.headers()["content-length"], "10");
    let body = tokio::time::timeout(Duration::from_millis(300), resp.into_body().collect()).await;
    assert!(body.is_err(), "the body should stall");
    // No answer at all.
    let stalled =
        tokio::time::timeout(Duration::from_millis(300), get(&server, "/fault/stall")).await;
    assert!(stalled.is_err());
    // Faults work on a reused keep-alive connection too.
    let mut conn = Conn::open(&server).await;
    let req = conn
        .request("GET", "/get")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(conn.send(req).await.unwrap().status, 200);
    let req = conn
        .request("GET", "/fault/close-mid-body")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert!(conn.send(req).await.is_err());
    assert_eq!(get(&server, "/fault/unknown").await.status, 404);
    // Raw: the duplicate lengths are really on the wire.
    let raw = raw_exchange(
        &server,
        b"GET /fault/duplicate-content-length HTTP/1.1\r\nHost: h\r\n\r\n",
    );
    let (head, _) = split_response(&raw);
    assert!(
        head.contains("Content-Length: 5\r\nContent-Length: 6"),
        "{head}"
    );
}

#[test]
fn static_files_and_traversal() {
    let dir = std::env::temp_dir().join(format!("httpx-test-server-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>index</h1>").unwrap();
    std::fs::write(dir.join("pkg/app.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("pkg/app.js"), "export {}").unwrap();
    let server = TestServer::start_with(Options::new().static_dir(&dir));
    let get_raw = |target: &str| {
        let raw = raw_exchange(
            &server,
            format!("GET {target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        split_response(&raw)
    };
    let (head, body) = get_raw("/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, b"<h1>index</h1>");
    let (head, _) = get_raw("/static/pkg/app.wasm");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    let (head, _) = get_raw("/static/pkg/app.js");
    assert!(head.contains("content-type: text/javascript"), "{head}");
    let (head, _) = get_raw("/static/pkg/");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    for evil in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/pkg/..%2f..%2fetc/passwd",
        "/static/..%5c..%5cx",
    ] {
        let (head, _) = get_raw(evil);
        assert!(head.starts_with("HTTP/1.1 400"), "{evil}: {head}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_prints_listening_line() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_httpx-test-server"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("LISTENING http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{line:?}"));
    let port: u16 = url.parse().unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /ip HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    // SIGTERM ends it cleanly.
    #[cfg(unix)]
    {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{status:?}");
                break;
            }
            assert!(Instant::now() < deadline, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
