//! What an import did, as JSON (the HTTP answer, `--json`) and as lines for a terminal: the
//! totals of the whole file, the first families and the first lines it cannot use (a file of
//! a million rows is summed up, not listed).

use super::plan::FamilyPlan;
use super::sheet::Problem;
use crate::error::ApiError;

/// Families and problem lines listed in a report at most (the totals count them all).
pub const LISTED: usize = 1000;

/// Families listed whatever they need; beyond these, only refused families are listed.
const LISTED_FIRST: usize = 50;

/// The whole file's counts.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub families: usize,
    pub new_families: usize,
    pub new_groups: usize,
    pub create: usize,
    pub change: usize,
    pub unchanged: usize,
    /// Families the rules (or the engine's checks) refused.
    pub refused: usize,
    /// Lines that cannot be used.
    pub problems: usize,
}

/// What an import did: the plan, and whether (and how much of) it was written.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub layout: &'static str,
    pub rows: usize,
    pub applied: bool,
    pub written: usize,
    pub totals: Totals,
    /// The first [`LISTED_FIRST`] families, then every family refused (up to [`LISTED`] in
    /// all), in the order the file names them.
    pub families: Vec<FamilyPlan>,
    /// The first [`LISTED`] lines that cannot be used, in line order.
    pub problems: Vec<Problem>,
    /// Stopped (Ctrl-C) after this many families, in file order; a re-run finishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<usize>,
    /// How many families the file names (all planned unless interrupted).
    #[serde(skip)]
    pub in_file: usize,
}

impl Report {
    /// Counts a batch's planned families (and lists the first ones).
    pub fn add(&mut self, families: Vec<FamilyPlan>) {
        for mut f in families {
            let t = &mut self.totals;
            t.families += 1;
            t.new_families += usize::from(f.new_family);
            t.new_groups += f.new_groups;
            t.create += f.create.len();
            t.change += f.change.len();
            t.unchanged += f.unchanged;
            t.refused += usize::from(f.refused.is_some());
            let wanted = t.families <= LISTED_FIRST || f.refused.is_some();
            if wanted && self.families.len() < LISTED {
                f.forget_writes();
                self.families.push(f);
            }
        }
    }

    /// The 400 of an import asked to apply a file with lines it cannot use (none when some
    /// families were written: the database changed between planning and writing, and the
    /// report says what was written and which lines were not).
    pub fn refusal(&self) -> Option<ApiError> {
        if self.totals.problems == 0 || self.written > 0 {
            return None;
        }
        let listed: Vec<String> = self
            .problems
            .iter()
            .take(20)
            .map(|x| format!("line {}: {}", x.line, x.reason))
            .collect();
        Some(ApiError::bad_request(format!(
            "{} lines cannot be used; nothing was written. {}",
            self.totals.problems,
            listed.join("; ")
        )))
    }

    /// The plan (and what was applied) as lines for a terminal.
    pub fn text(&self) -> String {
        let t = &self.totals;
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let mut out = format!(
            "{} ({} layout): {} ({} new), {} to create; slices: {} to create, {} to change, {} unchanged; {} refused{}\n",
            n(self.rows, "row", "rows"),
            self.layout,
            n(t.families, "family", "families"),
            t.new_families,
            n(t.new_groups, "group", "groups"),
            t.create,
            t.change,
            t.unchanged,
            n(t.problems, "line", "lines"),
            if t.refused > 0 { format!(", {} refused by the rules", n(t.refused, "family", "families")) } else { String::new() },
        );
        for f in &self.families {
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
        if t.families > self.families.len() {
            let more = t.families - self.families.len();
            let shown = self.families.iter().filter(|f| f.refused.is_some()).count();
            let note = if t.refused > shown {
                ""
            } else {
                ", none refused"
            };
            out += &format!("  … and {more} more families{note}\n");
        }
        for problem in &self.problems {
            out += &format!("  line {}: {}\n", problem.line, problem.reason);
        }
        if t.problems > self.problems.len() {
            out += &format!("  … and {} more lines\n", t.problems - self.problems.len());
        }
        out += &if let Some(at) = self.interrupted {
            format!(
                "interrupted after {at} of {} families ({} slices written): run the same import again to finish\n",
                self.in_file,
                self.written
            )
        } else if self.applied && t.problems > 0 && self.written > 0 {
            format!("applied in part: {} slices written; the lines above were not (the portal changed since the plan)\n", self.written)
        } else if self.applied {
            format!("applied: {} slices written\n", self.written)
        } else if t.problems > 0 {
            "not applied: nothing written until every line can be used\n".to_owned()
        } else {
            "dry run: nothing written (add --apply to write the plan)\n".to_owned()
        };
        out
    }
}
