//! HubSpot's associations v4 for one object: list an object's associations to a type, set
//! labels between two objects, associate them by default, and remove every association between
//! them. Served under `/crm/v4/objects/…` and each date version's `/crm/objects/{v}/…`.

use super::parse_id;
pub use super::wire::SpecInput;
use super::wire::{batch_response, AssociationInput, IdInput};
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::{self, read, Kind, Link, Pair};
use crate::engine::registry::Registry;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use crate::http::body::JsonList;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most associated objects one page lists (HubSpot's documented cap).
pub const MAX_PAGE: i64 = 500;

/// `PublicObjectId`: `{"id": "123"}` (a number is read as its text).
pub type ObjectId = IdInput;

/// The two types of an association route, after the caller's scopes on the first.
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
    // Scopes before the other type is looked up, as every route checks them first.
    let from = find(from)?;
    who.require(if write {
        from.write_scopes
    } else {
        from.read_scopes
    })?;
    Ok((from, find(to)?))
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

/// `LabelsBetweenObjectPair`, with every label the pair carries now.
pub fn labels_json(
    from: (&ObjectType, i64),
    to: (&ObjectType, i64),
    found: &[read::Associated],
) -> Value {
    let labels: Vec<&str> = found
        .iter()
        .find(|a| a.to_id == to.1)
        .map(|a| a.types.iter().filter_map(|t| t.label.as_deref()).collect())
        .unwrap_or_default();
    json!({"fromObjectTypeId": from.0.type_id, "fromObjectId": from.1.to_string(),
           "toObjectTypeId": to.0.type_id, "toObjectId": to.1.to_string(), "labels": labels})
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

/// `PUT …/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}` — 201 with the
/// labels the pair carries.
pub async fn put(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String, String)>,
    body: JsonList<SpecInput>,
) -> Result<HttpResponse, ApiError> {
    let (from_name, raw_from, to_name, raw_to) = path.into_inner();
    let (from, to) = ends(&state, &who, &from_name, &to_name, true).await?;
    let (from_id, to_id) = (parse_id(&raw_from)?, parse_id(&raw_to)?);
    let specs = body.0;
    let portal = who.portal;
    let (f, t) = (from.clone(), to.clone());
    let default = associations::default_kind(&state.registry, f.name, t.name)?;
    let found = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, portal, f.name, t.name, default)?;
            let kinds = kinds(&pair, &specs)?;
            associations::check_live(tx, portal, &[(from_id, f.name), (to_id, t.name)])?;
            let link = Link {
                from: from_id,
                to: to_id,
                kinds,
            };
            associations::link(tx, portal, &pair, &[link], now_ms())?;
            Ok(read::many(tx, portal, &[from_id], t.name)?
                .remove(&from_id)
                .unwrap_or_default())
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(labels_json((&from, from_id), (&to, to_id), &found)))
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
            associations::check_live(tx, portal, &[(from_id, from.name), (to_id, to.name)])?;
            associations::unlink_pairs(tx, portal, &[(from_id, to_id)])
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT …/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}`
pub async fn put_default(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let started = now_ms();
    let (from_name, raw_from, to_name, raw_to) = path.into_inner();
    let (from, to) = ends(&state, &who, &from_name, &to_name, true).await?;
    let (from_id, to_id) = (parse_id(&raw_from)?, parse_id(&raw_to)?);
    let portal = who.portal;
    let default = associations::default_kind(&state.registry, from.name, to.name)?;
    let type_id = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let pair = Pair::load(tx, portal, from.name, to.name, default)?;
            associations::check_live(tx, portal, &[(from_id, from.name), (to_id, to.name)])?;
            let link = Link {
                from: from_id,
                to: to_id,
                kinds: Vec::new(),
            };
            associations::link(tx, portal, &pair, &[link], now_ms())?;
            Ok(pair.default.forward)
        })
    })
    .await?;
    let results = vec![default_json(from_id, to_id, type_id)];
    Ok(HttpResponse::Ok().json(batch_response(results, Vec::new(), started, now_ms())))
}

/// Writes the associations given with newly created objects, in the create's transaction.
/// Each `to` object's type is looked up (one query); one not there is a 400 naming it.
pub fn link_created(
    tx: &mut db::Conn,
    registry: &Registry,
    portal: PortalId,
    from: &ObjectType,
    created: &[(i64, &[AssociationInput])],
    now: i64,
) -> Result<(), ApiError> {
    let mut to_ids = Vec::new();
    for (_, list) in created {
        for a in list.iter() {
            to_ids.push(parse_to(&a.to.id.0)?);
        }
    }
    if to_ids.is_empty() {
        return Ok(());
    }
    let types = associations::live_types(tx, portal, &to_ids)?;
    // `(new object, associated object, types)` per associated type.
    type Pending<'s> = Vec<(i64, i64, &'s [SpecInput])>;
    let mut by_type: BTreeMap<&str, Pending<'_>> = BTreeMap::new();
    for (new_id, list) in created {
        for a in list.iter() {
            let to = parse_to(&a.to.id.0)?;
            let to_type = types.get(&to).ok_or_else(|| {
                ApiError::bad_request(format!("associations: object {to} does not exist"))
            })?;
            by_type
                .entry(to_type.as_str())
                .or_default()
                .push((*new_id, to, &a.types));
        }
    }
    for (to_type, items) in by_type {
        let default = associations::default_kind(registry, from.name, to_type)?;
        let pair = Pair::load(tx, portal, from.name, to_type, default)?;
        let links = items
            .into_iter()
            .map(|(f, t, specs)| {
                Ok(Link {
                    from: f,
                    to: t,
                    kinds: kinds(&pair, specs)?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        associations::link(tx, portal, &pair, &links, now)?;
    }
    Ok(())
}

fn parse_to(raw: &str) -> Result<i64, ApiError> {
    parse_id(raw).map_err(|_| {
        ApiError::bad_request(format!(
            "associations: to.id must be an object id, not {raw:?}"
        ))
    })
}

/// The types `associations=` names (names or type ids); an unknown one is a 400.
pub fn asked(
    registry: &Registry,
    names: Option<Vec<String>>,
) -> Result<Vec<Arc<ObjectType>>, ApiError> {
    names
        .unwrap_or_default()
        .iter()
        .map(|n| {
            registry.find(n).ok_or_else(|| {
                ApiError::bad_request(format!("Unable to infer object type from: {n}"))
            })
        })
        .collect()
}

/// Each asked type's associations of these objects: `(type, from id → associated)`.
pub type Embedded = Vec<(Arc<ObjectType>, BTreeMap<i64, Vec<read::Associated>>)>;

pub fn fetch(
    conn: &mut db::Conn,
    portal: PortalId,
    ids: &[i64],
    asked: &[Arc<ObjectType>],
) -> Result<Embedded, ApiError> {
    asked
        .iter()
        .map(|t| Ok((t.clone(), read::many(conn, portal, ids, t.name)?)))
        .collect()
}

/// Adds HubSpot's v3 `associations` (`{"deals": {"results": [{"id", "type"}]}}`) to a rendered
/// object, for each asked type it has any of.
pub fn embed(from: &ObjectType, object: &mut Value, id: i64, found: &Embedded) {
    let mut map = serde_json::Map::new();
    for (to, by_id) in found {
        let Some(list) = by_id.get(&id) else { continue };
        let default_name = format!(
            "{}_to_{}",
            from.noun.to_ascii_lowercase(),
            to.noun.to_ascii_lowercase()
        );
        let results: Vec<Value> = list
            .iter()
            .flat_map(|a| {
                let default_name = default_name.clone();
                a.types.iter().map(move |t| {
                    let kind = t.name.clone().unwrap_or_else(|| default_name.clone());
                    json!({"id": a.to_id.to_string(), "type": kind})
                })
            })
            .collect();
        map.insert(to.name.to_owned(), json!({ "results": results }));
    }
    if let (false, Value::Object(o)) = (map.is_empty(), object) {
        o.insert("associations".into(), Value::Object(map));
    }
}
