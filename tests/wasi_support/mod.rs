//! Shared helpers of the WASI suites (`tests/wasi_*.rs`), which run in wasmtime (and jco)
//! against the test server on 127.0.0.1.
//!
//! `wasi_dual!` writes each test once and runs it with the blocking `Client` and with the
//! `AsyncClient` on the WASI executor (`httpx::transport::wasi::block_on`); inside a body:
//! `builder!()`, `send!(request_builder)`, `read!(response)`, `bytes!(response)`,
//! `raw!(response)`, `lines!(response)`, `flavour!()`. Tests return `httpx::Result<()>`, so
//! a failed `?` reports the error and the next test still runs (a panic aborts the whole
//! binary: wasm32 is panic=abort).
#![allow(dead_code, unused_macros)]

/// The test server's base URL: `HTTPX_TEST_SERVER` when these tests were built (the
/// Makefile sets it), else at run time (jco passes the environment through). Without
/// one, the suite fails at once: it cannot test anything.
pub fn server() -> String {
    option_env!("HTTPX_TEST_SERVER")
        .map(String::from)
        .or_else(|| std::env::var("HTTPX_TEST_SERVER").ok())
        .map(|s| s.trim_end_matches('/').to_string())
        .unwrap_or_else(|| {
            panic!(
                "no test server: build these tests with HTTPX_TEST_SERVER=http://127.0.0.1:PORT \
                 (make test-wasi starts one: tools/with-test-server.sh)"
            )
        })
}

/// A URL on the test server.
pub fn url(path: &str) -> String {
    format!("{}{path}", server())
}

/// The test server's port.
pub fn port() -> u16 {
    server()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the test server URL has a port")
}

/// Which WASI runtime runs the tests: `HTTPX_WASI_RUNTIME` (wasmtime gives the guest no
/// environment unless asked, so it is unset there; the Makefile sets it to `jco` for jco).
pub fn runtime() -> String {
    std::env::var("HTTPX_WASI_RUNTIME").unwrap_or_else(|_| "wasmtime".into())
}

/// Fails the test with `message` (a `Result` error, so the other tests still run).
pub fn fail(message: impl Into<String>) -> httpx::Error {
    httpx::Error::new(httpx::ErrorKind::InvalidState, message.into())
}

/// `assert!` that returns an error instead of panicking.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        let holds: bool = $cond;
        if !holds {
            return Err($crate::wasi_support::fail(format!(
                "{}:{}: check failed: {}",
                file!(),
                line!(),
                stringify!($cond)
            )));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err($crate::wasi_support::fail(format!(
                "{}:{}: check failed: {}: {}",
                file!(),
                line!(),
                stringify!($cond),
                format!($($arg)+)
            )));
        }
    };
}

/// `assert_eq!` that returns an error instead of panicking.
#[macro_export]
macro_rules! check_eq {
    ($left:expr, $right:expr $(,)?) => {
        $crate::check_eq!($left, $right, "")
    };
    ($left:expr, $right:expr, $($arg:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    return Err($crate::wasi_support::fail(format!(
                        "{}:{}: {} != {}: {:?} != {:?} {}",
                        file!(),
                        line!(),
                        stringify!($left),
                        stringify!($right),
                        left,
                        right,
                        format!($($arg)+)
                    )));
                }
            }
        }
    };
}

/// An error of `kind` whose message contains `needle`.
pub fn expect_error<T: std::fmt::Debug>(
    result: httpx::Result<T>,
    kind: httpx::ErrorKind,
    needle: &str,
) -> httpx::Result<httpx::Error> {
    match result {
        Ok(value) => Err(fail(format!("expected a {kind} error, got {value:?}"))),
        Err(e) if e.kind() == kind && e.message().contains(needle) => Ok(e),
        Err(e) => Err(fail(format!(
            "expected a {kind} error mentioning {needle:?}, got {:?}: {e}",
            e.kind()
        ))),
    }
}

/// The response body as JSON.
pub fn json(response: &httpx::Response) -> httpx::Result<serde_json::Value> {
    response.json()
}

/// Runs each test with the blocking `Client` and with `AsyncClient` on the WASI executor.
#[macro_export]
macro_rules! wasi_dual {
    ($( $(#[$meta:meta])* fn $name:ident() $body:block )*) => {
        mod sync_client {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_macros)]
            macro_rules! builder { () => { httpx::Client::builder() } }
            #[allow(unused_macros)]
            macro_rules! send { ($e:expr) => { $e.send() } }
            #[allow(unused_macros)]
            macro_rules! read { ($e:expr) => { $e.read() } }
            #[allow(unused_macros)]
            macro_rules! bytes { ($e:expr) => { $e.iter_bytes().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! raw { ($e:expr) => { $e.iter_raw().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! lines { ($e:expr) => { $e.iter_lines().collect::<httpx::Result<Vec<_>>>() } }
            #[allow(unused_macros)]
            macro_rules! flavour { () => { "sync" } }
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
            macro_rules! send { ($e:expr) => { $e.send().await } }
            #[allow(unused_macros)]
            macro_rules! read { ($e:expr) => { $e.aread().await } }
            #[allow(unused_macros)]
            macro_rules! bytes { ($e:expr) => { $crate::wasi_support::collect($e.aiter_bytes()).await } }
            #[allow(unused_macros)]
            macro_rules! raw { ($e:expr) => { $crate::wasi_support::collect($e.aiter_raw()).await } }
            #[allow(unused_macros)]
            macro_rules! lines { ($e:expr) => { $crate::wasi_support::collect($e.aiter_lines()).await } }
            #[allow(unused_macros)]
            macro_rules! flavour { () => { "async" } }
            $(
                $(#[$meta])*
                #[test]
                fn $name() -> httpx::Result<()> {
                    async fn body() -> httpx::Result<()> $body
                    httpx::transport::wasi::block_on(body())?
                }
            )*
        }
    };
}

/// Collects an async stream of results, stopping at the first error.
pub async fn collect<T>(
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
