//! The object store: plain synchronous queries over a pooled [`Conn`], each written once and
//! compiled for both backends by `with_conn!`.

use super::search::compile::{bound_query, Bind, Builder, Statement};
use crate::db::json::{PropsDoc, RawDoc};
use crate::db::schema::{object_history, objects};
use crate::db::with_conn;
use crate::db::{Conn, Dialect};
use crate::error::ApiError;
use diesel::prelude::*;
use std::collections::HashMap;

/// A portal's id, typed so an object id (a plain `i64`, as HubSpot's wire has it) cannot pass
/// for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortalId(pub i64);

/// One stored object.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = objects)]
pub struct ObjectRow {
    pub id: i64,
    pub portal_id: i64,
    pub object_type: String,
    pub properties: PropsDoc,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived: bool,
    pub archived_at: Option<i64>,
}

/// A stored object as read-only paths see it: the document left as text (see [`RawDoc`]).
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = objects)]
pub struct ObjectView {
    pub id: i64,
    pub properties: RawDoc,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived: bool,
    pub archived_at: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = objects)]
#[diesel(treat_none_as_default_value = false)]
struct NewObject<'a> {
    portal_id: i64,
    object_type: &'a str,
    properties: &'a PropsDoc,
    created_at: i64,
    updated_at: i64,
    archived: bool,
    archived_at: Option<i64>,
}

/// One history entry: one property's value as one write set it.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: i64,
    pub object_id: i64,
    pub name: String,
    pub value: Option<String>,
    pub changed_at: i64,
    pub source_type: String,
    pub source_id: Option<String>,
}

/// One stored write of an object: every value it changed (`null` for a cleared one).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = object_history)]
struct WriteRow {
    id: i64,
    object_id: i64,
    changed_at: i64,
    source_type: String,
    source_id: Option<String>,
    changes: PropsDoc,
}

/// The history of one object write, to append.
#[derive(Insertable)]
#[diesel(table_name = object_history)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewHistory {
    pub portal_id: i64,
    pub object_id: i64,
    pub changed_at: i64,
    pub source_type: String,
    pub source_id: Option<String>,
    pub changes: PropsDoc,
}

/// Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
const INSERT_CHUNK: usize = 500;

/// Which rows a read may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    /// Live objects only.
    Live,
    /// Archived objects only (`archived=true`).
    Only,
    /// Both (for writes that must tell "archived" from "missing").
    Any,
}

/// Where the objects of one type in one portal live.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub portal: PortalId,
    pub object_type: &'a str,
}

/// Inserts objects with the given documents, returning the stored rows in input order.
pub fn insert(
    conn: &mut Conn,
    scope: Scope<'_>,
    docs: &[PropsDoc],
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    let mut out = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(INSERT_CHUNK) {
        let rows: Vec<NewObject> = chunk
            .iter()
            .map(|d| NewObject {
                portal_id: scope.portal.0,
                object_type: scope.object_type,
                properties: d,
                created_at: now,
                updated_at: now,
                archived: false,
                archived_at: None,
            })
            .collect();
        let mut got: Vec<ObjectRow> = with_conn!(conn, c => diesel::insert_into(objects::table)
            .values(&rows)
            .returning(ObjectRow::as_returning())
            .get_results(c))?;
        // RETURNING order follows VALUES order on both backends, but do not rely on it.
        got.sort_by_key(|r| r.id);
        out.extend(got);
    }
    super::counts::wrote(conn, scope, out.len() as i64)?;
    Ok(out)
}

/// Loads rows of type `$row` of one scope by id, live, archived or both.
macro_rules! load_as {
    ($conn:expr, $scope:expr, $ids:expr, $archived:expr, $row:ty) => {
        with_conn!($conn, c => {
            // One live object (GET by id): a query of fixed shape, which Diesel prepares once
            // per connection; the boxed form below is parsed and planned again on every call.
            if let ([id], Archived::Live) = ($ids, $archived) {
                objects::table
                    .filter(objects::portal_id.eq($scope.portal.0))
                    .filter(objects::object_type.eq($scope.object_type))
                    .filter(objects::id.eq(*id))
                    .filter(objects::archived.eq(false))
                    .select(<$row>::as_select())
                    .load::<$row>(c)
            } else {
                // Compiled per backend, so the boxed query takes that backend's type.
                let q = objects::table
                    .filter(objects::portal_id.eq($scope.portal.0))
                    .filter(objects::object_type.eq($scope.object_type))
                    .filter(objects::id.eq_any($ids))
                    .select(<$row>::as_select())
                    .into_boxed();
                let q = match $archived {
                    Archived::Live => q.filter(objects::archived.eq(false)),
                    Archived::Only => q.filter(objects::archived.eq(true)),
                    Archived::Any => q,
                };
                q.load::<$row>(c)
            }
        })
    };
}

/// Loads objects of one scope by id.
pub fn load(
    conn: &mut Conn,
    scope: Scope<'_>,
    ids: &[i64],
    archived: Archived,
) -> Result<Vec<ObjectRow>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(load_as!(conn, scope, ids, archived, ObjectRow)?)
}

/// As [`load`], for reading only: documents stay unparsed.
pub fn load_views(
    conn: &mut Conn,
    scope: Scope<'_>,
    ids: &[i64],
    archived: Archived,
) -> Result<Vec<ObjectView>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(load_as!(conn, scope, ids, archived, ObjectView)?)
}

/// One page of a scope in id order, starting at `from_id`; returns up to `limit + 1` rows so the
/// caller can tell whether there is a next page.
pub fn page(
    conn: &mut Conn,
    scope: Scope<'_>,
    archived: bool,
    from_id: i64,
    limit: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    let rows = with_conn!(conn, c => objects::table
        .filter(objects::portal_id.eq(scope.portal.0))
        .filter(objects::object_type.eq(scope.object_type))
        .filter(objects::archived.eq(archived))
        .filter(objects::id.ge(from_id))
        .order(objects::id.asc())
        .limit(limit + 1)
        .select(ObjectRow::as_select())
        .load(c))?;
    Ok(rows)
}

/// Writes new documents of several objects in one statement (`WITH v(id, doc) AS (VALUES …)
/// UPDATE … FROM v`), instead of one UPDATE per object.
pub fn update_docs(
    conn: &mut Conn,
    scope: Scope<'_>,
    docs: &[(i64, &PropsDoc)],
    now: i64,
) -> Result<(), ApiError> {
    let dialect = conn.dialect();
    for chunk in docs.chunks(INSERT_CHUNK) {
        let mut b = Builder::new(dialect);
        b.push("WITH v(id, doc) AS (VALUES ");
        for (i, (id, doc)) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            let text = serde_json::to_string(&doc.0)
                .map_err(|e| ApiError::Internal(format!("document: {e}")))?;
            b.push("(")
                .bind(Bind::Int(*id))
                .push(", ")
                .bind(Bind::Text(text))
                .push(")");
        }
        b.push(match dialect {
            Dialect::Postgres => {
                ") UPDATE objects SET properties = CAST(v.doc AS jsonb), updated_at = "
            }
            Dialect::Sqlite => ") UPDATE objects SET properties = v.doc, updated_at = ",
        });
        // By (portal_id, id): that is the primary key on PostgreSQL, so `id` alone would scan.
        b.bind(Bind::Int(now))
            .push(" FROM v WHERE objects.portal_id = ")
            .bind(Bind::Int(scope.portal.0))
            .push(" AND objects.id = v.id");
        execute_statement(conn, b.finish())?;
    }
    if !docs.is_empty() {
        super::counts::wrote(conn, scope, 0)?;
    }
    Ok(())
}

/// Runs a statement built with the search `Builder` that returns no rows.
fn execute_statement(conn: &mut Conn, st: Statement) -> Result<usize, ApiError> {
    Ok(with_conn!(conn, c => bound_query!(st).execute(c))?)
}

/// Sets the archived flag of objects; returns how many rows changed.
pub fn set_archived(
    conn: &mut Conn,
    scope: Scope<'_>,
    ids: &[i64],
    archived: bool,
    now: i64,
) -> Result<usize, ApiError> {
    let archived_at = archived.then_some(now);
    let n = with_conn!(conn, c => diesel::update(
        objects::table
            .filter(objects::portal_id.eq(scope.portal.0))
            .filter(objects::object_type.eq(scope.object_type))
            .filter(objects::id.eq_any(ids))
            .filter(objects::archived.eq(!archived)),
    )
    .set((
        objects::archived.eq(archived),
        objects::archived_at.eq(archived_at),
        objects::updated_at.eq(now),
    ))
    .execute(c))?;
    if n > 0 {
        let delta = if archived { -(n as i64) } else { n as i64 };
        super::counts::wrote(conn, scope, delta)?;
    }
    Ok(n)
}

/// Appends history: one row per object write.
pub fn insert_history(conn: &mut Conn, rows: &[NewHistory]) -> Result<(), ApiError> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        with_conn!(conn, c => diesel::insert_into(object_history::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// History entries by (object id, property name), newest first.
pub type History = HashMap<(i64, String), Vec<HistoryRow>>;

/// History of the named properties of the given objects, newest first per property: each
/// stored write of the objects, newest first, gives one entry per named property it changed.
pub fn history(
    conn: &mut Conn,
    portal: PortalId,
    ids: &[i64],
    names: &[String],
) -> Result<History, ApiError> {
    let mut out = History::new();
    if ids.is_empty() || names.is_empty() {
        return Ok(out);
    }
    let rows: Vec<WriteRow> = with_conn!(conn, c => object_history::table
        .filter(object_history::portal_id.eq(portal.0))
        .filter(object_history::object_id.eq_any(ids))
        .order((object_history::object_id, object_history::id.desc()))
        .select(WriteRow::as_select())
        .load(c))?;
    for r in rows {
        for name in names {
            let Some(value) = r.changes.0.get(name) else {
                continue;
            };
            out.entry((r.object_id, name.clone()))
                .or_default()
                .push(HistoryRow {
                    id: r.id,
                    object_id: r.object_id,
                    name: name.clone(),
                    value: value.as_str().map(str::to_owned),
                    changed_at: r.changed_at,
                    source_type: r.source_type.clone(),
                    source_id: r.source_id.clone(),
                });
        }
    }
    Ok(out)
}
