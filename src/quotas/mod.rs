//! Quota import and export: the spreadsheet round trip. A file (CSV or NDJSON, in the *rows*
//! or *grid* layout, see `sheet`) is read whole, matched to the portal's families, groups and
//! slices, and planned; the plan is printed, and applied only when asked — one family per
//! transaction through the engine, so the goal-family rules hold exactly as for the API, and
//! re-running after an interruption finds the families already written unchanged.

pub mod apply;
pub mod cli;
pub mod export;
pub mod period;
pub mod plan;
pub mod read;
pub mod sheet;

use crate::crm::{lookups, owners};
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::portals::portal_settings;
use plan::Plan;
use read::Format;
use serde_json::Value;
use sheet::{Layout, Names};

/// What an import did: the plan, and whether (and how much of) it was written.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub layout: &'static str,
    pub rows: usize,
    pub applied: bool,
    pub written: usize,
    #[serde(flatten)]
    pub plan: Plan,
}

/// The layout a file has when not told: rows when it has a `period` column.
fn layout_of(records: &[read::Record]) -> Layout {
    let has_period = records
        .iter()
        .any(|r| r.cells.iter().any(|(c, _)| c == "period"));
    if has_period {
        Layout::Rows
    } else {
        Layout::Grid
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

/// Reads, plans and (with `apply`) writes a quota file for `portal` (`otype`: its goal-target
/// type, with its custom properties). A malformed file is a 400 and writes nothing.
pub fn import(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    bytes: &[u8],
    (format, layout, apply): (Format, Option<Layout>, bool),
    now: i64,
    progress: impl FnMut(usize, usize) -> bool,
) -> Result<Report, ApiError> {
    let records = read::records(bytes, format).map_err(ApiError::bad_request)?;
    if records.is_empty() {
        return Err(ApiError::bad_request(
            "the file has no rows: a header row, then one row per slice (rows) or assignee (grid)",
        ));
    }
    let layout = layout.unwrap_or_else(|| layout_of(&records));
    let tz = portal_settings(conn, portal)?.tz();
    let (slices, problems) = sheet::slices(&records, layout, tz, &names(conn, portal)?);
    let rows = records.len();
    drop(records);
    let mut plan = plan::plan(conn, otype, portal, slices, problems)?;
    // A file with lines that cannot be used is not applied at all: fix it, then apply it.
    let apply = apply && plan.problems.is_empty();
    let written = apply::apply(conn, (otype, portal), &mut plan, now, !apply, progress)?;
    Ok(Report {
        layout: match layout {
            Layout::Rows => "rows",
            Layout::Grid => "grid",
        },
        rows,
        applied: apply,
        written,
        plan,
    })
}

impl Report {
    /// The 400 of an import asked to apply a file with lines it cannot use.
    pub fn refusal(&self) -> Option<ApiError> {
        let p = &self.plan.problems;
        if p.is_empty() {
            return None;
        }
        let listed: Vec<String> = p
            .iter()
            .take(20)
            .map(|x| format!("line {}: {}", x.line, x.reason))
            .collect();
        Some(ApiError::bad_request(format!(
            "{} lines cannot be used; nothing was written. {}",
            p.len(),
            listed.join("; ")
        )))
    }

    /// The plan (and what was applied) as lines for a terminal.
    pub fn text(&self) -> String {
        let p = &self.plan;
        let count = |f: fn(&plan::FamilyPlan) -> usize| p.families.iter().map(f).sum::<usize>();
        let refused = p.families.iter().filter(|f| f.refused.is_some()).count();
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let mut out = format!(
            "{} ({} layout): {} ({} new), {} to create; slices: {} to create, {} to change, {} unchanged; {} refused{}\n",
            n(self.rows, "row", "rows"),
            self.layout,
            n(p.families.len(), "family", "families"),
            p.families.iter().filter(|f| f.new_family).count(),
            n(count(|f| f.new_groups), "group", "groups"),
            count(|f| f.create.len()),
            count(|f| f.change.len()),
            count(|f| f.unchanged),
            n(p.problems.len(), "line", "lines"),
            if refused > 0 { format!(", {} refused by the rules", n(refused, "family", "families")) } else { String::new() },
        );
        // A large file's families are summed up above; the first ones are listed.
        const LISTED: usize = 50;
        for f in p.families.iter().take(LISTED) {
            out += &format!(
                "  family {} {:?}{}: {} to create, {} to change, {} unchanged\n",
                f.family,
                f.goal,
                if f.new_family { " (new)" } else { "" },
                f.create.len(),
                f.change.len(),
                f.unchanged
            );
            if let Some(r) = &f.refused {
                out += &format!("    refused: {r}\n");
            }
        }
        if p.families.len() > LISTED {
            out += &format!("  … and {} more families\n", p.families.len() - LISTED);
        }
        for problem in &p.problems {
            out += &format!("  line {}: {}\n", problem.line, problem.reason);
        }
        out += &if let Some(at) = p.interrupted {
            format!(
                "interrupted after {at} of {} families ({} slices written): run the same import again to finish\n",
                p.families.len(),
                self.written
            )
        } else if self.applied {
            format!("applied: {} slices written\n", self.written)
        } else if !p.problems.is_empty() {
            "not applied: nothing written until every line can be used\n".to_owned()
        } else {
            "dry run: nothing written (add --apply to write the plan)\n".to_owned()
        };
        out
    }
}
