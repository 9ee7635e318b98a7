//! `/crm/v3/properties/{objectType}`: list, read, create, update and archive property
//! definitions (custom ones; HubSpot-defined ones are read-only), batch create / read /
//! archive (property groups are in `groups`).

use super::versions::Version;
use super::wire::{batch_response, check_batch_size, standard_error};
use crate::auth::Principal;
use crate::db::{self, cluster};
use crate::engine::properties::{self, property_not_found, PropertyCreate, PropertyUpdate};
use crate::engine::types::{ObjectType, PropertyDef};
use crate::engine::value::format_ms;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// `Property` as HubSpot's clients model it.
pub fn render(p: &PropertyDef) -> Value {
    let mut v = json!({
        "name": p.name, "label": p.label, "type": p.kind.as_str(), "fieldType": p.field_type,
        "groupName": p.group_name, "description": p.description, "options": p.options,
        "displayOrder": p.display_order, "hidden": p.hidden, "hubspotDefined": p.hubspot_defined,
        "calculated": p.hubspot_defined && p.read_only_value, "externalOptions": false,
        "hasUniqueValue": p.has_unique_value, "formField": p.form_field,
        "archived": p.archived_at.is_some(),
        "modificationMetadata": {
            "archivable": !p.hubspot_defined, "readOnlyDefinition": p.hubspot_defined,
            "readOnlyValue": p.read_only_value, "readOnlyOptions": p.hubspot_defined,
        },
    });
    if let Some(t) = p.created_at {
        v["createdAt"] = json!(format_ms(t));
    }
    if let Some(t) = p.updated_at {
        v["updatedAt"] = json!(format_ms(t));
    }
    if let Some(t) = p.archived_at {
        v["archivedAt"] = json!(format_ms(t));
    }
    v
}

/// The type as the caller's portal sees it, for reading definitions.
pub(super) async fn readable(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    super::scoped(state, who, name, |t| t.schema_read_scopes).await
}

/// The built-in type (custom definitions are read inside the write), for changing definitions.
pub(super) async fn writable(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Arc<ObjectType>, ApiError> {
    let base = state
        .registry
        .find(name)
        .ok_or_else(ApiError::resource_not_found)?;
    who.require(base.schema_write_scopes)?;
    Ok(base)
}

/// Live definitions, or (`archived=true`) the portal's archived custom ones.
async fn definitions(
    state: &AppState,
    who: &Principal,
    name: &str,
    archived: bool,
) -> Result<Vec<PropertyDef>, ApiError> {
    let t = readable(state, who, name).await?;
    if !archived {
        return Ok(t.properties.clone());
    }
    let (portal, type_name) = (who.portal, t.name);
    db::run(&state.pool, move |conn| {
        properties::load_custom(conn, portal, type_name, true)
    })
    .await
}

/// `GET /crm/v3/properties/{objectType}`
pub async fn list(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let defs = definitions(&state, &who, &path, q.bool("archived", false)?).await?;
    let wanted = q.list("properties");
    let results: Vec<Value> = defs
        .iter()
        .filter(|p| wanted.as_ref().is_none_or(|w| w.contains(&p.name)))
        .map(render)
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// `GET /crm/v3/properties/{objectType}/{propertyName}`
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    let defs = definitions(&state, &who, &type_name, q.bool("archived", false)?).await?;
    let def = defs
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| property_not_found(&name))?;
    Ok(HttpResponse::Ok().json(render(def)))
}

async fn create_many(
    state: &AppState,
    who: &Principal,
    type_name: &str,
    inputs: Vec<PropertyCreate>,
) -> Result<Vec<PropertyDef>, ApiError> {
    let base = writable(state, who, type_name).await?;
    let portal = who.portal;
    let clock = who.clock;
    let defs = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            crate::portals::ensure_portal(tx, portal, &format!("portal {}", portal.0))?;
            cluster::bump(tx, cluster::PROPERTIES)?;
            inputs
                .iter()
                .map(|i| properties::create(tx, &base, portal, i, clock.now()))
                .collect()
        })
    })
    .await?;
    state.forget_types(portal);
    Ok(defs)
}

/// `POST /crm/v3/properties/{objectType}` — 201.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    version: &'static Version,
    path: Path<String>,
    body: Json<PropertyCreate>,
) -> Result<HttpResponse, ApiError> {
    let defs = create_many(&state, &who, &path, vec![body.into_inner()]).await?;
    let location = format!("{}/{}/{}", version.properties, path, defs[0].name);
    Ok(version.created(location, &defs[0].name, render(&defs[0])))
}

/// `PATCH /crm/v3/properties/{objectType}/{propertyName}`
pub async fn update(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
    body: Json<PropertyUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    let base = writable(&state, &who, &type_name).await?;
    let portal = who.portal;
    let patch = body.into_inner();
    let def = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            cluster::bump(tx, cluster::PROPERTIES)?;
            properties::update(tx, &base, portal, &name, &patch, who.now())
        })
    })
    .await?;
    state.forget_types(portal);
    Ok(HttpResponse::Ok().json(render(&def)))
}

async fn archive_many(
    state: &AppState,
    who: &Principal,
    type_name: &str,
    names: Vec<String>,
) -> Result<(), ApiError> {
    let base = writable(state, who, type_name).await?;
    let portal = who.portal;
    let clock = who.clock;
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            cluster::bump(tx, cluster::PROPERTIES)?;
            names
                .iter()
                .try_for_each(|n| properties::archive(tx, &base, portal, n, clock.now()))
        })
    })
    .await?;
    state.forget_types(portal);
    Ok(())
}

/// `DELETE /crm/v3/properties/{objectType}/{propertyName}` — 204.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (type_name, name) = path.into_inner();
    archive_many(&state, &who, &type_name, vec![name]).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
pub struct Inputs<T> {
    pub inputs: Vec<T>,
}

#[derive(Debug, Deserialize)]
pub struct NameInput {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct BatchReadProperties {
    pub inputs: Vec<NameInput>,
    #[serde(default)]
    pub archived: bool,
}

/// `POST …/batch/create` — all in one transaction; 201.
pub async fn batch_create(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Inputs<PropertyCreate>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let inputs = body.into_inner().inputs;
    check_batch_size(inputs.len(), false)?;
    let defs = create_many(&state, &who, &path, inputs).await?;
    Ok(HttpResponse::Created().json(batch_response(
        defs.iter().map(render).collect(),
        vec![],
        started,
        who.now(),
    )))
}

/// `POST …/batch/read`
pub async fn batch_read(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<BatchReadProperties>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let body = body.into_inner();
    check_batch_size(body.inputs.len(), false)?;
    let defs = definitions(&state, &who, &path, body.archived).await?;
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for i in &body.inputs {
        match defs.iter().find(|p| p.name == i.name) {
            Some(p) => results.push(render(p)),
            None => missing.push(i.name.clone()),
        }
    }
    let errors = if missing.is_empty() {
        vec![]
    } else {
        vec![standard_error(
            "OBJECT_NOT_FOUND",
            "Some properties do not exist".into(),
            json!({ "propertyName": missing }),
            json!([]),
        )]
    };
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::MULTI_STATUS
    };
    Ok(HttpResponse::build(status).json(batch_response(results, errors, started, who.now())))
}

/// `POST …/batch/archive` — 204.
pub async fn batch_archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Inputs<NameInput>>,
) -> Result<HttpResponse, ApiError> {
    let inputs = body.into_inner().inputs;
    check_batch_size(inputs.len(), false)?;
    archive_many(
        &state,
        &who,
        &path,
        inputs.into_iter().map(|i| i.name).collect(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
