//! The goal-family rules (SPEC "Goal-family rules"), as the goal_targets type's rule hook.
//! A family is every live target sharing `hs_group_correlation_uuid`; a group (one assignee's
//! schedule) every live target sharing `hs_goal_target_group_id`. The hook checks the state a
//! write leaves, inside its transaction; see `check_family` for rules 2 and 4, `check_new_group`
//! for rule 3. What a broken rule reports is in `violation.rs`.

use super::calendar::{self, Milestone};
use super::violation::Violation;
use crate::db::json::PropsDoc;
use crate::engine::store::ObjectRow;
use crate::engine::value::{format_ms, parse_instant};
use chrono_tz::Tz;

use std::collections::{BTreeMap, HashMap};

pub const FAMILY: &str = "hs_group_correlation_uuid";
pub const GROUP: &str = "hs_goal_target_group_id";
pub const MILESTONE: &str = "hs_milestone";
pub const START: &str = "hs_start_datetime";
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
impl Violation {
    pub(super) fn at(mut self, m: &Member) -> Self {
        self.family = m.family.clone();
        self.group = m.group.clone();
        self.input = m.input;
        self.id = Some(m.id);
        self
    }
}

/// A live goal target as the rules see it.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) id: i64,
    pub(super) input: Option<usize>,
    pub(super) touched: bool,
    pub(super) family: Option<String>,
    pub(super) group: Option<String>,
    pub(super) doc: PropsDoc,
}

impl Member {
    pub(super) fn get(&self, p: &str) -> Option<&str> {
        self.doc.get(p)
    }
    fn milestone(&self) -> Option<Milestone> {
        self.get(MILESTONE).and_then(Milestone::parse)
    }
    fn instant(&self, p: &str) -> Option<i64> {
        self.get(p).and_then(parse_instant)
    }
    /// Sorts touched members by input order, after untouched ones.
    pub(super) fn order_key(&self) -> (bool, usize, i64) {
        (self.touched, self.input.unwrap_or(usize::MAX), self.id)
    }
}

pub(super) fn member(row: &ObjectRow, inputs: &HashMap<i64, Option<usize>>) -> Member {
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
pub(super) fn check_required(m: &Member, out: &mut Vec<Violation>) {
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
pub(super) fn check_equal(
    members: &[&Member],
    props: &[&'static str],
    scope: &str,
    out: &mut Vec<Violation>,
) {
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
pub(super) fn check_family(family: &[Member], tz: Tz, out: &mut Vec<Violation>) {
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
pub(super) fn check_new_group(
    slices: &[&Member],
    tz: Tz,
    whole_year: bool,
    out: &mut Vec<Violation>,
) {
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
