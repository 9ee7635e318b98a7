//! The inputs of a batch that cannot be written, and the rule that decides what a batch with
//! such inputs does: all-or-nothing, or (every input traced) the valid ones written and the
//! rest reported in a 207.

use super::wire::standard_error;
use crate::engine::objects;
use crate::error::{ApiError, ErrorDetail};
use serde_json::{json, Map, Value};

/// One input that cannot be written.
pub struct Failure {
    pub index: usize,
    trace: Option<String>,
    category: &'static str,
    message: String,
    errors: Vec<ErrorDetail>,
    id: Option<String>,
}

impl Failure {
    pub fn invalid(index: usize, trace: Option<String>, errors: Vec<ErrorDetail>) -> Self {
        Failure {
            index,
            trace,
            category: "VALIDATION_ERROR",
            message: objects::invalid_values_message(&errors),
            errors,
            id: None,
        }
    }

    /// An input refused for another reason (its associations), in the error's own category.
    pub fn refused(index: usize, trace: Option<String>, e: &ApiError) -> Self {
        Failure {
            index,
            trace,
            category: e.code(),
            message: e.to_string(),
            errors: Vec::new(),
            id: None,
        }
    }

    pub fn not_found(index: usize, trace: Option<String>, id: &str) -> Self {
        Failure {
            index,
            trace,
            category: "OBJECT_NOT_FOUND",
            message: format!("Object not found.  objectId are usually numeric. (id {id})"),
            errors: Vec::new(),
            id: Some(id.to_owned()),
        }
    }

    /// The `StandardError` entry of a 207.
    pub fn entry(&self) -> Value {
        let mut context = Map::new();
        if let Some(t) = &self.trace {
            context.insert("objectWriteTraceId".into(), json!([t]));
        }
        if let Some(id) = &self.id {
            context.insert("ids".into(), json!([id]));
        }
        standard_error(
            self.category,
            self.message.clone(),
            Value::Object(context),
            json!(self.errors),
        )
    }
}

/// Decides a batch with failures: every input traced → the 207 error entries; otherwise the
/// whole batch fails, naming each bad input's index.
pub fn settle(failures: Vec<Failure>, all_traced: bool) -> Result<Vec<Value>, ApiError> {
    if failures.is_empty() || all_traced {
        return Ok(failures.iter().map(Failure::entry).collect());
    }
    if let Some(nf) = failures.iter().find(|f| f.category == "OBJECT_NOT_FOUND") {
        return Err(ApiError::object_not_found(nf.id.as_deref().unwrap_or("")));
    }
    let mut errors = Vec::new();
    for f in &failures {
        for e in &f.errors {
            let mut e = e.clone();
            e.in_ = Some(format!("inputs[{}].properties", f.index));
            errors.push(e);
        }
    }
    let indexes: Vec<String> = failures.iter().map(|f| f.index.to_string()).collect();
    let mut context = Map::new();
    context.insert("inputIndexes".into(), json!(indexes));
    Err(ApiError::validation(
        format!(
            "{} (inputs {})",
            objects::invalid_values_message(&errors),
            indexes.join(", ")
        ),
        context,
        errors,
    ))
}

pub fn all_traced<T>(inputs: &[T], trace: impl Fn(&T) -> Option<&String>) -> bool {
    !inputs.is_empty()
        && inputs
            .iter()
            .all(|i| trace(i).is_some_and(|t| !t.is_empty()))
}
