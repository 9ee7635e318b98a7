//! Resetting and settling the database around a run, and the results table.

use super::*;

pub fn reset(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    } else {
        let mut conn = goalpost::db::connect(url).expect("connect");
        goalpost::db::with_conn!(&mut conn, c => diesel::connection::SimpleConnection::batch_execute(c,
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        .expect("reset database");
    }
}

/// Brings a freshly loaded database to the steady state a store in service is in, so the
/// workloads measure queries rather than the aftermath of the bulk load. On PostgreSQL that is
/// what autovacuum does in time: set hint bits and the visibility map (index-only counts need
/// it) and refresh statistics; measured right after seeding, the first workloads instead race
/// autovacuum over a million fresh rows on the same two cores. On SQLite it folds the WAL back
/// into the database file. Returns the seconds it took (reported beside the seeding rate).
pub fn settle(url: &str) -> f64 {
    let started = Instant::now();
    let mut conn = goalpost::db::connect(url).expect("connect");
    // One statement at a time: VACUUM cannot run inside the implicit transaction of a
    // multi-statement string.
    let statements: &[&str] = if url.starts_with("postgres") {
        &[
            "VACUUM (ANALYZE) objects",
            "VACUUM (ANALYZE) object_history",
        ]
    } else {
        &["PRAGMA wal_checkpoint(TRUNCATE)"]
    };
    for sql in statements {
        goalpost::db::with_conn!(&mut conn, c => diesel::connection::SimpleConnection::batch_execute(c, sql))
            .expect("settle the database");
    }
    started.elapsed().as_secs_f64()
}

pub fn render(
    backend: &str,
    args: &Args,
    seed_rate: f64,
    settle_secs: f64,
    rss: f64,
    rows: &[(String, Stats, Option<Stats>)],
    bare: f64,
) -> String {
    let mut s = format!(
        "\n### {backend}: {} goal targets, {} connections, {} s a workload\n\nseeding through the API: {seed_rate:.0} goal targets/s; then settled (PostgreSQL: VACUUM ANALYZE; SQLite: WAL checkpoint) in {settle_secs:.1} s; server peak RSS {rss:.0} MB\n\n\
         | workload | req/s | p50 ms | p99 ms | errors | raw DB req/s | raw p50 ms | HTTP/raw-DB | HTTP/bare-HTTP |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        args.goal_targets, args.connections, args.seconds
    );
    for (name, h, r) in rows {
        let (rr, rp, ratio) = match r {
            Some(r) => (
                format!("{:.0}", r.per_sec),
                format!("{:.3}", r.p50_ms),
                format!("{:.2}", h.per_sec / r.per_sec.max(1e-9)),
            ),
            None => ("".into(), "".into(), "".into()),
        };
        s += &format!(
            "| {name} | {:.0} | {:.3} | {:.3} | {} | {rr} | {rp} | {ratio} | {:.2} |\n",
            h.per_sec,
            h.p50_ms,
            h.p99_ms,
            h.errors,
            h.per_sec / bare.max(1e-9)
        );
    }
    s
}
