//! HubSpot's associations v4 between two types, in batches: create (with labels), associate by
//! default, read, archive, archive labels (the pair's labels are in `association_labels`).
//! Each write batch is one transaction: an input naming an object that is not there, or a type
//! the pair does not have, fails the whole batch and names it.

use super::associations::{
    default_json, ends, in_pair, kinds, labels_json, write_links, ObjectId, SpecInput, MAX_PAGE,
};
use super::parse_id;
use super::versions::Version;
use super::wire::{batch_response, standard_error, Batch};
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::{self, read, Link, Pair};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

/// Inputs a write batch may carry (HubSpot's v4 limit).
pub const MAX_WRITE: usize = 2000;
/// Inputs a batch read may carry (HubSpot's limit since February 2025).
pub const MAX_READ: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiPost {
    from: ObjectId,
    to: ObjectId,
    types: Vec<SpecInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultPost {
    from: ObjectId,
    to: ObjectId,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiArchive {
    from: ObjectId,
    to: Vec<ObjectId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchInput {
    id: super::wire::WireId,
    #[serde(default)]
    after: Option<String>,
}

fn size(n: usize, max: usize) -> Result<(), ApiError> {
    if n > max {
        return Err(ApiError::bad_request(format!(
            "The maximum number of inputs supported in a batch is {max}. Please reduce the number of items and try again"
        )));
    }
    Ok(())
}

fn ids(from: &ObjectId, to: &ObjectId) -> Result<(i64, i64), ApiError> {
    Ok((parse_id(&from.id.0)?, parse_id(&to.id.0)?))
}

/// The links `MultiPost` inputs name, their types checked against the pair.
fn links_of(pair: &Pair<'_>, inputs: &[MultiPost]) -> Result<Vec<Link>, ApiError> {
    inputs
        .iter()
        .map(|i| {
            let (from, to) = ids(&i.from, &i.to)?;
            Ok(Link {
                from,
                to,
                kinds: kinds(pair, &i.types)?,
            })
        })
        .collect()
}

/// `POST …/{from}/{to}/batch/create` — 201 with each pair's labels.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<MultiPost>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let portal = who.portal;
    let (pairs, labels) = in_pair(&state, portal, &from, &to, move |tx, pair| {
        let links = links_of(pair, &inputs)?;
        let labels = write_links(tx, portal, pair, &links)?;
        Ok((
            links.iter().map(|l| (l.from, l.to)).collect::<Vec<_>>(),
            labels,
        ))
    })
    .await?;
    let results: Vec<Value> = pairs
        .iter()
        .map(|&(a, b)| {
            let l = labels.get(&(a, b)).map(Vec::as_slice).unwrap_or_default();
            labels_json((&from, a), (&to, b), l)
        })
        .collect();
    Ok(HttpResponse::Created().json(batch_response(results, Vec::new(), started, who.now())))
}

/// `POST …/{from}/{to}/batch/associate/default`
pub async fn associate_default(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<DefaultPost>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let pairs = inputs
        .iter()
        .map(|i| ids(&i.from, &i.to))
        .collect::<Result<Vec<_>, _>>()?;
    let links: Vec<Link> = pairs
        .iter()
        .map(|&(from, to)| Link {
            from,
            to,
            kinds: Vec::new(),
        })
        .collect();
    let portal = who.portal;
    let type_id = in_pair(&state, portal, &from, &to, move |tx, pair| {
        write_links(tx, portal, pair, &links)?;
        Ok(pair.default.forward)
    })
    .await?;
    let results: Vec<Value> = pairs
        .iter()
        .map(|&(a, b)| default_json(a, b, type_id))
        .collect();
    Ok(HttpResponse::Ok().json(batch_response(results, Vec::new(), started, who.now())))
}

/// `POST …/{from}/{to}/batch/read` — each object's associations, 500 at a time with its own
/// `after`; objects that are not there come back as errors in a 207.
pub async fn read_batch(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<FetchInput>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let (from, to) = ends(&state, &who, &path.0, &path.1, false).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_READ)?;
    let mut wanted: Vec<(i64, i64)> = Vec::new();
    let mut errors = Vec::new();
    for i in &inputs {
        let after = match i.after.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(a) => a.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "after must be a toObjectId from paging.next.after, not {a:?}"
                ))
            })?,
        };
        match parse_id(&i.id.0) {
            // One result per object, even when it is asked twice.
            Ok(id) if !wanted.iter().any(|(w, _)| *w == id) => wanted.push((id, after)),
            Ok(_) => {}
            Err(_) => errors.push(missing(&i.id.0)),
        }
    }
    let portal = who.portal;
    let (f, t) = (from.name, to.name);
    let (live, found) = db::run(&state.pool, move |conn| {
        let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).collect();
        let types = associations::live_types(conn, portal, &ids)?;
        let live: Vec<(i64, i64)> = wanted
            .into_iter()
            .filter(|(id, _)| types.get(id).is_some_and(|k| k == f))
            .collect();
        let found = read::many(conn, portal, &live, t, MAX_PAGE)?;
        Ok((live, found))
    })
    .await?;
    for i in &inputs {
        if parse_id(&i.id.0).is_ok_and(|id| !live.iter().any(|(l, _)| *l == id)) {
            errors.push(missing(&i.id.0));
        }
    }
    let results: Vec<Value> = live
        .iter()
        .filter_map(|(id, _)| found.get(id).map(|list| (id, list)))
        .map(|(id, list)| {
            let shown = &list[..list.len().min(MAX_PAGE as usize)];
            let mut r = json!({"from": {"id": id.to_string()},
                               "to": shown.iter().map(read::Associated::to_json).collect::<Vec<_>>()});
            if let (true, Some(last)) = (list.len() > shown.len(), shown.last()) {
                r["paging"] = json!({"next": {"after": last.to_id.to_string()}});
            }
            r
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok(HttpResponse::build(status).json(batch_response(results, errors, started, who.now())))
}

fn missing(id: &str) -> Value {
    standard_error(
        "OBJECT_NOT_FOUND",
        format!("Object not found.  objectId are usually numeric. (id {id})"),
        json!({ "ids": [id] }),
        json!([]),
    )
}

/// `POST …/{from}/{to}/batch/archive` — 204 (date versions: 200 `BatchResponseVoid`); every
/// association between each pair goes.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    version: &'static Version,
    path: Path<(String, String)>,
    body: Json<Batch<MultiArchive>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let mut pairs = Vec::new();
    for i in &inputs {
        for t in &i.to {
            pairs.push(ids(&i.from, t)?);
        }
    }
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            associations::check_pairs_live(tx, portal, from.name, to.name, &pairs)?;
            associations::unlink_pairs(tx, portal, (from.name, to.name), &pairs)
        })
    })
    .await?;
    if version.association_archive_void {
        let none: Vec<Value> = Vec::new();
        return Ok(HttpResponse::Ok().json(batch_response(none, Vec::new(), started, who.now())));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST …/{from}/{to}/batch/labels/archive` — 204; removing the default type removes the
/// whole association.
pub async fn archive_labels(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<MultiPost>>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let portal = who.portal;
    in_pair(&state, portal, &from, &to, move |tx, pair| {
        let links = links_of(pair, &inputs)?;
        let pairs: Vec<(i64, i64)> = links.iter().map(|l| (l.from, l.to)).collect();
        associations::check_pairs_live(tx, portal, pair.from_type, pair.to_type, &pairs)?;
        associations::unlink_kinds(tx, portal, pair, &links)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
