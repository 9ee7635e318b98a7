//! Per-token rate limits (configurable, off by default): a fixed window per token. Every
//! response of a limited server carries the window's state — HubSpot's
//! `X-HubSpot-RateLimit-*` headers, and Pipedrive's `x-ratelimit-*` on its routes — and a
//! request over the limit gets a 429 in the shape of the API it called.

use crate::auth::hash_token;
use crate::config::RateLimit;
use crate::error::ApiError;
use crate::http::extract::presented_token;
use crate::http::pipedrive::{is_pipedrive_path, PdError};
use crate::http::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpResponse, ResponseError};
use std::collections::HashMap;
use std::sync::Mutex;

/// The windows of every token seen lately, keyed by token hash.
pub struct Limiter {
    limit: RateLimit,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

/// What the limiter said about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub remaining: u32,
    /// Milliseconds until the window resets.
    pub reset_ms: i64,
}

/// Tokens tracked before expired windows are swept.
const SWEEP_AT: usize = 100_000;

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Limiter {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `key` at `now` (epoch ms).
    pub fn check(&self, key: &str, now: i64) -> Verdict {
        let window = self.limit.window_ms as i64;
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, (start, _)| now - *start < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= window {
            *entry = (now, 0);
        }
        let allowed = entry.1 < self.limit.max;
        if allowed {
            entry.1 += 1;
        }
        Verdict {
            allowed,
            remaining: self.limit.max - entry.1,
            reset_ms: (entry.0 + window - now).max(0),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }
}

fn set_headers(
    resp: &mut HttpResponse<impl MessageBody>,
    limit: RateLimit,
    v: Verdict,
    pipedrive: bool,
) {
    let reset_s = (v.reset_ms + 999) / 1000;
    let pairs: Vec<(&str, String)> = if pipedrive {
        vec![
            ("x-ratelimit-limit", limit.max.to_string()),
            ("x-ratelimit-remaining", v.remaining.to_string()),
            ("x-ratelimit-reset", reset_s.to_string()),
        ]
    } else {
        vec![
            (
                "x-hubspot-ratelimit-interval-milliseconds",
                limit.window_ms.to_string(),
            ),
            ("x-hubspot-ratelimit-max", limit.max.to_string()),
            ("x-hubspot-ratelimit-remaining", v.remaining.to_string()),
        ]
    };
    let headers = resp.headers_mut();
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    if !v.allowed {
        if let Ok(value) = HeaderValue::from_str(&reset_s.to_string()) {
            headers.insert(actix_web::http::header::RETRY_AFTER, value);
        }
    }
}

/// The middleware: counts requests that present a token, when limits are on.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limiter = req
        .app_data::<Data<AppState>>()
        .and_then(|s| s.limiter.clone());
    let token = presented_token(req.request());
    let (Some(limiter), Some(token)) = (limiter, token) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let pipedrive = is_pipedrive_path(req.path());
    let verdict = limiter.check(&hash_token(&token), crate::engine::value::now_ms());
    if !verdict.allowed {
        let mut resp = if pipedrive {
            PdError(ApiError::RateLimited).error_response()
        } else {
            ApiError::RateLimited.error_response()
        };
        set_headers(&mut resp, limiter.limit(), verdict, pipedrive);
        return Ok(req.into_response(resp).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    set_headers(res.response_mut(), limiter.limit(), verdict, pipedrive);
    Ok(res.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_max_then_resets() {
        let l = Limiter::new(RateLimit {
            max: 2,
            window_ms: 1000,
        });
        assert!(l.check("a", 0).allowed);
        assert_eq!(l.check("a", 10).remaining, 0);
        let v = l.check("a", 20);
        assert_eq!((v.allowed, v.reset_ms), (false, 980));
        assert!(l.check("b", 20).allowed, "tokens are counted apart");
        assert!(l.check("a", 1000).allowed);
    }
}
