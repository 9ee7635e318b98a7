//! HubSpot's webhooks API v3 (`/webhooks/v3/{appId}/settings`, `…/subscriptions`), per portal:
//! where an app's events go and which events it wants. Reads need `goalpost.webhooks.read` or
//! `.write`; changes need `goalpost.webhooks.write`.

use crate::auth::Principal;
use crate::db;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use crate::webhooks::payload;
use crate::webhooks::store::{self, Settings, Subscription};
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

const READ: &[&str] = &["goalpost.webhooks.read", "goalpost.webhooks.write"];
const WRITE: &[&str] = &["goalpost.webhooks.write"];

/// A path id (HubSpot's are int32).
fn path_id(name: &str, raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .map(i64::from)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} must be an integer from 1 to 2147483647, not {raw:?}"
            ))
        })
}

fn app(raw: &str) -> Result<i64, ApiError> {
    path_id("appId", raw)
}

fn settings_json(s: &Settings) -> Value {
    json!({
        "targetUrl": s.target_url,
        "throttling": {"maxConcurrentRequests": s.max_concurrent, "period": s.period},
        "createdAt": format_ms(s.created_at),
        "updatedAt": format_ms(s.updated_at),
    })
}

fn subscription_json(s: &Subscription) -> Value {
    let mut v = json!({
        "id": s.id.to_string(),
        "eventType": s.event_type,
        "active": s.active,
        "createdAt": format_ms(s.created_at),
        "updatedAt": format_ms(s.updated_at),
    });
    if let Some(p) = &s.property_name {
        v["propertyName"] = json!(p);
    }
    if let Some(t) = &s.object_type_id {
        v["objectTypeId"] = json!(t);
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Throttling {
    max_concurrent_requests: i64,
    #[serde(default)]
    period: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsChange {
    target_url: String,
    throttling: Throttling,
}

/// `GET /webhooks/v3/{appId}/settings`
pub async fn get_settings(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let app = app(&path)?;
    let found = db::run(&state.pool, move |c| store::settings(c, who.portal, app)).await?;
    let s = found.ok_or_else(ApiError::resource_not_found)?;
    Ok(HttpResponse::Ok().json(settings_json(&s)))
}

/// `PUT /webhooks/v3/{appId}/settings`
pub async fn put_settings(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<SettingsChange>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let app = app(&path)?;
    let url = body.target_url.clone();
    crate::webhooks::check_url(&url)
        .map_err(|why| ApiError::bad_request(format!("targetUrl {why}")))?;
    let n = body.throttling.max_concurrent_requests;
    if !(1..=100).contains(&n) {
        return Err(ApiError::bad_request(format!(
            "throttling.maxConcurrentRequests must be 1 to 100, not {n}"
        )));
    }
    let period = body.throttling.period.clone().unwrap_or("SECONDLY".into());
    if !["SECONDLY", "ROLLING_MINUTE"].contains(&period.as_str()) {
        return Err(ApiError::bad_request(format!(
            "throttling.period must be SECONDLY or ROLLING_MINUTE, not {period:?}"
        )));
    }
    let s = db::run(&state.pool, move |c| {
        store::put_settings(c, who.portal, app, &url, (n as i32, &period), who.now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(settings_json(&s)))
}

/// `DELETE /webhooks/v3/{appId}/settings`
pub async fn delete_settings(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let app = app(&path)?;
    db::run(&state.pool, move |c| {
        store::delete_settings(c, who.portal, app)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /webhooks/v3/{appId}/subscriptions`
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let app = app(&path)?;
    let subs = db::run(&state.pool, move |c| {
        store::subscriptions(c, who.portal, app)
    })
    .await?;
    let results: Vec<Value> = subs.iter().map(subscription_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionCreate {
    event_type: String,
    #[serde(default)]
    property_name: Option<String>,
    #[serde(default)]
    object_type_id: Option<String>,
    /// HubSpot's display name of the event type; accepted, not kept.
    #[serde(default)]
    #[allow(dead_code)]
    event_type_name: Option<String>,
    /// HubSpot: "Defaults to false".
    #[serde(default)]
    active: bool,
}

/// `POST /webhooks/v3/{appId}/subscriptions`
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<SubscriptionCreate>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let app = app(&path)?;
    let ids = state.registry.type_ids();
    let new = payload::subscription(
        &ids,
        &body.event_type,
        body.object_type_id.as_deref(),
        body.property_name.as_deref(),
        body.active,
    )?;
    // Deliveries carry property values: subscribe only to types this token may read.
    let subscribed = payload::subscribed_type(&new.event_type, new.object_type_id.as_deref());
    if let Some(t) = subscribed.and_then(|id| state.registry.find(&id)) {
        who.require(t.read_scopes)?;
    }
    let s = db::run(&state.pool, move |c| {
        store::create_subscription(c, who.portal, app, &new, who.now())
    })
    .await?;
    Ok(HttpResponse::Created().json(subscription_json(&s)))
}

fn sub_id(raw: &str) -> Result<i64, ApiError> {
    path_id("subscriptionId", raw)
}

/// `GET /webhooks/v3/{appId}/subscriptions/{subscriptionId}`
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let (app, id) = (app(&path.0)?, sub_id(&path.1)?);
    let found = db::run(&state.pool, move |c| {
        store::subscription(c, who.portal, app, id)
    })
    .await?;
    let s = found.ok_or_else(ApiError::resource_not_found)?;
    Ok(HttpResponse::Ok().json(subscription_json(&s)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Patch {
    active: bool,
}

/// `PATCH /webhooks/v3/{appId}/subscriptions/{subscriptionId}`
pub async fn patch(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Patch>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let (app, id) = (app(&path.0)?, sub_id(&path.1)?);
    let active = body.active;
    let out = db::run(&state.pool, move |c| {
        store::set_active(c, who.portal, app, &[(id, active)], who.now())
    })
    .await?;
    let s = out.first().ok_or_else(ApiError::resource_not_found)?;
    Ok(HttpResponse::Ok().json(subscription_json(s)))
}

/// `DELETE /webhooks/v3/{appId}/subscriptions/{subscriptionId}`
pub async fn delete(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let (app, id) = (app(&path.0)?, sub_id(&path.1)?);
    db::run(&state.pool, move |c| {
        store::delete_subscription(c, who.portal, app, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchUpdateInput {
    id: i32,
    active: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchUpdate {
    inputs: Vec<BatchUpdateInput>,
}

/// `POST /webhooks/v3/{appId}/subscriptions/batch/update`: the known ids change; unknown ones
/// make it a 207 naming them, as HubSpot answers.
pub async fn batch_update(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<BatchUpdate>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let app = app(&path)?;
    if body.inputs.is_empty() || body.inputs.len() > 100 {
        return Err(ApiError::bad_request(
            "inputs must hold 1 to 100 subscriptions",
        ));
    }
    let changes: Vec<(i64, bool)> = body
        .inputs
        .iter()
        .map(|i| (i64::from(i.id), i.active))
        .collect();
    let started = format_ms(who.now());
    let asked: Vec<i64> = changes.iter().map(|c| c.0).collect();
    let (portal, clock) = (who.portal, who.clock);
    let out = db::run(&state.pool, move |c| {
        store::set_active(c, portal, app, &changes, clock.now())
    })
    .await?;
    let results: Vec<Value> = out.iter().map(subscription_json).collect();
    let missing: Vec<String> = asked
        .iter()
        .filter(|id| !out.iter().any(|s| s.id == **id))
        .map(|id| id.to_string())
        .collect();
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": format_ms(who.now()),
    });
    if missing.is_empty() {
        return Ok(HttpResponse::Ok().json(body));
    }
    body["numErrors"] = json!(1);
    body["errors"] = json!([{
        "status": "error",
        "category": "SUBSCRIPTION_ID_NOT_FOUND",
        "subCategory": "SubscriptionErrors.SUBSCRIPTION_IDS_NOT_FOUND",
        "message": format!("Failed to find subscriptions by id `{}`.", missing.join("`, `")),
        "context": {"subscriptionIds": missing},
        "errors": [],
        "links": {},
    }]);
    Ok(HttpResponse::MultiStatus().json(body))
}
