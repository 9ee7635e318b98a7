//! HubSpot's CRM object and properties routes, served for every registered object type under
//! every published version's prefix (`versions::VERSIONS`).

pub mod association_batch;
pub mod association_embed;
pub mod association_labels;
pub mod associations;
pub mod basic;
pub mod batch;
pub mod error;
pub mod failure;
pub mod groups;
pub mod owners;
pub mod properties;
pub mod render;
pub mod search;
pub mod versions;
pub mod wire;

use crate::auth::Principal;
use crate::engine::store::{PortalId, Scope};
use crate::engine::types::ObjectType;
pub use crate::engine::upsert::{resolve, IdBy};
use crate::error::ApiError;
use crate::http::state::AppState;
use std::sync::Arc;

/// Resolves the type (as the caller's portal sees it) after checking the caller holds one of
/// the scopes `scopes` picks from it.
pub async fn scoped(
    state: &AppState,
    who: &Principal,
    name: &str,
    scopes: fn(&ObjectType) -> &'static [&'static str],
) -> Result<Arc<ObjectType>, ApiError> {
    let base = state
        .registry
        .find(name)
        .ok_or_else(ApiError::resource_not_found)?;
    who.require(scopes(&base))?;
    state.object_type(who.portal, name).await
}

/// Resolves the type and checks the caller may read its objects.
pub async fn for_read(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    scoped(state, who, name, |t| t.read_scopes).await
}

/// Resolves the type and checks the caller may write its objects.
pub async fn for_write(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    scoped(state, who, name, |t| t.write_scopes).await
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

/// Reads `idProperty`: the record id or a unique-value property; anything else is a 400.
pub fn id_by(otype: &ObjectType, id_property: Option<&str>) -> Result<IdBy, ApiError> {
    match id_property {
        None | Some("") | Some("hs_object_id") => Ok(IdBy::Record),
        Some(name) => match otype.property(name) {
            Some(def) if def.has_unique_value => Ok(IdBy::Unique(Box::new(def.clone()))),
            Some(_) => Err(ApiError::bad_request(format!(
                "idProperty {name} is not a unique-value property"
            ))),
            None => Err(ApiError::bad_request(format!(
                "idProperty {name} does not exist"
            ))),
        },
    }
}
