//! The connection pool: idle HTTP/1.1 connections per origin, one shared HTTP/2
//! connection per origin, and httpx's `Limits` (max connections with a pool timeout,
//! max idle connections, idle expiry).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::client::conn::http1;
#[cfg(feature = "http2")]
use hyper::client::conn::http2;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::io::IoTimeouts;
use crate::config::Limits;
use crate::error::{Error, ErrorKind, Result};
use crate::request::Body;

/// An HTTP/1.1 connection checked out of the pool.
pub(crate) struct H1Conn {
    pub(crate) sender: http1::SendRequest<Body>,
    pub(crate) timeouts: Arc<IoTimeouts>,
    /// Held for as long as the connection lives: it counts towards `max_connections`.
    _permit: Option<OwnedSemaphorePermit>,
    pub(crate) key: String,
    /// Whether the connection served a request before (a failure before any response
    /// byte may then be a server-side idle close, worth one retry).
    pub(crate) reused: bool,
}

/// An HTTP/2 connection (shared: many requests at once).
#[cfg(feature = "http2")]
#[derive(Clone)]
pub(crate) struct H2Conn {
    pub(crate) sender: http2::SendRequest<Body>,
    pub(crate) timeouts: Arc<IoTimeouts>,
    /// The connection's slot towards `max_connections`: held until the last request
    /// using the connection (and the pool's entry) let go of it, when the connection
    /// closes too.
    pub(crate) _permit: Arc<Option<OwnedSemaphorePermit>>,
}

/// A connection to send one request on.
pub(crate) enum Conn {
    H1(H1Conn),
    #[cfg(feature = "http2")]
    H2(H2Conn),
}

struct Idle {
    conn: H1Conn,
    since: Instant,
}

#[cfg(feature = "http2")]
struct Shared {
    conn: H2Conn,
}

#[derive(Default)]
struct State {
    idle: HashMap<String, Vec<Idle>>,
    idle_total: usize,
    #[cfg(feature = "http2")]
    h2: HashMap<String, Shared>,
}

/// The pool of one transport. Connections are never shared between transports, so
/// clients with different TLS or proxy settings never reuse each other's connections.
pub(crate) struct Pool {
    limits: Limits,
    permits: Option<Arc<Semaphore>>,
    state: Mutex<State>,
    /// Wakes requests waiting for a permit when an HTTP/2 connection they can share
    /// appears.
    h2_added: tokio::sync::Notify,
}

/// What a request gets from [`Pool::permit`].
pub(crate) enum Slot {
    /// A permit to open a new connection (`None` without `max_connections`).
    New(Option<OwnedSemaphorePermit>),
    /// An HTTP/2 connection to the same origin, opened while the request waited.
    #[cfg(feature = "http2")]
    Shared(Conn),
}

impl Pool {
    pub(crate) fn new(limits: Limits) -> Pool {
        Pool {
            permits: limits
                .max_connections
                .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
            limits,
            state: Mutex::new(State::default()),
            h2_added: tokio::sync::Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A live connection to `key` from the pool, if there is one.
    pub(crate) async fn checkout(&self, key: &str) -> Option<Conn> {
        #[cfg(feature = "http2")]
        if let Some(conn) = self.shared_h2(key) {
            return Some(conn);
        }
        loop {
            let candidate = {
                let mut state = self.state();
                let expiry = self.limits.keepalive_expiry;
                let now = Instant::now();
                let list = state.idle.get_mut(key)?;
                let mut found = None;
                while let Some(idle) = list.pop() {
                    let expired = expiry.is_some_and(|e| now.duration_since(idle.since) >= e);
                    if expired || idle.conn.sender.is_closed() {
                        continue;
                    }
                    found = Some(idle.conn);
                    break;
                }
                let remaining = state.idle.values().map(Vec::len).sum();
                state.idle_total = remaining;
                found?
            };
            let mut conn = candidate;
            // The connection may still be finishing its last response, or be closing.
            if conn.sender.ready().await.is_ok() {
                conn.reused = true;
                return Some(Conn::H1(conn));
            }
        }
    }

    /// The live shared HTTP/2 connection to `key`, if there is one.
    #[cfg(feature = "http2")]
    fn shared_h2(&self, key: &str) -> Option<Conn> {
        let mut state = self.state();
        let shared = state.h2.get(key)?;
        if !shared.conn.sender.is_closed() {
            return Some(Conn::H2(shared.conn.clone()));
        }
        state.h2.remove(key);
        None
    }

    /// A permit for a new connection to `key`: at once if below `max_connections`, else
    /// after closing an idle connection, else by waiting up to the pool timeout, unless
    /// an HTTP/2 connection to `key` appears meanwhile (it is shared instead, as
    /// httpcore assigns waiting requests to a multiplexed connection).
    pub(crate) async fn permit(&self, key: &str, pool_timeout: Option<Duration>) -> Result<Slot> {
        let Some(semaphore) = &self.permits else {
            return Ok(Slot::New(None));
        };
        loop {
            if let Ok(permit) = semaphore.clone().try_acquire_owned() {
                return Ok(Slot::New(Some(permit)));
            }
            if !self.evict_one_idle() {
                break;
            }
        }
        let wait = async {
            loop {
                // Registered before looking, so that an HTTP/2 connection added between
                // the look and the wait still wakes this request.
                let added = self.h2_added.notified();
                let mut added = std::pin::pin!(added);
                added.as_mut().enable();
                #[cfg(feature = "http2")]
                if let Some(conn) = self.shared_h2(key) {
                    return Ok(Slot::Shared(conn));
                }
                #[cfg(not(feature = "http2"))]
                let _ = key;
                let acquire = std::pin::pin!(semaphore.clone().acquire_owned());
                match futures_util::future::select(acquire, added).await {
                    futures_util::future::Either::Left((permit, _)) => {
                        return Ok::<_, tokio::sync::AcquireError>(Slot::New(Some(permit?)))
                    }
                    futures_util::future::Either::Right(((), _)) => continue,
                }
            }
        };
        let permit = match pool_timeout {
            Some(t) => tokio::time::timeout(t, wait).await.map_err(|_| {
                Error::new(
                    ErrorKind::PoolTimeout,
                    format!(
                        "Timed out after {:.3}s waiting for a connection from the pool ({} connections in use)",
                        t.as_secs_f64(),
                        self.limits.max_connections.unwrap_or(0)
                    ),
                )
            })?,
            None => wait.await,
        };
        permit.map_err(|_| Error::invalid_state("the connection pool was closed"))
    }

    /// Closes the oldest idle connection; `false` when there is none.
    fn evict_one_idle(&self) -> bool {
        let mut state = self.state();
        let oldest = state
            .idle
            .iter()
            .filter_map(|(k, list)| list.first().map(|i| (k.clone(), i.since)))
            .min_by_key(|(_, since)| *since)
            .map(|(k, _)| k);
        let Some(key) = oldest else {
            return false;
        };
        if let Some(list) = state.idle.get_mut(&key) {
            if !list.is_empty() {
                list.remove(0);
                state.idle_total = state.idle_total.saturating_sub(1);
                return true;
            }
        }
        false
    }

    /// A new HTTP/1.1 connection, ready to use.
    pub(crate) fn new_h1(
        sender: http1::SendRequest<Body>,
        timeouts: Arc<IoTimeouts>,
        permit: Option<OwnedSemaphorePermit>,
        key: String,
    ) -> Conn {
        Conn::H1(H1Conn {
            sender,
            timeouts,
            _permit: permit,
            key,
            reused: false,
        })
    }

    /// Shares a new HTTP/2 connection for later requests to `key`, unless a live one
    /// is shared already (two opened at once: the second serves its own request only).
    #[cfg(feature = "http2")]
    pub(crate) fn add_h2(&self, key: &str, conn: H2Conn) {
        let mut state = self.state();
        let keep_existing = state
            .h2
            .get(key)
            .is_some_and(|shared| !shared.conn.sender.is_closed());
        if !keep_existing {
            state.h2.insert(key.to_string(), Shared { conn });
        }
        drop(state);
        self.h2_added.notify_waiters();
    }

    /// Takes an HTTP/1.1 connection back after its response body was read to the end.
    pub(crate) fn put_back(&self, conn: H1Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let mut state = self.state();
        if let Some(max) = self.limits.max_keepalive_connections {
            if state.idle_total >= max {
                return;
            }
        }
        state.idle_total += 1;
        state.idle.entry(conn.key.clone()).or_default().push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// Closes every idle connection (and forgets shared HTTP/2 ones).
    pub(crate) fn clear(&self) {
        let mut state = self.state();
        state.idle.clear();
        state.idle_total = 0;
        #[cfg(feature = "http2")]
        state.h2.clear();
    }

    /// The number of idle HTTP/1.1 connections (for tests).
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.state().idle_total
    }
}
