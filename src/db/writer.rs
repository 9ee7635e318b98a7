//! Group commit for SQLite. A database file has one writer at a time anyway, so every write
//! transaction of this process runs on one dedicated connection (its page cache stays warm),
//! and writes that queue up behind each other share one transaction: each runs inside its own
//! `SAVEPOINT` (a refused write rolls back only its own work and gets its own error), and the
//! last of a queue commits for all of them. No write returns before the commit that holds it,
//! so an acknowledged write is as durable and as visible as with a transaction of its own; a
//! failed group commit fails every write in it.

use super::{connect, Conn};
use crate::error::ApiError;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Writes in one group at most: bounds how long the first of a group waits for its commit.
const MAX_GROUP: usize = 32;

thread_local! {
    /// Set while this thread runs a write: a write inside a write would wait for itself.
    static IN_WRITE: Cell<bool> = const { Cell::new(false) };
}

/// One SQLite database's writer.
pub struct Writer {
    url: String,
    state: Mutex<State>,
    /// Writers waiting for the state: while any is, the one finishing leaves the group open.
    waiting: AtomicUsize,
    committed: Condvar,
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    /// The group a transaction is open for, if one is.
    open: Option<u64>,
    members: usize,
    next_group: u64,
    /// Groups up to this one have finished (committed or failed).
    done: u64,
    /// Groups whose commit failed: members yet to read it, and the error (`None`: the database
    /// is unavailable, e.g. its disk is full: a 503, not a 500). Kept until every member has
    /// read it.
    failed: HashMap<u64, (usize, Option<String>)>,
}

impl Writer {
    pub fn new(url: String) -> Writer {
        Writer {
            url,
            state: Mutex::new(State::default()),
            waiting: AtomicUsize::new(0),
            committed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` as one write of a group (see the module).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if IN_WRITE.with(Cell::get) {
            return Err(ApiError::Internal(
                "a write transaction inside another".into(),
            ));
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut st = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        if st.conn.is_none() {
            st.conn = Some(connect(&self.url).map_err(|e| {
                tracing::warn!("SQLite writer connection: {e}");
                ApiError::Unavailable
            })?);
        }
        let group = match st.open {
            Some(g) => g,
            None => {
                let conn = st.conn.as_mut().expect("opened above");
                begin(conn, true)?;
                st.next_group += 1;
                st.open = Some(st.next_group);
                st.members = 0;
                st.next_group
            }
        };
        let conn = st.conn.as_mut().expect("opened above");
        let outcome = match begin(conn, false) {
            Ok(()) => {
                IN_WRITE.with(|w| w.set(true));
                let out = catch_unwind(AssertUnwindSafe(|| f(&mut *conn)));
                IN_WRITE.with(|w| w.set(false));
                let end = match &out {
                    Ok(Ok(_)) => end(conn, true),
                    _ => end(conn, false),
                }
                .and_then(|()| outer_only(conn));
                Some((out, end))
            }
            Err(e) => {
                tracing::warn!("savepoint: {e}");
                None
            }
        };
        st.members += 1;
        let clean = outcome.as_ref().is_some_and(|(_, end)| end.is_ok());
        if clean && self.waiting.load(Ordering::SeqCst) > 0 && st.members < MAX_GROUP {
            while st.done < group {
                st = self.committed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        } else {
            self.finish(&mut st, group, clean);
        }
        let failed = match st.failed.get_mut(&group) {
            Some((left, e)) => {
                let e = e.clone();
                *left -= 1;
                if *left == 0 {
                    st.failed.remove(&group);
                }
                Some(e)
            }
            None => None,
        };
        drop(st);
        match outcome {
            None => Err(ApiError::Unavailable),
            Some((Err(panic), _)) => resume_unwind(panic),
            Some((Ok(result), end)) => {
                let v = result?;
                end?;
                match failed {
                    Some(Some(e)) => Err(ApiError::Internal(format!("group commit failed: {e}"))),
                    Some(None) => Err(ApiError::Unavailable),
                    None => Ok(v),
                }
            }
        }
    }

    /// Commits the open group (or rolls it back when a savepoint could not be handled, which
    /// leaves the transaction in doubt), records a failure, and wakes its waiting members.
    fn finish(&self, st: &mut State, group: u64, commit: bool) {
        let conn = st.conn.as_mut().expect("a group has a connection");
        let ended = if commit {
            diesel_end(conn, true).map_err(|e| match ApiError::from(e) {
                ApiError::Unavailable => None,
                other => Some(other.to_string()),
            })
        } else {
            let _ = diesel_end(conn, false);
            Err(Some("a write's savepoint could not be ended".into()))
        };
        if let Err(e) = ended {
            tracing::warn!("SQLite group commit failed: {e:?}");
            // The connection's transaction state is unknown: open a fresh one next time.
            st.conn = None;
            let members = st.members;
            st.failed.insert(group, (members, e));
        }
        crate::metrics::get()
            .group_commit_writes
            .observe(st.members as f64);
        st.open = None;
        st.done = group;
        self.committed.notify_all();
    }
}

/// `BEGIN IMMEDIATE` (outer) or a savepoint (inner), through Diesel's transaction manager so
/// that code inside `f` that opens a transaction of its own nests correctly.
fn begin(conn: &mut Conn, outer: bool) -> Result<(), ApiError> {
    let Conn::Sqlite(c, _) = conn else {
        unreachable!("the group writer is SQLite's")
    };
    if outer {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    } else {
        AnsiTransactionManager::begin_transaction(c)?;
    }
    Ok(())
}

/// After a write's savepoint ended, the connection must be back in the group's transaction
/// alone; anything else (a nested transaction left open) fails the group.
fn outer_only(conn: &mut Conn) -> Result<(), ApiError> {
    let Conn::Sqlite(c, _) = conn else {
        unreachable!("the group writer is SQLite's")
    };
    let depth = AnsiTransactionManager::transaction_manager_status_mut(c)
        .transaction_depth()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match depth.map(|d| d.get()) {
        Some(1) => Ok(()),
        other => Err(ApiError::Internal(format!(
            "a write left the transaction at depth {other:?}"
        ))),
    }
}

/// Releases (`ok`) or rolls back to the write's savepoint.
fn end(conn: &mut Conn, ok: bool) -> Result<(), ApiError> {
    Ok(diesel_end(conn, ok)?)
}

fn diesel_end(conn: &mut Conn, ok: bool) -> Result<(), diesel::result::Error> {
    let Conn::Sqlite(c, _) = conn else {
        unreachable!("the group writer is SQLite's")
    };
    if ok {
        AnsiTransactionManager::commit_transaction(c)
    } else {
        AnsiTransactionManager::rollback_transaction(c)
    }
}
