//! The one HTTP status of each domain error, shared by every surface (each words and shapes
//! the body its own way).

use crate::error::ApiError;
use actix_web::http::StatusCode;

pub fn of(e: &ApiError) -> StatusCode {
    match e {
        ApiError::Validation(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::MissingScopes(_) => StatusCode::FORBIDDEN,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
