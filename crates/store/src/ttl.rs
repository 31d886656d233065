//! A small in-process cache of values read from the database, each trusted for a fixed time.
//!
//! Written here rather than taken from a crate: it is a mutex around a `HashMap` with read
//! times, plus the one thing a general cache (moka, mini-moka) does not give: a write through
//! this process empties it so that a read which started before the write cannot put the old
//! value back afterwards (a generation count, checked when the value is stored).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (V, Instant)>>,
    generation: AtomicU64,
}

/// Where a read stands: taken before the database read, passed to [`TtlCache::store`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(u64);

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// Values are trusted for `ttl`; the cache starts afresh when `capacity` is reached.
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// The value read less than `ttl` ago, or a ticket for storing a fresh read.
    pub(crate) fn get(&self, key: &K) -> Result<V, Ticket> {
        let ticket = Ticket(self.generation.load(Ordering::SeqCst));
        match self.entries.lock() {
            Ok(entries) => match entries.get(key) {
                Some((v, at)) if at.elapsed() < self.ttl => Ok(v.clone()),
                _ => Err(ticket),
            },
            Err(_) => Err(ticket),
        }
    }

    /// Remembers a value read after `ticket` was taken, unless the cache was emptied since.
    pub(crate) fn store(&self, ticket: Ticket, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock()
            && self.generation.load(Ordering::SeqCst) == ticket.0
        {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key, (value, Instant::now()));
        }
    }

    /// Forgets everything, and every read still in flight (after a write through this process).
    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            entries.clear();
        }
    }
}
