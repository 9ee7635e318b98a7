//! Object operations with their validation and history: what a write does, whatever surface
//! it arrived on. Each function runs inside the caller's transaction.

use super::events::{self, Change};
use super::hooks::{after_write, derive, load_locked, lock};
use super::rules::{Touched, WriteKind};
use super::store::{self, Archived, NewHistory, ObjectRow, PortalId, Scope};
use super::types::ObjectType;
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::error::ApiError;
use std::collections::HashMap;

pub use super::validate::{invalid_values_message, validate};

/// Validated property changes of one input: name to new value (`None` clears it).
pub type Changes = Vec<(String, Option<String>)>;

/// One object to create: the input it came from (its index in a batch) and its changes.
#[derive(Debug, Clone)]
pub struct NewObject {
    pub input: usize,
    pub changes: Changes,
}

/// One change to a live object: the input it came from, the object's id and its changes.
#[derive(Debug, Clone)]
pub struct Update {
    pub input: usize,
    pub id: i64,
    pub changes: Changes,
}

/// The source of values the server computes (attainment, Pipedrive results): such writes
/// change no defining property, so the rule hook does not judge them and reactions ignore them.
pub const CALCULATED: &str = "CALCULATED";

/// Where a change came from, for history (`sourceType`, `sourceId`).
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: &'static str,
    pub id: Option<String>,
}

impl Source {
    pub fn api() -> Self {
        Source {
            kind: "API",
            id: None,
        }
    }
}

/// The history row of one object write: every value it changed.
fn history_row(
    scope: Scope<'_>,
    id: i64,
    changes: &Changes,
    now: i64,
    source: &Source,
) -> Option<NewHistory> {
    if changes.is_empty() {
        return None;
    }
    let mut doc = PropsDoc::default();
    for (name, value) in changes {
        doc.0.insert(
            name.clone(),
            value
                .clone()
                .map_or(serde_json::Value::Null, serde_json::Value::String),
        );
    }
    Some(NewHistory {
        portal_id: scope.portal.0,
        object_id: id,
        changed_at: now,
        source_type: source.kind.to_owned(),
        source_id: source.id.clone(),
        changes: doc,
    })
}

/// When a write's changes happened: the type's event-time property when the write sets it
/// (importing history with its real times), otherwise now.
fn event_time(otype: &ObjectType, changes: &Changes, now: i64) -> i64 {
    otype
        .event_time_property
        .and_then(|p| changes.iter().find(|(name, _)| name == p))
        .and_then(|(_, v)| v.as_deref())
        .and_then(super::value::parse_instant)
        .unwrap_or(now)
}

/// The document holding just these changes' values.
fn doc_of(changes: &Changes) -> PropsDoc {
    let mut doc = PropsDoc::default();
    for (name, value) in changes {
        doc.set(name, value.clone());
    }
    doc
}

/// Creates objects; returns them in input order.
pub fn create(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    inputs: &[NewObject],
    now: i64,
    source: &Source,
) -> Result<Vec<ObjectRow>, ApiError> {
    create_as(conn, otype, portal, inputs, now, source, WriteKind::Create)
}

/// As [`create`], telling the rule hook what kind of create this is.
pub fn create_as(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    inputs: &[NewObject],
    now: i64,
    source: &Source,
    kind: WriteKind,
) -> Result<Vec<ObjectRow>, ApiError> {
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let derived: Vec<Changes> = inputs
        .iter()
        .map(|n| derive(otype, None, &n.changes, now))
        .collect();
    let docs: Vec<PropsDoc> = derived.iter().map(doc_of).collect();
    lock(conn, otype, &docs.iter().collect::<Vec<_>>())?;
    let rows = store::insert(conn, scope, &docs, now)?;
    let mut history = Vec::new();
    for (row, changes) in rows.iter().zip(&derived) {
        let set: Changes = changes
            .iter()
            .filter(|(_, v)| v.is_some())
            .cloned()
            .collect();
        history.extend(history_row(
            scope,
            row.id,
            &set,
            event_time(otype, changes, now),
            source,
        ));
    }
    store::insert_history(conn, &history)?;
    let touched: Vec<Touched> = rows
        .iter()
        .zip(inputs)
        .map(|(row, n)| Touched {
            input: Some(n.input),
            id: row.id,
            before: None,
            after: Some(row.properties.clone()),
            created_at: row.created_at,
        })
        .collect();
    // Events first: what a reaction writes is recorded after the write that set it off.
    let created: Vec<Change> = rows
        .iter()
        .map(|r| Change::object(events::CREATION, otype.name, r.id, source.kind))
        .collect();
    events::record(conn, portal, &created)?;
    let rewritten = after_write(conn, otype, portal, kind, &touched, source, now)?;
    reload(conn, scope, rows, &rewritten)
}

/// The rows with those a reaction rewrote read again.
fn reload(
    conn: &mut Conn,
    scope: Scope<'_>,
    mut rows: Vec<ObjectRow>,
    rewritten: &[i64],
) -> Result<Vec<ObjectRow>, ApiError> {
    if rewritten.is_empty() {
        return Ok(rows);
    }
    let fresh: HashMap<i64, ObjectRow> = store::load(conn, scope, rewritten, Archived::Live)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    for row in &mut rows {
        if let Some(f) = fresh.get(&row.id) {
            *row = f.clone();
        }
    }
    Ok(rows)
}

/// Applies updates to live objects, keeping history of values that really changed. Missing or
/// archived ids are an OBJECT_NOT_FOUND naming them.
pub fn update(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    updates: &[Update],
    now: i64,
    source: &Source,
) -> Result<Vec<ObjectRow>, ApiError> {
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let ids: Vec<i64> = updates.iter().map(|u| u.id).collect();
    // The new values may move objects into other families: lock those too.
    let incoming: Vec<PropsDoc> = updates.iter().map(|u| doc_of(&u.changes)).collect();
    let extra: Vec<&PropsDoc> = incoming.iter().collect();
    let mut found: HashMap<i64, ObjectRow> =
        load_locked(conn, otype, scope, &ids, Archived::Live, &extra)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    if let Some(missing) = updates.iter().find(|u| !found.contains_key(&u.id)) {
        return Err(ApiError::object_not_found(&missing.id.to_string()));
    }
    let mut out = Vec::with_capacity(updates.len());
    let mut history = Vec::new();
    let mut touched = Vec::with_capacity(updates.len());
    let mut changed = Vec::new();
    for Update {
        input: index,
        id,
        changes,
    } in updates
    {
        // Two inputs that resolve to one object (e.g. unique values differing only in case).
        let Some(mut row) = found.remove(id) else {
            return Err(ApiError::bad_request(format!(
                "Input {index} names object {id}, which an earlier input of this batch names too"
            )));
        };
        let before = row.properties.clone();
        let changes = &derive(otype, Some(&before), changes, now);
        let real: Changes = changes
            .iter()
            .filter(|(name, value)| row.properties.get(name) != value.as_deref())
            .cloned()
            .collect();
        if !real.is_empty() {
            changed.push(out.len());
            for (name, value) in &real {
                row.properties.set(name, value.clone());
            }
            row.updated_at = now;
            history.extend(history_row(
                scope,
                *id,
                &real,
                event_time(otype, changes, now),
                source,
            ));
        }
        touched.push(Touched {
            input: Some(*index),
            id: *id,
            before: Some(before),
            after: Some(row.properties.clone()),
            created_at: row.created_at,
        });
        out.push(row);
    }
    // Every changed document in one statement.
    let docs: Vec<(i64, &PropsDoc)> = changed
        .iter()
        .map(|&i| (out[i].id, &out[i].properties))
        .collect();
    store::update_docs(conn, scope, &docs, now)?;
    store::insert_history(conn, &history)?;
    // One propertyChange event per value that really changed, as HubSpot sends them.
    let changes: Vec<Change> = history
        .iter()
        .flat_map(|h| {
            h.changes.0.iter().map(|(name, value)| Change {
                property_name: Some(name.clone()),
                property_value: value.as_str().map(str::to_owned),
                source_id: source.id.clone(),
                ..Change::object(
                    events::PROPERTY_CHANGE,
                    otype.name,
                    h.object_id,
                    source.kind,
                )
            })
        })
        .collect();
    events::record(conn, portal, &changes)?;
    let rewritten = after_write(
        conn,
        otype,
        portal,
        WriteKind::Update,
        &touched,
        source,
        now,
    )?;
    reload(conn, scope, out, &rewritten)
}

/// Archives live objects; unknown or already archived ids are ignored (HubSpot's DELETE is
/// idempotent). Returns the archived rows.
pub fn archive(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    ids: &[i64],
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    set_archived(conn, otype, portal, ids, true, now)
}

/// Brings archived objects back; the rules are checked again on the state that leaves.
pub fn restore(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    ids: &[i64],
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    set_archived(conn, otype, portal, ids, false, now)
}

fn set_archived(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    ids: &[i64],
    archived: bool,
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let from = if archived {
        Archived::Live
    } else {
        Archived::Only
    };
    let rows = load_locked(conn, otype, scope, ids, from, &[])?;
    let changing: Vec<i64> = rows.iter().map(|r| r.id).collect();
    store::set_archived(conn, scope, &changing, archived, now)?;
    let touched: Vec<Touched> = rows
        .iter()
        .map(|r| Touched {
            input: ids.iter().position(|id| *id == r.id),
            id: r.id,
            before: archived.then(|| r.properties.clone()),
            after: (!archived).then(|| r.properties.clone()),
            created_at: r.created_at,
        })
        .collect();
    let kind = if archived {
        WriteKind::Archive
    } else {
        WriteKind::Restore
    };
    let event = if archived {
        events::DELETION
    } else {
        events::RESTORE
    };
    let changes: Vec<Change> = rows
        .iter()
        .map(|r| Change::object(event, otype.name, r.id, "API"))
        .collect();
    events::record(conn, portal, &changes)?;
    let rewritten = after_write(conn, otype, portal, kind, &touched, &Source::api(), now)?;
    reload(conn, scope, rows, &rewritten)
}
