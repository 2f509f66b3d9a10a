//! `AsyncClient` on the WASI executor (`httpx::transport::wasi::block_on`): requests in
//! flight together, async request bodies, the transport used directly, and the
//! executor's guard against futures that can never finish.
#![cfg(target_os = "wasi")]

#[macro_use]
mod wasi_support;

use std::time::Instant;

use futures_util::StreamExt;
use httpx::transport::wasi::block_on;
use httpx::{
    AsyncClient, AsyncTransport, Body, ErrorKind, Method, Request, Transport, Url,
    WasiHttpTransport,
};
use wasi_support::{expect_error, fail, json, url};

#[test]
fn requests_in_flight_together() -> httpx::Result<()> {
    let client = AsyncClient::new();
    let started = Instant::now();
    let responses = block_on(futures_util::future::join_all(
        (0..4).map(|i| client.get(url(&format!("/delay/2?i={i}"))).send()),
    ))?;
    let elapsed = started.elapsed();
    for (i, response) in responses.into_iter().enumerate() {
        let response = response?;
        check_eq!(json(&response)?["args"]["i"], i.to_string());
    }
    // One executor waits on all four responses at once: about 2 s, where one after
    // another would take 8 s (a generous bound for busy machines).
    check!(
        elapsed.as_secs_f64() >= 2.0 && elapsed.as_secs_f64() < 6.0,
        "four 2 s requests took {elapsed:?}"
    );
    Ok(())
}

#[test]
fn async_stream_request_body() -> httpx::Result<()> {
    block_on(async {
        let client = AsyncClient::new();
        let chunks =
            futures_util::stream::iter(["one ", "two ", "three"]).map(Ok::<_, httpx::Error>);
        let response = client
            .post(url("/post"))
            .body(Body::from_stream(chunks, None))
            .send()
            .await?;
        let body = json(&response)?;
        check_eq!(body["data"], "one two three");
        check_eq!(body["chunked"], true);
        Ok(())
    })?
}

#[test]
fn streaming_a_response_while_another_request_runs() -> httpx::Result<()> {
    block_on(async {
        let client = AsyncClient::new();
        let mut slow = client
            .stream("GET", url("/slow-body?chunks=4&interval_ms=200"))
            .send()
            .await?;
        let (chunks, other) = futures_util::future::join(
            wasi_support::collect(slow.aiter_bytes()),
            client.get(url("/get?other=1")).send(),
        )
        .await;
        let text: Vec<u8> = chunks?.concat();
        check!(
            String::from_utf8_lossy(&text).contains("chunk 3"),
            "{text:?}"
        );
        check_eq!(json(&other?)?["args"]["other"], "1");
        Ok(())
    })?
}

#[test]
fn the_transport_directly() -> httpx::Result<()> {
    // A Host header set by the client itself (Request::new adds one) is forbidden by
    // the host: dropped, the host derives it from the URL.
    let transport = WasiHttpTransport::new();
    let request = Request::new(Method::GET, Url::parse(&url("/get?direct=1"))?);
    let mut response = transport.handle_request(request)?;
    check_eq!(response.status_code(), 200);
    check_eq!(response.reason_phrase(), "OK");
    response.read()?;
    check_eq!(json(&response)?["args"]["direct"], "1");

    // A forbidden header the caller set goes to the host, which refuses it by name.
    let mut request = Request::new(Method::GET, Url::parse(&url("/get"))?);
    request.headers_mut().insert("Keep-Alive", "timeout=5")?;
    let err = expect_error(
        transport.handle_request(request),
        ErrorKind::LocalProtocolError,
        "forbidden",
    )?;
    check!(err.message().contains("Keep-Alive"), "{err}");

    let caps = AsyncTransport::capabilities(&transport);
    check!(caps.forbids("Transfer-Encoding") && caps.forbids("host") && !caps.forbids("cookie"));
    check!(!caps.decodes_content && !caps.follows_redirects && !caps.manages_cookies);

    let response = block_on(
        transport.handle_async_request(Request::new(Method::HEAD, Url::parse(&url("/get"))?)),
    )??;
    check_eq!(response.status_code(), 200);
    Ok(())
}

#[test]
fn a_blocking_client_inside_async_code() -> httpx::Result<()> {
    block_on(async {
        let client = AsyncClient::new();
        let first = client.get(url("/get?step=1")).send().await?;
        // The blocking client runs its own (nested) executor.
        let blocking = httpx::Client::new();
        let second = blocking.get(url("/get?step=2")).send()?;
        check_eq!(json(&first)?["args"]["step"], "1");
        check_eq!(json(&second)?["args"]["step"], "2");
        Ok(())
    })?
}

#[test]
fn a_future_that_can_never_finish_is_an_error() -> httpx::Result<()> {
    // Pending on no pollable, and nothing can wake it: an error, not a hang.
    match block_on(std::future::pending::<()>()) {
        Err(e) if e.kind() == ErrorKind::InvalidState => Ok(()),
        other => Err(fail(format!("expected InvalidState, got {other:?}"))),
    }
}

#[test]
fn a_client_proxy_is_refused_on_wasi() -> httpx::Result<()> {
    let result = AsyncClient::builder()
        .proxy(httpx::Proxy::new("http://127.0.0.1:3128")?)
        .build();
    expect_error(result.map(|_| ()), ErrorKind::ProxyError, "wasi:http")?;
    Ok(())
}
