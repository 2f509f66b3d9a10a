//! The native transport against raw hyper and reqwest (issue 4, "Benchmark").
//!
//! One run of this binary starts ONE local hyper server (a child process of this
//! binary, pinned with `taskset -c 0`), pins itself to another core (`taskset -c 1`;
//! it re-executes itself under taskset when it is not pinned yet), and measures five
//! clients against that server: raw hyper-util (the baseline), this crate's `Client`
//! (sync) and `AsyncClient` (async), reqwest (async) and ureq 3 (blocking, one `Agent`
//! shared by the threads when 64 requests are in flight); reqwest::blocking is measured
//! too, for scale next to the sync `Client`. Every figure is also given as a ratio to
//! raw hyper in the same run. Each scenario is run 3 times (`BENCH_REPS`) after a
//! warm-up run and the median is reported; in the request scenarios each run is made
//! of 10 slices alternating between the clients, so that a disturbance from elsewhere
//! on the machine falls on every client alike. Besides requests per second it reports
//! the client process's CPU time per request (less sensitive to a busy machine).
//!
//! Run it with `make bench` (= `tools/bench.sh`), or `cargo bench --bench transport`.
//! `BENCH_QUICK=1` runs every scenario at a tenth of its size (a smoke test; its
//! figures mean little). `BENCH_SERVER_CPU` / `BENCH_CLIENT_CPU` choose the cores
//! (default 0 and 1); `BENCH_NO_PIN=1` turns pinning off.
//!
//! The binary has other modes (the bench uses the first three on itself):
//! - `server`: the hyper server; prints `PORT n`, serves until its stdin closes;
//! - `stream KIND PORT BYTES`: one streamed download in a fresh process, for its own
//!   peak RSS;
//! - `cold KIND PORT`: create a client, one GET, exit (cold start);
//! - `probe KIND get|post|c64|c64d COUNT`: one scenario for one client against its own
//!   server, to look at with `strace -c`, `perf record` or `perf stat`; KIND is one of
//!   hyper, sync, async, reqwest, ureq, transport and sync-transport (this crate's
//!   transports without a client around them), async-notimeout, reqwest-blocking;
//! - `sizes`: the sizes of the request futures of each client.
//! - `allocs KIND get|post COUNT`: heap allocations per request of one client (after a
//!   warm-up), against its own server.
//!
//! For example, from the repository:
//! `taskset -c 1 target/release/deps/transport-* probe transport c64 100000`.
//!
//! Heap allocations: this binary's global allocator is [`Counting`], the system
//! allocator plus one relaxed atomic increment per allocation (`alloc`, `alloc_zeroed`)
//! and per `realloc` (counted apart). The bench counts the allocations of its whole
//! process (every thread, so also the sync clients' runtime threads) over a run of
//! sequential requests; the server is a child process, with its own counter, so its
//! allocations are not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(not(target_family = "wasm"))]
#[path = "transport/native.rs"]
mod native;

/// The system allocator, counting allocations (not bytes).
struct Counting;

/// Allocations (`alloc` and `alloc_zeroed` calls) in this process so far.
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// `realloc` calls in this process so far.
static REALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded as it is to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, reallocations) made by this process so far.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
fn allocation_counts() -> (u64, u64) {
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        REALLOCATIONS.load(Ordering::Relaxed),
    )
}

fn main() {
    #[cfg(not(target_family = "wasm"))]
    native::main();
    #[cfg(target_family = "wasm")]
    eprintln!("the transport benchmark runs on native targets only");
}
