//! The search AST and its validation. Values are parsed once here, by the property's type, into
//! the exact form the SQL compares (numbers as f64, instants as stored text, strings folded
//! to ASCII lower case), so the compiler only arranges SQL.

use crate::engine::types::{ObjectType, PropertyDef, PropertyType, SortedIndex, Storage};
use crate::engine::value::{format_ms, parse_instant, parse_number};
use crate::error::ApiError;

/// HubSpot's limits (the expanded 2024 ones, plus one more group as the newer SDKs document).
pub const MAX_GROUPS: usize = 6;
pub const MAX_FILTERS_PER_GROUP: usize = 10;
pub const MAX_FILTERS: usize = 25;
pub const MAX_LIMIT: i64 = 200;
pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_QUERY_CHARS: usize = 3000;

/// What a filter or sort reads, and how its values compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `objects.id` (`hs_object_id`).
    Id,
    /// An epoch-ms column (`hs_createdate`, `hs_lastmodifieddate`).
    TimeColumn(&'static str),
    /// A document key and its type.
    Doc(String, PropertyType),
    /// `associations.{type}`: the ids of associated objects of that type (EQ, IN and
    /// HAS_PROPERTY only; never sorted).
    Association(String),
}

impl Target {
    pub fn of(def: &PropertyDef) -> Target {
        match def.storage() {
            Storage::Id => Target::Id,
            Storage::CreatedAt => Target::TimeColumn("created_at"),
            Storage::UpdatedAt => Target::TimeColumn("updated_at"),
            Storage::Document => Target::Doc(def.name.clone(), def.kind),
        }
    }
}

/// A comparable value, already in the target's compared form.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Int(i64),
    Num(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Eq(Operand),
    Neq(Operand),
    Lt(Operand),
    Lte(Operand),
    Gt(Operand),
    Gte(Operand),
    Between(Operand, Operand),
    In(Vec<Operand>),
    NotIn(Vec<Operand>),
    HasProperty,
    NotHasProperty,
    /// A LIKE pattern over space-separated tokens: lower-cased, `*` already turned into `%`,
    /// `%`/`_`/`\` escaped with `\`.
    ContainsToken(String),
    NotContainsToken(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub target: Target,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub target: Target,
    pub descending: bool,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// OR of ANDs; empty means everything.
    pub groups: Vec<Vec<Filter>>,
    /// Every term must prefix-match a token of one of the type's text properties.
    pub query_terms: Vec<String>,
    pub text_properties: Vec<String>,
    /// The type's `(equality, sort)` indexes (see `ObjectType::sorted_indexes`).
    pub sorted_indexes: &'static [SortedIndex],
    /// `None`: creation order (id).
    pub sort: Option<Sort>,
    pub limit: i64,
}

/// A filter as the wire gives it (values already turned to text).
#[derive(Debug, Clone, Default)]
pub struct RawFilter {
    pub property: String,
    pub operator: String,
    pub value: Option<String>,
    pub high_value: Option<String>,
    pub values: Option<Vec<String>>,
}

fn bad(msg: String) -> ApiError {
    ApiError::bad_request(msg)
}

/// Looks a property up for searching; unknown names are a 400 naming them. HubSpot's legacy
/// names `createdate` and `lastmodifieddate` mean the `hs_` ones.
pub fn property<'a>(otype: &'a ObjectType, name: &str) -> Result<&'a PropertyDef, ApiError> {
    let canonical = match name {
        "createdate" => "hs_createdate",
        "lastmodifieddate" => "hs_lastmodifieddate",
        other => other,
    };
    otype.property(canonical).ok_or_else(|| {
        bad(format!(
            "There was a problem with the request: Property \"{name}\" does not exist on {}",
            otype.name
        ))
    })
}

/// Parses one filter value by the target's type.
pub fn operand(target: &Target, property: &str, raw: &str) -> Result<Operand, ApiError> {
    let fail = |what: &str| {
        bad(format!(
            "Filter value {raw:?} for {property} is not a valid {what}"
        ))
    };
    Ok(match target {
        Target::Id => match raw.trim().parse::<i64>() {
            Ok(n) => Operand::Int(n),
            Err(_) => Operand::Num(parse_number(raw).ok_or_else(|| fail("number"))?),
        },
        Target::TimeColumn(_) => Operand::Int(parse_instant(raw).ok_or_else(|| fail("date"))?),
        Target::Association(_) => Operand::Int(
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| fail("object id"))?,
        ),
        Target::Doc(_, kind) => match kind {
            PropertyType::Number => Operand::Num(parse_number(raw).ok_or_else(|| fail("number"))?),
            PropertyType::Datetime => Operand::Text(format_ms(
                parse_instant(raw).ok_or_else(|| fail("datetime"))?,
            )),
            PropertyType::Date => Operand::Text(
                format_ms(parse_instant(raw).ok_or_else(|| fail("date"))?)[..10].to_owned(),
            ),
            PropertyType::String | PropertyType::Bool => Operand::Text(raw.to_ascii_lowercase()),
            PropertyType::Enumeration => Operand::Text(raw.to_owned()),
        },
    })
}

/// `*` is the wildcard; everything else in the pattern is literal.
pub fn token_pattern(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
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

/// `associations.{type}`: the type name must be a plain identifier (the surface resolves names
/// against the registry before this).
fn association_target(name: &str) -> Result<Option<Target>, ApiError> {
    let Some(to) = name.strip_prefix("associations.") else {
        return Ok(None);
    };
    let plain = !to.is_empty()
        && to
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !plain {
        return Err(bad(format!("Unable to infer object type from: {to}")));
    }
    Ok(Some(Target::Association(to.to_owned())))
}

/// Validates one filter.
pub fn filter(otype: &ObjectType, raw: &RawFilter) -> Result<Filter, ApiError> {
    let target = match association_target(&raw.property)? {
        Some(t) => t,
        None => Target::of(property(otype, &raw.property)?),
    };
    let name = raw.property.as_str();
    let associated = matches!(target, Target::Association(_));
    if associated
        && !["EQ", "IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"].contains(&raw.operator.as_str())
    {
        return Err(bad(format!(
            "Operator {} is not supported on {name}: use EQ, IN, HAS_PROPERTY or NOT_HAS_PROPERTY",
            raw.operator
        )));
    }
    let one = |v: &Option<String>, field: &str| -> Result<Operand, ApiError> {
        let v = v
            .as_deref()
            .ok_or_else(|| bad(format!("Operator {} on {name} needs {field}", raw.operator)))?;
        operand(&target, name, v)
    };
    let many = || -> Result<Vec<Operand>, ApiError> {
        let values = raw
            .values
            .as_ref()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("Operator {} on {name} needs values", raw.operator)))?;
        values.iter().map(|v| operand(&target, name, v)).collect()
    };
    let token = || -> Result<String, ApiError> {
        if !matches!(target, Target::Doc(..)) {
            return Err(bad(format!(
                "Operator {} is not supported on {name}",
                raw.operator
            )));
        }
        let v = raw
            .value
            .as_deref()
            .ok_or_else(|| bad(format!("Operator {} on {name} needs value", raw.operator)))?;
        Ok(token_pattern(v))
    };
    let op = match raw.operator.as_str() {
        "EQ" => Op::Eq(one(&raw.value, "value")?),
        "NEQ" => Op::Neq(one(&raw.value, "value")?),
        "LT" => Op::Lt(one(&raw.value, "value")?),
        "LTE" => Op::Lte(one(&raw.value, "value")?),
        "GT" => Op::Gt(one(&raw.value, "value")?),
        "GTE" => Op::Gte(one(&raw.value, "value")?),
        "BETWEEN" => Op::Between(
            one(&raw.value, "value")?,
            one(&raw.high_value, "highValue")?,
        ),
        "IN" => Op::In(many()?),
        "NOT_IN" => Op::NotIn(many()?),
        "HAS_PROPERTY" => Op::HasProperty,
        "NOT_HAS_PROPERTY" => Op::NotHasProperty,
        "CONTAINS_TOKEN" => Op::ContainsToken(token()?),
        "NOT_CONTAINS_TOKEN" => Op::NotContainsToken(token()?),
        other => {
            return Err(bad(format!(
                "Unknown operator {other:?}: use EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, \
                 HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN or NOT_CONTAINS_TOKEN"
            )))
        }
    };
    Ok(Filter { target, op })
}

/// Validates the group structure and every filter.
pub fn groups(otype: &ObjectType, raw: &[Vec<RawFilter>]) -> Result<Vec<Vec<Filter>>, ApiError> {
    if raw.len() > MAX_GROUPS {
        return Err(bad(format!(
            "Too many filterGroups: {} (at most {MAX_GROUPS})",
            raw.len()
        )));
    }
    let total: usize = raw.iter().map(Vec::len).sum();
    if total > MAX_FILTERS {
        return Err(bad(format!(
            "Too many filters: {total} (at most {MAX_FILTERS} in all)"
        )));
    }
    raw.iter()
        .map(|g| {
            if g.len() > MAX_FILTERS_PER_GROUP {
                return Err(bad(format!(
                    "Too many filters in one group: {} (at most {MAX_FILTERS_PER_GROUP})",
                    g.len()
                )));
            }
            g.iter().map(|f| filter(otype, f)).collect()
        })
        .collect()
}

/// Splits `query` into lower-cased LIKE-escaped terms.
pub fn query_terms(query: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(q) = query else {
        return Ok(Vec::new());
    };
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(q.split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| token_pattern(&t.replace('*', "")))
        .collect())
}
