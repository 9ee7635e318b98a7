//! What operators watch: `/health` (with detail on this instance, its job lease and its
//! replicas), `/health/live`, and `/metrics` in Prometheus' text format.

use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::http::state::AppState;
use actix_web::web::Data;
use actix_web::HttpResponse;
use serde_json::json;

/// `GET /health`: 200 when the database answers, 503 otherwise. No auth. The detail says which
/// instance answered, whether it runs the background jobs, and how far behind each replica is
/// (`lagMs` -1: not answering; such a replica gets no reads).
pub async fn health(state: Data<AppState>) -> HttpResponse {
    let ok = db::run(&state.pool, |conn| {
        crate::db::with_conn!(conn, c => diesel::connection::SimpleConnection::batch_execute(c, "SELECT 1"))
            .map_err(ApiError::from)
    })
    .await;
    let replicas: Vec<_> = state
        .replicas
        .iter()
        .flat_map(|r| r.all())
        .map(|r| {
            let lag = r.lag_ms();
            let fit = lag >= 0 && lag <= state.config.replica_max_lag_ms;
            json!({"name": r.name, "lagMs": lag, "serving": fit})
        })
        .collect();
    let jobs = match state.leader.get() {
        Some(l) if l.is_leader() => "leader",
        Some(_) => "follower",
        None => "not started",
    };
    let w = crate::webhooks::deliver::status();
    let load = |a: &std::sync::atomic::AtomicI64| a.load(std::sync::atomic::Ordering::Relaxed);
    let webhooks =
        json!({"apps": load(&w.apps), "lagMs": load(&w.lag_ms), "parked": load(&w.parked)});
    let detail = json!({"instance": state.instance, "jobs": jobs, "replicas": replicas,
        "webhooks": webhooks});
    match ok {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok", "detail": detail})),
        Err(_) => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "unavailable", "detail": detail})),
    }
}

/// `GET /health/live`: 200 while the process serves HTTP, without touching the database (the
/// bare HTTP stack, for benchmarks and liveness probes). No auth.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /metrics` on the API's address: needs the `goalpost.metrics.read` scope (a scraper's
/// bearer token). `--metrics-bind` serves the same text without a token on its own address.
pub async fn metrics(state: Data<AppState>, who: Principal) -> Result<HttpResponse, ApiError> {
    who.require(&["goalpost.metrics.read"])?;
    Ok(exposition(&state))
}

/// The metrics text, with the pools' gauges read now.
pub fn exposition(state: &AppState) -> HttpResponse {
    let m = crate::metrics::get();
    let mut pools = vec![("primary".to_owned(), state.pool.state())];
    for r in state.replicas.iter().flat_map(|r| r.all()) {
        pools.push((r.name.clone(), r.pool.state()));
    }
    for (name, s) in pools {
        m.pool_size
            .with_label_values(&[&name])
            .set(i64::from(s.connections));
        m.pool_in_use
            .with_label_values(&[&name])
            .set(i64::from(s.connections - s.idle_connections));
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(m.render())
}
