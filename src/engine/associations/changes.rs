//! The change events of association writes: one `object.associationChange` per association
//! row that a write really added or removed (each row is one end of a link, with its own
//! association type id), in the writing transaction (`engine::events`).

use crate::db::{with_conn, Conn};
use crate::engine::search::compile::{bound_query, Builder};
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::sql_types::{BigInt, Integer, Text};

/// One association row a write added or removed.
#[derive(Debug, diesel::QueryableByName)]
pub(super) struct Row {
    #[diesel(sql_type = BigInt)]
    pub(super) from_id: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) to_id: i64,
    #[diesel(sql_type = Text)]
    pub(super) to_type: String,
    #[diesel(sql_type = Integer)]
    pub(super) type_id: i32,
}

/// Runs an INSERT or DELETE of association rows, returning the rows it changed.
pub(super) fn returning(conn: &mut Conn, mut b: Builder) -> Result<Vec<Row>, ApiError> {
    b.push(" RETURNING from_id, to_id, to_type, type_id");
    let st = b.finish();
    Ok(with_conn!(conn, c => {
        use diesel::RunQueryDsl;
        bound_query!(st).load::<Row>(c)
    })?)
}

/// Records an event for each changed row; `types` are the pair's two object types (a row's
/// own type is the one that is not its `to_type`).
pub(super) fn record(
    conn: &mut Conn,
    portal: PortalId,
    (a, b): (&str, &str),
    rows: &[Row],
    removed: bool,
) -> Result<(), ApiError> {
    use crate::engine::events::{self, Change};
    let changes: Vec<Change> = rows
        .iter()
        .map(|r| {
            let this = if r.to_type == b { a } else { b };
            Change {
                detail: Some(
                    serde_json::json!({
                        "toObjectType": r.to_type,
                        "toObjectId": r.to_id,
                        "associationTypeId": r.type_id,
                        "associationRemoved": removed,
                    })
                    .to_string(),
                ),
                ..Change::object(events::ASSOCIATION_CHANGE, this, r.from_id, "API")
            }
        })
        .collect();
    events::record(conn, portal, &changes)
}
