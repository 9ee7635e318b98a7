//! Associations inside the object routes: the `associations` given with a create (written in
//! its transaction), and `associations=` on a read or list (HubSpot's v3 map).

use super::associations::{kinds, require};
use super::parse_id;
use super::wire::AssociationInput;
use crate::auth::Principal;
use crate::db;
use crate::engine::associations::{self, read, Kind, Link, Pair};
use crate::engine::registry::Registry;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most associated objects of a type `associations=` shows per object.
pub const MAX_EMBEDDED: i64 = 500;

/// Each input's associations checked: the links to write per associated type (by input
/// index), and the inputs whose associations cannot be written, with why.
pub struct Planned {
    pub links: BTreeMap<String, Vec<(usize, i64, Vec<Kind>)>>,
    pub refused: BTreeMap<usize, ApiError>,
    /// Each associated type's default kind (what writing the links needs of its pair).
    pub defaults: BTreeMap<String, Kind>,
}

/// Checks the associations of create inputs `(input index, associations)`: each `to` must be
/// a live object (one lookup for all), of a type the caller may write, joined by a type its
/// pair has.
pub fn plan(
    conn: &mut db::Conn,
    registry: &Registry,
    who: &Principal,
    from: &ObjectType,
    inputs: &[(usize, &[AssociationInput])],
) -> Result<Planned, ApiError> {
    let mut out = Planned {
        links: BTreeMap::new(),
        refused: BTreeMap::new(),
        defaults: BTreeMap::new(),
    };
    let to_ids: Vec<i64> = inputs
        .iter()
        .flat_map(|(_, list)| list.iter().filter_map(|a| parse_id(&a.to.id.0).ok()))
        .collect();
    if inputs.iter().all(|(_, list)| list.is_empty()) {
        return Ok(out);
    }
    let types = associations::live_types(conn, who.portal, &to_ids)?;
    let mut pairs: BTreeMap<String, Pair<'_>> = BTreeMap::new();
    for (index, list) in inputs {
        for a in list.iter() {
            let checked = (|| {
                let to = parse_id(&a.to.id.0).map_err(|_| {
                    ApiError::bad_request(format!(
                        "associations: to.id must be an object id, not {:?}",
                        a.to.id.0
                    ))
                })?;
                let to_type = types.get(&to).ok_or_else(|| {
                    ApiError::bad_request(format!("associations: object {to} does not exist"))
                })?;
                let target = registry
                    .find(to_type)
                    .ok_or_else(ApiError::resource_not_found)?;
                require(who, &target, true)?;
                if !pairs.contains_key(to_type) {
                    let default = associations::default_kind(registry, from.name, target.name)?;
                    let pair = Pair::load(conn, who.portal, from.name, target.name, default)?;
                    pairs.insert(to_type.clone(), pair);
                }
                Ok((to_type.clone(), to, kinds(&pairs[to_type], &a.types)?))
            })();
            match checked {
                Ok((to_type, to, kinds)) => out
                    .links
                    .entry(to_type)
                    .or_default()
                    .push((*index, to, kinds)),
                Err(e) => {
                    out.refused.entry(*index).or_insert(e);
                }
            }
        }
    }
    out.defaults = pairs.into_iter().map(|(t, p)| (t, p.default)).collect();
    Ok(out)
}

/// Writes the associations given with newly created objects `(new id, associations)`, in the
/// create's transaction; any that cannot be written fails the write.
pub fn link_created(
    tx: &mut db::Conn,
    registry: &Registry,
    who: &Principal,
    from: &ObjectType,
    created: &[(i64, &[AssociationInput])],
    now: i64,
) -> Result<(), ApiError> {
    let indexed: Vec<(usize, &[AssociationInput])> = created
        .iter()
        .enumerate()
        .map(|(i, (_, l))| (i, *l))
        .collect();
    let planned = plan(tx, registry, who, from, &indexed)?;
    if let Some((_, e)) = planned.refused.into_iter().next() {
        return Err(e);
    }
    for (to_type, items) in planned.links {
        // The kinds are checked; writing needs only the pair's types and default.
        let pair = Pair {
            from_type: from.name,
            to_type: &to_type,
            default: planned.defaults[&to_type],
            labels: Vec::new(),
        };
        let links: Vec<Link> = items
            .into_iter()
            .map(|(i, to, kinds)| Link {
                from: created[i].0,
                to,
                kinds,
            })
            .collect();
        associations::link(tx, who.portal, &pair, &links, now)?;
    }
    Ok(())
}

/// The types `associations=` names (names or type ids), each readable by the caller; an
/// unknown one is a 400.
pub fn asked(
    registry: &Registry,
    who: &Principal,
    names: Option<Vec<String>>,
) -> Result<Vec<Arc<ObjectType>>, ApiError> {
    names
        .unwrap_or_default()
        .iter()
        .map(|n| {
            let t = registry.find(n).ok_or_else(|| {
                ApiError::bad_request(format!("Unable to infer object type from: {n}"))
            })?;
            require(who, &t, false)?;
            Ok(t)
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
    let from: Vec<(i64, i64)> = ids.iter().map(|id| (*id, 0)).collect();
    asked
        .iter()
        .map(|t| {
            let mut found = read::many(conn, portal, &from, t.name, MAX_EMBEDDED)?;
            for list in found.values_mut() {
                list.truncate(MAX_EMBEDDED as usize);
            }
            Ok((t.clone(), found))
        })
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
