//! Batch read, create, update, upsert and archive. A batch is one transaction: all or nothing,
//! unless every input carries `objectWriteTraceId`, in which case the valid inputs are written
//! and the rest come back in a 207.

use super::association_embed as associations;
use super::failure::{all_traced, settle, Failure};
use super::render::Rendered;
use super::versions::Version;
use super::wire::AssociationInput;
use super::wire::{
    batch_response, check_batch_size, check_unique_ids, render, standard_error, with_trace, Batch,
    BatchRead, IdInput, IdObjectInput, ObjectInput, Wanted,
};
use super::{for_read, for_write, id_by, resolve, scope};
use crate::auth::Principal;
use crate::db;
use crate::engine::objects::{self, NewObject, Source};
use crate::engine::store::{self, Archived};
use crate::engine::upsert::{self, KeyedInput};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::{json, Value};

/// The batch response: 207 when some inputs failed, else `success` (a version's batch-create
/// status, or 200).
fn respond<T: Serialize>(
    success: StatusCode,
    results: Vec<T>,
    errors: Vec<Value>,
    (started, completed): (i64, i64),
) -> HttpResponse {
    let status = if errors.is_empty() {
        success
    } else {
        StatusCode::MULTI_STATUS
    };
    HttpResponse::build(status).json(batch_response(results, errors, started, completed))
}

/// `POST /{objectType}/batch/read` — unknown ids come back as a 207.
pub async fn read(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
    body: Json<BatchRead>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let otype = for_read(&state, &who, &path).await?;
    let body = body.into_inner();
    let history = body
        .properties_with_history
        .clone()
        .filter(|h| !h.is_empty());
    check_batch_size(body.inputs.len(), history.is_some())?;
    check_unique_ids(body.inputs.iter().map(|i| i.id.0.as_str()))?;
    let by = id_by(&otype, body.id_property.as_deref())?;
    let raw: Vec<String> = body.inputs.iter().map(|i| i.id.0.clone()).collect();
    let archived = if q.bool("archived", false)? {
        Archived::Only
    } else {
        Archived::Live
    };
    let t = otype.clone();
    let hist_names = history.clone();
    // Reads with history have no bound on their rows, so they never run inline.
    let inline = hist_names.is_none();
    let portal = who.portal;
    let (rows, hist, found) = state
        .read(&who, inline, move |conn| {
            let scope = scope(portal, &t);
            let found = resolve(conn, scope, &by, &raw, archived)?;
            let ids: Vec<i64> = found.values().copied().collect();
            let rows = store::load_views(conn, scope, &ids, archived)?;
            let hist = match &hist_names {
                Some(names) => Some(store::history(conn, portal, &ids, names)?),
                None => None,
            };
            Ok((rows, hist, found))
        })
        .await?;
    let wanted = body
        .properties
        .map(Wanted::Names)
        .unwrap_or(Wanted::Defaults);
    let shown = wanted.resolve(&otype);
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for input in &body.inputs {
        let id = found.get(&input.id.0);
        match rows.iter().find(|r| Some(&r.id) == id) {
            Some(row) => {
                let h = history.as_deref().zip(hist.as_ref());
                results.push(Rendered::view(&otype, row, &shown, h)?);
            }
            None => missing.push(input.id.0.clone()),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![standard_error(
            "OBJECT_NOT_FOUND",
            format!("Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.", otype.noun),
            json!({ "ids": missing }),
            json!([]),
        )]
    };
    Ok(respond(
        StatusCode::OK,
        results,
        errors,
        (started, who.now()),
    ))
}

/// `POST /{objectType}/batch/create` — 201.
pub async fn create(
    state: Data<AppState>,
    who: Principal,
    version: &'static Version,
    path: Path<String>,
    body: Json<Batch<ObjectInput>>,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let otype = for_write(&state, &who, &path).await?;
    let inputs = body.into_inner().inputs;
    let named = inputs
        .iter()
        .flat_map(|i| i.properties.keys().map(String::as_str));
    let otype = state.knowing(who.portal, otype, named).await?;
    check_batch_size(inputs.len(), false)?;
    let traced = all_traced(&inputs, |i| i.object_write_trace_id.as_ref());
    let mut good: Vec<NewObject> = Vec::new();
    let mut failures = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        match objects::validate(&otype, &input.properties) {
            Ok(changes) => good.push(NewObject {
                input: index,
                changes,
            }),
            Err(errs) => failures.push(Failure::invalid(
                index,
                input.object_write_trace_id.clone(),
                errs,
            )),
        }
    }
    // With every input traced, associations that cannot be written fail just their input, as
    // its invalid values would; otherwise the check in the write's transaction fails the batch.
    let with_links: Vec<(usize, &[AssociationInput])> = good
        .iter()
        .map(|g| {
            (
                g.input,
                inputs[g.input].associations.as_deref().unwrap_or_default(),
            )
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if traced && !with_links.is_empty() {
        let (st, w, t) = (state.clone(), who.clone(), otype.clone());
        let owned: Vec<(usize, Vec<AssociationInput>)> =
            with_links.iter().map(|(i, l)| (*i, l.to_vec())).collect();
        let refused = db::run(&state.pool, move |conn| {
            let view: Vec<(usize, &[AssociationInput])> =
                owned.iter().map(|(i, l)| (*i, l.as_slice())).collect();
            Ok(associations::plan(conn, &st.registry, &w, &t, &view)?.refused)
        })
        .await?;
        for (index, e) in refused {
            good.retain(|g| g.input != index);
            failures.push(Failure::refused(
                index,
                inputs[index].object_write_trace_id.clone(),
                &e,
            ));
        }
    }
    let errors = settle(failures, traced)?;
    let written_inputs: Vec<usize> = good.iter().map(|g| g.input).collect();
    let t = otype.clone();
    let st = state.clone();
    let clock = who.clock;
    let (inputs, rows) = db::run(&state.pool, move |conn| {
        let rows = conn.write_tx(|tx| {
            let now = clock.now();
            let rows = objects::create(tx, &t, who.portal, &good, now, &Source::api())?;
            // The associations given with the written inputs, in the same transaction.
            let links: Vec<(i64, &[AssociationInput])> = rows
                .iter()
                .zip(&good)
                .map(|(r, g)| {
                    (
                        r.id,
                        inputs[g.input].associations.as_deref().unwrap_or_default(),
                    )
                })
                .collect();
            associations::link_created(tx, &st.registry, &who, &t, &links, now)?;
            Ok(rows)
        })?;
        Ok((inputs, rows))
    })
    .await?;
    // `objects::create` returns the rows in the order of `good`.
    let results = rows
        .iter()
        .zip(&written_inputs)
        .map(|(r, i)| {
            let trace = inputs[*i].object_write_trace_id.as_ref();
            with_trace(render(&otype, r, &Wanted::AllSet, None), trace)
        })
        .collect();
    Ok(respond(
        version.batch_create,
        results,
        errors,
        (started, clock.now()),
    ))
}

/// Shared by batch update and upsert: validates inputs, resolves ids (record ids or
/// `idProperty` values), updates what exists and, for upsert, creates the rest with the
/// identifying value set — one transaction.
async fn update_inputs(
    state: &AppState,
    who: Principal,
    type_name: &str,
    inputs: Vec<IdObjectInput>,
    upsert: bool,
) -> Result<HttpResponse, ApiError> {
    let started = who.now();
    let otype = for_write(state, &who, type_name).await?;
    let named = inputs
        .iter()
        .flat_map(|i| i.properties.keys().map(String::as_str));
    let otype = state.knowing(who.portal, otype, named).await?;
    check_batch_size(inputs.len(), false)?;
    check_unique_ids(inputs.iter().map(|i| i.id.0.as_str()))?;
    let traced = all_traced(&inputs, |i| i.object_write_trace_id.as_ref());
    let mut valid = Vec::new();
    let mut traces = Vec::with_capacity(inputs.len());
    let mut failures = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let trace = input.object_write_trace_id.clone();
        traces.push(trace.clone());
        let by = id_by(&otype, input.id_property.as_deref())?;
        match objects::validate(&otype, &input.properties) {
            Ok(changes) => valid.push(KeyedInput {
                input: index,
                key: input.id.0.clone(),
                by,
                changes,
            }),
            Err(errs) => failures.push(Failure::invalid(index, trace, errs)),
        }
    }
    let t = otype.clone();
    let clock = who.clock;
    let (written, failures) = db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| {
            let plan = upsert::plan(tx, scope(who.portal, &t), valid, upsert)?;
            let mut failures = failures;
            for (index, raw) in &plan.missing {
                failures.push(Failure::not_found(*index, traces[*index].clone(), raw));
            }
            failures.sort_by_key(|f| f.index);
            let errors = settle(failures, traced)?;
            let written = upsert::apply(tx, &t, who.portal, &plan, clock.now(), &Source::api())?;
            Ok((written, errors))
        })
    })
    .await?;
    let results = written
        .iter()
        .map(|w| {
            let trace = inputs[w.input].object_write_trace_id.as_ref();
            let mut v = with_trace(render(&otype, &w.row, &Wanted::AllSet, None), trace);
            if upsert {
                v["new"] = json!(w.created);
            }
            v
        })
        .collect();
    Ok(respond(
        StatusCode::OK,
        results,
        failures,
        (started, clock.now()),
    ))
}

/// `POST /{objectType}/batch/update`
pub async fn update(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Batch<IdObjectInput>>,
) -> Result<HttpResponse, ApiError> {
    update_inputs(&state, who, &path, body.into_inner().inputs, false).await
}

/// `POST /{objectType}/batch/upsert` — by record id, existing objects are updated (`new:false`).
pub async fn upsert(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Batch<IdObjectInput>>,
) -> Result<HttpResponse, ApiError> {
    update_inputs(&state, who, &path, body.into_inner().inputs, true).await
}

/// `POST /{objectType}/batch/archive` — 204; unknown or archived ids are ignored.
pub async fn archive(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Batch<IdInput>>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_write(&state, &who, &path).await?;
    let inputs = body.into_inner().inputs;
    check_batch_size(inputs.len(), false)?;
    check_unique_ids(inputs.iter().map(|i| i.id.0.as_str()))?;
    let ids: Vec<i64> = inputs
        .iter()
        .filter_map(|i| i.id.0.trim().parse().ok())
        .collect();
    db::run(&state.pool, move |conn| {
        conn.write_tx(|tx| objects::archive(tx, &otype, who.portal, &ids, who.now()))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
