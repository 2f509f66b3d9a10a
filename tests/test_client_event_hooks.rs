//! Event hooks: httpx's `tests/client/test_event_hooks.py`.
//!
//! The sync hooks (`on_request`, `on_response`) run with both clients through
//! `dual_test!`; httpx's `test_async_*` variants use the AsyncClient's async hooks
//! (`on_request_async`, `on_response_async`) at the end of the file. Every httpx test is
//! mirrored; nothing is skipped.
//!
//! `auth=("username", "password")` becomes `HeaderAuth` below (BasicAuth is a later
//! issue): the hooks see the request after the auth flow, with its `Authorization`.

// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use httpx::auth::{Auth, AuthFlow, SingleRequest};
use httpx::{Error, ErrorKind, MockTransport, Request, Response, Result};
use serde_json::{json, Value};

#[derive(Debug)]
struct HeaderAuth;

impl Auth for HeaderAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        request
            .headers_mut()
            .insert("Authorization", "Basic dXNlcm5hbWU6cGFzc3dvcmQ=")
            .expect("a valid value");
        Box::new(SingleRequest::new(request))
    }
}

/// httpx's `app`.
fn app(request: Request) -> Result<Response> {
    let path = request.url().path().into_owned();
    if path == "/redirect" {
        return Response::builder(303)
            .header("server", "testserver")
            .header("location", "/")
            .build();
    }
    if let Some(code) = path.strip_prefix("/status/") {
        return Response::builder(code.parse::<u16>().unwrap())
            .header("server", "testserver")
            .build();
    }
    Response::builder(200)
        .header("server", "testserver")
        .build()
}

type Events = Arc<Mutex<Vec<Value>>>;

fn headers_of(headers: &httpx::Headers) -> Value {
    let map: BTreeMap<String, String> = headers.items().collect();
    json!(map)
}

fn request_event(request: &Request) -> Value {
    json!({"event": "request", "headers": headers_of(request.headers())})
}

fn response_event(response: &Response) -> Value {
    json!({"event": "response", "headers": headers_of(response.headers())})
}

fn expected_request_headers() -> Value {
    json!({
        "host": "127.0.0.1:8000",
        "user-agent": httpx::config::USER_AGENT,
        "accept": "*/*",
        "accept-encoding": common::DEFAULT_ACCEPT_ENCODING,
        "connection": "keep-alive",
        "authorization": "Basic dXNlcm5hbWU6cGFzc3dvcmQ=",
    })
}

fn expected_events(with_redirect: bool) -> Vec<Value> {
    let request = json!({"event": "request", "headers": expected_request_headers()});
    let response = json!({"event": "response", "headers": {"server": "testserver"}});
    if with_redirect {
        vec![
            request.clone(),
            json!({"event": "response", "headers": {"location": "/", "server": "testserver"}}),
            request,
            response,
        ]
    } else {
        vec![request, response]
    }
}

dual_test! {
    fn test_event_hooks() {
        let events: Events = Arc::default();
        let (on_request, on_response) = (events.clone(), events.clone());
        let client = builder!()
            .on_request(move |request| {
                on_request.lock().unwrap().push(request_event(request));
                Ok(())
            })
            .on_response(move |response| {
                on_response.lock().unwrap().push(response_event(response));
                Ok(())
            })
            .transport(MockTransport::new(app))
            .build()?;
        send!(client.get("http://127.0.0.1:8000/").auth(HeaderAuth))?;
        assert_eq!(*events.lock().unwrap(), expected_events(false));
        Ok(())
    }

    fn test_event_hooks_raising_exception() {
        let client = builder!()
            .on_response(|response| {
                response.read()?;
                response.check_status()
            })
            .transport(MockTransport::new(app))
            .build()?;
        let err = send!(client.get("http://127.0.0.1:8000/status/400")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HttpStatus);
        assert_eq!(err.status().unwrap(), 400);
        assert_eq!(err.request().unwrap().url.as_str(), "http://127.0.0.1:8000/status/400");
        // The hook saw a read body (httpx's `exc.response.is_closed`).
        assert!(err.status_error().unwrap().body.is_some());
        // 2xx passes.
        let response = send!(client.get("http://127.0.0.1:8000/"))?;
        assert_eq!(response.status(), 200);
        Ok(())
    }

    fn test_event_hooks_with_redirect() {
        // A redirect triggers the request and response hooks again.
        let events: Events = Arc::default();
        let (on_request, on_response) = (events.clone(), events.clone());
        let client = builder!()
            .on_request(move |request| {
                on_request.lock().unwrap().push(request_event(request));
                Ok(())
            })
            .on_response(move |response| {
                on_response.lock().unwrap().push(response_event(response));
                Ok(())
            })
            .transport(MockTransport::new(app))
            .follow_redirects(true)
            .build()?;
        send!(client.get("http://127.0.0.1:8000/redirect").auth(HeaderAuth))?;
        assert_eq!(*events.lock().unwrap(), expected_events(true));
        Ok(())
    }

    fn test_request_hook_can_change_the_request() {
        let client = builder!()
            .on_request(|request| {
                request.headers_mut().insert("X-Hooked", "yes")?;
                Ok(())
            })
            .transport(MockTransport::new(common::echo))
            .build()?;
        let response = send!(client.get("http://example.org/"))?;
        let body: Value = response.json()?;
        assert!(body["headers"].as_array().unwrap().contains(&json!(["x-hooked", "yes"])));
        Ok(())
    }

    fn test_request_hook_error_aborts_before_the_transport() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let client = builder!()
            .on_request(|_| Err(Error::new(ErrorKind::LocalProtocolError, "refused by hook")))
            .transport(MockTransport::new(move |request| {
                counter.fetch_add(1, Ordering::SeqCst);
                common::echo(request)
            }))
            .build()?;
        let err = send!(client.get("http://example.org/x")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
        assert_eq!(err.to_string(), "refused by hook (GET http://example.org/x)");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        Ok(())
    }

    fn test_hooks_run_in_order_they_were_added() {
        let order: Arc<Mutex<Vec<&'static str>>> = Arc::default();
        let (a, b, c, d) = (order.clone(), order.clone(), order.clone(), order.clone());
        let client = builder!()
            .on_request(move |_| { a.lock().unwrap().push("request 1"); Ok(()) })
            .on_response(move |_| { b.lock().unwrap().push("response 1"); Ok(()) })
            .on_request(move |_| { c.lock().unwrap().push("request 2"); Ok(()) })
            .on_response(move |_| { d.lock().unwrap().push("response 2"); Ok(()) })
            .transport(MockTransport::new(app))
            .build()?;
        send!(client.get("http://example.org/"))?;
        assert_eq!(*order.lock().unwrap(), vec!["request 1", "request 2", "response 1", "response 2"]);
        Ok(())
    }

    fn test_response_hook_sees_the_body_unread_on_a_stream() {
        // The response hook runs before the body is read; it may read it.
        let transport = MockTransport::new(|_| {
            Response::builder(200).stream(vec![Ok::<_, Error>("chunk")]).build()
        });
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let client = builder!()
            .on_response(move |response| {
                let unread = response.content().is_err();
                let text = String::from_utf8_lossy(response.read()?).into_owned();
                log.lock().unwrap().push(format!("{unread} {text}"));
                Ok(())
            })
            .transport(transport)
            .build()?;
        let response = send!(client.get("http://example.org/"))?;
        assert_eq!(response.text()?, "chunk");
        assert_eq!(*seen.lock().unwrap(), vec!["true chunk"]);
        Ok(())
    }
}

/// httpx's `test_async_event_hooks`: async hooks on the AsyncClient.
#[tokio::test]
async fn test_async_event_hooks() -> Result<()> {
    let events: Events = Arc::default();
    let (on_request, on_response) = (events.clone(), events.clone());
    let client = httpx::AsyncClient::builder()
        .on_request_async(move |request| {
            let events = on_request.clone();
            Box::pin(async move {
                tokio::task::yield_now().await;
                events.lock().unwrap().push(request_event(request));
                Ok(())
            })
        })
        .on_response_async(move |response| {
            let events = on_response.clone();
            Box::pin(async move {
                tokio::task::yield_now().await;
                events.lock().unwrap().push(response_event(response));
                Ok(())
            })
        })
        .transport(MockTransport::new(app))
        .build()?;
    client
        .get("http://127.0.0.1:8000/")
        .auth(HeaderAuth)
        .send()
        .await?;
    assert_eq!(*events.lock().unwrap(), expected_events(false));
    Ok(())
}

#[tokio::test]
async fn test_async_event_hooks_raising_exception() -> Result<()> {
    let client = httpx::AsyncClient::builder()
        .on_response_async(|response| {
            Box::pin(async move {
                response.aread().await?;
                response.check_status()
            })
        })
        .transport(MockTransport::new(app))
        .build()?;
    let err = client
        .get("http://127.0.0.1:8000/status/400")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert_eq!(err.status().unwrap(), 400);
    Ok(())
}

#[tokio::test]
async fn test_async_event_hooks_with_redirect() -> Result<()> {
    let events: Events = Arc::default();
    let (on_request, on_response) = (events.clone(), events.clone());
    let client = httpx::AsyncClient::builder()
        .on_request_async(move |request| {
            let events = on_request.clone();
            Box::pin(async move {
                events.lock().unwrap().push(request_event(request));
                Ok(())
            })
        })
        .on_response_async(move |response| {
            let events = on_response.clone();
            Box::pin(async move {
                events.lock().unwrap().push(response_event(response));
                Ok(())
            })
        })
        .transport(MockTransport::new(app))
        .follow_redirects(true)
        .build()?;
    client
        .get("http://127.0.0.1:8000/redirect")
        .auth(HeaderAuth)
        .send()
        .await?;
    assert_eq!(*events.lock().unwrap(), expected_events(true));
    Ok(())
}

/// Sync and async hooks mix on the AsyncClient, in the order they were added; an async
/// hook can do async work before the request goes out.
#[tokio::test]
async fn test_async_and_sync_hooks_mix() -> Result<()> {
    let client = httpx::AsyncClient::builder()
        .on_request(|request| {
            request.headers_mut().insert("X-Order", "sync")?;
            Ok(())
        })
        .on_request_async(|request| {
            Box::pin(async move {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let before = request
                    .headers()
                    .get("x-order")
                    .unwrap_or_default()
                    .into_owned();
                request
                    .headers_mut()
                    .insert("X-Order", format!("{before},async"))?;
                Ok(())
            })
        })
        .transport(MockTransport::new(common::echo))
        .build()?;
    let response = client.get("http://example.org/").send().await?;
    let body: Value = response.json()?;
    assert!(body["headers"]
        .as_array()
        .unwrap()
        .contains(&json!(["x-order", "sync,async"])));
    Ok(())
}

#[tokio::test]
async fn test_async_request_hook_error_aborts() -> Result<()> {
    let client = httpx::AsyncClient::builder()
        .on_request_async(|_| {
            Box::pin(async { Err(Error::new(ErrorKind::InvalidState, "no token yet")) })
        })
        .transport(MockTransport::new(|_| {
            panic!("the transport must not be called")
        }))
        .build()?;
    let err = client.get("http://example.org/").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert_eq!(err.message(), "no token yet");
    Ok(())
}
