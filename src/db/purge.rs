//! Removing everything a portal holds, table by table, in the caller's transaction (the test
//! control plane's throwaway portals). The portal's own row stays (see `portals::DELETED`).
//! Every table with a `portal_id` is listed here; `tests/it/test_plane.rs` finds them all in the
//! database's catalogue and checks that a deleted portal leaves no row in any.

use super::schema::*;
use super::{with_conn, Conn};
use crate::error::ApiError;
use diesel::prelude::*;

/// Deletes every row of `portal` in every portal-scoped table, and the write positions and
/// tokens of its tokens; returns how many rows went.
pub fn purge_portal(conn: &mut Conn, portal: i64) -> Result<usize, ApiError> {
    let tokens: Vec<i64> = with_conn!(conn, c => api_tokens::table
        .filter(api_tokens::portal_id.eq(portal))
        .select(api_tokens::id)
        .load(c))?;
    let mut n = with_conn!(conn, c => diesel::delete(
        write_positions::table.filter(write_positions::token_id.eq_any(&tokens))
    ).execute(c))?;
    macro_rules! purge {
        ($($t:ident),+) => {
            $(n += with_conn!(conn, c => diesel::delete($t::table.filter($t::portal_id.eq(portal))).execute(c))?;)+
        };
    }
    purge!(
        api_tokens,
        pipedrive_goals,
        lookups,
        objects,
        object_history,
        property_definitions,
        property_groups,
        associations,
        association_labels,
        object_counts,
        events,
        event_sequences,
        webhook_settings,
        webhook_subscriptions,
        webhook_cursors,
        webhook_parked,
        pipedrive_webhooks,
        kpi_slices
    );
    Ok(n)
}
