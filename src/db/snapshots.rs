//! Named snapshots of a portal's data, for the test control plane: taken and restored around a
//! test in one statement per table (`CREATE TABLE … AS SELECT`, `INSERT … SELECT`), never row
//! by row. Snapshot `id` keeps table `t`'s rows in `test_snap_<id>_<t>`. Tokens stay as they
//! are (a test keeps its credentials), and so do the change journal and webhook settings with
//! their delivery positions (`purge::JOURNAL`, `purge::HOOKS`): a restore never replays events.

use super::purge::DATA;
use super::schema::{object_counts as oc, test_snapshots as ts};
use super::{with_conn, Conn};
use crate::error::ApiError;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// On PostgreSQL, holds the portal tables still (`SHARE`: writers wait, readers do not) or
/// for itself (`EXCLUSIVE`) until commit, so a snapshot's tables are copied at one moment and a
/// restore is not interleaved with writes (each statement of a READ COMMITTED transaction
/// reads its own moment). SQLite's single writer gives both already.
fn lock(conn: &mut Conn, mode: &str) -> Result<(), ApiError> {
    if conn.dialect() == super::Dialect::Postgres {
        let sql = format!("LOCK TABLE {} IN {mode} MODE", DATA.join(", "));
        with_conn!(conn, c => diesel::sql_query(sql).execute(c))?;
    }
    Ok(())
}

/// Columns that identify a row of a [`DATA`] table (its primary key, or a superset of it).
fn key(t: &str) -> &'static str {
    match t {
        "lookups" => "portal_id, kind, id",
        "object_history" => "portal_id, object_id, id",
        "property_definitions" | "property_groups" => "portal_id, object_type, name",
        "associations" => "portal_id, from_id, to_type, to_id, type_id",
        "association_labels" => "portal_id, type_id",
        "kpi_slices" => "portal_id, target_id",
        // pipedrive_goals, objects, object_counts
        _ => "portal_id, id",
    }
}

fn table(id: i64, t: &str) -> String {
    format!("test_snap_{id}_{t}")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn id_of(conn: &mut Conn, portal: i64, name: &str) -> Result<Option<i64>, ApiError> {
    Ok(with_conn!(conn, c => ts::table
        .filter(ts::portal_id.eq(portal))
        .filter(ts::name.eq(name))
        .select(ts::id)
        .first(c)
        .optional())?)
}

/// Takes (or replaces) snapshot `name` of `portal`; returns how many objects it holds.
pub fn take(conn: &mut Conn, portal: i64, name: &str, now: i64) -> Result<i64, ApiError> {
    lock(conn, "SHARE")?;
    drop_named(conn, portal, name)?;
    let id: i64 = with_conn!(conn, c => diesel::insert_into(ts::table)
        .values((ts::portal_id.eq(portal), ts::name.eq(name), ts::created_at.eq(now)))
        .returning(ts::id)
        .get_result(c))?;
    for t in DATA {
        let sql = format!(
            "CREATE TABLE {} AS SELECT * FROM {t} WHERE portal_id = {portal}",
            table(id, t)
        );
        with_conn!(conn, c => diesel::sql_query(sql).execute(c))?;
    }
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {} WHERE archived = FALSE",
        table(id, "objects")
    );
    let n: Count = with_conn!(conn, c => diesel::sql_query(sql).get_result(c))?;
    Ok(n.n)
}

/// Puts `portal`'s data back as snapshot `name` held it; `false` when there is no such
/// snapshot. Each write version moves past every version seen before the restore, so a total
/// cached under one can never be taken for the restored data's.
pub fn restore(conn: &mut Conn, portal: i64, name: &str) -> Result<bool, ApiError> {
    let Some(id) = id_of(conn, portal, name)? else {
        return Ok(false);
    };
    lock(conn, "EXCLUSIVE")?;
    let before = versions(conn, portal)?;
    // Only what differs is rewritten: a test changes a few rows of a large portal, and
    // rewriting every row (and its index entries) is what costs.
    for t in DATA {
        let (snap, key) = (table(id, t), key(t));
        let live = format!("SELECT * FROM {t} WHERE portal_id = {portal}");
        let gone = format!(
            "DELETE FROM {t} WHERE portal_id = {portal} AND ({key}) IN \
             (SELECT {key} FROM ({live} EXCEPT SELECT * FROM {snap}) d)"
        );
        with_conn!(conn, c => diesel::sql_query(gone).execute(c))?;
        let back = format!("INSERT INTO {t} SELECT * FROM (SELECT * FROM {snap} EXCEPT {live}) d");
        with_conn!(conn, c => diesel::sql_query(back).execute(c))?;
    }
    move_versions_past(conn, portal, &before)?;
    Ok(true)
}

/// The write version of each of a portal's object types (`engine::counts`).
pub fn versions(conn: &mut Conn, portal: i64) -> Result<Vec<(String, i64)>, ApiError> {
    let rows: Vec<(String, i64)> = with_conn!(conn, c => oc::table
        .filter(oc::portal_id.eq(portal))
        .select((oc::object_type, oc::writes))
        .load(c))?;
    let mut by_type = std::collections::BTreeMap::<String, i64>::new();
    for (t, w) in rows {
        *by_type.entry(t).or_default() += w;
    }
    Ok(by_type.into_iter().collect())
}

/// Adds to each type's version what it was in `before` plus one (a row counting no objects),
/// so the version after is above any it had.
pub fn move_versions_past(
    conn: &mut Conn,
    portal: i64,
    before: &[(String, i64)],
) -> Result<(), ApiError> {
    let rows: Vec<_> = before
        .iter()
        .map(|(t, v)| {
            (
                oc::portal_id.eq(portal),
                oc::object_type.eq(t),
                oc::delta.eq(0i64),
                oc::writes.eq(v + 1),
            )
        })
        .collect();
    if !rows.is_empty() {
        with_conn!(conn, c => diesel::insert_into(oc::table).values(&rows).execute(c))?;
    }
    Ok(())
}

/// A portal's snapshots: name and when each was taken.
pub fn list(conn: &mut Conn, portal: i64) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(with_conn!(conn, c => ts::table
        .filter(ts::portal_id.eq(portal))
        .order(ts::name)
        .select((ts::name, ts::created_at))
        .load(c))?)
}

/// Drops snapshot `name`; `false` when there was none.
pub fn drop_named(conn: &mut Conn, portal: i64, name: &str) -> Result<bool, ApiError> {
    let Some(id) = id_of(conn, portal, name)? else {
        return Ok(false);
    };
    drop_id(conn, id)?;
    Ok(true)
}

fn drop_id(conn: &mut Conn, id: i64) -> Result<(), ApiError> {
    for t in DATA {
        let sql = format!("DROP TABLE IF EXISTS {}", table(id, t));
        with_conn!(conn, c => diesel::sql_query(sql).execute(c))?;
    }
    with_conn!(conn, c => diesel::delete(ts::table.find(id)).execute(c))?;
    Ok(())
}

/// Drops every snapshot of a portal; returns how many there were.
pub fn drop_all(conn: &mut Conn, portal: i64) -> Result<usize, ApiError> {
    let ids: Vec<i64> = with_conn!(conn, c => ts::table
        .filter(ts::portal_id.eq(portal))
        .select(ts::id)
        .load(c))?;
    for id in &ids {
        drop_id(conn, *id)?;
    }
    Ok(ids.len())
}
