//! Background work, started once per server by `jobs::start`: keeping SQLite's planner
//! statistics fresh, folding the live-object count deltas, keeping open-ended Pipedrive
//! goals' slices a year ahead, moving goal targets' status as periods start and end, and
//! dropping old rate-limit windows. Each job is a plain thread
//! with its own pooled connection; none serves requests. With several instances on one
//! database the jobs run on one of them at a time: the holder of the `jobs` lease, which it
//! renews every second and which another instance takes over once it has gone unrenewed for
//! [`LEASE_MS`].

use crate::db::{self, cluster, Conn, Dialect};
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use crate::pipedrive::store::{extend_open_goals, When};
use crate::portals::{portal_ids, portal_settings};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the job lease lasts unrenewed: another instance takes the jobs over within this
/// (plus one renewal interval) after the leader dies.
pub const LEASE_MS: i64 = 5_000;
const LEASE: &str = "jobs";

/// Whether this instance runs the jobs now.
pub struct Leader {
    pub instance: String,
    held: AtomicBool,
    /// When the lease was last renewed (epoch ms): a renewal that stalls (a slow database)
    /// must not leave this instance leading past the lease another may already have taken.
    renewed_at: AtomicI64,
}

impl Leader {
    /// Leads while the lease is held and its last renewal is younger than the lease less a
    /// second's margin.
    pub fn is_leader(&self) -> bool {
        self.held.load(Ordering::SeqCst)
            && now_ms() - self.renewed_at.load(Ordering::SeqCst) < LEASE_MS - 1_000
    }

    /// Gives the lease up (a clean shutdown), so another instance takes over at once.
    pub fn release(&self, pool: &db::Pool) {
        self.held.store(false, Ordering::SeqCst);
        if let Ok(mut conn) = pool.get() {
            let _ = cluster::release_lease(&mut conn, LEASE, &self.instance);
        }
    }
}

/// Starts every background job. `stats_mark` is where start-up last refreshed the statistics;
/// `instance` names this process in the lease.
pub fn start(
    pool: &db::Pool,
    stats_mark: i64,
    instance: String,
    event_retention_days: u32,
) -> Arc<Leader> {
    let leader = Arc::new(Leader {
        instance,
        held: AtomicBool::new(false),
        renewed_at: AtomicI64::new(0),
    });
    // Taken once before the jobs start, so a lone instance runs them from its first moment.
    renew(pool, &leader);
    spawn_lease(pool.clone(), leader.clone());
    spawn_stats_refresh(pool.clone(), stats_mark, leader.clone());
    spawn_goal_horizon(pool.clone(), leader.clone());
    spawn_count_folding(pool.clone(), leader.clone());
    spawn_window_pruning(pool.clone(), leader.clone());
    spawn_event_pruning(pool.clone(), leader.clone(), event_retention_days);
    spawn_attainment(pool.clone(), leader.clone());
    leader
}

/// Deletes change events older than the retention every minute (the journal's horizon).
fn spawn_event_pruning(pool: db::Pool, leader: Arc<Leader>, days: u32) {
    let keep_ms = i64::from(days) * 86_400_000;
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(60));
        run_job("prune_events", &pool, &leader, |conn| {
            crate::engine::events::prune(conn, now_ms() - keep_ms).map(|_| ())
        });
    });
}

/// Recomputes every 30 s the goal-target slices whose status moved with time alone (a period
/// started or ended), up to 1,000 per portal per run; each portal's in one transaction.
fn spawn_attainment(pool: db::Pool, leader: Arc<Leader>) {
    let types = crate::attainment::Types::builtin();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(30));
        run_job("attainment", &pool, &leader, |conn| {
            let now = now_ms();
            let mut by_portal: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
            // Portals on a test clock are judged by it (and caught up whenever it moves).
            let clocked = crate::portals::clock::clocked(conn)?;
            let skip: Vec<i64> = clocked.iter().map(|(p, _)| p.0).collect();
            let mut due = crate::attainment::refresh::due(conn, now, 1_000, (None, &skip))?;
            for (p, clock) in &clocked {
                let only = (Some(p.0), &[][..]);
                due.extend(crate::attainment::refresh::due(
                    conn,
                    clock.now(),
                    1_000,
                    only,
                )?);
            }
            for (portal, id) in due {
                by_portal.entry(portal).or_default().push(id);
            }
            // One portal's failure is logged and does not hold up the others.
            for (portal, ids) in by_portal {
                let done = conn.write_tx(|tx| {
                    let p = crate::engine::store::PortalId(portal);
                    // A portal whose clock a test moved is judged by its own now.
                    let now = crate::portals::clock::clock(tx, p)?.now();
                    crate::attainment::refresh::recompute(
                        tx,
                        &types.targets,
                        &types.counted,
                        p,
                        &ids,
                        now,
                        false,
                        &[],
                    )
                });
                if let Err(e) = done {
                    tracing::warn!("attainment of portal {portal}: {e}");
                }
            }
            Ok(())
        });
    });
}

fn renew(pool: &db::Pool, leader: &Leader) {
    let asked = now_ms();
    let held = pool.get().ok().is_some_and(|mut conn| {
        cluster::acquire_lease(&mut conn, LEASE, &leader.instance, now_ms(), LEASE_MS)
            .unwrap_or_else(|e| {
                tracing::warn!("job lease: {e}");
                false
            })
    });
    if held {
        leader.renewed_at.store(asked, Ordering::SeqCst);
    }
    if held != leader.held.swap(held, Ordering::SeqCst) {
        tracing::info!(
            "background jobs: {}",
            if held {
                "this instance leads"
            } else {
                "another instance leads"
            }
        );
    }
    crate::metrics::get()
        .job_leader
        .set(i64::from(leader.is_leader()));
}

fn spawn_lease(pool: db::Pool, leader: Arc<Leader>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        renew(&pool, &leader);
    });
}

/// Runs one job's body if this instance leads, counting the run by its outcome.
fn run_job(
    name: &str,
    pool: &db::Pool,
    leader: &Leader,
    f: impl FnOnce(&mut Conn) -> Result<(), ApiError>,
) {
    if !leader.is_leader() {
        return;
    }
    let outcome = match pool.get() {
        Ok(mut conn) => match f(&mut conn) {
            Ok(()) => "ok",
            Err(e) => {
                tracing::warn!("job {name}: {e}");
                "error"
            }
        },
        Err(_) => "error",
    };
    crate::metrics::get()
        .job_runs
        .with_label_values(&[name, outcome])
        .inc();
}

/// Drops rate-limit windows that ended a minute or more ago, every minute.
fn spawn_window_pruning(pool: db::Pool, leader: Arc<Leader>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(60));
        run_job("rate_windows", &pool, &leader, |conn| {
            cluster::prune_windows(conn, now_ms() - 3_600_000).map(|_| ())
        });
    });
}

/// Folds the live-object count deltas every 5 s, so an unfiltered search's total sums a few
/// rows (engine::counts): at 1,000 writes/s a type has at most ~5,000 rows between folds.
fn spawn_count_folding(pool: db::Pool, leader: Arc<Leader>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(5));
        run_job("fold_counts", &pool, &leader, |conn| {
            crate::engine::counts::compact(conn).map(|_| ())
        });
    });
}

/// Keeps SQLite's planner statistics fresh while data grows: checks every 10 s and analyses
/// again each time the data has doubled. PostgreSQL's autovacuum does this itself, so there the
/// thread ends at once.
fn spawn_stats_refresh(pool: db::Pool, mut mark: i64, leader: Arc<Leader>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(10));
        if pool.get().is_ok_and(|c| c.dialect() != Dialect::Sqlite) {
            return;
        }
        run_job("sqlite_statistics", &pool, &leader, |conn| {
            mark = conn.refresh_stats(mark)?;
            Ok(())
        });
    });
}

/// Keeps open-ended Pipedrive goals' slices a year ahead of today: at start, then hourly.
fn spawn_goal_horizon(pool: db::Pool, leader: Arc<Leader>) {
    std::thread::spawn(move || loop {
        run_job("goal_horizon", &pool, &leader, |conn| {
            let n = extend_all(conn)?;
            if n > 0 {
                tracing::info!("open-ended goals: {n} slice(s) added");
            }
            Ok(())
        });
        // Hourly on the leader; a follower looks every minute, so it runs soon after taking
        // over.
        let wait = if leader.is_leader() { 3600 } else { 60 };
        std::thread::sleep(Duration::from_secs(wait));
    });
}

/// Extends every portal's open-ended goals, one write transaction per portal.
pub fn extend_all(conn: &mut Conn) -> Result<usize, ApiError> {
    let mut added = 0;
    for portal in portal_ids(conn)? {
        added += extend_portal(conn, portal)?;
    }
    Ok(added)
}

/// Extends one portal's open-ended goals to the horizon of its clock's today (also run when a
/// test moves the clock).
pub fn extend_portal(conn: &mut Conn, portal: PortalId) -> Result<usize, ApiError> {
    let otype = crate::goals::catalogue::goal_targets();
    conn.write_tx(|tx| {
        let s = portal_settings(tx, portal)?;
        extend_open_goals(tx, &otype, portal, When::at(s.tz(), s.clock.now()))
    })
}
