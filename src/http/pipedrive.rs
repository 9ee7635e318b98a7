//! Pipedrive's Goals API v1 under `/v1` and `/api/v1`: Pipedrive's envelopes and error shape,
//! the same tokens (`x-api-token`, `?api_token=`, Bearer) with scopes `goals:read` and
//! `goals:full`.

use crate::auth::Principal;
use crate::db;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::http::{status, trace};
use crate::pipedrive::find::Query;
use crate::pipedrive::model::{self, goal_json, parse_date};
use crate::pipedrive::results;
use crate::pipedrive::store::{self, StoredGoal, When};
use crate::portals::portal_settings;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use std::future::Future;
use std::pin::Pin;

/// The path prefixes Pipedrive serves v1 under (SDK default and company domain form).
pub const PREFIXES: [&str; 2] = ["/v1", "/api/v1"];

const READ: &[&str] = &["goals:read", "goals:full"];
const FULL: &[&str] = &["goals:full"];
const TYPE: &str = "goal_targets";

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
pub struct Caller(Principal);

impl FromRequest for Caller {
    type Error = PdError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, PdError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let inner = Principal::from_request(req, payload);
        Box::pin(async move { inner.await.map(Caller).map_err(PdError) })
    }
}

/// The success envelope, with the goals service's extra keys Pipedrive's examples show.
fn ok(data: Option<Value>) -> HttpResponse {
    let mut body = Map::new();
    body.insert("success".into(), json!(true));
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    body.insert("statusCode".into(), json!(20000));
    body.insert("statusText".into(), json!("OK"));
    body.insert("service".into(), json!("statistics-goals-api"));
    HttpResponse::Ok().json(Value::Object(body))
}

/// Reads a JSON object body under the configured limit.
async fn body(
    state: &AppState,
    mut payload: actix_web::web::Payload,
) -> Result<Map<String, Value>, PdError> {
    let limit = state.config.body_limit;
    let mut bytes = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("Could not read the body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit).into());
        }
        bytes.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("The body must be a JSON object").into()),
        Err(e) => Err(ApiError::bad_request(format!(
            "Invalid JSON body on line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
        .into()),
    }
}

/// The portal's time zone and today there.
fn when(conn: &mut db::Conn, portal: PortalId) -> Result<When, ApiError> {
    let tz = portal_settings(conn, portal)?.tz();
    Ok(When::now(tz))
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
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let body = body(&state, payload).await?;
    let spec = model::parse(&body).map_err(ApiError::bad_request)?;
    let otype = state.object_type(who.portal, TYPE).await?;
    let goal = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let at = when(tx, who.portal)?;
            let id = store::create(tx, &otype, who.portal, who.user_id, &spec, at)?;
            render(&store::find(tx, who.portal, &id)?, &at)
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
    let goals = db::run(&state.pool, move |conn| {
        conn.read_tx(|tx| {
            let at = when(tx, who.portal)?;
            let mut out = Vec::new();
            for g in store::load(tx, who.portal, None)? {
                let v = render(&g, &at)?;
                if query.selects(&v, who.user_id) {
                    out.push(v);
                }
            }
            Ok(out)
        })
    })
    .await?;
    Ok(ok(Some(json!({ "goals": goals }))))
}

/// `PUT /goals/{id}` — change a goal; fields left out stay as they are.
pub async fn update(
    state: Data<AppState>,
    Caller(who): Caller,
    path: Path<String>,
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, PdError> {
    who.require(FULL)?;
    let body = body(&state, payload).await?;
    let otype = state.object_type(who.portal, TYPE).await?;
    let id = path.into_inner();
    let goal = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let at = when(tx, who.portal)?;
            let goal = store::find(tx, who.portal, &id)?;
            let spec =
                model::parse(&model::merge(&goal.spec()?, &body)).map_err(ApiError::bad_request)?;
            store::update(tx, &otype, who.portal, &goal, &spec, at)?;
            render(&store::find(tx, who.portal, &goal.id)?, &at)
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
            store::delete(
                tx,
                &otype,
                who.portal,
                &goal,
                crate::engine::value::now_ms(),
            )
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
