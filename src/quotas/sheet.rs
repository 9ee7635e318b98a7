//! A quota file's records read as goal-target slices, in either layout:
//! - *rows*: one row per slice (`goal` or `family`, `assignee`, `team`, `milestone`, `period`,
//!   `target`, `currency`, and any goal-target property by its internal name);
//! - *grid*: one row per assignee of a goal, one column per period (`2027-01` …), the other
//!   columns as in rows.
//!
//! Assignees are owner ids or e-mails the owners lookup knows; teams are ids or names the
//! teams lookup knows. Each problem names its line.

use super::period::{self, Period};
use super::read::{cell, Record};
use crate::engine::store::ObjectRow;
use crate::goals::calendar::Milestone;
use chrono_tz::Tz;
use std::collections::HashMap;

/// Which layout a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Rows,
    Grid,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "rows" => Some(Layout::Rows),
            "grid" => Some(Layout::Grid),
            _ => None,
        }
    }
}

/// Who a group of slices is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Assignee {
    Owner(i64),
    Team(i64),
}

/// A stored slice's assignee.
pub fn assignee_of(row: &ObjectRow) -> Option<Assignee> {
    let id = |p: &str| row.properties.get(p).and_then(|v| v.parse::<i64>().ok());
    id("hubspot_owner_id")
        .or_else(|| id("hs_assignee_user_id"))
        .map(Assignee::Owner)
        .or_else(|| {
            id("hs_assignee_team_id")
                .or_else(|| id("hubspot_team_id"))
                .map(Assignee::Team)
        })
}

/// One slice a file asks for.
#[derive(Debug, Clone)]
pub struct Slice {
    pub line: usize,
    /// `hs_goal_name` (needed for a new family).
    pub goal: Option<String>,
    /// `hs_group_correlation_uuid`, when the file names the family.
    pub family: Option<String>,
    pub assignee: Assignee,
    /// The owner's team (`hs_team_id`), beside an owner assignee.
    pub team: Option<i64>,
    pub period: Period,
    pub target: String,
    pub currency: Option<String>,
    /// Other goal-target properties by internal name.
    pub extra: Vec<(String, String)>,
}

/// A line that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub reason: String,
}

/// The columns every layout reads itself; any other is a property (or, in a grid, a period).
pub const COLUMNS: &[&str] = &[
    "goal",
    "family",
    "assignee",
    "team",
    "milestone",
    "period",
    "target",
    "currency",
];

/// The properties an import sets itself (a column of that name is refused: use the layout's).
pub const MANAGED: &[&str] = &[
    "hs_goal_name",
    "hs_milestone",
    "hs_start_datetime",
    "hs_end_datetime",
    "hs_target_amount",
    "hs_group_correlation_uuid",
    "hs_goal_target_group_id",
    "hubspot_owner_id",
    "hs_assignee_team_id",
    "hs_team_id",
    "hs_goal_target_currency_code",
];

/// What names resolve to: owner e-mails (lower-case) and team names.
pub struct Names {
    pub emails: HashMap<String, i64>,
    pub teams: HashMap<String, i64>,
}

fn id_or_name(raw: &str, names: &HashMap<String, i64>, what: &str) -> Result<i64, String> {
    if let Ok(n) = raw.parse::<i64>() {
        return if n > 0 {
            Ok(n)
        } else {
            Err(format!("{what} {raw:?} is not a positive id"))
        };
    }
    names
        .get(&raw.to_lowercase())
        .copied()
        .ok_or_else(|| format!("unknown {what} {raw:?} (not an id, and not in the {what}s lookup)"))
}

/// An amount: a number, with commas allowed only as thousands separators (`1,234.50`).
fn amount(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    let int = t.split_once('.').map_or(t, |(i, _)| i);
    let digits = int.trim_start_matches('-');
    let grouped = digits.contains(',')
        && digits.split(',').enumerate().all(|(i, g)| {
            let size_ok = if i == 0 {
                (1..=3).contains(&g.len())
            } else {
                g.len() == 3
            };
            size_ok && g.bytes().all(|b| b.is_ascii_digit())
        });
    let plain = if grouped {
        t.replace(',', "")
    } else {
        t.to_owned()
    };
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() && !plain.contains(',') => Ok(plain),
        _ => Err(format!(
            "target {raw:?} is not an amount (a number such as 1200 or 1,200.50)"
        )),
    }
}

/// The slices of one record; a record yields nothing and a problem when any cell is wrong.
pub fn slices_of(r: &Record, layout: Layout, tz: Tz, names: &Names) -> Result<Vec<Slice>, String> {
    let text = |c: &str| r.get(c).map(cell).transpose();
    let goal = text("goal")?;
    let family = text("family")?;
    if goal.is_none() && family.is_none() {
        return Err("a goal or a family is required".into());
    }
    let owner = r
        .get("assignee")
        .map(|a| id_or_name(a, &names.emails, "owner"))
        .transpose()?;
    let team = r
        .get("team")
        .map(|t| id_or_name(t, &names.teams, "team"))
        .transpose()?;
    let (assignee, team) = match (owner, team) {
        (Some(o), t) => (Assignee::Owner(o), t),
        (None, Some(t)) => (Assignee::Team(t), None),
        (None, None) => return Err("an assignee or a team is required".into()),
    };
    let milestone = match r.get("milestone") {
        None => None,
        Some(m) => Some(
            Milestone::parse(m)
                .ok_or_else(|| format!("milestone {m:?} is not {}", Milestone::NAMES.join(", ")))?,
        ),
    };
    let currency = text("currency")?;
    let mut extra = Vec::new();
    let mut periods: Vec<(Period, String)> = Vec::new();
    for (column, value) in &r.cells {
        let value = value.trim();
        if COLUMNS.contains(&column.as_str()) || value.is_empty() {
            continue;
        }
        // In a grid, the columns that start with a digit are periods.
        let as_period = (layout == Layout::Grid
            && column.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| period::parse(column, milestone, tz));
        match as_period {
            Some(Ok(p)) => periods.push((p, amount(value)?)),
            Some(Err(e)) => return Err(format!("column {column:?}: {e}")),
            None => extra.push((column.clone(), cell(value)?)),
        }
    }
    if layout == Layout::Rows {
        let raw = r.get("period").ok_or("a period is required")?;
        let target = r.get("target").ok_or("a target is required")?;
        periods.push((period::parse(raw, milestone, tz)?, amount(target)?));
    }
    if periods.is_empty() {
        return Err("no period has a target".into());
    }
    Ok(periods
        .into_iter()
        .map(|(period, target)| Slice {
            line: r.line,
            goal: goal.clone(),
            family: family.clone(),
            assignee,
            team,
            period,
            target,
            currency: currency.clone(),
            extra: extra.clone(),
        })
        .collect())
}
