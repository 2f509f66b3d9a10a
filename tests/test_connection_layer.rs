//! The native transport's connection layer against servers that misbehave at the
//! connection level (`httpx_test_server::FaultServer`): stray bytes on idle keep-alive
//! connections, connections closed under the pool, HTTP/2 GOAWAY and REFUSED_STREAM,
//! waiting for pooled connections, timeouts while a body is uploaded, and closing a
//! client. Each behaviour runs with the blocking `Client` and with the `AsyncClient`.
#![cfg(not(target_family = "wasm"))]

mod common;

use std::time::{Duration, Instant};

use httpx::ErrorKind;
use httpx_test_server::{FaultMode, FaultServer, TestServer};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Checks that every request succeeded with the body `want(i)`; otherwise fails with how
/// many failed, their error kinds and the first errors.
fn check_all(results: Vec<httpx::Result<String>>, want: impl Fn(usize) -> String) {
    let total = results.len();
    let mut failures = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok(body) => assert_eq!(body, want(i), "request {i}"),
            Err(e) => failures.push((i, e)),
        }
    }
    if !failures.is_empty() {
        let mut kinds: Vec<String> = failures.iter().map(|(_, e)| e.kind().to_string()).collect();
        kinds.sort();
        kinds.dedup();
        let first: Vec<String> = failures
            .iter()
            .take(3)
            .map(|(i, e)| format!("request {i}: {:?}: {e}", e.kind()))
            .collect();
        panic!(
            "{} of {total} requests failed (kinds {kinds:?}); first: {first:#?}",
            failures.len()
        );
    }
}

/// The text of a response, as a `Result` (for collecting from threads and tasks).
fn text_of(response: httpx::Result<httpx::Response>) -> httpx::Result<String> {
    Ok(response?.text()?.to_string())
}

// ---------------------------------------------------------------------------------------
// 1. Bytes that arrive on an idle keep-alive connection are not the answer to the next
//    request. 5. Requests that are not idempotent are not replayed.

dual_test! {
    /// The server writes a complete extra response on the idle connection 100 ms after
    /// each answer: the next request must get its own answer, not that one.
    fn stray_response_on_an_idle_connection_is_not_an_answer() {
        let server = FaultServer::start(FaultMode::StrayAfterResponse { delay: ms(100) });
        let client = builder!().build()?;
        let a = send!(client.get(server.url("/a")))?;
        assert_eq!(a.text()?, "answer to /a");
        sleep!(ms(300));
        assert_eq!(server.stray_responses_sent(), 1, "test premise: the stray response was written");
        let b = send!(client.get(server.url("/b")))?;
        assert_eq!(b.headers().get("x-smuggled"), None, "the stray response was taken as the answer to /b");
        assert_eq!(b.text()?, "answer to /b");
        let c = send!(client.get(server.url("/c")))?;
        assert_eq!(c.headers().get("x-smuggled"), None, "a stray response was taken as the answer to /c");
        assert_eq!(c.text()?, "answer to /c");
        Ok(())
    }

    /// The server reads the POST on the reused connection in full, then closes without
    /// answering: it may have acted on it, so the client must not send it again.
    fn post_is_not_replayed_after_the_connection_closed_unanswered() {
        let server = FaultServer::start(FaultMode::CloseAfterRequest);
        let client = builder!().build()?;
        let first = send!(client.get(server.url("/first")))?;
        assert_eq!(first.text()?, "answer to /first");
        let result = send!(client.post(server.url("/second")).content(&b"one-shot"[..]));
        let requests = server.requests_received();
        let connections = server.connections_accepted();
        match result {
            Ok(response) => panic!(
                "the POST succeeded ({:?}) after {requests} request heads on {connections} connections: it was replayed",
                response.text()
            ),
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
            }
        }
        assert_eq!(requests, 2, "the POST must reach the server exactly once");
        assert_eq!(connections, 1);
        Ok(())
    }

    /// The same with a GET: idempotent, so it is retried once on a new connection.
    fn get_is_retried_once_after_the_connection_closed_unanswered() {
        let server = FaultServer::start(FaultMode::CloseAfterRequest);
        let client = builder!().build()?;
        let first = send!(client.get(server.url("/first")))?;
        assert_eq!(first.text()?, "answer to /first");
        let second = send!(client.get(server.url("/second")))?;
        assert_eq!(second.text()?, "answer to /second");
        assert_eq!(server.requests_received(), 3);
        assert_eq!(server.connections_accepted(), 2);
        Ok(())
    }

    /// An HTTP/1.1 keep-alive timeout on the server between two requests.
    fn http1_connection_closed_while_idle_is_not_used() {
        let server = FaultServer::start(FaultMode::CloseWhenIdle { after: ms(200) });
        let client = builder!().build()?;
        assert_eq!(send!(client.get(server.url("/1")))?.text()?, "answer to /1");
        sleep!(ms(600));
        assert_eq!(send!(client.get(server.url("/2")))?.text()?, "answer to /2");
        assert_eq!(server.requests_received(), 2);
        assert_eq!(server.connections_accepted(), 2);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// 2. HTTP/2 streams the server did not process are retried.

mod h2_refused {
    use super::*;

    dual_test! {
        /// Every third stream of a connection is refused (REFUSED_STREAM): 30 requests
        /// one after the other all succeed.
        fn refused_streams_are_retried_sequentially() {
            let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
            let client = builder!().http2(true).ca_bundle_pem(server.ca_pem()).build()?;
            let mut results = Vec::new();
            for i in 0..30 {
                results.push(text_of(send!(client.get(server.url(&format!("/s/{i}"))))));
            }
            check_all(results, |i| format!("answer to /s/{i}"));
            assert!(server.requests_refused() >= 10, "test premise: {} refused", server.requests_refused());
            Ok(())
        }

        /// A refused POST (the server did not read its body) is retried and succeeds.
        fn refused_post_with_a_body_is_retried() {
            let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
            let client = builder!().http2(true).ca_bundle_pem(server.ca_pem()).build()?;
            for path in ["/1", "/2"] {
                let response = send!(client.get(server.url(path)))?;
                assert_eq!(response.http_version(), "HTTP/2");
                assert_eq!(response.text()?, format!("answer to {path}"));
            }
            // The third stream on the connection: refused, then sent again.
            let response = send!(client.post(server.url("/upload")).content(&b"0123456789"[..]))?;
            assert_eq!(response.text()?, "10");
            assert_eq!(server.requests_refused(), 1);
            assert_eq!(server.bodies_received(), 1);
            Ok(())
        }

        /// 3. An HTTP/2 connection the server shut down (GOAWAY) while idle is not used
        /// again.
        fn h2_connection_closed_while_idle_is_noticed() {
            let server = FaultServer::start(FaultMode::H2GoawayWhenIdle { after: ms(300) });
            let client = builder!().http2(true).ca_bundle_pem(server.ca_pem()).build()?;
            let first = send!(client.get(server.url("/1")))?;
            assert_eq!(first.http_version(), "HTTP/2");
            assert_eq!(first.text()?, "answer to /1");
            sleep!(ms(800));
            let second = send!(client.get(server.url("/2")))?;
            assert_eq!(second.text()?, "answer to /2");
            assert_eq!(server.connections_accepted(), 2);
            Ok(())
        }
    }
}

/// nginx's `keepalive_requests`: 20 streams per connection, the rest refused and the
/// connection shut down. 64 concurrent GETs on one client all succeed, and no stream the
/// server processed is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_goaway_after_n_streams_concurrent_requests_succeed() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2GoawayAfter { requests: 20 });
    let client = httpx::AsyncClient::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    // One request first, so that the 64 share its connection (see the tests of 4.).
    assert_eq!(
        client.get(server.url("/warm-up")).send().await?.text()?,
        "answer to /warm-up"
    );
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        let url = server.url(&format!("/g/{i}"));
        tasks.push(tokio::spawn(async move {
            text_of(client.get(url).send().await)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    check_all(results, |i| format!("answer to /g/{i}"));
    assert!(
        server.connections_accepted() >= 4,
        "{}",
        server.connections_accepted()
    );
    // Each request was processed once, except that a GET whose answer was lost when
    // the server reset its connection may be sent again (it is idempotent): on a busy
    // machine that happens now and then, so a few extra are allowed.
    let processed = server.requests_received() - server.requests_refused();
    assert!(
        (65..=70).contains(&processed),
        "{processed} processed ({} received, {} refused)",
        server.requests_received(),
        server.requests_refused()
    );
    Ok(())
}

#[test]
fn sync_h2_goaway_after_n_streams_concurrent_requests_succeed() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2GoawayAfter { requests: 20 });
    let client = httpx::Client::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    // One request first, so that the 64 share its connection (see the tests of 4.).
    assert_eq!(
        client.get(server.url("/warm-up")).send()?.text()?,
        "answer to /warm-up"
    );
    let results: Vec<httpx::Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..64)
            .map(|i| {
                let (client, url) = (&client, server.url(&format!("/g/{i}")));
                scope.spawn(move || text_of(client.get(url).send()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    check_all(results, |i| format!("answer to /g/{i}"));
    assert!(
        server.connections_accepted() >= 4,
        "{}",
        server.connections_accepted()
    );
    // Each request was processed once, except that a GET whose answer was lost when
    // the server reset its connection may be sent again (it is idempotent): on a busy
    // machine that happens now and then, so a few extra are allowed.
    let processed = server.requests_received() - server.requests_refused();
    assert!(
        (65..=70).contains(&processed),
        "{processed} processed ({} received, {} refused)",
        server.requests_received(),
        server.requests_refused()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_refused_streams_are_retried_concurrently() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
    let client = httpx::AsyncClient::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    // One request first, so that the 30 share its connection (see the tests of 4.).
    assert_eq!(
        client.get(server.url("/warm-up")).send().await?.text()?,
        "answer to /warm-up"
    );
    let mut tasks = Vec::new();
    for i in 0..30 {
        let client = client.clone();
        let url = server.url(&format!("/c/{i}"));
        tasks.push(tokio::spawn(async move {
            text_of(client.get(url).send().await)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    check_all(results, |i| format!("answer to /c/{i}"));
    assert!(
        server.requests_refused() >= 10,
        "{}",
        server.requests_refused()
    );
    Ok(())
}

#[test]
fn sync_h2_refused_streams_are_retried_concurrently() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
    let client = httpx::Client::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    // One request first, so that the 30 share its connection (see the tests of 4.).
    assert_eq!(
        client.get(server.url("/warm-up")).send()?.text()?,
        "answer to /warm-up"
    );
    let results: Vec<httpx::Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..30)
            .map(|i| {
                let (client, url) = (&client, server.url(&format!("/c/{i}")));
                scope.spawn(move || text_of(client.get(url).send()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    check_all(results, |i| format!("answer to /c/{i}"));
    assert!(
        server.requests_refused() >= 10,
        "{}",
        server.requests_refused()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. HTTP/2 requests that start together share the connection being set up.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_requests_starting_together_share_one_connection() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2Plain { delay: ms(200) });
    let client = httpx::AsyncClient::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        let url = server.url(&format!("/p/{i}"));
        tasks.push(tokio::spawn(async move {
            text_of(client.get(url).send().await)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    check_all(results, |i| format!("answer to /p/{i}"));
    assert_eq!(
        server.connections_accepted(),
        1,
        "connections opened for 64 concurrent requests"
    );
    Ok(())
}

#[test]
fn sync_h2_requests_starting_together_share_one_connection() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2Plain { delay: ms(200) });
    let client = httpx::Client::builder()
        .http2(true)
        .ca_bundle_pem(server.ca_pem())
        .build()?;
    let results: Vec<httpx::Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (client, url) = (&client, server.url(&format!("/p/{i}")));
                scope.spawn(move || text_of(client.get(url).send()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    check_all(results, |i| format!("answer to /p/{i}"));
    assert_eq!(
        server.connections_accepted(),
        1,
        "connections opened for 16 concurrent requests"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 6. Requests waiting for a pool slot get connections that become idle.

fn shared() -> &'static TestServer {
    TestServer::shared()
}

#[test]
fn sync_pool_waiters_get_idle_connections() -> httpx::Result<()> {
    let client = httpx::Client::builder()
        .limits(httpx::Limits::default().max_connections(Some(1)))
        .timeout(httpx::Timeout::new(5.0).pool(1.0))
        .build()?;
    let results: Vec<httpx::Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let client = &client;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for i in 0..20 {
                        let url = shared().url(&format!("/get?t={t}&i={i}"));
                        out.push(
                            client
                                .get(url)
                                .send()
                                .map(|r| r.status().as_u16().to_string()),
                        );
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    check_all(results, |_| "200".to_string());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_pool_waiters_get_idle_connections() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .limits(httpx::Limits::default().max_connections(Some(1)))
        .timeout(httpx::Timeout::new(5.0).pool(1.0))
        .build()?;
    let mut tasks = Vec::new();
    for t in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in 0..4 {
                let url = shared().url(&format!("/get?t={t}&i={i}"));
                out.push(
                    client
                        .get(url)
                        .send()
                        .await
                        .map(|r| r.status().as_u16().to_string()),
                );
            }
            out
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.extend(task.await.expect("task"));
    }
    check_all(results, |_| "200".to_string());
    Ok(())
}

#[test]
fn sync_many_threads_share_four_connections() -> httpx::Result<()> {
    let client = httpx::Client::builder()
        .limits(httpx::Limits::default().max_connections(Some(4)))
        .build()?;
    let results: Vec<httpx::Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..64)
            .map(|_| {
                let client = &client;
                scope.spawn(move || {
                    (0..8)
                        .map(|_| {
                            client
                                .get(shared().url("/delay/0.02"))
                                .send()
                                .map(|r| r.status().as_u16().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    check_all(results, |_| "200".to_string());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_many_tasks_share_four_connections() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .limits(httpx::Limits::default().max_connections(Some(4)))
        .build()?;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..8 {
                let response = client.get(shared().url("/delay/0.02")).send().await;
                out.push(response.map(|r| r.status().as_u16().to_string()));
            }
            out
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.extend(task.await.expect("task"));
    }
    check_all(results, |_| "200".to_string());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 7. The read timeout does not run while the request body is being sent; the write
//    timeout does.

mod upload_timeouts {
    use super::*;

    dual_test! {
        /// 24 MiB read by the server at 8 MiB/s: about 3 s of upload with a 2 s read
        /// timeout. (The kernel buffers some 4 MB of the upload, so the server answers
        /// about 0.5 s after the client wrote its last byte: a slower server would make
        /// that wait itself approach the read timeout.)
        fn read_timeout_does_not_run_while_the_body_is_sent() {
            let rate = 8 * 1024 * 1024;
            let size = 24 * 1024 * 1024;
            let server = FaultServer::start(FaultMode::SlowBodyReader { bytes_per_sec: rate });
            let client = builder!().timeout(httpx::Timeout::new(2.0)).build()?;
            let start = Instant::now();
            let result = send!(client.put(server.url("/upload")).content(vec![b'x'; size]));
            let elapsed = start.elapsed();
            let response = match result {
                Ok(response) => response,
                Err(err) => panic!(
                    "{:?} after {elapsed:?}, when the server had read {} of {size} body bytes: {err}",
                    err.kind(),
                    server.body_bytes_received()
                ),
            };
            assert_eq!(response.text()?, size.to_string());
            assert!(elapsed >= Duration::from_millis(2500), "test premise: the upload took {elapsed:?}");
            Ok(())
        }

        /// The server never reads the body: the upload stalls, which is a write timeout.
        fn stalled_upload_is_a_write_timeout() {
            let server = FaultServer::start(FaultMode::NeverReadBody);
            let client = builder!().timeout(httpx::Timeout::new(5.0).write(0.5)).build()?;
            let err = send!(client.post(server.url("/upload")).content(vec![b'x'; 16 * 1024 * 1024]))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::WriteTimeout, "{err}");
            assert_eq!(server.requests_received(), 1);
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// 8. close() / aclose() closes the pooled connections at once, while the client lives.

mod close {
    use super::*;

    dual_test! {
        fn close_closes_idle_http1_connections() {
            let server = FaultServer::start(FaultMode::CloseWhenIdle { after: Duration::from_secs(60) });
            let client = builder!().build()?;
            assert_eq!(send!(client.get(server.url("/1")))?.text()?, "answer to /1");
            sleep!(ms(100));
            assert_eq!(server.connections_closed_by_peer(), 0);
            close!(client);
            let start = Instant::now();
            while server.connections_closed_by_peer() == 0 && start.elapsed() < Duration::from_secs(1) {
                sleep!(ms(10));
            }
            assert_eq!(
                server.connections_closed_by_peer(),
                1,
                "the pooled connection is still open {:?} after close",
                start.elapsed()
            );
            drop(client);
            Ok(())
        }

        fn close_closes_http2_connections() {
            let server = FaultServer::start(FaultMode::H2Plain { delay: Duration::ZERO });
            let client = builder!().http2(true).ca_bundle_pem(server.ca_pem()).build()?;
            let response = send!(client.get(server.url("/1")))?;
            assert_eq!(response.http_version(), "HTTP/2");
            drop(response);
            sleep!(ms(100));
            assert_eq!(server.connections_closed_by_peer(), 0);
            close!(client);
            let start = Instant::now();
            while server.connections_closed_by_peer() == 0 && start.elapsed() < Duration::from_secs(1) {
                sleep!(ms(10));
            }
            assert_eq!(
                server.connections_closed_by_peer(),
                1,
                "the HTTP/2 connection is still open {:?} after close",
                start.elapsed()
            );
            drop(client);
            Ok(())
        }
    }
}
