//! The goal_targets rule hook: the locks a write takes and the check of the state it leaves,
//! loading each touched family and group once (the rules themselves are in `rules.rs`).

use super::family::lock_key;
use super::rules::*;
use super::violation::{violations_error, Violation};
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::engine::rules::{Rules, Touched, WriteKind, Written};
use crate::engine::search::run::members;
use crate::engine::store::{ObjectRow, Scope};
use crate::error::ApiError;
use crate::portals::portal_settings;
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The goal_targets rule hook.
#[derive(Debug)]
pub struct FamilyRules;

impl Rules for FamilyRules {
    fn lock_keys(&self, docs: &[&PropsDoc]) -> Vec<String> {
        let mut keys = BTreeSet::new();
        for d in docs {
            if let Some(f) = d.get(FAMILY) {
                keys.insert(lock_key(f));
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
