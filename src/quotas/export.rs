//! Exporting a portal's goal targets as a quota file, in the layout and format `import`
//! reads: exporting then importing the same file changes nothing. Owners are written by
//! e-mail where the owners lookup knows them; formula-like text is quoted out.

use super::period::label;
use super::plan::assignee_of;
use super::read::{neutral, Format};
use super::sheet::{Assignee, Layout};
use crate::crm::owners;
use crate::db::Conn;
use crate::engine::store::{self, PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::engine::value::parse_instant;
use crate::error::ApiError;
use crate::goals::calendar::Milestone;
use crate::portals::portal_settings;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// A grid row: family, assignee, team and milestone.
type GroupKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// One exported slice.
struct Row {
    family: String,
    goal: String,
    assignee: String,
    team: String,
    milestone: Milestone,
    start: i64,
    label: String,
    target: String,
    currency: String,
}

/// Every live goal target of the portal that has a family, an assignee and a period.
fn rows(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    with_emails: bool,
) -> Result<Vec<Row>, ApiError> {
    let tz = portal_settings(conn, portal)?.tz();
    // An owner is written by e-mail only when the e-mail names that owner alone on import.
    let all = if with_emails {
        owners::all(conn, portal)?
    } else {
        Vec::new()
    };
    let back = owners::by_email(&all);
    let emails: HashMap<i64, String> = all
        .iter()
        .filter_map(|o| Some((o.id, o.email()?.to_owned())))
        .filter(|(id, e)| back.get(&e.to_lowercase()) == Some(id))
        .collect();
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        let page = store::page(conn, scope, false, from, 1000)?;
        for r in page.iter().take(1000) {
            let p = &r.properties;
            let text = |k: &str| p.get(k).unwrap_or_default().to_owned();
            let (Some(a), Some(m), Some(start)) = (
                assignee_of(r),
                p.get("hs_milestone").and_then(Milestone::parse),
                p.get("hs_start_datetime").and_then(parse_instant),
            ) else {
                continue;
            };
            let family = text("hs_group_correlation_uuid");
            if family.is_empty() {
                continue;
            }
            let (assignee, team) = match a {
                Assignee::Owner(o) => (
                    emails.get(&o).cloned().unwrap_or(o.to_string()),
                    text("hs_team_id"),
                ),
                Assignee::Team(t) => (String::new(), t.to_string()),
            };
            out.push(Row {
                family,
                goal: text("hs_goal_name"),
                assignee,
                team,
                milestone: m,
                start,
                label: label(m, tz, start),
                target: text("hs_target_amount"),
                currency: text("hs_goal_target_currency_code"),
            });
        }
        match page.get(1000) {
            Some(next) => from = next.id,
            None => break,
        }
    }
    out.sort_by(|a, b| {
        (&a.family, &a.assignee, &a.team, a.start).cmp(&(&b.family, &b.assignee, &b.team, b.start))
    });
    Ok(out)
}

/// Writes records with these columns, as CSV (header first) or NDJSON (empty cells left out).
fn write_records(
    out: &mut dyn Write,
    format: Format,
    header: &[String],
    records: &[Vec<String>],
) -> Result<(), String> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(header).map_err(|e| e.to_string())?;
            for r in records {
                w.write_record(r).map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())
        }
        Format::Ndjson => {
            for r in records {
                let object: serde_json::Map<String, serde_json::Value> = header
                    .iter()
                    .zip(r)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(object))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    }
}

/// Writes the portal's quota file (owners by e-mail when `with_emails`, else by id); returns
/// how many slices it holds.
pub fn export(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    (layout, format, with_emails): (Layout, Format, bool),
    out: &mut dyn Write,
) -> Result<usize, ApiError> {
    let rows = rows(conn, otype, portal, with_emails)?;
    let fixed = ["goal", "family", "assignee", "team", "milestone"];
    let (header, records): (Vec<String>, Vec<Vec<String>>) = match layout {
        Layout::Rows => {
            let header = fixed
                .iter()
                .chain(&["period", "target", "currency"])
                .map(|s| s.to_string())
                .collect();
            let records = rows
                .iter()
                .map(|r| {
                    vec![
                        neutral(&r.goal),
                        neutral(&r.family),
                        neutral(&r.assignee),
                        r.team.clone(),
                        r.milestone.name().into(),
                        r.label.clone(),
                        r.target.clone(),
                        neutral(&r.currency),
                    ]
                })
                .collect();
            (header, records)
        }
        Layout::Grid => {
            // One column per period any row has, in time order; one row per family and assignee.
            let columns: BTreeSet<(i64, &str)> =
                rows.iter().map(|r| (r.start, r.label.as_str())).collect();
            let columns: Vec<&str> = {
                let mut seen = BTreeSet::new();
                columns
                    .into_iter()
                    .filter(|(_, l)| seen.insert(*l))
                    .map(|(_, l)| l)
                    .collect()
            };
            let mut groups: BTreeMap<GroupKey, (&Row, HashMap<&str, &str>)> = BTreeMap::new();
            for r in &rows {
                let key = (
                    r.family.as_str(),
                    r.assignee.as_str(),
                    r.team.as_str(),
                    r.milestone.name(),
                    r.currency.as_str(),
                );
                groups
                    .entry(key)
                    .or_insert_with(|| (r, HashMap::new()))
                    .1
                    .insert(&r.label, &r.target);
            }
            let mut header: Vec<String> = fixed
                .iter()
                .chain(&["currency"])
                .map(|s| s.to_string())
                .collect();
            header.extend(columns.iter().map(|c| c.to_string()));
            let records = groups
                .values()
                .map(|(r, targets)| {
                    let mut rec = vec![
                        neutral(&r.goal),
                        neutral(&r.family),
                        neutral(&r.assignee),
                        r.team.clone(),
                        r.milestone.name().into(),
                        neutral(&r.currency),
                    ];
                    rec.extend(
                        columns
                            .iter()
                            .map(|c| targets.get(c).map(|t| t.to_string()).unwrap_or_default()),
                    );
                    rec
                })
                .collect();
            (header, records)
        }
    };
    write_records(out, format, &header, &records).map_err(ApiError::Internal)?;
    Ok(rows.len())
}
