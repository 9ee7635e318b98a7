//! HubSpot's CRM v3 object routes, served for every registered object type under both
//! `/crm/v3/objects/{objectType}` and `/crm/objects/2026-03/{objectType}`.

pub mod basic;
pub mod batch;
pub mod search;
pub mod wire;

use crate::auth::Principal;
use crate::engine::store::{PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::AppState;
use std::sync::Arc;

/// The path prefixes HubSpot serves object routes under.
pub const PREFIXES: [&str; 2] = ["/crm/v3/objects", "/crm/objects/2026-03"];

/// The object type named in the path, or HubSpot's 404 for an unknown route.
pub fn object_type(state: &AppState, name: &str) -> Result<Arc<ObjectType>, ApiError> {
    state
        .registry
        .find(name)
        .ok_or_else(ApiError::resource_not_found)
}

/// Resolves the type and checks the caller may read it.
pub fn for_read(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    let t = object_type(state, name)?;
    who.require(t.read_scopes)?;
    Ok(t)
}

/// Resolves the type and checks the caller may write it.
pub fn for_write(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    let t = object_type(state, name)?;
    who.require(t.write_scopes)?;
    Ok(t)
}

/// The caller's slice of the store for a type.
pub fn scope(portal: PortalId, otype: &ObjectType) -> Scope<'_> {
    Scope {
        portal,
        object_type: otype.name,
    }
}

/// An object id from a path or body: a positive integer, or a 404 naming it.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::object_not_found(raw)),
    }
}

/// `idProperty`: only the record id (`hs_object_id`) and unique-value properties identify
/// objects.
pub fn check_id_property(otype: &ObjectType, id_property: Option<&str>) -> Result<(), ApiError> {
    match id_property {
        None | Some("") | Some("hs_object_id") => Ok(()),
        Some(name) => match otype.property(name) {
            Some(def) if def.has_unique_value => Err(ApiError::bad_request(format!(
                "idProperty {name} lookups are not supported yet"
            ))),
            Some(_) => Err(ApiError::bad_request(format!(
                "idProperty {name} is not a unique-value property"
            ))),
            None => Err(ApiError::bad_request(format!(
                "idProperty {name} does not exist"
            ))),
        },
    }
}
