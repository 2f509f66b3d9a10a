//! What differs per target underneath the core: `Send` bounds, boxed futures and
//! streams, the clock and randomness.
//!
//! Browser values (`JsValue`) and WASI resources are `!Send`, so the bounds that
//! native code needs are switched off on `wasm` targets by [`MaybeSend`] and
//! [`MaybeSync`]. Every clock read of the crate goes through this module, because
//! `std::time::Instant::now()` panics on `wasm32-unknown-unknown`.

use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;

/// The `wasi:io/poll` executor behind [`block_on`] on WASI (re-exported as
/// `httpx::transport::wasi::block_on`).
#[cfg(all(target_os = "wasi", feature = "wasi"))]
pub(crate) mod wasi_executor;

/// `Send` on native targets; no bound on `wasm` targets, whose host values are `!Send`.
#[cfg(not(target_family = "wasm"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_family = "wasm"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` on native targets; no bound on `wasm` targets, whose host values are `!Send`.
#[cfg(target_family = "wasm")]
pub trait MaybeSend {}
#[cfg(target_family = "wasm")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on native targets; no bound on `wasm` targets.
#[cfg(not(target_family = "wasm"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_family = "wasm"))]
impl<T: Sync + ?Sized> MaybeSync for T {}

/// `Sync` on native targets; no bound on `wasm` targets.
#[cfg(target_family = "wasm")]
pub trait MaybeSync {}
#[cfg(target_family = "wasm")]
impl<T: ?Sized> MaybeSync for T {}

/// A boxed future that is `Send` on native targets.
#[cfg(not(target_family = "wasm"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A boxed future that is `Send` on native targets.
#[cfg(target_family = "wasm")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A boxed stream that is `Send` on native targets.
#[cfg(not(target_family = "wasm"))]
pub type BoxStream<'a, T> = Pin<Box<dyn Stream<Item = T> + Send + 'a>>;
/// A boxed stream that is `Send` on native targets.
#[cfg(target_family = "wasm")]
pub type BoxStream<'a, T> = Pin<Box<dyn Stream<Item = T> + 'a>>;

/// A boxed blocking iterator that is `Send` on native targets.
#[cfg(not(target_family = "wasm"))]
pub type BoxIter<'a, T> = Box<dyn Iterator<Item = T> + Send + 'a>;
/// A boxed blocking iterator that is `Send` on native targets.
#[cfg(target_family = "wasm")]
pub type BoxIter<'a, T> = Box<dyn Iterator<Item = T> + 'a>;

/// A monotonic instant that works on every target (`performance.now()` in the browser).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use std::time::Instant;
/// A monotonic instant that works on every target (`performance.now()` in the browser).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use web_time::Instant;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) use std::time::SystemTime;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) use web_time::SystemTime;

/// Seconds since the Unix epoch, as the cookie jar counts expiry.
pub(crate) fn unix_now() -> i64 {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    let epoch = web_time::UNIX_EPOCH;
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    let epoch = std::time::UNIX_EPOCH;
    match SystemTime::now().duration_since(epoch) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Fills `buf` from the host's secure random source (Web Crypto in the browser).
pub(crate) fn fill_random(buf: &mut [u8]) -> crate::Result<()> {
    getrandom::fill(buf).map_err(|e| {
        crate::Error::new(
            crate::ErrorKind::LocalProtocolError,
            format!("the host gave no random bytes: {e}"),
        )
    })
}

/// `n` random bytes as lowercase hex (multipart boundaries, digest cnonces).
pub(crate) fn random_hex(n: usize) -> crate::Result<String> {
    let mut buf = vec![0u8; n];
    fill_random(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// What [`block_on`] gives back when the future can never finish: an error in place of
/// the output (only on WASI, where no other thread can wake a stalled future).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) trait FromStall {
    /// The output carrying `error`.
    #[cfg_attr(not(target_os = "wasi"), allow(dead_code))]
    fn from_stall(error: crate::Error) -> Self;
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl<T> FromStall for crate::Result<T> {
    fn from_stall(error: crate::Error) -> Self {
        Err(error)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl<T> FromStall for Option<crate::Result<T>> {
    fn from_stall(error: crate::Error) -> Self {
        Some(Err(error))
    }
}

/// Drives a future to completion on the current thread.
///
/// Used by the sync [`Client`](crate::Client) for transports and auth flows that are
/// async but need no runtime (mock handlers, in-process services). It is not public:
/// real network transports have sync implementations of their own.
///
/// On WASI (one thread, no parking) it is the `wasi:io/poll` executor of the WASI
/// transport; a future pending on nothing it can wait for gives an `InvalidState` error
/// instead of hanging.
#[cfg(all(target_os = "wasi", feature = "wasi"))]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output
where
    F::Output: FromStall,
{
    wasi_executor::block_on(future).unwrap_or_else(F::Output::from_stall)
}

/// A waker that records that it was woken: WASI has one thread, so nobody else can
/// be waiting on it, and an executor asks the flag instead of parking.
#[cfg(target_os = "wasi")]
pub(crate) struct WakeFlag(std::sync::atomic::AtomicBool);

#[cfg(target_os = "wasi")]
impl WakeFlag {
    /// A cleared flag and a waker that sets it.
    pub(crate) fn waker() -> (std::sync::Arc<WakeFlag>, std::task::Waker) {
        let flag = std::sync::Arc::new(WakeFlag(std::sync::atomic::AtomicBool::new(false)));
        (flag.clone(), std::task::Waker::from(flag))
    }

    pub(crate) fn clear(&self) {
        self.0.store(false, std::sync::atomic::Ordering::Release);
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Acquire)
    }
}

#[cfg(target_os = "wasi")]
impl std::task::Wake for WakeFlag {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.store(true, std::sync::atomic::Ordering::Release);
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.store(true, std::sync::atomic::Ordering::Release);
    }
}

/// Drives a future to completion on the current thread (WASI without the `wasi`
/// feature: there are no pollables to wait on, so a future that is pending without
/// having woken itself can never finish and gives an `InvalidState` error).
#[cfg(all(target_os = "wasi", not(feature = "wasi")))]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output
where
    F::Output: FromStall,
{
    use std::task::{Context, Poll};

    let (flag, waker) = WakeFlag::waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        flag.clear();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if !flag.is_set() {
            return F::Output::from_stall(crate::Error::new(
                crate::ErrorKind::InvalidState,
                "block_on: the future is pending and nothing can wake it (this WASI build \
                 has no `wasi` feature, so no host I/O to wait for)",
            ));
        }
    }
}

/// Drives a future to completion on the current thread.
///
/// Used by the sync [`Client`](crate::Client) for transports and auth flows that are
/// async but need no runtime (mock handlers, in-process services). It is not public:
/// real network transports have sync implementations of their own.
#[cfg(not(any(all(target_arch = "wasm32", target_os = "unknown"), target_os = "wasi")))]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output
where
    F::Output: FromStall,
{
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::thread::Thread;

    struct ThreadWaker(Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }

    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_hex_has_the_requested_length_and_varies() {
        let a = super::random_hex(16).unwrap();
        let b = super::random_hex(16).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn unix_now_is_after_2020() {
        assert!(super::unix_now() > 1_577_836_800);
    }
}
