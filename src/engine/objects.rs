//! Object operations with their validation and history: what a write does, whatever surface
//! it arrived on. Each function runs inside the caller's transaction.

use super::store::{self, Archived, NewHistory, ObjectRow, Scope};
use super::types::{ObjectType, Storage};
use super::value::normalize;
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::error::{ApiError, ErrorDetail};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Validated property changes of one input: name to new value (`None` clears it).
pub type Changes = Vec<(String, Option<String>)>;

/// Where a change came from, for history (`sourceType`, `sourceId`).
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: &'static str,
    pub id: Option<String>,
}

impl Source {
    pub fn api() -> Self {
        Source {
            kind: "API",
            id: None,
        }
    }
}

/// Checks a wire property map against the type: unknown names, read-only names and bad values
/// are all reported, not just the first.
pub fn validate(
    otype: &ObjectType,
    input: &Map<String, Value>,
) -> Result<Changes, Vec<ErrorDetail>> {
    let mut changes = Vec::with_capacity(input.len());
    let mut errors = Vec::new();
    for (name, raw) in input {
        let Some(def) = otype.property(name) else {
            errors.push(ErrorDetail::property(
                "PROPERTY_DOESNT_EXIST",
                name,
                format!("Property \"{name}\" does not exist"),
            ));
            continue;
        };
        if def.read_only_value {
            errors.push(ErrorDetail::property(
                "READ_ONLY_VALUE",
                name,
                format!("\"{name}\" is a read only property; its value cannot be set."),
            ));
            continue;
        }
        // Values are strings on the wire; JSON numbers and booleans are taken as their text.
        let text = match raw {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            _ => {
                errors.push(ErrorDetail::property(
                    "INVALID_PROPERTY_VALUE",
                    name,
                    format!("The value of \"{name}\" must be a string"),
                ));
                continue;
            }
        };
        match normalize(def, &text) {
            Ok(v) => changes.push((name.clone(), v)),
            Err(e) => errors.push(*e),
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// HubSpot's message for invalid property values: the details as a JSON list.
pub fn invalid_values_message(errors: &[ErrorDetail]) -> String {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| {
            serde_json::json!({
                "isValid": false,
                "message": e.message,
                "error": e.code,
                "name": e.context.get("propertyName").and_then(|v| v.get(0)),
            })
        })
        .collect();
    format!("Property values were not valid: {}", Value::Array(list))
}

fn history_rows(id: i64, changes: &Changes, now: i64, source: &Source) -> Vec<NewHistory> {
    changes
        .iter()
        .map(|(name, value)| NewHistory {
            object_id: id,
            name: name.clone(),
            value: value.clone(),
            changed_at: now,
            source_type: source.kind.to_owned(),
            source_id: source.id.clone(),
        })
        .collect()
}

/// Creates objects; returns them in input order.
pub fn create(
    conn: &mut Conn,
    scope: Scope<'_>,
    inputs: &[Changes],
    now: i64,
    source: &Source,
) -> Result<Vec<ObjectRow>, ApiError> {
    let docs: Vec<PropsDoc> = inputs
        .iter()
        .map(|changes| {
            let mut doc = PropsDoc::default();
            for (name, value) in changes {
                doc.set(name, value.clone());
            }
            doc
        })
        .collect();
    let rows = store::insert(conn, scope, &docs, now)?;
    let mut history = Vec::new();
    for (row, changes) in rows.iter().zip(inputs) {
        let set: Changes = changes
            .iter()
            .filter(|(_, v)| v.is_some())
            .cloned()
            .collect();
        history.extend(history_rows(row.id, &set, now, source));
    }
    store::insert_history(conn, &history)?;
    Ok(rows)
}

/// Applies changes to live objects, keeping history of values that really changed. Ids that
/// are missing or archived are an OBJECT_NOT_FOUND naming them.
pub fn update(
    conn: &mut Conn,
    scope: Scope<'_>,
    updates: &[(i64, Changes)],
    now: i64,
    source: &Source,
) -> Result<Vec<ObjectRow>, ApiError> {
    let ids: Vec<i64> = updates.iter().map(|(id, _)| *id).collect();
    let mut found: HashMap<i64, ObjectRow> = store::load(conn, scope, &ids, Archived::Live)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    if let Some((missing, _)) = updates.iter().find(|(id, _)| !found.contains_key(id)) {
        return Err(ApiError::object_not_found(&missing.to_string()));
    }
    let mut out = Vec::with_capacity(updates.len());
    let mut history = Vec::new();
    for (id, changes) in updates {
        let mut row = found.remove(id).expect("checked above");
        let real: Changes = changes
            .iter()
            .filter(|(name, value)| row.properties.get(name) != value.as_deref())
            .cloned()
            .collect();
        if !real.is_empty() {
            for (name, value) in &real {
                row.properties.set(name, value.clone());
            }
            store::update_doc(conn, *id, &row.properties, now)?;
            row.updated_at = now;
            history.extend(history_rows(*id, &real, now, source));
        }
        out.push(row);
    }
    store::insert_history(conn, &history)?;
    Ok(out)
}

/// Archives live objects; unknown or already archived ids are ignored (HubSpot's DELETE is
/// idempotent).
pub fn archive(
    conn: &mut Conn,
    scope: Scope<'_>,
    ids: &[i64],
    now: i64,
) -> Result<usize, ApiError> {
    store::set_archived(conn, scope, ids, true, now)
}

/// Whether a property is a column of the row rather than a document key.
pub fn is_column(otype: &ObjectType, name: &str) -> bool {
    otype
        .property(name)
        .is_some_and(|d| d.storage() != Storage::Document)
}
