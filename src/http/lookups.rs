//! goalpost's lookup routes (`/goalpost/v1/lookups/{kind}[/{id}]`): the pipelines, stages,
//! activity types, currencies and teams that give deal, activity and goal ids their meaning.
//! Read with any goals or deals read scope; change with `goals:full` or `crm.objects.deals.write`.

use crate::auth::Principal;
use crate::crm::lookups;
use crate::db;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

const READ: &[&str] = &[
    "goals:read",
    "goals:full",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
];
const WRITE: &[&str] = &["goals:full", "crm.objects.deals.write"];

fn id(raw: &str) -> Result<i64, ApiError> {
    crate::http::hubspot::parse_id(raw)
}

/// `GET …/{kind}` — every record of a kind.
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    kind: Path<String>,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let kind = lookups::kind(&kind)?;
    let rows = db::run(&state.pool, move |conn| {
        lookups::list(conn, who.portal, kind.name)
    })
    .await?;
    let results: Vec<Value> = rows
        .iter()
        .map(|(id, doc)| lookups::render(*id, doc))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// `GET …/{kind}/{id}` — one record.
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let (kind, raw) = path.into_inner();
    let kind = lookups::kind(&kind)?;
    let n = id(&raw)?;
    let found = db::run(&state.pool, move |conn| {
        lookups::get_many(conn, who.portal, kind.name, &[n])
    })
    .await?;
    match found.first() {
        Some((id, doc)) => Ok(HttpResponse::Ok().json(lookups::render(*id, doc))),
        None => Err(ApiError::object_not_found(&raw)),
    }
}

/// `PUT …/{kind}/{id}` — create or replace a record.
pub async fn put(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let (kind, raw) = path.into_inner();
    let kind = lookups::kind(&kind)?;
    let n = id(&raw)?;
    let mut doc = kind.validate(&body)?;
    let owners = kind.name == "owners";
    if owners {
        crate::crm::owners::check(&doc)?;
    }
    let now = who.now();
    let shown = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            if owners {
                crate::crm::owners::stamp(tx, who.portal, n, &mut doc, now)?;
            }
            lookups::put(tx, who.portal, kind, n, &doc)?;
            team_changed(tx, who.portal, kind, n)?;
            Ok(lookups::render(n, &doc))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(shown))
}

/// `DELETE …/{kind}/{id}` — remove a record (204; 404 if there was none).
pub async fn delete(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let (kind, raw) = path.into_inner();
    let kind = lookups::kind(&kind)?;
    let n = id(&raw)?;
    let gone = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let gone = lookups::delete(tx, who.portal, kind, n)?;
            team_changed(tx, who.portal, kind, n)?;
            Ok(gone)
        })
    })
    .await?;
    if gone {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::object_not_found(&raw))
    }
}

/// A team's members changed: its goal targets' attainment counts other people now.
fn team_changed(
    conn: &mut crate::db::Conn,
    portal: crate::engine::store::PortalId,
    kind: &lookups::Kind,
    id: i64,
) -> Result<(), ApiError> {
    if kind.name != "teams" {
        return Ok(());
    }
    let ids = crate::attainment::refresh::team_slices(conn, portal, id)?;
    let now = crate::portals::clock::clock(conn, portal)?.now();
    crate::attainment::refresh::recompute_by_time(conn, portal, &ids, now)
}
