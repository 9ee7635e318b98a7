//! Keeping attainment true: recomputing slices' `hs_kpi_value`, percent, status and outcome
//! in the transaction of the write that moved them, and the `kpi_slices` index that finds
//! the slices a deal or activity write can move.

use super::definition::{self, Kpi};
use super::evaluate::{standing, values};
use crate::db::json::PropsDoc;
use crate::db::schema::kpi_slices;
use crate::db::{with_conn, Conn};
use crate::engine::objects::{self, Source, Update};
use crate::engine::store::{self, Archived, ObjectRow, PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::engine::value::{format_ms, parse_instant, parse_number};
use crate::error::ApiError;
use crate::portals::portal_settings;
use diesel::prelude::*;
use std::collections::BTreeMap;

pub use crate::engine::objects::CALCULATED;

/// A number as stored text: integral values without a fraction, others to six decimals.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        (n as i64).to_string()
    } else {
        let s = format!("{:.6}", n);
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A slice's period (epoch ms, inclusive); a slice without dates has none.
pub fn period(doc: &PropsDoc) -> Option<(i64, i64)> {
    let get = |p| doc.get(p).and_then(parse_instant);
    Some((get("hs_start_datetime")?, get("hs_end_datetime")?))
}

/// Whether the slice's value is a client's manual override: a value goalpost did not compute
/// (`hs_kpi_value_calculated_at` is set only with computed values).
pub fn manual(doc: &PropsDoc) -> bool {
    doc.get("hs_kpi_value").is_some() && doc.get("hs_kpi_value_calculated_at").is_none()
}

fn phase(now: i64, (start, end): (i64, i64)) -> i32 {
    if now < start {
        0
    } else if now <= end {
        1
    } else {
        2
    }
}

/// Points the index at these slices' current definitions: rows for slices with a KPI
/// definition and a period, none for the others (`docs`: `None` for archived slices).
pub fn index(
    conn: &mut Conn,
    portal: PortalId,
    slices: &[(i64, Option<&PropsDoc>, Option<&Kpi>)],
    now: i64,
) -> Result<(), ApiError> {
    let ids: Vec<i64> = slices.iter().map(|(id, _, _)| *id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    type Row = (i64, i64, String, String, i64, i64, i32);
    let rows: Vec<Row> = slices
        .iter()
        .filter_map(|(id, doc, kpi)| {
            let (kpi, p) = ((*kpi)?, period((*doc)?)?);
            Some((
                portal.0,
                *id,
                kpi.object_type.to_owned(),
                kpi.assignee.key(),
                p.0,
                p.1,
                phase(now, p),
            ))
        })
        .collect();
    let gone = kpi_slices::table
        .filter(kpi_slices::portal_id.eq(portal.0))
        .filter(kpi_slices::target_id.eq_any(&ids));
    with_conn!(conn, c => diesel::delete(gone).execute(c))?;
    for chunk in rows.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    kpi_slices::portal_id.eq(r.0),
                    kpi_slices::target_id.eq(r.1),
                    kpi_slices::kpi_type.eq(r.2.clone()),
                    kpi_slices::who.eq(r.3.clone()),
                    kpi_slices::start_ms.eq(r.4),
                    kpi_slices::end_ms.eq(r.5),
                    kpi_slices::phase.eq(r.6),
                )
            })
            .collect();
        with_conn!(conn, c => diesel::insert_into(kpi_slices::table).values(&values).execute(c))?;
    }
    Ok(())
}

/// The changes that bring one slice's computed properties up to date (empty: nothing moved).
fn changes(
    row: &ObjectRow,
    kpi: &Kpi,
    computed: f64,
    now: i64,
    forced: bool,
    overridden: bool,
) -> Vec<(String, Option<String>)> {
    let doc = &row.properties;
    let Some(p) = period(doc) else {
        return Vec::new();
    };
    let is_manual = overridden || manual(doc);
    let value = if is_manual {
        doc.get("hs_kpi_value")
            .and_then(parse_number)
            .unwrap_or(0.0)
    } else {
        computed
    };
    let target = doc
        .get("hs_target_amount")
        .and_then(parse_number)
        .unwrap_or(0.0);
    let s = standing(value, target, kpi.tracking, now, p);
    let wanted: [(&str, Option<String>); 4] = [
        ("hs_kpi_value", Some(number_text(value))),
        ("hs_kpi_progress_percent", Some(number_text(s.percent))),
        ("hs_status", Some(s.status.to_owned())),
        ("hs_outcome", Some(s.outcome.to_owned())),
    ];
    let mut out: Vec<(String, Option<String>)> = wanted
        .into_iter()
        .filter(|(k, v)| doc.get(k) != v.as_deref())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let asked = doc.get("hs_should_recalculate") == Some("true");
    let stale_mark = overridden && doc.get("hs_kpi_value_calculated_at").is_some();
    if out.is_empty() && !forced && !asked && !stale_mark {
        return out;
    }
    let at = Some(format_ms(now));
    // The mark of a computed value: cleared by an override, set by each computation.
    out.push((
        "hs_kpi_value_calculated_at".into(),
        if is_manual { None } else { at.clone() },
    ));
    out.push(("hs_kpi_value_last_calculated_at".into(), at));
    if asked {
        out.push(("hs_should_recalculate".into(), Some("false".into())));
    }
    out
}

/// Recomputes these live slices (any without a definition are skipped), one tally per
/// distinct definition, and writes what moved as a `CALCULATED` update. `forced`: write the
/// calculated-at times even where nothing moved (an explicit recalculation). `overridden`:
/// slices whose `hs_kpi_value` a client has just written. Returns the ids it rewrote.
///
/// Takes the slices' family locks and a lock per slice before reading them and tallying, so
/// two writes moving one slice at once compute one after the other and the later one sees
/// the earlier's records (PostgreSQL; SQLite's writers are serial). The per-slice keys sort
/// after the family keys (`~`), the order every write takes them in.
#[allow(clippy::too_many_arguments)]
pub fn recompute(
    conn: &mut Conn,
    targets: &ObjectType,
    counted: &[ObjectType],
    portal: PortalId,
    ids: &[i64],
    now: i64,
    forced: bool,
    overridden: &[i64],
) -> Result<Vec<i64>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let scope = Scope {
        portal,
        object_type: targets.name,
    };
    let mut rows = store::load(conn, scope, ids, Archived::Live)?;
    if conn.dialect() == crate::db::Dialect::Postgres {
        let mut keys: Vec<String> = ids
            .iter()
            .map(|id| format!("~kpi:{}:{id}", portal.0))
            .collect();
        if let Some(rules) = &targets.rules {
            keys.extend(rules.lock_keys(&rows.iter().map(|r| &r.properties).collect::<Vec<_>>()));
        }
        conn.lock_keys(&keys)?;
        // As they are now that no other write can move them.
        rows = store::load(conn, scope, ids, Archived::Live)?;
    }
    let tz = portal_settings(conn, portal)?.tz();
    // Slices sharing a definition (a family's group, usually) share one statement.
    let mut by_definition: BTreeMap<String, (Kpi, Vec<&ObjectRow>)> = BTreeMap::new();
    for row in &rows {
        let doc = &row.properties;
        if !definition::defined(doc) || period(doc).is_none() {
            continue;
        }
        // Checked when written; a definition that no longer evaluates (a custom property
        // removed since) keeps its last values.
        let Ok(kpi) = definition::parse(doc, counted) else {
            continue;
        };
        by_definition
            .entry(definition::key(doc))
            .or_insert_with(|| (kpi, Vec::new()))
            .1
            .push(row);
    }
    let mut updates = Vec::new();
    for (kpi, slices) in by_definition.values() {
        let ranges: Vec<(i64, i64)> = slices
            .iter()
            .filter_map(|r| period(&r.properties))
            .collect();
        let computed = values(conn, portal, kpi, tz, &ranges)?;
        for (row, value) in slices.iter().zip(computed) {
            let changes = changes(row, kpi, value, now, forced, overridden.contains(&row.id));
            if !changes.is_empty() {
                updates.push(Update {
                    input: updates.len(),
                    id: row.id,
                    changes,
                });
            }
        }
    }
    if !updates.is_empty() {
        let source = Source {
            kind: CALCULATED,
            id: Some("goalpost-attainment".into()),
        };
        objects::update(conn, targets, portal, &updates, now, &source)?;
    }
    set_phases(conn, portal, &rows, now)?;
    Ok(updates.iter().map(|u| u.id).collect())
}

/// Records each slice's phase now, so the attainment job does not pick it up again.
fn set_phases(
    conn: &mut Conn,
    portal: PortalId,
    rows: &[ObjectRow],
    now: i64,
) -> Result<(), ApiError> {
    for ph in 0..=2 {
        let ids: Vec<i64> = rows
            .iter()
            .filter(|r| period(&r.properties).map(|p| phase(now, p)) == Some(ph))
            .map(|r| r.id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let target = kpi_slices::table
            .filter(kpi_slices::portal_id.eq(portal.0))
            .filter(kpi_slices::target_id.eq_any(&ids))
            .filter(kpi_slices::phase.ne(ph));
        with_conn!(conn, c => diesel::update(target).set(kpi_slices::phase.eq(ph)).execute(c))?;
    }
    Ok(())
}

/// Slices of these assignee keys, counting `kpi_type` records, whose period holds one of
/// `times` (epoch ms): the slices a record write can move.
pub fn slices_at(
    conn: &mut Conn,
    portal: PortalId,
    kpi_type: &str,
    who: &[String],
    times: &[i64],
) -> Result<Vec<i64>, ApiError> {
    if times.is_empty() {
        return Ok(Vec::new());
    }
    let (lo, hi) = (
        *times.iter().min().unwrap_or(&0),
        *times.iter().max().unwrap_or(&0),
    );
    let rows: Vec<(i64, i64, i64)> = with_conn!(conn, c => kpi_slices::table
        .filter(kpi_slices::portal_id.eq(portal.0))
        .filter(kpi_slices::kpi_type.eq(kpi_type))
        .filter(kpi_slices::who.eq_any(who))
        .filter(kpi_slices::start_ms.le(hi))
        .filter(kpi_slices::end_ms.ge(lo))
        .select((kpi_slices::target_id, kpi_slices::start_ms, kpi_slices::end_ms))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter(|(_, s, e)| times.iter().any(|t| s <= t && t <= e))
        .map(|(id, _, _)| id)
        .collect())
}

/// Slices whose phase moved with time alone (started or ended since last computed), at most
/// `limit` of each kind: of portal `only` if given, and never of the `skip` portals (those on
/// a clock of their own, asked with their own `now`).
pub fn due(
    conn: &mut Conn,
    now: i64,
    limit: i64,
    (only, skip): (Option<i64>, &[i64]),
) -> Result<Vec<(i64, i64)>, ApiError> {
    use kpi_slices::dsl as k;
    let mut out: Vec<(i64, i64)> = with_conn!(conn, c => {
        let mut q = k::kpi_slices
            .filter(k::phase.eq(0))
            .filter(k::start_ms.le(now))
            .filter(k::portal_id.ne_all(skip))
            .into_boxed();
        if let Some(p) = only {
            q = q.filter(k::portal_id.eq(p));
        }
        q.order(k::start_ms).select((k::portal_id, k::target_id)).limit(limit).load(c)
    })?;
    out.extend(with_conn!(conn, c => {
        let mut q = k::kpi_slices
            .filter(k::phase.eq(1))
            .filter(k::end_ms.lt(now))
            .filter(k::portal_id.ne_all(skip))
            .into_boxed();
        if let Some(p) = only {
            q = q.filter(k::portal_id.eq(p));
        }
        q.order(k::end_ms).select((k::portal_id, k::target_id)).limit(limit).load::<(i64, i64)>(c)
    })?);
    Ok(out)
}

/// Recomputes slices of the built-in types as time moved, by `now` (neither forced nor with
/// overrides): what a team change, a clock move or the attainment job asks for.
pub fn recompute_by_time(
    conn: &mut Conn,
    portal: PortalId,
    ids: &[i64],
    now: i64,
) -> Result<(), ApiError> {
    let types = super::Types::builtin();
    recompute(
        conn,
        &types.targets,
        &types.counted,
        portal,
        ids,
        now,
        false,
        &[],
    )
    .map(|_| ())
}

/// Every live slice of a portal (its clock moved: any status may have).
pub fn portal_slices(conn: &mut Conn, portal: PortalId) -> Result<Vec<i64>, ApiError> {
    Ok(with_conn!(conn, c => kpi_slices::table
        .filter(kpi_slices::portal_id.eq(portal.0))
        .select(kpi_slices::target_id)
        .load(c))?)
}

/// The live slices assigned to a team (its membership changed: they count other people now).
pub fn team_slices(conn: &mut Conn, portal: PortalId, team: i64) -> Result<Vec<i64>, ApiError> {
    Ok(with_conn!(conn, c => kpi_slices::table
        .filter(kpi_slices::portal_id.eq(portal.0))
        .filter(kpi_slices::kpi_type.eq_any(["deals", "activities"]))
        .filter(kpi_slices::who.eq(format!("t:{team}")))
        .select(kpi_slices::target_id)
        .load(c))?)
}
