//! Pipedrive's Goals API v1 under `/v1` and `/api/v1`: Pipedrive's envelopes and error shape,
//! the same tokens (`x-api-token`, `?api_token=`, Bearer) with scopes `goals:read` and
//! `goals:full`.

use crate::db;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::pipedrive::events as pd_events;
use crate::pipedrive::find::Query;
use crate::pipedrive::model::{self, parse_date};
use crate::pipedrive::results;
use crate::pipedrive::store::{self, StoredGoal, When};
use crate::portals::portal_settings;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

mod error;
pub mod webhooks;
mod wire;

pub use error::{Caller, PdError};
use wire::goal_json;

/// The path prefixes Pipedrive serves v1 under (SDK default and company domain form).
pub const PREFIXES: [&str; 2] = ["/v1", "/api/v1"];

/// Whether a request path is one of Pipedrive's (its errors then take Pipedrive's shape).
pub fn is_pipedrive_path(path: &str) -> bool {
    PREFIXES.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

pub(crate) const READ: &[&str] = &["goals:read", "goals:full"];
pub(crate) const FULL: &[&str] = &["goals:full"];
const TYPE: &str = "goal_targets";

/// The success envelope, with the goals service's extra keys Pipedrive's examples show.
fn ok(data: Option<Value>) -> HttpResponse {
    ok_with(data, None)
}

/// Pipedrive's success envelope with `additional_data` (pagination).
fn ok_with(data: Option<Value>, additional: Option<Value>) -> HttpResponse {
    let mut body = Map::new();
    body.insert("success".into(), json!(true));
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    if let Some(a) = additional {
        body.insert("additional_data".into(), a);
    }
    body.insert("statusCode".into(), json!(20000));
    body.insert("statusText".into(), json!("OK"));
    body.insert("service".into(), json!("statistics-goals-api"));
    HttpResponse::Ok().json(Value::Object(body))
}

/// The portal's time zone and today there.
fn when(conn: &mut db::Conn, portal: PortalId) -> Result<When, ApiError> {
    let settings = portal_settings(conn, portal)?;
    Ok(When::at(settings.tz(), settings.clock.now()))
}

fn render(goal: &StoredGoal, at: &When) -> Result<Value, ApiError> {
    let spec = goal.spec()?;
    let active = spec.end.is_none_or(|e| e >= at.today);
    Ok(goal_json(
        &goal.id,
        goal.owner_id,
        &spec,
        active,
        &goal.report_ids(),
    ))
}

/// `POST /goals` — add a goal.
pub async fn add(
    state: Data<AppState>,
    Caller(who): Caller,
    body: Json<Map<String, Value>>,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let spec = model::parse(&body).map_err(ApiError::bad_request)?;
    let otype = state.object_type(who.portal, TYPE).await?;
    let goal = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let at = when(tx, who.portal)?;
            let id = store::create(tx, &otype, who.portal, who.user_id, &spec, at)?;
            let goal = render(&store::find(tx, who.portal, &id)?, &at)?;
            let what = (pd_events::ADDED, who.user_id);
            pd_events::record(tx, who.portal, what, &id, Some(&goal), None)?;
            Ok(goal)
        })
    })
    .await?;
    Ok(ok(Some(json!({ "goal": goal }))))
}

/// `GET /goals/find` — goals matching the filters.
pub async fn find(
    state: Data<AppState>,
    Caller(who): Caller,
    q: QueryParams,
) -> Result<HttpResponse, PdError> {
    who.require(READ)?;
    let query = Query::parse(q.pairs()).map_err(ApiError::bad_request)?;
    let (start, limit) = (query.start, query.limit);
    let (portal, user) = (who.portal, who.user_id);
    let goals = state
        .read(&who, false, move |conn| {
            conn.read_tx(|tx| {
                let at = when(tx, portal)?;
                let mut out = Vec::new();
                for g in store::load(tx, portal, None)? {
                    let v = render(&g, &at)?;
                    if query.selects(&v, user) {
                        out.push(v);
                    }
                }
                Ok(out)
            })
        })
        .await?;
    let paged = limit.is_some() || start > 0;
    let more = goals.len() > start.saturating_add(limit.unwrap_or(usize::MAX));
    let goals: Vec<Value> = goals
        .into_iter()
        .skip(start)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    let mut additional = None;
    if paged {
        // Pipedrive's list pagination, sent only to callers that page.
        let mut pagination = json!({"start": start, "more_items_in_collection": more});
        if let Some(l) = limit {
            pagination["limit"] = json!(l);
        }
        if more {
            pagination["next_start"] = json!(start + goals.len());
        }
        additional = Some(json!({ "pagination": pagination }));
    }
    Ok(ok_with(Some(json!({ "goals": goals })), additional))
}

/// `PUT /goals/{id}` — change a goal; fields left out stay as they are.
pub async fn update(
    state: Data<AppState>,
    Caller(who): Caller,
    path: Path<String>,
    body: Json<Map<String, Value>>,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let body = body.into_inner();
    let otype = state.object_type(who.portal, TYPE).await?;
    let id = path.into_inner();
    let goal = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let at = when(tx, who.portal)?;
            let goal = store::find(tx, who.portal, &id)?;
            let spec =
                model::parse(&model::merge(&goal.spec()?, &body)).map_err(ApiError::bad_request)?;
            let previous = render(&goal, &at)?;
            store::update(tx, &otype, who.portal, &goal, &spec, at)?;
            let current = render(&store::find(tx, who.portal, &goal.id)?, &at)?;
            let what = (pd_events::UPDATED, who.user_id);
            pd_events::record(
                tx,
                who.portal,
                what,
                &goal.id,
                Some(&current),
                Some(&previous),
            )?;
            Ok(current)
        })
    })
    .await?;
    Ok(ok(Some(json!({ "goal": goal }))))
}

/// `DELETE /goals/{id}` — mark a goal deleted (its slices are archived).
pub async fn delete(
    state: Data<AppState>,
    Caller(who): Caller,
    path: Path<String>,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let otype = state.object_type(who.portal, TYPE).await?;
    let id = path.into_inner();
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let goal = store::find(tx, who.portal, &id)?;
            let previous = render(&goal, &when(tx, who.portal)?)?;
            store::delete(tx, &otype, who.portal, &goal, who.now())?;
            let what = (pd_events::DELETED, who.user_id);
            pd_events::record(tx, who.portal, what, &goal.id, None, Some(&previous))
        })
    })
    .await?;
    Ok(ok(None))
}

/// `GET /goals/{id}/results` — progress over `period.start` … `period.end`.
pub async fn results(
    state: Data<AppState>,
    Caller(who): Caller,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, PdError> {
    who.require(READ)?;
    let date = |name: &str| -> Result<_, ApiError> {
        let raw = q
            .get(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("{name} is required")))?;
        parse_date(name, raw).map_err(ApiError::bad_request)
    };
    let period = (date("period.start")?, date("period.end")?);
    let otype = state.object_type(who.portal, TYPE).await?;
    let id = path.into_inner();
    let out = db::run(&state.pool, move |conn| {
        // A write transaction: the computed values are stored on the slices too.
        conn.write_tx(|tx| {
            let at = when(tx, who.portal)?;
            let goal = store::find(tx, who.portal, &id)?;
            let r = results::compute(tx, &otype, who.portal, &goal, period, at)?;
            Ok(json!({
                "progress": model::number_json(r.progress),
                "goal": render(&goal, &at)?,
                "intervals": r.intervals,
            }))
        })
    })
    .await?;
    Ok(ok(Some(out)))
}
