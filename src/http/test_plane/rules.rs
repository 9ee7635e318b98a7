//! The fault rules a test posts (`POST …/faults`): their shape and checks, and path globs.

use serde::Deserialize;
use serde_json::Value;

/// A rule as a test posts it (`POST …/faults`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultInput {
    /// `rateLimit`, `error`, `latency`, `searchLag` or `searchCap`.
    pub kind: String,
    /// Only requests made with this token (default: every token of the portal).
    pub token: Option<String>,
    /// Request path glob (`*` matches anything), and method; default any.
    pub path: Option<String>,
    pub method: Option<String>,
    /// `error`: the status (400–599), and the body (default: the surface's own error shape).
    pub status: Option<u16>,
    pub body: Option<Value>,
    /// `error`: fire on every Nth matching request, or with this probability (seeded).
    pub every: Option<u64>,
    pub probability: Option<f64>,
    pub seed: Option<u64>,
    /// `latency` and `searchLag`: milliseconds.
    pub ms: Option<u64>,
    /// `rateLimit`: requests per window; `windowMs`.
    pub max: Option<u32>,
    pub window_ms: Option<i64>,
    /// `searchCap`: the result position paging may not reach (default 10,000).
    pub limit: Option<i64>,
}

const KINDS: &[&str] = &["rateLimit", "error", "latency", "searchLag", "searchCap"];

/// Checks a posted rule: its kind, the fields that kind takes and their ranges.
pub fn check(f: &FaultInput) -> Result<(), String> {
    let allowed: &[&str] = match f.kind.as_str() {
        "rateLimit" => &["max", "windowMs"],
        "error" => &["status", "body", "every", "probability", "seed"],
        "latency" => &["ms"],
        "searchLag" => &["ms"],
        "searchCap" => &["limit"],
        other => {
            return Err(format!(
                "kind must be one of {}, not {other:?}",
                KINDS.join(", ")
            ))
        }
    };
    let given = [
        ("status", f.status.is_some()),
        ("body", f.body.is_some()),
        ("every", f.every.is_some()),
        ("probability", f.probability.is_some()),
        ("seed", f.seed.is_some()),
        ("ms", f.ms.is_some()),
        ("max", f.max.is_some()),
        ("windowMs", f.window_ms.is_some()),
        ("limit", f.limit.is_some()),
    ];
    if let Some((name, _)) = given.iter().find(|(n, g)| *g && !allowed.contains(n)) {
        return Err(format!("{name} does not apply to a {} rule", f.kind));
    }
    if matches!(f.kind.as_str(), "searchLag" | "searchCap")
        && (f.path.is_some() || f.method.is_some())
    {
        return Err(format!(
            "a {} rule applies to searches: it takes no path or method",
            f.kind
        ));
    }
    match f.kind.as_str() {
        "rateLimit" => {
            if f.max.is_none_or(|m| m < 1)
                || f.window_ms.is_none_or(|w| !(1..=86_400_000).contains(&w))
            {
                return Err(
                    "a rateLimit rule needs max ≥ 1 and windowMs from 1 to 86400000".into(),
                );
            }
        }
        "error" => {
            if !f.status.is_some_and(|s| (400..=599).contains(&s)) {
                return Err("an error rule needs a status from 400 to 599".into());
            }
            match (f.every, f.probability) {
                (Some(n), None) if n >= 1 => {}
                (None, Some(p)) if (0.0..=1.0).contains(&p) => {}
                (None, None) => {}
                _ => return Err("an error rule fires every N ≥ 1 requests or with a probability from 0 to 1, not both".into()),
            }
            if f.seed.is_some() && f.probability.is_none() {
                return Err("seed goes with probability".into());
            }
        }
        "latency" | "searchLag" => {
            if f.ms.is_none_or(|m| m > 600_000) {
                return Err(format!("a {} rule needs ms from 0 to 600000", f.kind));
            }
        }
        _ => {
            if f.limit.is_some_and(|l| l < 1) {
                return Err("a searchCap limit must be at least 1".into());
            }
        }
    }
    if let Some(m) = &f.method {
        if m.is_empty() || !m.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "method must be an HTTP method such as POST, not {m:?}"
            ));
        }
    }
    if f.path
        .as_deref()
        .is_some_and(|p| !p.starts_with('/') || p.len() > 1000)
    {
        return Err("path must be a glob starting with / (at most 1000 characters)".into());
    }
    Ok(())
}

/// Whether `path` matches glob `pattern` (`*` matches any run of characters, `/` included).
pub fn glob(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == path;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !path.starts_with(first) || path.len() < first.len() + last.len() || !path.ends_with(last) {
        return false;
    }
    let mut rest = &path[first.len()..path.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// A rule's fields without its token (never shown back).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Shown<'a> {
    kind: &'a str,
    path: &'a Option<String>,
    method: &'a Option<String>,
    status: Option<u16>,
    body: &'a Option<Value>,
    every: Option<u64>,
    probability: Option<f64>,
    seed: Option<u64>,
    ms: Option<u64>,
    max: Option<u32>,
    window_ms: Option<i64>,
    limit: Option<i64>,
}

impl<'a> From<&'a FaultInput> for Shown<'a> {
    fn from(f: &'a FaultInput) -> Self {
        Shown {
            kind: &f.kind,
            path: &f.path,
            method: &f.method,
            status: f.status,
            body: &f.body,
            every: f.every,
            probability: f.probability,
            seed: f.seed,
            ms: f.ms,
            max: f.max,
            window_ms: f.window_ms,
            limit: f.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_paths() {
        assert!(glob(
            "/crm/v3/objects/*/search",
            "/crm/v3/objects/goal_targets/search"
        ));
        assert!(glob("/crm/*", "/crm/v3/objects/goal_targets"));
        assert!(!glob("/crm/*/search", "/crm/v3/objects/goal_targets"));
        assert!(glob("/health", "/health") && !glob("/health", "/health/live"));
    }
}
