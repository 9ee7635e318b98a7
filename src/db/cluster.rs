//! What several instances on one database share through it: versions of what they cache,
//! leases (one holder at a time), rate-limit windows, and each token's last write position on
//! the primary (read-your-writes on replicas). Every function is one statement; those that
//! write on their own run it as a write transaction (on SQLite through the process's one
//! writer, which autocommit statements on other connections would have to out-wait).

use super::schema::{cluster_versions as cv, leases, rate_windows as rw, write_positions as wp};
use super::{with_conn, Conn, Dialect};
use crate::error::ApiError;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

/// Cached things whose changes every instance must see.
pub const TOKENS: &str = "tokens";
pub const PROPERTIES: &str = "properties";

/// Moves a cache's version, in the caller's transaction: the change and the signal to drop the
/// caches commit together.
pub fn bump(conn: &mut Conn, name: &str) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::update(cv::table.filter(cv::name.eq(name)))
        .set(cv::version.eq(cv::version + 1))
        .execute(c))?;
    Ok(())
}

/// Every cache's version (a few rows, polled by each instance several times a second).
pub fn versions(conn: &mut Conn) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(with_conn!(conn, c => cv::table.select((cv::name, cv::version)).load(c))?)
}

/// Takes or renews the lease `name` for `holder` until `now + ttl_ms`, if it is free, expired or
/// already `holder`'s. True when `holder` holds it afterwards.
pub fn acquire_lease(
    conn: &mut Conn,
    name: &str,
    holder: &str,
    now: i64,
    ttl_ms: i64,
) -> Result<bool, ApiError> {
    // One upsert: a free name is inserted; a held one changes hands only when expired.
    let sql = "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
               WHERE leases.holder = excluded.holder OR leases.expires_at < $4";
    let n = conn.write_tx(|tx| {
        Ok(with_conn!(tx, c => diesel::sql_query(sql)
            .bind::<Text, _>(name)
            .bind::<Text, _>(holder)
            .bind::<BigInt, _>(now + ttl_ms)
            .bind::<BigInt, _>(now)
            .execute(c))?)
    })?;
    Ok(n == 1)
}

/// Gives a lease up (a clean shutdown), so another instance need not wait for it to expire.
pub fn release_lease(conn: &mut Conn, name: &str, holder: &str) -> Result<(), ApiError> {
    conn.write_tx(|tx| {
        with_conn!(tx, c => diesel::delete(
            leases::table.filter(leases::name.eq(name)).filter(leases::holder.eq(holder)),
        )
        .execute(c))?;
        Ok(())
    })
}

#[derive(QueryableByName)]
struct Used {
    #[diesel(sql_type = BigInt)]
    used: i64,
}

/// Reserves `grant` more requests of the window `(key, start)` if that keeps it within `max`:
/// the window's requests granted so far (all instances together) when it did, `None` when the
/// window has no room for `grant`.
pub fn reserve(
    conn: &mut Conn,
    key: &str,
    start: i64,
    grant: i64,
    max: i64,
) -> Result<Option<i64>, ApiError> {
    let sql = "INSERT INTO rate_windows (token_key, window_start, used) VALUES ($1, $2, $3) \
               ON CONFLICT (token_key, window_start) DO UPDATE SET used = rate_windows.used + excluded.used \
               WHERE rate_windows.used + excluded.used <= $4 RETURNING used";
    let row: Option<Used> = conn.write_tx(|tx| {
        Ok(with_conn!(tx, c => diesel::sql_query(sql)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(start)
            .bind::<BigInt, _>(grant.min(max))
            .bind::<BigInt, _>(max)
            .get_result(c)
            .optional())?)
    })?;
    Ok(row.map(|r| r.used))
}

/// Drops rate windows that started before `before`.
pub fn prune_windows(conn: &mut Conn, before: i64) -> Result<usize, ApiError> {
    conn.write_tx(|tx| {
        Ok(
            with_conn!(tx, c => diesel::delete(rw::table.filter(rw::window_start.lt(before)))
            .execute(c))?,
        )
    })
}

/// Records, after a write of `token_id` committed, the primary's WAL position: at least the
/// write's commit record, since the commit was flushed before this statement ran. A position
/// never moves back (two writes of one token at once may record in either order).
/// PostgreSQL only.
pub fn record_write_position(conn: &mut Conn, token_id: i64) -> Result<(), ApiError> {
    let Conn::Pg(c, _) = conn else { return Ok(()) };
    diesel::sql_query(
        "INSERT INTO write_positions (token_id, lsn) \
         VALUES ($1, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint) \
         ON CONFLICT (token_id) DO UPDATE SET lsn = GREATEST(write_positions.lsn, excluded.lsn)",
    )
    .bind::<BigInt, _>(token_id)
    .execute(c)?;
    Ok(())
}

/// The primary's WAL position after `token_id`'s last write, if it wrote.
pub fn write_position(conn: &mut Conn, token_id: i64) -> Result<Option<i64>, ApiError> {
    Ok(with_conn!(conn, c => wp::table
        .filter(wp::token_id.eq(token_id))
        .select(wp::lsn)
        .first(c)
        .optional())?)
}

/// A standby's replay position and how far behind its primary it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    /// WAL position replayed so far.
    pub lsn: i64,
    /// Milliseconds since the last replayed transaction committed on the primary, or 0 when
    /// the standby streams from its primary and has replayed everything it received (an idle
    /// primary is not lag). A standby whose WAL receiver is not streaming (cut off from its
    /// primary) is as far behind as its last replayed transaction is old, so it soon gets no
    /// reads; a promoted one is no standby at all (an error).
    pub lag_ms: i64,
}

#[derive(QueryableByName)]
struct ReplayRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    lag_ms: Option<i64>,
}

/// Where a streaming standby is; an error when the database is not one.
pub fn replay(conn: &mut Conn) -> Result<Replay, ApiError> {
    if conn.dialect() != Dialect::Postgres {
        return Err(ApiError::Internal(
            "read replicas are PostgreSQL standbys".into(),
        ));
    }
    let Conn::Pg(c, _) = conn else { unreachable!() };
    let row: ReplayRow = diesel::sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() \
                     THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint END AS lsn, \
         CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() \
                   AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0 \
              ELSE COALESCE((extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint, \
                            9223372036854775807) \
         END AS lag_ms",
    )
    .get_result(c)?;
    match row.lsn {
        Some(lsn) => Ok(Replay {
            lsn,
            lag_ms: row.lag_ms.unwrap_or(0).max(0),
        }),
        None => Err(ApiError::Internal(
            "not a standby (pg_last_wal_replay_lsn() is null)".into(),
        )),
    }
}
