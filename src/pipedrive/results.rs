//! `results`: a goal's progress over a period, per slice of that period, and written back to
//! the HubSpot side (`hs_kpi_value`, `hs_kpi_progress_percent`) of every live slice.

use super::model::{number_json, GoalSpec};
use super::progress;
use super::schedule::{day_end, day_start, periods_within};
use super::store::{StoredGoal, When};
use crate::db::Conn;
use crate::engine::objects::{self, Source, Update};
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::engine::value::{format_ms, parse_instant, parse_number};
use crate::error::ApiError;
use crate::goals::family;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{json, Value};

/// The progress of a period and its per-interval breakdown (`data.intervals`).
pub struct Results {
    pub progress: f64,
    pub intervals: Vec<Value>,
}

/// Checks that a results period lies inside the goal's duration.
pub fn check_period(spec: &GoalSpec, start: NaiveDate, end: NaiveDate) -> Result<(), ApiError> {
    if end < start {
        return Err(ApiError::bad_request(
            "period.end must be on or after period.start",
        ));
    }
    if start < spec.start {
        return Err(ApiError::bad_request(format!(
            "period.start must be on or after the goal duration start ({})",
            spec.start
        )));
    }
    if let Some(e) = spec.end.filter(|e| end > *e) {
        return Err(ApiError::bad_request(format!(
            "period.end must be on or before the goal duration end ({e})"
        )));
    }
    Ok(())
}

fn date(tz: Tz, ms: i64) -> String {
    use chrono::TimeZone;
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

fn percent(value: f64, target: f64) -> f64 {
    if target > 0.0 {
        (value / target * 10_000.0).round() / 100.0
    } else {
        0.0
    }
}

/// Computes the results of `[start, end]` and refreshes the slices' progress values.
pub fn compute(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    goal: &StoredGoal,
    (start, end): (NaiveDate, NaiveDate),
    at: When,
) -> Result<Results, ApiError> {
    let spec = goal.spec()?;
    check_period(&spec, start, end)?;
    let tz = at.tz;
    let (from, to) = (day_start(tz, start), day_end(tz, end));
    let intervals = periods_within(&spec, tz, from, to).map_err(ApiError::bad_request)?;
    // The slices' own periods, clipped to the duration.
    let d_from = day_start(tz, spec.start);
    let d_to = spec.end.map_or(i64::MAX, |e| day_end(tz, e));
    let slices = family::load(conn, otype, portal, &goal.family_uuid, false)?;
    let slice_ranges: Vec<(i64, i64)> = slices
        .iter()
        .map(|r| {
            let get = |p| r.properties.get(p).and_then(parse_instant).unwrap_or(0);
            (
                get("hs_start_datetime").max(d_from),
                get("hs_end_datetime").min(d_to),
            )
        })
        .collect();
    let mut ranges = vec![(from, to)];
    ranges.extend(&intervals);
    ranges.extend(&slice_ranges);
    let values = progress::compute(conn, portal, &spec, tz, &ranges)?;
    let (head, rest) = values.split_at(1);
    let (per_interval, per_slice) = rest.split_at(intervals.len());

    let source = Source {
        kind: "CALCULATED",
        id: Some("pipedrive-results".into()),
    };
    let mut updates: Vec<Update> = Vec::new();
    for (i, (row, value)) in slices.iter().zip(per_slice).enumerate() {
        let target = row
            .properties
            .get("hs_target_amount")
            .and_then(parse_number)
            .unwrap_or(spec.target);
        let text = number_json(*value).to_string();
        let pct = number_json(percent(*value, target)).to_string();
        if row.properties.get("hs_kpi_value") != Some(text.as_str())
            || row.properties.get("hs_kpi_progress_percent") != Some(pct.as_str())
        {
            updates.push(Update {
                input: i,
                id: row.id,
                changes: vec![
                    ("hs_kpi_value".into(), Some(text)),
                    ("hs_kpi_progress_percent".into(), Some(pct)),
                    (
                        "hs_kpi_value_last_calculated_at".into(),
                        Some(format_ms(at.now)),
                    ),
                ],
            });
        }
    }
    if !updates.is_empty() {
        objects::update(conn, otype, portal, &updates, at.now, &source)?;
    }
    Ok(Results {
        progress: head[0],
        intervals: intervals
            .iter()
            .zip(per_interval)
            .map(|((s, e), v)| {
                json!({
                    "start": date(tz, *s),
                    "end": date(tz, *e),
                    "progress": number_json(*v),
                    "target": number_json(spec.target),
                })
            })
            .collect(),
    })
}
