//! The goal-family rules (SPEC "Goal-family rules"), as the goal_targets type's rule hook.
//! A family is every live target sharing `hs_group_correlation_uuid`; a group (one assignee's
//! schedule) every live target sharing `hs_goal_target_group_id`. The hook checks the state a
//! write leaves, inside its transaction; see `check_family` for rules 2 and 4, `check_new_group`
//! for rule 3.

use super::calendar::{self, Milestone};
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::engine::rules::{Rules, Touched, WriteKind, Written};
use crate::engine::search::run::members;
use crate::engine::store::{ObjectRow, Scope};
use crate::engine::value::{format_ms, parse_instant};
use crate::error::{ApiError, ErrorDetail};
use crate::portals::portal_settings;
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const FAMILY: &str = "hs_group_correlation_uuid";
pub const GROUP: &str = "hs_goal_target_group_id";
const MILESTONE: &str = "hs_milestone";
const START: &str = "hs_start_datetime";
const END: &str = "hs_end_datetime";
/// Rule 1: every goal target has these.
const REQUIRED: [&str; 5] = [FAMILY, GROUP, MILESTONE, START, END];
/// Rule 4: equal across a family.
pub const FAMILY_PROPS: [&str; 4] = ["hs_goal_name", "hs_goal_type", MILESTONE, "hs_pipeline_ids"];
/// Rule 4: equal across a group.
pub const GROUP_PROPS: [&str; 4] = [
    "hubspot_owner_id",
    "hs_assignee_user_id",
    "hs_assignee_team_id",
    "hubspot_team_id",
];
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
    fn new(rule: u8, message: String) -> Self {
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

    fn at(mut self, m: &Member) -> Self {
        self.family = m.family.clone();
        self.group = m.group.clone();
        self.input = m.input;
        self.id = Some(m.id);
        self
    }

    fn prop(mut self, p: &'static str, expected: Option<String>) -> Self {
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

/// A live goal target as the rules see it.
#[derive(Debug, Clone)]
struct Member {
    id: i64,
    input: Option<usize>,
    touched: bool,
    family: Option<String>,
    group: Option<String>,
    doc: PropsDoc,
}

impl Member {
    fn get(&self, p: &str) -> Option<&str> {
        self.doc.get(p)
    }
    fn milestone(&self) -> Option<Milestone> {
        self.get(MILESTONE).and_then(Milestone::parse)
    }
    fn instant(&self, p: &str) -> Option<i64> {
        self.get(p).and_then(parse_instant)
    }
    /// Sorts touched members by input order, after untouched ones.
    fn order_key(&self) -> (bool, usize, i64) {
        (self.touched, self.input.unwrap_or(usize::MAX), self.id)
    }
}

fn member(row: &ObjectRow, inputs: &HashMap<i64, Option<usize>>) -> Member {
    Member {
        id: row.id,
        input: inputs.get(&row.id).copied().flatten(),
        touched: inputs.contains_key(&row.id),
        family: row.properties.get(FAMILY).map(str::to_owned),
        group: row.properties.get(GROUP).map(str::to_owned),
        doc: row.properties.clone(),
    }
}

/// Rule 1 on one goal target.
fn check_required(m: &Member, out: &mut Vec<Violation>) {
    for p in REQUIRED {
        if m.get(p).is_none() {
            out.push(
                Violation::new(1, format!("a goal target needs {p}"))
                    .at(m)
                    .prop(p, None),
            );
        }
    }
}

/// Rule 4: `props` equal across `members`. The expected value is the one already stored on
/// members this write did not touch, else the first input's.
fn check_equal(members: &[&Member], props: &[&'static str], scope: &str, out: &mut Vec<Violation>) {
    let mut ordered: Vec<&&Member> = members.iter().collect();
    ordered.sort_by_key(|m| m.order_key());
    let Some(reference) = ordered.first() else {
        return;
    };
    for p in props {
        let want = reference.get(p);
        for m in &ordered[1..] {
            if m.get(p) != want {
                let shown = want.map_or("no value".to_owned(), |w| format!("{w:?}"));
                out.push(
                    Violation::new(
                        4,
                        format!(
                            "{p} must be equal across the {scope}: {:?} here, expected {shown}",
                            m.get(p).unwrap_or("")
                        ),
                    )
                    .at(m)
                    .prop(p, Some(want.unwrap_or("").to_owned())),
                );
            }
        }
    }
}

/// Rules 2 and 4 on a whole family.
fn check_family(family: &[Member], tz: Tz, out: &mut Vec<Violation>) {
    let all: Vec<&Member> = family.iter().collect();
    check_equal(&all, &FAMILY_PROPS, "family", out);
    let mut groups: BTreeMap<&str, Vec<&Member>> = BTreeMap::new();
    for m in family {
        groups
            .entry(m.group.as_deref().unwrap_or(""))
            .or_default()
            .push(m);
    }
    for members in groups.values() {
        check_equal(members, &GROUP_PROPS, "group", out);
        let mut slices: Vec<(i64, i64, &Member)> = Vec::new();
        for m in members {
            let (Some(ms), Some(start), Some(end)) =
                (m.milestone(), m.instant(START), m.instant(END))
            else {
                continue;
            };
            if !calendar::is_period_start(ms, tz, start) {
                let expected = calendar::period_start_containing(ms, tz, start).map(format_ms);
                out.push(
                    Violation::new(
                        2,
                        format!(
                            "hs_start_datetime {} is not the first millisecond of a {} period in {tz}",
                            format_ms(start),
                            m.get(MILESTONE).unwrap_or("")
                        ),
                    )
                    .at(m)
                    .prop(START, expected),
                );
                continue;
            }
            let expected_end = calendar::period_end(ms, tz, start);
            if expected_end != Some(end) {
                out.push(
                    Violation::new(
                        2,
                        format!(
                            "hs_end_datetime {} is not the last millisecond of the period starting {}",
                            format_ms(end),
                            format_ms(start)
                        ),
                    )
                    .at(m)
                    .prop(END, expected_end.map(format_ms)),
                );
                continue;
            }
            slices.push((start, end, m));
        }
        slices.sort_by_key(|(start, _, m)| (*start, m.order_key()));
        for pair in slices.windows(2) {
            let ((s0, e0, _), (s1, _, m1)) = (pair[0], pair[1]);
            if s1 <= e0 {
                let what = if s1 == s0 {
                    "repeats the period"
                } else {
                    "overlaps the period"
                };
                out.push(
                    Violation::new(
                        2,
                        format!(
                            "the slice starting {} {what} starting {}",
                            format_ms(s1),
                            format_ms(s0)
                        ),
                    )
                    .at(m1)
                    .prop(START, Some(format_ms(e0 + 1))),
                );
            }
        }
    }
}

/// Rule 3 on the slices a create adds to one new group.
fn check_new_group(slices: &[&Member], tz: Tz, whole_year: bool, out: &mut Vec<Violation>) {
    let mut sorted: Vec<&&Member> = slices.iter().collect();
    sorted.sort_by_key(|m| (m.instant(START), m.order_key()));
    let Some(first) = sorted.first() else { return };
    let Some(ms) = first.milestone() else { return };
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (Some(a_start), Some(b_start)) = (a.instant(START), b.instant(START)) else {
            continue;
        };
        let Some(next) = calendar::period_end(ms, tz, a_start).map(|e| e + 1) else {
            continue;
        };
        if b_start != next {
            let what = if b_start == a_start {
                "duplicates the slice"
            } else if b_start < next {
                "overlaps the slice"
            } else {
                "leaves a gap after the slice"
            };
            out.push(
                Violation::new(
                    3,
                    format!(
                        "the slice starting {} {what} starting {}",
                        format_ms(b_start),
                        format_ms(a_start)
                    ),
                )
                .at(b)
                .prop(START, Some(format_ms(next))),
            );
        }
    }
    let allowed = ms.slices_per_year();
    if whole_year && !allowed.contains(&slices.len()) {
        let want = allowed
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        out.push(
            Violation::new(
                3,
                format!(
                    "a {} goal year has {want} slices; this group has {}",
                    first.get(MILESTONE).unwrap_or(""),
                    slices.len()
                ),
            )
            .at(first)
            .prop(START, Some(want)),
        );
    }
}

/// The goal_targets rule hook.
#[derive(Debug)]
pub struct FamilyRules;

impl Rules for FamilyRules {
    fn lock_keys(&self, docs: &[&PropsDoc]) -> Vec<String> {
        let mut keys = BTreeSet::new();
        for d in docs {
            if let Some(f) = d.get(FAMILY) {
                keys.insert(super::family::lock_key(f));
            }
            if let Some(g) = d.get(GROUP) {
                keys.insert(format!("group:{g}"));
            }
        }
        keys.into_iter().collect()
    }

    fn check(&self, conn: &mut Conn, write: &Written<'_>) -> Result<(), ApiError> {
        let settings = portal_settings(conn, write.portal)?;
        if !settings.strict() {
            return Ok(());
        }
        let tz = settings.tz();
        let scope = Scope {
            portal: write.portal,
            object_type: write.object_type,
        };
        check_write(conn, scope, write.kind, write.touched, tz)
    }
}

fn check_write(
    conn: &mut Conn,
    scope: Scope<'_>,
    kind: WriteKind,
    touched: &[Touched],
    tz: Tz,
) -> Result<(), ApiError> {
    let inputs: HashMap<i64, Option<usize>> = touched.iter().map(|t| (t.id, t.input)).collect();
    let live: Vec<Member> = touched
        .iter()
        .filter_map(|t| {
            t.after.as_ref().map(|doc| Member {
                id: t.id,
                input: t.input,
                touched: true,
                family: doc.get(FAMILY).map(str::to_owned),
                group: doc.get(GROUP).map(str::to_owned),
                doc: doc.clone(),
            })
        })
        .collect();
    let mut out = Vec::new();
    for m in &live {
        check_required(m, &mut out);
    }
    if !out.is_empty() {
        return Err(violations_error(&out));
    }
    // Every live slice of the touched groups, loaded once for the 409 and the group rule.
    let groups: Vec<String> = live
        .iter()
        .filter_map(|m| m.group.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let group_rows = members(conn, scope, GROUP, &groups)?;
    if matches!(kind, WriteKind::Create | WriteKind::CreateSpan) {
        check_groups_are_new(&group_rows, &live)?;
    }
    check_groups_in_one_family(&group_rows, &inputs, &mut out);
    // Rules 2 and 4 on every family the write leaves a member in.
    let families: Vec<String> = live
        .iter()
        .filter_map(|m| m.family.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = members(conn, scope, FAMILY, &families)?;
    let mut by_family: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for row in &rows {
        let m = member(row, &inputs);
        by_family
            .entry(m.family.clone().unwrap_or_default())
            .or_default()
            .push(m);
    }
    for family in by_family.values() {
        check_family(family, tz, &mut out);
    }
    if matches!(kind, WriteKind::Create | WriteKind::CreateSpan) {
        let mut groups: BTreeMap<&str, Vec<&Member>> = BTreeMap::new();
        for m in &live {
            groups
                .entry(m.group.as_deref().unwrap_or(""))
                .or_default()
                .push(m);
        }
        for slices in groups.values() {
            check_new_group(slices, tz, kind == WriteKind::Create, &mut out);
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(violations_error(&out))
    }
}

/// Rule 4: a group belongs to one family.
fn check_groups_in_one_family(
    rows: &[ObjectRow],
    inputs: &HashMap<i64, Option<usize>>,
    out: &mut Vec<Violation>,
) {
    let mut by_group: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for row in rows {
        let m = member(row, inputs);
        by_group
            .entry(m.group.clone().unwrap_or_default())
            .or_default()
            .push(m);
    }
    for slices in by_group.values_mut() {
        slices.sort_by_key(|m| m.order_key());
        let want = slices[0].family.clone();
        for m in &slices[1..] {
            if m.family != want {
                out.push(
                    Violation::new(
                        4,
                        format!(
                            "a group belongs to one family: {} here, expected {}",
                            m.family.as_deref().unwrap_or(""),
                            want.as_deref().unwrap_or("")
                        ),
                    )
                    .at(m)
                    .prop(FAMILY, want.clone()),
                );
            }
        }
    }
}

/// A create makes whole new groups: a group id that already has live slices is a 409.
fn check_groups_are_new(group_rows: &[ObjectRow], created: &[Member]) -> Result<(), ApiError> {
    let ids: BTreeSet<i64> = created.iter().map(|m| m.id).collect();
    if let Some(row) = group_rows.iter().find(|r| !ids.contains(&r.id)) {
        let group = row.properties.get(GROUP).unwrap_or("");
        let family = row.properties.get(FAMILY).unwrap_or("");
        return Err(ApiError::Conflict(format!(
            "Goal target group {group} already exists (family {family}); a create makes whole new groups: \
             update its slices instead, or use a new hs_goal_target_group_id"
        )));
    }
    Ok(())
}

/// Every rule broken by the live goal targets of a portal, family by family (`goalpost
/// families check`, for data written in lenient mode). Rule 3 is about creates and is not
/// re-judged here.
pub fn audit(rows: &[ObjectRow], tz: Tz) -> Vec<Violation> {
    let none = HashMap::new();
    let mut out = Vec::new();
    let mut by_family: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for row in rows {
        let m = member(row, &none);
        check_required(&m, &mut out);
        if let Some(f) = m.family.clone() {
            by_family.entry(f).or_default().push(m);
        }
    }
    for family in by_family.values() {
        check_family(family, tz, &mut out);
    }
    out
}

/// A family as `GET /goalpost/v1/families/{uuid}` shows it.
pub fn family_json(uuid: &str, rows: &[ObjectRow], render: impl Fn(&ObjectRow) -> Value) -> Value {
    let mut groups: BTreeMap<String, Vec<&ObjectRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(r.properties.get(GROUP).unwrap_or("").to_owned())
            .or_default()
            .push(r);
    }
    let first = rows.first();
    let get = |p: &str| first.and_then(|r| r.properties.get(p)).map(str::to_owned);
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(gid, mut slices)| {
            slices.sort_by(|a, b| a.properties.get(START).cmp(&b.properties.get(START)).then(a.id.cmp(&b.id)));
            let one = slices.first().map(|r| &r.properties);
            let assignee: Map<String, Value> = GROUP_PROPS
                .iter()
                .filter_map(|p| one.and_then(|d| d.get(p)).map(|v| (p.to_string(), json!(v))))
                .collect();
            json!({"groupId": gid, "assignee": assignee, "slices": slices.iter().map(|r| render(r)).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "correlationUuid": uuid,
        "name": get("hs_goal_name"),
        "goalType": get("hs_goal_type"),
        "milestone": get(MILESTONE),
        "groups": groups,
    })
}
