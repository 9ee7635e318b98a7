//! How a write calls its type's hooks: the rule hook's locks and checks (`rules::Rules`), the
//! write-time derivation of synonym properties (`types::Derive`) and the reactions that keep
//! values on other objects true (`rules::Reactions`), all inside the write's transaction.

use super::objects::{Changes, Source, CALCULATED};
use super::rules::{Touched, WriteKind, Written};
use super::store::{self, Archived, ObjectRow, PortalId, Scope};
use super::types::ObjectType;
use crate::db::json::PropsDoc;
use crate::db::{Conn, Dialect};
use crate::error::ApiError;
use std::collections::HashSet;

/// Takes the rule hook's locks for these states (PostgreSQL advisory locks; SQLite writers
/// are already serialised).
pub(super) fn lock(
    conn: &mut Conn,
    otype: &ObjectType,
    docs: &[&PropsDoc],
) -> Result<(), ApiError> {
    match &otype.rules {
        Some(rules) => conn.lock_keys(&rules.lock_keys(docs)),
        None => Ok(()),
    }
}

/// The changes with the type's synonyms filled in (deals: HubSpot's `amount` and Pipedrive's
/// `value` are one value kept under both names).
pub(super) fn derive(
    otype: &ObjectType,
    before: Option<&PropsDoc>,
    changes: &Changes,
    now: i64,
) -> Changes {
    let mut out = changes.clone();
    if let Some(derive) = otype.derive {
        derive(before, &mut out, now);
    }
    out
}

/// Asks the type's rule hook to check the state a write left, then runs its reactions.
/// Returns the ids of this write's objects that a reaction rewrote (their rows are stale).
pub(super) fn after_write(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    kind: WriteKind,
    touched: &[Touched],
    source: &Source,
    now: i64,
) -> Result<Vec<i64>, ApiError> {
    let written = Written {
        portal,
        object_type: otype.name,
        kind,
        touched,
        source: source.kind,
        now,
    };
    if let Some(rules) = otype.rules.as_ref().filter(|_| source.kind != CALCULATED) {
        rules.check(conn, &written)?;
    }
    match &otype.reactions {
        Some(reactions) => reactions.after(conn, &written),
        None => Ok(Vec::new()),
    }
}

/// Loads live rows by id after taking the locks their current states (and `extra` states)
/// need; re-reads until no row moved under a key not yet held, so what is checked later is
/// exactly what was locked.
pub(super) fn load_locked(
    conn: &mut Conn,
    otype: &ObjectType,
    scope: Scope<'_>,
    ids: &[i64],
    archived: Archived,
    extra: &[&PropsDoc],
) -> Result<Vec<ObjectRow>, ApiError> {
    let Some(rules) = &otype.rules else {
        return store::load(conn, scope, ids, archived);
    };
    let mut held: HashSet<String> = HashSet::new();
    loop {
        let rows = store::load(conn, scope, ids, archived)?;
        if conn.dialect() == Dialect::Sqlite {
            return Ok(rows);
        }
        let mut docs: Vec<&PropsDoc> = rows.iter().map(|r| &r.properties).collect();
        docs.extend_from_slice(extra);
        let new: Vec<String> = rules
            .lock_keys(&docs)
            .into_iter()
            .filter(|k| !held.contains(k))
            .collect();
        if new.is_empty() {
            return Ok(rows);
        }
        conn.lock_keys(&new)?;
        held.extend(new);
    }
}
