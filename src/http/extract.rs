//! The actix extractor that turns a request's credentials into a [`Principal`].

use crate::auth::{lookup, Cached, Principal};
use crate::db;
use crate::error::ApiError;
use crate::http::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The token a request presents: Pipedrive's `x-api-token` header or `api_token` query
/// parameter, or `Authorization: Bearer …`. An API token wins over a bearer token, as in
/// Pipedrive's clients; a request presenting two different tokens is judged by that one, so an
/// invalid API token is a 401 even beside a valid bearer token.
pub fn presented_token(req: &HttpRequest) -> Option<String> {
    let headers = req.headers();
    if let Some(v) = headers.get("x-api-token") {
        // A header that is not visible text presents a token no one holds.
        return Some(v.to_str().map(|s| s.trim().to_owned()).unwrap_or_default());
    }
    let query = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "api_token"));
    if let Some((_, v)) = query {
        return Some(v);
    }
    let v = headers.get("authorization")?.to_str().ok()?.trim();
    if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
        Some(v[7..].trim().to_owned())
    } else {
        // Another scheme (Basic, …) presents no token we accept.
        Some(String::new())
    }
}

/// The id of the token a request was authenticated with, kept in its extensions for the
/// middleware that records a write's position (read-your-writes).
#[derive(Debug, Clone, Copy)]
pub struct TokenId(pub i64);

/// The principal of a presented token: from the cache, else looked up (and cached); `None`
/// for a token no one holds (unknown, revoked, expired).
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<Principal>, ApiError> {
    if token.is_empty() || token.len() > 512 {
        return Ok(None);
    }
    let now = crate::engine::value::now_ms();
    if let Some(p) = state.tokens.get(token, now) {
        return Ok(Some(p));
    }
    let generation = state.tokens.generation();
    let t = token.to_owned();
    let found = db::run_point(&state.pool, move |conn| lookup(conn, &t)).await?;
    Ok(found.map(|(principal, until)| {
        let cached = Cached {
            principal: principal.clone(),
            until,
        };
        state.tokens.put(token, cached, generation);
        principal
    }))
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // A test seed's line acts as the portal's admin (see `test_plane::data::seed`).
        if let Some(s) = req
            .extensions()
            .get::<crate::http::test_plane::data::Seeding>()
        {
            let p = s.0.clone();
            return Box::pin(async move { Ok(p) });
        }
        let token = presented_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::Unauthenticated);
            };
            if token.is_empty() || token.len() > 512 {
                return Err(ApiError::Unauthenticated);
            }
            let principal = resolve(&state, &token)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            state
                .tokens
                .note_use(principal.token_id, crate::engine::value::now_ms());
            // For the middleware that records a write's position (read-your-writes).
            req.extensions_mut().insert(TokenId(principal.token_id));
            Ok(principal)
        })
    }
}
