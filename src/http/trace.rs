//! Request-scoped tracing. Every request gets an id, made here before anything else runs: it
//! is the `request` span's `id` field, so every log line written while the request is served
//! (on the async worker, and on the blocking pool through `db::run`) carries it, and it is
//! the correlation id the client sees — the `X-HubSpot-Correlation-Id` header of every response
//! and the `correlationId` (HubSpot) or `request_id` (Pipedrive) of an error body. One line
//! per request is logged at `info` when it ends: method, path (never the query, which may hold
//! a token), status and milliseconds.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;

/// The header that carries the request id on every response (HubSpot's name for it).
pub const CORRELATION_HEADER: &str = "x-hubspot-correlation-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served. Error bodies are rendered inside the request's task, so
/// this is the request's id; outside a request (start-up) it is a fresh one.
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string())
}

/// The outermost middleware: names the request, runs it inside its span and id, stamps the
/// response with the id, and logs the request's line.
pub async fn request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("request", id = %id);
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let started = Instant::now();
    let result = REQUEST_ID
        .scope(id.clone(), next.call(req).instrument(span.clone()))
        .await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let _entered = span.enter();
    match result {
        Ok(mut res) => {
            let route = res.request().match_pattern();
            let route = route.as_deref().unwrap_or("unmatched");
            let m = crate::metrics::get();
            m.requests
                .with_label_values(&[route, method.as_str(), res.status().as_str()])
                .inc();
            m.request_seconds
                .with_label_values(&[route, method.as_str()])
                .observe(ms / 1e3);
            if let Ok(v) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static(CORRELATION_HEADER), v);
            }
            tracing::info!(%method, %path, status = res.status().as_u16(), ms, "request");
            Ok(res)
        }
        Err(e) => {
            tracing::info!(%method, %path, error = %e, ms, "request failed");
            Err(e)
        }
    }
}
