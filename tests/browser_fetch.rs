//! The fetch transport against the shared test server, in Node, a Chromium page and a
//! Chromium dedicated worker (the runner's environment variables choose; see the
//! Makefile's `test-browser`). The server's address is read at compile time from
//! `HTTPX_TEST_SERVER`; without it every test fails.
//!
//! Where hosts differ (redirects not followed, cookies, streaming uploads, error
//! messages), each test asserts what each host does: none is skipped.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use std::time::Duration;

use futures_util::StreamExt;
use httpx::auth::DigestAuth;
use httpx::rt::Instant;
use httpx::transport::fetch::FetchDetails;
use httpx::{
    AsyncClient, Body, Credentials, ErrorKind, FetchTransport, MockTransport, Multipart, Part,
    Response, Timeout,
};
use js_sys::Reflect;
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn server() -> &'static str {
    match option_env!("HTTPX_TEST_SERVER") {
        Some(url) => url,
        None => panic!(
            "HTTPX_TEST_SERVER was not set when these tests were compiled: run them with \
             `make test-browser`, or `tools/with-test-server.sh -- cargo test --target \
             wasm32-unknown-unknown --test browser_fetch`"
        ),
    }
}

fn url(path: &str) -> String {
    format!("{}{path}", server())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    Node,
    Page,
    Worker,
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Which host runs the tests, from what the global object has.
fn host() -> Host {
    let global = js_sys::global();
    if get(&get(&get(&global, "process"), "versions"), "node").is_string() {
        Host::Node
    } else if !get(&global, "document").is_undefined() {
        Host::Page
    } else if !get(&global, "WorkerGlobalScope").is_undefined() {
        Host::Worker
    } else {
        panic!("unknown host: no process.versions.node, document or WorkerGlobalScope")
    }
}

fn client() -> AsyncClient {
    AsyncClient::builder().base_url(server()).build().unwrap()
}

fn json(response: &Response) -> Value {
    response.json().unwrap()
}

fn details(response: &Response) -> FetchDetails {
    response.extensions().get::<FetchDetails>().unwrap().clone()
}

#[wasm_bindgen_test]
async fn get_with_query_headers_and_metadata() {
    let response = client()
        .get("/get")
        .query([("a", "1")])
        .header("x-custom", "yes")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.reason_phrase(), "OK");
    assert_eq!(response.http_version(), "HTTP/1.1");
    assert_eq!(response.url().unwrap().as_str(), url("/get?a=1"));
    assert!(response.elapsed().is_some());
    let body = json(&response);
    assert_eq!(body["args"]["a"], "1");
    assert_eq!(body["headers"]["x-custom"], "yes");
    assert_eq!(body["headers"]["accept"], "*/*");
    // The client's default User-Agent is not sent (the host's own may be).
    let agent = body["headers"]["user-agent"].as_str().unwrap_or("");
    assert!(!agent.starts_with("httpx-rs"), "{agent}");
    let expected_type = match host() {
        Host::Node => "basic",
        Host::Page | Host::Worker => "cors",
    };
    let details = details(&response);
    assert_eq!(details.response_type, expected_type);
    assert!(!details.redirected);
}

#[wasm_bindgen_test]
async fn a_user_agent_set_by_the_user_is_passed_on() {
    let response = client()
        .get("/headers")
        .header("user-agent", "my-app/1.0")
        .send()
        .await
        .unwrap();
    let agent = json(&response)["headers"]["user-agent"].clone();
    match host() {
        // Chrome drops it silently (Chromium bug 571722) and sends its own.
        Host::Page | Host::Worker => assert_ne!(agent, "my-app/1.0"),
        Host::Node => assert_eq!(agent, "my-app/1.0"),
    }
}

#[wasm_bindgen_test]
async fn post_every_body_kind() {
    let client = client();

    let bytes = client
        .post("/post")
        .content(vec![0u8, 159, 146, 150])
        .send()
        .await
        .unwrap();
    let body = json(&bytes);
    assert_eq!(body["data_base64"], true);
    assert_eq!(body["body_length"], 4);

    let text = client.put("/put").content("héllo").send().await.unwrap();
    assert_eq!(json(&text)["data"], "héllo");

    let data = serde_json::json!({"name": "ü", "n": [1, 2]});
    let sent = client.patch("/patch").json(&data).send().await.unwrap();
    let body = json(&sent);
    assert_eq!(body["json"], data);
    assert_eq!(body["headers"]["content-type"], "application/json");

    let form = client
        .post("/post")
        .form([("a", "1"), ("b", "x y")])
        .send()
        .await
        .unwrap();
    let body = json(&form);
    assert_eq!(body["form"]["b"], "x y");
    assert_eq!(
        body["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );

    let multipart = Multipart::new().text("field", "value").part(
        "upload",
        Part::bytes(&b"file content"[..])
            .file_name("a.txt")
            .content_type("text/plain"),
    );
    let sent = client
        .post("/post")
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    let body = json(&sent);
    assert_eq!(body["form"]["field"], "value");
    assert_eq!(body["files"]["upload"]["filename"], "a.txt");
    assert_eq!(body["files"]["upload"]["content"], "file content");

    let deleted = client.delete("/delete").send().await.unwrap();
    assert_eq!(json(&deleted)["method"], "DELETE");
    let head = client.head("/get").send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.content().unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn streaming_request_body() {
    let chunks = futures_util::stream::iter(
        ["one,", "two,", "three"].map(|c| Ok::<_, httpx::Error>(c.as_bytes().to_vec())),
    );
    let response = client()
        .post("/post")
        .body(Body::from_stream(chunks, None))
        .send()
        .await
        .unwrap();
    let body = json(&response);
    assert_eq!(body["data"], "one,two,three");
    match host() {
        // Node's fetch streams over HTTP/1.1 (chunked).
        Host::Node => assert_eq!(body["chunked"], true),
        // Chromium streams only over HTTP/2, never spoken to http: URLs: buffered.
        Host::Page | Host::Worker => assert_eq!(body["chunked"], false),
    }
    // Forced buffering works everywhere.
    let client = AsyncClient::builder()
        .transport(FetchTransport::new().streaming_uploads(false))
        .build()
        .unwrap();
    let chunks = futures_util::stream::iter([Ok::<_, httpx::Error>("abc")]);
    let response = client
        .post(url("/post"))
        .body(Body::from_stream(chunks, None))
        .send()
        .await
        .unwrap();
    let body = json(&response);
    assert_eq!(
        (body["data"].as_str(), body["chunked"].as_bool()),
        (Some("abc"), Some(false))
    );
}

#[wasm_bindgen_test]
async fn a_failing_request_stream_reports_its_own_error() {
    let chunks = futures_util::stream::iter([
        Ok(b"part".to_vec()),
        Err(httpx::Error::new(ErrorKind::WriteError, "the source broke")),
    ]);
    let err = client()
        .post("/post")
        .body(Body::from_stream(chunks, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteError, "{err}");
    assert!(err.to_string().contains("the source broke"), "{err}");
}

#[wasm_bindgen_test]
async fn response_body_streams_chunk_by_chunk() {
    let client = client();
    let started = Instant::now();
    let mut response = client
        .stream("GET", "/slow-body?chunks=4&interval_ms=250")
        .send()
        .await
        .unwrap();
    let mut arrivals = Vec::new();
    let mut body = Vec::new();
    let mut chunks = response.aiter_bytes();
    while let Some(chunk) = chunks.next().await {
        arrivals.push(started.elapsed());
        body.extend_from_slice(&chunk.unwrap());
    }
    drop(chunks);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "chunk 0\nchunk 1\nchunk 2\nchunk 3\n"
    );
    assert!(arrivals.len() >= 3, "chunks arrived together: {arrivals:?}");
    let (first, last) = (arrivals[0], arrivals[arrivals.len() - 1]);
    assert!(
        last - first >= Duration::from_millis(400),
        "the first chunk came only at the end: {arrivals:?}"
    );
    assert!(response.is_closed());
}

#[wasm_bindgen_test]
async fn dropping_a_streamed_response_aborts_it() {
    let client = client();
    let mut response = client
        .stream("GET", "/slow-body?chunks=100&interval_ms=100")
        .send()
        .await
        .unwrap();
    let first = response.aiter_bytes().next().await.unwrap().unwrap();
    assert_eq!(&first[..], b"chunk 0\n");
    drop(response);
    // The client goes on working; an abort of a fetch that is not there would throw.
    let again = client.get("/get").send().await.unwrap();
    assert_eq!(again.status(), 200);
}

/// Resolves after `ms` milliseconds (the global `setTimeout`, in every host).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = get(&js_sys::global(), "setTimeout");
        let set_timeout: &js_sys::Function = wasm_bindgen::JsCast::unchecked_ref(&set_timeout);
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// A timeout fired, and not before its deadline: the error's kind says it fired (the
/// server would have answered seconds later); the time says it was not early, with a
/// generous upper bound for busy machines (the requests' other limits are 10 s).
#[track_caller]
fn assert_fired_at(started: Instant, deadline_ms: u64) {
    let elapsed = started.elapsed();
    // Less a few milliseconds: timers and clocks round to whole milliseconds.
    assert!(
        elapsed >= Duration::from_millis(deadline_ms.saturating_sub(5)),
        "fired after {elapsed:?}, before its {deadline_ms} ms deadline"
    );
    assert!(
        elapsed < Duration::from_millis(deadline_ms + 5000),
        "fired after {elapsed:?}, long after its {deadline_ms} ms deadline"
    );
}

#[wasm_bindgen_test]
async fn dropping_the_response_future_aborts_the_fetch() {
    use futures_util::future::{select, Either};
    let client = client();
    let started = Instant::now();
    let send = client
        .get("/delay/3")
        .timeout(Timeout::new(10.0).connect(0.6).total(0.8))
        .send();
    match select(Box::pin(send), Box::pin(sleep(200))).await {
        Either::Left((result, _)) => panic!("the delayed response came first: {result:?}"),
        Either::Right(((), pending)) => drop(pending),
    }
    // Past the timers the dropped request had: none of them may fire into freed state.
    sleep(900).await;
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    let again = client.get("/get").send().await.unwrap();
    assert_eq!(again.status(), 200);
}

#[wasm_bindgen_test]
async fn the_host_decodes_and_the_headers_say_so() {
    let client = client();
    for (path, key) in [
        ("/gzip", "gzip"),
        ("/deflate", "deflate"),
        ("/brotli", "brotli"),
    ] {
        let response = client.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(!response.headers().contains("content-encoding"), "{path}");
        assert!(!response.headers().contains("content-length"), "{path}");
        let body = json(&response);
        assert_eq!(body[key], true, "{path}: {body}");
    }
    let text = client
        .get("/compressed/gzip?body=hello%20&repeat=3")
        .send()
        .await
        .unwrap();
    assert_eq!(text.text().unwrap(), "hello hello hello ");
    // Without an encoding, Content-Length counts the bytes that arrive (progress bars).
    let plain = client.get("/bytes/1000").send().await.unwrap();
    assert_eq!(
        plain.headers().get("content-length").as_deref(),
        Some("1000")
    );
    assert_eq!(plain.content().unwrap().len(), 1000);
}

#[wasm_bindgen_test]
async fn connect_timeout_bounds_the_wait_for_headers() {
    let started = Instant::now();
    let err = client()
        .get("/delay/3")
        .timeout(Timeout::new(10.0).connect(0.3))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
    assert_fired_at(started, 300);
}

#[wasm_bindgen_test]
async fn read_timeout_bounds_the_wait_for_headers_when_smaller() {
    let err = client()
        .get("/delay/3")
        .timeout(Timeout::new(10.0).read(0.3))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
    assert!(err.to_string().contains("headers"), "{err}");
}

#[wasm_bindgen_test]
async fn read_timeout_between_body_chunks() {
    let client = client();
    let started = Instant::now();
    let err = client
        .get("/slow-body?chunks=3&interval_ms=1500")
        .timeout(Timeout::new(10.0).read(0.4))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
    assert!(err.to_string().contains("body"), "{err}");
    assert_fired_at(started, 400);
    // A gap shorter than the read timeout is fine, however long the whole body takes.
    let ok = client
        .get("/slow-body?chunks=4&interval_ms=200")
        .timeout(Timeout::new(10.0).read(0.6))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.text().unwrap().lines().count(), 4);
}

#[wasm_bindgen_test]
async fn total_timeout_covers_headers_and_body() {
    let client = client();
    let err = client
        .get("/delay/3")
        .timeout(Timeout::new(10.0).total(0.3))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    let started = Instant::now();
    let err = client
        .get("/slow-body?chunks=10&interval_ms=150")
        .timeout(Timeout::new(10.0).total(0.6))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    assert_fired_at(started, 600);
    assert!(err.request().unwrap().url.path().starts_with("/slow-body"));
}

#[wasm_bindgen_test]
async fn refused_connection_is_a_connect_error() {
    // A loopback port nothing listens on (and not on the hosts' bad-port lists).
    let err = client()
        .get("http://127.0.0.1:59998/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectError, "{err}");
    assert!(err.is_network() && err.is_transport());
    let message = err.to_string();
    match host() {
        Host::Node => assert!(message.contains("ECONNREFUSED"), "{message}"),
        Host::Page | Host::Worker => assert!(message.contains("Failed to fetch"), "{message}"),
    }
}

#[wasm_bindgen_test]
async fn redirects_followed_by_the_host() {
    let response = client()
        .get("/redirect/2")
        .follow_redirects(true)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().unwrap().as_str(), url("/get"));
    assert_eq!(
        response.request().unwrap().url().as_str(),
        url("/redirect/2")
    );
    assert!(response.history().is_empty(), "the host hides the hops");
    assert!(details(&response).redirected);
    assert_eq!(json(&response)["url"], url("/get"));
}

#[wasm_bindgen_test]
async fn redirects_not_followed() {
    let mut response = client().get("/redirect/2").send().await.unwrap();
    assert!(response.is_redirect());
    match host() {
        Host::Page | Host::Worker => {
            assert_eq!(response.status_code(), 0);
            assert!(response.is_opaque_redirect());
            assert!(!response.has_redirect_location());
            assert!(response.headers().is_empty());
            assert!(response.next_request().is_none());
            assert!(response.content().unwrap().is_empty());
            assert_eq!(details(&response).response_type, "opaqueredirect");
        }
        Host::Node => {
            assert_eq!(response.status_code(), 302);
            assert!(!response.is_opaque_redirect());
            assert_eq!(
                response.headers().get("location").as_deref(),
                Some("/redirect/1")
            );
            let next = response.take_next_request().unwrap();
            assert_eq!(next.url().as_str(), url("/redirect/1"));
        }
    }
}

#[wasm_bindgen_test]
async fn max_redirects_below_the_hosts_limit_is_refused() {
    let client = AsyncClient::builder()
        .base_url(server())
        .follow_redirects(true)
        .max_redirects(5)
        .build()
        .unwrap();
    let err = client.get("/get").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    assert!(err.to_string().contains("max_redirects=5"), "{err}");
    // Not following, the limit does not matter.
    let response = client
        .get("/get")
        .follow_redirects(false)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[wasm_bindgen_test]
async fn more_redirects_than_the_host_follows() {
    let err = client()
        .get("/redirect/25")
        .follow_redirects(true)
        .send()
        .await
        .unwrap_err();
    match host() {
        Host::Node => assert_eq!(err.kind(), ErrorKind::TooManyRedirects, "{err}"),
        Host::Page | Host::Worker => assert_eq!(err.kind(), ErrorKind::ConnectError, "{err}"),
    }
}

#[wasm_bindgen_test]
async fn basic_auth() {
    let client = client();
    let response = client
        .get("/basic-auth/user/pass")
        .auth(("user", "pass"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&response)["authenticated"], true);
    let refused = client.get("/basic-auth/user/pass").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers().get("www-authenticate").as_deref(),
        Some("Basic realm=\"Fake Realm\""),
        "exposed through CORS"
    );
    let in_url = client
        .get(url("/basic-auth/user/pass").replace("http://", "http://user:pass@"))
        .send()
        .await
        .unwrap();
    assert_eq!(in_url.status(), 200);
}

#[wasm_bindgen_test]
async fn digest_auth_through_cors() {
    let client = AsyncClient::builder()
        .base_url(server())
        .auth(DigestAuth::new("user", "passwd"))
        .build()
        .unwrap();
    for path in [
        "/digest-auth/auth/user/passwd",
        "/digest-auth/auth/user/passwd/SHA-256",
        "/digest-auth/auth-int/user/passwd/SHA-512-256",
    ] {
        let response = client.post(path).content("payload").send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(json(&response)["authenticated"], true, "{path}");
        assert_eq!(response.history().len(), 1, "{path}: the 401 challenge");
        assert_eq!(response.history()[0].status(), 401);
    }
}

#[wasm_bindgen_test]
async fn exposed_response_headers_and_links() {
    let response = client()
        .get("/response-headers?X-Custom-Thing=abc&X-Custom-Thing=def")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers().get("x-custom-thing").as_deref(),
        Some("abc, def")
    );
    let links = client().get("/links?page=2").send().await.unwrap();
    assert!(links.links().contains_key("next"));
    let teapot = client().get("/status/418").send().await.unwrap();
    assert_eq!(teapot.status(), 418);
    assert!(!teapot.reason_phrase().is_empty());
}

#[wasm_bindgen_test]
async fn forbidden_headers_set_by_the_user_are_refused() {
    let client = client();
    for name in [
        "Cookie",
        "Host",
        "Sec-Custom",
        "Proxy-Authorization",
        "Content-Length",
    ] {
        let err = client
            .get("/get")
            .header(name, "1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError, "{name}");
        let lowercase = name.to_ascii_lowercase();
        assert!(err.to_string().contains(&lowercase), "{err}");
    }
    let err = client
        .get("/get")
        .header("x-http-method-override", "TRACE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    let err = client.request("TRACE", "/get").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    let err = client.get("/get").content("body").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
    // The client's own defaults among them are dropped, not refused.
    let response = client.get("/headers").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[wasm_bindgen_test]
async fn error_kinds() {
    let client = client();
    let missing = client.get("/status/404").send().await.unwrap();
    let err = missing.raise_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert!(err.to_string().contains("/status/404"), "{err}");
    let err = client
        .get("http://127.0.0.1:99999/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = client.get("ftp://127.0.0.1/").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
    let err = AsyncClient::builder()
        .proxy(httpx::Proxy::new("http://127.0.0.1:3128").unwrap())
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProxyError);
}

#[wasm_bindgen_test]
async fn the_transport_used_directly() {
    use httpx::{AsyncTransport, Method, Request, Url};
    let transport = FetchTransport::new();
    let caps = transport.capabilities();
    assert!(caps.follows_redirects && caps.manages_cookies && caps.decodes_content);
    assert!(caps.forbids("Sec-Fetch-Mode") && caps.forbids("cookie") && !caps.forbids("x-a"));
    // Request::new adds Host and Content-Length, which the transport drops itself.
    let mut request = Request::new(Method::POST, Url::parse(&url("/post")).unwrap());
    request.set_body("direct");
    let mut response = transport.handle_async_request(request).await.unwrap();
    response.aread().await.unwrap();
    assert_eq!(json(&response)["data"], "direct");
    let mut request = Request::new(Method::GET, Url::parse(&url("/get")).unwrap());
    request.headers_mut().insert("Connection", "close").unwrap();
    let err = transport.handle_async_request(request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
}

#[wasm_bindgen_test]
async fn mock_transport_and_mounts() {
    let mock = MockTransport::new(|request| {
        Response::builder(200)
            .text(format!("mocked {}", request.url().path()))
            .build()
    });
    let client = AsyncClient::builder()
        .mount("all://mock.test", mock.clone())
        .build()
        .unwrap();
    let mocked = client.get("https://mock.test/x").send().await.unwrap();
    assert_eq!(mocked.text().unwrap(), "mocked /x");
    // Everything else goes to the default transport: fetch.
    let real = client.get(url("/get")).send().await.unwrap();
    assert_eq!(json(&real)["url"], url("/get"));
    assert!(real.extensions().get::<FetchDetails>().is_some());
    // The mock as the client's transport, with the core's redirects and cookies.
    let client = AsyncClient::builder().transport(mock).build().unwrap();
    let response = client.get("https://example.org/y").send().await.unwrap();
    assert_eq!(response.text().unwrap(), "mocked /y");
}

#[wasm_bindgen_test]
async fn credentials_decide_whether_the_browser_sends_cookies() {
    let include = AsyncClient::builder()
        .base_url(server())
        .credentials(Credentials::Include)
        .follow_redirects(true)
        .build()
        .unwrap();
    // /cookies/set answers 302 to /cookies, which echoes the cookies it received.
    let set = include
        .get("/cookies/set?flavour=oat")
        .send()
        .await
        .unwrap();
    assert!(!set.headers().contains("set-cookie"));
    let with_include = include.get("/cookies").send().await.unwrap();
    let omitted = include
        .get("/cookies")
        .credentials(Credentials::Omit)
        .send()
        .await
        .unwrap();
    let default = client().get("/cookies").send().await.unwrap();
    // The client's own jar is never used with fetch.
    assert!(include.cookies().is_empty());
    match host() {
        Host::Page | Host::Worker => {
            assert_eq!(json(&set)["cookies"]["flavour"], "oat");
            assert_eq!(json(&with_include)["cookies"]["flavour"], "oat");
            // Cross-origin: same-origin (the default) and omit send none.
            assert_eq!(json(&omitted)["cookies"], serde_json::json!({}));
            assert_eq!(json(&default)["cookies"], serde_json::json!({}));
            include.get("/cookies/delete?flavour").send().await.unwrap();
        }
        Host::Node => {
            // Node's fetch keeps no cookies, whatever `credentials` says.
            for response in [&set, &with_include, &omitted, &default] {
                assert_eq!(json(response)["cookies"], serde_json::json!({}));
            }
        }
    }
}

#[wasm_bindgen_test]
async fn set_cookie_visibility() {
    let response = client().get("/cookies/set?seen=1").send().await.unwrap();
    match host() {
        // An opaque redirect: nothing is visible, Set-Cookie least of all.
        Host::Page | Host::Worker => assert!(response.headers().is_empty()),
        // Node exposes it, but the client's jar stays unused (the host's rules apply).
        Host::Node => {
            assert!(response.headers().contains("set-cookie"));
        }
    }
    let plain = client()
        .get("/response-headers?Set-Cookie=a%3Db")
        .send()
        .await
        .unwrap();
    assert_eq!(
        plain.headers().contains("set-cookie"),
        host() == Host::Node,
        "browsers never show Set-Cookie"
    );
}

#[wasm_bindgen_test]
async fn idna_hosts_parse() {
    let url = httpx::Url::parse("http://bücher.example/").unwrap();
    assert_eq!(url.raw_host(), "xn--bcher-kva.example");
}
