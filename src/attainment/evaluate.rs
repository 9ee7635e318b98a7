//! Evaluating a KPI definition over stored deals or activities: one tally statement per
//! definition for all its slices (the progress engine of `engine::search::tally`, which
//! Pipedrive's goal types use too), then each slice's percent, status and outcome.

use super::definition::{Assignee, Kpi, Metric, Tracking};
use crate::crm::lookups;
use crate::db::Conn;
use crate::engine::search::compile::{compare_expr, or_groups, raw_text, Bind, Builder};
use crate::engine::search::tally::{self, in_list};
use crate::engine::search::Target;
use crate::engine::store::PortalId;
use crate::engine::types::PropertyType;
use crate::error::ApiError;
use chrono_tz::Tz;

/// The users whose records count (`None`: everyone's).
fn users(conn: &mut Conn, portal: PortalId, who: Assignee) -> Result<Option<Vec<i64>>, ApiError> {
    Ok(match who {
        Assignee::Owner(id) => Some(vec![id]),
        Assignee::Everyone => None,
        Assignee::Team(team) => Some(
            lookups::team_members(conn, portal, Some(&[team]))?
                .remove(&team)
                .unwrap_or_default(),
        ),
    })
}

/// The KPI's value in each range `(start, end)` (epoch ms, inclusive).
pub fn values(
    conn: &mut Conn,
    portal: PortalId,
    kpi: &Kpi,
    tz: Tz,
    ranges: &[(i64, i64)],
) -> Result<Vec<f64>, ApiError> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let users = users(conn, portal, kpi.assignee)?;
    let d = conn.dialect();
    let mut b = Builder::new(d);
    tally::ranges(&mut b, ranges, tz);
    let amount = match &kpi.property {
        Some(p) => compare_expr(d, p),
        None => tally::NO_AMOUNT.to_owned(),
    };
    tally::select(&mut b, portal.0, kpi.object_type, &amount, "");
    match &kpi.time {
        Target::TimeColumn(col) => b.push(&format!(" AND o.{col} BETWEEN iv.s_ms AND iv.e_ms")),
        Target::Doc(name, PropertyType::Date) => {
            let e = raw_text(name);
            b.push(&format!(" AND {e} >= iv.s_d AND {e} <= iv.e_d"))
        }
        t => {
            let e = compare_expr(d, t);
            b.push(&format!(" AND {e} >= iv.s_ts AND {e} <= iv.e_ts"))
        }
    };
    if kpi.metric == Metric::Avg {
        // An average over the records that have the value.
        b.push(&format!(" AND {amount} IS NOT NULL"));
    }
    if let Some(users) = users {
        let user = compare_expr(d, &Target::Doc("user_id".into(), PropertyType::Number));
        in_list(
            &mut b,
            &user,
            users.iter().map(|u| Bind::Num(*u as f64)).collect(),
        );
    }
    if let Some(pipelines) = &kpi.pipelines {
        let list = || {
            pipelines
                .iter()
                .map(|p| Bind::Text(p.clone()))
                .collect::<Vec<_>>()
        };
        if kpi.object_type == "activities" {
            // An activity is in a pipeline through its deal.
            let deal = compare_expr(d, &Target::Doc("deal_id".into(), PropertyType::Number));
            b.push(&format!(
                " AND CAST({deal} AS BIGINT) IN (SELECT id FROM objects WHERE portal_id = "
            ))
            .bind(Bind::Int(portal.0))
            .push(" AND object_type = 'deals' AND archived = FALSE");
            in_list(&mut b, &raw_text("pipeline"), list());
            b.push(")");
        } else {
            in_list(&mut b, &raw_text("pipeline"), list());
        }
    }
    or_groups(&mut b, portal.0, kpi.object_type, &kpi.groups);
    let tallies = tally::run(conn, b, ranges.len())?;
    Ok(tallies
        .iter()
        .map(|t| match kpi.metric {
            Metric::Sum => t.total,
            Metric::Count => t.n as f64,
            Metric::Avg if t.n > 0 => t.total / t.n as f64,
            Metric::Avg => 0.0,
        })
        .collect())
}

/// A slice's progress as the target properties show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub percent: f64,
    /// `hs_status`: `pending` before the start; while running `in_progress`, or `achieved` /
    /// `exceeded` once a higher-is-better target is reached; after the end, the outcome.
    pub status: &'static str,
    /// `hs_outcome`: `in_progress` until the end, then `achieved`, `exceeded` or `missed`.
    pub outcome: &'static str,
}

/// Percent to two decimals; a zero target is 0 %.
pub fn percent(value: f64, target: f64) -> f64 {
    if target > 0.0 {
        (value / target * 10_000.0).round() / 100.0
    } else {
        0.0
    }
}

pub fn standing(
    value: f64,
    target: f64,
    tracking: Tracking,
    now: i64,
    (start, end): (i64, i64),
) -> Standing {
    let reached = match tracking {
        Tracking::HigherIsBetter if value > target => "exceeded",
        Tracking::HigherIsBetter if value >= target => "achieved",
        Tracking::LowerIsBetter if value <= target => "achieved",
        _ => "missed",
    };
    let (status, outcome) = if now < start {
        ("pending", "in_progress")
    } else if now <= end {
        let running = match (tracking, reached) {
            (Tracking::HigherIsBetter, "exceeded" | "achieved") => reached,
            _ => "in_progress",
        };
        (running, "in_progress")
    } else {
        (reached, reached)
    };
    Standing {
        percent: percent(value, target),
        status,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_period_and_the_tracking_method() {
        let p = (100, 200);
        let h = Tracking::HigherIsBetter;
        assert_eq!(standing(5.0, 10.0, h, 50, p).status, "pending");
        assert_eq!(standing(5.0, 10.0, h, 150, p).status, "in_progress");
        assert_eq!(standing(10.0, 10.0, h, 150, p).status, "achieved");
        assert_eq!(standing(11.0, 10.0, h, 150, p).outcome, "in_progress");
        assert_eq!(standing(5.0, 10.0, h, 250, p).outcome, "missed");
        assert_eq!(standing(12.0, 10.0, h, 250, p).status, "exceeded");
        let l = Tracking::LowerIsBetter;
        assert_eq!(standing(5.0, 10.0, l, 150, p).status, "in_progress");
        assert_eq!(standing(5.0, 10.0, l, 250, p).outcome, "achieved");
        assert_eq!(standing(15.0, 10.0, l, 250, p).status, "missed");
        assert_eq!(standing(5.0, 8.0, h, 150, p).percent, 62.5);
    }
}
