//! The change-event journal (`GET /goalpost/v1/events`): a portal's retained events from any
//! cursor, oldest first, in HubSpot's webhook payload shape plus `seq` (the cursor), so a
//! consumer that was down, or prefers pulling, misses nothing. Needs `goalpost.events.read`.

use crate::auth::Principal;
use crate::engine::events::{self, Filter};
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::webhooks::payload;
use actix_web::web::Data;
use actix_web::HttpResponse;
use serde_json::{json, Value};

const MAX_LIMIT: i64 = 1000;

/// `GET /goalpost/v1/events?after=SEQ&limit=N&objectType=&objectId=&eventType=`
pub async fn journal(
    state: Data<AppState>,
    who: Principal,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    who.require(&["goalpost.events.read"])?;
    let after = match q.get("after") {
        None => 0,
        Some(raw) => raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "after must be a cursor a page returned, not {raw:?}"
            ))
        })?,
    };
    let limit = match q.get("limit") {
        None => 100,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit must be 1 to {MAX_LIMIT}, not {raw:?}"))
            })?,
    };
    let object_type = match q.get("objectType") {
        None => None,
        Some(raw) => {
            let t = state
                .registry
                .find(raw)
                .ok_or_else(|| ApiError::bad_request(format!("Unknown object type {raw:?}")))?;
            who.require(t.read_scopes)?;
            Some(t.name.to_owned())
        }
    };
    // Events carry property values: only of the types this token may read.
    let readable: Vec<String> = state
        .registry
        .all()
        .filter(|t| who.require(t.read_scopes).is_ok())
        .map(|t| t.name.to_owned())
        .collect();
    let object_id = match q.get("objectId") {
        None => None,
        Some(raw) => Some(raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            ApiError::bad_request(format!("objectId must be an object id, not {raw:?}"))
        })?),
    };
    let event_type = match q.get("eventType") {
        None => None,
        Some(raw) if events::TYPES.contains(&raw) => Some(raw.to_owned()),
        Some(raw) => {
            return Err(ApiError::bad_request(format!(
                "Unknown eventType {raw:?}; one of: {}",
                events::TYPES.join(", ")
            )))
        }
    };
    let filter = Filter {
        prefix: Some("object."),
        object_type,
        object_types: Some(readable),
        object_id,
        event_type,
    };
    let portal = who.portal;
    let rows = state
        .read(&who, false, move |conn| {
            events::after(conn, portal, after, limit, &filter)
        })
        .await?;
    let ids = state.registry.type_ids();
    let results: Vec<Value> = rows
        .iter()
        .map(|e| {
            let mut v = payload::hubspot(e, &ids, None);
            v["seq"] = json!(e.seq.to_string());
            v
        })
        .collect();
    let mut body = json!({ "results": results });
    if rows.len() as i64 == limit {
        if let Some(last) = rows.last() {
            let after = last.seq.to_string();
            body["paging"] = json!({"next": {"after": after, "link": format!("?after={after}")}});
        }
    }
    Ok(HttpResponse::Ok().json(body))
}
