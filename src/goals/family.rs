//! Family-level operations beyond HubSpot: read a whole family, archive or restore it
//! atomically (no search round trip), and audit a portal for families that break the rules.

use super::rules::{self, FAMILY};
use super::violation::Violation;
use crate::db::Conn;
use crate::engine::objects;
use crate::engine::search::run::members_in;
use crate::engine::store::{self, ObjectRow, PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::portals::portal_settings;

fn scope(otype: &ObjectType, portal: PortalId) -> Scope<'_> {
    Scope {
        portal,
        object_type: otype.name,
    }
}

/// The live (or archived) slices of a family.
pub fn load(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    uuid: &str,
    archived: bool,
) -> Result<Vec<ObjectRow>, ApiError> {
    members_in(
        conn,
        scope(otype, portal),
        FAMILY,
        &[uuid.to_owned()],
        archived,
    )
}

fn not_found(uuid: &str) -> ApiError {
    let mut context = serde_json::Map::new();
    context.insert("family".into(), serde_json::json!([uuid]));
    ApiError::NotFound {
        message: format!("No goal family {uuid}"),
        context,
    }
}

/// The lock a write to a family holds (a PostgreSQL advisory lock on its hash), so writers of
/// one family, through either API, take turns.
pub fn lock_key(family_uuid: &str) -> String {
    format!("family:{family_uuid}")
}

/// The ids of a family's live (or archived) slices, under the family lock; a 404 if none.
fn locked_ids(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    uuid: &str,
    archived: bool,
) -> Result<Vec<i64>, ApiError> {
    conn.lock_keys(&[lock_key(uuid)])?;
    let ids: Vec<i64> = load(conn, otype, portal, uuid, archived)?
        .iter()
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Err(not_found(uuid));
    }
    Ok(ids)
}

/// Archives every live slice of a family in one transaction; returns them.
pub fn archive(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    uuid: &str,
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    let ids = locked_ids(conn, otype, portal, uuid, false)?;
    objects::archive(conn, otype, portal, &ids, now)
}

/// Restores every archived slice of a family in one transaction; the rules are checked on the
/// family that leaves, so a restore that would overlap live slices is refused whole.
pub fn restore(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    uuid: &str,
    now: i64,
) -> Result<Vec<ObjectRow>, ApiError> {
    let ids = locked_ids(conn, otype, portal, uuid, true)?;
    objects::restore(conn, otype, portal, &ids, now)?;
    load(conn, otype, portal, uuid, false)
}

/// Every rule broken by a portal's live goal targets.
pub fn check_portal(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
) -> Result<Vec<Violation>, ApiError> {
    let settings = portal_settings(conn, portal)?;
    let tz = settings.tz();
    let mut rows = Vec::new();
    let mut from = 1;
    loop {
        let page = store::page(conn, scope(otype, portal), false, from, 5_000)?;
        let more = page.len() > 5_000;
        from = page.last().map_or(from, |r| r.id + 1);
        rows.extend(page.into_iter().take(5_000));
        if !more {
            break;
        }
    }
    Ok(rules::audit(&rows, tz))
}
