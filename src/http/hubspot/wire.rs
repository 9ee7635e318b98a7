//! HubSpot wire types: request bodies as the official clients send them, and the batch response
//! envelope (objects themselves are rendered by `render`). Wire types never touch Diesel.

pub use super::render::{render, Wanted};
use crate::engine::value::Instant;
use crate::error::ApiError;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
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
    /// Written with a create, in its transaction; ignored by an update (HubSpot's update
    /// input has none).
    #[serde(default)]
    pub associations: Option<Vec<AssociationInput>>,
    #[serde(default)]
    pub object_write_trace_id: Option<String>,
}

/// `AssociationSpec`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpecInput {
    pub association_category: String,
    pub association_type_id: i32,
}

/// `PublicAssociationsForObject`: an object to associate a new one with, and the types.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationInput {
    pub to: IdInput,
    pub types: Vec<SpecInput>,
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
#[derive(Debug, Clone, Deserialize)]
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

/// `BatchResponseSimplePublicObject` (with `numErrors`/`errors` when there are errors).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse<T> {
    status: &'static str,
    results: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_errors: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Value>,
    requested_at: Instant,
    started_at: Instant,
    completed_at: Instant,
    /// HubSpot's map of related links; goalpost has none to offer, so it is always empty.
    links: Map<String, Value>,
}

pub fn batch_response<T: Serialize>(
    results: Vec<T>,
    errors: Vec<Value>,
    started_at: i64,
    completed_at: i64,
) -> BatchResponse<T> {
    BatchResponse {
        status: "COMPLETE",
        results,
        num_errors: (!errors.is_empty()).then_some(errors.len()),
        errors,
        requested_at: Instant(started_at),
        started_at: Instant(started_at),
        completed_at: Instant(completed_at),
        links: Map::new(),
    }
}

/// A `StandardError` entry of a 207: `links` is required by HubSpot's schema, and goalpost has
/// none to give, so it is empty.
pub fn standard_error(category: &str, message: String, context: Value, errors: Value) -> Value {
    json!({"status": "error", "category": category, "message": message, "context": context,
           "errors": errors, "links": {}})
}

/// A written object as a response shows it, with the `objectWriteTraceId` its input carried
/// (HubSpot's `SimplePublicObject` echoes it, so clients can match results to inputs).
pub fn with_trace(mut object: Value, trace: Option<&String>) -> Value {
    if let (Some(t), Value::Object(m)) = (trace, &mut object) {
        m.insert("objectWriteTraceId".into(), json!(t));
    }
    object
}
