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

// ---------------------------------------------------------------------------------------
// The concurrent tests, one per client flavour: what they share.

/// Runs `job(t)` for `t` in `0..n` on as many threads at once; returns the results in
/// order.
fn on_threads<T: Send>(n: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let job = &job;
        let handles: Vec<_> = (0..n).map(|t| scope.spawn(move || job(t))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    })
}

/// Runs `job(t)` for `t` in `0..n` as as many tokio tasks at once; returns the results
/// in order.
async fn on_tasks<T, F>(n: usize, job: impl Fn(usize) -> F) -> Vec<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|t| tokio::spawn(job(t))).collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    results
}

/// The text of the answer to a GET of `url` by the blocking client.
fn sync_text(client: &httpx::Client, url: String) -> httpx::Result<String> {
    text_of(client.get(url).send())
}

/// The text of the answer to a GET of `url` by the async client, as a task to spawn.
fn async_text(
    client: &httpx::AsyncClient,
    url: String,
) -> impl std::future::Future<Output = httpx::Result<String>> + Send + 'static {
    let client = client.clone();
    async move { text_of(client.get(url).send().await) }
}

/// The status code of a response, as a `Result` of its text.
fn status_of(response: httpx::Result<httpx::Response>) -> httpx::Result<String> {
    response.map(|r| r.status().as_u16().to_string())
}

/// Checks that every request of every thread or task was answered 200.
fn check_all_200(results: Vec<Vec<httpx::Result<String>>>) {
    check_all(results.into_iter().flatten().collect(), |_| {
        "200".to_string()
    });
}

/// A blocking HTTP/2 client trusting `server`, which has answered one request when
/// `warm_up` (so that the requests that follow share its connection: see the tests of 4.).
fn sync_h2_client(server: &FaultServer, warm_up: bool) -> httpx::Result<httpx::Client> {
    let builder = httpx::Client::builder().http2(true);
    let client = builder.ca_bundle_pem(server.ca_pem()).build()?;
    if warm_up {
        check_warm_up(text_of(client.get(server.url("/warm-up")).send()));
    }
    Ok(client)
}

/// The same for the async client.
async fn async_h2_client(server: &FaultServer, warm_up: bool) -> httpx::Result<httpx::AsyncClient> {
    let builder = httpx::AsyncClient::builder().http2(true);
    let client = builder.ca_bundle_pem(server.ca_pem()).build()?;
    if warm_up {
        check_warm_up(text_of(client.get(server.url("/warm-up")).send().await));
    }
    Ok(client)
}

fn check_warm_up(text: httpx::Result<String>) {
    assert_eq!(text.expect("the warm-up request"), "answer to /warm-up");
}

/// nginx's `keepalive_requests`: 20 streams per connection, the rest refused and the
/// connection shut down.
fn goaway_after_20_server() -> FaultServer {
    FaultServer::start(FaultMode::H2GoawayAfter { requests: 20 })
}

/// Checks the 64 concurrent GETs of `/g/{i}` to [`goaway_after_20_server`] after the
/// warm-up: all succeed, on at least 4 connections, and no stream the server processed
/// was sent twice (but for a few lost in a reset connection).
fn check_goaway_after_20(server: &FaultServer, results: Vec<httpx::Result<String>>) {
    assert_eq!(results.len(), 64);
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
}

/// Checks the 30 concurrent GETs of `/c/{i}` to a server refusing every third stream
/// after the warm-up: all succeed, at least 10 having been refused once.
fn check_refused_every_3rd(server: &FaultServer, results: Vec<httpx::Result<String>>) {
    assert_eq!(results.len(), 30);
    check_all(results, |i| format!("answer to /c/{i}"));
    assert!(
        server.requests_refused() >= 10,
        "{}",
        server.requests_refused()
    );
}

/// Checks concurrent GETs of `/p/{i}` that started together: all succeed on one
/// connection.
fn check_one_connection(server: &FaultServer, results: Vec<httpx::Result<String>>) {
    let n = results.len();
    check_all(results, |i| format!("answer to /p/{i}"));
    assert_eq!(
        server.connections_accepted(),
        1,
        "connections opened for {n} concurrent requests"
    );
}

/// 64 concurrent GETs on one client all succeed against [`goaway_after_20_server`], and
/// no stream the server processed is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_goaway_after_n_streams_concurrent_requests_succeed() -> httpx::Result<()> {
    let server = goaway_after_20_server();
    let client = async_h2_client(&server, true).await?;
    let results = on_tasks(64, |i| async_text(&client, server.url(&format!("/g/{i}")))).await;
    check_goaway_after_20(&server, results);
    Ok(())
}

#[test]
fn sync_h2_goaway_after_n_streams_concurrent_requests_succeed() -> httpx::Result<()> {
    let server = goaway_after_20_server();
    let client = sync_h2_client(&server, true)?;
    let results = on_threads(64, |i| sync_text(&client, server.url(&format!("/g/{i}"))));
    check_goaway_after_20(&server, results);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_refused_streams_are_retried_concurrently() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
    let client = async_h2_client(&server, true).await?;
    let results = on_tasks(30, |i| async_text(&client, server.url(&format!("/c/{i}")))).await;
    check_refused_every_3rd(&server, results);
    Ok(())
}

#[test]
fn sync_h2_refused_streams_are_retried_concurrently() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
    let client = sync_h2_client(&server, true)?;
    let results = on_threads(30, |i| sync_text(&client, server.url(&format!("/c/{i}"))));
    check_refused_every_3rd(&server, results);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. HTTP/2 requests that start together share the connection being set up.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_h2_requests_starting_together_share_one_connection() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2Plain { delay: ms(200) });
    let client = async_h2_client(&server, false).await?;
    let results = on_tasks(64, |i| async_text(&client, server.url(&format!("/p/{i}")))).await;
    check_one_connection(&server, results);
    Ok(())
}

#[test]
fn sync_h2_requests_starting_together_share_one_connection() -> httpx::Result<()> {
    let server = FaultServer::start(FaultMode::H2Plain { delay: ms(200) });
    let client = sync_h2_client(&server, false)?;
    let results = on_threads(16, |i| sync_text(&client, server.url(&format!("/p/{i}"))));
    check_one_connection(&server, results);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 6. Requests waiting for a pool slot get connections that become idle.

fn shared() -> &'static TestServer {
    TestServer::shared()
}

/// One connection at the most, waited for at most 1 s.
fn one_connection() -> (httpx::Limits, httpx::Timeout) {
    let limits = httpx::Limits::default().max_connections(Some(1));
    (limits, httpx::Timeout::new(5.0).pool(1.0))
}

/// The URL of request `i` of thread or task `t`.
fn pool_url(t: usize, i: usize) -> String {
    shared().url(&format!("/get?t={t}&i={i}"))
}

#[test]
fn sync_pool_waiters_get_idle_connections() -> httpx::Result<()> {
    let (limits, timeout) = one_connection();
    let client = httpx::Client::builder()
        .limits(limits)
        .timeout(timeout)
        .build()?;
    let results = on_threads(2, |t| {
        (0..20)
            .map(|i| status_of(client.get(pool_url(t, i)).send()))
            .collect()
    });
    check_all_200(results);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_pool_waiters_get_idle_connections() -> httpx::Result<()> {
    let (limits, timeout) = one_connection();
    let client = httpx::AsyncClient::builder()
        .limits(limits)
        .timeout(timeout)
        .build()?;
    let results = on_tasks(16, |t| {
        let client = client.clone();
        async move {
            let mut out = Vec::new();
            for i in 0..4 {
                out.push(status_of(client.get(pool_url(t, i)).send().await));
            }
            out
        }
    })
    .await;
    check_all_200(results);
    Ok(())
}

fn four_connections() -> httpx::Limits {
    httpx::Limits::default().max_connections(Some(4))
}

#[test]
fn sync_many_threads_share_four_connections() -> httpx::Result<()> {
    let client = httpx::Client::builder()
        .limits(four_connections())
        .build()?;
    let results = on_threads(64, |_| {
        (0..8)
            .map(|_| status_of(client.get(shared().url("/delay/0.02")).send()))
            .collect()
    });
    check_all_200(results);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_many_tasks_share_four_connections() -> httpx::Result<()> {
    let client = httpx::AsyncClient::builder()
        .limits(four_connections())
        .build()?;
    let results = on_tasks(64, |_| {
        let client = client.clone();
        async move {
            let mut out = Vec::new();
            for _ in 0..8 {
                out.push(status_of(
                    client.get(shared().url("/delay/0.02")).send().await,
                ));
            }
            out
        }
    })
    .await;
    check_all_200(results);
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

    /// Checks that the server sees no connection closed yet, closes `client` (with the
    /// flavour's `close!`), then checks that the server sees its one connection closed
    /// within 1 s; `$what` names that connection in the failure.
    macro_rules! close_and_check {
        ($server:expr, $client:expr, $what:literal) => {{
            sleep!(ms(100));
            assert_eq!($server.connections_closed_by_peer(), 0);
            close!($client);
            let start = Instant::now();
            while $server.connections_closed_by_peer() == 0
                && start.elapsed() < Duration::from_secs(1)
            {
                sleep!(ms(10));
            }
            assert_eq!(
                $server.connections_closed_by_peer(),
                1,
                concat!($what, " is still open {:?} after close"),
                start.elapsed()
            );
        }};
    }

    dual_test! {
        fn close_closes_idle_http1_connections() {
            let server = FaultServer::start(FaultMode::CloseWhenIdle { after: Duration::from_secs(60) });
            let client = builder!().build()?;
            assert_eq!(send!(client.get(server.url("/1")))?.text()?, "answer to /1");
            close_and_check!(server, client, "the pooled connection");
            drop(client);
            Ok(())
        }

        fn close_closes_http2_connections() {
            let server = FaultServer::start(FaultMode::H2Plain { delay: Duration::ZERO });
            let client = builder!().http2(true).ca_bundle_pem(server.ca_pem()).build()?;
            let response = send!(client.get(server.url("/1")))?;
            assert_eq!(response.http_version(), "HTTP/2");
            drop(response);
            close_and_check!(server, client, "the HTTP/2 connection");
            drop(client);
            Ok(())
        }
    }
}
