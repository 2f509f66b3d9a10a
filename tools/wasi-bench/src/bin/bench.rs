//! In one wasmtime run: sequential GETs through httpx's `Client` (and `AsyncClient` on
//! the WASI executor) against a bare loop on the `wasi` crate's outgoing-handler.
//! `bench [N] [PATH]`: N GETs per side (default 2000) of PATH (default `/bytes/13`).
//!
//! The sides take turns request by request (the order rotating), so that all of them
//! see the same machine: on a loaded machine the time per request drifts by more than
//! the differences measured. The reference is the bare loop sending the request httpx
//! sends (its default `Accept`, `Accept-Encoding` and `User-Agent`); the bare loop
//! without headers is shown too, and the transport used without the client, to tell
//! the transport's share from the client layers' (request building, the send loop,
//! cookies, the response model).

use std::time::Instant;

use httpx::Transport;
use httpx_wasi_bench::{bare_get_with, server, split};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let path = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "/bytes/13".into());
    let url = format!("{}{path}", server());
    let (scheme, authority, target) = split(&url);
    let client = httpx::Client::new();
    let async_client = httpx::AsyncClient::new();
    // What httpx's client sends by default (Connection and Host are the host's).
    let headers: Vec<(String, Vec<u8>)> = client
        .headers()
        .raw()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("connection"))
        .map(|(name, value)| (name.to_string(), value.to_vec()))
        .collect();

    let transport = httpx::WasiHttpTransport::new();
    let parsed = httpx::Url::parse(&url).expect("the URL");
    let request_headers =
        httpx::Headers::from_pairs(headers.iter().map(|(n, v)| (n, v))).expect("valid headers");

    let sides: Vec<(&str, Box<dyn Fn()>)> = vec![
        (
            "bare `wasi` loop, no headers",
            Box::new(|| {
                let (status, _, body) = bare_get_with(&scheme, &authority, &target, &[]);
                assert_eq!(status, 200);
                std::hint::black_box(body);
            }),
        ),
        (
            "bare `wasi` loop, httpx's request headers (reference)",
            Box::new(|| {
                let (status, _, body) = bare_get_with(&scheme, &authority, &target, &headers);
                assert_eq!(status, 200);
                std::hint::black_box(body);
            }),
        ),
        (
            "httpx `WasiHttpTransport` alone, same request (no client)",
            Box::new(|| {
                let mut request = httpx::Request::new(httpx::Method::GET, parsed.clone());
                *request.headers_mut() = request_headers.clone();
                let mut response = transport.handle_request(request).expect("transport GET");
                assert_eq!(response.status_code(), 200);
                std::hint::black_box(response.read().map(|c| c.len()).unwrap_or(0));
            }),
        ),
        (
            "httpx `Client`",
            Box::new(|| {
                let response = client.get(&url).send().expect("httpx GET");
                assert_eq!(response.status_code(), 200);
                std::hint::black_box(response.content().map(|c| c.len()).unwrap_or(0));
            }),
        ),
        (
            "httpx `AsyncClient` on `transport::wasi::block_on`",
            Box::new(|| {
                let response = httpx::transport::wasi::block_on(async_client.get(&url).send())
                    .expect("the executor")
                    .expect("httpx GET");
                assert_eq!(response.status_code(), 200);
                std::hint::black_box(response.content().map(|c| c.len()).unwrap_or(0));
            }),
        ),
    ];
    const REFERENCE: usize = 1;

    let warm_up = 50;
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(n); sides.len()];
    for i in 0..warm_up + n {
        for k in 0..sides.len() {
            let side = (i + k) % sides.len();
            let started = Instant::now();
            (sides[side].1)();
            if i >= warm_up {
                times[side].push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    let total = |v: &[f64]| v.iter().sum::<f64>();
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let reference_total = total(&times[REFERENCE]);
    let reference_median = median(&times[REFERENCE]);
    println!("{n} sequential GETs of {path} per side, one wasmtime run, sides interleaved");
    println!();
    println!("| client | total (ms) | mean µs/request | median µs/request | time / reference | median / reference |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (side, (name, _)) in sides.iter().enumerate() {
        let v = &times[side];
        println!(
            "| {name} | {:.0} | {:.1} | {:.1} | {:.3}× | {:.3}× |",
            total(v) / 1e3,
            total(v) / v.len() as f64,
            median(v),
            total(v) / reference_total,
            median(v) / reference_median
        );
    }
}
