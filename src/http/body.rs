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
        let parsed = extract::<T>(req, payload, b'{');
        Box::pin(async move { parsed.await.map(Json) })
    }
}

/// A request body that must be a JSON array of `T` (v4 association specs).
pub struct JsonList<T>(pub Vec<T>);

impl<T: DeserializeOwned + 'static> FromRequest for JsonList<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parsed = extract::<Vec<T>>(req, payload, b'[');
        Box::pin(async move { parsed.await.map(JsonList) })
    }
}

/// Reads the body and parses it as `T`, refusing a body that does not open with `open`.
fn extract<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    open: u8,
) -> LocalBoxFuture<'static, Result<T, actix_web::Error>> {
    let limit = req
        .app_data::<Data<AppState>>()
        .map_or(1024 * 1024, |s| s.config.body_limit);
    let bytes = Bytes::from_request(req, payload);
    let req = req.clone();
    Box::pin(async move {
        let parsed = match bytes.await {
            Ok(bytes) => parse_opening(&bytes, open),
            Err(e) => Err(too_large_or_unreadable(e, limit)),
        };
        parsed.map_err(|e| surface_error(&req, e))
    })
}

/// Parses an object body into `T`, with HubSpot-style messages naming line and column.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_opening(bytes, b'{')
}

fn parse_opening<T: DeserializeOwned>(bytes: &[u8], open: u8) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != open) {
        let what = if open == b'[' { "array" } else { "object" };
        return Err(ApiError::bad_request(format!(
            "Invalid input JSON: the body must be a JSON {what}"
        )));
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
