//! Portals (tenants, HubSpot's hub ids): each has a time zone milestone periods are cut in
//! and a validation mode saying whether the goal-family rules are enforced. Every stored row
//! belongs to one portal.

pub mod clock;

pub use clock::Clock;

use crate::db::schema::portals;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use chrono_tz::Tz;
use diesel::prelude::*;

/// The portal a fresh database gets, and the one CLI commands use by default.
pub const DEFAULT_PORTAL: i64 = 1;

/// Creates the portal if it does not exist.
pub fn ensure_portal(conn: &mut Conn, portal: PortalId, name: &str) -> Result<(), ApiError> {
    // Read first: start-up ensures the default portal, and a read-only database must still
    // start. The insert then tolerates a concurrent one (two instances starting at once).
    let exists: i64 = with_conn!(conn, c => portals::table
        .filter(portals::id.eq(portal.0))
        .count()
        .get_result(c))?;
    if exists > 0 {
        return Ok(());
    }
    with_conn!(conn, c => diesel::insert_into(portals::table)
        .values((
            portals::id.eq(portal.0),
            portals::name.eq(name),
            portals::time_zone.eq("UTC"),
            portals::validation_mode.eq("strict"),
            portals::created_at.eq(now_ms()),
        ))
        .on_conflict(portals::id)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// Whether the goal-family rules are enforced for a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationMode {
    /// Every write is checked (the default).
    Strict,
    /// Store what is given, as HubSpot does.
    Lenient,
}

impl ValidationMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "strict" => Some(ValidationMode::Strict),
            "lenient" => Some(ValidationMode::Lenient),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ValidationMode::Strict => "strict",
            ValidationMode::Lenient => "lenient",
        }
    }
}

/// A portal's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSettings {
    /// IANA time zone name; milestone periods are cut in it.
    pub time_zone: String,
    pub validation_mode: ValidationMode,
    /// The portal's clock (real time unless a test moved it).
    pub clock: Clock,
}

impl PortalSettings {
    /// The portal's time zone. A stored name is checked when set, so the UTC fallback only
    /// covers a zone a newer tz database renamed away.
    pub fn tz(&self) -> Tz {
        zone(&self.time_zone).unwrap_or(Tz::UTC)
    }

    pub fn strict(&self) -> bool {
        self.validation_mode == ValidationMode::Strict
    }
}

/// An IANA time zone by name.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// Reads a portal's settings (defaults for a portal that does not exist yet).
pub fn portal_settings(conn: &mut Conn, portal: PortalId) -> Result<PortalSettings, ApiError> {
    type Row = (String, String, Option<i64>, i64);
    let row: Option<Row> = with_conn!(conn, c => portals::table
        .filter(portals::id.eq(portal.0))
        .select((
            portals::time_zone,
            portals::validation_mode,
            portals::clock_frozen_ms,
            portals::clock_offset_ms,
        ))
        .first(c)
        .optional())?;
    let (time_zone, mode, frozen, offset) =
        row.unwrap_or_else(|| ("UTC".into(), "strict".into(), None, 0));
    Ok(PortalSettings {
        time_zone,
        validation_mode: ValidationMode::parse(&mode).unwrap_or(ValidationMode::Strict),
        clock: Clock { frozen, offset },
    })
}

/// Changes a portal's time zone and/or validation mode (creating the portal if needed).
pub fn set_portal_settings(
    conn: &mut Conn,
    portal: PortalId,
    time_zone: Option<&str>,
    mode: Option<ValidationMode>,
) -> Result<PortalSettings, ApiError> {
    if let Some(tz) = time_zone {
        if zone(tz).is_none() {
            return Err(ApiError::bad_request(format!(
                "unknown time zone {tz:?}: use an IANA name such as America/New_York"
            )));
        }
    }
    ensure_portal(conn, portal, &format!("portal {}", portal.0))?;
    if let Some(tz) = time_zone {
        with_conn!(conn, c => diesel::update(portals::table.find(portal.0))
            .set(portals::time_zone.eq(tz))
            .execute(c))?;
    }
    if let Some(m) = mode {
        with_conn!(conn, c => diesel::update(portals::table.find(portal.0))
            .set(portals::validation_mode.eq(m.as_str()))
            .execute(c))?;
    }
    portal_settings(conn, portal)
}

/// The name a deleted portal keeps (its row stays, so its id is never given out again and no
/// per-portal cache can outlive it into a new portal).
pub const DELETED: &str = "(deleted)";

/// Creates a portal with the next unused id (one past the highest ever given).
pub fn create_portal(
    conn: &mut Conn,
    name: &str,
    time_zone: Option<&str>,
    mode: Option<ValidationMode>,
) -> Result<PortalId, ApiError> {
    // Two creates at once must not pick the same id (PostgreSQL; SQLite writers are serial).
    conn.lock_keys(&["portals:create".to_owned()])?;
    let max: Option<i64> = with_conn!(conn, c => portals::table
        .select(diesel::dsl::max(portals::id))
        .first(c))?;
    let portal = PortalId(max.unwrap_or(0) + 1);
    // A plain insert: a clash with a portal made another way (a token for a new portal id) is
    // an error, never an old portal handed out as new.
    with_conn!(conn, c => diesel::insert_into(portals::table)
        .values((
            portals::id.eq(portal.0),
            portals::name.eq(name),
            portals::time_zone.eq("UTC"),
            portals::validation_mode.eq("strict"),
            portals::created_at.eq(now_ms()),
        ))
        .execute(c))?;
    set_portal_settings(conn, portal, time_zone, mode)?;
    Ok(portal)
}

/// Whether a portal row exists (deleted or not).
pub fn exists(conn: &mut Conn, portal: PortalId) -> Result<bool, ApiError> {
    let n: i64 = with_conn!(conn, c => portals::table
        .filter(portals::id.eq(portal.0))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// Whether a portal exists and is not deleted.
pub fn live(conn: &mut Conn, portal: PortalId) -> Result<bool, ApiError> {
    let name: Option<String> = with_conn!(conn, c => portals::table
        .filter(portals::id.eq(portal.0))
        .select(portals::name)
        .first(c)
        .optional())?;
    Ok(name.is_some_and(|n| n != DELETED))
}

/// Marks a portal deleted (see [`DELETED`]); its data is removed by `db::purge`.
pub fn mark_deleted(conn: &mut Conn, portal: PortalId) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::update(portals::table.find(portal.0))
        .set(portals::name.eq(DELETED))
        .execute(c))?;
    Ok(())
}

/// Every portal id.
pub fn portal_ids(conn: &mut Conn) -> Result<Vec<PortalId>, ApiError> {
    let ids: Vec<i64> =
        with_conn!(conn, c => portals::table.select(portals::id).order(portals::id).load(c))?;
    Ok(ids.into_iter().map(PortalId).collect())
}
