//! A small executor for WASI 0.2: futures wait on `wasi:io/poll` pollables, and
//! [`block_on`] polls the host for all of them at once.
//!
//! WASI 0.2 has no threads and one way to wait: `wasi:io/poll.poll(list<pollable>)`, which
//! blocks until at least one pollable is ready. So the executor is a loop: poll the
//! future; if it is pending, ask the host which of the pollables registered while it
//! was polled are ready, wake their tasks, and poll again. A future that is pending
//! while it waits on no pollable and woke nobody can never finish (no other thread
//! exists to wake it): [`block_on`] then fails with an error instead of hanging.
//!
//! Waits polled outside [`block_on`] (by another executor) block the component in the
//! host's `poll` until ready: correct, though without concurrency.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use wasi::io::poll::{poll, Pollable};

use crate::error::{Error, Result};

/// One pollable a task waits on.
struct Registration {
    id: u64,
    /// The `block_on` call (nesting depth) that was running when it was registered.
    level: usize,
    /// Weak, so that the reactor never keeps a pollable (a child resource of a stream
    /// or a future) alive after its owner dropped it: the host traps when a parent
    /// resource is dropped before its children.
    pollable: Weak<Pollable>,
    waker: Waker,
    fired: Rc<Cell<bool>>,
}

thread_local! {
    /// Nesting depth of `block_on` calls; 0 when none runs.
    static LEVEL: Cell<usize> = const { Cell::new(0) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    static WAITING: RefCell<Vec<Registration>> = const { RefCell::new(Vec::new()) };
}

/// Decrements the nesting depth when a `block_on` call ends, also by unwinding.
struct LevelGuard(usize);

impl Drop for LevelGuard {
    fn drop(&mut self) {
        LEVEL.with(|l| l.set(self.0 - 1));
        // Registrations of this level that outlived their futures are dead.
        let level = self.0;
        WAITING.with(|w| {
            if let Ok(mut w) = w.try_borrow_mut() {
                w.retain(|r| r.level < level);
            }
        });
    }
}

/// Runs `future` to completion on the current thread, waiting on the host's pollables
/// whenever it is pending.
///
/// This is the executor of [`AsyncClient`](crate::AsyncClient) in WASI 0.2 components,
/// in a `wasi:cli` command as in a `wasi:http` incoming handler; the blocking
/// [`Client`](crate::Client) uses it internally. Calls may nest (a blocking client used
/// inside an async task): the inner call waits only on its own pollables.
///
/// Fails with [`InvalidState`](crate::ErrorKind::InvalidState) when the future is
/// pending on nothing this executor can wait for (no pollable, no wake-up): such a
/// future would never finish.
///
/// ```no_run
/// # fn main() -> httpx::Result<()> {
/// let client = httpx::AsyncClient::new();
/// let response = httpx::transport::wasi::block_on(async {
///     client.get("http://127.0.0.1:8765/get").send().await
/// })??;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let level = LEVEL.with(|l| {
        let level = l.get() + 1;
        l.set(level);
        level
    });
    let _guard = LevelGuard(level);
    let (flag, waker) = super::WakeFlag::waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        flag.clear();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
        if flag.is_set() {
            // Woken while polled (a yield, a channel): poll again at once.
            continue;
        }
        if !wait_for_level(level) {
            return Err(Error::invalid_state(
                "block_on: the future is pending, but it waits on no WASI pollable and \
                 nothing woke it, so it can never finish (is it a future of another \
                 runtime, or a channel nobody sends on?)",
            ));
        }
    }
}

/// Waits until a pollable registered at `level` is ready and wakes its task. Returns
/// false when there is nothing to wait for.
fn wait_for_level(level: usize) -> bool {
    let ready: Vec<(Waker, Rc<Cell<bool>>)> = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        // Drop registrations whose pollable is gone.
        w.retain(|r| r.pollable.strong_count() > 0);
        let mut indices = Vec::new();
        let mut pollables = Vec::new();
        for (i, r) in w.iter().enumerate() {
            if r.level == level {
                if let Some(p) = r.pollable.upgrade() {
                    indices.push(i);
                    pollables.push(p);
                }
            }
        }
        if pollables.is_empty() {
            return Vec::new();
        }
        let refs: Vec<&Pollable> = pollables.iter().map(|p| &**p).collect();
        let mut fired: Vec<usize> = poll(&refs)
            .into_iter()
            .filter_map(|i| indices.get(i as usize).copied())
            .collect();
        fired.sort_unstable();
        fired.dedup();
        let mut woken = Vec::with_capacity(fired.len());
        for i in fired.into_iter().rev() {
            let r = w.swap_remove(i);
            woken.push((r.waker, r.fired));
        }
        woken
    });
    if ready.is_empty() {
        return false;
    }
    // Wake outside the borrow: a waker may do anything, even register again.
    for (waker, fired) in ready {
        fired.set(true);
        waker.wake();
    }
    true
}

fn register(pollable: &Rc<Pollable>, waker: &Waker, level: usize) -> (u64, Rc<Cell<bool>>) {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    let fired = Rc::new(Cell::new(false));
    WAITING.with(|w| {
        w.borrow_mut().push(Registration {
            id,
            level,
            pollable: Rc::downgrade(pollable),
            waker: waker.clone(),
            fired: fired.clone(),
        })
    });
    (id, fired)
}

fn deregister(ids: &[u64]) {
    if ids.is_empty() {
        return;
    }
    WAITING.with(|w| {
        if let Ok(mut w) = w.try_borrow_mut() {
            w.retain(|r| !ids.contains(&r.id));
        }
    });
}

/// Updates the waker (and level) of live registrations; returns false if one is gone.
fn refresh(ids: &[u64], waker: &Waker, level: usize) -> bool {
    WAITING.with(|w| {
        let mut w = w.borrow_mut();
        let mut found = 0;
        for r in w.iter_mut().filter(|r| ids.contains(&r.id)) {
            if !r.waker.will_wake(waker) {
                r.waker = waker.clone();
            }
            r.level = level;
            found += 1;
        }
        found == ids.len()
    })
}

/// A future that completes with the index of the first of `pollables` that is ready.
pub(crate) struct WaitAny<'a> {
    pollables: &'a [&'a Rc<Pollable>],
    registered: Vec<(u64, Rc<Cell<bool>>)>,
}

/// Waits until one of `pollables` is ready; gives its index.
pub(crate) fn wait_any<'a>(pollables: &'a [&'a Rc<Pollable>]) -> WaitAny<'a> {
    WaitAny {
        pollables,
        registered: Vec::new(),
    }
}

impl Future for WaitAny<'_> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if let Some(i) = this.registered.iter().position(|(_, fired)| fired.get()) {
            this.clear();
            return Poll::Ready(i);
        }
        let level = LEVEL.with(Cell::get);
        if level == 0 {
            // Not in our executor: block in the host until one is ready.
            let refs: Vec<&Pollable> = this.pollables.iter().map(|p| &***p).collect();
            let ready = poll(&refs);
            return Poll::Ready(ready.first().map_or(0, |&i| i as usize));
        }
        if !this.registered.is_empty() {
            let ids: Vec<u64> = this.registered.iter().map(|(id, _)| *id).collect();
            if refresh(&ids, cx.waker(), level) {
                return Poll::Pending;
            }
            // A registration was dropped (its block_on ended): register anew.
            this.clear();
        }
        // No host call here: the executor's `poll` returns at once for a pollable that
        // is ready already.
        for pollable in this.pollables {
            this.registered.push(register(pollable, cx.waker(), level));
        }
        Poll::Pending
    }
}

impl WaitAny<'_> {
    fn clear(&mut self) {
        let ids: Vec<u64> = self.registered.drain(..).map(|(id, _)| id).collect();
        deregister(&ids);
    }
}

impl Drop for WaitAny<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasi::clocks::monotonic_clock;

    #[test]
    fn waits_on_a_timer() {
        let timer = Rc::new(monotonic_clock::subscribe_duration(1_000_000));
        let started = monotonic_clock::now();
        let index = block_on(async { wait_any(&[&timer]).await }).unwrap();
        assert_eq!(index, 0);
        assert!(monotonic_clock::now() - started >= 1_000_000);
    }

    #[test]
    fn the_first_ready_pollable_wins() {
        let slow = Rc::new(monotonic_clock::subscribe_duration(10_000_000_000));
        let fast = Rc::new(monotonic_clock::subscribe_duration(1_000_000));
        let index = block_on(async { wait_any(&[&slow, &fast]).await }).unwrap();
        assert_eq!(index, 1);
        WAITING.with(|w| assert!(w.borrow().is_empty(), "the loser was deregistered"));
    }

    #[test]
    fn a_future_waiting_on_nothing_fails_instead_of_hanging() {
        let err = block_on(std::future::pending::<()>()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidState);
        assert!(err.message().contains("no WASI pollable"), "{err}");
    }

    #[test]
    fn a_woken_future_is_polled_again() {
        let mut yielded = false;
        let value = block_on(std::future::poll_fn(|cx| {
            if yielded {
                Poll::Ready(7)
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }))
        .unwrap();
        assert_eq!(value, 7);
    }

    #[test]
    fn nested_calls_wait_on_their_own_pollables() {
        let outer = Rc::new(monotonic_clock::subscribe_duration(2_000_000));
        let index = block_on(async {
            let inner_timer = Rc::new(monotonic_clock::subscribe_duration(1_000_000));
            let inner = block_on(async { wait_any(&[&inner_timer]).await }).unwrap();
            assert_eq!(inner, 0);
            wait_any(&[&outer]).await
        })
        .unwrap();
        assert_eq!(index, 0);
    }

    #[test]
    fn outside_the_executor_a_wait_blocks() {
        let timer = Rc::new(monotonic_clock::subscribe_duration(1_000_000));
        let index = futures_executor_like(wait_any(&[&timer]));
        assert_eq!(index, 0);
    }

    /// Polls once with a no-op waker: a wait outside `block_on` must be ready at once.
    fn futures_executor_like<F: Future>(future: F) -> F::Output {
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("a wait outside block_on must block, not pend"),
        }
    }
}
