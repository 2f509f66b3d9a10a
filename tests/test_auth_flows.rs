//! The auth plumbing: the `Auth` / `AuthFlow` / `AsyncAuthFlow` traits as the clients
//! drive them, from httpx's `tests/client/test_auth.py`, each test run with `Client` and
//! `AsyncClient` unless it is about one of them.
//!
//! Mirrored (custom schemes only): `test_custom_auth`, `test_basic_auth_on_session` and
//! `test_basic_auth_with_stream` (with a custom header auth), `test_auth_disable_per_request`,
//! `test_auth_hidden_header`, `test_sync_auth_history`/`test_async_auth_history`,
//! `test_sync_auth_reads_response_body`/`test_async_auth_reads_response_body`,
//! `test_sync_auth`/`test_async_auth`, and `test_digest_auth_unavailable_streaming_body`
//! (as a custom flow that retries after a 401).
//!
//! Not here:
//! - BasicAuth, DigestAuth and NetRCAuth (`test_basic_auth*` with tuples or URL userinfo,
//!   `test_netrc_*`, every `test_digest_*`): later issue, with those schemes.
//! - `test_auth_property` (`client.auth` getter and setter): the client has no auth
//!   getter; auth is given to the builder.
//! - `test_auth_invalid_type` (a non-Auth value as `auth=`): ruled out by Rust's types.
//! - `test_auth_hidden_url`: a `Url` model test (models/test_url).

// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;
use common::{auth_app, auth_of};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use httpx::auth::{AsyncAuthFlow, Auth, AuthFlow, SingleRequest};
use httpx::rt::BoxFuture;
use httpx::{Body, Error, ErrorKind, MockTransport, Request, Response, Result, SendOptions};
use serde_json::{json, Value};

/// Sets `Authorization` to a fixed value (httpx's function auth in `test_custom_auth`).
#[derive(Debug)]
struct TokenAuth(&'static str);

impl Auth for TokenAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        request
            .headers_mut()
            .insert("Authorization", self.0)
            .expect("a valid header value");
        Box::new(SingleRequest::new(request))
    }
}

/// httpx's `RepeatAuth`: sends the request `repeat` times, then once more with the
/// `WWW-Authenticate` values it got joined by dots. Needs the request body in memory;
/// records the body each time it builds a request.
#[derive(Debug, Default)]
struct RepeatAuth {
    repeat: usize,
    bodies: Mutex<Vec<Vec<u8>>>,
}

struct RepeatFlow<'a> {
    auth: &'a RepeatAuth,
    request: Request,
    sent: usize,
    nonces: Vec<String>,
}

impl RepeatFlow<'_> {
    fn send(&mut self, authorization: String) -> Result<Request> {
        self.request
            .headers_mut()
            .insert("Authorization", authorization)?;
        self.auth
            .bodies
            .lock()
            .unwrap()
            .push(self.request.content()?.to_vec());
        self.sent += 1;
        Ok(self.request.clone())
    }
}

impl AuthFlow for RepeatFlow<'_> {
    fn first(&mut self) -> Result<Request> {
        if self.auth.repeat == 0 {
            return self.send("Repeat ".to_string());
        }
        self.send("Repeat 0".to_string())
    }

    fn next(&mut self, response: &Response) -> Result<Option<Request>> {
        if self.sent > self.auth.repeat {
            return Ok(None);
        }
        let nonce = response
            .headers()
            .get("www-authenticate")
            .unwrap_or_default();
        self.nonces.push(nonce.into_owned());
        if self.sent < self.auth.repeat {
            let index = self.sent;
            return self.send(format!("Repeat {index}")).map(Some);
        }
        let key = self.nonces.join(".");
        self.send(format!("Repeat {key}")).map(Some)
    }
}

impl Auth for RepeatAuth {
    fn requires_request_body(&self) -> bool {
        true
    }
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(RepeatFlow {
            auth: self,
            request,
            sent: 0,
            nonces: Vec::new(),
        })
    }
}

/// httpx's `ResponseBodyAuth`: sends the token, then the first response's text.
#[derive(Debug)]
struct ResponseBodyAuth(&'static str);

struct ResponseBodyFlow {
    token: &'static str,
    request: Request,
    done: bool,
}

impl AuthFlow for ResponseBodyFlow {
    fn first(&mut self) -> Result<Request> {
        self.request
            .headers_mut()
            .insert("Authorization", self.token)?;
        Ok(self.request.clone())
    }
    fn next(&mut self, response: &Response) -> Result<Option<Request>> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        // The client read the body before calling us.
        let data = response.text()?.to_string();
        self.request.headers_mut().insert("Authorization", data)?;
        Ok(Some(self.request.clone()))
    }
}

impl Auth for ResponseBodyAuth {
    fn requires_response_body(&self) -> bool {
        true
    }
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(ResponseBodyFlow {
            token: self.0,
            request,
            done: false,
        })
    }
}

/// httpx's `SyncOrAsyncAuth`: one implementation per client, the async one awaiting an
/// async lock.
#[derive(Debug, Default)]
struct SyncOrAsyncAuth {
    lock: Mutex<()>,
    async_lock: tokio::sync::Mutex<()>,
}

impl Auth for SyncOrAsyncAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        let _guard = self.lock.lock().unwrap();
        request
            .headers_mut()
            .insert("Authorization", "sync-auth")
            .expect("valid");
        Box::new(SingleRequest::new(request))
    }

    fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
        Box::new(AsyncFlow {
            auth: self,
            request: Some(request),
        })
    }
}

struct AsyncFlow<'a> {
    auth: &'a SyncOrAsyncAuth,
    request: Option<Request>,
}

impl AsyncAuthFlow for AsyncFlow<'_> {
    fn first(&mut self) -> BoxFuture<'_, Result<Request>> {
        Box::pin(async move {
            let _guard = self.auth.async_lock.lock().await;
            tokio::task::yield_now().await;
            let mut request = self
                .request
                .take()
                .ok_or_else(|| Error::new(ErrorKind::InvalidState, "first() called twice"))?;
            request
                .headers_mut()
                .insert("Authorization", "async-auth")?;
            Ok(request)
        })
    }

    fn next<'a>(&'a mut self, _response: &'a Response) -> BoxFuture<'a, Result<Option<Request>>> {
        Box::pin(async { Ok(None) })
    }
}

/// Retries once after a 401, with `Authorization: retry`; the retry is the request that
/// got the 401 (a stream body in it was consumed by sending it).
#[derive(Debug)]
struct RetryOn401;

struct RetryFlow {
    request: Option<Request>,
    retried: bool,
}

impl AuthFlow for RetryFlow {
    fn first(&mut self) -> Result<Request> {
        let mut request = self
            .request
            .take()
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "first() called twice"))?;
        request.headers_mut().insert("Authorization", "first")?;
        Ok(request)
    }
    fn next(&mut self, response: &Response) -> Result<Option<Request>> {
        if response.status() != 401 || self.retried {
            return Ok(None);
        }
        self.retried = true;
        let mut retry = response
            .request()
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "no request"))?
            .clone();
        retry.headers_mut().insert("Authorization", "retry")?;
        Ok(Some(retry))
    }
}

impl Auth for RetryOn401 {
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(RetryFlow {
            request: Some(request),
            retried: false,
        })
    }
}

/// 401 unless `Authorization: retry`; echoes the body; counts calls.
fn challenge_app() -> (MockTransport, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let transport = MockTransport::new(move |request: Request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let auth = request
            .headers()
            .get("authorization")
            .map(|v| v.into_owned());
        let status = if auth.as_deref() == Some("retry") {
            200
        } else {
            401
        };
        Response::builder(status)
            .header("www-authenticate", "Custom")
            .json(&json!({
                "auth": auth,
                "body": String::from_utf8_lossy(request.content()?),
                "path": request.url().path(),
            }))
            .build()
    });
    (transport, calls)
}

/// A flow that fails, in `first` or in `next`.
#[derive(Debug)]
struct FailingAuth {
    in_first: bool,
}

struct FailingFlow {
    in_first: bool,
    request: Option<Request>,
}

impl AuthFlow for FailingFlow {
    fn first(&mut self) -> Result<Request> {
        if self.in_first {
            return Err(Error::new(
                ErrorKind::LocalProtocolError,
                "no credentials for this host",
            ));
        }
        Ok(self.request.take().expect("first() once"))
    }
    fn next(&mut self, _response: &Response) -> Result<Option<Request>> {
        Err(Error::new(
            ErrorKind::RemoteProtocolError,
            "malformed challenge",
        ))
    }
}

impl Auth for FailingAuth {
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(FailingFlow {
            in_first: self.in_first,
            request: Some(request),
        })
    }
}

dual_test! {
    fn test_custom_auth() {
        let client = builder!().transport(auth_app("", 200)).build()?;
        let response = send!(client.get("https://example.org/").auth(TokenAuth("Token 123")))?;
        assert_eq!(response.status(), 200);
        assert_eq!(auth_of(&response), "Token 123");
        assert!(response.history().is_empty());
        Ok(())
    }

    fn test_auth_on_session() {
        // httpx's test_basic_auth_on_session with a custom scheme.
        let client = builder!()
            .transport(auth_app("", 200))
            .auth(TokenAuth("Token client"))
            .build()?;
        let response = send!(client.get("https://example.org/"))?;
        assert_eq!(auth_of(&response), "Token client");
        Ok(())
    }

    fn test_auth_with_stream() {
        // httpx's test_basic_auth_with_stream: client auth on a streamed response.
        let client = builder!()
            .transport(auth_app("", 200))
            .auth(TokenAuth("Token client"))
            .build()?;
        let mut response = send!(client.stream("GET", "https://example.org/"))?;
        read!(response)?;
        assert_eq!(response.status(), 200);
        assert_eq!(auth_of(&response), "Token client");
        Ok(())
    }

    fn test_auth_disable_per_request() {
        let client = builder!()
            .transport(auth_app("", 200))
            .auth(TokenAuth("Token client"))
            .build()?;
        let response = send!(client.get("https://example.org/").no_auth())?;
        assert_eq!(response.status(), 200);
        assert_eq!(auth_of(&response), Value::Null);
        Ok(())
    }

    fn test_auth_override_per_request() {
        let client = builder!()
            .transport(auth_app("", 200))
            .auth(TokenAuth("Token client"))
            .build()?;
        let response = send!(client.get("https://example.org/").auth(TokenAuth("Token request")))?;
        assert_eq!(auth_of(&response), "Token request");
        // A hand-set header on a request without auth goes as it is.
        let response = send!(client.get("https://example.org/").no_auth().header("Authorization", "mine"))?;
        assert_eq!(auth_of(&response), "mine");
        Ok(())
    }

    fn test_send_options() {
        let client = builder!()
            .transport(auth_app("", 200))
            .auth(TokenAuth("Token client"))
            .build()?;
        let request = || client.build_request("GET", "https://example.org/").build();

        let response = send_with!(client, request()?, SendOptions::new())?;
        assert_eq!(auth_of(&response), "Token client");
        let response = send_with!(client, request()?, SendOptions::new().auth(TokenAuth("Token send")))?;
        assert_eq!(auth_of(&response), "Token send");
        let response = send_with!(client, request()?, SendOptions::new().no_auth())?;
        assert_eq!(auth_of(&response), Value::Null);

        // stream(true): the body is left unread.
        let streaming = MockTransport::new(|_| Response::builder(200).stream(vec![Ok::<_, Error>("data")]).build());
        let client = builder!().transport(streaming).build()?;
        let request = client.build_request("GET", "https://example.org/").build()?;
        let mut response = send_with!(client, request, SendOptions::new().stream(true))?;
        assert_eq!(response.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        assert_eq!(read!(response)?.as_ref(), b"data");
        let request = client.build_request("GET", "https://example.org/").build()?;
        let response = send_with!(client, request, SendOptions::new().timeout(httpx::Timeout::new(1.0)))?;
        assert_eq!(response.text()?, "data");
        assert_eq!(response.request().unwrap().timeout().read, Some(std::time::Duration::from_secs(1)));
        Ok(())
    }

    fn test_auth_hidden_header() {
        let client = builder!().transport(auth_app("", 200)).build()?;
        let response = send!(client.get("https://example.org/").auth(TokenAuth("Basic c2VjcmV0")))?;
        let debug = format!("{:?}", response.request().unwrap().headers());
        assert!(debug.contains("[secure]"), "{debug}");
        assert!(!debug.contains("c2VjcmV0"), "{debug}");
        Ok(())
    }

    fn test_auth_history() {
        // Intermediate requests sent by an auth flow are in the response history.
        let auth = Arc::new(RepeatAuth { repeat: 2, ..RepeatAuth::default() });
        let client = builder!().transport(auth_app("abc", 200)).build()?;
        let response = send!(client.get("https://example.org/").auth(auth.clone()))?;
        assert_eq!(response.status(), 200);
        assert_eq!(auth_of(&response), "Repeat abc.abc");

        let history = response.history();
        assert_eq!(history.len(), 2);
        let (resp1, resp2) = (&history[0], &history[1]);
        assert_eq!(auth_of(resp1), "Repeat 0");
        assert_eq!(auth_of(resp2), "Repeat 1");
        assert_eq!(resp2.history().len(), 1);
        assert_eq!(auth_of(&resp2.history()[0]), "Repeat 0");
        assert_eq!(resp1.history().len(), 0);
        Ok(())
    }

    fn test_auth_reads_response_body() {
        // With requires_response_body, the flow sees the response body read.
        let client = builder!().transport(auth_app("", 200)).build()?;
        let response = send!(client.get("https://example.org/").auth(ResponseBodyAuth("xyz")))?;
        assert_eq!(response.status(), 200);
        assert_eq!(auth_of(&response), r#"{"auth":"xyz"}"#);
        Ok(())
    }

    fn test_auth_reads_streamed_response_body() {
        // Even when the response body is a stream, and the final response is streamed.
        let transport = MockTransport::new(|request: Request| {
            let auth = request.headers().get("authorization").unwrap_or_default().into_owned();
            Response::builder(200).stream(vec![Ok::<_, Error>(format!("seen:{auth}"))]).build()
        });
        let client = builder!().transport(transport).build()?;
        let mut response = send!(client.stream("GET", "https://example.org/").auth(ResponseBodyAuth("xyz")))?;
        assert_eq!(read!(response)?.as_ref(), b"seen:seen:xyz");
        assert_eq!(response.history()[0].text()?, "seen:xyz");
        Ok(())
    }

    fn test_auth_sync_or_async() {
        // httpx's test_sync_auth / test_async_auth: the AsyncClient runs the overridden
        // async_auth_flow; the sync Client falls back to auth_flow.
        let client = builder!().transport(auth_app("", 200)).build()?;
        let response = send!(client.get("https://example.org/").auth(SyncOrAsyncAuth::default()))?;
        assert_eq!(response.status(), 200);
        let expected = if flavour!() == "async" { "async-auth" } else { "sync-auth" };
        assert_eq!(auth_of(&response), expected);
        Ok(())
    }

    fn test_requires_request_body_with_streaming_body() {
        // The client reads a stream body before the flow starts: the flow sees the bytes,
        // and its retries can send them again.
        let auth = Arc::new(RepeatAuth { repeat: 1, ..RepeatAuth::default() });
        let transport = MockTransport::new(|request: Request| {
            Response::builder(200)
                .header("www-authenticate", "n")
                .json(&json!({
                    "auth": request.headers().get("authorization").map(|v| v.into_owned()),
                    "body": String::from_utf8_lossy(request.content()?),
                }))
                .build()
        });
        let client = builder!().transport(transport).build()?;
        let body = Body::from_iter(vec![Ok::<_, Error>("Hello, "), Ok("world!")], None);
        let response = send!(client.post("https://example.org/").body(body).auth(auth.clone()))?;
        let value: Value = response.json()?;
        assert_eq!(value["auth"], "Repeat n");
        assert_eq!(value["body"], "Hello, world!");
        assert_eq!(response.history().len(), 1);
        let bodies = auth.bodies.lock().unwrap();
        assert_eq!(*bodies, vec![b"Hello, world!".to_vec(), b"Hello, world!".to_vec()]);
        Ok(())
    }

    fn test_multi_step_flow_retry_after_401() {
        let (transport, calls) = challenge_app();
        let client = builder!().transport(transport).auth(RetryOn401).build()?;
        let response = send!(client.post("https://example.org/protected").content("payload"))?;
        assert_eq!(response.status(), 200);
        let value: Value = response.json()?;
        assert_eq!(value["auth"], "retry");
        assert_eq!(value["body"], "payload");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let history = response.history();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].status(), 401);
        assert_eq!(auth_of(&history[0]), "first");
        // Intermediate responses are read.
        assert!(history[0].is_closed());
        Ok(())
    }

    fn test_auth_unavailable_streamed_body() {
        // httpx's test_digest_auth_unavailable_streaming_body: the transport consumes the
        // stream, the flow asks for a retry after the 401, and a stream cannot be sent
        // twice.
        let (transport, calls) = challenge_app();
        let client = builder!().transport(transport).auth(RetryOn401).build()?;
        let body = Body::from_iter(vec![Ok::<_, Error>("Example request body")], None);
        let err = send!(client.post("https://example.org/").body(body)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamConsumed);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    }

    fn test_auth_flow_error_in_first_aborts() {
        let (transport, calls) = challenge_app();
        let client = builder!().transport(transport).build()?;
        let err = send!(client.get("https://example.org/x").auth(FailingAuth { in_first: true })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
        assert_eq!(err.to_string(), "no credentials for this host (GET https://example.org/x)");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        Ok(())
    }

    fn test_auth_flow_error_in_next_aborts() {
        let (transport, calls) = challenge_app();
        let client = builder!().transport(transport).build()?;
        let err = send!(client.get("https://example.org/x").auth(FailingAuth { in_first: false })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
        assert_eq!(err.message(), "malformed challenge");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    }

    fn test_auth_retries_go_through_request_hooks() {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let (log, responses) = (seen.clone(), seen.clone());
        let (transport, _) = challenge_app();
        let client = builder!()
            .transport(transport)
            .auth(RetryOn401)
            .on_request(move |request| {
                let auth = request.headers().get("authorization").unwrap_or_default().into_owned();
                log.lock().unwrap().push(format!("request {auth}"));
                Ok(())
            })
            .on_response(move |response| {
                responses.lock().unwrap().push(format!("response {}", response.status().as_u16()));
                Ok(())
            })
            .build()?;
        let response = send!(client.get("https://example.org/"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(
            *seen.lock().unwrap(),
            vec!["request first", "response 401", "request retry", "response 200"]
        );
        Ok(())
    }

    fn test_auth_flow_after_redirects() {
        // The flow sees the response at the end of the redirects; httpx's history rules:
        // the 401 is kept (its own redirect history is not), the 302 before it is not.
        let (challenge, _) = challenge_app();
        let transport = MockTransport::new(move |request: Request| {
            if request.url().path() == "/start" {
                Response::builder(302).header("location", "/protected").build()
            } else {
                httpx::Transport::handle_request(&challenge, request)
            }
        });
        let client = builder!().transport(transport).auth(RetryOn401).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/start"))?;
        assert_eq!(response.status(), 200);
        let value: Value = response.json()?;
        assert_eq!(value["path"], "/protected");
        let history = response.history();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].status(), 401);
        assert!(history[0].history().is_empty());
        Ok(())
    }

    fn test_shared_auth_instance_keeps_its_state() {
        // An `Arc<A>` is an Auth too: the client and a request share one instance.
        let auth = Arc::new(RepeatAuth { repeat: 0, ..RepeatAuth::default() });
        let client = builder!().transport(auth_app("", 200)).auth(auth.clone()).build()?;
        send!(client.get("https://example.org/").content("a"))?;
        send!(client.get("https://example.org/").auth(auth.clone()).content("b"))?;
        assert_eq!(*auth.bodies.lock().unwrap(), vec![b"a".to_vec(), b"b".to_vec()]);
        Ok(())
    }
}

/// An AsyncAuthFlow that does async work between steps (fetching a token after a 401),
/// used by the AsyncClient.
#[derive(Debug, Default)]
struct AsyncTokenAuth {
    fetches: AtomicUsize,
}

struct AsyncTokenFlow<'a> {
    auth: &'a AsyncTokenAuth,
    request: Option<Request>,
    retried: bool,
}

impl AsyncAuthFlow for AsyncTokenFlow<'_> {
    fn first(&mut self) -> BoxFuture<'_, Result<Request>> {
        Box::pin(async move {
            let mut request = self.request.take().expect("first() once");
            request.headers_mut().insert("Authorization", "first")?;
            Ok(request)
        })
    }

    fn next<'a>(&'a mut self, response: &'a Response) -> BoxFuture<'a, Result<Option<Request>>> {
        Box::pin(async move {
            if response.status() != 401 || self.retried {
                return Ok(None);
            }
            self.retried = true;
            // A real flow fetches a token over the network here.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            self.auth.fetches.fetch_add(1, Ordering::SeqCst);
            let mut retry = response.request().expect("request").clone();
            retry.headers_mut().insert("Authorization", "retry")?;
            Ok(Some(retry))
        })
    }
}

impl Auth for AsyncTokenAuth {
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(SingleRequest::new(request))
    }

    fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
        Box::new(AsyncTokenFlow {
            auth: self,
            request: Some(request),
            retried: false,
        })
    }
}

#[tokio::test]
async fn test_async_auth_flow_does_async_work() -> Result<()> {
    let (transport, calls) = challenge_app();
    let auth = Arc::new(AsyncTokenAuth::default());
    let client = httpx::AsyncClient::builder()
        .transport(transport)
        .auth(auth.clone())
        .build()?;
    let response = client.get("https://example.org/").send().await?;
    assert_eq!(response.status(), 200);
    assert_eq!(auth_of(&response), "retry");
    assert_eq!(response.history().len(), 1);
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    Ok(())
}

/// The same Auth on the sync Client uses `auth_flow` (no retry there).
#[test]
fn test_async_auth_flow_falls_back_to_auth_flow_on_sync_client() -> Result<()> {
    let (transport, calls) = challenge_app();
    let auth = Arc::new(AsyncTokenAuth::default());
    let client = httpx::Client::builder()
        .transport(transport)
        .auth(auth.clone())
        .build()?;
    let response = client.get("https://example.org/").send()?;
    assert_eq!(response.status(), 401);
    assert_eq!(auth_of(&response), Value::Null);
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    Ok(())
}

/// An async stream body with `requires_request_body` is read with `aread` before the
/// flow starts (AsyncClient only; the sync Client cannot read it).
#[tokio::test]
async fn test_requires_request_body_with_async_stream_body() -> Result<()> {
    let auth = Arc::new(RepeatAuth {
        repeat: 0,
        ..RepeatAuth::default()
    });
    let client = httpx::AsyncClient::builder()
        .transport(auth_app("", 200))
        .build()?;
    let stream = futures_util::stream::iter(vec![Ok::<_, Error>("async "), Ok("body")]);
    client
        .post("https://example.org/")
        .body(Body::from_stream(stream, None))
        .auth(auth.clone())
        .send()
        .await?;
    assert_eq!(*auth.bodies.lock().unwrap(), vec![b"async body".to_vec()]);

    let sync_client = httpx::Client::builder()
        .transport(auth_app("", 200))
        .build()?;
    let stream = futures_util::stream::iter(vec![Ok::<_, Error>("x")]);
    let err = sync_client
        .post("https://example.org/")
        .body(Body::from_stream(stream, None))
        .auth(auth.clone())
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    Ok(())
}
