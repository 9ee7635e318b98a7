//! The change events of association writes: one `object.associationChange` per end of each
//! link added or removed, in the writing transaction (`engine::events`).

use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::error::ApiError;

/// Records an `object.associationChange` event for each end of each changed link `(from, to,
/// association type)` (the reverse end's type is the inverse, not named: `None`).
pub(super) fn record(
    conn: &mut Conn,
    portal: PortalId,
    (from_type, to_type): (&str, &str),
    links: &[(i64, i64, Option<i32>)],
    removed: bool,
) -> Result<(), ApiError> {
    use crate::engine::events::{self, Change};
    let end = |from: i64, this: &str, to: i64, other: &str, type_id: Option<i32>| Change {
        detail: Some(
            serde_json::json!({
                "toObjectType": other,
                "toObjectId": to,
                "associationTypeId": type_id,
                "associationRemoved": removed,
            })
            .to_string(),
        ),
        ..Change::object(events::ASSOCIATION_CHANGE, this, from, "API")
    };
    let changes: Vec<Change> = links
        .iter()
        .flat_map(|&(from, to, type_id)| {
            [
                end(from, from_type, to, to_type, type_id),
                end(to, to_type, from, from_type, None),
            ]
        })
        .collect();
    events::record(conn, portal, &changes, crate::engine::value::now_ms())
}
