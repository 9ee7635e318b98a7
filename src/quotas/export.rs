//! Exporting a portal's goal targets as a quota file, in the layout and format `import`
//! reads: exporting then importing the same file changes nothing. Owners are written by
//! e-mail where the owners lookup knows them; formula-like text is quoted out. Two passes: a
//! survey of the families (and a grid's columns), then the slices a chunk of families at a
//! time, so the file streams out as it is written.

use super::period::label;
use super::read::{neutral, Format};
use super::sheet::{assignee_of, Assignee, Layout};
use crate::crm::owners;
use crate::db::Conn;
use crate::engine::search::run::members;
use crate::engine::store::{self, ObjectRow, PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::engine::value::parse_instant;
use crate::error::ApiError;
use crate::goals::calendar::Milestone;
use crate::portals::portal_settings;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// A grid row: family, assignee, team, milestone and currency.
type GroupKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// Families read (and written) together.
const CHUNK: usize = 500;

/// One exported slice.
struct Row {
    id: i64,
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

/// What an export writes from: the portal's zone, owners' e-mails, and the survey's families
/// (in order) and grid columns.
pub struct Survey {
    tz: chrono_tz::Tz,
    emails: HashMap<i64, String>,
    families: Vec<String>,
    columns: Vec<String>,
    layout: Layout,
    format: Format,
}

/// A stored slice as exported, when it has a family, an assignee and a period.
fn row_of(r: &ObjectRow, tz: chrono_tz::Tz, emails: &HashMap<i64, String>) -> Option<Row> {
    let p = &r.properties;
    let text = |k: &str| p.get(k).unwrap_or_default().to_owned();
    let a = assignee_of(r)?;
    let m = p.get("hs_milestone").and_then(Milestone::parse)?;
    let start = p.get("hs_start_datetime").and_then(parse_instant)?;
    let family = text("hs_group_correlation_uuid");
    if family.is_empty() {
        return None;
    }
    let (assignee, team) = match a {
        Assignee::Owner(o) => (
            emails.get(&o).cloned().unwrap_or(o.to_string()),
            text("hs_team_id"),
        ),
        Assignee::Team(t) => (String::new(), t.to_string()),
    };
    Some(Row {
        id: r.id,
        family,
        goal: text("hs_goal_name"),
        assignee,
        team,
        milestone: m,
        start,
        label: label(m, tz, start),
        target: text("hs_target_amount"),
        currency: text("hs_goal_target_currency_code"),
    })
}

/// The first pass: every family's id and, for a grid, every period column, in order. Memory
/// grows with the families and periods, not the slices; the slices are read again per chunk.
pub fn survey(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    (layout, format, with_emails): (Layout, Format, bool),
) -> Result<Survey, ApiError> {
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
    let (mut families, mut columns) = (BTreeSet::new(), BTreeSet::new());
    let mut from = 0;
    loop {
        let page = store::page(conn, scope, false, from, 1000)?;
        for r in page.iter().take(1000) {
            if let Some(row) = row_of(r, tz, &HashMap::new()) {
                if layout == Layout::Grid {
                    columns.insert((row.start, row.label));
                }
                families.insert(row.family);
            }
        }
        match page.get(1000) {
            Some(next) => from = next.id,
            None => break,
        }
    }
    // One column per period label, in time order.
    let mut seen = BTreeSet::new();
    let columns = columns
        .into_iter()
        .filter(|(_, l)| seen.insert(l.clone()))
        .map(|(_, l)| l)
        .collect();
    Ok(Survey {
        tz,
        emails,
        families: families.into_iter().collect(),
        columns,
        layout,
        format,
    })
}

/// Writes records as CSV (header first) or NDJSON (empty cells left out).
enum Sink<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Ndjson(&'a mut dyn Write, Vec<String>),
}

impl Sink<'_> {
    fn write(&mut self, record: &[String]) -> Result<(), String> {
        match self {
            Sink::Csv(w) => w.write_record(record).map_err(|e| e.to_string()),
            Sink::Ndjson(out, header) => {
                let object: serde_json::Map<String, serde_json::Value> = header
                    .iter()
                    .zip(record)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(object)).map_err(|e| e.to_string())
            }
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        match self {
            Sink::Csv(w) => w.flush().map_err(|e| e.to_string()),
            Sink::Ndjson(out, _) => out.flush().map_err(|e| e.to_string()),
        }
    }
}

/// The records of one chunk of families' rows (sorted), in the survey's layout.
fn records(rows: &[Row], s: &Survey) -> Result<Vec<Vec<String>>, ApiError> {
    let fixed = |r: &Row| {
        vec![
            neutral(&r.goal),
            neutral(&r.family),
            neutral(&r.assignee),
            r.team.clone(),
            r.milestone.name().into(),
        ]
    };
    if s.layout == Layout::Rows {
        return Ok(rows
            .iter()
            .map(|r| {
                let mut rec = fixed(r);
                rec.extend([r.label.clone(), r.target.clone(), neutral(&r.currency)]);
                rec
            })
            .collect());
    }
    // A slice written since the survey, for a period the grid has no column for, would be
    // left out without a word: the export fails instead (run it again).
    if let Some(r) = rows.iter().find(|r| !s.columns.contains(&r.label)) {
        return Err(ApiError::Conflict(format!(
            "period {} was added during the export: export again",
            r.label
        )));
    }
    let mut groups: BTreeMap<GroupKey, (&Row, HashMap<&str, &str>)> = BTreeMap::new();
    for r in rows {
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
    Ok(groups
        .values()
        .map(|(r, targets)| {
            let mut rec = fixed(r);
            rec.push(neutral(&r.currency));
            rec.extend(s.columns.iter().map(|c| {
                targets
                    .get(c.as_str())
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            }));
            rec
        })
        .collect())
}

impl Survey {
    /// How many chunks of families the second pass writes.
    pub fn chunks(&self) -> usize {
        self.families.len().div_ceil(CHUNK)
    }

    /// The file's first line: the CSV header (NDJSON has none).
    pub fn header(&self, out: &mut dyn Write) -> Result<(), ApiError> {
        if self.format == Format::Ndjson {
            return Ok(());
        }
        let mut w = csv::Writer::from_writer(out);
        w.write_record(self.columns_out())
            .and_then(|()| w.flush().map_err(csv::Error::from))
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    fn columns_out(&self) -> Vec<String> {
        let fixed = ["goal", "family", "assignee", "team", "milestone"];
        let mut header: Vec<String> = fixed.iter().map(|c| c.to_string()).collect();
        match self.layout {
            Layout::Rows => header.extend(["period", "target", "currency"].map(String::from)),
            Layout::Grid => {
                header.push("currency".into());
                header.extend(self.columns.iter().cloned());
            }
        }
        header
    }
}

/// The second pass, one chunk (number `at`) of the surveyed families: writes their slices in
/// family order; returns how many slices it wrote.
pub fn chunk(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    (s, at): (&Survey, usize),
    out: &mut dyn Write,
) -> Result<usize, ApiError> {
    let families = s.families.chunks(CHUNK).nth(at).unwrap_or_default();
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let mut rows: Vec<Row> = members(conn, scope, "hs_group_correlation_uuid", families)?
        .iter()
        .filter_map(|r| row_of(r, s.tz, &s.emails))
        .collect();
    // The id last: two slices alike in all else come out in the same order every time.
    rows.sort_by(|a, b| {
        (&a.family, &a.assignee, &a.team, a.start, a.id).cmp(&(
            &b.family,
            &b.assignee,
            &b.team,
            b.start,
            b.id,
        ))
    });
    let mut sink = match s.format {
        Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
        Format::Ndjson => Sink::Ndjson(out, s.columns_out()),
    };
    for rec in records(&rows, s)? {
        sink.write(&rec).map_err(ApiError::Internal)?;
    }
    sink.flush().map_err(ApiError::Internal)?;
    Ok(rows.len())
}

/// Writes the portal's quota file (owners by e-mail when `with_emails`, else by id); returns
/// how many slices it holds.
pub fn export(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    what: (Layout, Format, bool),
    out: &mut dyn Write,
) -> Result<usize, ApiError> {
    let survey = survey(conn, otype, portal, what)?;
    survey.header(out)?;
    let mut n = 0;
    for at in 0..survey.chunks() {
        n += chunk(conn, otype, portal, (&survey, at), out)?;
    }
    Ok(n)
}
