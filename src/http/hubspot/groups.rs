//! `/crm/v3/properties/{objectType}/groups`: list, read, create, update and archive property
//! groups, with the properties API's scopes.

use super::properties::{readable, writable};
use super::versions::Version;
use crate::auth::Principal;
use crate::db;
use crate::engine::properties::groups::{self, Group, GroupCreate, GroupUpdate};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// `PropertyGroup` as HubSpot's clients model it.
fn render(g: &Group) -> Value {
    json!({"name": g.name, "label": g.label, "displayOrder": g.display_order,
           "archived": g.archived})
}

/// `GET …/groups` (`archived=true`: the archived custom groups).
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let archived = q.bool("archived", false)?;
    let t = readable(&state, &who, &path).await?;
    let portal = who.portal;
    let list = db::run(&state.pool, move |conn| {
        groups::list(conn, &t, portal, archived)
    })
    .await?;
    let results: Vec<Value> = list.iter().map(render).collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// `GET …/groups/{groupName}`
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    let t = readable(&state, &who, &type_name).await?;
    let portal = who.portal;
    let group = db::run(&state.pool, move |conn| {
        groups::read(conn, &t, portal, &name)
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&group)))
}

/// `POST …/groups` — 201.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    version: &'static Version,
    path: Path<String>,
    body: Json<GroupCreate>,
) -> Result<HttpResponse, ApiError> {
    let base = writable(&state, &who, &path).await?;
    let portal = who.portal;
    let input = body.into_inner();
    let group = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            crate::portals::ensure_portal(tx, portal, &format!("portal {}", portal.0))?;
            groups::create(tx, &base, portal, &input, who.now())
        })
    })
    .await?;
    let location = format!("{}/{}/groups/{}", version.properties, path, group.name);
    Ok(version.created(location, &group.name, render(&group)))
}

/// `PATCH …/groups/{groupName}`
pub async fn update(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<GroupUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    let base = writable(&state, &who, &type_name).await?;
    let portal = who.portal;
    let patch = body.into_inner();
    let group = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| groups::update(tx, &base, portal, &name, &patch, who.now()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&group)))
}

/// `DELETE …/groups/{groupName}` — 204.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    let base = writable(&state, &who, &type_name).await?;
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| groups::archive(tx, &base, portal, &name, who.now()))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
