//! Quota import and export: the spreadsheet round trip. A file (CSV or NDJSON, in the *rows*
//! or *grid* layout, see `sheet`) is read whole into a spool (a temporary SQLite file sorted
//! by family), then matched to the portal's families, groups and slices a batch of families
//! at a time, and planned; the plan is printed, and applied only when asked — whole families
//! per transaction through the engine, so the goal-family rules hold exactly as for the API,
//! and re-running after an interruption finds the families already written unchanged.

pub mod apply;
pub mod cli;
pub mod export;
pub mod period;
pub mod plan;
pub mod read;
pub mod report;
pub mod sheet;
mod spool;

use crate::crm::{lookups, owners};
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::portals::portal_settings;
use read::Format;
pub use report::Report;
use serde_json::Value;
use sheet::{Layout, Names};

/// The layout a file has when not told, from its first record: a grid when it has period
/// columns (named with a leading digit, `2027-01`) and no `period` column, else rows (an
/// NDJSON line may leave out empty keys, so only period columns make a grid).
fn layout_of(record: &read::Record) -> Layout {
    let has = |f: &dyn Fn(&str) -> bool| record.cells.iter().any(|(c, _)| f(c));
    if !has(&|c| c == "period") && has(&|c| c.starts_with(|ch: char| ch.is_ascii_digit())) {
        Layout::Grid
    } else {
        Layout::Rows
    }
}

fn names(conn: &mut Conn, portal: PortalId) -> Result<Names, ApiError> {
    let emails = owners::by_email(&owners::all(conn, portal)?);
    let teams = lookups::list(conn, portal, "teams")?
        .into_iter()
        .filter_map(|(id, doc)| {
            Some((
                doc.0.get("name").and_then(Value::as_str)?.to_lowercase(),
                id,
            ))
        })
        .collect();
    Ok(Names { emails, teams })
}

/// Families planned (and written) together at most, and about how many slices they hold:
/// the unit of memory an import holds whatever the file's size (one family is never split).
const BATCH_FAMILIES: usize = 500;
const BATCH_SLICES: usize = 5000;

/// What a pass over the spooled families does with each batch's plan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Plan only (before an apply: a file with a line that cannot be used writes nothing).
    Plan,
    /// Plan and try the writes, rolling them back (a dry run names what the rules refuse).
    Try,
    /// Plan and write.
    Write,
}

/// Where an import is, for a progress display: the phase, and done of total (0: unknown).
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize) -> bool;

fn spool_err(e: String) -> ApiError {
    ApiError::Internal(e)
}

/// A file's family key as it names it: by family id, else by goal name.
fn key_of(slice: &sheet::Slice) -> Option<spool::Key> {
    match (&slice.family, &slice.goal) {
        (Some(f), _) => Some((true, f.clone())),
        (None, Some(g)) => Some((false, g.clone())),
        (None, None) => None,
    }
}

/// Reads, plans and (with `apply`) writes a quota file for `portal` (`otype`: its goal-target
/// type, with its custom properties), streaming it through a spool so memory does not grow
/// with the file. A malformed file is a 400 and writes nothing; so is a file with any line
/// that cannot be used, when applying (lines the rules refuse only once the portal changed
/// under the apply are reported beside what was written). `progress` is asked between batches of families, and
/// stops the import (between whole families) when it answers false.
pub fn import(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    input: impl std::io::Read,
    (format, layout, apply): (Format, Option<Layout>, bool),
    now: i64,
    progress: Progress,
) -> Result<Report, ApiError> {
    let tz = portal_settings(conn, portal)?.tz();
    let names = names(conn, portal)?;
    let mut spool = spool::Spool::new().map_err(spool_err)?;
    let mut layout = layout;
    let (mut failed, mut seen) = (None, 0usize);
    let rows = read::each(input, format, |record| {
        seen += 1;
        let lay = *layout.get_or_insert_with(|| layout_of(&record));
        let kept = match sheet::slices_of(&record, lay, tz, &names) {
            Ok(slices) => match slices.first().and_then(key_of) {
                Some(key) => spool.push(key, &record, slices.len()),
                None => Ok(()),
            },
            Err(reason) => spool.problem(record.line, reason),
        };
        if seen % 1_000 == 0 && !progress("reading", seen, 0) {
            return Err("interrupted while reading: nothing was written".into());
        }
        // The spool failing is the server's fault, not the file's: kept apart from a 400.
        kept.map_err(|e| failed.insert(e).clone())
    });
    if let Some(e) = failed {
        return Err(spool_err(e));
    }
    let rows = rows.map_err(ApiError::bad_request)?;
    let Some(layout) = layout.filter(|_| rows > 0) else {
        return Err(ApiError::bad_request(
            "the file has no rows: a header row, then one row per slice (rows) or assignee (grid)",
        ));
    };
    let in_file = spool.seal().map_err(spool_err)?;
    let mut target = Target {
        conn,
        otype,
        portal,
        tz,
        layout,
        names: &names,
        now,
    };
    let mut report = pass(
        &mut target,
        &mut spool,
        if apply { Pass::Plan } else { Pass::Try },
        progress,
    )?;
    // A file with lines that cannot be used is not applied at all: fix it, then apply it.
    if apply && report.totals.problems == 0 && report.interrupted.is_none() {
        spool.replan().map_err(spool_err)?;
        report = pass(&mut target, &mut spool, Pass::Write, progress)?;
        report.applied = report.interrupted.is_none();
    }
    report.layout = match layout {
        Layout::Rows => "rows",
        Layout::Grid => "grid",
    };
    report.rows = rows;
    report.in_file = in_file;
    Ok(report)
}

/// What a pass plans against.
struct Target<'a> {
    conn: &'a mut Conn,
    otype: &'a ObjectType,
    portal: PortalId,
    tz: chrono_tz::Tz,
    layout: Layout,
    names: &'a Names,
    now: i64,
}

/// One pass over the spooled families, a batch at a time.
fn pass(
    t: &mut Target,
    spool: &mut spool::Spool,
    kind: Pass,
    progress: Progress,
) -> Result<Report, ApiError> {
    let phase = match kind {
        Pass::Plan => "planning",
        Pass::Try => "checking",
        Pass::Write => "writing",
    };
    let total = spool.families().map_err(spool_err)?;
    let mut report = Report::default();
    let mut after = 0;
    while after < total {
        if !progress(phase, after, total) {
            report.interrupted = Some(after);
            break;
        }
        let batch = spool
            .batch(after, BATCH_FAMILIES, BATCH_SLICES)
            .map_err(spool_err)?;
        after = batch.last().map_or(total, |(family, _)| *family);
        let mut slices = Vec::new();
        for (_, record) in &batch {
            // Read once already: every record spooled makes slices.
            slices.extend(sheet::slices_of(record, t.layout, t.tz, t.names).unwrap_or_default());
        }
        let mut plan = plan::plan(t.conn, t.otype, t.portal, slices)?;
        // A family named both by its id and by its goal, in two batches: the second is refused.
        let uuids: Vec<String> = plan.families.iter().map(|f| f.family.clone()).collect();
        let twice = spool.planned_before(&uuids).map_err(spool_err)?;
        plan.families.retain(|f| {
            if !twice.contains(&f.family) {
                return true;
            }
            let reason = format!(
                "family {} is named both by its id and by its goal name: use one",
                f.family
            );
            plan::refuse_whole(&mut plan.problems, f, &reason);
            false
        });
        for p in std::mem::take(&mut plan.problems) {
            spool.problem(p.line, p.reason).map_err(spool_err)?;
        }
        if kind != Pass::Plan {
            let written = apply::apply(
                t.conn,
                (t.otype, t.portal),
                &mut plan,
                t.now,
                kind == Pass::Try,
            )?;
            report.written += written;
        }
        report.add(plan.families);
    }
    progress(phase, after, total);
    let (count, first) = spool.problems(report::LISTED).map_err(spool_err)?;
    report.totals.problems = count;
    report.problems = first
        .into_iter()
        .map(|k| sheet::Problem {
            line: k.line as usize,
            reason: k.reason,
        })
        .collect();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::{layout_of, read::Record, Layout};

    #[test]
    fn the_layout_is_a_grid_only_with_period_columns_and_no_period() {
        let record = |cols: &[&str]| Record {
            line: 1,
            cells: cols.iter().map(|c| (c.to_string(), "1".into())).collect(),
        };
        assert_eq!(
            layout_of(&record(&["goal", "2027-01", "2027-02"])),
            Layout::Grid
        );
        assert_eq!(
            layout_of(&record(&["goal", "period", "target"])),
            Layout::Rows
        );
        // An NDJSON line that leaves out its empty period is still a row.
        assert_eq!(layout_of(&record(&["goal", "target"])), Layout::Rows);
    }
}
