//! `POST /{objectType}/search`: the wire request is read into the engine's search AST, run in
//! SQL, and rendered as `CollectionResponseWithTotalSimplePublicObjectForwardPaging`.

use super::render::{Rendered, Wanted};
use super::{for_read, scope};
use crate::auth::Principal;
use crate::engine::registry::Registry;
use crate::engine::search::ast::{self, RawFilter, DEFAULT_LIMIT, MAX_LIMIT};
use crate::engine::search::{cursor, run, Search, Sort, Target};
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireFilter {
    pub property_name: String,
    pub operator: String,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub high_value: Option<Value>,
    #[serde(default)]
    pub values: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
pub struct WireFilterGroup {
    /// Required (HubSpot's `FilterGroup` schema), though it may be null: `deserialize_with`
    /// turns off serde's rule that a missing `Option` is `None`.
    #[serde(deserialize_with = "Option::deserialize")]
    pub filters: Option<Vec<WireFilter>>,
}

/// `PublicObjectSearchRequest`; every field optional.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default)]
    pub filter_groups: Option<Vec<WireFilterGroup>>,
    #[serde(default)]
    pub sorts: Option<Vec<Value>>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub properties: Option<Vec<String>>,
    #[serde(default)]
    pub limit: Option<Value>,
    #[serde(default)]
    pub after: Option<Value>,
}

/// A scalar filter value as text; objects and arrays are a 400.
fn text(v: &Value, what: &str) -> Result<Option<String>, ApiError> {
    match v {
        Value::Null => Ok(None),
        // No stored value holds NUL (writes refuse it), and PostgreSQL text cannot: refused
        // alike on both backends rather than matching nothing on one and failing on the other.
        Value::String(s) if s.contains('\0') => Err(ApiError::bad_request(format!(
            "{what} may not contain NUL characters"
        ))),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(ApiError::bad_request(format!("{what} must be a string"))),
    }
}

fn raw_filter(f: &WireFilter) -> Result<RawFilter, ApiError> {
    let opt = |v: &Option<Value>, what: &str| match v {
        Some(v) => text(v, what),
        None => Ok(None),
    };
    let values = match &f.values {
        Some(vs) => Some(
            vs.iter()
                .map(|v| text(v, "values[]").map(Option::unwrap_or_default))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    Ok(RawFilter {
        property: f.property_name.clone(),
        operator: f.operator.trim().to_ascii_uppercase(),
        value: opt(&f.value, "value")?,
        high_value: opt(&f.high_value, "highValue")?,
        values,
    })
}

/// Sorts as strings (`"prop"`, `"-prop"`) or objects (`{propertyName, direction}`). HubSpot
/// applies one sort rule; the first is used.
fn sort(otype: &ObjectType, sorts: &[Value]) -> Result<Option<Sort>, ApiError> {
    let Some(first) = sorts.first() else {
        return Ok(None);
    };
    let (name, descending) = match first {
        Value::String(s) => match s.strip_prefix('-') {
            Some(rest) => (rest.to_owned(), true),
            None => (s.clone(), false),
        },
        Value::Object(o) => {
            let name = o
                .get("propertyName")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::bad_request("a sort needs propertyName"))?;
            let dir = o
                .get("direction")
                .and_then(Value::as_str)
                .unwrap_or("ASCENDING");
            let descending = match dir.to_ascii_uppercase().as_str() {
                "ASCENDING" | "ASC" => false,
                "DESCENDING" | "DESC" => true,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "sort direction must be ASCENDING or DESCENDING, not {other:?}"
                    )))
                }
            };
            (name.to_owned(), descending)
        }
        _ => return Err(ApiError::bad_request("sorts must be strings or objects")),
    };
    let def = ast::property(otype, &name)?;
    Ok(Some(Sort {
        target: Target::of(def),
        descending,
    }))
}

fn limit(v: Option<&Value>) -> Result<i64, ApiError> {
    let n = match v {
        None | Some(Value::Null) => return Ok(DEFAULT_LIMIT),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
        ApiError::bad_request(format!(
            "limit must be a whole number from 1 to {MAX_LIMIT}"
        ))
    })
}

/// `associations.{type}` names the type as HubSpot's clients do: its name, its object type id
/// or its singular (`associations.deal`); the engine gets the registered name.
fn association_name(
    registry: &Registry,
    who: &Principal,
    mut f: RawFilter,
) -> Result<RawFilter, ApiError> {
    let Some(to) = f.property.strip_prefix("associations.") else {
        return Ok(f);
    };
    let found = registry.find(to).or_else(|| {
        let name = registry
            .all()
            .find(|t| t.noun.eq_ignore_ascii_case(to))
            .map(|t| t.name)?;
        registry.find(name)
    });
    let t = found
        .ok_or_else(|| ApiError::bad_request(format!("Unable to infer object type from: {to}")))?;
    // Filtering by a type's associations reads them: the caller must be able to.
    super::associations::require(who, &t, false)?;
    f.property = format!("associations.{}", t.name);
    Ok(f)
}

/// Reads the wire request into the engine's search and the `after` text.
pub fn parse(
    registry: &Registry,
    who: &Principal,
    otype: &ObjectType,
    req: &SearchRequest,
) -> Result<(Search, Option<String>), ApiError> {
    let raw_groups = req
        .filter_groups
        .iter()
        .flatten()
        .map(|g| {
            g.filters
                .iter()
                .flatten()
                .map(|f| association_name(registry, who, raw_filter(f)?))
                .collect()
        })
        .collect::<Result<Vec<Vec<RawFilter>>, ApiError>>()?;
    let search = Search {
        groups: ast::groups(otype, &raw_groups)?,
        query_terms: ast::query_terms(req.query.as_deref())?,
        text_properties: otype
            .text_properties
            .iter()
            .map(|s| s.to_string())
            .collect(),
        sorted_indexes: otype.sorted_indexes,
        sort: sort(otype, req.sorts.as_deref().unwrap_or_default())?,
        limit: limit(req.limit.as_ref())?,
    };
    let after = match &req.after {
        Some(v) => text(v, "after")?,
        None => None,
    };
    Ok((search, after))
}

/// `POST /{objectType}/search`
pub async fn search(
    state: Data<AppState>,
    who: Principal,
    path: Path<String>,
    body: Json<SearchRequest>,
) -> Result<HttpResponse, ApiError> {
    let otype = for_read(&state, &who, &path).await?;
    let named = body
        .filter_groups
        .iter()
        .flatten()
        .flat_map(|g| g.filters.iter().flatten())
        .map(|f| f.property_name.as_str())
        .filter(|n| !n.starts_with("associations."));
    let otype = state.knowing(who.portal, otype, named).await?;
    let (mut search, after) = parse(&state.registry, &who, &otype, &body)?;
    let after = cursor::decode(after.as_deref(), search.sort.as_ref().map(|s| &s.target))?;
    let (lag, cap) = if state.config.test_mode {
        state.faults.search(who.portal.0)
    } else {
        (None, None)
    };
    if let Some(lag) = lag {
        lagging(&mut search, who.now() - lag);
    }
    // HubSpot's paging cap (a test-mode rule): paging counts offsets, as HubSpot's does.
    let offset = match (&after, cap) {
        (cursor::After::Start, Some(cap)) => Some((0, cap)),
        (cursor::After::Offset(n), Some(cap)) => Some((*n, cap)),
        _ => None,
    };
    if let Some((n, cap)) = offset {
        if n >= cap {
            return Err(ApiError::bad_request(format!(
                "The search API is limited to {cap} total results for any given query; \
                 paging past result {cap} is not allowed (after {n})"
            )));
        }
        search.limit = search.limit.min(cap - n);
    }
    let wanted = body
        .properties
        .clone()
        .map(Wanted::Names)
        .unwrap_or(Wanted::Defaults);
    let t = otype.clone();
    let portal = who.portal;
    // PostgreSQL without replicas: the page and total on the async worker (an empty page,
    // which needs its count re-read in one snapshot, falls back to the blocking path).
    let fast = if state.async_reads() {
        let url = &state.config.database_url;
        crate::engine::point::search(url, &state.totals, scope(portal, &t), &search, &after).await?
    } else {
        None
    };
    let page = match fast {
        Some(page) => page,
        None => {
            let (primary, replica) = (state.totals.clone(), state.replica_totals.clone());
            state
                .read_routed(&who, false, move |conn, on_replica| {
                    let totals = if on_replica { &replica } else { &primary };
                    run::search(conn, totals, scope(portal, &t), &search, &after)
                })
                .await?
        }
    };
    let shown = wanted.resolve(&otype);
    let results = page
        .rows
        .iter()
        .map(|r| Rendered::view(&otype, r, &shown, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(SearchPage {
        total: page.total,
        results,
        paging: page
            .next
            .map(|after| match offset {
                Some((n, _)) => (n + page.rows.len() as i64).to_string(),
                None => after,
            })
            .map(|after| Paging {
                next: Next {
                    link: format!("?after={after}"),
                    after,
                },
            }),
    }))
}

/// HubSpot's search lag (a test-mode rule): what was written after `cutoff` (by the portal's
/// clock) is not searchable yet. Added to every filter group, so it holds whatever they say.
fn lagging(search: &mut Search, cutoff: i64) {
    use crate::engine::search::ast::{Filter, Op, Operand, Target};
    let settled = Filter {
        target: Target::TimeColumn("updated_at"),
        op: Op::Lte(Operand::Int(cutoff)),
    };
    if search.groups.is_empty() {
        search.groups.push(Vec::new());
    }
    for g in &mut search.groups {
        g.push(settled.clone());
    }
}

/// `CollectionResponseWithTotalSimplePublicObjectForwardPaging`.
#[derive(Serialize)]
struct SearchPage<'a> {
    total: i64,
    results: Vec<Rendered<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paging: Option<Paging>,
}

#[derive(Serialize)]
struct Paging {
    next: Next,
}

#[derive(Serialize)]
struct Next {
    after: String,
    /// As HubSpot's list pages give it: the query that fetches the next page (a search sends
    /// `after` in its body, so this names the cursor only).
    link: String,
}
