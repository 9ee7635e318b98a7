//! Per-token rate limits (configurable, off by default): a fixed window per token. Every
//! response of a limited server carries the window's state — HubSpot's
//! `X-HubSpot-RateLimit-*` headers, and Pipedrive's `x-ratelimit-*` on its routes — and a
//! request over the limit gets a 429 in the shape of the API it called.

use crate::auth::hash_token;
use crate::config::RateLimit;
use crate::db::{self, cluster};
use crate::error::ApiError;
use crate::http::extract::{presented_token, resolve};
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

/// Per-token limits that hold in total across every instance on one database. Windows are
/// fixed and aligned to the epoch (so every instance agrees where one starts); the requests a
/// window has granted are counted in the database (`rate_windows`), which each instance leases
/// from in chunks of a twentieth of the limit (at least 1): a request is served from this
/// instance's unused lease without a database round trip, and a lease is one upsert that never
/// takes the window past its limit. So the total never exceeds the limit; what a lease leaves
/// unused when its window ends is lost, so a busy token may be refused a few requests early.
pub struct Limiter {
    limit: RateLimit,
    leases: Mutex<HashMap<String, Lease>>,
}

/// This instance's part of one token's current window.
#[derive(Debug, Clone, Copy)]
struct Lease {
    start: i64,
    /// Requests leased and not yet used.
    left: i64,
    /// The window's granted requests (all instances) at the last lease.
    used: i64,
    /// The window had no room at the last try: refuse without asking again until it ends.
    full: bool,
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
            leases: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self) -> i64 {
        self.limit.window_ms as i64
    }

    /// Requests leased at a time: a twentieth of the limit, so one instance's unused lease at
    /// the end of a window costs the token at most 5 % of it.
    fn chunk(&self) -> i64 {
        (i64::from(self.limit.max) / 20).max(1)
    }

    fn verdict(&self, allowed: bool, lease: &Lease, now: i64) -> Verdict {
        let remaining = (i64::from(self.limit.max) - lease.used + lease.left).max(0);
        Verdict {
            allowed,
            remaining: remaining as u32,
            reset_ms: (lease.start + self.window() - now).max(0),
        }
    }

    /// Serves a request from this instance's lease, if its window has one (or is known full).
    fn local(&self, key: &str, now: i64) -> Option<Verdict> {
        let mut map = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        let start = now - now.rem_euclid(self.window());
        let lease = map.get_mut(key).filter(|l| l.start == start)?;
        if lease.left > 0 {
            lease.left -= 1;
            let lease = *lease;
            return Some(self.verdict(true, &lease, now));
        }
        let lease = *lease;
        lease.full.then(|| self.verdict(false, &lease, now))
    }

    /// Records what a lease attempt got: `granted` requests with the window at `used`, or
    /// (`None`) a full window. The request that asked takes one of the granted.
    fn record(&self, key: &str, start: i64, got: Option<(i64, i64)>, now: i64) -> Verdict {
        let mut map = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, l| l.start == start);
        }
        let fresh = Lease {
            start,
            left: 0,
            used: 0,
            full: false,
        };
        let lease = map.entry(key.to_owned()).or_insert(fresh);
        if lease.start != start {
            *lease = fresh;
        }
        match got {
            Some((used, granted)) => {
                lease.left += granted - 1;
                lease.used = lease.used.max(used);
                lease.full = false;
                let lease = *lease;
                self.verdict(true, &lease, now)
            }
            None => {
                lease.full = true;
                lease.used = i64::from(self.limit.max);
                let lease = *lease;
                self.verdict(false, &lease, now)
            }
        }
    }

    /// Counts a request of `key` at `now` (epoch ms). A database that cannot be asked lets the
    /// request through (the request itself then meets the database's state).
    pub async fn check(&self, pool: &db::Pool, key: &str, now: i64) -> Verdict {
        if let Some(v) = self.local(key, now) {
            return v;
        }
        let start = now - now.rem_euclid(self.window());
        let (k, chunk, max) = (key.to_owned(), self.chunk(), i64::from(self.limit.max));
        let got = db::run(pool, move |conn| {
            if let Some(used) = cluster::reserve(conn, &k, start, chunk, max)? {
                return Ok(Some((used, chunk)));
            }
            if chunk > 1 {
                if let Some(used) = cluster::reserve(conn, &k, start, 1, max)? {
                    return Ok(Some((used, 1)));
                }
            }
            Ok(None)
        })
        .await;
        match got {
            Ok(got) => self.record(key, start, got, now),
            Err(e) => {
                tracing::warn!("rate limit not counted: {e}");
                Verdict {
                    allowed: true,
                    remaining: self.limit.max,
                    reset_ms: start + self.window() - now,
                }
            }
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }
}

pub(crate) fn set_headers(
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
    let state = req.app_data::<Data<AppState>>().cloned();
    let limiter = state.as_ref().and_then(|s| s.limiter.clone());
    let token = presented_token(req.request());
    // Health checks are never limited (a probe's empty bearer must not be refused).
    let token = token.filter(|t| !t.is_empty() && !req.path().starts_with("/health"));
    let (Some(state), Some(limiter), Some(token)) = (state, limiter, token) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    // Only tokens someone holds are counted (resolved here, and cached for the handler): a
    // made-up token costs no window row and gets its 401 from the extractor.
    if !matches!(resolve(&state, &token).await, Ok(Some(_))) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let now = crate::engine::value::now_ms();
    let pipedrive = is_pipedrive_path(req.path());
    // The window's key: a prefix of the token's hash (the secret never reaches the database).
    let key = hash_token(&token)[..32].to_owned();
    let verdict = limiter.check(&state.pool, &key, now).await;
    if !verdict.allowed {
        crate::metrics::get().rate_limited.inc();
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

    fn limiter(max: u32) -> Limiter {
        Limiter::new(RateLimit {
            max,
            window_ms: 1000,
        })
    }

    #[test]
    fn a_lease_serves_requests_locally_until_used_up() {
        let l = limiter(100);
        assert_eq!(l.chunk(), 5);
        assert!(l.local("a", 10).is_none(), "nothing leased yet");
        let v = l.record("a", 0, Some((5, 5)), 10);
        assert_eq!((v.allowed, v.remaining, v.reset_ms), (true, 99, 990));
        for _ in 0..4 {
            assert!(l.local("a", 20).expect("leased").allowed);
        }
        assert!(
            l.local("a", 20).is_none(),
            "lease used up: ask the database"
        );
        assert!(l.local("b", 20).is_none(), "tokens are counted apart");
        assert!(
            l.local("a", 1000).is_none(),
            "a new window needs a new lease"
        );
    }

    #[test]
    fn a_full_window_is_refused_locally_until_it_ends() {
        let l = limiter(2);
        let v = l.record("a", 0, None, 10);
        assert_eq!((v.allowed, v.remaining), (false, 0));
        assert!(!l.local("a", 500).expect("known full").allowed);
        assert!(l.local("a", 1000).is_none());
    }
}
