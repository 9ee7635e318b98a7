//! The Pipedrive goal: its types, the checked definition (`GoalSpec`) read from a request body
//! (`request.rs`; add: required fields; update: a merge onto the stored goal's request form),
//! and that request form, which is also what `pipedrive_goals` stores.

use crate::goals::calendar::Milestone;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// The six goal types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalType {
    DealsWon,
    DealsProgressed,
    DealsStarted,
    ActivitiesAdded,
    ActivitiesCompleted,
    RevenueForecast,
}

pub const GOAL_TYPES: &[&str] = &[
    "deals_won",
    "deals_progressed",
    "activities_completed",
    "activities_added",
    "deals_started",
    "revenue_forecast",
];

impl GoalType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "deals_won" => GoalType::DealsWon,
            "deals_progressed" => GoalType::DealsProgressed,
            "deals_started" => GoalType::DealsStarted,
            "activities_added" => GoalType::ActivitiesAdded,
            "activities_completed" => GoalType::ActivitiesCompleted,
            "revenue_forecast" => GoalType::RevenueForecast,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GoalType::DealsWon => "deals_won",
            GoalType::DealsProgressed => "deals_progressed",
            GoalType::DealsStarted => "deals_started",
            GoalType::ActivitiesAdded => "activities_added",
            GoalType::ActivitiesCompleted => "activities_completed",
            GoalType::RevenueForecast => "revenue_forecast",
        }
    }

    pub fn is_activity(self) -> bool {
        matches!(
            self,
            GoalType::ActivitiesAdded | GoalType::ActivitiesCompleted
        )
    }
}

/// Who a goal is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeKind {
    Person,
    Team,
    Company,
}

impl AssigneeKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            // A third party has seen "user"; it means a person.
            "person" | "user" => AssigneeKind::Person,
            "team" => AssigneeKind::Team,
            "company" => AssigneeKind::Company,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AssigneeKind::Person => "person",
            AssigneeKind::Team => "team",
            AssigneeKind::Company => "company",
        }
    }
}

/// A checked goal definition.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalSpec {
    pub title: String,
    pub goal_type: GoalType,
    pub pipeline_ids: Option<Vec<i64>>,
    pub stage_id: Option<i64>,
    pub activity_type_ids: Option<Vec<i64>>,
    pub assignee_id: i64,
    pub assignee_kind: AssigneeKind,
    pub interval: Milestone,
    pub start: NaiveDate,
    /// `None`: open-ended.
    pub end: Option<NaiveDate>,
    pub target: f64,
    pub sum: bool,
    pub currency_id: Option<i64>,
}

/// A 400 message naming the field.
pub type Problem = String;

/// A date in `YYYY-MM-DD` form.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{field} must be a date in YYYY-MM-DD form, not {raw:?}"))
}

/// The request fields of a stored goal, so an update can merge onto them.
pub fn request_form(spec: &GoalSpec) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("pipeline_id".into(), json!(spec.pipeline_ids));
    if let Some(s) = spec.stage_id {
        params.insert("stage_id".into(), json!(s));
    }
    if spec.activity_type_ids.is_some() {
        params.insert("activity_type_id".into(), json!(spec.activity_type_ids));
    }
    let mut outcome = Map::new();
    outcome.insert("target".into(), number_json(spec.target));
    outcome.insert(
        "tracking_metric".into(),
        json!(if spec.sum { "sum" } else { "quantity" }),
    );
    if let Some(c) = spec.currency_id {
        outcome.insert("currency_id".into(), json!(c));
    }
    let mut m = Map::new();
    m.insert("title".into(), json!(spec.title));
    m.insert(
        "type".into(),
        json!({"name": spec.goal_type.as_str(), "params": params}),
    );
    m.insert(
        "assignee".into(),
        json!({"id": spec.assignee_id, "type": spec.assignee_kind.as_str()}),
    );
    m.insert("expected_outcome".into(), Value::Object(outcome));
    m.insert(
        "duration".into(),
        json!({"start": spec.start.to_string(), "end": spec.end.map(|d| d.to_string())}),
    );
    m.insert("interval".into(), json!(spec.interval.name()));
    m
}

/// A body merged onto a stored goal: top-level fields given replace the stored ones, except
/// that `assignee`, `expected_outcome` and `duration` merge field by field; `type` is replaced
/// whole (its params belong to its name).
pub fn merge(stored: &GoalSpec, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = request_form(stored);
    for (k, v) in body {
        match (out.get_mut(k), v) {
            (Some(Value::Object(old)), Value::Object(new))
                if matches!(k.as_str(), "assignee" | "expected_outcome" | "duration") =>
            {
                for (nk, nv) in new {
                    old.insert(nk.clone(), nv.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// Checks a complete goal body (an add, or an update merged onto the stored goal).
pub fn parse(body: &Map<String, Value>) -> Result<GoalSpec, Problem> {
    super::request::read(body)?.into_spec()
}

/// A number as JSON: integral values without a fraction.
pub fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!((n * 1e6).round() / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn base() -> Value {
        json!({
            "title": "Won deals",
            "assignee": {"id": "7", "type": "person"},
            "type": {"name": "deals_won", "params": {"pipeline_id": [1, 2]}},
            "expected_outcome": {"target": "50", "tracking_metric": "quantity"},
            "duration": {"start": "2026-01-01", "end": "2026-12-31"},
            "interval": "monthly"
        })
    }

    #[test]
    fn strings_for_numbers_are_taken_and_round_trip() {
        let spec = parse(&body(base())).unwrap();
        assert_eq!(spec.assignee_id, 7);
        assert_eq!(spec.target, 50.0);
        assert_eq!(parse(&request_form(&spec)).unwrap(), spec);
    }

    #[test]
    fn problems_name_the_field() {
        let cases = [
            (json!({"interval": "daily"}), "interval must be one of"),
            (
                json!({"assignee": {"id": 1, "type": "user2"}}),
                "assignee.type",
            ),
            (
                json!({"duration": {"start": "2026-13-01"}}),
                "duration.start",
            ),
            (
                json!({"duration": {"start": "2026-02-01", "end": "2026-01-01"}}),
                "duration.end",
            ),
            (
                json!({"expected_outcome": {"target": 5, "tracking_metric": "sum"}}),
                "currency_id is required",
            ),
            (
                json!({"type": {"name": "deals_progressed"}}),
                "stage_id is required",
            ),
            (json!({"colour": "red"}), "unknown field `colour`"),
        ];
        for (change, want) in cases {
            let stored = parse(&body(base())).unwrap();
            let err = parse(&merge(&stored, &body(change.clone()))).unwrap_err();
            assert!(err.contains(want), "{change}: {err}");
        }
    }

    #[test]
    fn update_merges_inside_expected_outcome() {
        let stored = parse(&body(base())).unwrap();
        let merged = merge(&stored, &body(json!({"expected_outcome": {"target": 80}})));
        let spec = parse(&merged).unwrap();
        assert_eq!(spec.target, 80.0);
        assert!(!spec.sum);
    }
}
