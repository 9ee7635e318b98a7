//! Expression indexes for the properties an object type marks `indexed`. They are derived from
//! the same expressions the search compiler emits, so the planner can match them; created at
//! start-up (`IF NOT EXISTS`) because they follow the type definitions, not a schema version.

use super::registry::Registry;
use super::search::compile::compare_expr;
use super::search::Target;
use super::types::{ObjectType, PropertyDef, Storage};
use crate::db::with_conn;
use crate::db::{Conn, Dialect};
use crate::error::ApiError;
use diesel::connection::SimpleConnection;

/// The index statements for one type: one CREATE per indexed property and per `(equality,
/// sort)` pair in `sorted_indexes`, and a DROP for an indexed property that leads a pair (the
/// pair's prefix serves its lookups, so a single index would only cost every write one more
/// entry; a database made before the pair existed has one).
pub fn statements(dialect: Dialect, otype: &ObjectType) -> Vec<String> {
    let name = |suffix: &str| {
        let mut name = format!("objects_{}_{suffix}", otype.name);
        name.truncate(63);
        name
    };
    let index = |suffix: String, exprs: Vec<String>| {
        let cols: Vec<String> = exprs.iter().map(|e| format!("({e})")).collect();
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON objects (portal_id, {}, id) \
             WHERE object_type = '{}' AND archived = FALSE",
            name(&suffix),
            cols.join(", "),
            otype.name
        )
    };
    let expr = |d: &PropertyDef| compare_expr(dialect, &Target::of(d));
    let document = |name: &str| {
        otype
            .property(name)
            .filter(|d| d.storage() == Storage::Document)
    };
    let pairs: Vec<(&PropertyDef, &PropertyDef)> = otype
        .sorted_indexes
        .iter()
        .filter_map(|(eq, by)| Some((document(eq)?, document(by)?)))
        .collect();
    let leads_pair = |d: &PropertyDef| pairs.iter().any(|(eq, _)| eq.name == d.name);
    let singles = otype
        .properties
        .iter()
        .filter(|d| d.indexed && d.storage() == Storage::Document);
    // Pairs first: a single index is dropped only once the pair that replaces it exists.
    let mut out: Vec<String> = pairs
        .iter()
        .map(|(eq, by)| {
            index(
                format!("{}__{}", eq.name, by.name),
                vec![expr(eq), expr(by)],
            )
        })
        .collect();
    for d in singles {
        out.push(if leads_pair(d) {
            format!("DROP INDEX IF EXISTS {}", name(&d.name))
        } else {
            index(d.name.clone(), vec![expr(d)])
        });
    }
    // PostgreSQL keeps no statistics for the expression of a partial index, so it estimated
    // every `expr IN (…)` at 0.5 % of the table a value and chose a sequential scan for the
    // family rules' 100-value lookups (80 ms at 100k goal targets, against 0.2 ms by index).
    // Expression statistics give ANALYZE the expression's own distribution.
    if dialect == Dialect::Postgres {
        let mut seen = Vec::new();
        let used = pairs.iter().flat_map(|(eq, by)| [*eq, *by]).chain(
            otype
                .properties
                .iter()
                .filter(|d| d.indexed && d.storage() == Storage::Document),
        );
        for d in used {
            if !seen.contains(&d.name) {
                seen.push(d.name.clone());
                out.push(format!(
                    "CREATE STATISTICS IF NOT EXISTS {} ON ({}) FROM objects",
                    name(&format!("{}_stats", d.name)),
                    expr(d)
                ));
            }
        }
    }
    out
}

/// Creates any missing index of every registered type (and drops the single indexes a pair
/// has made redundant).
pub fn ensure(conn: &mut Conn, registry: &Registry) -> Result<(), ApiError> {
    for otype in registry.all() {
        ensure_type(conn, otype)?;
    }
    Ok(())
}

/// As [`ensure`], for one type (the command line writing one type's objects without serving).
pub fn ensure_type(conn: &mut Conn, otype: &ObjectType) -> Result<(), ApiError> {
    let dialect = conn.dialect();
    for sql in statements(dialect, otype) {
        with_conn!(conn, c => c.batch_execute(&sql))?;
    }
    Ok(())
}
