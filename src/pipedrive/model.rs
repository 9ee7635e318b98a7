//! The Pipedrive goal as the API sees it: parsing and checking a request body (add: required
//! fields; update: a merge onto the stored goal), and the goal object sent back.

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

/// An integer given as a JSON number or a string of digits (Pipedrive's examples send both).
fn int(field: &str, v: &Value) -> Result<i64, Problem> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    n.filter(|n| *n > 0)
        .ok_or_else(|| format!("{field} must be a positive whole number, not {v}"))
}

fn number(field: &str, v: &Value) -> Result<f64, Problem> {
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e15)
        .ok_or_else(|| format!("{field} must be a number of at least 0, not {v}"))
}

fn ids(field: &str, v: &Value) -> Result<Option<Vec<i64>>, Problem> {
    match v {
        Value::Null => Ok(None),
        Value::Array(a) if a.is_empty() => Ok(None),
        Value::Array(a) if a.len() <= 1000 => {
            let mut out: Vec<i64> = a.iter().map(|x| int(field, x)).collect::<Result<_, _>>()?;
            out.dedup();
            Ok(Some(out))
        }
        // A single id (the form before SDK 17.5.0).
        Value::Number(_) | Value::String(_) => Ok(Some(vec![int(field, v)?])),
        _ => Err(format!("{field} must be an array of ids or null")),
    }
}

fn object<'a>(field: &str, v: &'a Value) -> Result<&'a Map<String, Value>, Problem> {
    v.as_object()
        .ok_or_else(|| format!("{field} must be an object"))
}

fn text<'a>(field: &str, v: &'a Value) -> Result<&'a str, Problem> {
    v.as_str()
        .ok_or_else(|| format!("{field} must be a string"))
}

fn known(field: &str, obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), Problem> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) if field.is_empty() => Err(format!("{k} is not a field of a goal")),
        Some(k) => Err(format!("{field}.{k} is not a field of {field}")),
        None => Ok(()),
    }
}

fn one_of<T>(
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<T, Problem> {
    parse(raw).ok_or_else(|| format!("{field} must be one of {}, not {raw:?}", allowed.join(", ")))
}

const TOP: &[&str] = &[
    "title",
    "assignee",
    "type",
    "expected_outcome",
    "duration",
    "interval",
];

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
    known("", body, TOP)?;
    let need = |f: &str| {
        body.get(f)
            .filter(|v| !v.is_null())
            .ok_or_else(|| format!("{f} is required"))
    };
    let title = match body.get("title") {
        None | Some(Value::Null) => String::new(),
        Some(v) => text("title", v)?.trim().to_owned(),
    };
    if title.chars().count() > 255 || title.contains('\0') {
        return Err("title must be at most 255 characters, without NUL".into());
    }

    let assignee = object("assignee", need("assignee")?)?;
    known("assignee", assignee, &["id", "type"])?;
    let assignee_id = int(
        "assignee.id",
        assignee.get("id").ok_or("assignee.id is required")?,
    )?;
    let assignee_kind = one_of(
        "assignee.type",
        text(
            "assignee.type",
            assignee.get("type").ok_or("assignee.type is required")?,
        )?,
        AssigneeKind::parse,
        &["person", "team", "company"],
    )?;

    let gtype = object("type", need("type")?)?;
    known("type", gtype, &["name", "params"])?;
    let goal_type = one_of(
        "type.name",
        text(
            "type.name",
            gtype.get("name").ok_or("type.name is required")?,
        )?,
        GoalType::parse,
        GOAL_TYPES,
    )?;
    let empty = Map::new();
    let params = match gtype.get("params") {
        None | Some(Value::Null) => &empty,
        Some(v) => object("type.params", v)?,
    };
    known(
        "type.params",
        params,
        &["pipeline_id", "stage_id", "activity_type_id"],
    )?;
    let pipeline_ids = match params.get("pipeline_id") {
        None => None,
        Some(v) => ids("type.params.pipeline_id", v)?,
    };
    let stage_id = match params.get("stage_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(int("type.params.stage_id", v)?),
    };
    let activity_type_ids = match params.get("activity_type_id") {
        None => None,
        Some(v) => ids("type.params.activity_type_id", v)?,
    };
    if goal_type == GoalType::DealsProgressed && stage_id.is_none() {
        return Err("type.params.stage_id is required for deals_progressed goals".into());
    }
    if goal_type != GoalType::DealsProgressed && stage_id.is_some() {
        return Err("type.params.stage_id is only allowed for deals_progressed goals".into());
    }
    if !goal_type.is_activity() && activity_type_ids.is_some() {
        return Err("type.params.activity_type_id is only allowed for activity goals".into());
    }

    let outcome = object("expected_outcome", need("expected_outcome")?)?;
    known(
        "expected_outcome",
        outcome,
        &["target", "tracking_metric", "currency_id"],
    )?;
    let target = number(
        "expected_outcome.target",
        outcome
            .get("target")
            .ok_or("expected_outcome.target is required")?,
    )?;
    let metric = text(
        "expected_outcome.tracking_metric",
        outcome
            .get("tracking_metric")
            .ok_or("expected_outcome.tracking_metric is required")?,
    )?;
    let sum = match metric {
        "quantity" => false,
        "sum" => true,
        other => {
            return Err(format!(
                "expected_outcome.tracking_metric must be one of quantity, sum, not {other:?}"
            ))
        }
    };
    if sum && goal_type.is_activity() {
        return Err(format!(
            "expected_outcome.tracking_metric sum is not available for {} goals; activities are counted",
            goal_type.as_str()
        ));
    }
    let currency_id = match outcome.get("currency_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(int("expected_outcome.currency_id", v)?),
    };
    if sum && currency_id.is_none() {
        return Err("expected_outcome.currency_id is required for sum goals".into());
    }
    if !sum && currency_id.is_some() {
        return Err("expected_outcome.currency_id is only allowed for sum goals".into());
    }

    let duration = object("duration", need("duration")?)?;
    known("duration", duration, &["start", "end"])?;
    let start = parse_date(
        "duration.start",
        text(
            "duration.start",
            duration
                .get("start")
                .filter(|v| !v.is_null())
                .ok_or("duration.start is required")?,
        )?,
    )?;
    let end = match duration.get("end") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_date("duration.end", text("duration.end", v)?)?),
    };
    if end.is_some_and(|e| e < start) {
        return Err("duration.end must be on or after duration.start".into());
    }

    let interval = one_of(
        "interval",
        text("interval", need("interval")?)?,
        Milestone::parse,
        &Milestone::NAMES,
    )?;

    Ok(GoalSpec {
        title,
        goal_type,
        pipeline_ids,
        stage_id,
        activity_type_ids,
        assignee_id,
        assignee_kind,
        interval,
        start,
        end,
        target,
        sum,
        currency_id,
    })
}

/// A number as JSON: integral values without a fraction.
pub fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!((n * 1e6).round() / 1e6)
    }
}

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
            (json!({"colour": "red"}), "colour is not a field"),
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
