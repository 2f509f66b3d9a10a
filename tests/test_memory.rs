//! Memory that stays proportional: a long redirect chain keeps O(n) responses, and a
//! body read in full is held once, not twice. Measured with this binary's own counting
//! global allocator; the tests take a lock, so each measures only itself.

// Native only: the wasm targets have their own allocators and test runners.
#![cfg(not(target_family = "wasm"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use httpx::{AsyncClient, Client, MockTransport, Response, Result};

/// Counts the bytes allocated through it, and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn add(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::SeqCst) + size;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

fn sub(size: usize) {
    CURRENT.fetch_sub(size, Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            add(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            add(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        sub(layout.size());
    }

    /// Counted as a new block allocated before the old one is freed: the peak of a
    /// realloc that copies (the pessimistic case).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size);
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            sub(new_size);
        } else {
            sub(layout.size());
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` alone in this binary and returns its result with the most bytes it had
/// allocated at once (beyond what was allocated before it started).
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let _guard: MutexGuard<'_, ()> = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(base);
    (out, peak)
}

const MIB: usize = 1024 * 1024;

/// A transport answering `/hop/N` with a 302 to `/hop/N+1` until `/hop/last`.
fn hops(last: usize) -> MockTransport {
    MockTransport::new(move |request| {
        let n: usize = request
            .url()
            .path()
            .trim_start_matches("/hop/")
            .parse()
            .unwrap_or(0);
        if n < last {
            Response::builder(302)
                .header("location", format!("/hop/{}", n + 1))
                .text("moved")
                .build()
        } else {
            Response::builder(200).text("done").build()
        }
    })
}

/// Follows `n` redirects and reads the final history (and one nested history).
fn follow(n: usize) -> Result<()> {
    let client = Client::builder()
        .transport(hops(n))
        .follow_redirects(true)
        .max_redirects(n)
        .build()?;
    let response = client.get("https://example.org/hop/0").send()?;
    assert_eq!(response.url().unwrap().path(), format!("/hop/{n}"));
    let history = response.history();
    assert_eq!(history.len(), n);
    for (i, earlier) in history.iter().enumerate() {
        assert_eq!(earlier.status(), 302);
        assert_eq!(earlier.url().unwrap().path(), format!("/hop/{i}"));
        assert_eq!(earlier.text()?, "moved");
    }
    let last = &history[n - 1];
    assert_eq!(last.history().len(), n - 1);
    assert_eq!(last.history()[0].url().unwrap().path(), "/hop/0");
    Ok(())
}

#[test]
fn a_redirect_chain_keeps_linear_memory() -> Result<()> {
    let (res, peak_500) = measure(|| follow(500));
    res?;
    let (res, peak_1000) = measure(|| follow(1000));
    res?;
    eprintln!(
        "redirects: 500 hops peaked at {} KiB, 1,000 at {} KiB",
        peak_500 / 1024,
        peak_1000 / 1024
    );
    // Copying the whole history at each hop kept n²/2 responses: 627 MiB for 1,000
    // hops, four times the figure for 500. Shared, a hop costs one response.
    assert!(
        peak_1000 < 32 * MIB,
        "1,000 redirects peaked at {} KiB",
        peak_1000 / 1024
    );
    assert!(
        (peak_1000 as f64) < 2.6 * peak_500 as f64,
        "not linear: 500 hops peaked at {} KiB, 1,000 at {} KiB",
        peak_500 / 1024,
        peak_1000 / 1024
    );
    Ok(())
}

#[test]
fn dropping_a_long_history_does_not_recurse() -> Result<()> {
    // 20,000 responses linked through their histories, dropped on a thread with a
    // 128 KiB stack: a recursive drop would take several frames per response.
    let n = 20_000;
    let (response, _) = measure(|| {
        let client = Client::builder()
            .transport(hops(n))
            .follow_redirects(true)
            .max_redirects(n)
            .build()?;
        client.get("https://example.org/hop/0").send()
    });
    let response = response?;
    assert_eq!(response.status(), 200);
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || drop(response))
        .expect("a thread")
        .join()
        .expect("the history dropped without overflowing the stack");
    Ok(())
}

/// A 200 whose body is `chunks` pieces of 64 KiB, made as they are read, with a
/// `Content-Length` when `with_length`.
fn large_body(chunks: usize, with_length: bool) -> MockTransport {
    MockTransport::new(move |_| {
        let body = (0..chunks).map(|_| Ok(Bytes::from(vec![b'x'; 64 * 1024])));
        let mut builder = Response::builder(200);
        if with_length {
            builder = builder.header("content-length", (chunks * 64 * 1024).to_string());
        }
        builder.stream(body).build()
    })
}

const BODY: usize = 64 * MIB;

#[test]
fn send_reads_a_large_body_into_one_buffer() -> Result<()> {
    // Collecting the chunks and joining them peaked at twice the body.
    let (len, peak) = measure(|| -> Result<usize> {
        let client = Client::builder()
            .transport(large_body(BODY / (64 * 1024), true))
            .build()?;
        let response = client.get("https://example.org/large").send()?;
        Ok(response.content()?.len())
    });
    assert_eq!(len?, BODY);
    eprintln!("a 64 MiB body: peak {} KiB", peak / 1024);
    assert!(
        (peak as f64) < 1.3 * BODY as f64,
        "reading a 64 MiB body peaked at {} MiB",
        peak / MIB
    );
    Ok(())
}

#[test]
fn aread_reads_a_large_body_into_one_buffer() -> Result<()> {
    let (len, peak) = measure(|| -> Result<usize> {
        let client = AsyncClient::builder()
            .transport(large_body(BODY / (64 * 1024), true))
            .build()?;
        let mut response =
            futures_executor::block_on(client.stream("GET", "https://example.org/large").send())?;
        Ok(futures_executor::block_on(response.aread())?.len())
    });
    assert_eq!(len?, BODY);
    eprintln!("a 64 MiB body: peak {} KiB", peak / 1024);
    assert!(
        (peak as f64) < 1.3 * BODY as f64,
        "aread of a 64 MiB body peaked at {} MiB",
        peak / MIB
    );
    Ok(())
}

#[test]
fn a_body_without_length_grows_one_buffer() -> Result<()> {
    // No length to reserve: the buffer doubles as it fills. Counted pessimistically
    // (a realloc that copies holds both blocks), that peaks at 1.5 times the body;
    // the chunks and their join held twice the body.
    let (len, peak) = measure(|| -> Result<usize> {
        let client = Client::builder()
            .transport(large_body(BODY / (64 * 1024), false))
            .build()?;
        let mut response = client.stream("GET", "https://example.org/large").send()?;
        Ok(response.read()?.len())
    });
    assert_eq!(len?, BODY);
    eprintln!("a 64 MiB body: peak {} KiB", peak / 1024);
    assert!(
        (peak as f64) < 1.6 * BODY as f64,
        "reading a 64 MiB body without Content-Length peaked at {} MiB",
        peak / MIB
    );
    Ok(())
}

#[test]
fn a_lying_content_length_reserves_a_bounded_buffer() -> Result<()> {
    // "Content-Length: 1 GiB" over two small chunks: at most 64 MiB is reserved while
    // reading, and the body kept is its own size.
    let (retained, peak) = measure(|| -> Result<usize> {
        let transport = MockTransport::new(|_| {
            let body = vec![
                Ok(Bytes::from_static(b"small")),
                Ok(Bytes::from_static(b" body")),
            ];
            Response::builder(200)
                .header("content-length", (1u64 << 30).to_string())
                .stream(body)
                .build()
        });
        let client = Client::builder().transport(transport).build()?;
        let base = CURRENT.load(Ordering::SeqCst);
        let response = client.get("https://example.org/").send()?;
        assert_eq!(response.content()?.as_ref(), b"small body");
        Ok(CURRENT.load(Ordering::SeqCst).saturating_sub(base))
    });
    eprintln!("a lying Content-Length: peak {} KiB", peak / 1024);
    assert!(
        peak < 66 * MIB,
        "a lying Content-Length made reading peak at {} MiB",
        peak / MIB
    );
    assert!(
        retained? < MIB,
        "the response kept the reservation for a 10-byte body"
    );
    Ok(())
}
