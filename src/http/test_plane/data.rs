//! A test portal's data as a whole: reset, seed, and named snapshots.

use super::{target, throwaway};
use crate::auth::{Principal, ALL_SCOPES, DEFAULT_USER};
use crate::db;
use crate::db::snapshots;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use crate::http::state::AppState;
use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpMessage, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Drops what this instance cached of a portal's definitions, and makes the other instances
/// drop theirs (their next version poll).
fn definitions_changed(conn: &mut db::Conn) -> Result<(), ApiError> {
    db::cluster::bump(conn, db::cluster::PROPERTIES)
}

/// `POST …/portals/{portalId}/reset` — removes the portal's data (objects, goals, lookups,
/// custom properties, associations, webhook settings, the change journal); keeps its tokens,
/// settings, clock and snapshots. The portal's write versions move past every earlier one.
pub async fn reset(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = throwaway(&state, &who, &path).await?;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let before = snapshots::versions(tx, portal.0)?;
            db::purge::reset(tx, portal.0)?;
            snapshots::move_versions_past(tx, portal.0, &before)?;
            definitions_changed(tx)
        })
    })
    .await?;
    state.forget_types(portal);
    Ok(HttpResponse::NoContent().finish())
}

fn snapshot_name(raw: &str) -> Result<String, ApiError> {
    let ok = (1..=100).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::bad_request(format!(
            "a snapshot name is 1 to 100 letters, digits, '-', '_' or '.', not {raw:?}"
        )))
    }
}

/// `POST …/portals/{portalId}/snapshots/{name}` — takes (or replaces) a snapshot.
pub async fn take(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, name) = path.into_inner();
    let portal = target(&state, &who, &raw).await?;
    let name = snapshot_name(&name)?;
    let now = who.now();
    let n = name.clone();
    let objects = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| snapshots::take(tx, portal.0, &n, now))
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "name": name, "createdAt": format_ms(now), "objects": objects,
    })))
}

/// `POST …/portals/{portalId}/snapshots/{name}/restore` — puts the data back as it was.
pub async fn restore(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, name) = path.into_inner();
    let portal = throwaway(&state, &who, &raw).await?;
    let name = snapshot_name(&name)?;
    let n = name.clone();
    let found = db::run(&state.pool, move |conn| {
        let found = conn.write_tx(|tx| {
            let found = snapshots::restore(tx, portal.0, &n)?;
            definitions_changed(tx)?;
            Ok(found)
        })?;
        if found {
            // The restored data as of the portal's clock now, not when it was taken.
            let now = crate::portals::clock::clock(conn, portal)?.now();
            super::controls::catch_up(conn, portal, now)?;
        }
        Ok(found)
    })
    .await?;
    state.forget_types(portal);
    done_or_missing(found, &name)
}

/// `DELETE …/portals/{portalId}/snapshots/{name}`
pub async fn drop(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, name) = path.into_inner();
    let portal = target(&state, &who, &raw).await?;
    let name = snapshot_name(&name)?;
    let n = name.clone();
    let found = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| snapshots::drop_named(tx, portal.0, &n))
    })
    .await?;
    done_or_missing(found, &name)
}

/// 204 when the snapshot was there, else a 404 naming it.
fn done_or_missing(found: bool, name: &str) -> Result<HttpResponse, ApiError> {
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found_named("No such snapshot", "name", name))
    }
}

/// `GET …/portals/{portalId}/snapshots`
pub async fn snapshots(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let list = db::run(&state.pool, move |conn| snapshots::list(conn, portal.0)).await?;
    let results: Vec<Value> = list
        .into_iter()
        .map(|(name, at)| json!({"name": name, "createdAt": format_ms(at)}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// One line of a seed file: an API request, as a client would send it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedLine {
    method: Option<String>,
    path: String,
    body: Option<Value>,
}

/// `POST …/portals/{portalId}/seed` — loads a fixture: NDJSON, one API request per line
/// (`{"method": "POST", "path": "/crm/v3/objects/goal_targets/batch/create", "body": {…}}`),
/// each run through the same routes, checks and family rules as a client's, as the portal's
/// admin. All or nothing: when a line is refused, the portal is put back as it was before the
/// seed and the 400 names the line and what its request answered.
pub async fn seed(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let portal = throwaway(&state, &who, &path).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("a seed file is UTF-8 NDJSON"))?;
    let mut lines = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let parsed: SeedLine = serde_json::from_str(line)
            .map_err(|e| ApiError::bad_request(format!("line {}: {e}", i + 1)))?;
        if !parsed.path.starts_with('/') || parsed.path.starts_with(crate::http::TEST_PLANE) {
            return Err(ApiError::bad_request(format!(
                "line {}: path must be an API path (not the test plane's)",
                i + 1
            )));
        }
        lines.push((i + 1, parsed));
    }
    let admin = Principal {
        token_id: 0,
        portal,
        // Every API scope, never the test plane's: a line cannot drive the plane, whatever
        // its path says (the routes match decoded paths).
        scopes: ALL_SCOPES
            .iter()
            .filter(|s| **s != super::SCOPE)
            .map(|s| s.to_string())
            .collect(),
        user_id: DEFAULT_USER,
        clock: db::run(&state.pool, move |c| {
            crate::portals::clock::clock(c, portal)
        })
        .await?,
    };
    let now = admin.now();
    // The portal as it was, under a name no test can give (nor another seed: each its own),
    // and the journal's last event then.
    let before = format!("~seed-{}", uuid::Uuid::new_v4());
    let name = before.clone();
    let seq = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            snapshots::take(tx, portal.0, &name, now)?;
            crate::engine::events::last_seq(tx, portal)
        })
    })
    .await?;
    let outcome = run_lines(&state, &admin, lines).await;
    let undo = outcome.is_err();
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            if undo {
                snapshots::restore(tx, portal.0, &before)?;
                // The refused seed's events describe writes that are gone.
                crate::engine::events::forget_after(tx, portal, seq)?;
                definitions_changed(tx)?;
            }
            snapshots::drop_named(tx, portal.0, &before)
        })
    })
    .await?;
    state.forget_types(portal);
    let results = outcome?;
    Ok(HttpResponse::Ok().json(json!({"lines": results.len(), "results": results})))
}

/// Runs seed lines through this server's own routes, in process.
async fn run_lines(
    state: &Data<AppState>,
    admin: &Principal,
    lines: Vec<(usize, SeedLine)>,
) -> Result<Vec<Value>, ApiError> {
    use actix_web::dev::Service;
    let app = actix_web::test::init_service(crate::http::app(state.clone())).await;
    let mut results = Vec::with_capacity(lines.len());
    for (n, line) in lines {
        let method = line
            .method
            .as_deref()
            .unwrap_or("POST")
            .to_ascii_uppercase();
        let method = actix_web::http::Method::from_bytes(method.as_bytes())
            .map_err(|_| ApiError::bad_request(format!("line {n}: unknown method")))?;
        let mut req = actix_web::test::TestRequest::default()
            .method(method.clone())
            .uri(&line.path)
            .insert_header(("content-type", "application/json"));
        if let Some(body) = &line.body {
            req = req.set_payload(body.to_string());
        }
        let req = req.to_request();
        req.extensions_mut().insert(Seeding(admin.clone()));
        let res = app
            .call(req)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let status = res.status();
        let bytes = actix_web::body::to_bytes(res.into_body())
            .await
            .unwrap_or_default();
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let said = answer
                .get("message")
                .or(answer.get("error"))
                .and_then(Value::as_str);
            let mut context = Map::new();
            context.insert("line".into(), json!([n.to_string()]));
            return Err(ApiError::validation(
                format!(
                    "line {n}: {method} {} answered {}: {}; nothing was seeded",
                    line.path,
                    status.as_u16(),
                    said.unwrap_or("(no message)")
                ),
                context,
                Vec::new(),
            ));
        }
        results.push(json!({"line": n, "status": status.as_u16(), "body": answer}));
    }
    Ok(results)
}

/// Set on a seed line's in-process request: it acts as this principal (never set from the
/// wire: extensions are not part of a request as received).
#[derive(Clone)]
pub struct Seeding(pub Principal);
