//! Writes keyed by request ids — a record id or a unique property's value (`idProperty`) —
//! and batch upsert: which inputs update a live object, which create one, which find nothing.
//! Planned with one lookup per key kind and one load, then applied, inside the caller's
//! transaction; the surface decides between planning and applying whether the batch may go on.

use super::objects::{self, Changes, NewObject, Source, Update};
use super::search::run::by_unique_values;
use super::store::{self, Archived, ObjectRow, PortalId, Scope};
use super::types::{ObjectType, PropertyDef};
use super::value::normalize;
use crate::db::Conn;
use crate::error::ApiError;
use std::collections::{HashMap, HashSet};

/// How ids in a request identify objects (`idProperty`).
#[derive(Debug, Clone)]
pub enum IdBy {
    /// The record id (`hs_object_id`, the default).
    Record,
    /// A value of a unique-value property.
    Unique(Box<PropertyDef>),
}

/// Resolves request ids to record ids; ids that find nothing are absent from the map.
pub fn resolve(
    conn: &mut Conn,
    scope: Scope<'_>,
    by: &IdBy,
    raw: &[String],
    archived: Archived,
) -> Result<HashMap<String, i64>, ApiError> {
    match by {
        IdBy::Record => Ok(raw
            .iter()
            .filter_map(|r| {
                r.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(|id| (r.clone(), id))
            })
            .collect()),
        IdBy::Unique(def) => {
            Ok(
                by_unique_values(conn, scope, def, raw, archived == Archived::Only)?
                    .into_iter()
                    .map(|(raw, row)| (raw, row.id))
                    .collect(),
            )
        }
    }
}

/// One validated input of a batch update or upsert.
#[derive(Debug, Clone)]
pub struct KeyedInput {
    /// Its index in the batch.
    pub input: usize,
    /// The id as the request gave it.
    pub key: String,
    pub by: IdBy,
    pub changes: Changes,
}

/// What a batch update or upsert will do.
#[derive(Debug, Default)]
pub struct Plan {
    pub updates: Vec<Update>,
    /// Upsert only: inputs whose unique value found no live object, with that value set.
    pub creates: Vec<NewObject>,
    /// Inputs whose id found no live object: (batch index, the id as given).
    pub missing: Vec<(usize, String)>,
}

/// One written object of a batch, with the input it came from.
#[derive(Debug)]
pub struct WrittenObject {
    pub input: usize,
    pub created: bool,
    pub row: ObjectRow,
}

fn kind_of(by: &IdBy) -> Option<&str> {
    match by {
        IdBy::Record => None,
        IdBy::Unique(def) => Some(def.name.as_str()),
    }
}

/// Resolves every input's id (one lookup per id kind, one load of the live objects) and sorts
/// the inputs into updates, creates (with `upsert`, for unique-value ids only) and missing.
pub fn plan(
    conn: &mut Conn,
    scope: Scope<'_>,
    inputs: Vec<KeyedInput>,
    upsert: bool,
) -> Result<Plan, ApiError> {
    let mut found: HashMap<(Option<String>, String), i64> = HashMap::new();
    let mut kinds: Vec<&IdBy> = Vec::new();
    for i in &inputs {
        if !kinds.iter().any(|k| kind_of(k) == kind_of(&i.by)) {
            kinds.push(&i.by);
        }
    }
    for by in kinds {
        let keys: Vec<String> = inputs
            .iter()
            .filter(|i| kind_of(&i.by) == kind_of(by))
            .map(|i| i.key.clone())
            .collect();
        for (raw, id) in resolve(conn, scope, by, &keys, Archived::Live)? {
            found.insert((kind_of(by).map(str::to_owned), raw), id);
        }
    }
    let ids: Vec<i64> = found.values().copied().collect();
    let live: HashSet<i64> = store::load(conn, scope, &ids, Archived::Live)?
        .iter()
        .map(|r| r.id)
        .collect();
    let mut plan = Plan::default();
    for KeyedInput {
        input,
        key,
        by,
        mut changes,
    } in inputs
    {
        let id = found
            .get(&(kind_of(&by).map(str::to_owned), key.clone()))
            .filter(|id| live.contains(id));
        match (id.copied(), &by) {
            (Some(id), _) => plan.updates.push(Update { input, id, changes }),
            (None, IdBy::Unique(def)) if upsert => {
                changes.retain(|(name, _)| name != &def.name);
                let value = normalize(def, &key).map_err(|e| {
                    ApiError::invalid(objects::invalid_values_message(&[(*e).clone()]), vec![*e])
                })?;
                changes.push((def.name.clone(), value));
                plan.creates.push(NewObject { input, changes });
            }
            (None, _) => plan.missing.push((input, key)),
        }
    }
    Ok(plan)
}

/// Writes a plan's updates and creates; the written objects in input order.
pub fn apply(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    plan: &Plan,
    now: i64,
    source: &Source,
) -> Result<Vec<WrittenObject>, ApiError> {
    let updated = objects::update(conn, otype, portal, &plan.updates, now, source)?;
    let created = objects::create(conn, otype, portal, &plan.creates, now, source)?;
    let mut out: Vec<WrittenObject> = plan
        .updates
        .iter()
        .zip(updated)
        .map(|(u, row)| WrittenObject {
            input: u.input,
            created: false,
            row,
        })
        .chain(
            plan.creates
                .iter()
                .zip(created)
                .map(|(n, row)| WrittenObject {
                    input: n.input,
                    created: true,
                    row,
                }),
        )
        .collect();
    out.sort_by_key(|w| w.input);
    Ok(out)
}
