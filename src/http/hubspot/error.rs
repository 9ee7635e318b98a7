//! HubSpot's error shape for the domain error: `{status:"error", message, correlationId,
//! category, subCategory?, context?, errors?}` with the `X-HubSpot-Correlation-Id` header. The
//! correlation id is the request's id (`http::trace`), so a client's error report finds the
//! server's log lines. This is also the shape of goalpost's own routes.

use crate::error::ApiError;
use crate::http::{status, trace};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};

/// The HubSpot error body (with a fresh correlation id).
pub fn body(e: &ApiError, correlation_id: &str) -> Value {
    let mut body = Map::new();
    body.insert("status".into(), json!("error"));
    body.insert("message".into(), json!(public_message(e)));
    body.insert("correlationId".into(), json!(correlation_id));
    body.insert("category".into(), json!(e.code()));
    match e {
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

fn public_message(e: &ApiError) -> String {
    match e {
        ApiError::Unauthenticated => "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview".into(),
        ApiError::MissingScopes(_) => "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.".into(),
        ApiError::PayloadTooLarge(limit) => format!("The request body is larger than the limit of {limit} bytes"),
        ApiError::RateLimited => "You have reached your ten_secondly_rolling limit.".into(),
        ApiError::Unavailable => "The database is unavailable or cannot be written (stopped, restarting, read-only or full); try again shortly.".into(),
        ApiError::Internal(_) => "An internal error occurred.".into(),
        other => other.to_string(),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status::of(self)
    }

    fn error_response(&self) -> HttpResponse {
        let correlation_id = trace::request_id();
        if let ApiError::Internal(detail) = self {
            tracing::error!("internal error: {detail}");
        }
        HttpResponse::build(self.status_code())
            .insert_header((trace::CORRELATION_HEADER, correlation_id.clone()))
            .json(body(self, &correlation_id))
    }
}
