//! `GET /goals/find`: which goals a query selects (reference §4). Without `assignee.id` or a
//! widening filter only the caller's goals come back: assigned to them as a person, or created
//! by them. `is_active` defaults to true (`all` is an extension); `period.*` selects goals whose
//! duration overlaps the period. Any other leaf of the goal object in dot notation matches
//! exactly; arrays match when they hold every id given.

use super::model::{parse_date, GOAL_TYPES};
use crate::goals::calendar::Milestone;
use chrono::NaiveDate;
use serde_json::Value;

/// Filters that switch the search to everyone's goals.
const WIDENING: &[&str] = &[
    "type.name",
    "assignee.type",
    "expected_outcome.target",
    "expected_outcome.tracking_metric",
    "expected_outcome.currency_id",
    "type.params.pipeline_id",
    "type.params.stage_id",
    "type.params.activity_type_id",
];

/// Further leaves that may be matched (they widen too: they are about any goal).
const OTHER_LEAVES: &[&str] = &[
    "id",
    "owner_id",
    "interval",
    "duration.start",
    "duration.end",
];

/// A checked find query.
#[derive(Debug, Default, Clone)]
pub struct Query {
    /// `(dot path, wanted values)`.
    matches: Vec<(String, Vec<String>)>,
    everyone: bool,
    /// `None`: both active and inactive.
    active: Option<bool>,
    period: Option<(NaiveDate, NaiveDate)>,
    /// Pipedrive's paging: skip `start`, then at most `limit` (absent: all).
    pub start: usize,
    pub limit: Option<usize>,
}

/// The largest page Pipedrive's list endpoints serve.
pub const MAX_LIMIT: usize = 500;

fn whole(name: &str, v: &str, min: usize, max: usize) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("{name} must be a whole number from {min} to {max}, not {v:?}"))
}

/// The id-array filters, where Pipedrive documents `null` as "all" (no restriction).
const ALL_WHEN_NULL: &[&str] = &["type.params.pipeline_id", "type.params.activity_type_id"];

fn enum_check(name: &str, v: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(format!(
            "{name} must be one of {}, not {v:?}",
            allowed.join(", ")
        ))
    }
}

fn number_check(name: &str, v: &str, whole: bool) -> Result<(), String> {
    let ok = if whole {
        v.parse::<i64>().is_ok()
    } else {
        v.parse::<f64>().is_ok_and(f64::is_finite)
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{name} must be a number, not {v:?}"))
    }
}

impl Query {
    /// Reads the query pairs (arrays repeated or comma-separated; booleans true/false/1/0).
    pub fn parse(pairs: &[(String, String)]) -> Result<Query, String> {
        let mut q = Query {
            active: Some(true),
            ..Query::default()
        };
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        keys.dedup();
        let values = |key: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()))
                .filter(|s| !s.is_empty())
                .collect()
        };
        let last = |key: &str| -> Option<String> {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        let mut seen = std::collections::HashSet::new();
        for key in keys {
            if !seen.insert(key) {
                continue;
            }
            match key {
                "api_token" | "period.start" | "period.end" => {}
                "start" => {
                    q.start = whole(key, &last(key).unwrap_or_default(), 0, usize::MAX >> 1)?
                }
                "limit" => {
                    q.limit = Some(whole(key, &last(key).unwrap_or_default(), 1, MAX_LIMIT)?)
                }
                _ if ALL_WHEN_NULL.contains(&key) && {
                    let vs = values(key);
                    !vs.is_empty() && vs.iter().all(|v| v.eq_ignore_ascii_case("null"))
                } =>
                {
                    q.everyone = true;
                }
                "is_active" => {
                    q.active = match last(key).unwrap_or_default().to_ascii_lowercase().as_str() {
                        "true" | "1" | "" => Some(true),
                        "false" | "0" => Some(false),
                        "all" => None,
                        other => {
                            return Err(format!(
                                "is_active must be true, false or all, not {other:?}"
                            ))
                        }
                    }
                }
                "title" => q
                    .matches
                    .push(("title".into(), vec![last(key).unwrap_or_default()])),
                "assignee.id" => {
                    let v = last(key).unwrap_or_default();
                    number_check(key, &v, true)?;
                    q.matches.push((key.into(), vec![v]));
                }
                _ if WIDENING.contains(&key) || OTHER_LEAVES.contains(&key) => {
                    let vs = values(key);
                    for v in &vs {
                        match key {
                            "type.name" => enum_check(key, v, GOAL_TYPES)?,
                            "assignee.type" => enum_check(key, v, &["person", "team", "company"])?,
                            "expected_outcome.tracking_metric" => {
                                enum_check(key, v, &["quantity", "sum"])?
                            }
                            "interval" => enum_check(key, v, &Milestone::NAMES)?,
                            "expected_outcome.target" => number_check(key, v, false)?,
                            "duration.start" | "duration.end" => {
                                parse_date(key, v)?;
                            }
                            "id" => {}
                            _ => number_check(key, v, true)?,
                        }
                    }
                    q.everyone = true;
                    q.matches.push((key.into(), vs));
                }
                other => return Err(format!("{other} is not a goal field to filter on")),
            }
        }
        match (last("period.start"), last("period.end")) {
            (None, None) => {}
            (Some(s), Some(e)) => {
                let (s, e) = (
                    parse_date("period.start", &s)?,
                    parse_date("period.end", &e)?,
                );
                if e < s {
                    return Err("period.end must be on or after period.start".into());
                }
                q.period = Some((s, e));
            }
            (Some(_), None) => {
                return Err("period.end is required when period.start is given".into())
            }
            (None, Some(_)) => {
                return Err("period.start is required when period.end is given".into())
            }
        }
        Ok(q)
    }

    /// Whether a rendered goal (with its `is_active`) is selected for caller `user`.
    pub fn selects(&self, goal: &Value, user: i64) -> bool {
        let at = |path: &str| goal.pointer(&format!("/{}", path.replace('.', "/")));
        let everyone = self.everyone || self.matches.iter().any(|(k, _)| k == "assignee.id");
        if !everyone {
            let mine_assigned = at("assignee.type").and_then(Value::as_str) == Some("person")
                && at("assignee.id").and_then(Value::as_i64) == Some(user);
            let mine_created = at("owner_id").and_then(Value::as_i64) == Some(user);
            if !(mine_assigned || mine_created) {
                return false;
            }
        }
        if let Some(a) = self.active {
            if at("is_active").and_then(Value::as_bool) != Some(a) {
                return false;
            }
        }
        if let Some((s, e)) = self.period {
            let start = at("duration.start").and_then(Value::as_str).unwrap_or("");
            let end = at("duration.end").and_then(Value::as_str);
            let (s, e) = (s.to_string(), e.to_string());
            if start > e.as_str() || end.is_some_and(|end| end < s.as_str()) {
                return false;
            }
        }
        self.matches.iter().all(|(path, wanted)| match at(path) {
            Some(Value::Array(have)) => wanted.iter().all(|w| have.iter().any(|h| same(h, w))),
            Some(v) => wanted.iter().any(|w| same(v, w)),
            None => false,
        })
    }
}

fn same(have: &Value, want: &str) -> bool {
    match have {
        Value::Number(n) => want.parse::<f64>().ok() == n.as_f64(),
        Value::String(s) => s == want,
        Value::Bool(b) => want.parse::<bool>().ok() == Some(*b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(s: &str) -> Result<Query, String> {
        Query::parse(&serde_urlencoded::from_str::<Vec<(String, String)>>(s).unwrap())
    }

    fn goal(owner: i64, assignee: i64, pipelines: Value, active: bool) -> Value {
        json!({"id": "ab", "owner_id": owner, "title": "T",
               "type": {"name": "deals_won", "params": {"pipeline_id": pipelines}},
               "assignee": {"id": assignee, "type": "person"}, "interval": "monthly",
               "duration": {"start": "2026-01-01", "end": "2026-12-31"},
               "expected_outcome": {"target": 5, "tracking_metric": "quantity"},
               "is_active": active})
    }

    #[test]
    fn default_is_my_active_goals() {
        let q = q("").unwrap();
        assert!(q.selects(&goal(9, 1, json!(null), true), 1));
        assert!(q.selects(&goal(1, 9, json!(null), true), 1));
        assert!(!q.selects(&goal(9, 9, json!(null), true), 1));
        assert!(!q.selects(&goal(1, 1, json!(null), false), 1));
    }

    #[test]
    fn widening_filters_and_both_array_encodings() {
        let g = goal(9, 9, json!([1, 2, 3]), true);
        assert!(q("type.params.pipeline_id=1&type.params.pipeline_id=2")
            .unwrap()
            .selects(&g, 1));
        assert!(q("type.params.pipeline_id=1,3").unwrap().selects(&g, 1));
        assert!(!q("type.params.pipeline_id=4").unwrap().selects(&g, 1));
        assert!(q("type.name=deals_won&is_active=1").unwrap().selects(&g, 1));
        assert!(!q("title=T&is_active=0").unwrap().selects(&g, 1));
        assert!(q("assignee.id=9&is_active=all").unwrap().selects(&g, 1));
    }

    #[test]
    fn documented_null_means_all_and_paging_is_read() {
        let g = goal(9, 9, json!([1, 2, 3]), true);
        let all = q("type.params.pipeline_id=null&type.params.activity_type_id=null").unwrap();
        assert!(all.selects(&g, 1));
        assert!(all.selects(&goal(9, 9, json!(null), true), 1));
        let paged = q("start=2&limit=10").unwrap();
        assert_eq!((paged.start, paged.limit), (2, Some(10)));
        assert!(!paged.selects(&g, 1), "paging alone does not widen");
    }

    #[test]
    fn bad_queries_name_the_parameter() {
        for (s, want) in [
            ("period.start=2026-01-01", "period.end is required"),
            ("type.name=deals_lost", "type.name must be one of"),
            ("is_active=maybe", "is_active"),
            ("colour=red", "colour is not a goal field"),
            ("assignee.id=x", "assignee.id must be a number"),
            ("limit=0", "limit must be a whole number from 1 to 500"),
            ("limit=ten", "limit must be"),
            ("start=-1", "start must be"),
        ] {
            let err = q(s).unwrap_err();
            assert!(err.contains(want), "{s}: {err}");
        }
    }
}
