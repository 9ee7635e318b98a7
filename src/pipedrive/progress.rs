//! Goal progress (reference §6), computed in SQL over the deals and activities object types:
//! one statement counts and sums the qualifying records of every requested range at once.
//!
//! | type | records | dated by | owner |
//! |---|---|---|---|
//! | deals_started | deals not deleted | `add_time` (else created) | `user_id` |
//! | deals_won | `status = won` | `won_time` (else last change) | `user_id` |
//! | deals_progressed | deals entering `stage_id` | the stage change in history | `user_id` now |
//! | activities_added | activities, type filter | `add_time` (else created) | `user_id` |
//! | activities_completed | `done = true`, type filter | `marked_as_done_time` (else last change) | `user_id` |
//! | revenue_forecast | won, and open by close date | `won_time` / `expected_close_date` | `user_id` |
//!
//! Sums count only deals in the goal's currency; revenue_forecast weighs open deals by their
//! probability, else their stage's, else 100 %.

use super::model::{AssigneeKind, GoalSpec, GoalType};
use crate::crm::lookups;
use crate::db::Conn;
use crate::engine::search::compile::{compare_expr, raw_text, Bind, Builder};
use crate::engine::search::tally::{self, in_list};
use crate::engine::search::Target;
use crate::engine::store::PortalId;
use crate::engine::types::PropertyType;
use crate::error::ApiError;
use chrono_tz::Tz;
use serde_json::Value;

/// What a goal counts, resolved against the lookup tables once per computation.
struct Resolved {
    /// `None`: every user (company goals).
    users: Option<Vec<i64>>,
    /// Sum goals: the currency code deals must have (`None`: unknown currency, nothing counts).
    currency: Option<Option<String>>,
    /// Activity goals with a type filter: the activity `type` keys (may be empty).
    activity_keys: Option<Vec<String>>,
}

fn resolve(conn: &mut Conn, portal: PortalId, spec: &GoalSpec) -> Result<Resolved, ApiError> {
    let users = match spec.assignee_kind {
        AssigneeKind::Person => Some(vec![spec.assignee_id]),
        AssigneeKind::Company => None,
        AssigneeKind::Team => Some(
            lookups::team_members(conn, portal, Some(&[spec.assignee_id]))?
                .remove(&spec.assignee_id)
                .unwrap_or_default(),
        ),
    };
    let currency = match (spec.sum, spec.currency_id) {
        (true, Some(id)) => Some(
            lookups::get_many(conn, portal, "currencies", &[id])?
                .into_iter()
                .find_map(|(_, doc)| doc.0.get("code").and_then(Value::as_str).map(str::to_owned)),
        ),
        _ => None,
    };
    let activity_keys = match (&spec.activity_type_ids, spec.goal_type.is_activity()) {
        (Some(ids), true) => Some(
            lookups::get_many(conn, portal, "activity_types", ids)?
                .into_iter()
                .filter_map(|(_, doc)| {
                    doc.0
                        .get("key_string")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect(),
        ),
        _ => None,
    };
    Ok(Resolved {
        users,
        currency,
        activity_keys,
    })
}

fn num(b: &Builder, name: &str) -> String {
    compare_expr(b.dialect(), &Target::Doc(name.into(), PropertyType::Number))
}

fn time(b: &Builder, name: &str) -> String {
    compare_expr(
        b.dialect(),
        &Target::Doc(name.into(), PropertyType::Datetime),
    )
}

/// `property` within the range, or, where it is not set, the row column `fallback`.
fn dated(b: &Builder, property: &str, fallback: &str) -> String {
    let p = time(b, property);
    format!(
        "(({p} IS NOT NULL AND {p} >= iv.s_ts AND {p} <= iv.e_ts) \
          OR ({p} IS NULL AND o.{fallback} BETWEEN iv.s_ms AND iv.e_ms))"
    )
}

fn ids(v: &[i64]) -> Vec<Bind> {
    v.iter().map(|i| Bind::Num(*i as f64)).collect()
}

/// The goal's progress in each range `(start, end)` (epoch ms, inclusive): the count of
/// qualifying records, or for sum goals the sum of their (weighted) values.
pub fn compute(
    conn: &mut Conn,
    portal: PortalId,
    spec: &GoalSpec,
    tz: Tz,
    ranges: &[(i64, i64)],
) -> Result<Vec<f64>, ApiError> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let r = resolve(conn, portal, spec)?;
    let mut b = Builder::new(conn.dialect());
    tally::ranges(&mut b, ranges, tz);
    let g = spec.goal_type;
    let value = format!("COALESCE({}, 0.0)", num(&b, "value"));
    let amount = match g {
        // A typed zero: PostgreSQL reads a bare 0.0 as numeric, and SUM(numeric) is not float8.
        _ if !spec.sum => tally::NO_AMOUNT.to_owned(),
        GoalType::RevenueForecast => {
            let stage_probability = format!(
                "(SELECT {} FROM lookups l WHERE l.portal_id = o.portal_id AND l.kind = 'stages' \
                   AND l.id = CAST({} AS BIGINT))",
                match b.dialect() {
                    crate::db::Dialect::Postgres => "(l.doc ->> 'deal_probability')::float8",
                    crate::db::Dialect::Sqlite => "CAST(l.doc ->> 'deal_probability' AS REAL)",
                },
                num(&b, "stage_id")
            );
            format!(
                "{value} * (CASE WHEN {status} = 'won' THEN 100.0 \
                   ELSE COALESCE({}, {stage_probability}, 100.0) END) / 100.0",
                num(&b, "probability"),
                status = raw_text("status"),
            )
        }
        _ => value,
    };
    let object_type = if g.is_activity() {
        "activities"
    } else {
        "deals"
    };
    // The writes that set stage_id (a write that did not change it has no such key).
    let join = if g == GoalType::DealsProgressed {
        format!(
            " JOIN object_history h ON h.portal_id = o.portal_id AND h.object_id = o.id \
               AND h.changed_at BETWEEN iv.s_ms AND iv.e_ms AND {} = {}",
            match b.dialect() {
                crate::db::Dialect::Postgres => "(h.changes ->> 'stage_id')::float8",
                crate::db::Dialect::Sqlite => "CAST(json_extract(h.changes, '$.stage_id') AS REAL)",
            },
            // A stage id is a validated integer.
            spec.stage_id.unwrap_or(0)
        )
    } else {
        String::new()
    };
    tally::select(&mut b, portal.0, object_type, &amount, &join);
    let status = format!("COALESCE({}, 'open')", raw_text("status"));
    let when = match g {
        GoalType::DealsStarted => format!(
            "{status} <> 'deleted' AND {}",
            dated(&b, "add_time", "created_at")
        ),
        GoalType::DealsWon => format!(
            "{status} = 'won' AND {}",
            dated(&b, "won_time", "updated_at")
        ),
        GoalType::DealsProgressed => format!("{status} <> 'deleted'"),
        GoalType::RevenueForecast => format!(
            "(({status} = 'won' AND {}) OR ({status} = 'open' AND {} BETWEEN iv.s_d AND iv.e_d))",
            dated(&b, "won_time", "updated_at"),
            raw_text("expected_close_date")
        ),
        GoalType::ActivitiesAdded => dated(&b, "add_time", "created_at"),
        GoalType::ActivitiesCompleted => format!(
            "{} = 'true' AND {}",
            raw_text("done"),
            dated(&b, "marked_as_done_time", "updated_at")
        ),
    };
    b.push(&format!(" AND {when}"));
    if g.is_activity() {
        b.push(&format!(
            " AND COALESCE({}, 'true') <> 'false'",
            raw_text("active_flag")
        ));
    }
    if let Some(users) = &r.users {
        let user = num(&b, "user_id");
        in_list(&mut b, &user, ids(users));
    }
    if let Some(pipelines) = &spec.pipeline_ids {
        let pipeline = num(&b, "pipeline_id");
        if g.is_activity() {
            // An activity is in a pipeline through its deal.
            b.push(&format!(
                " AND CAST({} AS BIGINT) IN (SELECT id FROM objects WHERE portal_id = ",
                num(&b, "deal_id")
            ))
            .bind(Bind::Int(portal.0))
            .push(" AND object_type = 'deals' AND archived = FALSE");
            in_list(&mut b, &pipeline, ids(pipelines));
            b.push(")");
        } else {
            in_list(&mut b, &pipeline, ids(pipelines));
        }
    }
    if let Some(keys) = r.activity_keys {
        in_list(
            &mut b,
            &raw_text("type"),
            keys.into_iter().map(Bind::Text).collect(),
        );
    }
    if let Some(code) = r.currency {
        let currency = format!("upper({})", raw_text("currency"));
        in_list(
            &mut b,
            &currency,
            code.map(|c| Bind::Text(c.to_ascii_uppercase()))
                .into_iter()
                .collect(),
        );
    }
    let tallies = tally::run(conn, b, ranges.len())?;
    let out = tallies
        .iter()
        .map(|t| if spec.sum { t.total } else { t.n as f64 })
        .collect();
    Ok(out)
}
