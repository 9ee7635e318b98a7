//! A plain in-memory evaluator of goalpost's search semantics, written independently of the
//! SQL compiler: what the differential test expects both backends to return.

use goalpost::engine::value::{format_ms, parse_instant};
use serde_json::{json, Value};
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Strings and booleans: ASCII case-insensitive text.
    Str,
    Num,
    /// Enumerations: exact text.
    Enum,
    /// Dates and datetimes: their fixed-width text.
    Text,
    Id,
    /// `hs_createdate`: epoch ms.
    Time,
}

#[derive(Debug, Clone)]
pub struct Obj {
    pub id: i64,
    pub created_at: i64,
    pub props: HashMap<String, String>,
}

impl Obj {
    pub fn from_wire(o: &Value) -> Obj {
        let props: HashMap<String, String> = o["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect();
        Obj {
            id: o["id"].as_str().unwrap().parse().unwrap(),
            created_at: parse_instant(o["createdAt"].as_str().unwrap()).unwrap(),
            props,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RFilter {
    pub prop: String,
    pub kind: Kind,
    pub op: String,
    pub value: Option<String>,
    pub high: Option<String>,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RSearch {
    pub groups: Vec<Vec<RFilter>>,
    /// (property, kind, descending)
    pub sort: Option<(String, Kind, bool)>,
    pub query: Option<String>,
    pub limit: i64,
}

impl RSearch {
    pub fn to_wire(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let filters: Vec<Value> = g
                    .iter()
                    .map(|f| {
                        let mut v = json!({"propertyName": f.prop, "operator": f.op});
                        if let Some(x) = &f.value {
                            v["value"] = json!(x);
                        }
                        if let Some(x) = &f.high {
                            v["highValue"] = json!(x);
                        }
                        if !f.values.is_empty() {
                            v["values"] = json!(f.values);
                        }
                        v
                    })
                    .collect();
                json!({ "filters": filters })
            })
            .collect();
        let mut body = json!({"filterGroups": groups, "limit": self.limit});
        if let Some((p, _, desc)) = &self.sort {
            // Both wire forms: strings for ascending, objects for descending.
            body["sorts"] = if *desc {
                json!([{"propertyName": p, "direction": "DESCENDING"}])
            } else {
                json!([p])
            };
        }
        if let Some(q) = &self.query {
            body["query"] = json!(q);
        }
        body
    }
}

/// A compared value.
#[derive(Debug, Clone, PartialEq)]
enum V {
    N(f64),
    T(String),
}

fn cmp(a: &V, b: &V) -> Ordering {
    match (a, b) {
        (V::N(x), V::N(y)) => x.partial_cmp(y).unwrap(),
        (V::T(x), V::T(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => panic!("mixed comparison {a:?} {b:?}"),
    }
}

/// A filter value in compared form.
fn operand(kind: Kind, prop: &str, raw: &str) -> V {
    match kind {
        Kind::Num | Kind::Id => V::N(raw.trim().parse().unwrap()),
        Kind::Time => V::N(parse_instant(raw).unwrap() as f64),
        Kind::Str => V::T(raw.to_ascii_lowercase()),
        Kind::Enum => V::T(raw.to_owned()),
        Kind::Text => {
            let t = format_ms(parse_instant(raw).unwrap());
            V::T(if prop == "hs_start_date" {
                t[..10].to_owned()
            } else {
                t
            })
        }
    }
}

/// An object's value in compared form.
fn value(o: &Obj, kind: Kind, prop: &str) -> Option<V> {
    match kind {
        Kind::Id => Some(V::N(o.id as f64)),
        Kind::Time => Some(V::N(o.created_at as f64)),
        _ => {
            let raw = o.props.get(prop)?;
            Some(match kind {
                Kind::Num => V::N(raw.parse().unwrap()),
                Kind::Str => V::T(raw.to_ascii_lowercase()),
                _ => V::T(raw.clone()),
            })
        }
    }
}

/// SQL LIKE with `\` escapes, over characters.
pub fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Lit(char),
    }
    let mut pat = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        pat.push(match c {
            '\\' => P::Lit(chars.next().unwrap()),
            '%' => P::Any,
            '_' => P::One,
            c => P::Lit(c),
        });
    }
    let t: Vec<char> = text.chars().collect();
    // dp[j]: pattern prefix j matches text prefix i.
    let mut dp = vec![false; pat.len() + 1];
    dp[0] = true;
    for j in 1..=pat.len() {
        dp[j] = dp[j - 1] && pat[j - 1] == P::Any;
    }
    for &ch in &t {
        let mut next = vec![false; pat.len() + 1];
        for j in 1..=pat.len() {
            next[j] = match pat[j - 1] {
                P::Any => next[j - 1] || dp[j],
                P::One => dp[j - 1],
                P::Lit(c) => dp[j - 1] && c == ch,
            };
        }
        dp = next;
    }
    dp[pat.len()]
}

fn token_pattern(raw: &str) -> String {
    let mut out = String::new();
    for ch in raw.to_ascii_lowercase().chars() {
        match ch {
            '*' => out.push('%'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

fn tokens_match(o: &Obj, prop: &str, pattern: &str) -> bool {
    o.props
        .get(prop)
        .is_some_and(|raw| like(&format!(" {} ", raw.to_ascii_lowercase()), pattern))
}

fn matches(o: &Obj, f: &RFilter) -> bool {
    let x = value(o, f.kind, &f.prop);
    let v = || operand(f.kind, &f.prop, f.value.as_deref().unwrap());
    let is = |want: &[Ordering]| x.as_ref().is_some_and(|x| want.contains(&cmp(x, &v())));
    let in_list = || {
        x.as_ref().is_some_and(|x| {
            f.values
                .iter()
                .any(|raw| cmp(x, &operand(f.kind, &f.prop, raw)) == Ordering::Equal)
        })
    };
    match f.op.as_str() {
        "EQ" => is(&[Ordering::Equal]),
        "NEQ" => !is(&[Ordering::Equal]),
        "LT" => is(&[Ordering::Less]),
        "LTE" => is(&[Ordering::Less, Ordering::Equal]),
        "GT" => is(&[Ordering::Greater]),
        "GTE" => is(&[Ordering::Greater, Ordering::Equal]),
        "BETWEEN" => {
            let hi = operand(f.kind, &f.prop, f.high.as_deref().unwrap());
            x.as_ref()
                .is_some_and(|x| cmp(x, &v()) != Ordering::Less && cmp(x, &hi) != Ordering::Greater)
        }
        "IN" => in_list(),
        "NOT_IN" => !in_list(),
        "HAS_PROPERTY" => x.is_some(),
        "NOT_HAS_PROPERTY" => x.is_none(),
        "CONTAINS_TOKEN" | "NOT_CONTAINS_TOKEN" => {
            let p = format!("% {} %", token_pattern(f.value.as_deref().unwrap()));
            tokens_match(o, &f.prop, &p) == (f.op == "CONTAINS_TOKEN")
        }
        other => panic!("operator {other}"),
    }
}

/// The ids a search returns, in order, across all pages.
pub fn evaluate(s: &RSearch, objs: &[Obj]) -> Vec<i64> {
    let terms: Vec<String> = s
        .query
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| token_pattern(&t.replace('*', "")))
        .collect();
    let mut hits: Vec<&Obj> = objs
        .iter()
        .filter(|o| s.groups.is_empty() || s.groups.iter().any(|g| g.iter().all(|f| matches(o, f))))
        .filter(|o| {
            terms
                .iter()
                .all(|t| tokens_match(o, "hs_goal_name", &format!("% {t}%")))
        })
        .collect();
    match &s.sort {
        None => hits.sort_by_key(|o| o.id),
        Some((prop, kind, desc)) => {
            // Empty values sort after every value; ties by id in the same direction.
            let key = |o: &Obj| value(o, *kind, prop);
            hits.sort_by(|a, b| {
                let ord = match (key(a), key(b)) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(_), None) => Ordering::Less,
                    (Some(x), Some(y)) => cmp(&x, &y),
                }
                .then(a.id.cmp(&b.id));
                if *desc {
                    ord.reverse()
                } else {
                    ord
                }
            });
        }
    }
    hits.iter().map(|o| o.id).collect()
}

#[test]
fn like_matches_sql_semantics() {
    assert!(like(" big deal ", "% deal %"));
    assert!(like(" big deal ", "% d%l %"));
    assert!(!like(" big deal ", "% dea %"));
    assert!(like(" 50% off ", "% 50\\% %"));
    assert!(!like(" 50x off ", "% 50\\% %"));
    assert!(like(" under_score ", "% under\\_score %"));
    assert!(!like(" underxscore ", "% under\\_score %"));
    assert!(like("ab", "a_"));
}
