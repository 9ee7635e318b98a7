//! HubSpot's Owners API v3 (`/crm/v3/owners/`, `/{ownerId}`, and the 2026-03 date version)
//! over the `owners` lookup: so HubSpot's clients resolve `hubspot_owner_id` here as they do
//! against HubSpot. Needs `crm.objects.owners.read`.

use crate::auth::Principal;
use crate::crm::owners::{self, Owner};
use crate::db;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Value};

const READ: &[&str] = &["crm.objects.owners.read"];

/// The owners routes, in v3 and the 2026-03 date version; HubSpot's clients ask the list with a
/// trailing slash, its docs without.
pub(in crate::http) fn routes() -> Vec<crate::http::RouteEntry> {
    use crate::http::entry;
    use actix_web::{http::Method, web};
    let mut routes = Vec::new();
    for owners in ["/crm/v3/owners", "/crm/owners/2026-03"] {
        routes.extend([
            entry(Method::GET, owners.into(), || web::get().to(list)),
            entry(Method::GET, format!("{owners}/"), || web::get().to(list)),
            entry(Method::GET, format!("{owners}/{{ownerId}}"), || {
                web::get().to(read)
            }),
        ]);
    }
    routes
}
const MAX_LIMIT: usize = 500;

/// HubSpot's clients send booleans as `true`/`false` (Node) or `True`/`False` (Python).
fn boolean(q: &QueryParams, name: &str) -> Result<bool, ApiError> {
    match q.get(name).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

async fn load(
    state: &AppState,
    who: &Principal,
) -> Result<(Vec<Owner>, Vec<Vec<(i64, String)>>), ApiError> {
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        let all = owners::all(conn, portal)?;
        let teams = owners::teams_of(conn, portal, &all)?;
        Ok((all, teams))
    })
    .await
}

/// `GET /crm/v3/owners/` — owners by id, live ones (or with `archived=true` archived ones
/// only, as HubSpot), filtered by `email` (case-insensitive), paged by `after`.
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let archived = boolean(&q, "archived")?;
    let limit = match q.get("limit") {
        None => 100,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}"
                ))
            })?,
    };
    let after = match q.get("after") {
        None | Some("") => 0,
        Some(raw) => raw.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!(
                "after {raw:?} is not a cursor from paging.next.after"
            ))
        })?,
    };
    let email = q.get("email").map(str::to_lowercase);
    let (all, teams) = load(&state, &who).await?;
    let mut chosen = all.iter().zip(&teams).filter(|(o, _)| {
        o.archived() == archived
            && o.id > after
            && email
                .as_deref()
                .is_none_or(|e| o.email().is_some_and(|m| m.to_lowercase() == e))
    });
    let results: Vec<Value> = chosen
        .by_ref()
        .take(limit)
        .map(|(o, t)| o.public(t))
        .collect();
    let more = chosen.next().is_some();
    let mut body = json!({ "results": results });
    if more {
        let last = &body["results"][limit - 1]["id"];
        let after = last.as_str().unwrap_or_default().to_owned();
        body["paging"] = json!({"next": {"after": after, "link": format!("?after={after}")}});
    }
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /crm/v3/owners/{ownerId}` — by owner id, or by user id with `idProperty=userId`.
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    let raw = path.into_inner();
    let archived = boolean(&q, "archived")?;
    let by_user = match q.get("idProperty") {
        None | Some("id") => false,
        Some("userId") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "idProperty must be id or userId, not {other:?}"
            )))
        }
    };
    let n = crate::http::hubspot::parse_id(&raw)?;
    let (all, teams) = load(&state, &who).await?;
    let found = all.iter().zip(&teams).find(|(o, _)| {
        o.archived() == archived && if by_user { o.user_id() == n } else { o.id == n }
    });
    match found {
        Some((o, t)) => Ok(HttpResponse::Ok().json(o.public(t))),
        None => Err(ApiError::object_not_found(&raw)),
    }
}
