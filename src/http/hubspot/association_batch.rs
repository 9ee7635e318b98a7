//! HubSpot's associations v4 between two types, in batches: create (with labels), associate by
//! default, read, archive, archive labels (the pair's labels are in `association_labels`). Each batch is one transaction: an input naming an object that is not there, or a
//! type the pair does not have, fails the whole batch and names it.

use super::associations::{default_json, ends, kinds, labels_json, ObjectId, SpecInput};
use super::parse_id;
use super::versions::Version;
use super::wire::{batch_response, standard_error, Batch};
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::{self, read, Link, Pair};
use crate::engine::value::now_ms;
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

/// Every object of the batch must be live and of its side's type.
fn live(
    conn: &mut db::Conn,
    who: &Principal,
    from: &str,
    to: &str,
    pairs: &[(i64, i64)],
) -> Result<(), ApiError> {
    let wanted: Vec<(i64, &str)> = pairs
        .iter()
        .flat_map(|&(f, t)| [(f, from), (t, to)])
        .collect();
    associations::check_live(conn, who.portal, &wanted)
}

/// `POST …/{from}/{to}/batch/create` — 201 with each pair's labels.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<MultiPost>>,
) -> Result<HttpResponse, ApiError> {
    let started = now_ms();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    let (f, t) = (from.clone(), to.clone());
    let (pairs, found) = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, who.portal, f.name, t.name, default)?;
            let mut links = Vec::with_capacity(inputs.len());
            for i in &inputs {
                let (a, b) = ids(&i.from, &i.to)?;
                links.push(Link {
                    from: a,
                    to: b,
                    kinds: kinds(&pair, &i.types)?,
                });
            }
            let pairs: Vec<(i64, i64)> = links.iter().map(|l| (l.from, l.to)).collect();
            live(tx, &who, f.name, t.name, &pairs)?;
            associations::link(tx, who.portal, &pair, &links, now_ms())?;
            let froms: Vec<i64> = pairs.iter().map(|p| p.0).collect();
            Ok((pairs, read::many(tx, who.portal, &froms, t.name)?))
        })
    })
    .await?;
    let results: Vec<Value> = pairs
        .iter()
        .map(|&(a, b)| {
            let of_a = found.get(&a).map(Vec::as_slice).unwrap_or_default();
            labels_json((&from, a), (&to, b), of_a)
        })
        .collect();
    Ok(HttpResponse::Created().json(batch_response(results, Vec::new(), started, now_ms())))
}

/// `POST …/{from}/{to}/batch/associate/default`
pub async fn associate_default(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<DefaultPost>>,
) -> Result<HttpResponse, ApiError> {
    let started = now_ms();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    let pairs = inputs
        .iter()
        .map(|i| ids(&i.from, &i.to))
        .collect::<Result<Vec<_>, _>>()?;
    let written = pairs.clone();
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, who.portal, from.name, to.name, default)?;
            live(tx, &who, from.name, to.name, &written)?;
            let links: Vec<Link> = written
                .iter()
                .map(|&(a, b)| Link {
                    from: a,
                    to: b,
                    kinds: Vec::new(),
                })
                .collect();
            associations::link(tx, who.portal, &pair, &links, now_ms())
        })
    })
    .await?;
    let results: Vec<Value> = pairs
        .iter()
        .map(|&(a, b)| default_json(a, b, default.forward))
        .collect();
    Ok(HttpResponse::Ok().json(batch_response(results, Vec::new(), started, now_ms())))
}

/// `POST …/{from}/{to}/batch/read` — each object's associations; objects that are not there
/// come back as errors in a 207.
pub async fn read_batch(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<Batch<FetchInput>>,
) -> Result<HttpResponse, ApiError> {
    let started = now_ms();
    let (from, to) = ends(&state, &who, &path.0, &path.1, false).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_READ)?;
    let mut wanted = Vec::new();
    let mut errors = Vec::new();
    for i in &inputs {
        if i.after
            .as_deref()
            .is_some_and(|a| !a.is_empty() && a.parse::<u64>().is_err())
        {
            return Err(ApiError::bad_request(format!(
                "after must be a toObjectId from paging.next.after, not {:?}",
                i.after
            )));
        }
        match parse_id(&i.id.0) {
            Ok(id) => wanted.push(id),
            Err(_) => errors.push(missing(&i.id.0)),
        }
    }
    let portal = who.portal;
    let (f, t) = (from.name, to.name);
    let (live, found) = db::run(&state.pool, move |conn| {
        let live = associations::live_types(conn, portal, &wanted)?;
        let ids: Vec<i64> = wanted
            .into_iter()
            .filter(|id| live.get(id).is_some_and(|k| k == f))
            .collect();
        Ok((ids.clone(), read::many(conn, portal, &ids, t)?))
    })
    .await?;
    for i in &inputs {
        if parse_id(&i.id.0).is_ok_and(|id| !live.contains(&id)) {
            errors.push(missing(&i.id.0));
        }
    }
    let results: Vec<Value> = live
        .iter()
        .filter_map(|id| found.get(id).map(|list| (id, list)))
        .map(|(id, list)| json!({"from": {"id": id.to_string()},
                                 "to": list.iter().map(read::Associated::to_json).collect::<Vec<_>>()}))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok(HttpResponse::build(status).json(batch_response(results, errors, started, now_ms())))
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
    let started = now_ms();
    let (from, to) = ends(&state, &who, &path.0, &path.1, true).await?;
    let inputs = body.into_inner().inputs;
    size(inputs.len(), MAX_WRITE)?;
    let mut pairs = Vec::new();
    for i in &inputs {
        for t in &i.to {
            pairs.push(ids(&i.from, t)?);
        }
    }
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            live(tx, &who, from.name, to.name, &pairs)?;
            associations::unlink_pairs(tx, who.portal, &pairs)
        })
    })
    .await?;
    if version.association_archive_void {
        let none: Vec<Value> = Vec::new();
        return Ok(HttpResponse::Ok().json(batch_response(none, Vec::new(), started, now_ms())));
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
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, who.portal, from.name, to.name, default)?;
            let mut links = Vec::new();
            for i in &inputs {
                let (a, b) = ids(&i.from, &i.to)?;
                links.push(Link {
                    from: a,
                    to: b,
                    kinds: kinds(&pair, &i.types)?,
                });
            }
            let pairs: Vec<(i64, i64)> = links.iter().map(|l| (l.from, l.to)).collect();
            live(tx, &who, from.name, to.name, &pairs)?;
            associations::unlink_kinds(tx, who.portal, &pair, &links)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
