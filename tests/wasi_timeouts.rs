//! Timeouts through `wasi:http`: connect → `connect-timeout`, read → `first-byte-timeout`
//! and `between-bytes-timeout` (the host's), and the total deadline (the component's own
//! monotonic-clock pollable). Every test runs with `Client` and `AsyncClient`.
//!
//! The connect test needs `HTTPX_STALL_ADDR`: a loopback listener whose accept queue is
//! full, so that connecting hangs (`tools/wasi-tests.sh` starts one).
#![cfg(target_os = "wasi")]

#[macro_use]
mod wasi_support;

use std::time::{Duration, Instant};

use httpx::{ErrorKind, Timeout};
use wasi_support::{expect_error, runtime, url};

fn stall_addr() -> String {
    option_env!("HTTPX_STALL_ADDR")
        .map(String::from)
        .or_else(|| std::env::var("HTTPX_STALL_ADDR").ok())
        .unwrap_or_else(|| {
            panic!("no HTTPX_STALL_ADDR: run through tools/wasi-tests.sh (make test-wasi)")
        })
}

/// The timeout fired, and not before its deadline: the error's kind says it fired (the
/// server would have answered seconds later); the time says it was not early, with a
/// generous upper bound for busy machines (the requests' other limits are 10 s).
fn fired_at(started: Instant, deadline: f64) -> httpx::Result<()> {
    let elapsed = started.elapsed();
    // Less a few milliseconds for clock rounding.
    if elapsed < Duration::from_secs_f64(deadline - 0.005) {
        return Err(wasi_support::fail(format!(
            "took {elapsed:?}, less than the {deadline}s deadline: the timeout fired early"
        )));
    }
    if elapsed > Duration::from_secs_f64(deadline + 5.0) {
        return Err(wasi_support::fail(format!(
            "took {elapsed:?}, seconds past the {deadline}s deadline: the timeout did not fire in time"
        )));
    }
    Ok(())
}

wasi_dual! {
    fn first_byte_timeout() {
        if runtime() == "jco" {
            // Skipped under jco: preview2-shim 0.26 accepts first-byte-timeout but does
            // not enforce it (it arms `res.setTimeout` only once the response head has
            // arrived), so the request waits for the server and succeeds.
            eprintln!("skipped under jco: it does not enforce first-byte-timeout");
            return Ok(());
        }
        let client = builder!().timeout(Timeout::new(10.0).read(0.3)).build()?;
        let started = Instant::now();
        let result = send!(client.get(url("/delay/3")));
        expect_error(result, ErrorKind::ReadTimeout, "connection-read-timeout")?;
        fired_at(started, 0.3)?;
        Ok(())
    }

    fn between_bytes_timeout() {
        let client = builder!().timeout(Timeout::new(10.0).read(0.3)).build()?;
        let mut response = send!(client.stream("GET", url("/slow-body?chunks=3&interval_ms=1500")))?;
        let started = Instant::now();
        let result = bytes!(response);
        let err = match result {
            Ok(chunks) => return Err(wasi_support::fail(format!("read {} chunks", chunks.len()))),
            Err(e) => e,
        };
        if runtime() == "jco" {
            // jco enforces it, but reports it as Node's bare "aborted" stream error, with
            // no error-code to say it was a timeout: a ReadError.
            check!(err.kind() == ErrorKind::ReadError, "{err:?}");
        } else {
            check!(err.kind() == ErrorKind::ReadTimeout, "{err:?}");
            check!(err.message().contains("connection-read-timeout"), "{err}");
        }
        // The host's between-bytes timer starts with the last bytes it received (the
        // head), a little before `started`: the 0.3 s may end up to 0.1 s sooner here.
        fired_at(started, 0.2)?;
        Ok(())
    }

    fn total_deadline_before_the_response() {
        let client = builder!().timeout(Timeout::new(10.0).total(0.4)).build()?;
        let started = Instant::now();
        let result = send!(client.get(url("/delay/3")));
        expect_error(result, ErrorKind::TotalTimeout, "total timeout of 0.400s")?;
        fired_at(started, 0.4)?;
        Ok(())
    }

    fn total_deadline_while_the_body_streams() {
        let client = builder!().timeout(Timeout::new(10.0).total(0.8)).build()?;
        let started = Instant::now();
        let result = send!(client.get(url("/slow-body?chunks=10&interval_ms=300")));
        expect_error(result, ErrorKind::TotalTimeout, "total timeout")?;
        fired_at(started, 0.8)?;
        Ok(())
    }

    fn total_deadline_spans_redirects() {
        let client = builder!()
            .follow_redirects(true)
            .timeout(Timeout::new(10.0).total(0.6))
            .build()?;
        let started = Instant::now();
        let target = "/redirect-to?url=/delay/2";
        let result = send!(client.get(url(target)));
        expect_error(result, ErrorKind::TotalTimeout, "total timeout")?;
        fired_at(started, 0.6)?;
        Ok(())
    }

    fn connect_timeout() {
        let client = builder!().timeout(Timeout::new(10.0).connect(0.3)).build()?;
        let started = Instant::now();
        let result = send!(client.get(format!("http://{}/", stall_addr())));
        let err = match result {
            Ok(r) => return Err(wasi_support::fail(format!("connected: {}", r.status()))),
            Err(e) => e,
        };
        check!(err.kind() == ErrorKind::ConnectTimeout, "{err:?}");
        check!(err.message().contains("connection-timeout"), "{err}");
        fired_at(started, 0.3)?;
        Ok(())
    }

    fn no_timeouts_at_all() {
        let client = builder!().timeout(Timeout::none()).build()?;
        let response = send!(client.get(url("/delay/0.2")))?;
        check_eq!(response.status_code(), 200);
        Ok(())
    }
}
