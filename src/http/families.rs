//! goalpost's own family routes (`/goalpost/v1/families/{uuid}`): read a whole goal family,
//! archive or restore it atomically. Same tokens and scopes as goal_targets.

use crate::auth::Principal;
use crate::db;
use crate::engine::store::ObjectRow;
use crate::error::ApiError;
use crate::goals::family;
use crate::goals::rules::{GROUP, GROUP_PROPS, MILESTONE, START};
use crate::http::hubspot::wire::{render, Wanted};
use crate::http::hubspot::{for_read, for_write};
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const TYPE: &str = "goal_targets";

/// `GET /goalpost/v1/families/{uuid}` — groups and slices (`?archived=true`: archived ones).
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let otype = for_read(&state, &who, TYPE).await?;
    let archived = q.bool("archived", false)?;
    let uuid = path.into_inner();
    let (t, u) = (otype.clone(), uuid.clone());
    let rows = db::run(&state.pool, move |conn| {
        family::load(conn, &t, who.portal, &u, archived)
    })
    .await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound {
            message: format!("No goal family {uuid}"),
            context: [("family".to_owned(), json!([uuid]))].into_iter().collect(),
        });
    }
    Ok(HttpResponse::Ok().json(family_json(&uuid, &rows, |r| {
        render(&otype, r, &Wanted::AllSet, None)
    })))
}

/// `POST /goalpost/v1/families/{uuid}/archive` — every live slice, in one transaction.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_write(&state, &who, TYPE).await?;
    let uuid = path.into_inner();
    let u = uuid.clone();
    let rows = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| family::archive(tx, &otype, who.portal, &u, who.now()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"correlationUuid": uuid, "archived": rows.len()})))
}

/// `POST /goalpost/v1/families/{uuid}/restore` — every archived slice, re-checked by the rules.
pub async fn restore(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_write(&state, &who, TYPE).await?;
    let uuid = path.into_inner();
    let (t, u) = (otype.clone(), uuid.clone());
    let rows = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| family::restore(tx, &t, who.portal, &u, who.now()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(family_json(&uuid, &rows, |r| {
        render(&otype, r, &Wanted::AllSet, None)
    })))
}

/// A family as `GET /goalpost/v1/families/{uuid}` shows it.
pub fn family_json(uuid: &str, rows: &[ObjectRow], render: impl Fn(&ObjectRow) -> Value) -> Value {
    let mut groups: BTreeMap<String, Vec<&ObjectRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(r.properties.get(GROUP).unwrap_or("").to_owned())
            .or_default()
            .push(r);
    }
    let first = rows.first();
    let get = |p: &str| first.and_then(|r| r.properties.get(p)).map(str::to_owned);
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(gid, mut slices)| {
            slices.sort_by(|a, b| a.properties.get(START).cmp(&b.properties.get(START)).then(a.id.cmp(&b.id)));
            let one = slices.first().map(|r| &r.properties);
            let assignee: Map<String, Value> = GROUP_PROPS
                .iter()
                .filter_map(|p| one.and_then(|d| d.get(p)).map(|v| (p.to_string(), json!(v))))
                .collect();
            json!({"groupId": gid, "assignee": assignee, "slices": slices.iter().map(|r| render(r)).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "correlationUuid": uuid,
        "name": get("hs_goal_name"),
        "goalType": get("hs_goal_type"),
        "milestone": get(MILESTONE),
        "groups": groups,
    })
}
