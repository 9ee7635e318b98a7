//! Pipedrive's error envelope for the domain error, and the caller extractor that answers
//! authentication failures in it.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::{status, trace};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;

/// An error in Pipedrive's shape.
#[derive(Debug)]
pub struct PdError(pub ApiError);

impl From<ApiError> for PdError {
    fn from(e: ApiError) -> Self {
        PdError(e)
    }
}

impl std::fmt::Display for PdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for PdError {
    fn status_code(&self) -> StatusCode {
        status::of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        let message = match &self.0 {
            ApiError::Unauthenticated => "unauthorized access".to_owned(),
            ApiError::MissingScopes(s) => {
                format!(
                    "Scope and URL mismatch: this call needs one of the scopes {}",
                    s.join(", ")
                )
            }
            ApiError::PayloadTooLarge(limit) => {
                format!("The request body is larger than the limit of {limit} bytes")
            }
            ApiError::RateLimited => "Request over limit".to_owned(),
            ApiError::Unavailable => "The database is unavailable or cannot be written (stopped, restarting, read-only or full); try again shortly.".to_owned(),
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                "Internal server error".to_owned()
            }
            other => other.to_string(),
        };
        let status = self.status_code();
        HttpResponse::build(status).json(json!({
            "success": false,
            "error": message,
            "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.",
            "data": null,
            "additional_data": null,
            "errorCode": status.as_u16(),
            // The request's id, as in every log line written while serving it.
            "request_id": trace::request_id(),
        }))
    }
}

/// The caller, with authentication failures in Pipedrive's shape.
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = PdError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, PdError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let inner = Principal::from_request(req, payload);
        Box::pin(async move { inner.await.map(Caller).map_err(PdError) })
    }
}
