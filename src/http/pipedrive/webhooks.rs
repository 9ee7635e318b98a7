//! Pipedrive's webhooks API (`POST /v1/webhooks`, `GET /v1/webhooks`, `DELETE
//! /v1/webhooks/{id}`): webhooks of the caller's portal that receive its Pipedrive goal events.
//! Adding and removing need `goals:full`, listing `goals:read` or `goals:full`.

use super::{Caller, PdError, FULL, READ};
use crate::db;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use crate::webhooks::pipedrive::{self as hooks, NewHook, ACTIONS, OBJECTS};
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

fn text(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
    }
}

fn one_of(body: &Map<String, Value>, name: &str, allowed: &[&str]) -> Result<String, ApiError> {
    match text(body, name)? {
        Some(v) if allowed.contains(&v.as_str()) => Ok(v),
        Some(v) => Err(ApiError::bad_request(format!(
            "{name} must be one of {}, not {v:?}",
            allowed.join(", ")
        ))),
        None => Err(ApiError::bad_request(format!("{name} is required"))),
    }
}

/// `POST /webhooks`
pub async fn add(
    state: Data<AppState>,
    Caller(who): Caller,
    body: Json<Map<String, Value>>,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let url = text(&body, "subscription_url")?
        .ok_or_else(|| ApiError::bad_request("subscription_url is required"))?;
    crate::webhooks::check_url(&url)
        .map_err(|why| ApiError::bad_request(format!("subscription_url {why}")))?;
    // A name is Pipedrive's label for the webhook: checked, not kept.
    text(&body, "name")?;
    let user_id = match body.get("user_id") {
        None | Some(Value::Null) => who.user_id,
        Some(v) => v
            .as_i64()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::bad_request("user_id must be a positive integer"))?,
    };
    let new = NewHook {
        url,
        action: one_of(&body, "event_action", ACTIONS)?,
        object: one_of(&body, "event_object", OBJECTS)?,
        user_id,
        auth: (
            text(&body, "http_auth_user")?,
            text(&body, "http_auth_password")?,
        ),
        version: match text(&body, "version")? {
            None => "2.0".into(),
            Some(v) if v == "1.0" || v == "2.0" => v,
            Some(v) => {
                return Err(
                    ApiError::bad_request(format!("version must be 1.0 or 2.0, not {v:?}")).into(),
                )
            }
        },
    };
    let hook = db::run(&state.pool, move |c| hooks::add(c, who.portal, &new)).await?;
    let body = json!({"success": true, "status": "ok", "data": hooks::render(&hook)});
    Ok(HttpResponse::Created().json(body))
}

/// `GET /webhooks`
pub async fn list(state: Data<AppState>, Caller(who): Caller) -> Result<HttpResponse, PdError> {
    who.require(READ)?;
    let all = db::run(&state.pool, move |c| hooks::list(c, who.portal)).await?;
    let data: Vec<Value> = all.iter().map(hooks::render).collect();
    Ok(HttpResponse::Ok().json(json!({"success": true, "status": "ok", "data": data})))
}

/// `DELETE /webhooks/{id}`
pub async fn delete(
    state: Data<AppState>,
    Caller(who): Caller,
    path: Path<String>,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let id: i64 = path.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::bad_request(format!("id must be a webhook id, not {:?}", *path))
    })?;
    let gone = db::run(&state.pool, move |c| hooks::delete(c, who.portal, id)).await?;
    if !gone {
        return Err(ApiError::not_found_named("Webhook not found", "id", &id.to_string()).into());
    }
    Ok(HttpResponse::Ok().json(json!({"success": true, "status": "ok"})))
}
