//! Expression indexes for the properties an object type marks `indexed`. They are derived from
//! the same expressions the search compiler emits, so the planner can match them; created at
//! start-up (`IF NOT EXISTS`) because they follow the type definitions, not a schema version.

use super::registry::Registry;
use super::search::compile::compare_expr;
use super::search::Target;
use super::types::{ObjectType, PropertyDef, Storage};
use crate::db::{Conn, Dialect};
use crate::error::ApiError;
use crate::with_conn;
use diesel::connection::SimpleConnection;

/// The CREATE INDEX statements for one type: one per indexed property, and one per
/// `(equality, sort)` pair in `sorted_indexes`.
pub fn statements(dialect: Dialect, otype: &ObjectType) -> Vec<String> {
    let index = |suffix: String, exprs: Vec<String>| {
        let mut name = format!("objects_{}_{suffix}", otype.name);
        name.truncate(63);
        let cols: Vec<String> = exprs.iter().map(|e| format!("({e})")).collect();
        format!(
            "CREATE INDEX IF NOT EXISTS {name} ON objects (portal_id, {}, id) \
             WHERE object_type = '{}' AND archived = FALSE",
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
    let single = otype
        .properties
        .iter()
        .filter(|d| d.indexed && d.storage() == Storage::Document)
        .map(|d| index(d.name.clone(), vec![expr(d)]));
    let pairs = otype.sorted_indexes.iter().filter_map(|(eq, by)| {
        let exprs = vec![expr(document(eq)?), expr(document(by)?)];
        Some(index(format!("{eq}__{by}"), exprs))
    });
    single.chain(pairs).collect()
}

/// Creates any missing index of every registered type.
pub fn ensure(conn: &mut Conn, registry: &Registry) -> Result<(), ApiError> {
    let dialect = conn.dialect();
    for otype in registry.all() {
        for sql in statements(dialect, otype) {
            with_conn!(conn, c => c.batch_execute(&sql))?;
        }
    }
    Ok(())
}
