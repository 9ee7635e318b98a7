//! Checking a write's property map against its type, before any database work: every
//! unknown, read-only or badly typed value is reported, not just the first.

use super::objects::Changes;
use super::types::ObjectType;
use super::value::normalize;
use crate::error::ErrorDetail;
use serde_json::{Map, Value};

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
