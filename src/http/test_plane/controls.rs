//! The test plane's per-portal controls: the clock, fault rules and the recorder.

use super::faults::{check, FaultInput};
use super::target;
use crate::auth::Principal;
use crate::db;
use crate::engine::store::PortalId;
use crate::engine::value::{format_ms, parse_instant};
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::portals::clock::{self as clocks, Clock};
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

/// The last instant a clock may show (the end of the year 9999: timestamps stay fixed-width).
const LAST_MS: i64 = 253_402_300_799_999;

/// What moves with time alone, brought up to the portal's `now`: open-ended Pipedrive goals'
/// slices, and computed attainment (statuses of periods that started or ended).
pub(super) fn catch_up(conn: &mut db::Conn, portal: PortalId, now: i64) -> Result<(), ApiError> {
    crate::jobs::extend_portal(conn, portal)?;
    conn.write_tx(|tx| {
        let ids = crate::attainment::refresh::portal_slices(tx, portal)?;
        crate::attainment::refresh::recompute_by_time(tx, portal, &ids, now)
    })
}

fn shown(c: Clock) -> Value {
    json!({"now": format_ms(c.now()), "frozen": c.frozen.is_some(), "offsetMs": c.offset})
}

/// Stores a portal's clock and lets everything that depends on "now" catch up at once: cached
/// principals (which carry the clock) are dropped on every instance, open-ended Pipedrive
/// goals get their slices up to the new today, and computed attainment is recomputed.
async fn change(
    state: &AppState,
    portal: PortalId,
    f: impl FnOnce(Clock) -> Clock + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let clock = db::run(&state.pool, move |conn| {
        let clock = conn.write_tx(|tx| {
            let clock = f(clocks::clock(tx, portal)?);
            if !(0..=LAST_MS).contains(&clock.now()) {
                return Err(ApiError::bad_request(
                    "the clock stays between 1970 and the end of the year 9999",
                ));
            }
            clocks::set_clock(tx, portal, clock)?;
            db::cluster::bump(tx, db::cluster::TOKENS)?;
            Ok(clock)
        })?;
        catch_up(conn, portal, clock.now())?;
        Ok(clock)
    })
    .await?;
    state.tokens.clear();
    Ok(HttpResponse::Ok().json(shown(clock)))
}

/// `GET …/portals/{portalId}/clock`
pub async fn clock(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let c = db::run(&state.pool, move |conn| clocks::clock(conn, portal)).await?;
    Ok(HttpResponse::Ok().json(shown(c)))
}

/// `PUT …/clock` body: the instant (ISO 8601 or epoch ms) and whether time stands still there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetClock {
    now: Value,
    frozen: Option<bool>,
}

/// `PUT …/portals/{portalId}/clock` — sets the portal's now (frozen by default).
pub async fn set_clock(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<SetClock>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let at = match &body.now {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_instant(s),
        _ => None,
    }
    .filter(|ms| (0..=LAST_MS).contains(ms))
    .ok_or_else(|| {
        ApiError::bad_request(format!(
            "now must be an ISO 8601 instant such as 2027-01-15T09:00:00Z or epoch milliseconds, not {}",
            body.now
        ))
    })?;
    let frozen = body.frozen.unwrap_or(true);
    change(&state, portal, move |_| Clock::set(at, frozen)).await
}

/// `POST …/clock/advance` body: how far, in any of these units (added up).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    milliseconds: Option<i64>,
    seconds: Option<i64>,
    minutes: Option<i64>,
    hours: Option<i64>,
    days: Option<i64>,
}

/// `POST …/portals/{portalId}/clock/advance` — moves the portal's now forward.
pub async fn advance(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<Advance>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let parts = [
        (body.milliseconds, 1),
        (body.seconds, 1_000),
        (body.minutes, 60_000),
        (body.hours, 3_600_000),
        (body.days, 86_400_000),
    ];
    let mut ms: i64 = 0;
    for (n, unit) in parts {
        let n = n.unwrap_or(0);
        ms = n
            .checked_mul(unit)
            .and_then(|x| ms.checked_add(x))
            .filter(|t| (0..=100 * 366 * 86_400_000).contains(t))
            .ok_or_else(|| {
                ApiError::bad_request("the clock moves forward only, by at most 100 years")
            })?;
    }
    if parts.iter().all(|(n, _)| n.is_none()) {
        return Err(ApiError::bad_request(
            "say how far: milliseconds, seconds, minutes, hours or days",
        ));
    }
    change(&state, portal, move |c| c.advance(ms)).await
}

/// `DELETE …/portals/{portalId}/clock` — back to real time.
pub async fn real_clock(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    change(&state, portal, |_| Clock::default()).await
}

/// `GET …/portals/{portalId}/faults`
pub async fn faults(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    Ok(HttpResponse::Ok().json(json!({"results": state.faults.list(portal.0)})))
}

/// `POST …/portals/{portalId}/faults` — adds a rule (see `faults::FaultInput`).
pub async fn add_fault(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<FaultInput>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let input = body.into_inner();
    check(&input).map_err(ApiError::bad_request)?;
    let token_id = match &input.token {
        None => None,
        Some(t) => {
            let holder = crate::http::extract::resolve(&state, t).await?;
            match holder {
                Some(p) if p.portal == portal => Some(p.token_id),
                _ => {
                    return Err(ApiError::bad_request(
                        "token is not a live token of this portal",
                    ))
                }
            }
        }
    };
    let view = state.faults.add(portal.0, input, token_id);
    Ok(HttpResponse::Created().json(view))
}

/// `DELETE …/portals/{portalId}/faults` — removes every rule.
pub async fn clear_faults(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    state.faults.remove(portal.0, None);
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE …/portals/{portalId}/faults/{faultId}`
pub async fn remove_fault(
    state: Data<AppState>,
    who: Principal,
    path: Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw, id) = path.into_inner();
    let portal = target(&state, &who, &raw).await?;
    let gone = id
        .parse::<u64>()
        .ok()
        .is_some_and(|n| state.faults.remove(portal.0, Some(n)) == 1);
    if gone {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found_named("No such fault", "faultId", &id))
    }
}

/// `GET …/portals/{portalId}/requests?limit=` — the last exchanges, oldest first.
pub async fn requests(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    let keep = super::recorder::KEEP;
    let limit = match q.get("limit") {
        None => keep,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=keep).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit must be a whole number from 1 to {keep}"))
            })?,
    };
    Ok(HttpResponse::Ok().json(json!({"results": state.recorder.last(portal.0, limit)})))
}

/// `DELETE …/portals/{portalId}/requests`
pub async fn clear_requests(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let portal = target(&state, &who, &path).await?;
    state.recorder.clear(portal.0);
    Ok(HttpResponse::NoContent().finish())
}
