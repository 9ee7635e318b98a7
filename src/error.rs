//! One closed error enum and its one mapping to HTTP, in HubSpot's error shape:
//! `{status:"error", message, correlationId, category, subCategory?, context?, errors?}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
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
        let mut context = Map::new();
        context.insert("id".into(), json!([id]));
        ApiError::NotFound {
            message: "Object not found.  objectId are usually numeric.".into(),
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

    pub fn category(&self) -> &'static str {
        match self {
            ApiError::Validation(_) | ApiError::PayloadTooLarge(_) => "VALIDATION_ERROR",
            ApiError::NotFound { .. } => "OBJECT_NOT_FOUND",
            ApiError::Unauthenticated => "INVALID_AUTHENTICATION",
            ApiError::MissingScopes(_) => "MISSING_SCOPES",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::RateLimited => "RATE_LIMITS",
            ApiError::Unavailable => "SERVICE_UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// The HubSpot error body (with a fresh correlation id).
    pub fn body(&self, correlation_id: &str) -> Value {
        let mut body = Map::new();
        body.insert("status".into(), json!("error"));
        body.insert("message".into(), json!(self.public_message()));
        body.insert("correlationId".into(), json!(correlation_id));
        body.insert("category".into(), json!(self.category()));
        match self {
            ApiError::Validation(v) => {
                if let Some(s) = &v.sub_category {
                    body.insert("subCategory".into(), json!(s));
                }
                if !v.context.is_empty() {
                    body.insert("context".into(), Value::Object(v.context.clone()));
                }
                if !v.errors.is_empty() {
                    body.insert("errors".into(), json!(v.errors));
                }
            }
            ApiError::NotFound { context, .. } if !context.is_empty() => {
                body.insert("context".into(), Value::Object(context.clone()));
            }
            ApiError::MissingScopes(scopes) => {
                body.insert(
                    "errors".into(),
                    json!([{"message": "One or more of the following scopes are required.",
                            "context": {"requiredGranularScopes": scopes}}]),
                );
                body.insert(
                    "links".into(),
                    json!({"scopes": "https://developers.hubspot.com/scopes"}),
                );
            }
            ApiError::RateLimited => {
                body.insert("errorType".into(), json!("RATE_LIMIT"));
                body.insert("policyName".into(), json!("TEN_SECONDLY_ROLLING"));
            }
            _ => {}
        }
        Value::Object(body)
    }

    fn public_message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview".into(),
            ApiError::MissingScopes(_) => "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.".into(),
            ApiError::PayloadTooLarge(limit) => format!("The request body is larger than the limit of {limit} bytes"),
            ApiError::RateLimited => "You have reached your ten_secondly_rolling limit.".into(),
            ApiError::Unavailable => "The database is unavailable or cannot be written (stopped, restarting, read-only or full); try again shortly.".into(),
            ApiError::Internal(_) => "An internal error occurred.".into(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::MissingScopes(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let correlation_id = uuid::Uuid::new_v4().to_string();
        if let ApiError::Internal(detail) = self {
            log::error!("internal error {correlation_id}: {detail}");
        }
        HttpResponse::build(self.status_code())
            .insert_header(("X-HubSpot-Correlation-Id", correlation_id.clone()))
            .json(self.body(&correlation_id))
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::resource_not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("An object with that unique value already exists.".into())
            }
            Error::DatabaseError(kind, info) if unavailable(&kind, info.message()) => {
                log::warn!("database unavailable: {}", info.message());
                ApiError::Unavailable
            }
            // The connection died inside a transaction and its rollback failed too.
            Error::BrokenTransactionManager => ApiError::Unavailable,
            Error::RollbackErrorOnCommit { commit_error, .. } => ApiError::from(*commit_error),
            other => ApiError::Internal(other.to_string()),
        }
    }
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
