//! The hyper transport against the shared test server on 127.0.0.1.
#![cfg(not(target_family = "wasm"))]

mod common;

use httpx::ErrorKind;
use httpx_test_server::TestServer;

fn server() -> &'static TestServer {
    TestServer::shared()
}

dual_test! {
    fn get_json() {
        let client = builder!().build()?;
        let response = send!(client.get(server().url("/get?a=1")))?;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["args"]["a"], "1");
        assert_eq!(response.http_version(), "HTTP/1.1");
        Ok(())
    }

    fn post_and_redirects_and_gzip() {
        let client = builder!().follow_redirects(true).build()?;
        let response = send!(client.post(server().url("/post")).json(&serde_json::json!({"x": 1})))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["json"]["x"], 1);
        let response = send!(client.get(server().url("/redirect/3")))?;
        assert_eq!(response.history().len(), 3);
        let response = send!(client.get(server().url("/gzip")))?;
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["gzip"], true);
        Ok(())
    }

    fn refused_connection() {
        let client = builder!().build()?;
        let err = send!(client.get("http://127.0.0.1:1/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectError, "{err}");
        Ok(())
    }

    fn read_timeout() {
        let client = builder!().timeout(httpx::Timeout::new(5.0).read(0.2)).build()?;
        let err = send!(client.get(server().url("/delay/2"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        Ok(())
    }

    fn faults() {
        let client = builder!().build()?;
        let err = send!(client.get(server().url("/fault/close-mid-body"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadError, "{err}");
        let err = send!(client.get(server().url("/fault/duplicate-content-length"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
        let err = send!(client.get(server().url("/fault/bad-chunk-size"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{err}");
        Ok(())
    }
}

mod more {
    use super::*;

    dual_test! {
        fn keep_alive_and_stall_body() {
            let client = builder!().timeout(httpx::Timeout::new(5.0).read(0.3)).build()?;
            for _ in 0..3 {
                assert_eq!(send!(client.get(server().url("/get")))?.status(), 200);
            }
            let err = send!(client.get(server().url("/fault/stall-body"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
            // The client still works after the broken connection was dropped.
            assert_eq!(send!(client.get(server().url("/get")))?.status(), 200);
            Ok(())
        }

        fn total_deadline_over_the_network() {
            let client = builder!().timeout(httpx::Timeout::new(5.0).total(0.3)).build()?;
            let err = send!(client.get(server().url("/slow-body?chunks=10&interval_ms=100"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
            Ok(())
        }

        fn pool_timeout_when_exhausted() {
            let client = builder!()
                .limits(httpx::Limits::default().max_connections(Some(1)))
                .timeout(httpx::Timeout::new(5.0).pool(0.2))
                .build()?;
            // A streamed response holds the only connection until it is read or closed.
            let mut held = send!(client.stream("GET", server().url("/stream-bytes/1000")))?;
            let err = send!(client.get(server().url("/get"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::PoolTimeout, "{err}");
            read!(held)?;
            assert_eq!(send!(client.get(server().url("/get")))?.status(), 200);
            Ok(())
        }

        fn streamed_download_in_chunks() {
            let client = builder!().build()?;
            let mut response = send!(client.stream("GET", server().url("/stream-bytes/300000?chunk_size=10000")))?;
            let chunks = bytes!(response)?;
            assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 300_000);
            assert!(chunks.len() > 1);
            assert_eq!(response.num_bytes_downloaded(), 300_000);
            Ok(())
        }

        fn basic_and_digest_auth_over_the_network() {
            let client = builder!().build()?;
            let response = send!(client.get(server().url("/basic-auth/user/pass")).auth(("user", "pass")))?;
            assert_eq!(response.status(), 200);
            for algorithm in ["MD5", "SHA-256", "SHA-512-256-sess"] {
                let url = server().url(&format!("/digest-auth/auth/user/pass/{algorithm}"));
                let response = send!(client.get(url).auth(httpx::auth::DigestAuth::new("user", "pass")))?;
                assert_eq!(response.status(), 200, "{algorithm}");
            }
            Ok(())
        }

        fn cookies_across_requests() {
            let client = builder!().follow_redirects(true).build()?;
            send!(client.get(server().url("/cookies/set?flavour=oat")))?;
            let response = send!(client.get(server().url("/cookies")))?;
            let body: serde_json::Value = response.json()?;
            assert_eq!(body["cookies"]["flavour"], "oat");
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_in_flight() -> httpx::Result<()> {
    let client = httpx::AsyncClient::new();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .get(server().url(&format!("/get?i={i}")))
                .send()
                .await?;
            let body: serde_json::Value = response.json()?;
            Ok::<_, httpx::Error>(body["args"]["i"].as_str() == Some(i.to_string().as_str()))
        }));
    }
    for task in tasks {
        assert!(task.await.expect("task")?);
    }
    Ok(())
}

#[tokio::test]
async fn the_sync_client_inside_a_tokio_runtime_does_not_panic() -> httpx::Result<()> {
    // reqwest's blocking client panics here; ours drives its runtime on a helper thread.
    let client = httpx::Client::new();
    let response = client.get(server().url("/get")).send()?;
    assert_eq!(response.status(), 200);
    let mut response = client.stream("GET", server().url("/stream/3")).send()?;
    let lines: Vec<String> = response.iter_lines().collect::<httpx::Result<_>>()?;
    assert_eq!(lines.len(), 3);
    Ok(())
}

#[test]
fn the_async_client_outside_tokio() -> httpx::Result<()> {
    // Polled by a non-tokio executor, the transport runs on its own background runtime.
    let client = httpx::AsyncClient::new();
    let response = futures_executor::block_on(client.get(server().url("/get")).send())?;
    assert_eq!(response.status(), 200);
    Ok(())
}

#[test]
fn connect_retries_reach_a_server_that_starts_late() -> httpx::Result<()> {
    // Reserve a port, free it, and start a server on it after the first attempt failed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let starter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        httpx_test_server::TestServer::start_with(httpx_test_server::Options::new().port(port))
    });
    let transport = httpx::HttpTransport::builder().retries(3).build()?;
    let client = httpx::Client::builder().transport(transport).build()?;
    let response = client.get(format!("http://127.0.0.1:{port}/get")).send()?;
    assert_eq!(response.status(), 200);
    drop(starter.join());
    let transport = httpx::HttpTransport::builder().retries(0).build()?;
    let client = httpx::Client::builder().transport(transport).build()?;
    let err = client.get("http://127.0.0.1:1/").send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectError);
    Ok(())
}

#[test]
fn local_address_is_used() -> httpx::Result<()> {
    let transport = httpx::HttpTransport::builder()
        .local_address("127.0.0.1".parse().unwrap())
        .build()?;
    let client = httpx::Client::builder().transport(transport).build()?;
    let body: serde_json::Value = client.get(server().url("/ip")).send()?.json()?;
    assert_eq!(body["origin"], "127.0.0.1");
    Ok(())
}
