//! The domain error: one closed enum every layer below `http` returns.
//!
//! Policy:
//! - A variant says *what* went wrong (invalid input, not found, conflict, unavailable,
//!   internal), never how a wire API words or shapes it: each surface in `http/` renders it
//!   (HubSpot's body in `http/hubspot/error.rs`, Pipedrive's envelope in `http/pipedrive/`),
//!   and `http/status.rs` gives the one status per variant.
//! - Validation messages are written for the API user and sent as they are; they name the
//!   field or property at fault.
//! - Database errors map by kind: a unique violation by the constraint or index it names
//!   (`unique_violation`), a lost or unwritable database to `Unavailable` (503, retry), and
//!   anything else to `Internal`, whose detail is logged with the request id and never sent.

use serde::Serialize;
use serde_json::{json, Map, Value};

/// One entry of an error's `errors[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorDetail {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub context: Map<String, Value>,
}

impl ErrorDetail {
    /// A detail about one property, with `context.propertyName`.
    pub fn property(code: &str, name: &str, message: String) -> Self {
        let mut context = Map::new();
        context.insert("propertyName".into(), json!([name]));
        ErrorDetail {
            message,
            code: Some(code.into()),
            in_: None,
            context,
        }
    }
}

/// The payload of a 400: boxed in [`ApiError`] so results stay small.
#[derive(Debug)]
pub struct Invalid {
    pub message: String,
    pub sub_category: Option<String>,
    pub context: Map<String, Value>,
    pub errors: Vec<ErrorDetail>,
}

/// Everything that can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 VALIDATION_ERROR.
    #[error("{}", .0.message)]
    Validation(Box<Invalid>),
    /// 404 OBJECT_NOT_FOUND.
    #[error("{message}")]
    NotFound {
        message: String,
        context: Map<String, Value>,
    },
    /// 401 INVALID_AUTHENTICATION.
    #[error("authentication credentials not found")]
    Unauthenticated,
    /// 403 MISSING_SCOPES; holds the scopes one of which is required.
    #[error("missing scopes")]
    MissingScopes(Vec<String>),
    /// 409 CONFLICT.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is over the configured limit.
    #[error("body too large")]
    PayloadTooLarge(usize),
    /// 405: a served path asked with a method it does not serve; holds the methods it does.
    #[error("Method not allowed; this path accepts {0}")]
    MethodNotAllowed(String),
    /// 429 RATE_LIMITS.
    #[error("rate limited")]
    RateLimited,
    /// 503: the database did not answer in time.
    #[error("database unavailable")]
    Unavailable,
    /// 500: detail logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 with a message, context and detail entries.
    pub fn validation(
        message: impl Into<String>,
        context: Map<String, Value>,
        errors: Vec<ErrorDetail>,
    ) -> Self {
        ApiError::Validation(Box::new(Invalid {
            message: message.into(),
            sub_category: None,
            context,
            errors,
        }))
    }

    /// A plain 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::validation(message, Map::new(), Vec::new())
    }

    /// A 400 carrying detail entries.
    pub fn invalid(message: impl Into<String>, errors: Vec<ErrorDetail>) -> Self {
        Self::validation(message, Map::new(), errors)
    }

    /// HubSpot's 404 for an object id that does not resolve.
    pub fn object_not_found(id: &str) -> Self {
        Self::not_found_named("Object not found.  objectId are usually numeric.", "id", id)
    }

    /// 404 whose context names what was looked for: `{key: [value]}`.
    pub fn not_found_named(message: impl Into<String>, key: &str, value: &str) -> Self {
        let mut context = Map::new();
        context.insert(key.into(), json!([value]));
        ApiError::NotFound {
            message: message.into(),
            context,
        }
    }

    /// 404 for an unknown route or object type.
    pub fn resource_not_found() -> Self {
        ApiError::NotFound {
            message: "resource not found".into(),
            context: Map::new(),
        }
    }

    /// A stable code for the kind of error (HubSpot's `category` strings, which the HubSpot
    /// surface sends as they are; other surfaces map it to their own wording).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_)
            | ApiError::PayloadTooLarge(_)
            | ApiError::MethodNotAllowed(_) => "VALIDATION_ERROR",
            ApiError::NotFound { .. } => "OBJECT_NOT_FOUND",
            ApiError::Unauthenticated => "INVALID_AUTHENTICATION",
            ApiError::MissingScopes(_) => "MISSING_SCOPES",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::RateLimited => "RATE_LIMITS",
            ApiError::Unavailable => "SERVICE_UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL_ERROR",
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::resource_not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                unique_violation(info.constraint_name(), info.message())
            }
            Error::DatabaseError(kind, info) if unavailable(&kind, info.message()) => {
                tracing::warn!("database unavailable: {}", info.message());
                db_error("unavailable");
                ApiError::Unavailable
            }
            // PostgreSQL text cannot hold NUL; a value that reaches it with one is bad input
            // (the surfaces refuse NUL where they check text; this is the net under the rest).
            Error::DatabaseError(_, info) if info.message().contains("0x00") => {
                ApiError::bad_request("Text values may not contain NUL characters")
            }
            // The connection died inside a transaction and its rollback failed too.
            Error::BrokenTransactionManager => {
                db_error("unavailable");
                ApiError::Unavailable
            }
            Error::RollbackErrorOnCommit { commit_error, .. } => ApiError::from(*commit_error),
            other => {
                db_error("internal");
                ApiError::Internal(other.to_string())
            }
        }
    }
}

fn db_error(kind: &str) {
    crate::metrics::get()
        .db_errors
        .with_label_values(&[kind])
        .inc();
}

/// Whether a database error means the database cannot serve now (gone, restarting, out of
/// space, read-only) rather than that the request or the code is wrong: a 503, not a 500.
fn unavailable(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    use diesel::result::DatabaseErrorKind as K;
    if matches!(kind, K::ClosedConnection | K::UnableToSendCommand) {
        return true;
    }
    let m = message.to_ascii_lowercase();
    [
        "no connection to the server",
        "server closed the connection",
        "terminating connection",
        "connection refused",
        "could not connect",
        "the database system is",
        "broken pipe",
        "database or disk is full",
        "readonly database",
        "disk i/o error",
        "unable to open database",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// The conflict a unique violation means, decided by the constraint or index it names:
/// PostgreSQL reports the name; SQLite only words it into the message ("UNIQUE constraint
/// failed: index 'NAME'" or "…: table.column"). A violation of a constraint no write path
/// expects is a bug, so it stays an internal error.
fn unique_violation(constraint: Option<&str>, message: &str) -> ApiError {
    let name = constraint.map(str::to_owned).unwrap_or_else(|| {
        let rest = message.rsplit("failed: ").next().unwrap_or(message);
        rest.trim_start_matches("index ")
            .trim_matches('\'')
            .to_owned()
    });
    if name.starts_with("objects_unique_") {
        ApiError::Conflict("An object with that unique value already exists.".into())
    } else if name.starts_with("pipedrive_goals_family") {
        ApiError::Conflict("A goal already exists for that goal family.".into())
    } else if name.starts_with("property_definitions") {
        // Two creates of one property name raced; the loser is told as if it came second.
        ApiError::Conflict("A property with that name already exists.".into())
    } else if name.starts_with("property_groups") {
        ApiError::Conflict("A property group with that name already exists.".into())
    } else if name.starts_with("association_labels") {
        // Two label creates raced for a name or for the next type ids: the loser may retry.
        ApiError::Conflict("An association label with that name already exists.".into())
    } else if name.contains("token_hash") {
        ApiError::Conflict("That token already exists.".into())
    } else {
        ApiError::Internal(format!("unexpected unique violation: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_map_by_constraint_name_on_both_backends() {
        let pg = unique_violation(Some("objects_unique_0_74_x"), "duplicate key value");
        assert!(matches!(pg, ApiError::Conflict(_)), "{pg:?}");
        let sqlite = unique_violation(
            None,
            "UNIQUE constraint failed: index 'objects_unique_0_74_x'",
        );
        assert!(matches!(sqlite, ApiError::Conflict(_)), "{sqlite:?}");
        let column = unique_violation(None, "UNIQUE constraint failed: api_tokens.token_hash");
        assert!(matches!(column, ApiError::Conflict(_)), "{column:?}");
        let other = unique_violation(None, "UNIQUE constraint failed: portals.id");
        assert!(matches!(other, ApiError::Internal(_)), "{other:?}");
    }
}
