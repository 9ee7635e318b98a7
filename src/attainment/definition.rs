//! A goal target's KPI definition (reference §5: the `hs_kpi_*` properties HubSpot exports),
//! read from the target's own properties and checked against the record type it counts. A
//! definition that cannot be evaluated is refused at write time, naming the property.

use crate::db::json::PropsDoc;
use crate::engine::objects::invalid_values_message;
use crate::engine::search::ast::{self, RawFilter};
use crate::engine::search::{Filter, Target};
use crate::engine::types::{ObjectType, PropertyType};
use crate::error::{ApiError, ErrorDetail};
use serde_json::Value;

/// How a slice's records become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Sum,
    Count,
    Avg,
}

/// Which side of the target is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    HigherIsBetter,
    LowerIsBetter,
}

/// Whose records count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    /// `hubspot_owner_id`, else `hs_assignee_user_id`: goalpost's owners and users are one id
    /// space, the `user_id` / `hubspot_owner_id` of deals and activities.
    Owner(i64),
    /// `hs_assignee_team_id`, else `hubspot_team_id`: the members of the `teams` lookup.
    Team(i64),
    /// No assignee: every record of the portal (a company goal).
    Everyone,
}

impl Assignee {
    /// The key `kpi_slices.who` stores.
    pub fn key(self) -> String {
        match self {
            Assignee::Owner(id) => format!("u:{id}"),
            Assignee::Team(id) => format!("t:{id}"),
            Assignee::Everyone => "*".into(),
        }
    }
}

/// A checked KPI definition.
#[derive(Debug, Clone)]
pub struct Kpi {
    /// `deals` or `activities`.
    pub object_type: &'static str,
    pub metric: Metric,
    /// The summed or averaged number property (`None` for COUNT).
    pub property: Option<Target>,
    /// The property dating a record into a slice.
    pub time: Target,
    pub groups: Vec<Vec<Filter>>,
    /// `hs_pipeline_ids`: the record's (or for activities, its deal's) `pipeline` is one of these.
    pub pipelines: Option<Vec<String>>,
    pub tracking: Tracking,
    pub assignee: Assignee,
}

/// The properties that make a definition: slices agreeing on all of them share one tally.
pub const DEFINING: &[&str] = &[
    "hs_kpi_object_type",
    "hs_kpi_object_type_id",
    "hs_kpi_metric_type",
    "hs_kpi_property_name",
    "hs_kpi_time_period_property",
    "hs_kpi_filter_groups",
    "hs_kpi_tracking_method",
    "hs_pipeline_ids",
    "hs_pipelines",
    "hubspot_owner_id",
    "hs_assignee_user_id",
    "hs_assignee_team_id",
    "hubspot_team_id",
];

/// Whether goalpost computes this target's attainment: it names what it counts.
pub fn defined(doc: &PropsDoc) -> bool {
    doc.get("hs_kpi_object_type_id").is_some() || doc.get("hs_kpi_object_type").is_some()
}

/// The defining values, as one key.
pub fn key(doc: &PropsDoc) -> String {
    DEFINING
        .iter()
        .map(|p| doc.get(p).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn refuse(property: &str, message: String) -> ApiError {
    let errors = vec![ErrorDetail::property(
        "INVALID_PROPERTY_VALUE",
        property,
        message,
    )];
    ApiError::invalid(invalid_values_message(&errors), errors)
}

fn record_type(doc: &PropsDoc) -> Result<&'static str, ApiError> {
    let of = |v: &str| match v.to_ascii_lowercase().as_str() {
        "0-3" | "deal" | "deals" => Some("deals"),
        "2-1" | "activity" | "activities" => Some("activities"),
        _ => None,
    };
    let mut found = None;
    for p in ["hs_kpi_object_type_id", "hs_kpi_object_type"] {
        if let Some(v) = doc.get(p) {
            let t = of(v).ok_or_else(|| {
                refuse(p, format!("\"{v}\" cannot be evaluated: goalpost counts deals (0-3, DEAL) and activities (2-1, ACTIVITY)"))
            })?;
            if found.is_some_and(|f| f != t) {
                return Err(refuse(
                    p,
                    format!("\"{v}\" names another object type than hs_kpi_object_type_id"),
                ));
            }
            found = Some(t);
        }
    }
    Ok(found.unwrap_or("deals"))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `hs_kpi_filter_groups` as HubSpot exports it: `[{"filters":[{"property", "operator",
/// "value" | "values" | "highValue"}]}]`, checked like a search's filter groups.
fn filter_groups(kpi_type: &ObjectType, raw: Option<&str>) -> Result<Vec<Vec<Filter>>, ApiError> {
    const P: &str = "hs_kpi_filter_groups";
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let bad = |why: &str| refuse(P, format!("{P} is not a list of filter groups: {why}"));
    let json: Value = serde_json::from_str(raw).map_err(|e| bad(&e.to_string()))?;
    let groups = json
        .as_array()
        .ok_or_else(|| bad("expected a JSON array"))?;
    let mut parsed = Vec::with_capacity(groups.len());
    for g in groups {
        let filters = g
            .get("filters")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("each group needs a \"filters\" array"))?;
        let mut group = Vec::with_capacity(filters.len());
        for f in filters {
            let field = |k: &str| f.get(k).and_then(text);
            let property = field("property").ok_or_else(|| bad("a filter needs a \"property\""))?;
            if property.starts_with("associations.") {
                return Err(refuse(
                    P,
                    format!("association filters ({property}) cannot define a KPI"),
                ));
            }
            group.push(RawFilter {
                property,
                operator: field("operator").ok_or_else(|| bad("a filter needs an \"operator\""))?,
                value: field("value"),
                high_value: field("highValue"),
                values: f
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(text).collect()),
            });
        }
        parsed.push(group);
    }
    ast::groups(kpi_type, &parsed).map_err(|e| refuse(P, format!("{P}: {e}")))
}

fn id(doc: &PropsDoc, names: &[&str]) -> Option<i64> {
    names
        .iter()
        .find_map(|p| doc.get(p))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v as i64)
}

/// Reads and checks a target's definition; `types` holds the counted record types.
pub fn parse(doc: &PropsDoc, types: &[ObjectType]) -> Result<Kpi, ApiError> {
    let object_type = record_type(doc)?;
    let kpi_type = types
        .iter()
        .find(|t| t.name == object_type)
        .expect("the counted types are registered");
    let metric = match doc
        .get("hs_kpi_metric_type")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("SUM") => Metric::Sum,
        Some("COUNT") => Metric::Count,
        Some("AVG" | "AVERAGE") => Metric::Avg,
        None if doc.get("hs_kpi_property_name").is_some() => Metric::Sum,
        None => Metric::Count,
        Some(other) => {
            return Err(refuse(
                "hs_kpi_metric_type",
                format!("\"{other}\" is not one of SUM, COUNT, AVG"),
            ))
        }
    };
    let property = match (metric, doc.get("hs_kpi_property_name")) {
        (Metric::Count, _) => None,
        (_, None) => {
            return Err(refuse(
                "hs_kpi_property_name",
                "SUM and AVG need the number property they read".into(),
            ))
        }
        (_, Some(name)) => {
            let def = ast::property(kpi_type, name)
                .map_err(|e| refuse("hs_kpi_property_name", e.to_string()))?;
            if def.kind != PropertyType::Number {
                return Err(refuse(
                    "hs_kpi_property_name",
                    format!("\"{name}\" is not a number property of {object_type}"),
                ));
            }
            Some(Target::of(def))
        }
    };
    let default_time = if object_type == "deals" {
        "closedate"
    } else {
        "hs_timestamp"
    };
    let time_name = doc
        .get("hs_kpi_time_period_property")
        .unwrap_or(default_time);
    let time_def = ast::property(kpi_type, time_name)
        .map_err(|e| refuse("hs_kpi_time_period_property", e.to_string()))?;
    let time = Target::of(time_def);
    let dated = matches!(time, Target::TimeColumn(_))
        || matches!(time_def.kind, PropertyType::Date | PropertyType::Datetime);
    if !dated {
        return Err(refuse(
            "hs_kpi_time_period_property",
            format!("\"{time_name}\" is not a date or datetime property of {object_type}"),
        ));
    }
    let tracking = match doc.get("hs_kpi_tracking_method") {
        None | Some("HIGHER_IS_BETTER") => Tracking::HigherIsBetter,
        Some("LOWER_IS_BETTER") => Tracking::LowerIsBetter,
        Some(other) => {
            return Err(refuse(
                "hs_kpi_tracking_method",
                format!("\"{other}\" is not HIGHER_IS_BETTER or LOWER_IS_BETTER"),
            ))
        }
    };
    let pipelines = doc
        .get("hs_pipeline_ids")
        .or_else(|| doc.get("hs_pipelines"))
        .map(|v| {
            v.split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty());
    let assignee = if let Some(owner) = id(doc, &["hubspot_owner_id", "hs_assignee_user_id"]) {
        Assignee::Owner(owner)
    } else if let Some(team) = id(doc, &["hs_assignee_team_id", "hubspot_team_id"]) {
        Assignee::Team(team)
    } else {
        Assignee::Everyone
    };
    Ok(Kpi {
        object_type,
        metric,
        property,
        time,
        groups: filter_groups(kpi_type, doc.get("hs_kpi_filter_groups"))?,
        pipelines,
        tracking,
        assignee,
    })
}
