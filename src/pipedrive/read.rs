//! Reading Pipedrive goals: each with the first live slice of its family in one query, so
//! title and target come from the slices (a HubSpot-side rename shows here).

use super::model::{self, GoalSpec};
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::engine::search::compile::{compare_expr, Bind, Builder};
use crate::engine::search::run::load_statement;
use crate::engine::search::Target;
use crate::engine::store::PortalId;
use crate::engine::types::PropertyType;
use crate::engine::value::parse_number;
use crate::error::ApiError;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use serde_json::{Map, Value};

/// A stored goal with the first live slice of its family (`None`: the family was archived).
#[derive(Debug, Clone, QueryableByName)]
pub struct StoredGoal {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub family_uuid: String,
    #[diesel(sql_type = BigInt)]
    pub owner_id: i64,
    #[diesel(sql_type = crate::db::json::Props)]
    pub doc: PropsDoc,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub horizon: Option<i64>,
    #[diesel(sql_type = Nullable<crate::db::json::Props>)]
    pub first_slice: Option<PropsDoc>,
}

impl StoredGoal {
    /// The goal as stored, with title and target as its slices now hold them.
    pub fn spec(&self) -> Result<GoalSpec, ApiError> {
        let request = self
            .doc
            .0
            .get("request")
            .and_then(Value::as_object)
            .ok_or_else(|| ApiError::Internal(format!("goal {} has no request", self.id)))?;
        let mut spec = model::parse(request)
            .map_err(|e| ApiError::Internal(format!("goal {}: {e}", self.id)))?;
        if let Some(slice) = &self.first_slice {
            spec.title = slice.get("hs_goal_name").unwrap_or("").to_owned();
            if let Some(t) = slice.get("hs_target_amount").and_then(parse_number) {
                spec.target = t;
            }
        }
        Ok(spec)
    }

    pub fn report_ids(&self) -> Vec<String> {
        self.doc
            .0
            .get("report_ids")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The group id its slices share.
    pub fn group_id(&self) -> String {
        self.id.clone()
    }
}

/// Live goals of a portal (or the one with `id`), each with its first live slice, in one query.
pub fn load(
    conn: &mut Conn,
    portal: PortalId,
    id: Option<&str>,
) -> Result<Vec<StoredGoal>, ApiError> {
    let dialect = conn.dialect();
    let family = compare_expr(
        dialect,
        &Target::Doc("hs_group_correlation_uuid".into(), PropertyType::String),
    );
    // The subquery matches the family expression index (portal, expr, id) on goal_targets.
    let mut b = Builder::new(dialect);
    b.push(&format!(
        "SELECT g.id, g.family_uuid, g.owner_id, g.doc, g.horizon, \
           (SELECT o.properties FROM objects o WHERE o.portal_id = g.portal_id \
              AND o.object_type = 'goal_targets' AND o.archived = FALSE \
              AND {family} = g.family_uuid ORDER BY o.id LIMIT 1) AS first_slice \
         FROM pipedrive_goals g WHERE g.portal_id = "
    ))
    .bind(Bind::Int(portal.0))
    .push(" AND g.deleted_at IS NULL");
    if let Some(id) = id {
        b.push(" AND g.id = ").bind(Bind::Text(id.to_owned()));
    }
    b.push(" ORDER BY g.created_at, g.id");
    let st = b.finish();
    let rows: Vec<StoredGoal> = load_statement!(conn, st, StoredGoal)?;
    // A family archived from the HubSpot side takes its goal with it.
    Ok(rows
        .into_iter()
        .filter(|g| g.first_slice.is_some())
        .collect())
}

/// The one live goal with `id`, or Pipedrive's 404.
pub fn find(conn: &mut Conn, portal: PortalId, id: &str) -> Result<StoredGoal, ApiError> {
    let valid = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let found = if valid {
        load(conn, portal, Some(&id.to_ascii_lowercase()))?
    } else {
        Vec::new()
    };
    found.into_iter().next().ok_or_else(|| ApiError::NotFound {
        message: "Goal not found".into(),
        context: Map::new(),
    })
}
