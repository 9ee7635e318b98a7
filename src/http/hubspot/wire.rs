//! HubSpot wire types: request bodies as the official clients send them, and the rendering of
//! stored objects as `SimplePublicObject`. Wire types never touch Diesel.

use crate::engine::store::{History, HistoryRow, ObjectRow};
use crate::engine::types::{ObjectType, DEFAULT_PROPERTIES};
use crate::engine::value::format_ms;
use crate::error::ApiError;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// An object id as clients send it: a string, or (leniently) a whole JSON number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WireId(pub String);

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(WireId(s)),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(WireId(n.to_string())),
            other => Err(de::Error::custom(format!(
                "id must be a string, not {other}"
            ))),
        }
    }
}

/// `SimplePublicObjectInputForCreate` / `SimplePublicObjectInput`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInput {
    pub properties: Map<String, Value>,
    /// Accepted for compatibility; goal_targets keep no associations.
    #[serde(default)]
    pub associations: Option<Vec<Value>>,
    #[serde(default)]
    pub object_write_trace_id: Option<String>,
}

/// One input of batch update / upsert.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdObjectInput {
    pub id: WireId,
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub id_property: Option<String>,
    #[serde(default)]
    pub object_write_trace_id: Option<String>,
}

/// `{ "id": "…" }`
#[derive(Debug, Deserialize)]
pub struct IdInput {
    pub id: WireId,
}

/// `{ "inputs": [...] }`
#[derive(Debug, Deserialize)]
pub struct Batch<T> {
    pub inputs: Vec<T>,
}

/// `BatchReadInputSimplePublicObjectId`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRead {
    pub inputs: Vec<IdInput>,
    #[serde(default)]
    pub properties: Option<Vec<String>>,
    #[serde(default)]
    pub properties_with_history: Option<Vec<String>>,
    #[serde(default)]
    pub id_property: Option<String>,
}

/// HubSpot's batch cap.
pub const MAX_BATCH: usize = 100;
/// The batch cap when property history is asked for.
pub const MAX_BATCH_WITH_HISTORY: usize = 50;

/// Refuses batches over the cap.
pub fn check_batch_size(n: usize, with_history: bool) -> Result<(), ApiError> {
    if with_history && n > MAX_BATCH_WITH_HISTORY {
        return Err(ApiError::bad_request(format!("The maximum number of inputs supported in a batch request for property histories is {MAX_BATCH_WITH_HISTORY}. Please reduce the number of items and try again")));
    }
    if n > MAX_BATCH {
        return Err(ApiError::bad_request(format!("The maximum number of inputs supported in a batch is {MAX_BATCH}. Please reduce the number of items and try again")));
    }
    Ok(())
}

/// Refuses a batch that names one id twice.
pub fn check_unique_ids<'a>(ids: impl Iterator<Item = &'a str>) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    let mut dups: Vec<String> = Vec::new();
    for id in ids {
        if !seen.insert(id) && !dups.iter().any(|d| d == id) {
            dups.push(id.to_owned());
        }
    }
    if dups.is_empty() {
        return Ok(());
    }
    let mut context = Map::new();
    context.insert("ids".into(), json!(dups));
    Err(ApiError::validation(
        format!(
            "Duplicate IDs found in batch input: [{}]. IDs must be unique",
            dups.join(", ")
        ),
        context,
        Vec::new(),
    ))
}

/// Which properties a response carries besides the defaults.
#[derive(Debug, Clone)]
pub enum Wanted {
    /// Only the defaults.
    Defaults,
    /// Every property that has a value (write responses).
    AllSet,
    /// The named ones; unknown names are ignored, known but empty ones are `null`.
    Names(Vec<String>),
}

/// Renders a stored object as `SimplePublicObject`.
pub fn render(
    otype: &ObjectType,
    row: &ObjectRow,
    wanted: &Wanted,
    history: Option<(&[String], &History)>,
) -> Value {
    let mut props = Map::new();
    let column_value = |name: &str| -> Option<String> {
        match name {
            "hs_object_id" => Some(row.id.to_string()),
            "hs_createdate" => Some(format_ms(row.created_at)),
            "hs_lastmodifieddate" => Some(format_ms(row.updated_at)),
            _ => None,
        }
    };
    for name in DEFAULT_PROPERTIES {
        props.insert(name.into(), json!(column_value(name)));
    }
    match wanted {
        Wanted::Defaults => {}
        Wanted::AllSet => {
            for (k, v) in &row.properties.0 {
                props.insert(k.clone(), v.clone());
            }
        }
        Wanted::Names(names) => {
            for name in names {
                if otype.property(name).is_some() && !props.contains_key(name) {
                    props.insert(name.clone(), json!(row.properties.get(name)));
                }
            }
        }
    }
    let mut obj = Map::new();
    obj.insert("id".into(), json!(row.id.to_string()));
    obj.insert("properties".into(), Value::Object(props));
    obj.insert("createdAt".into(), json!(format_ms(row.created_at)));
    obj.insert("updatedAt".into(), json!(format_ms(row.updated_at)));
    obj.insert("archived".into(), json!(row.archived));
    if let Some(at) = row.archived_at {
        obj.insert("archivedAt".into(), json!(format_ms(at)));
    }
    if let Some((names, hist)) = history {
        let mut with = Map::new();
        for name in names.iter().filter(|n| otype.property(n).is_some()) {
            let entries: Vec<Value> = hist
                .get(&(row.id, name.clone()))
                .map(|rows| rows.iter().map(history_entry).collect())
                .unwrap_or_default();
            with.insert(name.clone(), Value::Array(entries));
        }
        obj.insert("propertiesWithHistory".into(), Value::Object(with));
    }
    Value::Object(obj)
}

fn history_entry(h: &HistoryRow) -> Value {
    let mut e = Map::new();
    e.insert("value".into(), json!(h.value.clone().unwrap_or_default()));
    e.insert("timestamp".into(), json!(format_ms(h.changed_at)));
    e.insert("sourceType".into(), json!(h.source_type));
    if let Some(id) = &h.source_id {
        e.insert("sourceId".into(), json!(id));
    }
    Value::Object(e)
}

/// `BatchResponseSimplePublicObject` (with `numErrors`/`errors` when there are errors).
pub fn batch_response(
    results: Vec<Value>,
    errors: Vec<Value>,
    started_at: i64,
    completed_at: i64,
) -> Value {
    let mut body = Map::new();
    body.insert("status".into(), json!("COMPLETE"));
    body.insert("results".into(), Value::Array(results));
    if !errors.is_empty() {
        body.insert("numErrors".into(), json!(errors.len()));
        body.insert("errors".into(), Value::Array(errors));
    }
    body.insert("startedAt".into(), json!(format_ms(started_at)));
    body.insert("completedAt".into(), json!(format_ms(completed_at)));
    Value::Object(body)
}
