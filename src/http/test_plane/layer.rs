//! The test-mode middleware: applies a portal's fault rules to each request and records the
//! exchange. Outside test mode it passes every request straight on. Requests without a token
//! someone holds, health and metrics probes and the test plane's own routes are neither
//! faulted nor recorded.

use crate::config::RateLimit;
use crate::error::ApiError;
use crate::http::extract::{presented_token, resolve};
use crate::http::limits::{set_headers, Verdict};
use crate::http::pipedrive::{is_pipedrive_path, PdError};
use crate::http::state::AppState;
use crate::http::TEST_PLANE;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use std::time::Instant;

use super::recorder::{Exchange, BODY_BYTES};

/// The middleware (see the module comment).
pub async fn faults_and_recorder(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Outside test mode every request passes straight on, before any other work.
    let state = req
        .app_data::<Data<AppState>>()
        .filter(|s| s.config.test_mode)
        .cloned();
    let Some(state) = state else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let path = req.path().to_owned();
    let skip = path.starts_with(TEST_PLANE) || path.starts_with("/health") || path == "/metrics";
    let token = presented_token(req.request()).filter(|t| !t.is_empty());
    let (Some(token), false) = (token, skip) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Ok(Some(who)) = resolve(&state, &token).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let started = Instant::now();
    let (portal, now) = (who.portal.0, who.now());
    let method = req.method().to_string();
    let pipedrive = is_pipedrive_path(&path);
    // The request body, read here so it can be recorded, then handed on unchanged.
    let small = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n <= BODY_BYTES.min(state.config.body_limit));
    let request_body = if small {
        let mut payload = req.take_payload();
        let mut buf = actix_web::web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            buf.extend_from_slice(&chunk?);
        }
        let bytes: Bytes = buf.freeze();
        req.set_payload(actix_web::dev::Payload::from(bytes.clone()));
        Some(bytes)
    } else {
        None
    };
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let query = req.query_string().to_owned();
    let verdict = state
        .faults
        .judge(portal, who.token_id, &method, &path, now);
    if verdict.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(verdict.delay_ms)).await;
    }
    let rate = verdict
        .rate
        .map(|(max, window, remaining, reset_ms, allowed)| {
            let limit = RateLimit {
                max,
                window_ms: window as u64,
            };
            let v = Verdict {
                allowed,
                remaining,
                reset_ms,
            };
            (limit, v)
        });
    let refused = if let Some((limit, v)) = rate.filter(|(_, v)| !v.allowed) {
        let mut resp = if pipedrive {
            PdError(ApiError::RateLimited).error_response()
        } else {
            ApiError::RateLimited.error_response()
        };
        set_headers(&mut resp, limit, v, pipedrive);
        Some(resp)
    } else {
        verdict.error.map(|(status, body)| match body {
            // An injected 429 is the real rate-limit answer, so clients' retry rules apply.
            None if status == 429 && pipedrive => PdError(ApiError::RateLimited).error_response(),
            None if status == 429 => ApiError::RateLimited.error_response(),
            _ => {
                let status = actix_web::http::StatusCode::from_u16(status)
                    .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
                let body =
                    body.unwrap_or_else(|| super::faults::error_body(status.as_u16(), pipedrive));
                HttpResponse::build(status).json(body)
            }
        })
    };
    let res = match refused {
        Some(resp) => req.into_response(resp),
        None => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            if let Some((limit, v)) = rate {
                set_headers(res.response_mut(), limit, v, pipedrive);
            }
            res
        }
    };
    // The response body, when it is JSON or text of a known size up to what is kept; a stream
    // or a large body is passed on untouched and recorded without its body.
    let json_like = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json") || t.starts_with("text/plain"))
        && matches!(res.response().body().size(), BodySize::Sized(n) if n <= BODY_BYTES as u64);
    let (res, response_body) = if json_like {
        let (http_req, resp) = res.into_parts();
        let (head, body) = resp.into_parts();
        let bytes = actix_web::body::to_bytes_limited(body, BODY_BYTES).await;
        match bytes {
            Ok(Ok(bytes)) => {
                let resp = head.set_body(BoxBody::new(bytes.clone()));
                (ServiceResponse::new(http_req, resp), Some(bytes))
            }
            _ => {
                let resp = head.set_body(BoxBody::new(Bytes::new()));
                (ServiceResponse::new(http_req, resp), None)
            }
        }
    } else {
        (res, None)
    };
    state.recorder.record(
        portal,
        &token,
        Exchange {
            at: now,
            method: &method,
            path: &path,
            query: &query,
            headers,
            request: request_body.as_deref(),
            status: res.status().as_u16(),
            response: response_body.as_deref(),
            duration_ms: started.elapsed().as_millis() as u64,
        },
    );
    Ok(res)
}
