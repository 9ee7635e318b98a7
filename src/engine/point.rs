//! The reads that run on the async worker on PostgreSQL (see `db::async_pg`): a live object by
//! id, as GET by id asks it (a statement prepared once per connection), and a search's first
//! statement (its page with the total), sent with the same SQL and typed binds Diesel would
//! send. An empty search page, which needs its count re-read in one snapshot, stays on the
//! blocking path.

use super::search::ast::Search;
use super::search::compile::{first, Bind};
use super::search::cursor::After;
use super::search::run::{page_of, Page};
use super::search::totals::Totals;
use super::store::{ObjectView, Scope};
use crate::db::async_pg;
use crate::db::json::{jsonb_text, RawDoc};
use crate::db::Dialect;
use crate::error::ApiError;
use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres::Row;

const BY_ID: &str = "SELECT id, properties, created_at, updated_at, archived, archived_at \
                     FROM objects WHERE portal_id = $1 AND object_type = $2 AND id = $3 \
                     AND archived = FALSE";

/// A JSONB document as its text (the binary form is a version byte and the text).
struct Jsonb(String);

impl<'a> FromSql<'a> for Jsonb {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        jsonb_text(raw).map(Jsonb)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }
}

fn view(r: &Row) -> Result<ObjectView, ApiError> {
    let bad = |e: tokio_postgres::Error| ApiError::Internal(format!("object row: {e}"));
    Ok(ObjectView {
        id: r.try_get("id").map_err(bad)?,
        properties: RawDoc(r.try_get::<_, Jsonb>("properties").map_err(bad)?.0),
        created_at: r.try_get("created_at").map_err(bad)?,
        updated_at: r.try_get("updated_at").map_err(bad)?,
        archived: r.try_get("archived").map_err(bad)?,
        archived_at: r.try_get("archived_at").map_err(bad)?,
    })
}

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
    row.as_ref().map(view).transpose()
}

/// A search's page and total in one statement (its total cached in `totals` when filtered);
/// `None` when the page is empty (the caller then counts and reads it again in one snapshot,
/// on the blocking path).
pub async fn search(
    url: &str,
    totals: &Totals,
    scope: Scope<'_>,
    search: &Search,
    after: &After,
) -> Result<Option<Page>, ApiError> {
    let (portal, otype) = (scope.portal.0, scope.object_type);
    let mut plan = totals.plan(portal, otype, search);
    let client = async_pg::client(url).await?;
    loop {
        let st = first(
            Dialect::Postgres,
            portal,
            otype,
            search,
            after,
            plan.extra(),
        );
        let binds: Vec<(Box<dyn ToSql + Sync + Send>, Type)> = st
            .binds
            .into_iter()
            .map(|b| -> (Box<dyn ToSql + Sync + Send>, Type) {
                match b {
                    Bind::Int(n) => (Box::new(n), Type::INT8),
                    Bind::Num(f) => (Box::new(f), Type::FLOAT8),
                    Bind::Text(t) => (Box::new(t), Type::TEXT),
                }
            })
            .collect();
        let params: Vec<(&(dyn ToSql + Sync), Type)> = binds
            .iter()
            .map(|(v, t)| (v.as_ref() as &(dyn ToSql + Sync), t.clone()))
            .collect();
        let rows = client
            .query_typed(&st.sql, &params)
            .await
            .map_err(async_pg::error)?;
        let Some(head) = rows.first() else {
            return Ok(None);
        };
        let column = |name: &str| -> Result<Option<i64>, ApiError> {
            head.try_get(name)
                .map_err(|e| ApiError::Internal(format!("search {name}: {e}")))
        };
        if let Some(total) = totals.settle(&plan, column("total")?, column("version")?) {
            let views = rows.iter().map(view).collect::<Result<Vec<_>, _>>()?;
            return Ok(Some(page_of(search, total, views)));
        }
        // Written since the total was cached: once more, with the count.
        plan = plan.recount();
    }
}
