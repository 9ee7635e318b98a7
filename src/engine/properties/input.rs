//! The input forms of property definitions (create, update) with their `validator` rules,
//! and the HubSpot-compatible 400s their failures become.

use super::super::types::{EnumOption, PropertyType};
use crate::error::{ApiError, ErrorDetail};
use serde::Deserialize;
use serde_json::{json, Map};
use validator::{Validate, ValidationError, ValidationErrors};

pub(super) fn valid_name(name: &str) -> Result<(), ValidationError> {
    let ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(ValidationError::new("INVALID_PROPERTY_NAME").with_message(
            "must start with a lowercase letter and hold only lowercase letters, digits and underscores".into(),
        ));
    }
    if name.starts_with("hs_") {
        return Err(ValidationError::new("RESERVED_PROPERTY_NAME").with_message(
            "names starting with hs_ are reserved for HubSpot-defined properties".into(),
        ));
    }
    Ok(())
}

fn valid_options(options: &[EnumOption]) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    for o in options {
        if o.value.is_empty() || o.value.len() > 3000 || o.label.is_empty() || o.label.len() > 3000
        {
            return Err(ValidationError::new("INVALID_OPTION").with_message(
                "every option needs a label and a value of 1 to 3000 characters".into(),
            ));
        }
        if o.value.contains(';') {
            return Err(ValidationError::new("INVALID_OPTION")
                .with_message(format!("option value {:?} may not contain ';'", o.value).into()));
        }
        if !seen.insert(&o.value) {
            return Err(ValidationError::new("DUPLICATE_OPTION")
                .with_message(format!("option value {:?} appears twice", o.value).into()));
        }
    }
    Ok(())
}

/// `PropertyCreate`.
#[derive(Debug, Clone, Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
pub struct PropertyCreate {
    #[validate(length(min = 1, max = 100), custom(function = "valid_name"))]
    pub name: String,
    #[validate(length(min = 1, max = 255))]
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub field_type: String,
    #[validate(length(min = 1, max = 100))]
    pub group_name: String,
    #[serde(default)]
    #[validate(length(max = 3000))]
    pub description: String,
    #[serde(default)]
    #[validate(length(max = 5000), custom(function = "valid_options"))]
    pub options: Vec<EnumOption>,
    #[serde(default)]
    pub display_order: Option<i32>,
    #[serde(default)]
    pub has_unique_value: bool,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub form_field: bool,
}

/// `PropertyUpdate`: every field optional.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
pub struct PropertyUpdate {
    #[validate(length(min = 1, max = 255))]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub field_type: Option<String>,
    #[validate(length(min = 1, max = 100))]
    pub group_name: Option<String>,
    #[validate(length(max = 3000))]
    pub description: Option<String>,
    #[validate(length(max = 5000), custom(function = "valid_options"))]
    pub options: Option<Vec<EnumOption>>,
    pub display_order: Option<i32>,
    pub hidden: Option<bool>,
    pub form_field: Option<bool>,
}

/// Validator errors as HubSpot's 400, one detail per field problem.
pub fn validation_error(errors: &ValidationErrors) -> ApiError {
    let mut details = Vec::new();
    for (field, errs) in errors.field_errors() {
        for e in errs {
            let message = match &e.message {
                Some(m) => format!("{field}: {m}"),
                None => format!("{field}: invalid ({})", e.code),
            };
            let mut context = Map::new();
            context.insert("field".into(), json!([field]));
            details.push(ErrorDetail {
                message,
                code: Some(e.code.to_string().to_uppercase()),
                in_: Some(field.to_string()),
                context,
            });
        }
    }
    details.sort_by(|a, b| a.message.cmp(&b.message));
    let first = details
        .first()
        .map_or("invalid property definition".into(), |d| d.message.clone());
    ApiError::invalid(format!("Invalid property definition: {first}"), details)
}

pub(super) fn field_error(field: &str, code: &str, message: String) -> ApiError {
    let mut context = Map::new();
    context.insert("field".into(), json!([field]));
    ApiError::invalid(
        format!("Invalid property definition: {message}"),
        vec![ErrorDetail {
            message,
            code: Some(code.into()),
            in_: Some(field.into()),
            context,
        }],
    )
}

/// Checks the type / fieldType pair and the options an enumeration needs.
pub(super) fn check_kind(
    kind: &str,
    field_type: &str,
    options: &[EnumOption],
) -> Result<PropertyType, ApiError> {
    let k = PropertyType::parse(kind).ok_or_else(|| {
        field_error(
            "type",
            "INVALID_TYPE",
            format!(
                "type {kind:?} is not one of string, number, date, datetime, enumeration, bool"
            ),
        )
    })?;
    if !k.field_types().contains(&field_type) {
        return Err(field_error(
            "fieldType",
            "INVALID_FIELD_TYPE",
            format!(
                "fieldType {field_type:?} is not allowed for type {kind}; use one of {}",
                k.field_types().join(", ")
            ),
        ));
    }
    if k == PropertyType::Enumeration && options.is_empty() {
        return Err(field_error(
            "options",
            "MISSING_OPTIONS",
            "an enumeration needs at least one option".into(),
        ));
    }
    Ok(k)
}
