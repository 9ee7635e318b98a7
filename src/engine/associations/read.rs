//! Reading associations: one object's, paged by the associated object's id (v4 GET), and many
//! objects' at once (batch read, and `associations=` on object reads and lists), both by one
//! statement. Associations to or from archived objects are skipped.

use super::category;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::search::compile::{bound_query, Bind, Builder};
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use std::collections::BTreeMap;

/// One association type joining two objects; the default type has no label.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    pub type_id: i32,
    pub label: Option<String>,
    pub name: Option<String>,
}

/// One associated object and the types that join it.
#[derive(Debug, Clone, PartialEq)]
pub struct Associated {
    pub to_id: i64,
    pub types: Vec<TypeRef>,
}

impl Associated {
    /// `MultiAssociatedObjectWithLabel`.
    pub fn to_json(&self) -> serde_json::Value {
        let types: Vec<serde_json::Value> = self
            .types
            .iter()
            .map(|t| {
                serde_json::json!({"category": category(t.type_id), "typeId": t.type_id,
                                   "label": t.label})
            })
            .collect();
        serde_json::json!({"toObjectId": self.to_id.to_string(), "associationTypes": types})
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    from_id: i64,
    #[diesel(sql_type = BigInt)]
    to_id: i64,
    #[diesel(sql_type = Integer)]
    type_id: i32,
    #[diesel(sql_type = Nullable<Text>)]
    label: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

fn group(rows: Vec<Row>) -> BTreeMap<i64, Vec<Associated>> {
    let mut out: BTreeMap<i64, Vec<Associated>> = BTreeMap::new();
    for r in rows {
        let list = out.entry(r.from_id).or_default();
        let t = TypeRef {
            type_id: r.type_id,
            label: r.label,
            name: r.name,
        };
        match list.last_mut() {
            Some(last) if last.to_id == r.to_id => last.types.push(t),
            _ => list.push(Associated {
                to_id: r.to_id,
                types: vec![t],
            }),
        }
    }
    out
}

/// One object's associations to a type, after the associated id `after`, at most `limit`
/// objects (plus one, so the caller knows whether there is a next page).
pub fn page(
    conn: &mut Conn,
    portal: PortalId,
    from: i64,
    to_type: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Associated>, ApiError> {
    Ok(many(conn, portal, &[(from, after)], to_type, limit)?
        .remove(&from)
        .unwrap_or_default())
}

/// `WITH w(a, b) AS (VALUES (…, …), …)`: a chunk of id pairs as a table, each value bound.
fn pairs_table(b: &mut Builder, columns: &str, rows: &[(i64, i64)]) {
    b.push(&format!("WITH w({columns}) AS (VALUES "));
    for (i, (x, y)) in rows.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.push("(")
            .bind(Bind::Int(*x))
            .push(", ")
            .bind(Bind::Int(*y))
            .push(")");
    }
    b.push(")");
}

/// Many objects' associations to a type, by object id: for each `(id, after)`, the
/// associated objects after `after`, at most `limit` of them plus one (so the caller can tell
/// there is more). One statement per 500 objects.
pub fn many(
    conn: &mut Conn,
    portal: PortalId,
    from: &[(i64, i64)],
    to_type: &str,
    limit: i64,
) -> Result<BTreeMap<i64, Vec<Associated>>, ApiError> {
    let mut out = BTreeMap::new();
    for chunk in from.chunks(500) {
        let mut b = Builder::new(conn.dialect());
        pairs_table(&mut b, "from_id, after_id", chunk);
        // Each object's first `limit + 1` associated ids (an id with several types is one).
        b.push(
            " SELECT from_id, to_id, type_id, label, name FROM (SELECT a.from_id AS from_id, \
             a.to_id AS to_id, a.type_id AS type_id, l.label AS label, l.name AS name, \
             DENSE_RANK() OVER (PARTITION BY a.from_id ORDER BY a.to_id) AS rk \
             FROM w JOIN associations a ON a.from_id = w.from_id AND a.to_id > w.after_id \
             JOIN objects t ON t.portal_id = a.portal_id AND t.id = a.to_id AND t.archived = FALSE \
             LEFT JOIN association_labels l ON l.portal_id = a.portal_id AND l.type_id = a.type_id \
             WHERE a.portal_id = ",
        )
        .bind(Bind::Int(portal.0))
        .push(" AND a.to_type = ")
        .bind(Bind::Text(to_type.to_owned()))
        .push(") AS ranked WHERE rk <= ")
        .bind(Bind::Int(limit + 1))
        .push(" ORDER BY from_id, to_id, type_id");
        let st = b.finish();
        let rows: Vec<Row> = with_conn!(conn, c => bound_query!(st).load::<Row>(c))?;
        out.extend(group(rows));
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct PairLabel {
    #[diesel(sql_type = BigInt)]
    from_id: i64,
    #[diesel(sql_type = BigInt)]
    to_id: i64,
    #[diesel(sql_type = Text)]
    label: String,
}

/// The labels each pair of objects carries now (pairs without labels are absent).
pub fn pair_labels(
    conn: &mut Conn,
    portal: PortalId,
    pairs: &[(i64, i64)],
) -> Result<BTreeMap<(i64, i64), Vec<String>>, ApiError> {
    let mut out: BTreeMap<(i64, i64), Vec<String>> = BTreeMap::new();
    for chunk in pairs.chunks(500) {
        let mut b = Builder::new(conn.dialect());
        pairs_table(&mut b, "from_id, to_id", chunk);
        b.push(
            " SELECT a.from_id AS from_id, a.to_id AS to_id, l.label AS label FROM w \
             JOIN associations a ON a.from_id = w.from_id AND a.to_id = w.to_id \
             JOIN association_labels l ON l.portal_id = a.portal_id AND l.type_id = a.type_id \
             WHERE a.portal_id = ",
        )
        .bind(Bind::Int(portal.0))
        .push(" ORDER BY a.from_id, a.to_id, a.type_id");
        let st = b.finish();
        let rows: Vec<PairLabel> = with_conn!(conn, c => bound_query!(st).load::<PairLabel>(c))?;
        for r in rows {
            out.entry((r.from_id, r.to_id)).or_default().push(r.label);
        }
    }
    Ok(out)
}
