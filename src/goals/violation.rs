//! A broken goal-family rule: what it names (rule, family, group, input, object, property,
//! expected value) and the 400 listing several.

use crate::error::{ApiError, ErrorDetail};
use serde_json::{json, Map};

/// Errors listed in one response at the most.
const MAX_REPORTED: usize = 20;

/// One broken rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: u8,
    pub family: Option<String>,
    pub group: Option<String>,
    pub input: Option<usize>,
    pub id: Option<i64>,
    pub property: Option<&'static str>,
    pub expected: Option<String>,
    pub message: String,
}

impl Violation {
    pub(super) fn new(rule: u8, message: String) -> Self {
        Violation {
            rule,
            family: None,
            group: None,
            input: None,
            id: None,
            property: None,
            expected: None,
            message,
        }
    }

    pub(super) fn prop(mut self, p: &'static str, expected: Option<String>) -> Self {
        self.property = Some(p);
        self.expected = expected;
        self
    }

    /// "rule 2, family F, group G, input 3: …"
    pub fn describe(&self) -> String {
        let mut s = format!("rule {}", self.rule);
        if let Some(f) = &self.family {
            s += &format!(", family {f}");
        }
        if let Some(g) = &self.group {
            s += &format!(", group {g}");
        }
        match (self.input, self.id) {
            (Some(i), _) => s += &format!(", input {i}"),
            (None, Some(id)) => s += &format!(", object {id}"),
            _ => {}
        }
        format!("{s}: {}", self.message)
    }

    fn detail(&self) -> ErrorDetail {
        let mut context = Map::new();
        context.insert("rule".into(), json!([self.rule.to_string()]));
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                context.insert(k.into(), json!([v]));
            }
        };
        put("family", self.family.clone());
        put("group", self.group.clone());
        put("inputIndex", self.input.map(|i| i.to_string()));
        put("objectId", self.id.map(|i| i.to_string()));
        put("propertyName", self.property.map(str::to_owned));
        put("expected", self.expected.clone());
        ErrorDetail {
            message: self.describe(),
            code: Some("GOAL_FAMILY_RULE".into()),
            in_: self.input.map(|i| format!("inputs[{i}].properties")),
            context,
        }
    }
}

/// The 400 for a list of violations.
pub fn violations_error(v: &[Violation]) -> ApiError {
    crate::metrics::get().family_refusals.inc();
    let first = &v[0];
    let more = if v.len() > 1 {
        format!(" (and {} more)", v.len() - 1)
    } else {
        String::new()
    };
    let mut context = Map::new();
    if let Some(f) = &first.family {
        context.insert("family".into(), json!([f]));
    }
    context.insert("rule".into(), json!([first.rule.to_string()]));
    ApiError::validation(
        format!("Goal family rule broken: {}{more}", first.describe()),
        context,
        v.iter().take(MAX_REPORTED).map(Violation::detail).collect(),
    )
}
