//! Property groups: the groups of HubSpot-defined properties (in code, read-only) and a
//! portal's custom groups per object type (stored). A custom property may name any group, as
//! it could before groups were stored, so a group only its properties use is listed too.

use super::input::{field_error, valid_name, validation_error};
use crate::db::schema::property_groups as pg;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use diesel::prelude::*;
use serde::Deserialize;
use validator::Validate;

/// Labels of the groups HubSpot-defined properties use.
const LABELS: &[(&str, &str)] = &[
    ("goal_target_information", "Goal target information"),
    ("goal_target_assignees", "Assignees"),
    ("goal_target_progress", "Progress"),
    ("goal_target_notifications", "Notifications"),
    ("dealinformation", "Deal information"),
    ("activityinformation", "Activity information"),
];

/// `PropertyGroup`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub label: String,
    pub display_order: i32,
    pub archived: bool,
}

fn no_nul(text: &str) -> Result<(), validator::ValidationError> {
    if text.contains('\0') {
        return Err(validator::ValidationError::new("NUL")
            .with_message("may not contain NUL characters".into()));
    }
    Ok(())
}

/// `PropertyGroupCreate`.
#[derive(Debug, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupCreate {
    #[validate(length(min = 1, max = 100), custom(function = "valid_name"))]
    pub name: String,
    #[validate(length(min = 1, max = 255), custom(function = "no_nul"))]
    pub label: String,
    pub display_order: Option<i32>,
}

/// `PropertyGroupUpdate`.
#[derive(Debug, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUpdate {
    #[validate(length(min = 1, max = 255), custom(function = "no_nul"))]
    pub label: Option<String>,
    pub display_order: Option<i32>,
}

/// The groups of the type's HubSpot-defined properties, in first-use order.
fn built_in(t: &ObjectType) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for p in t.properties.iter().filter(|p| p.hubspot_defined) {
        if out.iter().all(|g| g.name != p.group_name) {
            let label = LABELS.iter().find(|(n, _)| *n == p.group_name);
            out.push(Group {
                name: p.group_name.clone(),
                label: label.map_or(p.group_name.clone(), |(_, l)| (*l).to_owned()),
                display_order: out.len() as i32,
                archived: false,
            });
        }
    }
    out
}

fn stored(
    conn: &mut Conn,
    portal: PortalId,
    object_type: &str,
    archived: bool,
) -> Result<Vec<Group>, ApiError> {
    let rows: Vec<(String, String, i32)> = with_conn!(conn, c => pg::table
        .filter(pg::portal_id.eq(portal.0))
        .filter(pg::object_type.eq(object_type))
        .filter(pg::archived.eq(archived))
        .order((pg::display_order, pg::name))
        .select((pg::name, pg::label, pg::display_order))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(name, label, display_order)| Group {
            name,
            label,
            display_order,
            archived,
        })
        .collect())
}

/// The live groups of a type as the portal sees it (`t` holds the portal's custom
/// properties), or with `archived` its archived custom groups.
pub fn list(
    conn: &mut Conn,
    t: &ObjectType,
    portal: PortalId,
    archived: bool,
) -> Result<Vec<Group>, ApiError> {
    if archived {
        return stored(conn, portal, t.name, true);
    }
    let mut out = built_in(t);
    out.extend(stored(conn, portal, t.name, false)?);
    for p in &t.properties {
        if out.iter().all(|g| g.name != p.group_name) {
            out.push(Group {
                name: p.group_name.clone(),
                label: p.group_name.clone(),
                display_order: -1,
                archived: false,
            });
        }
    }
    Ok(out)
}

/// One live group, or a 404 naming it.
pub fn read(
    conn: &mut Conn,
    t: &ObjectType,
    portal: PortalId,
    name: &str,
) -> Result<Group, ApiError> {
    list(conn, t, portal, false)?
        .into_iter()
        .find(|g| g.name == name)
        .ok_or_else(|| group_not_found(name))
}

pub fn group_not_found(name: &str) -> ApiError {
    ApiError::not_found_named(
        format!("Property group {name} does not exist"),
        "groupName",
        name,
    )
}

fn read_only(name: &str) -> ApiError {
    field_error(
        "name",
        "READ_ONLY_DEFINITION",
        format!("{name} is a HubSpot-defined property group; it cannot be changed"),
    )
}

/// A changeable group: a stored custom one, or (`stored: false`) one only live custom
/// properties name, which a change stores.
fn live_row(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    name: &str,
) -> Result<(Group, bool), ApiError> {
    if built_in(base).iter().any(|g| g.name == name) {
        return Err(read_only(name));
    }
    if let Some(g) = stored(conn, portal, base.name, false)?
        .into_iter()
        .find(|g| g.name == name)
    {
        return Ok((g, true));
    }
    let named = super::load_custom(conn, portal, base.name, false)?
        .iter()
        .any(|p| p.group_name == name);
    if !named {
        return Err(group_not_found(name));
    }
    let implicit = Group {
        name: name.to_owned(),
        label: name.to_owned(),
        display_order: -1,
        archived: false,
    };
    Ok((implicit, false))
}

/// Creates a custom group (re-creating an archived name replaces it).
pub fn create(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    input: &GroupCreate,
    now: i64,
) -> Result<Group, ApiError> {
    input.validate().map_err(|e| validation_error(&e))?;
    let taken = built_in(base).iter().any(|g| g.name == input.name)
        || stored(conn, portal, base.name, false)?
            .iter()
            .any(|g| g.name == input.name);
    if taken {
        return Err(ApiError::Conflict(format!(
            "Property group {} already exists",
            input.name
        )));
    }
    insert(conn, base, portal, input, now)
}

/// Stores a group row (replacing an archived one of the name).
fn insert(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    input: &GroupCreate,
    now: i64,
) -> Result<Group, ApiError> {
    let key = pg::table
        .filter(pg::portal_id.eq(portal.0))
        .filter(pg::object_type.eq(base.name))
        .filter(pg::name.eq(&input.name));
    with_conn!(conn, c => diesel::delete(key).execute(c))?;
    let display_order = input.display_order.unwrap_or(-1);
    with_conn!(conn, c => diesel::insert_into(pg::table)
        .values((
            pg::portal_id.eq(portal.0),
            pg::object_type.eq(base.name),
            pg::name.eq(&input.name),
            pg::label.eq(&input.label),
            pg::display_order.eq(display_order),
            pg::archived.eq(false),
            pg::created_at.eq(now),
            pg::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(Group {
        name: input.name.clone(),
        label: input.label.clone(),
        display_order,
        archived: false,
    })
}

/// Changes a custom group's label or order.
pub fn update(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    name: &str,
    patch: &GroupUpdate,
    now: i64,
) -> Result<Group, ApiError> {
    patch.validate().map_err(|e| validation_error(&e))?;
    let (mut group, stored) = live_row(conn, base, portal, name)?;
    if let Some(label) = &patch.label {
        group.label = label.clone();
    }
    if let Some(order) = patch.display_order {
        group.display_order = order;
    }
    if !stored {
        let input = GroupCreate {
            name: group.name.clone(),
            label: group.label.clone(),
            display_order: Some(group.display_order),
        };
        return insert(conn, base, portal, &input, now);
    }
    with_conn!(conn, c => diesel::update(pg::table
        .filter(pg::portal_id.eq(portal.0))
        .filter(pg::object_type.eq(base.name))
        .filter(pg::name.eq(name)))
        .set((
            pg::label.eq(&group.label),
            pg::display_order.eq(group.display_order),
            pg::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(group)
}

/// Archives a custom group. A group that live custom properties still name is refused (they
/// would be left in a group that is not listed); move or archive them first.
pub fn archive(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    name: &str,
    now: i64,
) -> Result<(), ApiError> {
    live_row(conn, base, portal, name)?;
    // A group only properties name is refused here too: they still name it.
    let members: Vec<String> = super::load_custom(conn, portal, base.name, false)?
        .into_iter()
        .filter(|p| p.group_name == name)
        .map(|p| p.name)
        .collect();
    if !members.is_empty() {
        return Err(field_error(
            "groupName",
            "GROUP_NOT_EMPTY",
            format!(
                "property group {name} still holds {}; move or archive them first",
                members.join(", ")
            ),
        ));
    }
    with_conn!(conn, c => diesel::update(pg::table
        .filter(pg::portal_id.eq(portal.0))
        .filter(pg::object_type.eq(base.name))
        .filter(pg::name.eq(name)))
        .set((pg::archived.eq(true), pg::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}
