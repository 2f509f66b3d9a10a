//! A command component that GETs a URL and prints the status line, the headers and the
//! body: the blocking `Client` on `wasi:http` (its default transport on wasm32-wasip2),
//! following redirects and decoding the body.
//!
//! ```sh
//! cargo build --example wasi_get --target wasm32-wasip2
//! wasmtime run -S http target/wasm32-wasip2/debug/examples/wasi_get.wasm http://127.0.0.1:8765/gzip
//! # or, with the URL from the test server's address at build time:
//! HTTPX_TEST_SERVER=http://127.0.0.1:8765 cargo run --example wasi_get --target wasm32-wasip2
//! ```
//!
//! The same code runs natively (`cargo run --example wasi_get -- URL`), on hyper.

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn main() -> std::process::ExitCode {
    use std::io::Write;

    let url = match std::env::args().nth(1) {
        Some(url) => url,
        None => match std::env::var("HTTPX_TEST_SERVER")
            .ok()
            .or_else(|| option_env!("HTTPX_TEST_SERVER").map(String::from))
        {
            Some(base) => format!("{}/get", base.trim_end_matches('/')),
            None => {
                eprintln!("usage: wasi_get URL (or build with HTTPX_TEST_SERVER set)");
                return std::process::ExitCode::from(2);
            }
        },
    };
    let client = match httpx::Client::builder().follow_redirects(true).build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut response = match client.stream("GET", &url).send() {
        Ok(response) => response,
        Err(e) => {
            eprintln!("error: {e} ({})", e.kind());
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} {} {}",
        response.http_version(),
        response.status_code(),
        response.reason_phrase()
    );
    for (name, value) in response.headers().multi_items() {
        let _ = writeln!(out, "{name}: {value}");
    }
    let _ = writeln!(out);
    // The body as it arrives, decoded.
    for chunk in response.iter_bytes() {
        match chunk {
            Ok(chunk) => {
                let _ = out.write_all(&chunk);
            }
            Err(e) => {
                eprintln!("error: {e} ({})", e.kind());
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let _ = out.flush();
    std::process::ExitCode::SUCCESS
}

// No blocking client in the browser.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {}
