//! Custom property definitions: validated input forms, storage per portal and object type, and
//! the database-enforced uniqueness of `hasUniqueValue` properties (a unique partial expression
//! index per property, over the same expression search compares, so it serves lookups too).

use super::search::compile::compare_expr;
use super::search::Target;
use super::types::{ObjectType, PropertyDef, PropertyType};
use crate::db::schema::property_definitions as pd;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use validator::Validate;

pub mod groups;
mod input;
use input::{check_kind, field_error};
pub use input::{validation_error, PropertyCreate, PropertyUpdate};

/// HubSpot's cap on unique-value properties per object type.
pub const MAX_UNIQUE: usize = 10;

#[derive(Queryable, Selectable)]
#[diesel(table_name = pd)]
struct Row {
    name: String,
    label: String,
    kind: String,
    field_type: String,
    group_name: String,
    description: String,
    options: String,
    display_order: i32,
    has_unique_value: bool,
    hidden: bool,
    form_field: bool,
    archived_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Row {
    fn into_def(self) -> PropertyDef {
        PropertyDef {
            name: self.name,
            label: self.label,
            kind: PropertyType::parse(&self.kind).unwrap_or(PropertyType::String),
            field_type: self.field_type,
            group_name: self.group_name,
            description: self.description,
            options: serde_json::from_str(&self.options).unwrap_or_default(),
            has_unique_value: self.has_unique_value,
            read_only_value: false,
            hubspot_defined: false,
            indexed: self.has_unique_value,
            display_order: self.display_order,
            hidden: self.hidden,
            form_field: self.form_field,
            created_at: Some(self.created_at),
            updated_at: Some(self.updated_at),
            archived_at: self.archived_at,
        }
    }
}

/// A portal's custom definitions of a type (live ones, or archived ones).
pub fn load_custom(
    conn: &mut Conn,
    portal: PortalId,
    object_type: &str,
    archived: bool,
) -> Result<Vec<PropertyDef>, ApiError> {
    let rows: Vec<Row> = with_conn!(conn, c => pd::table
        .filter(pd::portal_id.eq(portal.0))
        .filter(pd::object_type.eq(object_type))
        .filter(pd::archived.eq(archived))
        .order((pd::display_order, pd::name))
        .select(Row::as_select())
        .load(c))?;
    Ok(rows.into_iter().map(Row::into_def).collect())
}

/// The unique index of a property: name and statement. The name is derived from a hash so it
/// stays within PostgreSQL's 63 characters.
fn unique_index(
    conn: &Conn,
    portal: PortalId,
    object_type: &str,
    def: &PropertyDef,
) -> (String, String) {
    let digest = hex::encode(Sha256::digest(format!(
        "{}:{}:{}",
        portal.0, object_type, def.name
    )));
    let name = format!("objects_unique_{}", &digest[..24]);
    let expr = compare_expr(conn.dialect(), &Target::of(def));
    let sql = format!(
        "CREATE UNIQUE INDEX {name} ON objects (portal_id, ({expr})) \
         WHERE portal_id = {} AND object_type = '{object_type}' AND archived = FALSE",
        portal.0
    );
    (name, sql)
}

fn conflict_on_duplicates(e: ApiError, name: &str) -> ApiError {
    match e {
        ApiError::Conflict(_) => ApiError::Conflict(format!(
            "Stored values of {name} are not unique, so it cannot have a unique value"
        )),
        other => other,
    }
}

/// Creates a custom property (in the caller's transaction).
pub fn create(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    input: &PropertyCreate,
    now: i64,
) -> Result<PropertyDef, ApiError> {
    input.validate().map_err(|e| validation_error(&e))?;
    let kind = check_kind(&input.kind, &input.field_type, &input.options)?;
    if base.property(&input.name).is_some()
        || !load_custom(conn, portal, base.name, false)?
            .iter()
            .all(|p| p.name != input.name)
    {
        return Err(ApiError::Conflict(format!(
            "Property {} already exists",
            input.name
        )));
    }
    if input.has_unique_value {
        let uniques = load_custom(conn, portal, base.name, false)?
            .iter()
            .filter(|p| p.has_unique_value)
            .count();
        if uniques >= MAX_UNIQUE {
            return Err(field_error(
                "hasUniqueValue",
                "TOO_MANY_UNIQUE_PROPERTIES",
                format!("an object type may have at most {MAX_UNIQUE} unique-value properties"),
            ));
        }
    }
    // Re-creating an archived name replaces its old definition; its values and history stay.
    with_conn!(conn, c => diesel::delete(pd::table
        .filter(pd::portal_id.eq(portal.0))
        .filter(pd::object_type.eq(base.name))
        .filter(pd::name.eq(&input.name)))
        .execute(c))?;
    let options =
        serde_json::to_string(&input.options).map_err(|e| ApiError::Internal(e.to_string()))?;
    with_conn!(conn, c => diesel::insert_into(pd::table)
        .values((
            pd::portal_id.eq(portal.0),
            pd::object_type.eq(base.name),
            pd::name.eq(&input.name),
            pd::label.eq(&input.label),
            pd::kind.eq(kind.as_str()),
            pd::field_type.eq(&input.field_type),
            pd::group_name.eq(&input.group_name),
            pd::description.eq(&input.description),
            pd::options.eq(&options),
            pd::display_order.eq(input.display_order.unwrap_or(-1)),
            pd::has_unique_value.eq(input.has_unique_value),
            pd::hidden.eq(input.hidden),
            pd::form_field.eq(input.form_field),
            pd::archived.eq(false),
            pd::archived_at.eq(None::<i64>),
            pd::created_at.eq(now),
            pd::updated_at.eq(now),
        ))
        .execute(c))?;
    let def = find(conn, portal, base.name, &input.name)?;
    if def.has_unique_value {
        let (_, sql) = unique_index(conn, portal, base.name, &def);
        with_conn!(conn, c => c.batch_execute(&sql))
            .map_err(|e| conflict_on_duplicates(e.into(), &def.name))?;
    }
    Ok(def)
}

fn find(
    conn: &mut Conn,
    portal: PortalId,
    object_type: &str,
    name: &str,
) -> Result<PropertyDef, ApiError> {
    load_custom(conn, portal, object_type, false)?
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| property_not_found(name))
}

pub fn property_not_found(name: &str) -> ApiError {
    ApiError::not_found_named(
        format!("Property {name} does not exist"),
        "propertyName",
        name,
    )
}

fn read_only_definition(name: &str) -> ApiError {
    field_error(
        "name",
        "READ_ONLY_DEFINITION",
        format!("{name} is a HubSpot-defined property; its definition cannot be changed"),
    )
}

/// Changes a custom property's definition.
pub fn update(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    name: &str,
    patch: &PropertyUpdate,
    now: i64,
) -> Result<PropertyDef, ApiError> {
    patch.validate().map_err(|e| validation_error(&e))?;
    if base.property(name).is_some() {
        return Err(read_only_definition(name));
    }
    let current = find(conn, portal, base.name, name)?;
    let kind = patch
        .kind
        .clone()
        .unwrap_or_else(|| current.kind.as_str().to_owned());
    if kind != current.kind.as_str() {
        return Err(field_error("type", "TYPE_CHANGE", format!("the type of {name} cannot change once it holds values; archive it and create a new property")));
    }
    let field_type = patch
        .field_type
        .clone()
        .unwrap_or(current.field_type.clone());
    let options = patch.options.clone().unwrap_or(current.options.clone());
    check_kind(&kind, &field_type, &options)?;
    let options = serde_json::to_string(&options).map_err(|e| ApiError::Internal(e.to_string()))?;
    with_conn!(conn, c => diesel::update(pd::table
        .filter(pd::portal_id.eq(portal.0))
        .filter(pd::object_type.eq(base.name))
        .filter(pd::name.eq(name)))
        .set((
            pd::label.eq(patch.label.as_ref().unwrap_or(&current.label)),
            pd::field_type.eq(&field_type),
            pd::group_name.eq(patch.group_name.as_ref().unwrap_or(&current.group_name)),
            pd::description.eq(patch.description.as_ref().unwrap_or(&current.description)),
            pd::options.eq(&options),
            pd::display_order.eq(patch.display_order.unwrap_or(current.display_order)),
            pd::hidden.eq(patch.hidden.unwrap_or(current.hidden)),
            pd::form_field.eq(patch.form_field.unwrap_or(current.form_field)),
            pd::updated_at.eq(now),
        ))
        .execute(c))?;
    find(conn, portal, base.name, name)
}

/// Archives a custom property: it can no longer be written or read, its values and history
/// stay, and its uniqueness is no longer enforced.
pub fn archive(
    conn: &mut Conn,
    base: &ObjectType,
    portal: PortalId,
    name: &str,
    now: i64,
) -> Result<(), ApiError> {
    if base.property(name).is_some() {
        return Err(read_only_definition(name));
    }
    let def = find(conn, portal, base.name, name)?;
    with_conn!(conn, c => diesel::update(pd::table
        .filter(pd::portal_id.eq(portal.0))
        .filter(pd::object_type.eq(base.name))
        .filter(pd::name.eq(name)))
        .set((pd::archived.eq(true), pd::archived_at.eq(Some(now)), pd::updated_at.eq(now)))
        .execute(c))?;
    if def.has_unique_value {
        let (index, _) = unique_index(conn, portal, base.name, &def);
        with_conn!(conn, c => c.batch_execute(&format!("DROP INDEX IF EXISTS {index}")))?;
    }
    Ok(())
}
