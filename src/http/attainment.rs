//! Attainment routes: a family's pacing and roll-ups
//! (`GET /goalpost/v1/families/{uuid}/attainment`) and its recalculation on demand
//! (`POST …/recalculate`). Same tokens and scopes as goal_targets.

use crate::attainment::{self, definition, pacing, Types};
use crate::auth::Principal;
use crate::crm::lookups;
use crate::db;
use crate::error::ApiError;
use crate::goals::family;
use crate::http::hubspot::{for_read, for_write};
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::json;

const TYPE: &str = "goal_targets";

fn no_family(uuid: &str) -> ApiError {
    ApiError::NotFound {
        message: format!("No goal family {uuid}"),
        context: [("family".to_owned(), json!([uuid]))].into_iter().collect(),
    }
}

/// `GET /goalpost/v1/families/{uuid}/attainment`
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_read(&state, &who, TYPE).await?;
    let uuid = path.into_inner();
    let u = uuid.clone();
    let (rows, teams) = db::run(&state.pool, move |conn| {
        Ok((
            family::load(conn, &otype, who.portal, &u, false)?,
            lookups::team_members(conn, who.portal, None)?,
        ))
    })
    .await?;
    if rows.is_empty() {
        return Err(no_family(&uuid));
    }
    Ok(HttpResponse::Ok().json(pacing::family(&uuid, &rows, &teams, who.now())))
}

/// `POST /goalpost/v1/families/{uuid}/recalculate` — every live slice with a KPI definition,
/// in one transaction.
pub async fn recalculate(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_write(&state, &who, TYPE).await?;
    let uuid = path.into_inner();
    let u = uuid.clone();
    let (slices, defined, changed) = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let rows = family::load(tx, &otype, who.portal, &u, false)?;
            let ids: Vec<i64> = rows
                .iter()
                .filter(|r| definition::defined(&r.properties))
                .map(|r| r.id)
                .collect();
            let types = Types::builtin();
            // Indexed again too: a family written before attainment existed has no entries.
            let kpis: Vec<_> = rows
                .iter()
                .map(|r| {
                    let doc = &r.properties;
                    definition::defined(doc)
                        .then(|| definition::parse(doc, &types.counted).ok())
                        .flatten()
                })
                .collect();
            let slices: Vec<_> = rows
                .iter()
                .zip(&kpis)
                .map(|(r, k)| (r.id, Some(&r.properties), k.as_ref()))
                .collect();
            attainment::refresh::index(tx, who.portal, &slices, who.now())?;
            let changed = attainment::refresh::recompute(
                tx,
                &types.targets,
                &types.counted,
                who.portal,
                &ids,
                who.now(),
                true,
                &[],
            )?;
            Ok((rows.len(), ids.len(), changed.len()))
        })
    })
    .await?;
    if slices == 0 {
        return Err(no_family(&uuid));
    }
    Ok(HttpResponse::Ok().json(json!({"correlationUuid": uuid, "slices": slices, "recalculated": defined, "changed": changed})))
}
