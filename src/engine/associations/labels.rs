//! Labelled association types (`USER_DEFINED`), per portal and pair of object types. A label is
//! two types, one per direction, each the other's inverse; ids are allocated per portal from
//! [`super::USER_DEFINED_START`].

use super::USER_DEFINED_START;
use crate::db::schema::association_labels as al;
use crate::db::schema::associations as a;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::dsl::max;
use diesel::prelude::*;
use serde_json::{json, Map};

/// One labelled type, from `from_type` to `to_type`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = al)]
pub struct Label {
    pub type_id: i32,
    pub from_type: String,
    pub to_type: String,
    pub name: String,
    pub label: String,
    pub inverse_type_id: i32,
}

/// The portal's labels from one type to another.
pub fn between(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
) -> Result<Vec<Label>, ApiError> {
    Ok(with_conn!(conn, c => al::table
        .filter(al::portal_id.eq(portal.0))
        .filter(al::from_type.eq(from_type))
        .filter(al::to_type.eq(to_type))
        .filter(al::archived.eq(false))
        .order(al::type_id)
        .select(Label::as_select())
        .load(c))?)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn field(field: &str, message: String) -> ApiError {
    let mut context = Map::new();
    context.insert("field".into(), json!([field]));
    ApiError::validation(message, context, Vec::new())
}

/// A label and an inverse label, when given, are 1 to 255 characters with some non-space.
fn check_labels(label: &str, inverse: Option<&str>) -> Result<(), ApiError> {
    for (f, l) in [("label", Some(label)), ("inverseLabel", inverse)] {
        if l.is_some_and(|l| l.trim().is_empty() || l.chars().count() > 255 || l.contains('\0')) {
            return Err(field(
                f,
                format!("{f} must be 1 to 255 characters, without NUL"),
            ));
        }
    }
    Ok(())
}

/// `PublicAssociationDefinitionCreateRequest`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLabel {
    pub name: String,
    pub label: String,
    pub inverse_label: Option<String>,
}

/// Creates a label (both directions); returns the two new types, forward first.
pub fn create(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
    new: &NewLabel,
    now: i64,
) -> Result<(Label, Label), ApiError> {
    let (name, label, inverse_label) = (
        new.name.as_str(),
        new.label.as_str(),
        new.inverse_label.as_deref(),
    );
    if !valid_name(name) {
        return Err(field(
            "name",
            format!("name {name:?} must be 1 to 100 letters, digits, '_' or '-'"),
        ));
    }
    check_labels(label, inverse_label)?;
    // One label create at a time per portal, so two cannot take the same next ids.
    conn.lock_keys(&[format!("labels:{}", portal.0)])?;
    let taken = between(conn, portal, from_type, to_type)?
        .iter()
        .any(|l| l.name == name);
    if taken {
        return Err(ApiError::Conflict(format!(
            "An association label named {name} already exists from {from_type} to {to_type}"
        )));
    }
    let top: Option<i32> = with_conn!(conn, c => al::table
        .filter(al::portal_id.eq(portal.0))
        .select(max(al::type_id))
        .first(c))?;
    let forward = top.map_or(USER_DEFINED_START, |t| t + 1);
    let inverse = forward + 1;
    let reverse_name = format!("{name}_inverse");
    let rows = [
        (forward, from_type, to_type, name, label, inverse),
        (
            inverse,
            to_type,
            from_type,
            reverse_name.as_str(),
            inverse_label.unwrap_or(label),
            forward,
        ),
    ];
    for (type_id, from, to, n, l, inv) in rows {
        with_conn!(conn, c => diesel::insert_into(al::table)
            .values((
                al::portal_id.eq(portal.0),
                al::type_id.eq(type_id),
                al::from_type.eq(from),
                al::to_type.eq(to),
                al::name.eq(n),
                al::label.eq(l),
                al::inverse_type_id.eq(inv),
                al::created_at.eq(now),
            ))
            .execute(c))?;
    }
    let made = |type_id: i32, from: &str, to: &str, name: &str, label: &str, inverse: i32| Label {
        type_id,
        from_type: from.into(),
        to_type: to.into(),
        name: name.into(),
        label: label.into(),
        inverse_type_id: inverse,
    };
    Ok((
        made(forward, from_type, to_type, name, label, inverse),
        made(
            inverse,
            to_type,
            from_type,
            &reverse_name,
            inverse_label.unwrap_or(label),
            forward,
        ),
    ))
}

fn find(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
    type_id: i32,
) -> Result<Label, ApiError> {
    between(conn, portal, from_type, to_type)?
        .into_iter()
        .find(|l| l.type_id == type_id)
        .ok_or_else(|| {
            ApiError::not_found_named(
                format!("No association label {type_id} from {from_type} to {to_type}"),
                "associationTypeId",
                &type_id.to_string(),
            )
        })
}

/// Relabels a type (and, when given, its inverse).
pub fn update(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
    type_id: i32,
    label: &str,
    inverse_label: Option<&str>,
) -> Result<(), ApiError> {
    check_labels(label, inverse_label)?;
    let current = find(conn, portal, from_type, to_type, type_id)?;
    let mut changes = vec![(current.type_id, label)];
    if let Some(inv) = inverse_label {
        changes.push((current.inverse_type_id, inv));
    }
    for (id, l) in changes {
        with_conn!(conn, c => diesel::update(al::table
            .filter(al::portal_id.eq(portal.0))
            .filter(al::type_id.eq(id)))
            .set(al::label.eq(l))
            .execute(c))?;
    }
    Ok(())
}

/// Deletes a label (both directions) and every association that carried it; the objects stay
/// associated by their default type. The label's row stays, archived, so its ids stay taken.
pub fn delete(
    conn: &mut Conn,
    portal: PortalId,
    from_type: &str,
    to_type: &str,
    type_id: i32,
) -> Result<(), ApiError> {
    let current = find(conn, portal, from_type, to_type, type_id)?;
    let ids = [current.type_id, current.inverse_type_id];
    let gone: Vec<(i64, i64, String, i32)> = with_conn!(conn, c => diesel::delete(a::table
        .filter(a::portal_id.eq(portal.0))
        .filter(a::type_id.eq_any(ids)))
        .returning((a::from_id, a::to_id, a::to_type, a::type_id))
        .get_results(c))?;
    let gone: Vec<super::changes::Row> = gone
        .into_iter()
        .map(|(from_id, to_id, to_type, type_id)| super::changes::Row {
            from_id,
            to_id,
            to_type,
            type_id,
        })
        .collect();
    super::changes::record(conn, portal, (from_type, to_type), &gone, true)?;
    with_conn!(conn, c => diesel::update(al::table
        .filter(al::portal_id.eq(portal.0))
        .filter(al::type_id.eq_any(ids)))
        .set(al::archived.eq(true))
        .execute(c))?;
    crate::engine::counts::wrote_associations(conn, portal)
}
