//! HubSpot's associations v4 for one object: list an object's associations to a type, set
//! labels between two objects, associate them by default, and remove every association between
//! them. Served under `/crm/v4/objects/…` and each date version's `/crm/objects/{v}/…`.

use super::parse_id;
pub use super::wire::SpecInput;
use super::wire::{batch_response, IdInput};
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::{self, read, Kind, Link, Pair};
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::http::body::JsonList;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Value};
use std::sync::Arc;

/// The most associated objects one page lists (HubSpot's documented cap).
pub const MAX_PAGE: i64 = 500;

/// `PublicObjectId`: `{"id": "123"}` (a number is read as its text).
pub type ObjectId = IdInput;

/// The scopes a caller needs on a type to read (or change) its associations.
pub fn require(who: &Principal, t: &ObjectType, write: bool) -> Result<(), ApiError> {
    who.require(if write { t.write_scopes } else { t.read_scopes })
}

/// The two types of an association route, after the caller's scopes on both (an association
/// is part of both records: reading it reads both, writing it writes both).
pub async fn ends(
    state: &AppState,
    who: &Principal,
    from: &str,
    to: &str,
    write: bool,
) -> Result<(Arc<ObjectType>, Arc<ObjectType>), ApiError> {
    let find = |name: &str| {
        state
            .registry
            .find(name)
            .ok_or_else(ApiError::resource_not_found)
    };
    // Each type's scopes before the next is looked up, as every route checks them first.
    let from = find(from)?;
    require(who, &from, write)?;
    let to = find(to)?;
    require(who, &to, write)?;
    Ok((from, to))
}

/// The kinds a list of specs names for a pair (every spec must belong to it).
pub fn kinds(pair: &Pair<'_>, specs: &[SpecInput]) -> Result<Vec<Kind>, ApiError> {
    specs
        .iter()
        .map(|s| pair.kind(&s.association_category, s.association_type_id))
        .collect()
}

/// `PublicDefaultAssociation`.
pub fn default_json(from: i64, to: i64, type_id: i32) -> Value {
    json!({"from": {"id": from.to_string()}, "to": {"id": to.to_string()},
           "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}})
}

/// `LabelsBetweenObjectPair`.
pub fn labels_json(from: (&ObjectType, i64), to: (&ObjectType, i64), labels: &[String]) -> Value {
    json!({"fromObjectTypeId": from.0.type_id, "fromObjectId": from.1.to_string(),
           "toObjectTypeId": to.0.type_id, "toObjectId": to.1.to_string(), "labels": labels})
}

/// Runs `f` in one write transaction with the pair of types as the caller's portal sees it
/// (its default type and labels). Every route that writes between two types goes through it.
pub async fn in_pair<T, F>(
    state: &AppState,
    portal: PortalId,
    from: &Arc<ObjectType>,
    to: &Arc<ObjectType>,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut db::Conn, &Pair<'_>) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    let (from, to) = (from.clone(), to.clone());
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, portal, from.name, to.name, default)?;
            f(tx, &pair)
        })
    })
    .await
}

/// Writes links between two types after checking every object is live and of its side's
/// type; returns each pair's labels afterwards. Shared by the single and batch routes.
pub fn write_links(
    tx: &mut db::Conn,
    portal: PortalId,
    pair: &Pair<'_>,
    links: &[Link],
) -> Result<std::collections::BTreeMap<(i64, i64), Vec<String>>, ApiError> {
    let pairs: Vec<(i64, i64)> = links.iter().map(|l| (l.from, l.to)).collect();
    associations::check_pairs_live(tx, portal, pair.from_type, pair.to_type, &pairs)?;
    let now = crate::portals::clock::clock(tx, portal)?.now();
    associations::link(tx, portal, pair, links, now)?;
    read::pair_labels(tx, portal, &pairs)
}

/// `GET …/{objectType}/{objectId}/associations/{toObjectType}`
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String)>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let (from_name, raw_id, to_name) = path.into_inner();
    let (from, to) = ends(&state, &who, &from_name, &to_name, false).await?;
    let id = parse_id(&raw_id)?;
    let limit = q.int("limit", MAX_PAGE, 1, MAX_PAGE)?;
    let after = q.int("after", 0, 0, i64::MAX)?;
    let portal = who.portal;
    let mut found = db::run(&state.pool, move |conn| {
        associations::check_live(conn, portal, &[(id, from.name)])?;
        read::page(conn, portal, id, to.name, after, limit)
    })
    .await?;
    let more = found.len() as i64 > limit;
    found.truncate(limit as usize);
    let mut body =
        json!({"results": found.iter().map(read::Associated::to_json).collect::<Vec<_>>()});
    if let (true, Some(last)) = (more, found.last()) {
        body["paging"] = json!({"next": {"after": last.to_id.to_string(),
                                         "link": format!("?after={}", last.to_id)}});
    }
    Ok(HttpResponse::Ok().json(body))
}

/// Associates two objects with these specs (none: by default only); returns the pair's
/// labels and the default type id.
async fn associate(
    state: &Data<AppState>,
    who: &Principal,
    path: (String, String, String, String),
    specs: Vec<SpecInput>,
) -> Result<(Value, i32, i64, i64), ApiError> {
    let (from_name, raw_from, to_name, raw_to) = path;
    let (from, to) = ends(state, who, &from_name, &to_name, true).await?;
    let (from_id, to_id) = (parse_id(&raw_from)?, parse_id(&raw_to)?);
    let portal = who.portal;
    let (labels, type_id) = in_pair(state, portal, &from, &to, move |tx, pair| {
        let link = Link {
            from: from_id,
            to: to_id,
            kinds: kinds(pair, &specs)?,
        };
        Ok((
            write_links(tx, portal, pair, &[link])?,
            pair.default.forward,
        ))
    })
    .await?;
    let labels = labels.get(&(from_id, to_id)).cloned().unwrap_or_default();
    let body = labels_json((&from, from_id), (&to, to_id), &labels);
    Ok((body, type_id, from_id, to_id))
}

/// `PUT …/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}` — 201 with the
/// labels the pair carries.
pub async fn put(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String, String)>,
    body: JsonList<SpecInput>,
) -> Result<HttpResponse, ApiError> {
    let (labels, ..) = associate(&state, &who, path.into_inner(), body.0).await?;
    Ok(HttpResponse::Created().json(labels))
}

/// `PUT …/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}`
pub async fn put_default(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let (_, type_id, from, to) = associate(&state, &who, path.into_inner(), Vec::new()).await?;
    let results = vec![default_json(from, to, type_id)];
    Ok(HttpResponse::Ok().json(batch_response(results, Vec::new(), started, who.now())))
}

/// `DELETE …/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}` — 204.
pub async fn delete(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (from_name, raw_from, to_name, raw_to) = path.into_inner();
    let (from, to) = ends(&state, &who, &from_name, &to_name, true).await?;
    let (from_id, to_id) = (parse_id(&raw_from)?, parse_id(&raw_to)?);
    let portal = who.portal;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pairs = [(from_id, to_id)];
            associations::check_pairs_live(tx, portal, from.name, to.name, &pairs)?;
            associations::unlink_pairs(tx, portal, (from.name, to.name), &pairs)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
