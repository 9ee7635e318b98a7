//! Storage: the backend chosen from the database URL, the connection pool with its per-connection
//! guardrails, embedded migrations, and the one bridge from async handlers to blocking Diesel.

pub mod async_pg;
mod bridge;
pub mod cluster;
mod deferred;
pub mod json;
pub mod purge;
pub mod replicas;
pub mod schema;
pub mod snapshots;
mod writer;

pub use bridge::{run, run_labeled, run_maybe_point, run_point};

use crate::error::ApiError;
pub use deferred::at_commit;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Which SQL dialect a connection speaks; the few fragments that differ are chosen by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// One pooled connection of either backend. Queries are written once and run on whichever
/// variant this is through [`with_conn!`].
pub enum Conn {
    /// The connection, and whether it was seen to have lost its server (then the pool drops it).
    Pg(PgConnection, bool),
    /// The connection and its database's in-process writer lock.
    Sqlite(SqliteConnection, WriterLock),
}

pub use crate::__with_conn as with_conn;

/// One SQLite database's writer in this process: every write transaction runs on its
/// dedicated connection, and writes that queue up share a commit (`writer.rs`). Writers in
/// other processes still meet `BEGIN IMMEDIATE` and `busy_timeout`.
pub type WriterLock = Arc<writer::Writer>;

fn writer_lock(path: &str) -> WriterLock {
    static LOCKS: OnceLock<Mutex<HashMap<String, WriterLock>>> = OnceLock::new();
    let key = std::fs::canonicalize(path)
        .map_or_else(|_| path.to_owned(), |p| p.to_string_lossy().into_owned());
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    locks
        .entry(key)
        .or_insert_with(|| Arc::new(writer::Writer::new(format!("sqlite://{path}"))))
        .clone()
}

/// Runs one body against the concrete connection inside a [`Conn`]: the body is compiled once
/// per backend, so Diesel's query builder produces each backend's own SQL and placeholders.
/// Exported (hidden) only so the tests and the benchmark binary can use it; the crate and they
/// name it as `db::with_conn!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Pg($c, _) => $body,
            $crate::db::Conn::Sqlite($c, _) => $body,
        }
    };
}

impl Conn {
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Pg(..) => Dialect::Postgres,
            Conn::Sqlite(..) => Dialect::Sqlite,
        }
    }

    fn in_transaction(&mut self) -> bool {
        fn depth<C>(c: &mut C) -> bool
        where
            C: Connection<TransactionManager = AnsiTransactionManager>,
        {
            !matches!(
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
                Ok(None)
            )
        }
        with_conn!(self, c => depth(c))
    }

    /// Runs `f` in a write transaction. PostgreSQL: a transaction on this connection. SQLite:
    /// a savepoint in a group transaction on the database's writer connection, committed
    /// before this returns (`writer.rs`), so `f` gets that connection, not this one.
    pub fn write_tx<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let f = |c: &mut Conn| deferred::body(c, f);
        match self {
            Conn::Sqlite(_, writer) => writer.clone().write(f),
            Conn::Pg(..) => self.tx("BEGIN", "BEGIN IMMEDIATE", f),
        }
    }

    /// Runs `f` in one read snapshot (several statements that must agree, like a page and its
    /// total).
    pub fn read_tx<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.tx(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            "BEGIN",
            f,
        )
    }

    fn tx<T>(
        &mut self,
        pg_begin: &str,
        sqlite_begin: &str,
        f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        match self {
            Conn::Pg(c, _) => AnsiTransactionManager::begin_transaction_sql(c, pg_begin)?,
            Conn::Sqlite(c, _) => AnsiTransactionManager::begin_transaction_sql(c, sqlite_begin)?,
        }
        let result = f(self);
        let end = match &result {
            Ok(_) => with_conn!(self, c => AnsiTransactionManager::commit_transaction(c)),
            Err(_) => with_conn!(self, c => AnsiTransactionManager::rollback_transaction(c)),
        };
        match (result, end) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(e.into()),
            (Err(e), _) => Err(e),
        }
    }

    /// Takes transaction-scoped locks on string keys, in a fixed order so writers cannot
    /// deadlock. PostgreSQL: advisory locks on the keys' hashes (a collision only serialises
    /// more), all in one statement: the aggregate calls the lock function row by row in the
    /// array's (sorted) order, where one statement per key cost a 100-row batch 48 round trips.
    /// SQLite: nothing to do, since `BEGIN IMMEDIATE` already serialises writers.
    pub fn lock_keys(&mut self, keys: &[String]) -> Result<(), ApiError> {
        let Conn::Pg(c, _) = self else { return Ok(()) };
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(());
        }
        diesel::sql_query(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest($1::text[]) AS k",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(keys)
        .execute(c)?;
        Ok(())
    }

    /// Refreshes the planner's statistics where the database does not do it itself, when some
    /// object type's live count has at least doubled (past 500) since the last refresh by this
    /// process (`last`: the level then; 0 forces one). SQLite plans without statistics prefer an index
    /// that yields the ORDER BY over a selective expression index, and scan. A sampled ANALYZE
    /// (`analysis_limit`) reads only the first entries of each index and so misjudges them;
    /// a full one is accurate, and doubling keeps its total cost linear in the data.
    /// PostgreSQL's autovacuum analyses on its own. Returns the new mark.
    pub fn refresh_stats(&mut self, last: i64) -> Result<i64, ApiError> {
        let Conn::Sqlite(c, lock) = self else {
            return Ok(last);
        };
        #[derive(diesel::QueryableByName)]
        struct Live {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        // Per object type, so a type that grows from nothing beside a large one (deals beside a
        // million goal targets) gets statistics too: the sum over types of how many times each
        // has doubled past 500 live objects. Read from the live counts (a few rows a type).
        let counts = diesel::sql_query(
            "SELECT CAST(SUM(delta) AS BIGINT) AS n FROM object_counts GROUP BY object_type",
        )
        .load::<Live>(c)?;
        let level: i64 = counts
            .iter()
            .map(|l| i64::from((1 + l.n.max(0) / 500).ilog2()))
            .sum::<i64>()
            + 1;
        if last > 0 && level <= last {
            return Ok(last);
        }
        // On the writer connection, in a write of its own (SQLite's write lock is needed
        // anyway). A connection loads the statistics with the schema, and ANALYZE reloads them
        // only on the connection that ran it. A schema change (an empty table created and
        // dropped) makes every other connection, in this process or another, reload them at
        // its next statement. Without it the pool's older connections kept planning with the
        // statistics of a nearly empty table: after a bulk load, merged OR-group searches (W4)
        // ran 3-4x slower over HTTP than the same SQL on fresh connections.
        lock.clone().write(|w| {
            with_conn!(w, c => c.batch_execute(
                "ANALYZE; CREATE TABLE IF NOT EXISTS goalpost_stats_reload (x); \
                 DROP TABLE goalpost_stats_reload;",
            ))?;
            Ok(())
        })?;
        Ok(level)
    }

    /// Runs pending migrations of this backend's tree.
    pub fn migrate(&mut self) -> Result<usize, String> {
        let done = match self {
            Conn::Pg(c, _) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
            Conn::Sqlite(c, _) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        done.map_err(|e| format!("migration failed: {e}"))
    }

    /// Reverts the newest migration (used by the test that upgrades a database holding data).
    pub fn revert_last(&mut self) -> Result<(), String> {
        let done = match self {
            Conn::Pg(c, _) => c.revert_last_migration(PG_MIGRATIONS).map(|_| ()),
            Conn::Sqlite(c, _) => c.revert_last_migration(SQLITE_MIGRATIONS).map(|_| ()),
        };
        done.map_err(|e| format!("revert failed: {e}"))
    }

    /// Reverts every migration (used by the test that proves each `down.sql` undoes its `up.sql`).
    pub fn revert_all(&mut self) -> Result<(), String> {
        let done = match self {
            Conn::Pg(c, _) => c.revert_all_migrations(PG_MIGRATIONS).map(|_| ()),
            Conn::Sqlite(c, _) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        };
        done.map_err(|e| format!("revert failed: {e}"))
    }
}

/// Opens one connection from a URL, choosing the backend by its scheme, and applies the
/// per-connection settings. Errors keep the driver's own message.
pub fn connect(url: &str) -> Result<Conn, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut c = PgConnection::establish(url).map_err(|e| format!("PostgreSQL: {e}"))?;
        // Custom plans: cached prepared statements over JSON expressions otherwise get a generic
        // plan that ignores the expression indexes.
        c.batch_execute(
            "SET plan_cache_mode = force_custom_plan; SET application_name = 'goalpost'; \
             SET statement_timeout = '30s'; SET lock_timeout = '10s'",
        )
        .map_err(|e| format!("PostgreSQL session settings: {e}"))?;
        Ok(Conn::Pg(c, false))
    } else if let Some(path) = sqlite_path(url) {
        let mut c = SqliteConnection::establish(path).map_err(|e| format!("SQLite: {e}"))?;
        c.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| format!("SQLite settings: {e}"))?;
        Ok(Conn::Sqlite(c, writer_lock(path)))
    } else {
        Err(format!(
            "unsupported database URL {url:?}: use sqlite://PATH or postgres://…"
        ))
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
}

/// r2d2 manager over [`Conn`].
pub struct Manager {
    url: String,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        connect(&self.url).map_err(|e| {
            diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e))
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        with_conn!(conn, c => c.batch_execute("SELECT 1")).map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        // A connection handed back mid-transaction (a panic in a handler), or one that lost its
        // server, is dropped, not reused; the pool opens fresh ones when the server is back.
        matches!(conn, Conn::Pg(_, true)) || conn.in_transaction()
    }
}

pub type Pool = r2d2::Pool<Manager>;
/// A connection taken from the pool (back to it when dropped).
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Builds the pool. `size` defaults to twice the cores; SQLite serialises writers anyway.
pub fn pool(url: &str, size: u32) -> Result<Pool, String> {
    // Open one connection first so a bad URL fails with the driver's message, not a pool timeout.
    drop(connect(url)?);
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(30))
        .test_on_check_out(false)
        .build(Manager {
            url: url.to_owned(),
        })
        .map_err(|e| format!("database pool: {e}"))
}

/// A pool that connects in the background (for a read replica, which may be down when the
/// server starts: its reads go to the primary until it answers).
pub fn lazy_pool(url: &str, size: u32) -> Result<Pool, String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(format!(
            "a read replica must be a postgres:// URL, not {url:?}"
        ));
    }
    Ok(r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false)
        .build_unchecked(Manager {
            url: url.to_owned(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        schema_version: i64,
    }

    fn schema_version(conn: &mut Conn) -> i64 {
        let Conn::Sqlite(c, _) = conn else {
            unreachable!("SQLite only")
        };
        diesel::sql_query("PRAGMA schema_version")
            .get_result::<Version>(c)
            .expect("schema_version")
            .schema_version
    }

    /// SQLite only: refreshing statistics on one connection must make the others reload them,
    /// which they do when the schema version moves.
    #[test]
    fn a_statistics_refresh_makes_every_other_connection_reload_them() {
        let path = std::env::temp_dir().join(format!("goalpost-stats-{}.db", std::process::id()));
        let url = format!("sqlite://{}", path.display());
        let mut first = connect(&url).expect("connect");
        first.migrate().expect("migrate");
        let mut other = connect(&url).expect("connect");
        // The first ANALYZE creates `sqlite_stat1`, a schema change of its own; later ones
        // only rewrite it, which other connections would not notice.
        let mark = first.refresh_stats(0).expect("refresh");
        assert!(mark >= 1);
        let before = schema_version(&mut other);
        assert_eq!(first.refresh_stats(0).expect("refresh again"), mark);
        assert!(schema_version(&mut other) > before);
        // Nothing is left behind: a third refresh works too.
        first.refresh_stats(0).expect("refresh a third time");
        drop((first, other));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
