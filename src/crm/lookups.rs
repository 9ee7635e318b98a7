//! Lookup tables: small id → record tables that give the ids on deals, activities and goals
//! their meaning. One table holds every kind; each kind says which fields its records have.

use crate::db::json::PropsDoc;
use crate::db::schema::lookups;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::prelude::*;
use serde_json::{Map, Value};

/// The type of one lookup field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Text,
    Int,
    Number,
    IntList,
    Bool,
}

/// A lookup kind: its path name and its fields (name, type, required).
pub struct Kind {
    pub name: &'static str,
    fields: &'static [(&'static str, Field, bool)],
}

/// Every lookup kind (the Pipedrive objects goals and progress refer to by id).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "pipelines",
        fields: &[("name", Field::Text, true), ("active", Field::Bool, false)],
    },
    Kind {
        name: "stages",
        fields: &[
            ("name", Field::Text, true),
            ("pipeline_id", Field::Int, true),
            ("order_nr", Field::Int, false),
            ("deal_probability", Field::Number, false),
        ],
    },
    Kind {
        name: "activity_types",
        fields: &[
            ("key_string", Field::Text, true),
            ("name", Field::Text, true),
        ],
    },
    Kind {
        name: "currencies",
        fields: &[
            ("code", Field::Text, true),
            ("name", Field::Text, false),
            ("decimal_points", Field::Int, false),
            ("symbol", Field::Text, false),
        ],
    },
    Kind {
        name: "owners",
        fields: &[
            ("email", Field::Text, true),
            ("first_name", Field::Text, false),
            ("last_name", Field::Text, false),
            ("user_id", Field::Int, false),
            ("type", Field::Text, false),
            ("archived", Field::Bool, false),
        ],
    },
    Kind {
        name: "teams",
        fields: &[("name", Field::Text, true), ("users", Field::IntList, true)],
    },
];

/// Finds a kind by name; unknown kinds are a 404.
pub fn kind(name: &str) -> Result<&'static Kind, ApiError> {
    KINDS
        .iter()
        .find(|k| k.name == name)
        .ok_or_else(|| ApiError::NotFound {
            message: format!(
                "No lookup kind {name:?}; kinds are {}",
                KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
            ),
            context: Map::new(),
        })
}

fn field_ok(field: Field, v: &Value) -> bool {
    let int = |v: &Value| v.as_i64().is_some();
    match field {
        Field::Text => v.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 1000),
        Field::Int => int(v),
        Field::Number => v.as_f64().is_some_and(f64::is_finite),
        Field::IntList => v
            .as_array()
            .is_some_and(|a| a.len() <= 10_000 && a.iter().all(int)),
        Field::Bool => v.is_boolean(),
    }
}

impl Kind {
    /// Checks a record: known fields only, each of its type, required ones present.
    pub fn validate(&self, record: &Map<String, Value>) -> Result<PropsDoc, ApiError> {
        let mut problems = Vec::new();
        for (name, value) in record {
            if name == "id" {
                continue;
            }
            match self.fields.iter().find(|(f, _, _)| f == name) {
                None => problems.push(format!("{name} is not a field of {}", self.name)),
                Some((_, field, _)) if !field_ok(*field, value) => {
                    problems.push(format!("{name} must be {:?}", field))
                }
                _ => {}
            }
        }
        for (name, _, required) in self.fields {
            if *required && !record.contains_key(*name) {
                problems.push(format!("{name} is required"));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Invalid {} record: {}",
                self.name,
                problems.join("; ")
            )));
        }
        let mut doc = record.clone();
        doc.remove("id");
        Ok(PropsDoc(doc))
    }
}

/// A record as the API shows it: its id, then its fields.
pub fn render(id: i64, doc: &PropsDoc) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::from(id));
    out.extend(doc.0.clone());
    Value::Object(out)
}

/// Inserts or replaces a record.
pub fn put(
    conn: &mut Conn,
    portal: PortalId,
    kind: &Kind,
    id: i64,
    doc: &PropsDoc,
) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::insert_into(lookups::table)
        .values((
            lookups::portal_id.eq(portal.0),
            lookups::kind.eq(kind.name),
            lookups::id.eq(id),
            lookups::doc.eq(doc),
        ))
        .on_conflict((lookups::portal_id, lookups::kind, lookups::id))
        .do_update()
        .set(lookups::doc.eq(doc))
        .execute(c))?;
    Ok(())
}

/// Removes a record; whether there was one.
pub fn delete(conn: &mut Conn, portal: PortalId, kind: &Kind, id: i64) -> Result<bool, ApiError> {
    let key = lookups::table.find((portal.0, kind.name, id));
    Ok(with_conn!(conn, c => diesel::delete(key).execute(c))? > 0)
}

/// Every record of a kind, by id.
pub fn list(
    conn: &mut Conn,
    portal: PortalId,
    kind: &str,
) -> Result<Vec<(i64, PropsDoc)>, ApiError> {
    Ok(with_conn!(conn, c => lookups::table
        .filter(lookups::portal_id.eq(portal.0))
        .filter(lookups::kind.eq(kind))
        .order(lookups::id)
        .select((lookups::id, lookups::doc))
        .load(c))?)
}

/// Records of a kind with the given ids.
pub fn get_many(
    conn: &mut Conn,
    portal: PortalId,
    kind: &str,
    ids: &[i64],
) -> Result<Vec<(i64, PropsDoc)>, ApiError> {
    Ok(with_conn!(conn, c => lookups::table
        .filter(lookups::portal_id.eq(portal.0))
        .filter(lookups::kind.eq(kind))
        .filter(lookups::id.eq_any(ids))
        .order(lookups::id)
        .select((lookups::id, lookups::doc))
        .load(c))?)
}

/// The member user ids of each `teams` record (`ids`: only these teams; `None`: every team).
pub fn team_members(
    conn: &mut Conn,
    portal: PortalId,
    ids: Option<&[i64]>,
) -> Result<std::collections::HashMap<i64, Vec<i64>>, ApiError> {
    let records = match ids {
        Some(ids) => get_many(conn, portal, "teams", ids)?,
        None => list(conn, portal, "teams")?,
    };
    Ok(records
        .into_iter()
        .map(|(id, doc)| {
            let users = doc
                .0
                .get("users")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            (id, users)
        })
        .collect())
}
