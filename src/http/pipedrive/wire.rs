//! Pipedrive's goal object as its API returns it (reference §2).

use crate::pipedrive::model::{number_json, GoalSpec};
use serde_json::{json, Map, Value};

/// The goal object (reference §2), with `stage_id` and `currency_id` echoed when set.
pub fn goal_json(
    id: &str,
    owner_id: i64,
    spec: &GoalSpec,
    is_active: bool,
    report_ids: &[String],
) -> Value {
    let mut params = Map::new();
    params.insert("pipeline_id".into(), json!(spec.pipeline_ids));
    if let Some(s) = spec.stage_id {
        params.insert("stage_id".into(), json!(s));
    }
    params.insert("activity_type_id".into(), json!(spec.activity_type_ids));
    let mut outcome = Map::new();
    outcome.insert("target".into(), number_json(spec.target));
    outcome.insert(
        "tracking_metric".into(),
        json!(if spec.sum { "sum" } else { "quantity" }),
    );
    if let Some(c) = spec.currency_id {
        outcome.insert("currency_id".into(), json!(c));
    }
    json!({
        "id": id,
        "owner_id": owner_id,
        "title": spec.title,
        "type": {"name": spec.goal_type.as_str(), "params": params},
        "assignee": {"id": spec.assignee_id, "type": spec.assignee_kind.as_str()},
        "interval": spec.interval.name(),
        "duration": {"start": spec.start.to_string(), "end": spec.end.map(|d| d.to_string())},
        "expected_outcome": outcome,
        "is_active": is_active,
        "report_ids": report_ids,
    })
}
