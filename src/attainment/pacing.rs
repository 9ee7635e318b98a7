//! Pacing and roll-ups over stored attainment: per slice, per group (one assignee's
//! schedule) and per family, how far along the period is, what that makes the expected value
//! to date, and whether the value keeps pace. Teams roll up their members' groups, with a
//! flag where a team's target differs from the sum of its members'.
//!
//! Pace, for higher-is-better targets: `on_track` at or above 100 % of the expected value to
//! date (or once the target is reached), `behind` from 80 % to 100 %, `at_risk` below 80 %.
//! Lower-is-better targets are `on_track` while the value is at or under the target, else
//! `at_risk`. Before a period starts its pace is `not_started`; after it ends, `ended`.

use super::refresh::{manual, period};
use crate::db::json::PropsDoc;
use crate::engine::store::ObjectRow;
use crate::engine::value::{format_ms, parse_number};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// The share of the pace an on-track value needs; under [`BEHIND`] it is at risk.
pub const ON_TRACK: f64 = 1.0;
pub const BEHIND: f64 = 0.8;

fn num(doc: &PropsDoc, p: &str) -> f64 {
    doc.get(p).and_then(parse_number).unwrap_or(0.0)
}

fn lower_is_better(doc: &PropsDoc) -> bool {
    doc.get("hs_kpi_tracking_method") == Some("LOWER_IS_BETTER")
}

/// The elapsed share of a period at `now`, 0 to 1.
pub fn elapsed(now: i64, (start, end): (i64, i64)) -> f64 {
    if now <= start {
        0.0
    } else if now >= end {
        1.0
    } else {
        (now - start) as f64 / (end - start).max(1) as f64
    }
}

/// The pace of `value` against `expected` to date of `target`.
pub fn pace(
    value: f64,
    target: f64,
    expected: f64,
    lower: bool,
    started: bool,
    ended: bool,
) -> &'static str {
    if !started {
        "not_started"
    } else if ended {
        "ended"
    } else if lower {
        if value <= target {
            "on_track"
        } else {
            "at_risk"
        }
    } else if value >= target || value >= expected * ON_TRACK {
        "on_track"
    } else if value >= expected * BEHIND {
        "behind"
    } else {
        "at_risk"
    }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Totals of some slices at `now`.
#[derive(Default, Debug, Clone, Copy)]
struct Sums {
    target: f64,
    value: f64,
    expected: f64,
    /// The targets of the slices that have started (what a lower-is-better value compares to).
    started_target: f64,
    started: bool,
    running: bool,
}

impl Sums {
    fn json(&self, lower: bool) -> Value {
        json!({
            "target": round(self.target), "value": round(self.value),
            "percent": if self.target > 0.0 { round(self.value / self.target * 100.0) } else { 0.0 },
            "expectedToDate": round(self.expected),
            "pace": pace(
                self.value,
                if lower { self.started_target } else { self.target },
                self.expected,
                lower,
                self.started,
                self.started && !self.running && self.expected >= self.target,
            ),
        })
    }
}

fn slice_json(r: &ObjectRow, now: i64, sums: &mut Sums) -> Value {
    let d = &r.properties;
    let (target, value) = (num(d, "hs_target_amount"), num(d, "hs_kpi_value"));
    let p = period(d).unwrap_or((0, 0));
    let share = elapsed(now, p);
    let (started, ended) = (now >= p.0, now > p.1);
    let expected = target * share;
    sums.target += target;
    if started {
        sums.value += value;
        sums.expected += expected;
        sums.started_target += target;
        sums.started = true;
    }
    sums.running |= started && !ended;
    json!({
        "id": r.id.to_string(),
        "start": format_ms(p.0), "end": format_ms(p.1),
        "target": target, "value": d.get("hs_kpi_value").and_then(parse_number),
        "percent": d.get("hs_kpi_progress_percent").and_then(parse_number),
        "status": d.get("hs_status"), "outcome": d.get("hs_outcome"),
        "manual": manual(d),
        "elapsed": round(share), "expectedToDate": round(expected),
        "pace": pace(value, target, expected, lower_is_better(d), started, ended),
    })
}

/// Who a group is for: `("owner", id)`, `("team", id)` or `("everyone", 0)`.
pub fn assignee(doc: &PropsDoc) -> (&'static str, i64) {
    let id = |ps: &[&str]| {
        ps.iter()
            .find_map(|p| doc.get(p))
            .and_then(parse_number)
            .map(|v| v as i64)
    };
    if let Some(o) = id(&["hubspot_owner_id", "hs_assignee_user_id"]) {
        ("owner", o)
    } else if let Some(t) = id(&["hs_assignee_team_id", "hubspot_team_id"]) {
        ("team", t)
    } else {
        ("everyone", 0)
    }
}

/// A group's id, assignee, and target and value by period start.
type GroupPeriods<'a> = (&'a str, (&'static str, i64), BTreeMap<i64, (f64, f64)>);

/// A family's attainment at `now`: groups of slices with their sums, the family's sums, and
/// each team group rolled up from its members' groups (`teams`: team id → member user ids).
pub fn family(uuid: &str, rows: &[ObjectRow], teams: &HashMap<i64, Vec<i64>>, now: i64) -> Value {
    let mut groups: BTreeMap<&str, Vec<&ObjectRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(r.properties.get(crate::goals::rules::GROUP).unwrap_or(""))
            .or_default()
            .push(r);
    }
    let lower = rows.first().is_some_and(|r| lower_is_better(&r.properties));
    let mut all = Sums::default();
    let mut out = Vec::new();
    // Per group: its assignee and its targets and values by period start.
    let mut by_group: Vec<GroupPeriods> = Vec::new();
    for (gid, mut slices) in groups {
        slices.sort_by_key(|r| period(&r.properties).map(|p| p.0));
        let mut sums = Sums::default();
        let shown: Vec<Value> = slices
            .iter()
            .map(|r| slice_json(r, now, &mut sums))
            .collect();
        let who = assignee(&slices[0].properties);
        let periods = slices
            .iter()
            .filter_map(|r| {
                Some((
                    period(&r.properties)?.0,
                    (
                        num(&r.properties, "hs_target_amount"),
                        num(&r.properties, "hs_kpi_value"),
                    ),
                ))
            })
            .collect();
        by_group.push((gid, who, periods));
        all.target += sums.target;
        all.value += sums.value;
        all.expected += sums.expected;
        all.started_target += sums.started_target;
        all.started |= sums.started;
        all.running |= sums.running;
        out.push(json!({
            "groupId": gid, "assignee": {"kind": who.0, "id": (who.0 != "everyone").then(|| who.1.to_string())},
            "totals": sums.json(lower), "slices": shown,
        }));
    }
    let rollups: Vec<Value> = by_group
        .iter()
        .filter(|(_, who, _)| who.0 == "team")
        .map(|(gid, who, team_periods)| {
            let users = teams.get(&who.1).cloned().unwrap_or_default();
            let members: Vec<_> = by_group.iter().filter(|(_, w, _)| w.0 == "owner" && users.contains(&w.1)).collect();
            let periods: Vec<Value> = team_periods
                .iter()
                .map(|(start, (target, value))| {
                    let (mt, mv) = members.iter().filter_map(|(_, _, p)| p.get(start)).fold((0.0, 0.0), |(a, b), (t, v)| (a + t, b + v));
                    json!({
                        "start": format_ms(*start), "teamTarget": target, "membersTarget": round(mt),
                        "teamValue": value, "membersValue": round(mv),
                        "targetMismatch": (target - mt).abs() > 0.005,
                    })
                })
                .collect();
            let mismatch = periods.iter().any(|p| p["targetMismatch"] == true);
            json!({
                "groupId": gid, "teamId": who.1.to_string(),
                "members": members.iter().map(|(g, w, _)| json!({"groupId": g, "ownerId": w.1.to_string()})).collect::<Vec<_>>(),
                "targetMismatch": mismatch, "periods": periods,
            })
        })
        .collect();
    let first = rows.first().map(|r| &r.properties);
    json!({
        "correlationUuid": uuid,
        "name": first.and_then(|d| d.get("hs_goal_name")),
        "milestone": first.and_then(|d| d.get("hs_milestone")),
        "at": format_ms(now),
        "totals": all.json(lower),
        "groups": out,
        "teams": rollups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_thresholds() {
        assert_eq!(pace(50.0, 100.0, 50.0, false, true, false), "on_track");
        assert_eq!(pace(40.0, 100.0, 50.0, false, true, false), "behind");
        assert_eq!(pace(39.0, 100.0, 50.0, false, true, false), "at_risk");
        assert_eq!(pace(100.0, 100.0, 90.0, false, true, false), "on_track");
        assert_eq!(pace(0.0, 100.0, 0.0, false, false, false), "not_started");
        assert_eq!(pace(120.0, 100.0, 50.0, true, true, false), "at_risk");
        assert_eq!(elapsed(150, (100, 200)), 0.5);
    }
}
