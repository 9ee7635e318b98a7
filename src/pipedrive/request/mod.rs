//! A Pipedrive goal body as serde types. Pipedrive's clients send numbers as JSON numbers or
//! as strings of digits and ids as an array, a single id or null, so those fields have
//! deserialisers of their own; `serde_path_to_error` puts the field's path (`assignee.id`) in
//! front of every message, and `validator` checks the title. Fields are optional here so that
//! a missing and a null field are both "is required" in [`GoalRequest::into_spec`], which also
//! checks the rules between fields.

use super::model::{AssigneeKind, GoalSpec, GoalType, Problem, GOAL_TYPES};
use crate::goals::calendar::Milestone;
use chrono::NaiveDate;
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::{Map, Value};
use validator::Validate;

/// A positive whole number: a JSON number or a string of digits.
#[derive(Debug, Clone, Copy)]
pub struct PosInt(pub i64);

fn pos_int(v: &Value) -> Result<i64, String> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    n.filter(|n| *n > 0)
        .ok_or_else(|| format!("must be a positive whole number, not {v}"))
}

impl<'de> Deserialize<'de> for PosInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        pos_int(&Value::deserialize(d)?)
            .map(PosInt)
            .map_err(D::Error::custom)
    }
}

/// An amount of at least 0: a JSON number or a numeric string.
#[derive(Debug, Clone, Copy)]
pub struct Amount(pub f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let n = match &v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        n.filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e15)
            .map(Amount)
            .ok_or_else(|| D::Error::custom(format!("must be a number of at least 0, not {v}")))
    }
}

/// Ids: an array (empty means none), null, or a single id (the form before SDK 17.5.0).
#[derive(Debug, Clone, Default)]
pub struct Ids(pub Option<Vec<i64>>);

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Null => Ok(Ids(None)),
            Value::Array(a) if a.is_empty() => Ok(Ids(None)),
            Value::Array(a) if a.len() <= 1000 => {
                let mut out: Vec<i64> = a
                    .iter()
                    .map(pos_int)
                    .collect::<Result<_, _>>()
                    .map_err(D::Error::custom)?;
                out.dedup();
                Ok(Ids(Some(out)))
            }
            Value::Number(_) | Value::String(_) => {
                Ok(Ids(Some(vec![pos_int(&v).map_err(D::Error::custom)?])))
            }
            _ => Err(D::Error::custom("must be an array of ids or null")),
        }
    }
}

/// A date in `YYYY-MM-DD` form.
#[derive(Debug, Clone, Copy)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map(Date)
            .map_err(|_| {
                D::Error::custom(format!("must be a date in YYYY-MM-DD form, not {raw:?}"))
            })
    }
}

/// One of a fixed set of names.
fn named<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<T, D::Error> {
    let raw = String::deserialize(d)?;
    parse(&raw).ok_or_else(|| {
        D::Error::custom(format!(
            "must be one of {}, not {raw:?}",
            allowed.join(", ")
        ))
    })
}

impl<'de> Deserialize<'de> for GoalType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(d, GoalType::parse, GOAL_TYPES)
    }
}

impl<'de> Deserialize<'de> for AssigneeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(d, AssigneeKind::parse, &["person", "team", "company"])
    }
}

/// `interval`, a milestone name.
#[derive(Debug, Clone, Copy)]
pub struct Interval(pub Milestone);

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(d, Milestone::parse, &Milestone::NAMES).map(Interval)
    }
}

/// `expected_outcome.tracking_metric`: whether the goal sums deal values.
#[derive(Debug, Clone, Copy)]
pub struct Sum(pub bool);

impl<'de> Deserialize<'de> for Sum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            |s| {
                ["quantity", "sum"]
                    .iter()
                    .position(|m| *m == s)
                    .map(|i| i == 1)
            },
            &["quantity", "sum"],
        )
        .map(Sum)
    }
}

fn no_nul(title: &str) -> Result<(), validator::ValidationError> {
    if title.contains('\0') {
        return Err(validator::ValidationError::new("nul"));
    }
    Ok(())
}

/// A goal body (an add, or an update merged onto the stored goal's request form).
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct GoalRequest {
    #[validate(
        length(max = 255, message = "must be at most 255 characters, without NUL"),
        custom(
            function = "no_nul",
            message = "must be at most 255 characters, without NUL"
        )
    )]
    pub title: Option<String>,
    pub assignee: Option<Assignee>,
    #[serde(rename = "type")]
    pub goal_type: Option<TypeRequest>,
    pub expected_outcome: Option<Outcome>,
    pub duration: Option<Duration>,
    pub interval: Option<Interval>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignee {
    pub id: Option<PosInt>,
    #[serde(rename = "type")]
    pub kind: Option<AssigneeKind>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRequest {
    pub name: Option<GoalType>,
    pub params: Option<Params>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub pipeline_id: Ids,
    pub stage_id: Option<PosInt>,
    #[serde(default)]
    pub activity_type_id: Ids,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub target: Option<Amount>,
    pub tracking_metric: Option<Sum>,
    pub currency_id: Option<PosInt>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// The fields that hold objects. serde's derived structs would also read a JSON array, field
/// by position (`"params": [null, null]`), so these are checked to be objects (or null) first.
const OBJECTS: &[&[&str]] = &[
    &["assignee"],
    &["type"],
    &["type", "params"],
    &["expected_outcome"],
    &["duration"],
];

fn objects_are_objects(body: &Map<String, Value>) -> Result<(), Problem> {
    for path in OBJECTS {
        let mut at = body.get(path[0]);
        for key in &path[1..] {
            at = at.and_then(|v| v.get(key));
        }
        if at.is_some_and(|v| !v.is_object() && !v.is_null()) {
            return Err(format!("{} must be an object", path.join(".")));
        }
    }
    Ok(())
}

/// Reads a body, every message naming the field's path.
/// Reads the body in place: a stored goal is read back on every list, so no copy is made.
pub fn read(body: &Map<String, Value>) -> Result<GoalRequest, Problem> {
    objects_are_objects(body)?;
    let req: GoalRequest = serde_path_to_error::deserialize(body).map_err(|e| {
        let (path, inner) = (e.path().to_string(), e.inner().to_string());
        match path.as_str() {
            "." => inner,
            _ if inner.starts_with("must ") => format!("{path} {inner}"),
            _ => format!("{path}: {inner}"),
        }
    })?;
    req.validate().map_err(|errors| {
        let (field, list) = errors.field_errors().into_iter().next().expect("an error");
        let message = list
            .first()
            .and_then(|e| e.message.clone())
            .unwrap_or_default();
        format!("{field} {message}")
    })?;
    Ok(req)
}

fn required<T>(v: Option<T>, field: &str) -> Result<T, Problem> {
    v.ok_or_else(|| format!("{field} is required"))
}

impl GoalRequest {
    /// The goal it defines, after the rules between fields.
    pub fn into_spec(self) -> Result<GoalSpec, Problem> {
        let title = self.title.map(|t| t.trim().to_owned()).unwrap_or_default();
        let assignee = required(self.assignee, "assignee")?;
        let assignee_id = required(assignee.id, "assignee.id")?.0;
        let assignee_kind = required(assignee.kind, "assignee.type")?;

        let gtype = required(self.goal_type, "type")?;
        let goal_type = required(gtype.name, "type.name")?;
        let params = gtype.params.unwrap_or_default();
        let (pipeline_ids, activity_type_ids) = (params.pipeline_id.0, params.activity_type_id.0);
        let stage_id = params.stage_id.map(|s| s.0);
        if goal_type == GoalType::DealsProgressed && stage_id.is_none() {
            return Err("type.params.stage_id is required for deals_progressed goals".into());
        }
        if goal_type != GoalType::DealsProgressed && stage_id.is_some() {
            return Err("type.params.stage_id is only allowed for deals_progressed goals".into());
        }
        // Pipedrive's own example sends `activity_type_id` with a `deals_started` goal, so it is
        // accepted on any goal and kept as sent; only activity goals count by it.

        let outcome = required(self.expected_outcome, "expected_outcome")?;
        let target = required(outcome.target, "expected_outcome.target")?.0;
        let sum = required(outcome.tracking_metric, "expected_outcome.tracking_metric")?.0;
        if sum && goal_type.is_activity() {
            return Err(format!(
                "expected_outcome.tracking_metric sum is not available for {} goals; activities are counted",
                goal_type.as_str()
            ));
        }
        let currency_id = outcome.currency_id.map(|c| c.0);
        if sum && currency_id.is_none() {
            return Err("expected_outcome.currency_id is required for sum goals".into());
        }
        if !sum && currency_id.is_some() {
            return Err("expected_outcome.currency_id is only allowed for sum goals".into());
        }

        let duration = required(self.duration, "duration")?;
        let start = required(duration.start, "duration.start")?.0;
        let end = duration.end.map(|d| d.0);
        if end.is_some_and(|e| e < start) {
            return Err("duration.end must be on or after duration.start".into());
        }
        let interval = required(self.interval, "interval")?.0;

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
}

#[cfg(test)]
mod tests;
