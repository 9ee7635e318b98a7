//! The import plan: a file's slices matched to the portal's families, groups and slices (by
//! goal or family, assignee and period, so a re-import updates instead of duplicating), as
//! the creates and updates each family needs; then applied — or tried and rolled back, for a
//! dry run — one family per transaction through the engine, so the family rules hold exactly
//! as for the API.

use super::sheet::{assignee_of, Assignee, Problem, Slice, MANAGED};
use crate::db::Conn;
use crate::engine::objects::{self, NewObject, Update};
use crate::engine::search::run::members;
use crate::engine::store::{ObjectRow, PortalId, Scope};
use crate::engine::types::ObjectType;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What one family needs.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilyPlan {
    pub family: String,
    pub goal: String,
    pub new_family: bool,
    pub new_groups: usize,
    /// The lines asking for slices that do not exist yet, and for changes.
    pub create: Vec<usize>,
    pub change: Vec<usize>,
    pub unchanged: usize,
    /// Why the family's writes were refused (the rules, or the engine's checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    #[serde(skip)]
    pub(super) creates: Vec<NewObject>,
    #[serde(skip)]
    pub(super) updates: Vec<Update>,
    /// Per create: whether it joins a group the portal holds (else it is in a new group).
    #[serde(skip)]
    pub(super) joins: Vec<bool>,
    /// Every line of the family (a refusal of the whole family names them all).
    #[serde(skip)]
    pub(super) lines: Vec<usize>,
}

impl FamilyPlan {
    /// Drops the writes (once applied), keeping what the report shows.
    pub(super) fn forget_writes(&mut self) {
        self.creates = Vec::new();
        self.updates = Vec::new();
        self.joins = Vec::new();
        self.lines = Vec::new();
    }
}

/// A file's plan: per family, and the lines that cannot be used.
#[derive(Debug, Default)]
pub struct Plan {
    pub families: Vec<FamilyPlan>,
    pub problems: Vec<Problem>,
}

/// What a new slice takes from its family's stored slices: the properties rule 4 holds equal
/// across a family, and the KPI definition attainment computes it by.
const INHERITED: &[&str] = &[
    "hs_goal_type",
    "hs_pipeline_ids",
    "hs_kpi_object_type",
    "hs_kpi_object_type_id",
    "hs_kpi_property_name",
    "hs_kpi_metric_type",
    "hs_kpi_filter_groups",
    "hs_kpi_time_period_property",
    "hs_kpi_time_period_property_type",
    "hs_kpi_tracking_method",
    "hs_kpi_unit_type",
    "hs_kpi_display_unit",
    "hs_kpi_is_team_rollup",
];

fn uuid_for(parts: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, parts.as_bytes()).to_string()
}

fn same_amount(a: Option<&str>, b: &str) -> bool {
    match (a.and_then(|a| a.parse::<f64>().ok()), b.parse::<f64>().ok()) {
        (Some(x), Some(y)) => x == y,
        _ => a == Some(b),
    }
}

/// The file's families, in the order they first appear: by family id, else by goal name.
fn by_family(slices: Vec<Slice>) -> Vec<(String, bool, Vec<Slice>)> {
    let mut order: Vec<(String, bool, Vec<Slice>)> = Vec::new();
    let mut at: HashMap<(String, bool), usize> = HashMap::new();
    for s in slices {
        let key = match (&s.family, &s.goal) {
            (Some(f), _) => (f.clone(), true),
            (None, Some(g)) => (g.clone(), false),
            (None, None) => continue,
        };
        match at.get(&key) {
            Some(i) => order[*i].2.push(s),
            None => {
                at.insert(key.clone(), order.len());
                order.push((key.0, key.1, vec![s]));
            }
        }
    }
    order
}

/// Plans a file's slices against what `portal` holds.
pub fn plan(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    slices: Vec<Slice>,
) -> Result<Plan, ApiError> {
    let mut problems = Vec::new();
    let scope = Scope {
        portal,
        object_type: otype.name,
    };
    let tz = crate::portals::portal_settings(conn, portal)?.tz();
    let groups = by_family(slices);
    // What the portal holds of every family the file names, read in chunks (not per family).
    let mut held: HashMap<(bool, String), Vec<ObjectRow>> = HashMap::new();
    for (is_uuid, property) in [(true, "hs_group_correlation_uuid"), (false, "hs_goal_name")] {
        let keys: Vec<String> = groups
            .iter()
            .filter(|g| g.1 == is_uuid)
            .map(|g| g.0.clone())
            .collect();
        for chunk in keys.chunks(500) {
            for r in members(conn, scope, property, chunk)? {
                let key = r.properties.get(property).unwrap_or_default().to_owned();
                held.entry((is_uuid, key)).or_default().push(r);
            }
        }
    }
    let mut families = Vec::new();
    let mut planned = HashSet::new();
    for (key, is_uuid, slices) in groups {
        let lines = || slices.iter().map(|s| s.line).collect::<Vec<_>>();
        let refuse = |problems: &mut Vec<Problem>, reason: String| {
            problems.extend(lines().into_iter().map(|line| Problem {
                line,
                reason: reason.clone(),
            }));
        };
        let rows = held.remove(&(is_uuid, key.clone())).unwrap_or_default();
        let uuids: BTreeMap<&str, ()> = rows
            .iter()
            .filter_map(|r| r.properties.get("hs_group_correlation_uuid"))
            .map(|u| (u, ()))
            .collect();
        if uuids.len() > 1 {
            refuse(
                &mut problems,
                format!(
                    "goal {key:?} names {} families: give the family column",
                    uuids.len()
                ),
            );
            continue;
        }
        // An existing family keeps its stored name (rule 4); a new one takes the file's.
        let stored = rows
            .first()
            .and_then(|r| r.properties.get("hs_goal_name").map(str::to_owned));
        let goal = stored.or_else(|| slices.iter().find_map(|s| s.goal.clone()));
        let Some(goal) = goal else {
            refuse(
                &mut problems,
                format!("family {key} does not exist: a new one needs a goal name"),
            );
            continue;
        };
        let uuid = match uuids.keys().next() {
            Some(u) => u.to_string(),
            None if is_uuid => key.clone(),
            None => uuid_for(&format!("goalpost:{}:{goal}", portal.0)),
        };
        if !planned.insert(uuid.clone()) {
            refuse(
                &mut problems,
                format!("family {uuid} is named both by its id and by its goal name: use one"),
            );
            continue;
        }
        let f = family_plan(otype, (&uuid, goal, tz), rows, slices, &mut problems);
        families.push(f);
    }
    // A family whose slices are all archived is restored, not written around (read in chunks).
    let new: Vec<String> = families
        .iter()
        .filter(|f| f.new_family)
        .map(|f| f.family.clone())
        .collect();
    let mut archived = HashSet::new();
    for chunk in new.chunks(500) {
        for r in crate::engine::search::run::members_in(
            conn,
            scope,
            "hs_group_correlation_uuid",
            chunk,
            true,
        )? {
            archived.extend(
                r.properties
                    .get("hs_group_correlation_uuid")
                    .map(str::to_owned),
            );
        }
    }
    families.retain(|f| {
        if !archived.contains(&f.family) {
            return true;
        }
        let uuid = &f.family;
        let reason = format!("family {uuid} is archived: restore it first (POST /goalpost/v1/families/{uuid}/restore)");
        refuse_whole(&mut problems, f, &reason);
        false
    });
    problems.sort_by_key(|p| p.line);
    Ok(Plan { families, problems })
}

/// Refuses a whole planned family: each of its lines not already refused for its own reason.
pub(super) fn refuse_whole(problems: &mut Vec<Problem>, f: &FamilyPlan, reason: &str) {
    let named: HashSet<usize> = problems.iter().map(|p| p.line).collect();
    let fresh = f.lines.iter().filter(|l| !named.contains(l));
    let reason = |&line| Problem {
        line,
        reason: reason.to_owned(),
    };
    problems.extend(fresh.map(reason).collect::<Vec<_>>());
}

fn family_plan(
    otype: &ObjectType,
    (uuid, goal, tz): (&str, String, chrono_tz::Tz),
    rows: Vec<ObjectRow>,
    slices: Vec<Slice>,
    problems: &mut Vec<Problem>,
) -> FamilyPlan {
    let mut f = FamilyPlan {
        family: uuid.to_owned(),
        goal,
        new_family: rows.is_empty(),
        ..Default::default()
    };
    // A group holds one goal year of one assignee: slices are matched by assignee and start,
    // and new ones join their year's group (or make a new one).
    let year = |ms: i64| {
        chrono::TimeZone::timestamp_millis_opt(&tz, ms)
            .single()
            .map_or(0, |t| chrono::Datelike::year(&t))
    };
    let mut existing: HashMap<(Assignee, i64), &ObjectRow> = HashMap::new();
    let mut groups: HashMap<(Assignee, i32), (String, bool)> = HashMap::new();
    for r in &rows {
        let (Some(a), Some(start)) = (
            assignee_of(r),
            r.properties
                .get("hs_start_datetime")
                .and_then(crate::engine::value::parse_instant),
        ) else {
            continue;
        };
        existing.insert((a, start), r);
        if let Some(g) = r.properties.get("hs_goal_target_group_id") {
            groups.insert((a, year(start)), (g.to_owned(), true));
        }
    }
    // What every slice of the family shares (rule 4) and its KPI definition, for new slices.
    let inherited: Vec<(&str, &str)> = rows.first().map_or_else(Vec::new, |r| {
        INHERITED
            .iter()
            .filter_map(|k| Some((*k, r.properties.get(k)?)))
            .collect()
    });
    let milestone = rows.first().and_then(|r| r.properties.get("hs_milestone"));
    f.lines = slices.iter().map(|s| s.line).collect();
    f.lines.dedup();
    let mut seen = HashSet::new();
    for s in slices {
        let problem = |reason: String| Problem {
            line: s.line,
            reason,
        };
        if let Some(m) = milestone.filter(|m| *m != s.period.milestone.name()) {
            problems.push(problem(format!(
                "period {} is {}, but the family is {m}",
                s.period.label,
                s.period.milestone.name()
            )));
            continue;
        }
        if !seen.insert((s.assignee, s.period.start)) {
            problems.push(problem(format!(
                "a second row for this assignee and period {}",
                s.period.label
            )));
            continue;
        }
        if let Some((name, _)) = s.extra.iter().find(|(n, _)| MANAGED.contains(&n.as_str())) {
            problems.push(problem(format!(
                "{name} is set by the layout's own columns"
            )));
            continue;
        }
        let mut props = Map::new();
        let mut put = |k: &str, v: &str| {
            props.insert(k.to_owned(), Value::String(v.to_owned()));
        };
        if let Some(row) = existing.get(&(s.assignee, s.period.start)) {
            let p = &row.properties;
            if !same_amount(p.get("hs_target_amount"), &s.target) {
                put("hs_target_amount", &s.target);
            }
            if let Some(c) = s
                .currency
                .as_deref()
                .filter(|c| p.get("hs_goal_target_currency_code") != Some(c))
            {
                put("hs_goal_target_currency_code", c);
            }
            for (k, v) in &s.extra {
                if p.get(k) != Some(v.as_str()) {
                    put(k, v);
                }
            }
            if props.is_empty() {
                f.unchanged += 1;
                continue;
            }
            match objects::validate(otype, &props) {
                Ok(changes) => {
                    let input = f.updates.len();
                    f.updates.push(Update {
                        input,
                        id: row.id,
                        changes,
                    });
                    f.change.push(s.line);
                }
                Err(errors) => problems.push(problem(objects::invalid_values_message(&errors))),
            }
            continue;
        }
        let key = (s.assignee, year(s.period.start));
        let (group, joins) = groups.entry(key).or_insert_with(|| {
            f.new_groups += 1;
            (uuid_for(&format!("{uuid}:{:?}:{}", key.0, key.1)), false)
        });
        for (k, v) in &inherited {
            put(k, v);
        }
        put("hs_goal_name", &f.goal);
        put("hs_milestone", s.period.milestone.name());
        put("hs_start_datetime", &format_ms(s.period.start));
        put("hs_end_datetime", &format_ms(s.period.end));
        put("hs_target_amount", &s.target);
        put("hs_group_correlation_uuid", uuid);
        put("hs_goal_target_group_id", group);
        match s.assignee {
            Assignee::Owner(o) => put("hubspot_owner_id", &o.to_string()),
            Assignee::Team(t) => put("hs_assignee_team_id", &t.to_string()),
        }
        if let Some(t) = s.team {
            put("hs_team_id", &t.to_string());
        }
        if let Some(c) = &s.currency {
            put("hs_goal_target_currency_code", c);
        }
        for (k, v) in &s.extra {
            put(k, v);
        }
        match objects::validate(otype, &props) {
            Ok(changes) => {
                let input = f.creates.len();
                f.creates.push(NewObject { input, changes });
                f.joins.push(*joins);
                f.create.push(s.line);
            }
            Err(errors) => problems.push(problem(objects::invalid_values_message(&errors))),
        }
    }
    f
}
