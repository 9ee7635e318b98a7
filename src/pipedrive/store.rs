//! Storing Pipedrive goals: each is a goal family (one group, one slice per interval) written
//! through the engine, so the family rules and history apply, plus a `pipedrive_goals` row for
//! what the slices do not hold. Title and target are read back from the slices, so a rename on
//! the HubSpot side shows here.

use super::model::{self, AssigneeKind, GoalSpec};
use super::schedule;
use crate::db::json::PropsDoc;
use crate::db::schema::pipedrive_goals;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::objects::{self, Changes, NewObject, Source, Update};
use crate::engine::rules::WriteKind;
use crate::engine::store::{ObjectRow, PortalId};
use crate::engine::types::ObjectType;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use crate::goals::family;
use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;
use rand::RngCore;
use serde_json::{json, Map, Value};

pub use super::read::{find, load, StoredGoal};

/// When a write happens: the portal's time zone, its local date, and the instant.
#[derive(Debug, Clone, Copy)]
pub struct When {
    pub tz: Tz,
    pub today: NaiveDate,
    pub now: i64,
}

impl When {
    /// The instant `now` (a portal's clock), in the portal's time zone.
    pub fn at(tz: Tz, now: i64) -> When {
        let today = chrono::TimeZone::timestamp_millis_opt(&tz, now)
            .single()
            .map(|t| t.date_naive())
            .unwrap_or_default();
        When { tz, today, now }
    }
}

/// 32 random lower-case hex characters (Pipedrive's goal and report ids).
fn hex_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The properties every slice of a goal shares, with the ones that do not apply cleared.
fn goal_properties(
    otype: &ObjectType,
    spec: &GoalSpec,
    owner_id: i64,
) -> Result<Changes, ApiError> {
    let id = spec.assignee_id.to_string();
    let person = spec.assignee_kind == AssigneeKind::Person;
    let team = spec.assignee_kind == AssigneeKind::Team;
    let values: [(&str, Option<String>); 9] = [
        (
            "hs_goal_name",
            Some(spec.title.clone()).filter(|t| !t.is_empty()),
        ),
        ("hs_goal_type", Some(spec.goal_type.as_str().to_owned())),
        (
            "hs_target_amount",
            Some(model::number_json(spec.target).to_string()),
        ),
        (
            "hs_pipeline_ids",
            spec.pipeline_ids.as_ref().map(|p| {
                p.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        ),
        ("hubspot_owner_id", person.then(|| id.clone())),
        ("hs_assignee_user_id", person.then(|| id.clone())),
        ("hs_assignee_team_id", team.then(|| id.clone())),
        ("hubspot_team_id", team.then(|| id.clone())),
        ("hs_created_by_user_id", Some(owner_id.to_string())),
    ];
    let mut set = Map::new();
    let mut changes = Changes::new();
    for (name, value) in values {
        match value {
            Some(v) => {
                set.insert(name.into(), Value::String(v));
            }
            None => changes.push((name.into(), None)),
        }
    }
    let valid = objects::validate(otype, &set)
        .map_err(|errors| ApiError::bad_request(objects::invalid_values_message(&errors)))?;
    changes.extend(valid);
    Ok(changes)
}

/// New slices for periods, with the goal's shared properties.
fn slice_inputs(
    otype: &ObjectType,
    spec: &GoalSpec,
    goal: (&str, &str),
    owner_id: i64,
    periods: &[(i64, i64)],
) -> Result<Vec<NewObject>, ApiError> {
    let (family_uuid, group_id) = goal;
    let shared: Changes = goal_properties(otype, spec, owner_id)?
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .collect();
    let milestone = spec.interval.name().to_owned();
    Ok(periods
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            let mut c = shared.clone();
            c.extend([
                (
                    "hs_group_correlation_uuid".to_owned(),
                    Some(family_uuid.to_owned()),
                ),
                (
                    "hs_goal_target_group_id".to_owned(),
                    Some(group_id.to_owned()),
                ),
                ("hs_milestone".to_owned(), Some(milestone.clone())),
                ("hs_start_datetime".to_owned(), Some(format_ms(*s))),
                ("hs_end_datetime".to_owned(), Some(format_ms(*e))),
            ]);
            NewObject {
                input: i,
                changes: c,
            }
        })
        .collect())
}

fn source() -> Source {
    Source {
        kind: "API",
        id: Some("pipedrive".into()),
    }
}

fn bad(e: String) -> ApiError {
    ApiError::bad_request(e)
}

/// Creates a goal: its slices (one new group) and its row. Returns its id.
pub fn create(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    owner_id: i64,
    spec: &GoalSpec,
    at: When,
) -> Result<String, ApiError> {
    let When { tz, today, now } = at;
    let id = hex_id();
    let family_uuid = uuid::Uuid::new_v4().to_string();
    let periods = schedule::slices(spec, tz, today).map_err(bad)?;
    let inputs = slice_inputs(otype, spec, (&family_uuid, &id), owner_id, &periods)?;
    objects::create_as(
        conn,
        otype,
        portal,
        &inputs,
        now,
        &source(),
        WriteKind::CreateSpan,
    )?;
    let doc = PropsDoc(
        json!({"request": model::request_form(spec), "report_ids": [hex_id()]})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    with_conn!(conn, c => diesel::insert_into(pipedrive_goals::table)
        .values((
            pipedrive_goals::portal_id.eq(portal.0),
            pipedrive_goals::id.eq(&id),
            pipedrive_goals::family_uuid.eq(&family_uuid),
            pipedrive_goals::owner_id.eq(owner_id),
            pipedrive_goals::doc.eq(&doc),
            pipedrive_goals::horizon.eq(spec.end.is_none().then(|| periods.last().map(|p| p.1)).flatten()),
            pipedrive_goals::created_at.eq(now),
            pipedrive_goals::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(id)
}

fn live_slices(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    goal: &StoredGoal,
) -> Result<Vec<ObjectRow>, ApiError> {
    conn.lock_keys(&[family::lock_key(&goal.family_uuid)])?;
    family::load(conn, otype, portal, &goal.family_uuid, false)
}

/// Applies a changed definition: the same schedule updates the slices in place; a new
/// interval or duration replaces them (the old ones are archived, keeping their history).
pub fn update(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    goal: &StoredGoal,
    spec: &GoalSpec,
    at: When,
) -> Result<(), ApiError> {
    let When { tz, today, now } = at;
    let old = goal.spec()?;
    let slices = live_slices(conn, otype, portal, goal)?;
    let rescheduled =
        old.interval != spec.interval || old.start != spec.start || old.end != spec.end;
    let mut horizon = goal.horizon;
    if rescheduled {
        let ids: Vec<i64> = slices.iter().map(|r| r.id).collect();
        objects::archive(conn, otype, portal, &ids, now)?;
        let periods = schedule::slices(spec, tz, today).map_err(bad)?;
        let inputs = slice_inputs(
            otype,
            spec,
            (&goal.family_uuid, &goal.group_id()),
            goal.owner_id,
            &periods,
        )?;
        objects::create_as(
            conn,
            otype,
            portal,
            &inputs,
            now,
            &source(),
            WriteKind::CreateSpan,
        )?;
        horizon = spec
            .end
            .is_none()
            .then(|| periods.last().map(|p| p.1))
            .flatten();
    } else {
        let changes = goal_properties(otype, spec, goal.owner_id)?;
        let updates: Vec<Update> = slices
            .iter()
            .enumerate()
            .map(|(i, r)| Update {
                input: i,
                id: r.id,
                changes: changes.clone(),
            })
            .collect();
        objects::update(conn, otype, portal, &updates, now, &source())?;
    }
    let mut doc = goal.doc.clone();
    doc.0
        .insert("request".into(), Value::Object(model::request_form(spec)));
    with_conn!(conn, c => diesel::update(pipedrive_goals::table.find((portal.0, &goal.id)))
        .set((
            pipedrive_goals::doc.eq(&doc),
            pipedrive_goals::horizon.eq(horizon),
            pipedrive_goals::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Marks a goal deleted and archives its slices.
pub fn delete(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    goal: &StoredGoal,
    now: i64,
) -> Result<(), ApiError> {
    let ids: Vec<i64> = live_slices(conn, otype, portal, goal)?
        .iter()
        .map(|r| r.id)
        .collect();
    objects::archive(conn, otype, portal, &ids, now)?;
    with_conn!(conn, c => diesel::update(pipedrive_goals::table.find((portal.0, &goal.id)))
        .set((pipedrive_goals::deleted_at.eq(Some(now)), pipedrive_goals::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// Adds the slices open-ended goals of a portal need to reach a year past `today`; returns how
/// many were added. Run at start-up and then periodically by the server.
pub fn extend_open_goals(
    conn: &mut Conn,
    otype: &ObjectType,
    portal: PortalId,
    at: When,
) -> Result<usize, ApiError> {
    let When { tz, today, now } = at;
    let want = schedule::horizon(tz, today);
    let mut added = 0;
    for goal in load(conn, portal, None)? {
        let Some(reached) = goal.horizon.filter(|h| *h < want) else {
            continue;
        };
        let spec = goal.spec()?;
        if spec.end.is_some() {
            continue;
        }
        let periods = schedule::periods_from(spec.interval, tz, reached + 1, want).map_err(bad)?;
        if periods.is_empty() {
            continue;
        }
        let inputs = slice_inputs(
            otype,
            &spec,
            (&goal.family_uuid, &goal.group_id()),
            goal.owner_id,
            &periods,
        )?;
        conn.lock_keys(&[family::lock_key(&goal.family_uuid)])?;
        objects::create_as(
            conn,
            otype,
            portal,
            &inputs,
            now,
            &source(),
            WriteKind::Extend,
        )?;
        let last = periods.last().map(|p| p.1);
        with_conn!(conn, c => diesel::update(pipedrive_goals::table.find((portal.0, &goal.id)))
            .set(pipedrive_goals::horizon.eq(last))
            .execute(c))?;
        added += periods.len();
    }
    Ok(added)
}
