//! Read replicas: PostgreSQL streaming standbys that serve reads. Each has its own pool and a
//! poller that reads its replay position and lag every [`POLL_MS`]; a read goes to a replica
//! only when the poll says it answers, lags no more than the configured bound, and has replayed
//! at least the WAL position the caller needs (its own last write). A poll is a lower bound of
//! where the standby is, so a stale poll can only send a read to the primary, never a stale
//! read to a replica.

use super::{cluster, Pool};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often each replica's position is read.
pub const POLL_MS: u64 = 100;

pub struct Replica {
    /// `replica0`, `replica1`, … in the order given (metrics and `/health` name them so).
    pub name: String,
    pub pool: Pool,
    lsn: AtomicI64,
    /// -1 while the replica does not answer (or is not a standby).
    lag_ms: AtomicI64,
}

impl Replica {
    pub fn lag_ms(&self) -> i64 {
        self.lag_ms.load(Ordering::SeqCst)
    }

    /// Marks the replica down until its next good poll (a read on it just failed).
    pub fn mark_down(&self) {
        self.lag_ms.store(-1, Ordering::SeqCst);
    }
}

pub struct Replicas {
    list: Vec<Arc<Replica>>,
    max_lag_ms: i64,
    next: AtomicUsize,
}

impl Replicas {
    /// Pools for the replicas at `urls` (opened lazily: a replica that is down at start is only
    /// skipped until it answers). Reads are refused nothing by a replica lagging over
    /// `max_lag_ms`: they go to the primary.
    pub fn open(urls: &[String], size: u32, max_lag_ms: i64) -> Result<Replicas, String> {
        let list = urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                Ok(Arc::new(Replica {
                    name: format!("replica{i}"),
                    pool: super::lazy_pool(url, size)?,
                    lsn: AtomicI64::new(0),
                    lag_ms: AtomicI64::new(-1),
                }))
            })
            .collect::<Result<_, String>>()?;
        Ok(Replicas {
            list,
            max_lag_ms,
            next: AtomicUsize::new(0),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn all(&self) -> &[Arc<Replica>] {
        &self.list
    }

    /// A replica fit to serve a read that must see WAL position `need` (none: any healthy
    /// replica), taken round-robin; `None` sends the read to the primary.
    pub fn pick(&self, need: Option<i64>) -> Option<Arc<Replica>> {
        let n = self.list.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|i| &self.list[(first + i) % n]).find_map(|r| {
            let lag = r.lag_ms();
            let caught_up = need.is_none_or(|need| r.lsn.load(Ordering::SeqCst) >= need);
            (lag >= 0 && lag <= self.max_lag_ms && caught_up).then(|| r.clone())
        })
    }

    /// Polls every replica on a thread of its own, for as long as the process runs.
    pub fn spawn_polling(&self) {
        for r in &self.list {
            let r = r.clone();
            std::thread::spawn(move || loop {
                poll(&r);
                std::thread::sleep(Duration::from_millis(POLL_MS));
            });
        }
    }
}

/// Reads one replica's position now; a failure marks it down.
pub fn poll(r: &Replica) {
    let replay = r
        .pool
        .try_get()
        .or_else(|| r.pool.get_timeout(Duration::from_secs(1)).ok())
        .ok_or(())
        .and_then(|mut conn| cluster::replay(&mut conn).map_err(|_| ()));
    match replay {
        Ok(p) => {
            // The position before the lag: a reader that sees the new lag sees the new lsn.
            r.lsn.store(p.lsn, Ordering::SeqCst);
            r.lag_ms.store(p.lag_ms, Ordering::SeqCst);
        }
        Err(()) => r.mark_down(),
    }
    crate::metrics::get()
        .replica_lag_ms
        .with_label_values(&[&r.name])
        .set(r.lag_ms());
}
