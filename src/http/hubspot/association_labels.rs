//! The labels of a pair of object types (HubSpot's associations v4 schema API): list the
//! pair's default type and labels, create a label (a type per direction), relabel, delete.

use super::associations::ends;
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::labels::{self, NewLabel};
use crate::engine::associations::{self, category};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

fn spec_json(type_id: i32, label: Option<&str>) -> Value {
    json!({"category": category(type_id), "typeId": type_id, "label": label})
}

/// `GET …/{from}/{to}/labels` — the pair's default type and its labels.
pub async fn labels_list(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = ends(&state, &who, &path.0, &path.1, false).await?;
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    let portal = who.portal;
    let list = db::run(&state.pool, move |conn| {
        labels::between(conn, portal, from.name, to.name)
    })
    .await?;
    let mut results = vec![spec_json(default.forward, None)];
    results.extend(list.iter().map(|l| spec_json(l.type_id, Some(&l.label))));
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// `POST …/{from}/{to}/labels` — 200 with the new type and its inverse.
pub async fn labels_create(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<NewLabel>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let new = body.into_inner();
    let portal = who.portal;
    let (a, b) = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| labels::create(tx, portal, from.name, to.name, &new, who.now()))
    })
    .await?;
    let results = vec![
        spec_json(a.type_id, Some(&a.label)),
        spec_json(b.type_id, Some(&b.label)),
    ];
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelUpdate {
    association_type_id: i32,
    label: String,
    inverse_label: Option<String>,
}

/// `PUT …/{from}/{to}/labels` — 204.
pub async fn labels_update(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<LabelUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let u = body.into_inner();
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            labels::update(
                tx,
                portal,
                from.name,
                to.name,
                u.association_type_id,
                &u.label,
                u.inverse_label.as_deref(),
            )
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE …/{from}/{to}/labels/{associationTypeId}` — 204.
pub async fn labels_delete(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (from_name, to_name, raw) = path.into_inner();
    let (from, to) = ends(&state, &who, &from_name, &to_name, true).await?;
    let type_id: i32 = raw.trim().parse().map_err(|_| {
        ApiError::bad_request(format!(
            "associationTypeId must be a whole number, not {raw:?}"
        ))
    })?;
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| labels::delete(tx, portal, from.name, to.name, type_id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
