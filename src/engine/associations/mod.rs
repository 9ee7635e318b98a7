//! Associations between objects of any registered types, HubSpot's model: every associated
//! pair has the pair's default (`HUBSPOT_DEFINED`) type and may carry labelled
//! (`USER_DEFINED`) types too. Each is stored in both directions, the reverse row carrying the
//! inverse type, so reads from either side and search's `associations.{type}` filters are
//! primary-key range reads. Archived objects keep their rows; every read skips them.

mod changes;
pub mod labels;
pub mod read;

use super::registry::Registry;
use super::search::compile::{bound_query, Bind, Builder};
use super::store::PortalId;
use crate::db::schema::objects;
use crate::db::with_conn;
use crate::db::Conn;
use crate::error::ApiError;
use diesel::prelude::*;
use serde_json::{json, Map};
use std::collections::HashMap;

/// The most objects of one type a record may be associated with: the highest limit HubSpot lets
/// an account configure ("any number up to 10,000").
pub const MAX_PER_RECORD: i64 = 10_000;

/// User-defined (labelled) type ids start here; lower ones are the pairs' defaults.
pub const USER_DEFINED_START: i32 = 2000;
/// Rows per INSERT or DELETE statement (two binds a pair, five a row: well under both
/// backends' bind limits).
const CHUNK: usize = 500;

/// `HUBSPOT_DEFINED` or `USER_DEFINED`, by the type id.
pub fn category(type_id: i32) -> &'static str {
    if type_id >= USER_DEFINED_START {
        "USER_DEFINED"
    } else {
        "HUBSPOT_DEFINED"
    }
}

/// The default association type from one registered type to another: `1000 + 100 × from +
/// to`, by registration order (goal_targets → deals is 1001, deals → goal_targets 1100), so it
/// is stable while types are only ever appended.
pub fn default_type(registry: &Registry, from: &str, to: &str) -> Option<i32> {
    // Ten types would reach USER_DEFINED_START; the scheme is for the first ten registered.
    let at = |name: &str| {
        registry
            .all()
            .position(|t| t.name == name)
            .filter(|i| *i < 10)
    };
    Some(1000 + 100 * at(from)? as i32 + at(to)? as i32)
}

/// The default type of a pair in both directions (both types are registered).
pub fn default_kind(registry: &Registry, from: &str, to: &str) -> Result<Kind, ApiError> {
    match (
        default_type(registry, from, to),
        default_type(registry, to, from),
    ) {
        (Some(forward), Some(inverse)) => Ok(Kind { forward, inverse }),
        _ => Err(ApiError::resource_not_found()),
    }
}

/// One association type of a link, with the type its reverse row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub forward: i32,
    pub inverse: i32,
}

/// The pair of types a link joins, with the portal's labels between them.
pub struct Pair<'a> {
    pub from_type: &'a str,
    pub to_type: &'a str,
    pub default: Kind,
    pub labels: Vec<labels::Label>,
}

impl<'a> Pair<'a> {
    /// The pair as a portal sees it: its default type and its labels.
    pub fn load(
        conn: &mut Conn,
        portal: PortalId,
        from_type: &'a str,
        to_type: &'a str,
        default: Kind,
    ) -> Result<Pair<'a>, ApiError> {
        Ok(Pair {
            from_type,
            to_type,
            default,
            labels: labels::between(conn, portal, from_type, to_type)?,
        })
    }

    /// An `AssociationSpec` of this pair, or a 400 naming it.
    pub fn kind(&self, category_name: &str, type_id: i32) -> Result<Kind, ApiError> {
        if category_name == "HUBSPOT_DEFINED" && type_id == self.default.forward {
            return Ok(self.default);
        }
        if category_name == "USER_DEFINED" {
            if let Some(l) = self.labels.iter().find(|l| l.type_id == type_id) {
                return Ok(Kind {
                    forward: l.type_id,
                    inverse: l.inverse_type_id,
                });
            }
        }
        let mut context = Map::new();
        context.insert("associationTypeId".into(), json!([type_id.to_string()]));
        Err(ApiError::validation(
            format!(
                "associationTypeId {type_id} ({category_name}) is not an association type from {} to {}; \
                 GET /crm/v4/associations/{}/{}/labels lists them",
                self.from_type, self.to_type, self.from_type, self.to_type
            ),
            context,
            Vec::new(),
        ))
    }
}

/// One association to write: two objects and the types between them (the default always).
#[derive(Debug, Clone)]
pub struct Link {
    pub from: i64,
    pub to: i64,
    pub kinds: Vec<Kind>,
}

/// Which of these ids are live objects, with their types (one query).
pub fn live_types(
    conn: &mut Conn,
    portal: PortalId,
    ids: &[i64],
) -> Result<HashMap<i64, String>, ApiError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = with_conn!(conn, c => objects::table
            .filter(objects::portal_id.eq(portal.0))
            .filter(objects::id.eq_any(chunk))
            .filter(objects::archived.eq(false))
            .select((objects::id, objects::object_type))
            .load(c))?;
        out.extend(rows);
    }
    Ok(out)
}

/// Checks that each `(id, type)` is a live object of that type; the first that is not is a
/// 404 naming it.
pub fn check_live(
    conn: &mut Conn,
    portal: PortalId,
    wanted: &[(i64, &str)],
) -> Result<(), ApiError> {
    let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).collect();
    let found = live_types(conn, portal, &ids)?;
    match wanted
        .iter()
        .find(|(id, t)| found.get(id).map(String::as_str) != Some(*t))
    {
        Some((id, _)) => Err(ApiError::object_not_found(&id.to_string())),
        None => Ok(()),
    }
}

/// Checks that both ends of every pair are live objects of their side's type.
pub fn check_pairs_live(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
    pairs: &[(i64, i64)],
) -> Result<(), ApiError> {
    let wanted: Vec<(i64, &str)> = pairs
        .iter()
        .flat_map(|&(f, t)| [(f, from_type), (t, to_type)])
        .collect();
    check_live(conn, portal, &wanted)
}

/// Writes links in both directions (existing ones stay), in the caller's transaction.
pub fn link(
    conn: &mut Conn,
    portal: PortalId,
    pair: &Pair<'_>,
    links: &[Link],
    now: i64,
) -> Result<(), ApiError> {
    let mut rows: Vec<(i64, &str, i64, i32)> = Vec::new();
    for l in links {
        let mut kinds = l.kinds.clone();
        if !kinds.contains(&pair.default) {
            kinds.push(pair.default);
        }
        for k in kinds {
            rows.push((l.from, pair.to_type, l.to, k.forward));
            rows.push((l.to, pair.from_type, l.from, k.inverse));
        }
    }
    // Both ends of every link, so two writes adding to one record cannot both pass its cap
    // (PostgreSQL; SQLite writers are serialised already).
    let keys: Vec<String> = links
        .iter()
        .flat_map(|l| [l.from, l.to])
        .map(|id| format!("assoc:{}:{id}", portal.0))
        .collect();
    conn.lock_keys(&keys)?;
    let dialect = conn.dialect();
    let mut changed = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        let mut b = Builder::new(dialect);
        b.push("INSERT INTO associations (portal_id, from_id, to_type, to_id, type_id, created_at) VALUES ");
        for (i, (from, to_type, to, type_id)) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.list([
                Bind::Int(portal.0),
                Bind::Int(*from),
                Bind::Text((*to_type).to_owned()),
                Bind::Int(*to),
                Bind::Int(i64::from(*type_id)),
                Bind::Int(now),
            ]);
        }
        b.push(" ON CONFLICT DO NOTHING");
        changed.extend(changes::returning(conn, b)?);
    }
    if !rows.is_empty() {
        crate::engine::counts::wrote_associations(conn, portal)?;
    }
    // Events for the rows that are new only (an existing link is no change).
    changes::record(
        conn,
        portal,
        (pair.from_type, pair.to_type),
        &changed,
        false,
    )?;
    // The cap, for each side the links touched (one grouped count per side).
    let froms: Vec<i64> = links.iter().map(|l| l.from).collect();
    let tos: Vec<i64> = links.iter().map(|l| l.to).collect();
    check_cap(conn, portal, &froms, pair.to_type)?;
    check_cap(conn, portal, &tos, pair.from_type)
}

#[derive(diesel::QueryableByName)]
struct Over {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    from_id: i64,
}

/// Refuses a write that leaves a record associated with more than [`MAX_PER_RECORD`] objects of
/// a type (the caller's transaction rolls it back).
fn check_cap(
    conn: &mut Conn,
    portal: PortalId,
    ids: &[i64],
    to_type: &str,
) -> Result<(), ApiError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        let mut b = Builder::new(conn.dialect());
        b.push("SELECT from_id FROM associations WHERE portal_id = ")
            .bind(Bind::Int(portal.0))
            .push(" AND to_type = ")
            .bind(Bind::Text(to_type.to_owned()))
            .push(" AND from_id IN ")
            .list(chunk.iter().map(|id| Bind::Int(*id)))
            .push(" GROUP BY from_id HAVING COUNT(DISTINCT to_id) > ")
            .bind(Bind::Int(MAX_PER_RECORD))
            .push(" LIMIT 1");
        let st = b.finish();
        let over: Vec<Over> = with_conn!(conn, c => bound_query!(st).load::<Over>(c))?;
        if let Some(o) = over.first() {
            let mut context = Map::new();
            context.insert("fromObjectId".into(), json!([o.from_id.to_string()]));
            return Err(ApiError::validation(
                format!(
                    "Object {} would be associated with more than {MAX_PER_RECORD} {to_type}",
                    o.from_id
                ),
                context,
                Vec::new(),
            ));
        }
    }
    Ok(())
}

/// Removes every association between each pair of objects (of the two named types), both
/// directions.
pub fn unlink_pairs(
    conn: &mut Conn,
    portal: PortalId,
    types: (&str, &str),
    pairs: &[(i64, i64)],
) -> Result<(), ApiError> {
    let both: Vec<(i64, i64)> = pairs.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    let gone = delete_rows(conn, portal, both.iter().map(|&(f, t)| (f, t, None)))?;
    changes::record(conn, portal, types, &gone, true)
}

/// Removes these types of links (both directions). Removing a pair's default type removes the
/// whole association, labels included, as HubSpot does.
pub fn unlink_kinds(
    conn: &mut Conn,
    portal: PortalId,
    pair: &Pair<'_>,
    links: &[Link],
) -> Result<(), ApiError> {
    let whole: Vec<(i64, i64)> = links
        .iter()
        .filter(|l| l.kinds.contains(&pair.default))
        .map(|l| (l.from, l.to))
        .collect();
    let types = (pair.from_type, pair.to_type);
    unlink_pairs(conn, portal, types, &whole)?;
    let partial: Vec<&Link> = links
        .iter()
        .filter(|l| !l.kinds.contains(&pair.default))
        .collect();
    let rows = partial.iter().flat_map(|l| {
        l.kinds.iter().flat_map(move |k| {
            [
                (l.from, l.to, Some(k.forward)),
                (l.to, l.from, Some(k.inverse)),
            ]
        })
    });
    let gone = delete_rows(conn, portal, rows)?;
    changes::record(conn, portal, types, &gone, true)
}

/// Deletes association rows; returns those that existed.
fn delete_rows(
    conn: &mut Conn,
    portal: PortalId,
    rows: impl Iterator<Item = (i64, i64, Option<i32>)>,
) -> Result<Vec<changes::Row>, ApiError> {
    let rows: Vec<_> = rows.collect();
    let dialect = conn.dialect();
    let mut gone = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        let mut b = Builder::new(dialect);
        b.push("DELETE FROM associations WHERE portal_id = ")
            .bind(Bind::Int(portal.0))
            .push(" AND (");
        for (i, (from, to, type_id)) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            b.push("(from_id = ")
                .bind(Bind::Int(*from))
                .push(" AND to_id = ")
                .bind(Bind::Int(*to));
            if let Some(t) = type_id {
                b.push(" AND type_id = ").bind(Bind::Int(i64::from(*t)));
            }
            b.push(")");
        }
        b.push(")");
        gone.extend(changes::returning(conn, b)?);
    }
    if !rows.is_empty() {
        crate::engine::counts::wrote_associations(conn, portal)?;
    }
    Ok(gone)
}
