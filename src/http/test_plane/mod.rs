//! The test control plane (`/goalpost/v1/test/…`), served only with `--test-mode`: throwaway
//! portals a test suite creates per test (each with its own tokens, so parallel tests never see
//! each other's data) and deletes with everything in them. Without test mode these routes are
//! not registered at all: a 404, as for any unknown path. Calls need the `goalpost.test` scope.

pub mod controls;
pub mod data;
pub mod faults;
pub mod layer;
pub mod recorder;
pub mod rules;

use super::{entry, RouteEntry, TEST_PLANE};
use crate::auth::{self, Principal, DEFAULT_USER};
use crate::db;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use crate::portals::{self, ValidationMode};
use actix_web::http::Method;
use actix_web::web::{self, Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::json;

pub(super) const SCOPE: &str = "goalpost.test";

/// The caller may use the test plane (the routes exist only in test mode).
fn allowed(who: &Principal) -> Result<(), ApiError> {
    who.require(&[SCOPE])
}

/// The live portal a control route names (404 for an unknown or deleted one).
pub(super) async fn target(
    state: &AppState,
    who: &Principal,
    raw: &str,
) -> Result<PortalId, ApiError> {
    allowed(who)?;
    let missing = || ApiError::not_found_named("No such portal", "portalId", raw);
    let portal = raw
        .parse::<i64>()
        .ok()
        .filter(|p| *p > 0)
        .map(PortalId)
        .ok_or_else(missing)?;
    let live = db::run(&state.pool, move |conn| portals::live(conn, portal)).await?;
    if live {
        Ok(portal)
    } else {
        Err(missing())
    }
}

/// A portal whose data a control replaces (reset, restore, seed): as [`target`], and never the
/// default portal or the caller's own, which `delete` refuses too.
pub(super) async fn throwaway(
    state: &AppState,
    who: &Principal,
    raw: &str,
) -> Result<PortalId, ApiError> {
    let portal = target(state, who, raw).await?;
    if portal == who.portal || portal.0 == portals::DEFAULT_PORTAL {
        return Err(ApiError::bad_request(
            "Neither the default portal nor the caller's own portal can be reset, restored or seeded",
        ));
    }
    Ok(portal)
}

/// The test plane's routes (registered only in test mode).
pub(super) fn routes() -> Vec<RouteEntry> {
    let portals = format!("{TEST_PLANE}portals");
    let one = format!("{portals}/{{portalId}}");
    let p = |s: &str| format!("{one}{s}");
    vec![
        entry(Method::POST, portals.clone(), || web::post().to(create)),
        entry(Method::DELETE, one.clone(), || web::delete().to(delete)),
        entry(Method::POST, p("/reset"), || web::post().to(data::reset)),
        entry(Method::POST, p("/seed"), || web::post().to(data::seed)),
        entry(Method::GET, p("/snapshots"), || {
            web::get().to(data::snapshots)
        }),
        entry(Method::POST, p("/snapshots/{name}"), || {
            web::post().to(data::take)
        }),
        entry(Method::DELETE, p("/snapshots/{name}"), || {
            web::delete().to(data::drop)
        }),
        entry(Method::POST, p("/snapshots/{name}/restore"), || {
            web::post().to(data::restore)
        }),
        entry(Method::GET, p("/clock"), || web::get().to(controls::clock)),
        entry(Method::PUT, p("/clock"), || {
            web::put().to(controls::set_clock)
        }),
        entry(Method::DELETE, p("/clock"), || {
            web::delete().to(controls::real_clock)
        }),
        entry(Method::POST, p("/clock/advance"), || {
            web::post().to(controls::advance)
        }),
        entry(Method::GET, p("/faults"), || {
            web::get().to(controls::faults)
        }),
        entry(Method::POST, p("/faults"), || {
            web::post().to(controls::add_fault)
        }),
        entry(Method::DELETE, p("/faults"), || {
            web::delete().to(controls::clear_faults)
        }),
        entry(Method::DELETE, p("/faults/{faultId}"), || {
            web::delete().to(controls::remove_fault)
        }),
        entry(Method::GET, p("/requests"), || {
            web::get().to(controls::requests)
        }),
        entry(Method::DELETE, p("/requests"), || {
            web::delete().to(controls::clear_requests)
        }),
    ]
}

/// `POST /goalpost/v1/test/portals` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewPortal {
    /// The scopes of the portal's token (default: every API scope but the test plane's).
    scopes: Option<Vec<String>>,
    name: Option<String>,
    time_zone: Option<String>,
    /// `strict` (the default) or `lenient`.
    validation_mode: Option<String>,
}

/// `POST /goalpost/v1/test/portals` — a fresh portal and a token for it.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    body: Json<NewPortal>,
) -> Result<HttpResponse, ApiError> {
    allowed(&who)?;
    let body = body.into_inner();
    let scopes: Vec<String> = match body.scopes {
        // A test portal's token never gets the test plane's own scope.
        Some(list) if list.iter().any(|s| s == SCOPE) => {
            return Err(ApiError::bad_request(format!(
                "a test portal's token cannot have {SCOPE}"
            )))
        }
        Some(list) => auth::parse_scopes(&list.join(",")).map_err(ApiError::bad_request)?,
        None => auth::ALL_SCOPES
            .iter()
            .filter(|s| **s != SCOPE)
            .map(|s| s.to_string())
            .collect(),
    };
    let mode = match body.validation_mode.as_deref() {
        None => None,
        Some(m) => Some(ValidationMode::parse(m).ok_or_else(|| {
            ApiError::bad_request(format!(
                "validationMode must be strict or lenient, not {m:?}"
            ))
        })?),
    };
    let name = body.name.unwrap_or_else(|| "test portal".into());
    if name.chars().count() > 200 || name == portals::DELETED {
        return Err(ApiError::bad_request(format!(
            "name must be at most 200 characters and not {:?}",
            portals::DELETED
        )));
    }
    let shown = scopes.clone();
    let (portal, token) = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let portal = portals::create_portal(tx, &name, body.time_zone.as_deref(), mode)?;
            let (_, token) = auth::create_token_in(tx, portal, "test", &scopes, DEFAULT_USER)?;
            Ok((portal, token))
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "portalId": portal.0.to_string(), "token": token, "scopes": shown,
    })))
}

/// `DELETE /goalpost/v1/test/portals/{portalId}` — the portal and everything in it, at once.
/// Deleting a deleted portal again purges it again (204): a write that was already under way
/// when it was deleted can have left something.
pub async fn delete(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    allowed(&who)?;
    let raw = path.into_inner();
    let portal = raw
        .parse::<i64>()
        .ok()
        .filter(|p| *p > 0)
        .map(PortalId)
        .ok_or_else(|| ApiError::not_found_named("No such portal", "portalId", &raw))?;
    if portal == who.portal || portal.0 == portals::DEFAULT_PORTAL {
        return Err(ApiError::bad_request(
            "Neither the default portal nor the caller's own portal can be deleted",
        ));
    }
    let gone = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            if !portals::exists(tx, portal)? {
                return Ok(false);
            }
            db::purge::purge_portal(tx, portal.0)?;
            portals::mark_deleted(tx, portal)?;
            // Every instance drops the portal's cached tokens.
            db::cluster::bump(tx, db::cluster::TOKENS)?;
            Ok(true)
        })
    })
    .await?;
    if gone {
        state.faults.forget(portal.0);
        state.recorder.clear(portal.0);
        state.forget_types(portal);
        // This instance at once; the others at their next version poll (within a second).
        state.tokens.clear();
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found_named(
            "No such portal",
            "portalId",
            &raw,
        ))
    }
}
