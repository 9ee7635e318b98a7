//! The JSON body extractor of every route. actix's `web::Json` hands the bytes to serde, whose
//! derived structs also accept a JSON array (fields by position), so `[null]` would pass as an
//! empty search. Every body the routes take is an object, so anything else is a 400 before
//! serde sees it, in the shape of the API the path belongs to (HubSpot's or Pipedrive's).

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::web::{Bytes, Data};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::AppState;
use crate::http::surface_error;

/// A request body that must be a JSON object deserialising to `T`.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<Data<AppState>>()
            .map_or(1024 * 1024, |s| s.config.body_limit);
        let bytes = Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let parsed = match bytes.await {
                Ok(bytes) => parse(&bytes),
                Err(e) => Err(too_large_or_unreadable(e, limit)),
            };
            parsed.map(Json).map_err(|e| surface_error(&req, e))
        })
    }
}

/// Parses an object body into `T`, with HubSpot-style messages naming line and column.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::bad_request(
            "Invalid input JSON: the body must be a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Invalid input JSON on line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

fn too_large_or_unreadable(e: actix_web::Error, limit: usize) -> ApiError {
    let too_large = e
        .as_error::<actix_web::error::PayloadError>()
        .is_some_and(|p| matches!(p, actix_web::error::PayloadError::Overflow));
    if too_large {
        ApiError::PayloadTooLarge(limit)
    } else {
        ApiError::bad_request(format!("Could not read the body: {e}"))
    }
}
