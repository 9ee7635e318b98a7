//! Background work, started once per server by `jobs::start`: keeping SQLite's planner
//! statistics fresh, folding the live-object count deltas, and keeping open-ended Pipedrive
//! goals' slices a year ahead. Each job is a
//! plain thread with its own pooled connection; none serves requests.

use crate::db::{self, Conn, Dialect};
use crate::error::ApiError;
use crate::pipedrive::store::{extend_open_goals, When};
use crate::portals::{portal_ids, portal_settings};
use std::time::Duration;

/// Starts every background job. `stats_mark` is where start-up last refreshed the statistics.
pub fn start(pool: &db::Pool, stats_mark: i64) {
    spawn_stats_refresh(pool.clone(), stats_mark);
    spawn_goal_horizon(pool.clone());
    spawn_count_folding(pool.clone());
}

/// Folds the live-object count deltas every 5 s, so an unfiltered search's total sums a few
/// rows (engine::counts): at 1,000 writes/s a type has at most ~5,000 rows between folds.
fn spawn_count_folding(pool: db::Pool) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(5));
        if let Ok(mut conn) = pool.get() {
            if let Err(e) = crate::engine::counts::compact(&mut conn) {
                tracing::warn!("folding object counts: {e}");
            }
        }
    });
}

/// Keeps SQLite's planner statistics fresh while data grows: checks every 10 s and analyses
/// again each time the data has doubled. PostgreSQL's autovacuum does this itself, so there the
/// thread ends at once.
fn spawn_stats_refresh(pool: db::Pool, mut mark: i64) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(10));
        if let Ok(mut conn) = pool.get() {
            if conn.dialect() != Dialect::Sqlite {
                return;
            }
            match conn.refresh_stats(mark) {
                Ok(m) => mark = m,
                Err(e) => tracing::warn!("refreshing SQLite statistics: {e}"),
            }
        }
    });
}

/// Keeps open-ended Pipedrive goals' slices a year ahead of today: at start, then hourly.
fn spawn_goal_horizon(pool: db::Pool) {
    std::thread::spawn(move || loop {
        if let Ok(mut conn) = pool.get() {
            match extend_all(&mut conn) {
                Ok(0) => {}
                Ok(n) => tracing::info!("open-ended goals: {n} slice(s) added"),
                Err(e) => tracing::warn!("extending open-ended goals: {e}"),
            }
        }
        std::thread::sleep(Duration::from_secs(3600));
    });
}

/// Extends every portal's open-ended goals, one write transaction per portal.
pub fn extend_all(conn: &mut Conn) -> Result<usize, ApiError> {
    let otype = crate::goals::catalogue::goal_targets();
    let mut added = 0;
    for portal in portal_ids(conn)? {
        added += conn.write_tx(|tx| {
            let tz = portal_settings(tx, portal)?.tz();
            extend_open_goals(tx, &otype, portal, When::now(tz))
        })?;
    }
    Ok(added)
}
