//! Live objects per portal and type, kept exactly without counting: every write that changes
//! how many live objects a type has appends its delta (`object_counts`) in the same
//! transaction, and the unfiltered search's `total` is the sum of the type's rows. Appends never
//! wait on each other (one counter row per type would serialise every writer of the type on its
//! row lock until commit); [`compact`], run by a background job, folds each type's rows into one
//! so the sum stays a read of a few index entries.
//!
//! The same rows carry each scope's write version: every object write appends `writes = 1`
//! (with a count delta of 0 when the count did not move), so `SUM(writes)` changes with each
//! committed write and never otherwise. A filtered search caches its total under that version
//! (`engine::search::totals`). Association writes count under [`ASSOCIATIONS`], part of every
//! type's version, since association filters read them.

use super::store::{PortalId, Scope};
use crate::db::schema::object_counts as oc;
use crate::db::with_conn;
use crate::db::Conn;
use crate::error::ApiError;
use diesel::prelude::*;

/// The pseudo type association writes are versioned under.
pub const ASSOCIATIONS: &str = "@associations";

/// Records a write of a scope's objects that gained (or, negative, lost) `delta` live objects.
pub fn wrote(conn: &mut Conn, scope: Scope<'_>, delta: i64) -> Result<(), ApiError> {
    append(conn, scope, delta, 1)
}

/// Records a write of a portal's associations.
pub fn wrote_associations(conn: &mut Conn, portal: PortalId) -> Result<(), ApiError> {
    let scope = Scope {
        portal,
        object_type: ASSOCIATIONS,
    };
    append(conn, scope, 0, 1)
}

fn append(conn: &mut Conn, scope: Scope<'_>, delta: i64, writes: i64) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::insert_into(oc::table)
        .values((
            oc::portal_id.eq(scope.portal.0),
            oc::object_type.eq(scope.object_type),
            oc::delta.eq(delta),
            oc::writes.eq(writes),
        ))
        .execute(c))?;
    Ok(())
}

/// The live objects of a scope as a scalar subquery (the portal bound after it), for a
/// search statement's `total`: what `COUNT(*)` over its live rows would say.
pub fn live_sql(object_type: &str) -> String {
    let object_type = super::search::compile::checked(object_type);
    format!(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS n FROM object_counts \
         WHERE object_type = '{object_type}' AND portal_id = "
    )
}

/// The write version of a search over `types` (its own type, and the types its association
/// filters read) as a scalar subquery, the portal bound after it: it changes with every
/// committed write of those types' objects or of the portal's associations.
pub fn version_sql(types: &[&str]) -> String {
    let listed: Vec<String> = types
        .iter()
        .map(|t| format!("'{}'", super::search::compile::checked(t)))
        .collect();
    format!(
        "SELECT CAST(COALESCE(SUM(writes), 0) AS BIGINT) AS v FROM object_counts \
         WHERE object_type IN ({}, '{ASSOCIATIONS}') AND portal_id = ",
        listed.join(", ")
    )
}

/// Folds each scope's delta rows into one; returns how many rows went. Safe beside writers and
/// other compactions: each fold deletes the rows it can see and re-adds exactly their sum.
pub fn compact(conn: &mut Conn) -> Result<usize, ApiError> {
    let scopes: Vec<(i64, String)> = with_conn!(conn, c => oc::table
        .group_by((oc::portal_id, oc::object_type))
        .having(diesel::dsl::count_star().gt(1))
        .select((oc::portal_id, oc::object_type))
        .load(c))?;
    let mut folded = 0;
    for (portal, object_type) in scopes {
        folded += conn.write_tx(|tx| {
            let gone: Vec<(i64, i64)> = with_conn!(tx, c => diesel::delete(oc::table
                .filter(oc::portal_id.eq(portal))
                .filter(oc::object_type.eq(&object_type)))
                .returning((oc::delta, oc::writes))
                .get_results(c))?;
            let scope = Scope {
                portal: PortalId(portal),
                object_type: &object_type,
            };
            // A zero sum still keeps a row, so the scope stays listed.
            let delta = gone.iter().map(|g| g.0).sum();
            append(tx, scope, delta, gone.iter().map(|g| g.1).sum())?;
            Ok(gone.len().saturating_sub(1))
        })?;
    }
    Ok(folded)
}
