//! The connection pool: idle HTTP/1.1 connections per origin, one shared HTTP/2
//! connection per origin, and httpx's `Limits` (max connections with a pool timeout,
//! max idle connections, idle expiry).
//!
//! Requests that find no connection and no free slot wait in one FIFO queue, as in
//! httpcore: a connection given back goes straight to the oldest request waiting for its
//! origin; otherwise, when every slot is taken, it is closed and its slot goes to the
//! oldest waiting request for another origin. A request that may get HTTP/2 waits for a
//! connection being set up to its origin instead of opening one more, and shares it when
//! ALPN chose `h2`.
//!
//! Every slot ([`Permit`]) gives itself back when dropped, whatever drops it, so a
//! connection closed anywhere (a failed request, an evicted idle one) frees its slot for
//! the next waiter at once.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::client::conn::http1;
#[cfg(feature = "http2")]
use hyper::client::conn::http2;
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;

use super::body::SendBody;
use super::io::IoTimeouts;
use crate::config::Limits;
use crate::error::{Error, ErrorKind, Result};

/// Ends when the connection's task has ended (its socket is closed).
#[derive(Clone)]
pub(crate) struct TaskDone(watch::Receiver<bool>);

impl TaskDone {
    /// A pair: the sender goes into the connection's task and is dropped when it ends.
    pub(crate) fn new() -> (watch::Sender<bool>, TaskDone) {
        let (tx, rx) = watch::channel(false);
        (tx, TaskDone(rx))
    }

    async fn wait(mut self) {
        // An error means the task dropped its sender: it has ended.
        let _ = self.0.wait_for(|done| *done).await;
    }
}

/// An HTTP/1.1 connection checked out of the pool.
pub(crate) struct H1Conn {
    pub(crate) sender: http1::SendRequest<SendBody>,
    pub(crate) timeouts: Arc<IoTimeouts>,
    /// Counts towards `max_connections` for as long as the connection lives.
    permit: Permit,
    pub(crate) key: Arc<str>,
    done: TaskDone,
}

/// An HTTP/2 connection (shared: many requests at once).
#[cfg(feature = "http2")]
#[derive(Clone)]
pub(crate) struct H2Conn {
    pub(crate) sender: http2::SendRequest<SendBody>,
    pub(crate) timeouts: Arc<IoTimeouts>,
    /// The connection's slot: held until the last request using the connection (and
    /// the pool's entry) let go of it, when the connection closes too.
    permit: Arc<Permit>,
    done: TaskDone,
}

#[cfg(feature = "http2")]
impl H2Conn {
    fn same_as(&self, other: &H2Conn) -> bool {
        Arc::ptr_eq(&self.permit, &other.permit)
    }
}

/// A connection to send one request on.
pub(crate) enum Conn {
    H1(H1Conn),
    #[cfg(feature = "http2")]
    H2(H2Conn),
}

/// A slot towards `max_connections`. Dropped, it goes to the oldest waiting request.
pub(crate) struct Permit {
    pool: Option<Arc<Inner>>,
}

impl Permit {
    /// Forgets the slot without giving it back (the caller did the accounting).
    fn defuse(mut self) {
        self.pool = None;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.release_slot();
        }
    }
}

/// What a waiting request is given.
enum Grant {
    Idle(H1Conn),
    Slot(Permit),
    #[cfg(feature = "http2")]
    Shared(H2Conn),
    /// The HTTP/2 connection the request waited for did not come: look again.
    Retry,
    /// Setting up the connection the request waited for failed with this error.
    Failed(ErrorKind, String),
}

struct Waiter {
    id: u64,
    key: Arc<str>,
    /// Waits only for the HTTP/2 connection being set up to `key`, not for a slot.
    for_h2: bool,
    tx: oneshot::Sender<Grant>,
}

/// Connections taken out of the pool under its lock, to be dropped after it is
/// released (dropping one may give its slot back, which takes the lock).
#[derive(Default)]
struct Closed {
    h1: Vec<H1Conn>,
    #[cfg(feature = "http2")]
    h2: Vec<H2Conn>,
}

struct Idle {
    conn: H1Conn,
    since: Instant,
}

#[derive(Default)]
struct State {
    idle: HashMap<Arc<str>, Vec<Idle>>,
    idle_total: usize,
    /// Connections open or being opened (slots handed out).
    open: usize,
    waiters: VecDeque<Waiter>,
    #[cfg(feature = "http2")]
    h2: HashMap<Arc<str>, H2Conn>,
    /// Origins to which a connection that may turn out HTTP/2 is being set up.
    #[cfg(feature = "http2")]
    h2_pending: std::collections::HashSet<Arc<str>>,
    /// Origins whose last new connection negotiated HTTP/1.1: requests to them do not
    /// wait for each other's connection set-up.
    #[cfg(feature = "http2")]
    h1_origins: std::collections::HashSet<Arc<str>>,
}

/// At most this many origins are remembered in `h1_origins` (then it starts afresh).
#[cfg(feature = "http2")]
const MAX_H1_ORIGINS: usize = 1024;

impl State {
    /// Hands `grant` to the oldest waiter that `wants` it; gives it back when none
    /// takes it (nobody waits, or those who did gave up).
    fn hand_to_oldest(
        &mut self,
        wants: impl Fn(&Waiter) -> bool,
        mut grant: Grant,
    ) -> Option<Grant> {
        while let Some(index) = self.waiters.iter().position(&wants) {
            let Some(waiter) = self.waiters.remove(index) else {
                break;
            };
            match waiter.tx.send(grant) {
                Ok(()) => return None,
                Err(back) => grant = back,
            }
        }
        Some(grant)
    }

    /// Takes every waiter that `matches` out of the line; the caller answers them
    /// after releasing the lock.
    #[cfg(feature = "http2")]
    fn take_waiters(&mut self, matches: impl Fn(&Waiter) -> bool) -> Vec<oneshot::Sender<Grant>> {
        let (taken, kept): (VecDeque<Waiter>, VecDeque<Waiter>) = std::mem::take(&mut self.waiters)
            .into_iter()
            .partition(|w| matches(w));
        self.waiters = kept;
        taken.into_iter().map(|w| w.tx).collect()
    }
}

struct Inner {
    limits: Limits,
    state: Mutex<State>,
    next_waiter: AtomicU64,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn at_limit(&self, state: &State) -> bool {
        self.limits
            .max_connections
            .is_some_and(|max| state.open >= max)
    }

    /// A slot came free: to the oldest request waiting for one, or back to the count.
    fn release_slot(self: &Arc<Self>) {
        let mut state = self.state();
        let permit = Permit {
            pool: Some(self.clone()),
        };
        let Some(unclaimed) = state.hand_to_oldest(|w| !w.for_h2, Grant::Slot(permit)) else {
            return;
        };
        state.open = state.open.saturating_sub(1);
        drop(state);
        if let Grant::Slot(permit) = unclaimed {
            permit.defuse();
        }
    }
}

/// A request waiting in line; dropped, it leaves the line (if still in it), so that no
/// connection is closed or slot handed to a request nobody waits for.
struct InLine<'a> {
    pool: &'a Arc<Inner>,
    id: u64,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let mut state = self.pool.state();
        if let Some(index) = state.waiters.iter().position(|w| w.id == self.id) {
            let waiter = state.waiters.remove(index);
            drop(state);
            drop(waiter);
        }
    }
}

/// What [`Pool::acquire`] gives a request.
pub(crate) enum Acquired {
    /// A live connection from the pool.
    Reuse(Conn),
    /// A slot to open a new connection with. When `h2_pending` is set, this request is
    /// the one setting up the connection other requests to its origin wait for: it must
    /// call [`Pool::add_h2`] or drop the guard.
    New(Permit, Option<H2Pending>),
}

/// Marks the HTTP/2 connection being set up to an origin. Dropped without
/// [`Pool::add_h2`], [`H2Pending::negotiated_h1`] or [`H2Pending::failed`] (the request
/// setting it up was cancelled), the requests waiting for it look for a connection again.
#[cfg_attr(not(feature = "http2"), allow(dead_code))]
pub(crate) struct H2Pending {
    pool: Arc<Inner>,
    key: Arc<str>,
    outcome: Option<Grant>,
}

impl H2Pending {
    /// The connection negotiated HTTP/1.1: the waiting requests open their own, and
    /// later requests to this origin stop waiting for each other.
    pub(crate) fn negotiated_h1(mut self) {
        #[cfg(feature = "http2")]
        {
            let mut state = self.pool.state();
            if state.h1_origins.len() >= MAX_H1_ORIGINS {
                state.h1_origins.clear();
            }
            state.h1_origins.insert(self.key.clone());
        }
        self.outcome = Some(Grant::Retry);
    }

    /// Setting up the connection failed: the waiting requests fail the same way rather
    /// than each trying again in turn.
    pub(crate) fn failed(mut self, error: &Error) {
        self.outcome = Some(Grant::Failed(error.kind(), error.message().to_string()));
    }
}

impl Drop for H2Pending {
    fn drop(&mut self) {
        #[cfg(feature = "http2")]
        {
            let mut state = self.pool.state();
            state.h2_pending.remove(&self.key);
            let woken = state.take_waiters(|w| w.for_h2 && w.key == self.key);
            drop(state);
            for tx in woken {
                let grant = match &self.outcome {
                    Some(Grant::Failed(kind, message)) => Grant::Failed(*kind, message.clone()),
                    _ => Grant::Retry,
                };
                let _ = tx.send(grant);
            }
        }
    }
}

/// The pool of one transport. Connections are never shared between transports, so
/// clients with different TLS or proxy settings never reuse each other's connections.
pub(crate) struct Pool {
    inner: Arc<Inner>,
}

impl Pool {
    pub(crate) fn new(limits: Limits) -> Pool {
        Pool {
            inner: Arc::new(Inner {
                limits,
                state: Mutex::new(State::default()),
                next_waiter: AtomicU64::new(0),
            }),
        }
    }

    /// Whether the pool holds a connection to `key` that a request might reuse (the
    /// caller then lets the runtime process what arrived on idle connections first).
    pub(crate) fn has_connection(&self, key: &str) -> bool {
        let state = self.inner.state();
        #[cfg(feature = "http2")]
        if state.h2.contains_key(key) {
            return true;
        }
        state.idle.get(key).is_some_and(|list| !list.is_empty())
    }

    /// A connection to `key` from the pool, or a slot to open one: at once when there
    /// is one, else after closing an idle connection to another origin, else by waiting
    /// in line up to the pool timeout. `may_be_h2`: a new connection to `key` may turn
    /// out HTTP/2, so a request finding one being set up waits for it.
    pub(crate) async fn acquire(
        &self,
        key: &Arc<str>,
        may_be_h2: bool,
        pool_timeout: Option<Duration>,
    ) -> Result<Acquired> {
        let started = Instant::now();
        loop {
            let mut closed = Closed::default();
            let rx = {
                let mut state = self.inner.state();
                self.prune(&mut state, &mut closed);
                #[cfg(feature = "http2")]
                if let Some(conn) = state.h2.get(key) {
                    return Ok(Acquired::Reuse(Conn::H2(conn.clone())));
                }
                if let Some(conn) = state
                    .idle
                    .get_mut(key)
                    .and_then(Vec::pop)
                    .map(|idle| idle.conn)
                {
                    state.idle_total -= 1;
                    drop(state);
                    drop(closed);
                    return Ok(Acquired::Reuse(Conn::H1(conn)));
                }
                #[cfg(feature = "http2")]
                let may_be_h2 = may_be_h2 && !state.h1_origins.contains(key);
                #[cfg(feature = "http2")]
                let wait_for_h2 = may_be_h2 && state.h2_pending.contains(key);
                #[cfg(not(feature = "http2"))]
                let wait_for_h2 = {
                    let _ = may_be_h2;
                    false
                };
                if !wait_for_h2 {
                    if let Some(permit) = self.take_slot(&mut state, &mut closed) {
                        #[cfg(feature = "http2")]
                        let pending = may_be_h2 && state.h2_pending.insert(key.clone());
                        #[cfg(not(feature = "http2"))]
                        let pending = false;
                        let pending = pending.then(|| H2Pending {
                            pool: self.inner.clone(),
                            key: key.clone(),
                            outcome: None,
                        });
                        drop(state);
                        drop(closed);
                        return Ok(Acquired::New(permit, pending));
                    }
                }
                let (tx, rx) = oneshot::channel();
                let id = self.inner.next_waiter.fetch_add(1, Ordering::Relaxed);
                state.waiters.push_back(Waiter {
                    id,
                    key: key.clone(),
                    for_h2: wait_for_h2,
                    tx,
                });
                (id, rx, wait_for_h2)
            };
            drop(closed);
            let (id, mut rx, for_h2) = rx;
            // A request given up (cancelled, or past its total deadline) leaves the line.
            let _in_line = InLine {
                pool: &self.inner,
                id,
            };
            // Waiting for an HTTP/2 connection being set up is bounded by that set-up
            // (its connect timeout), not by the pool timeout.
            let limit = if for_h2 {
                None
            } else {
                pool_timeout.map(|t| t.saturating_sub(started.elapsed()))
            };
            let granted = match limit {
                None => (&mut rx).await.ok(),
                Some(limit) => match tokio::time::timeout(limit, &mut rx).await {
                    Ok(granted) => granted.ok(),
                    Err(_) => {
                        drop(_in_line);
                        // A grant may have arrived just before the waiter was removed.
                        match rx.try_recv() {
                            Ok(grant) => Some(grant),
                            Err(_) => return Err(self.pool_timeout(pool_timeout)),
                        }
                    }
                },
            };
            match granted {
                Some(Grant::Idle(conn)) => return Ok(Acquired::Reuse(Conn::H1(conn))),
                Some(Grant::Slot(permit)) => return Ok(Acquired::New(permit, None)),
                #[cfg(feature = "http2")]
                Some(Grant::Shared(conn)) => return Ok(Acquired::Reuse(Conn::H2(conn))),
                Some(Grant::Retry) => continue,
                Some(Grant::Failed(kind, message)) => return Err(Error::new(kind, message)),
                None => return Err(Error::invalid_state("the connection pool was closed")),
            }
        }
    }

    fn pool_timeout(&self, timeout: Option<Duration>) -> Error {
        Error::new(
            ErrorKind::PoolTimeout,
            format!(
                "Timed out after {:.3}s waiting for a connection from the pool ({} connections in use)",
                timeout.unwrap_or_default().as_secs_f64(),
                self.inner.limits.max_connections.unwrap_or(0)
            ),
        )
    }

    /// A free slot, or the slot of the oldest idle connection (closed to free it).
    fn take_slot(&self, state: &mut State, closed: &mut Closed) -> Option<Permit> {
        if !self.inner.at_limit(state) {
            state.open += 1;
            return Some(Permit {
                pool: Some(self.inner.clone()),
            });
        }
        let mut conn = Self::take_oldest_idle(state)?;
        let permit = std::mem::replace(&mut conn.permit, Permit { pool: None });
        closed.h1.push(conn);
        Some(permit)
    }

    fn take_oldest_idle(state: &mut State) -> Option<H1Conn> {
        let key = state
            .idle
            .iter()
            .filter_map(|(k, list)| list.first().map(|i| (k, i.since)))
            .min_by_key(|(_, since)| *since)
            .map(|(k, _)| k.clone())?;
        let list = state.idle.get_mut(&key)?;
        if list.is_empty() {
            return None;
        }
        let idle = list.remove(0);
        state.idle_total -= 1;
        Some(idle.conn)
    }

    /// Drops idle connections that expired or that the server closed, and shared HTTP/2
    /// connections that closed. What is dropped goes to `closed`, dropped by the caller
    /// after the lock is released.
    fn prune(&self, state: &mut State, closed: &mut Closed) {
        let expiry = self.inner.limits.keepalive_expiry;
        let now = Instant::now();
        if state.idle_total > 0 {
            let mut removed = 0;
            for list in state.idle.values_mut() {
                let before = list.len();
                let mut index = 0;
                while index < list.len() {
                    let idle = &list[index];
                    let expired = expiry.is_some_and(|e| now.duration_since(idle.since) >= e);
                    if expired || idle.conn.sender.is_closed() {
                        closed.h1.push(list.remove(index).conn);
                    } else {
                        index += 1;
                    }
                }
                removed += before - list.len();
            }
            state.idle_total -= removed;
            state.idle.retain(|_, list| !list.is_empty());
        }
        #[cfg(feature = "http2")]
        if state.h2.values().any(|conn| conn.sender.is_closed()) {
            let (gone, live) = std::mem::take(&mut state.h2)
                .into_iter()
                .partition(|(_, conn)| conn.sender.is_closed());
            state.h2 = live;
            closed.h2.extend(gone.into_values());
        }
    }

    /// A new HTTP/1.1 connection, ready to use.
    pub(crate) fn new_h1(
        sender: http1::SendRequest<SendBody>,
        timeouts: Arc<IoTimeouts>,
        permit: Permit,
        key: Arc<str>,
        done: TaskDone,
    ) -> Conn {
        Conn::H1(H1Conn {
            sender,
            timeouts,
            permit,
            key,
            done,
        })
    }

    /// Shares a new HTTP/2 connection for later requests to `key` and gives it to the
    /// requests waiting for it, unless a live one is shared already (two opened at
    /// once: the second serves its own request only).
    #[cfg(feature = "http2")]
    pub(crate) fn add_h2(
        &self,
        key: &Arc<str>,
        sender: http2::SendRequest<SendBody>,
        timeouts: Arc<IoTimeouts>,
        permit: Permit,
        done: TaskDone,
        pending: Option<H2Pending>,
    ) -> H2Conn {
        let conn = H2Conn {
            sender,
            timeouts,
            permit: Arc::new(permit),
            done,
        };
        let mut state = self.inner.state();
        let keep_existing = state
            .h2
            .get(key)
            .is_some_and(|shared| !shared.sender.is_closed());
        // A replaced (closed) connection is dropped after the lock is released.
        let replaced = if keep_existing {
            None
        } else {
            state.h2.insert(key.clone(), conn.clone())
        };
        let shared = state.h2.get(key).cloned().unwrap_or_else(|| conn.clone());
        let granted = state.take_waiters(|w| w.key == *key);
        drop(state);
        drop(replaced);
        for tx in granted {
            let _ = tx.send(Grant::Shared(shared.clone()));
        }
        // The waiters are served: the guard's drop finds none left for it.
        drop(pending);
        conn
    }

    /// Stops sharing `conn` (the server is closing it), so that new requests open
    /// another connection.
    #[cfg(feature = "http2")]
    pub(crate) fn evict_h2(&self, key: &str, conn: &H2Conn) {
        let mut state = self.inner.state();
        if state.h2.get(key).is_some_and(|shared| shared.same_as(conn)) {
            let evicted = state.h2.remove(key);
            drop(state);
            drop(evicted);
        }
    }

    /// Takes an HTTP/1.1 connection back after its response body was read to the end:
    /// to the oldest request waiting for its origin, else to the idle list; when every
    /// slot is taken and a request for another origin waits, the connection is closed
    /// and its slot goes to that request.
    pub(crate) fn put_back(&self, mut conn: H1Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let mut state = self.inner.state();
        let key = conn.key.clone();
        conn = match state.hand_to_oldest(|w| w.key == key, Grant::Idle(conn)) {
            Some(Grant::Idle(unclaimed)) => unclaimed,
            // Taken by a waiting request (nothing else is given back).
            _ => return,
        };
        if state.waiters.iter().any(|w| !w.for_h2) {
            // Every slot is taken (else nobody would wait): this one goes to them.
            let permit = std::mem::replace(&mut conn.permit, Permit { pool: None });
            drop(state);
            drop(conn);
            drop(permit);
            return;
        }
        if let Some(max) = self.inner.limits.max_keepalive_connections {
            if state.idle_total >= max {
                drop(state);
                drop(conn);
                return;
            }
        }
        state.idle_total += 1;
        state.idle.entry(conn.key.clone()).or_default().push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// Closes every idle connection and stops sharing HTTP/2 ones; returns a future
    /// that ends when their sockets are closed (HTTP/2 connections still serving a
    /// request close when it ends).
    pub(crate) fn close_idle(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut state = self.inner.state();
        let idle: Vec<H1Conn> = std::mem::take(&mut state.idle)
            .into_values()
            .flatten()
            .map(|idle| idle.conn)
            .collect();
        state.idle_total = 0;
        #[cfg_attr(not(feature = "http2"), allow(unused_mut))]
        let mut done: Vec<TaskDone> = idle.iter().map(|c| c.done.clone()).collect();
        #[cfg(feature = "http2")]
        let shared: Vec<H2Conn> = std::mem::take(&mut state.h2).into_values().collect();
        drop(state);
        drop(idle);
        #[cfg(feature = "http2")]
        for conn in shared {
            // Only connections no request holds close now.
            if Arc::strong_count(&conn.permit) == 1 {
                done.push(conn.done.clone());
            }
        }
        async move {
            let all = futures_util::future::join_all(done.into_iter().map(TaskDone::wait));
            // A peer that never lets a TLS close finish cannot hold `close()` up.
            let _ = tokio::time::timeout(Duration::from_secs(1), all).await;
        }
    }

    /// The number of idle HTTP/1.1 connections (for tests).
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.inner.state().idle_total
    }
}
