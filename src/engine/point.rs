//! The one object read that runs on the async worker on PostgreSQL (see `db::async_pg`): a live
//! object by id, as GET by id asks it. The statement is prepared once per connection.

use super::store::{ObjectView, Scope};
use crate::db::async_pg;
use crate::db::json::RawDoc;
use crate::error::ApiError;

const BY_ID: &str = "SELECT id, properties::text, created_at, updated_at, archived, archived_at \
                     FROM objects WHERE portal_id = $1 AND object_type = $2 AND id = $3 \
                     AND archived = FALSE";

/// The live object `id` of `scope`, if there is one, from the PostgreSQL database at `url`.
pub async fn view_by_id(
    url: &str,
    scope: Scope<'_>,
    id: i64,
) -> Result<Option<ObjectView>, ApiError> {
    let client = async_pg::client(url).await?;
    let statement = client
        .prepare_cached(BY_ID)
        .await
        .map_err(async_pg::error)?;
    let row = client
        .query_opt(&statement, &[&scope.portal.0, &scope.object_type, &id])
        .await
        .map_err(async_pg::error)?;
    Ok(row.map(|r| ObjectView {
        id: r.get(0),
        properties: RawDoc(r.get(1)),
        created_at: r.get(2),
        updated_at: r.get(3),
        archived: r.get(4),
        archived_at: r.get(5),
    }))
}
