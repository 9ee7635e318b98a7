//! Pipedrive goal events: a goal added, updated or deleted, with the goal as Pipedrive renders
//! it before and after, recorded in the writing transaction (`engine::events`) beside the
//! events of the slices underneath. Pipedrive itself sends no goal events; Pipedrive-style
//! webhooks (`webhooks::pipedrive`) deliver these.

use crate::db::Conn;
use crate::engine::events::{self, Change};
use crate::engine::store::PortalId;
use crate::error::ApiError;
use serde_json::{json, Value};

/// The pseudo object type Pipedrive goal events are recorded under.
pub const OBJECT: &str = "pipedrive_goal";
pub const ADDED: &str = "goal.added";
pub const UPDATED: &str = "goal.updated";
pub const DELETED: &str = "goal.deleted";

/// Records one goal event; `current` is absent for a deletion, `previous` for an addition.
pub fn record(
    conn: &mut Conn,
    portal: PortalId,
    (event_type, user_id): (&'static str, i64),
    goal_id: &str,
    current: Option<&Value>,
    previous: Option<&Value>,
) -> Result<(), ApiError> {
    let detail =
        json!({"goalId": goal_id, "userId": user_id, "current": current, "previous": previous});
    let change = Change {
        detail: Some(detail.to_string()),
        ..Change::object(event_type, OBJECT, 0, "API")
    };
    events::record(conn, portal, &[change])
}
