//! Exact totals of filtered searches without recounting every page. A filtered search's total
//! is cached per (portal, type, normalised filter) under the write version of the types it
//! reads (`engine::counts::version_sql`), which every committed object or association write
//! of those types changes. A search whose total is cached asks its first statement for the
//! page and the version only; an unchanged version means the cached total is still exact (the
//! version and the total were read in one snapshot when cached), a changed one means the
//! search runs again with the count. Unfiltered searches need no cache: their count is kept
//! (`engine::counts`); nor do totals under [`WORTH_CACHING`], counted every time. The version lives in the database, so a write on any instance
//! invalidates every instance's entry.

use super::ast::Search;
use super::compile::{unfiltered, Extra};
use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept before the cache starts over (under 100 bytes each: ~1.5 MB when full).
const MAX_ENTRIES: usize = 16_384;

/// Totals under this are counted every time: counting that few index entries costs about what
/// checking the version does (W2 counts a family's 12 slices), so the entry only remembers
/// that the filter is cheap.
const WORTH_CACHING: i64 = 100;

#[derive(Debug, Clone, Copy)]
enum Entry {
    Cheap,
    Counted { version: i64, total: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    portal: i64,
    object_type: String,
    /// SHA-256 of the parsed filter groups and query terms (values already in compared form)
    /// and the properties a query searches: a fixed 32 bytes however long the filter, so a
    /// caller cannot grow the cache with huge IN lists.
    filter: [u8; 32],
}

/// Cached totals by filter.
pub struct Totals {
    map: Mutex<HashMap<Key, Entry>>,
    enabled: bool,
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            map: Mutex::default(),
            enabled: true,
        }
    }
}

/// What a search's first statement asks for beside its page.
#[derive(Debug, Clone)]
pub enum Plan {
    /// An unfiltered search (the kept count), or one whose total is cheap to count.
    Count,
    /// Nothing cached: count, and keep the count under the version read with it.
    Keep(Key),
    /// A total cached under this version: read the version only.
    Check(Key, i64, i64),
}

impl Plan {
    pub fn extra(&self) -> Extra {
        match self {
            Plan::Count => Extra::Total,
            Plan::Keep(_) => Extra::TotalAndVersion,
            Plan::Check(..) => Extra::Version,
        }
    }

    /// The plan for running a search again after its cached total was found stale.
    pub fn recount(self) -> Plan {
        match self {
            Plan::Check(key, ..) => Plan::Keep(key),
            other => other,
        }
    }
}

impl Totals {
    /// A cache that keeps nothing: every search counts (the benchmark's raw-database path).
    pub fn disabled() -> Self {
        Totals {
            map: Mutex::default(),
            enabled: false,
        }
    }

    /// How to get `search`'s total over one portal's objects of one type.
    pub fn plan(&self, portal: i64, object_type: &str, search: &Search) -> Plan {
        if !self.enabled || unfiltered(search) {
            return Plan::Count;
        }
        let key = Key {
            portal,
            object_type: object_type.to_owned(),
            filter: {
                use sha2::{Digest, Sha256};
                let text = format!(
                    "{:?}|{:?}|{:?}",
                    search.groups, search.query_terms, search.text_properties
                );
                Sha256::digest(text.as_bytes()).into()
            },
        };
        let cached = self.lock().get(&key).copied();
        match cached {
            Some(Entry::Counted { version, total }) => Plan::Check(key, version, total),
            Some(Entry::Cheap) => Plan::Count,
            None => Plan::Keep(key),
        }
    }

    /// The total from a first statement's `total` and `version` columns (of its first row);
    /// `None` when the cached total is stale and the search must run again with
    /// [`Plan::recount`].
    pub fn settle(&self, plan: &Plan, total: Option<i64>, version: Option<i64>) -> Option<i64> {
        let outcome = |o: &str| {
            crate::metrics::get()
                .search_totals
                .with_label_values(&[o])
                .inc()
        };
        match plan {
            Plan::Count => total,
            Plan::Keep(key) => {
                if let (Some(total), Some(version)) = (total, version) {
                    let entry = if total < WORTH_CACHING {
                        Entry::Cheap
                    } else {
                        Entry::Counted { version, total }
                    };
                    let mut map = self.lock();
                    if map.len() >= MAX_ENTRIES {
                        map.clear();
                    }
                    map.insert(key.clone(), entry);
                    outcome("miss");
                }
                total
            }
            Plan::Check(_, cached_version, cached_total) => {
                let fresh = version == Some(*cached_version);
                outcome(if fresh { "hit" } else { "stale" });
                fresh.then_some(*cached_total)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}
