//! List, read, create, update and archive of single objects.

use super::association_embed as associations;
use super::render::Rendered;
use super::versions::Version;
use super::wire::{render, with_trace, ObjectInput, Wanted};
use super::{for_read, for_write, id_by, parse_id, resolve, scope, IdBy};
use crate::auth::Principal;
use crate::db;
use crate::engine::objects::{self, NewObject, Source, Update};
use crate::engine::store::{self, Archived};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::json;

/// List pages hold at most this many objects; larger limits are clamped.
const MAX_LIST: i64 = 100;

fn wanted(q: &QueryParams) -> Wanted {
    q.list("properties")
        .map(Wanted::Names)
        .unwrap_or(Wanted::Defaults)
}

/// `GET /{objectType}`
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let otype = for_read(&state, &who, &path).await?;
    let history = q.list("propertiesWithHistory");
    let cap = if history.is_some() { 50 } else { MAX_LIST };
    let limit = q.int("limit", 10, 1, i64::MAX)?.min(cap);
    let after = match q.get("after") {
        None | Some("") => 1,
        Some(a) => a
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "after must be a record id from paging.next.after, not {a:?}"
                ))
            })?,
    };
    let archived = q.bool("archived", false)?;
    let wanted = wanted(&q);
    let asked = associations::asked(&state.registry, &who, q.list("associations"))?;
    let t = otype.clone();
    let portal = who.portal;
    let (mut rows, hist, embedded) = state
        .read(&who, false, move |conn| {
            let rows = store::page(conn, scope(portal, &t), archived, after, limit)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let embedded = associations::fetch(conn, portal, &ids, &asked)?;
            let hist = match &history {
                Some(names) => {
                    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                    Some((names.clone(), store::history(conn, portal, &ids, names)?))
                }
                None => None,
            };
            Ok((rows, hist, embedded))
        })
        .await?;
    let next = (rows.len() as i64 > limit)
        .then(|| rows.pop().map(|r| r.id))
        .flatten();
    let results: Vec<_> = rows
        .iter()
        .map(|r| {
            let mut v = render(
                &otype,
                r,
                &wanted,
                hist.as_ref().map(|(n, h)| (n.as_slice(), h)),
            );
            associations::embed(&otype, &mut v, r.id, &embedded);
            v
        })
        .collect();
    let mut body = json!({ "results": results });
    if let Some(after) = next {
        body["paging"] =
            json!({"next": {"after": after.to_string(), "link": format!("?after={after}")}});
    }
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /{objectType}/{id}`
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let (type_name, raw_id) = path.into_inner();
    let otype = for_read(&state, &who, &type_name).await?;
    let by = id_by(&otype, q.get("idProperty"))?;
    if matches!(by, IdBy::Record) {
        parse_id(&raw_id)?;
    }
    let archived = if q.bool("archived", false)? {
        Archived::Only
    } else {
        Archived::Live
    };
    let history = q.list("propertiesWithHistory");
    let wanted = wanted(&q);
    let asked = associations::asked(&state.registry, &who, q.list("associations"))?;
    let t = otype.clone();
    // Reads with history or associations have no bound on their rows: never inline.
    let inline = history.is_none() && asked.is_empty();
    if inline
        && matches!(archived, Archived::Live)
        && matches!(by, IdBy::Record)
        && state.async_reads()
    {
        // PostgreSQL without replicas: on the async worker, no hop to the blocking pool.
        let id = parse_id(&raw_id)?;
        let url = &state.config.database_url;
        let row = crate::engine::point::view_by_id(url, scope(who.portal, &otype), id)
            .await?
            .ok_or_else(|| ApiError::object_not_found(&raw_id))?;
        let shown = wanted.resolve(&otype);
        let rendered = Rendered::view(&otype, &row, &shown, None)?;
        return Ok(HttpResponse::Ok().json(rendered));
    }
    let portal = who.portal;
    let (row, hist, embedded) = state
        .read(&who, inline, move |conn| {
            let scope = scope(portal, &t);
            let id = *resolve(conn, scope, &by, std::slice::from_ref(&raw_id), archived)?
                .get(&raw_id)
                .ok_or_else(|| ApiError::object_not_found(&raw_id))?;
            let row = store::load_views(conn, scope, &[id], archived)?
                .pop()
                .ok_or_else(|| ApiError::object_not_found(&raw_id))?;
            let hist = match &history {
                Some(names) => {
                    let h = store::history(conn, portal, &[id], names)?;
                    Some((names.clone(), h))
                }
                None => None,
            };
            let embedded = associations::fetch(conn, portal, &[id], &asked)?;
            Ok((row, hist, embedded))
        })
        .await?;
    let hist = hist.as_ref().map(|(n, h)| (n.as_slice(), h));
    let shown = wanted.resolve(&otype);
    let rendered = Rendered::view(&otype, &row, &shown, hist)?;
    if embedded.is_empty() {
        return Ok(HttpResponse::Ok().json(rendered));
    }
    let mut v = serde_json::to_value(rendered).map_err(|e| ApiError::Internal(e.to_string()))?;
    associations::embed(&otype, &mut v, row.id, &embedded);
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /{objectType}` — 201 with the stored object.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    version: &'static Version,
    path: Path<String>,
    body: Json<ObjectInput>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_write(&state, &who, &path).await?;
    let body = body.into_inner();
    let otype = state
        .knowing(
            who.portal,
            otype,
            body.properties.keys().map(String::as_str),
        )
        .await?;
    let trace = body.object_write_trace_id.clone();
    let changes = objects::validate(&otype, &body.properties)
        .map_err(|errs| ApiError::invalid(objects::invalid_values_message(&errs), errs))?;
    let t = otype.clone();
    let st = state.clone();
    let row = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let now = who.now();
            let rows = objects::create(
                tx,
                &t,
                who.portal,
                &[NewObject { input: 0, changes }],
                now,
                &Source::api(),
            )?;
            let row = rows
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::Internal("insert returned no row".into()))?;
            let links = body.associations.as_deref().unwrap_or_default();
            associations::link_created(tx, &st.registry, &who, &t, &[(row.id, links)], now)?;
            Ok(row)
        })
    })
    .await?;
    let location = format!("{}/{}/{}", version.objects, otype.name, row.id);
    let entity = with_trace(render(&otype, &row, &Wanted::AllSet, None), trace.as_ref());
    Ok(version.created(location, &row.id.to_string(), entity))
}

/// `PATCH /{objectType}/{id}`
pub async fn update(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    q: QueryParams,
    body: Json<ObjectInput>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, raw_id) = path.into_inner();
    let otype = for_write(&state, &who, &type_name).await?;
    let otype = state
        .knowing(
            who.portal,
            otype,
            body.properties.keys().map(String::as_str),
        )
        .await?;
    let by = id_by(&otype, q.get("idProperty"))?;
    if matches!(by, IdBy::Record) {
        parse_id(&raw_id)?;
    }
    let trace = body.object_write_trace_id.clone();
    let changes = objects::validate(&otype, &body.properties)
        .map_err(|errs| ApiError::invalid(objects::invalid_values_message(&errs), errs))?;
    let t = otype.clone();
    let row = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let id = *resolve(
                tx,
                scope(who.portal, &t),
                &by,
                std::slice::from_ref(&raw_id),
                Archived::Live,
            )?
            .get(&raw_id)
            .ok_or_else(|| ApiError::object_not_found(&raw_id))?;
            let rows = objects::update(
                tx,
                &t,
                who.portal,
                &[Update {
                    input: 0,
                    id,
                    changes,
                }],
                who.now(),
                &Source::api(),
            )?;
            rows.into_iter()
                .next()
                .ok_or_else(|| ApiError::object_not_found(&raw_id))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(with_trace(
        render(&otype, &row, &Wanted::AllSet, None),
        trace.as_ref(),
    )))
}

/// `DELETE /{objectType}/{id}` — 204, also for an id that is already archived or unknown.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, raw_id) = path.into_inner();
    let otype = for_write(&state, &who, &type_name).await?;
    let id = parse_id(&raw_id)?;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| objects::archive(tx, &otype, who.portal, &[id], who.now()))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
