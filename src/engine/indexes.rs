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
    out
}

/// Creates any missing index of every registered type (and drops the single indexes a pair
/// has made redundant).
pub fn ensure(conn: &mut Conn, registry: &Registry) -> Result<(), ApiError> {
    let dialect = conn.dialect();
    for otype in registry.all() {
        for sql in statements(dialect, otype) {
            with_conn!(conn, c => c.batch_execute(&sql))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_property_leading_a_pair_has_its_single_index_dropped_after_the_pair_exists() {
        let otype = crate::goals::catalogue::goal_targets();
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let all = statements(dialect, &otype);
            let at = |prefix: &str| all.iter().position(|s| s.starts_with(prefix));
            let create = |name: &str| at(&format!("CREATE INDEX IF NOT EXISTS {name} ON"));
            let drop = |name: &str| at(&format!("DROP INDEX IF EXISTS {name}"));
            let (owner, milestone) = (
                "objects_goal_targets_hubspot_owner_id",
                "objects_goal_targets_hs_milestone",
            );
            for (single, pair) in [
                (
                    owner,
                    "objects_goal_targets_hubspot_owner_id__hs_target_amount",
                ),
                (
                    milestone,
                    "objects_goal_targets_hs_milestone__hs_target_amount",
                ),
            ] {
                assert_eq!(create(single), None, "{all:#?}");
                let (made, dropped) = (create(pair), drop(single));
                assert!(made.is_some() && dropped.is_some(), "{all:#?}");
                assert!(made < dropped, "{all:#?}");
            }
            // Properties that lead no pair keep their own index.
            assert!(create("objects_goal_targets_hs_target_amount").is_some());
            assert_eq!(all.iter().filter(|s| s.starts_with("DROP")).count(), 2);
        }
    }
}
