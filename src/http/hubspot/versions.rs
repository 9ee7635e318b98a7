//! HubSpot's published API versions as data: the path prefixes each serves and the few shapes
//! that differ between them. Every version serves the same handlers; a handler that answers
//! differently asks the request's [`Version`]. Sources: HubSpot-public-api-spec-collection,
//! `PublicApiSpecs/CRM/{Objects,Goal Targets,Properties}/Rollouts/*/{2025-09,2026-03,2026-09}`.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use std::future::{ready, Ready};

/// One served version.
#[derive(Debug, PartialEq, Eq)]
pub struct Version {
    /// `v3`, or the date of a date-versioned release.
    pub name: &'static str,
    pub objects: &'static str,
    pub properties: &'static str,
    /// A single create (object, property, property group) answers 200 with
    /// `CreatedResponse… {createdResourceId, location, entity}` instead of 201 with the entity.
    pub created_envelope: bool,
    /// The status of a successful batch create.
    pub batch_create: StatusCode,
    /// Where associations between two types are served (batch and labels).
    pub associations: &'static str,
    /// Association batch archive answers 200 with `BatchResponseVoid` (date versions) rather
    /// than v4's 204.
    pub association_archive_void: bool,
}

/// Every version served, oldest API first. Betas are not served.
pub const VERSIONS: &[Version] = &[
    Version {
        name: "v3",
        objects: "/crm/v3/objects",
        properties: "/crm/v3/properties",
        created_envelope: false,
        batch_create: StatusCode::CREATED,
        associations: "/crm/v4/associations",
        association_archive_void: false,
    },
    Version {
        name: "2025-09",
        objects: "/crm/objects/2025-09",
        properties: "/crm/properties/2025-09",
        created_envelope: true,
        batch_create: StatusCode::OK,
        associations: "/crm/associations/2025-09",
        association_archive_void: true,
    },
    Version {
        name: "2026-03",
        objects: "/crm/objects/2026-03",
        properties: "/crm/properties/2026-03",
        created_envelope: false,
        batch_create: StatusCode::CREATED,
        associations: "/crm/associations/2026-03",
        association_archive_void: true,
    },
    Version {
        name: "2026-09",
        objects: "/crm/objects/2026-09",
        properties: "/crm/properties/2026-09",
        created_envelope: false,
        batch_create: StatusCode::CREATED,
        associations: "/crm/associations/2026-09",
        association_archive_void: true,
    },
];

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl Version {
    /// The version a request path belongs to (v3 for a path under none).
    pub fn of(path: &str) -> &'static Version {
        VERSIONS
            .iter()
            .find(|v| {
                under(path, v.objects) || under(path, v.properties) || under(path, v.associations)
            })
            .unwrap_or(&VERSIONS[0])
    }

    /// A 201 with the created entity, or this version's 200 `CreatedResponse…` with
    /// `location` (also in the `Location` header).
    pub fn created(&self, location: String, id: &str, entity: Value) -> HttpResponse {
        if self.created_envelope {
            HttpResponse::Ok()
                .insert_header(("Location", location.clone()))
                .json(json!({"createdResourceId": id, "location": location, "entity": entity}))
        } else {
            HttpResponse::Created().json(entity)
        }
    }
}

impl FromRequest for &'static Version {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Version::of(req.path())))
    }
}

/// A path under `/crm/objects/{v}` or `/crm/properties/{v}` whose `{v}` is not served: the
/// 404 that names the versions that are, so a client pinned to another knows why.
pub fn unknown_version(path: &str) -> Option<ApiError> {
    let mut parts = path.trim_start_matches('/').split('/');
    let (crm, api, version) = (parts.next()?, parts.next()?, parts.next()?);
    // Bytes, not string slices: a path segment may hold any UTF-8.
    let b = version.as_bytes();
    let looks_versioned = b.len() > 1 && b[0] == b'v' && b[1..].iter().all(u8::is_ascii_digit)
        || b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
    if crm != "crm" || !["objects", "properties", "associations"].contains(&api) || !looks_versioned
    {
        return None;
    }
    if VERSIONS.iter().any(|v| v.name == version) || (api == "associations" && version == "v4") {
        return None;
    }
    let served: Vec<&str> = VERSIONS.iter().map(|v| v.name).collect();
    let mut context = serde_json::Map::new();
    context.insert("version".into(), json!([version]));
    context.insert("servedVersions".into(), json!(served));
    Some(ApiError::NotFound {
        message: format!(
            "API version {version} is not served; served versions: {}",
            served.join(", ")
        ),
        context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_version() {
        assert_eq!(
            Version::of("/crm/objects/2025-09/goal_targets").name,
            "2025-09"
        );
        assert_eq!(
            Version::of("/crm/properties/2026-09/deals/groups").name,
            "2026-09"
        );
        assert_eq!(Version::of("/crm/v3/objects/deals/1").name, "v3");
        assert!(unknown_version("/crm/objects/2024-01/goal_targets").is_some());
        assert!(unknown_version("/crm/v4/objects/goal_targets").is_none());
        assert!(unknown_version("/crm/objects/v9/goal_targets").is_some());
        assert!(unknown_version("/crm/objects/2026-03/goal_targets/x/y/z").is_none());
        assert!(unknown_version("/crm/objects/goal_targets").is_none());
        assert!(unknown_version("/crm/objects/aaaé12/x").is_none());
        assert!(unknown_version("/crm/objects/éé/x").is_none());
    }
}
