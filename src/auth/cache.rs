//! Resolved tokens kept in memory, so a request does not look its token up in the database.
//! Entries are keyed by hash (the secrets themselves are not kept) and carry their expiry,
//! checked on every use; a revocation or rotation anywhere moves the `tokens` version, and the
//! instance's poller then clears the whole cache (`clear`). The cache also gathers each token's
//! last use for the periodic stamp.

use super::{hash_token, Principal};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

/// A resolved token and until when it is valid (epoch ms; `None`: no expiry).
#[derive(Debug, Clone)]
pub struct Cached {
    pub principal: Principal,
    pub until: Option<i64>,
}

#[derive(Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, Cached>>,
    /// Moves at every `clear`: a lookup that began before a clear must not put its (possibly
    /// revoked) result back after it.
    generation: AtomicU64,
    /// Last use per token id since the last stamp.
    used: Mutex<HashMap<i64, i64>>,
}

const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    /// The cached principal of a token still valid at `now`.
    pub fn get(&self, token: &str, now: i64) -> Option<Principal> {
        let key = hash_token(token);
        let map = self.entries.read().ok()?;
        let hit = map.get(&key)?;
        match hit.until {
            Some(u) if u <= now => None,
            _ => Some(hit.principal.clone()),
        }
    }

    /// Taken before a database lookup and handed to [`TokenCache::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Caches a lookup's result, unless the cache was cleared since it began.
    pub fn put(&self, token: &str, cached: Cached, generation: u64) {
        if let Ok(mut map) = self.entries.write() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if map.len() >= TOKEN_CACHE_MAX {
                map.clear();
            }
            map.insert(hash_token(token), cached);
        }
    }

    /// Forgets every entry (a token changed somewhere).
    pub fn clear(&self) {
        if let Ok(mut map) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            map.clear();
        }
    }

    /// Notes that a token was used at `now`.
    pub fn note_use(&self, token_id: i64, now: i64) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(token_id, now);
        }
    }

    /// The uses noted since the last call.
    pub fn take_uses(&self) -> Vec<(i64, i64)> {
        self.used
            .lock()
            .map(|mut u| u.drain().collect())
            .unwrap_or_default()
    }
}
