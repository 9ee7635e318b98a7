//! Runs a compiled search: the page and the exact total from one read snapshot.

use super::ast::{Operand, Search, Target};
use super::compile::{compile, first, Statement};
use super::cursor::{self, After};
use super::totals::Totals;
use crate::db::Conn;
use crate::engine::store::{ObjectRow, ObjectView, Scope};
use crate::engine::types::{PropertyDef, PropertyType};
use crate::engine::value::{normalize, parse_number};
use crate::error::ApiError;
use std::borrow::Cow;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A page row with the search's total and write version beside it (`compile::first`).
#[derive(QueryableByName)]
struct Counted {
    #[diesel(embed)]
    view: ObjectView,
    #[diesel(sql_type = Nullable<BigInt>)]
    total: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
}

/// One page of results.
pub struct Page {
    pub total: i64,
    /// Documents left as text: a page is usually rendered, not edited.
    pub rows: Vec<ObjectView>,
    /// `paging.next.after`, when there is a next page.
    pub next: Option<String>,
}

/// Live objects of a scope whose string property `name` is exactly one of `values`.
pub fn members(
    conn: &mut Conn,
    scope: Scope<'_>,
    name: &str,
    values: &[String],
) -> Result<Vec<ObjectRow>, ApiError> {
    members_in(conn, scope, name, values, false)
}

/// As [`members`], choosing live or archived objects.
pub fn members_in(
    conn: &mut Conn,
    scope: Scope<'_>,
    name: &str,
    values: &[String],
    archived: bool,
) -> Result<Vec<ObjectRow>, ApiError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let target = Target::Doc(name.to_owned(), PropertyType::String);
    let operands = values
        .iter()
        .map(|v| Operand::Text(v.to_ascii_lowercase()))
        .collect();
    let st = super::compile::members(
        conn.dialect(),
        scope.portal.0,
        scope.object_type,
        target,
        operands,
        archived,
    );
    let mut rows = load_rows(conn, st)?;
    rows.retain(|r| {
        r.properties
            .get(name)
            .is_some_and(|v| values.iter().any(|x| x == v))
    });
    Ok(rows)
}

/// Objects whose unique-value property `def` holds one of `values` (as search compares them:
/// strings ASCII case-insensitively, numbers numerically), paired with the value that found
/// each. Values that are not valid for the property find nothing.
pub fn by_unique_values(
    conn: &mut Conn,
    scope: Scope<'_>,
    def: &PropertyDef,
    values: &[String],
    archived: bool,
) -> Result<Vec<(String, ObjectRow)>, ApiError> {
    let target = Target::of(def);
    let parsed: Vec<(String, Operand)> = values
        .iter()
        .filter_map(|v| {
            let stored = normalize(def, v).ok()??;
            super::ast::operand(&target, &def.name, &stored)
                .ok()
                .map(|o| (v.clone(), o))
        })
        .collect();
    if parsed.is_empty() {
        return Ok(Vec::new());
    }
    let operands = parsed.iter().map(|(_, o)| o.clone()).collect();
    let st = super::compile::members(
        conn.dialect(),
        scope.portal.0,
        scope.object_type,
        target.clone(),
        operands,
        archived,
    );
    let rows = load_rows(conn, st)?;
    let mut out = Vec::new();
    for (raw, operand) in parsed {
        if let Some(row) = rows
            .iter()
            .find(|r| sort_value(r, &target).as_ref() == Some(&operand))
        {
            out.push((raw, row.clone()));
        }
    }
    Ok(out)
}

/// Runs a compiled statement on whichever backend `conn` is, loading rows of type `$row`.
macro_rules! load_statement {
    ($conn:expr, $st:expr, $row:ty) => {
        $crate::db::with_conn!($conn, c => {
            use diesel::RunQueryDsl;
            $crate::engine::search::compile::bound_query!($st).load::<$row>(c)
        })
    };
}
pub(crate) use load_statement;

fn load_rows(conn: &mut Conn, st: Statement) -> Result<Vec<ObjectRow>, ApiError> {
    Ok(load_statement!(conn, st, ObjectRow)?)
}

fn load_count(conn: &mut Conn, st: Statement) -> Result<i64, ApiError> {
    let rows = load_statement!(conn, st, Count)?;
    Ok(rows.first().map_or(0, |c| c.n))
}

/// The value a row has for the sort target, in compared form.
pub fn sort_value(row: &ObjectRow, target: &Target) -> Option<Operand> {
    compared(target, row.id, row.created_at, row.updated_at, |name| {
        row.properties.get(name).map(Cow::Borrowed)
    })
}

/// As [`sort_value`], for a row whose document is still text.
pub fn view_sort_value(row: &ObjectView, target: &Target) -> Option<Operand> {
    compared(target, row.id, row.created_at, row.updated_at, |name| {
        row.properties.get(name).map(Cow::Owned)
    })
}

fn compared<'a>(
    target: &Target,
    id: i64,
    created_at: i64,
    updated_at: i64,
    doc_value: impl FnOnce(&str) -> Option<Cow<'a, str>>,
) -> Option<Operand> {
    match target {
        Target::Id => Some(Operand::Int(id)),
        Target::TimeColumn("created_at") => Some(Operand::Int(created_at)),
        Target::TimeColumn(_) => Some(Operand::Int(updated_at)),
        Target::Doc(name, kind) => {
            let raw = doc_value(name)?;
            Some(match kind {
                PropertyType::Number => Operand::Num(parse_number(&raw)?),
                PropertyType::String | PropertyType::Bool => {
                    Operand::Text(raw.to_ascii_lowercase())
                }
                _ => Operand::Text(raw.into_owned()),
            })
        }
        Target::Association(_) => None,
    }
}

/// Runs a search over one scope, its total cached in `totals` when filtered.
pub fn search(
    conn: &mut Conn,
    totals: &Totals,
    scope: Scope<'_>,
    search: &Search,
    after: &After,
) -> Result<Page, ApiError> {
    let (dialect, portal, otype) = (conn.dialect(), scope.portal.0, scope.object_type);
    let mut plan = totals.plan(portal, otype, search);
    loop {
        let st = first(dialect, portal, otype, search, after, plan.extra());
        let rows = load_statement!(conn, st, Counted)?;
        let Some(head) = rows.first() else {
            // An empty page carries no total: count and re-read the page in one snapshot, so
            // an empty page never comes with a total counted after it.
            let (total, rows) = conn.read_tx(|tx| {
                let compiled = compile(dialect, portal, otype, search, after);
                let total = load_count(tx, compiled.count)?;
                let rows: Vec<ObjectView> = load_statement!(tx, compiled.page, ObjectView)?;
                Ok((total, rows))
            })?;
            return Ok(page_of(search, total, rows));
        };
        match totals.settle(&plan, head.total, head.version) {
            Some(total) => {
                let views = rows.into_iter().map(|c| c.view).collect();
                return Ok(page_of(search, total, views));
            }
            // Written since the total was cached: once more, with the count.
            None => plan = plan.recount(),
        }
    }
}

/// The page from the rows read (one more than the page when there is a next one).
pub(crate) fn page_of(search: &Search, total: i64, mut rows: Vec<ObjectView>) -> Page {
    let more = rows.len() as i64 > search.limit;
    rows.truncate(search.limit as usize);
    let next = match (more, rows.last()) {
        (true, Some(last)) => Some(match &search.sort {
            None => cursor::encode(None, last.id),
            Some(s) => cursor::encode(view_sort_value(last, &s.target).as_ref(), last.id),
        }),
        _ => None,
    };
    Page { total, rows, next }
}
