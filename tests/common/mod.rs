//! Shared helpers for the integration tests.
//!
//! `dual_test!` writes each client test once and runs it twice: with the blocking
//! `Client` and with the `AsyncClient` (on tokio). Inside a test body, use:
//!
//! - `builder!()` for `Client::builder()` / `AsyncClient::builder()`, `new_client!()` for
//!   `Client::new()` / `AsyncClient::new()`;
//! - `send!(request_builder)` for `.send()` / `.send().await`;
//! - `send_request!(client, request)` for `client.send(request)` / `.await`;
//! - `read!(response)` for `response.read()` / `response.aread().await`;
//! - `close!(client)` for `client.close()` / `client.aclose().await`;
//! - `bytes!(response)`, `raw!(response)`, `text_chunks!(response)`, `lines!(response)`
//!   to collect `iter_*` / `aiter_*` into a `Vec` (or return the first error);
//! - `sleep!(duration)` for `std::thread::sleep` / `tokio::time::sleep(..).await` (so the
//!   async client's connection tasks keep running meanwhile);
//! - `flavour!()` for `"sync"` or `"async"`.
#![allow(dead_code, unused_macros)]

#[macro_export]
macro_rules! dual_test {
    ($( $(#[$meta:meta])* fn $name:ident() $body:block )*) => {
        mod sync_client {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_macros)]
            macro_rules! builder { () => { httpx::Client::builder() } }
            #[allow(unused_macros)]
            macro_rules! new_client { () => { httpx::Client::new() } }
            #[allow(unused_macros)]
            macro_rules! send { ($e:expr) => { $e.send() } }
            #[allow(unused_macros)]
            macro_rules! send_request { ($c:expr, $r:expr) => { $c.send($r) } }
            #[allow(unused_macros)]
            macro_rules! send_with { ($c:expr, $r:expr, $o:expr) => { $c.send_with($r, $o) } }
            #[allow(unused_macros)]
            macro_rules! read { ($e:expr) => { $e.read() } }
            #[allow(unused_macros)]
            macro_rules! close { ($e:expr) => { $e.close() } }
            #[allow(unused_macros)]
            macro_rules! bytes { ($e:expr) => { $e.iter_bytes().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! raw { ($e:expr) => { $e.iter_raw().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! text_chunks { ($e:expr) => { $e.iter_text().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! lines { ($e:expr) => { $e.iter_lines().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! flavour { () => { "sync" } }
            #[allow(unused_macros)]
            macro_rules! sleep { ($d:expr) => { std::thread::sleep($d) } }
            $(
                $(#[$meta])*
                #[test]
                fn $name() -> httpx::Result<()> $body
            )*
        }
        mod async_client {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_macros)]
            macro_rules! builder { () => { httpx::AsyncClient::builder() } }
            #[allow(unused_macros)]
            macro_rules! new_client { () => { httpx::AsyncClient::new() } }
            #[allow(unused_macros)]
            macro_rules! send { ($e:expr) => { $e.send().await } }
            #[allow(unused_macros)]
            macro_rules! send_request { ($c:expr, $r:expr) => { $c.send($r).await } }
            #[allow(unused_macros)]
            macro_rules! send_with { ($c:expr, $r:expr, $o:expr) => { $c.send_with($r, $o).await } }
            #[allow(unused_macros)]
            macro_rules! read { ($e:expr) => { $e.aread().await } }
            #[allow(unused_macros)]
            macro_rules! close { ($e:expr) => { $e.aclose().await } }
            #[allow(unused_macros)]
            macro_rules! bytes { ($e:expr) => { $crate::common::collect_stream($e.aiter_bytes()).await } }
            #[allow(unused_macros)]
            macro_rules! raw { ($e:expr) => { $crate::common::collect_stream($e.aiter_raw()).await } }
            #[allow(unused_macros)]
            macro_rules! text_chunks { ($e:expr) => { $crate::common::collect_stream($e.aiter_text()).await } }
            #[allow(unused_macros)]
            macro_rules! lines { ($e:expr) => { $crate::common::collect_stream($e.aiter_lines()).await } }
            #[allow(unused_macros)]
            macro_rules! flavour { () => { "async" } }
            #[allow(unused_macros)]
            macro_rules! sleep { ($d:expr) => { tokio::time::sleep($d).await } }
            $(
                $(#[$meta])*
                #[tokio::test]
                async fn $name() -> httpx::Result<()> $body
            )*
        }
    };
}

/// Collects an async stream of results, stopping at the first error.
pub async fn collect_stream<T>(
    stream: impl futures_util::Stream<Item = httpx::Result<T>>,
) -> httpx::Result<Vec<T>> {
    use futures_util::StreamExt;
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item?);
    }
    Ok(out)
}

/// An echo handler: answers with the request's method, URL, headers and body as JSON.
pub fn echo(request: httpx::Request) -> httpx::Result<httpx::Response> {
    let headers: Vec<(String, String)> = request
        .headers()
        .multi_items()
        .map(|(k, v)| (k, v.into_owned()))
        .collect();
    let body = String::from_utf8_lossy(request.content()?).into_owned();
    httpx::Response::builder(200)
        .json(&serde_json::json!({
            "method": request.method().as_str(),
            "url": request.url().as_str(),
            "headers": headers,
            "body": body,
        }))
        .build()
}

/// Variables a child test process starts without, whatever this process has: the
/// proxies and the certificate locations that `trust_env` reads.
pub const CHILD_ENV_CLEARED: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// A command that runs this test binary's `env_child::sync_client::child_request` and
/// `env_child::async_client::child_request` (ignored tests, one thread), without the
/// variables of [`CHILD_ENV_CLEARED`] and with `vars` instead.
pub fn child_command(vars: &[(&str, &str)]) -> std::process::Command {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = std::process::Command::new(exe);
    command.args([
        "--exact",
        "env_child::sync_client::child_request",
        "env_child::async_client::child_request",
        "--ignored",
        "--nocapture",
        "--test-threads",
        "1",
    ]);
    for name in CHILD_ENV_CLEARED {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command
}

/// Runs `command` (see [`child_command`]), checks that both child tests passed and
/// returns the JSON outcomes they printed after `{prefix} sync ` and `{prefix} async `,
/// sync first.
pub fn child_outcomes(mut command: std::process::Command, prefix: &str) -> [serde_json::Value; 2] {
    let output = command.output().expect("run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("2 passed"),
        "child failed:\n{stdout}\n{stderr}"
    );
    let outcome = |flavour: &str| -> serde_json::Value {
        let prefix = format!("{prefix} {flavour} ");
        let line = stdout
            .lines()
            .find_map(|l| l.find(&prefix).map(|at| &l[at + prefix.len()..]))
            .unwrap_or_else(|| panic!("no {flavour} outcome in:\n{stdout}"));
        serde_json::from_str(line).expect("outcome JSON")
    };
    [outcome("sync"), outcome("async")]
}

/// The texts of an error and of each of its sources, outermost first (what anyhow's
/// `{:#}` joins with ": ").
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        out.push(cause.to_string());
        source = cause.source();
    }
    out
}

/// Asserts that no level of the error chain repeats the text of a cause below it
/// (C-GOOD-ERR: each level adds its own information once), and returns the chain
/// joined as anyhow's `{:#}` prints it.
#[track_caller]
pub fn assert_chain_without_repeats(err: &(dyn std::error::Error + 'static)) -> String {
    let chain = error_chain(err);
    for (i, outer) in chain.iter().enumerate() {
        for inner in &chain[i + 1..] {
            assert!(
                inner.trim().is_empty() || !outer.contains(inner.as_str()),
                "{outer:?} repeats its cause {inner:?} (chain: {chain:?})"
            );
        }
    }
    chain.join(": ")
}

/// httpx's auth test `App`: answers `{"auth": <Authorization or null>}` with `status`,
/// and a `WWW-Authenticate` header when given one.
pub fn auth_app(auth_header: &'static str, status: u16) -> httpx::MockTransport {
    httpx::MockTransport::new(move |request: httpx::Request| {
        let auth = request
            .headers()
            .get("authorization")
            .map(|v| v.into_owned());
        let mut builder = httpx::Response::builder(status);
        if !auth_header.is_empty() {
            builder = builder.header("www-authenticate", auth_header);
        }
        builder.json(&serde_json::json!({ "auth": auth })).build()
    })
}

/// The `auth` field of an [`auth_app`] answer.
pub fn auth_of(response: &httpx::Response) -> serde_json::Value {
    let body: serde_json::Value = response.json().expect("JSON");
    body["auth"].clone()
}

/// The headers a client adds to every request by default.
pub const CLIENT_DEFAULTS: [&str; 4] = ["accept", "accept-encoding", "connection", "user-agent"];

/// A request's headers in order, names lowercased, without the client's defaults (so
/// they compare with httpx's `httpx.Request(...)`, which has none).
pub fn headers_without_defaults(request: &httpx::Request) -> Vec<(String, String)> {
    request
        .headers()
        .multi_items()
        .filter(|(k, _)| !CLIENT_DEFAULTS.contains(&k.as_str()))
        .map(|(k, v)| (k, v.into_owned()))
        .collect()
}

/// Owned name/value pairs, to compare with [`headers_without_defaults`].
pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An [`echo`] transport that counts its calls.
pub fn counting_echo() -> (
    httpx::MockTransport,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let transport = httpx::MockTransport::new(move |request| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        echo(request)
    });
    (transport, calls)
}

/// The `Accept-Encoding` a client sends with the default features (every decoder; the
/// suites that use it do not run without them).
pub const DEFAULT_ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// Asserts the error kind and that the message chain (each cause once) names every one
/// of `words`, case-insensitively.
#[track_caller]
pub fn assert_error(err: &httpx::Error, kind: httpx::ErrorKind, words: &[&str]) {
    assert_eq!(err.kind(), kind, "{err:?}");
    let message = assert_chain_without_repeats(err).to_ascii_lowercase();
    for word in words {
        assert!(
            message.contains(&word.to_ascii_lowercase()),
            "{word:?} not in {message:?}"
        );
    }
}
