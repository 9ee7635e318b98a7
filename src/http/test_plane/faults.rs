//! Production behaviour on demand (test mode): rules a test adds to a portal, or to one of its
//! tokens, that make goalpost answer as HubSpot and Pipedrive do under load — rate limits with
//! their real headers and 429 bodies, injected errors, added latency, search lag and HubSpot's
//! 10,000-result paging cap. Rules live in this instance's memory (test mode serves one
//! instance) and are each visible and removable.

use super::rules::Shown;
pub use super::rules::{check, glob, FaultInput};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// A stored rule and what it has counted.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: u64,
    pub input: FaultInput,
    /// The token the rule is limited to, as its id.
    pub token_id: Option<i64>,
    /// Matching requests seen.
    hits: u64,
    /// Times it fired.
    fired: u64,
    /// xorshift state of a probability rule.
    rng: u64,
    /// `rateLimit`: the current window's start and requests granted in it.
    window: (i64, u32),
}

impl Rule {
    fn applies(&self, token_id: i64, method: &str, path: &str) -> bool {
        self.token_id.is_none_or(|t| t == token_id)
            && self
                .input
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.input.path.as_deref().is_none_or(|p| glob(p, path))
    }

    fn next_random(&mut self) -> f64 {
        // xorshift64*: deterministic for a seed, which is all a test needs.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The rule as `GET …/faults` shows it.
    pub fn view(&self) -> Value {
        let mut v = serde_json::to_value(Shown::from(&self.input)).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.retain(|_, x| !x.is_null());
            o.insert("id".into(), json!(self.id.to_string()));
            if let Some(t) = self.token_id {
                o.insert("tokenId".into(), json!(t.to_string()));
            }
            o.insert("matched".into(), json!(self.hits));
            o.insert("fired".into(), json!(self.fired));
        }
        v
    }
}

/// What the rules say about one request.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Milliseconds to wait first.
    pub delay_ms: u64,
    /// A rate limit's state: (max, windowMs, remaining, ms to reset, allowed).
    pub rate: Option<(u32, i64, u32, i64, bool)>,
    /// An injected error: status and body (`None`: the surface's own shape).
    pub error: Option<(u16, Option<Value>)>,
}

/// Every portal's rules.
#[derive(Default)]
pub struct Faults {
    rules: Mutex<HashMap<i64, Vec<Rule>>>,
    next: Mutex<u64>,
}

impl Faults {
    pub fn add(&self, portal: i64, input: FaultInput, token_id: Option<i64>) -> Value {
        let id = {
            let mut n = self.next.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            *n
        };
        let rule = Rule {
            id,
            rng: input.seed.unwrap_or(0x9E37_79B9_7F4A_7C15).max(1),
            input,
            token_id,
            hits: 0,
            fired: 0,
            window: (i64::MIN, 0),
        };
        let view = rule.view();
        self.lock().entry(portal).or_default().push(rule);
        view
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<Rule>>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn list(&self, portal: i64) -> Vec<Value> {
        self.lock()
            .get(&portal)
            .map(|r| r.iter().map(Rule::view).collect())
            .unwrap_or_default()
    }

    /// Removes one rule (`Some(id)`) or all; returns how many went.
    pub fn remove(&self, portal: i64, id: Option<u64>) -> usize {
        let mut all = self.lock();
        let Some(rules) = all.get_mut(&portal) else {
            return 0;
        };
        let before = rules.len();
        rules.retain(|r| id.is_some_and(|id| r.id != id));
        before - rules.len()
    }

    /// Judges a request of `portal` (its clock at `now`) made with token `token_id`.
    pub fn judge(&self, portal: i64, token_id: i64, method: &str, path: &str, now: i64) -> Verdict {
        let mut v = Verdict::default();
        let mut all = self.lock();
        let Some(rules) = all.get_mut(&portal) else {
            return v;
        };
        for r in rules
            .iter_mut()
            .filter(|r| r.applies(token_id, method, path))
        {
            match r.input.kind.as_str() {
                "latency" => {
                    r.hits += 1;
                    r.fired += 1;
                    v.delay_ms += r.input.ms.unwrap_or(0);
                }
                "rateLimit" => {
                    let (max, window) =
                        (r.input.max.unwrap_or(1), r.input.window_ms.unwrap_or(1000));
                    let start = now - now.rem_euclid(window);
                    if r.window.0 != start {
                        r.window = (start, 0);
                    }
                    r.hits += 1;
                    let allowed = r.window.1 < max;
                    if allowed {
                        r.window.1 += 1;
                    } else {
                        r.fired += 1;
                    }
                    let left = max - r.window.1;
                    // The tightest limit is the one a client sees.
                    if v.rate
                        .is_none_or(|(_, _, rem, _, ok)| ok && (!allowed || left < rem))
                    {
                        v.rate = Some((max, window, left, start + window - now, allowed));
                    }
                }
                "error" if v.error.is_none() => {
                    r.hits += 1;
                    let fire = match (r.input.every, r.input.probability) {
                        (Some(n), _) => r.hits % n == 0,
                        (None, Some(p)) => r.next_random() < p,
                        (None, None) => true,
                    };
                    if fire {
                        r.fired += 1;
                        v.error = Some((r.input.status.unwrap_or(500), r.input.body.clone()));
                    }
                }
                _ => {}
            }
        }
        v
    }

    /// The search rules of a portal: lag in ms, and the paging cap.
    pub fn search(&self, portal: i64) -> (Option<i64>, Option<i64>) {
        let all = self.lock();
        let Some(rules) = all.get(&portal) else {
            return (None, None);
        };
        let lag = rules
            .iter()
            .filter(|r| r.input.kind == "searchLag")
            .filter_map(|r| r.input.ms)
            .max();
        let cap = rules
            .iter()
            .filter(|r| r.input.kind == "searchCap")
            .map(|r| r.input.limit.unwrap_or(10_000))
            .min();
        (lag.map(|l| l as i64), cap)
    }

    /// Drops a deleted portal's rules.
    pub fn forget(&self, portal: i64) {
        self.lock().remove(&portal);
    }
}

/// An injected error's body in the shape of the surface it answers for.
pub fn error_body(status: u16, pipedrive: bool) -> Value {
    let message = format!("Injected fault: status {status} (goalpost test mode)");
    if pipedrive {
        return json!({"success": false, "error": message, "errorCode": status});
    }
    let category = match status {
        401 => "INVALID_AUTHENTICATION",
        403 => "MISSING_SCOPES",
        404 => "OBJECT_NOT_FOUND",
        409 => "CONFLICT",
        400..=499 => "VALIDATION_ERROR",
        _ => "INTERNAL_ERROR",
    };
    json!({
        "status": "error", "message": message, "category": category,
        "correlationId": uuid::Uuid::new_v4().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: &str) -> FaultInput {
        serde_json::from_value(json!({"kind": kind})).unwrap()
    }

    #[test]
    fn every_nth_fires_on_the_nth_and_a_seed_repeats() {
        let f = Faults::default();
        let mut e = rule("error");
        e.status = Some(503);
        e.every = Some(3);
        f.add(7, e, None);
        let fired: Vec<bool> = (0..6)
            .map(|_| f.judge(7, 1, "GET", "/x", 0).error.is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        let draw = |seed| {
            let g = Faults::default();
            let mut p = rule("error");
            (p.status, p.probability, p.seed) = (Some(500), Some(0.5), Some(seed));
            g.add(1, p, None);
            (0..32)
                .map(|_| g.judge(1, 1, "GET", "/x", 0).error.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
        let n = draw(42).iter().filter(|b| **b).count();
        assert!((6..=26).contains(&n), "{n} of 32 at p = 0.5");
    }

    #[test]
    fn a_rate_window_refuses_past_max_until_the_clock_moves_on() {
        let f = Faults::default();
        let mut r = rule("rateLimit");
        (r.max, r.window_ms) = (Some(2), Some(10_000));
        f.add(1, r, None);
        let ok = |now| f.judge(1, 1, "GET", "/x", now).rate.unwrap().4;
        assert!(ok(20_000) && ok(20_001) && !ok(29_999));
        assert!(ok(30_000), "a new window");
        assert!(check(&rule("rateLimit")).is_err() && check(&rule("nope")).is_err());
    }
}
