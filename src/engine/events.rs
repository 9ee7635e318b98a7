//! The change-event outbox: every object write appends its events in the writing transaction
//! (an acknowledged write always has them; a refused or rolled-back one has none). A portal's
//! events are numbered by `seq`, taken from `event_sequences` as the write's last work:
//! the row lock it takes is held only until commit, and the next writer of the portal gets a
//! higher number only after that commit, so events become visible in `seq` order and a reader
//! paging by `seq` (the journal, the webhook deliverer) never passes one that commits later.

use super::store::PortalId;
use crate::db::schema::{event_sequences as es, events as ev};
use crate::db::{with_conn, Conn};
use crate::error::ApiError;
use diesel::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

pub const CREATION: &str = "object.creation";
pub const PROPERTY_CHANGE: &str = "object.propertyChange";
pub const DELETION: &str = "object.deletion";
pub const RESTORE: &str = "object.restore";
pub const ASSOCIATION_CHANGE: &str = "object.associationChange";
pub const TYPES: &[&str] = &[
    CREATION,
    PROPERTY_CHANGE,
    DELETION,
    RESTORE,
    ASSOCIATION_CHANGE,
];

/// Rows per insert statement (12 values each, well under SQLite's bound-value limit).
const CHUNK: usize = 500;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns recording off for this process (`--events off`: to measure what the outbox costs).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::SeqCst);
}

/// One change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub event_type: &'static str,
    pub object_type: String,
    pub object_id: i64,
    pub property_name: Option<String>,
    pub property_value: Option<String>,
    pub source: String,
    pub source_id: Option<String>,
    /// Association changes: the other end, as JSON text.
    pub detail: Option<String>,
}

impl Change {
    /// A change of a whole object (creation, deletion, restore).
    pub fn object(event_type: &'static str, object_type: &str, id: i64, source: &str) -> Self {
        Change {
            event_type,
            object_type: object_type.to_owned(),
            object_id: id,
            property_name: None,
            property_value: None,
            source: source.to_owned(),
            source_id: None,
            detail: None,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = ev)]
struct NewEvent<'a> {
    portal_id: i64,
    seq: i64,
    occurred_at: i64,
    event_type: &'a str,
    object_type: &'a str,
    object_id: i64,
    property_name: Option<&'a str>,
    property_value: Option<&'a str>,
    change_source: &'a str,
    source_id: Option<&'a str>,
    detail: Option<&'a str>,
}

/// A stored event.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = ev)]
pub struct Event {
    pub id: i64,
    pub portal_id: i64,
    pub seq: i64,
    pub occurred_at: i64,
    pub event_type: String,
    pub object_type: String,
    pub object_id: i64,
    pub property_name: Option<String>,
    pub property_value: Option<String>,
    pub change_source: String,
    pub source_id: Option<String>,
    pub detail: Option<String>,
}

/// Appends `changes` as events of `portal` that happen now, as the last work of the caller's
/// write transaction (`db::at_commit`): from the numbering to commit, the portal's other
/// writers wait for their numbers, so it takes no other lock after it. The journal keeps real
/// time even for a portal whose clock a test moved: retention and webhook retries are real.
pub fn record(conn: &mut Conn, portal: PortalId, changes: &[Change]) -> Result<(), ApiError> {
    let now = crate::engine::value::now_ms();
    if changes.is_empty() || !ENABLED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let changes = changes.to_vec();
    crate::db::at_commit(conn, move |conn| append(conn, portal, &changes, now))
}

fn append(conn: &mut Conn, portal: PortalId, changes: &[Change], now: i64) -> Result<(), ApiError> {
    let n = changes.len() as i64;
    let last: i64 = with_conn!(conn, c => diesel::insert_into(es::table)
        .values((es::portal_id.eq(portal.0), es::last.eq(n)))
        .on_conflict(es::portal_id)
        .do_update()
        .set(es::last.eq(es::last + n))
        .returning(es::last)
        .get_result(c))?;
    let first = last - n + 1;
    let rows: Vec<NewEvent> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| NewEvent {
            portal_id: portal.0,
            seq: first + i as i64,
            occurred_at: now,
            event_type: c.event_type,
            object_type: &c.object_type,
            object_id: c.object_id,
            property_name: c.property_name.as_deref(),
            property_value: c.property_value.as_deref(),
            change_source: &c.source,
            source_id: c.source_id.as_deref(),
            detail: c.detail.as_deref(),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        with_conn!(conn, c => diesel::insert_into(ev::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// What a journal read asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only event types starting with this (`object.`: the CRM object events).
    pub prefix: Option<&'static str>,
    pub object_type: Option<String>,
    /// Only events of these object types (those the reader may read).
    pub object_types: Option<Vec<String>>,
    pub object_id: Option<i64>,
    pub event_type: Option<String>,
}

/// A portal's events after `after` (a `seq`), oldest first, at most `limit`.
pub fn after(
    conn: &mut Conn,
    portal: PortalId,
    after: i64,
    limit: i64,
    filter: &Filter,
) -> Result<Vec<Event>, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = ev::table
            .filter(ev::portal_id.eq(portal.0))
            .filter(ev::seq.gt(after))
            .select(Event::as_select())
            .order(ev::seq.asc())
            .limit(limit)
            .into_boxed();
        if let Some(p) = filter.prefix {
            q = q.filter(ev::event_type.like(format!("{p}%")));
        }
        if let Some(t) = &filter.object_type {
            q = q.filter(ev::object_type.eq(t.clone()));
        }
        if let Some(ts) = &filter.object_types {
            q = q.filter(ev::object_type.eq_any(ts.clone()));
        }
        if let Some(id) = filter.object_id {
            q = q.filter(ev::object_id.eq(id));
        }
        if let Some(t) = &filter.event_type {
            q = q.filter(ev::event_type.eq(t.clone()));
        }
        q.load(c)
    })?)
}

/// The sequence number of a portal's last event (0 before its first).
pub fn last_seq(conn: &mut Conn, portal: PortalId) -> Result<i64, ApiError> {
    let last: Option<i64> = with_conn!(conn, c => es::table
        .filter(es::portal_id.eq(portal.0))
        .select(es::last)
        .first(c)
        .optional())?;
    Ok(last.unwrap_or(0))
}

/// Deletes a portal's events after `seq` (the test plane's refused seed: they describe writes
/// that were undone). Numbers are not given out again.
pub fn forget_after(conn: &mut Conn, portal: PortalId, seq: i64) -> Result<usize, ApiError> {
    Ok(with_conn!(conn, c => diesel::delete(ev::table
        .filter(ev::portal_id.eq(portal.0))
        .filter(ev::seq.gt(seq)))
        .execute(c))?)
}

/// Deletes events that happened before `before` (retention); returns how many went. Per
/// portal, everything below the first event young enough to keep: a walk of the key from the
/// oldest that stops there (numbers follow commit order, so times are near-monotonic in `seq`).
pub fn prune(conn: &mut Conn, before: i64) -> Result<usize, ApiError> {
    use crate::db::schema::event_sequences as es;
    let portals: Vec<(i64, i64)> =
        with_conn!(conn, c => es::table.select((es::portal_id, es::last)).load(c))?;
    let mut gone = 0;
    for (portal, last) in portals {
        let keep: Option<i64> = with_conn!(conn, c => ev::table
            .filter(ev::portal_id.eq(portal))
            .filter(ev::occurred_at.ge(before))
            .order(ev::seq.asc())
            .select(ev::seq)
            .first(c)
            .optional())?;
        let below = keep.unwrap_or(last + 1);
        gone += conn.write_tx(|tx| {
            Ok(with_conn!(tx, c => diesel::delete(ev::table
                .filter(ev::portal_id.eq(portal))
                .filter(ev::seq.lt(below)))
                .execute(c))?)
        })?;
    }
    Ok(gone)
}
