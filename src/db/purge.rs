//! Removing what a portal holds, table by table, in the caller's transaction (the test control
//! plane's throwaway portals and resets). The portal's own row stays (see `portals::DELETED`).
//! Every table with a `portal_id` is listed here; `tests/it/test_plane.rs` finds them all in the
//! database's catalogue and checks that a deleted portal leaves no row in any.

use super::schema::*;
use super::{with_conn, Conn};
use crate::error::ApiError;
use diesel::prelude::*;

/// The portal-scoped tables of its data, in no particular order (no foreign keys between them).
/// Snapshots copy exactly these.
pub const DATA: &[&str] = &[
    "pipedrive_goals",
    "lookups",
    "objects",
    "object_history",
    "property_definitions",
    "property_groups",
    "associations",
    "association_labels",
    "object_counts",
    "kpi_slices",
];

/// Webhook settings and subscriptions: where the journal is delivered, and how far. A reset
/// clears them with the journal; a restore leaves them (and their cursors) as they are, so
/// delivery never replays or skips events.
pub const HOOKS: &[&str] = &[
    "webhook_settings",
    "webhook_subscriptions",
    "pipedrive_webhooks",
];

/// The change journal and its delivery state: a record of what happened, which a reset clears
/// but a snapshot restore never rewinds (a consumer saw those events).
pub const JOURNAL: &[&str] = &[
    "events",
    "event_sequences",
    "webhook_cursors",
    "webhook_parked",
];

/// Deletes every row of `portal` in every portal-scoped table, the write positions and tokens
/// of its tokens and its snapshots; returns how many rows went.
pub fn purge_portal(conn: &mut Conn, portal: i64) -> Result<usize, ApiError> {
    let tokens: Vec<i64> = with_conn!(conn, c => api_tokens::table
        .filter(api_tokens::portal_id.eq(portal))
        .select(api_tokens::id)
        .load(c))?;
    let mut n = with_conn!(conn, c => diesel::delete(
        write_positions::table.filter(write_positions::token_id.eq_any(&tokens))
    ).execute(c))?;
    n += with_conn!(conn, c => diesel::delete(
        api_tokens::table.filter(api_tokens::portal_id.eq(portal))
    ).execute(c))?;
    n += super::snapshots::drop_all(conn, portal)?;
    Ok(n + reset(conn, portal)?)
}

/// Deletes everything of `portal` but its tokens and snapshots: data, webhooks, journal.
pub fn reset(conn: &mut Conn, portal: i64) -> Result<usize, ApiError> {
    Ok(purge_tables(conn, portal, DATA)?
        + purge_tables(conn, portal, HOOKS)?
        + purge_tables(conn, portal, JOURNAL)?)
}

/// Deletes `portal`'s rows from `tables` (names from [`DATA`], [`HOOKS`] and [`JOURNAL`]).
pub fn purge_tables(conn: &mut Conn, portal: i64, tables: &[&str]) -> Result<usize, ApiError> {
    let mut n = 0;
    for t in tables {
        let sql = format!("DELETE FROM {t} WHERE portal_id = {portal}");
        n += with_conn!(conn, c => diesel::sql_query(sql).execute(c))?;
    }
    Ok(n)
}
