//! The `deals` and `activities` object types: the Pipedrive fields that drive goal progress
//! (reference §6–7), under Pipedrive's own names.

use crate::engine::catalogue::{defs, Row, RO, W};
use crate::engine::types::{ObjectType, PropertyType};

use PropertyType::{Bool, Date, Datetime, Enumeration, Number, String as Str};

#[rustfmt::skip]
const DEAL: &[Row] = &[
    ("title", "Title", Str, W, &[]),
    ("value", "Value", Number, W, &[]),
    ("currency", "Currency", Str, W, &[]),
    ("status", "Status", Enumeration, W, &["open", "won", "lost", "deleted"]),
    ("pipeline_id", "Pipeline", Number, W, &[]),
    ("stage_id", "Stage", Number, W, &[]),
    ("user_id", "Owner", Number, W, &[]),
    ("probability", "Probability", Number, W, &[]),
    ("add_time", "Added", Datetime, W, &[]),
    ("update_time", "Updated", Datetime, W, &[]),
    ("stage_change_time", "Stage changed", Datetime, W, &[]),
    ("won_time", "Won", Datetime, W, &[]),
    ("lost_time", "Lost", Datetime, W, &[]),
    ("close_time", "Closed", Datetime, W, &[]),
    ("expected_close_date", "Expected close date", Date, W, &[]),
    // HubSpot's names for the same facts (see `crm::vocabulary`).
    ("dealname", "Deal name", Str, W, &[]),
    ("amount", "Amount", Number, W, &[]),
    ("amount_in_home_currency", "Amount in company currency", Number, RO, &[]),
    ("deal_currency_code", "Currency", Str, W, &[]),
    ("closedate", "Close date", Datetime, W, &[]),
    ("dealstage", "Deal stage", Str, W, &[]),
    ("pipeline", "Pipeline", Str, W, &[]),
    ("hubspot_owner_id", "Deal owner", Number, W, &[]),
    ("hs_is_closed_won", "Is closed won", Bool, RO, &[]),
    ("hs_is_closed", "Is closed", Bool, RO, &[]),
];

#[rustfmt::skip]
const ACTIVITY: &[Row] = &[
    ("subject", "Subject", Str, W, &[]),
    ("type", "Type", Str, W, &[]),
    ("user_id", "Assignee", Number, W, &[]),
    ("done", "Done", Bool, W, &[]),
    ("marked_as_done_time", "Marked as done", Datetime, W, &[]),
    ("add_time", "Added", Datetime, W, &[]),
    ("update_time", "Updated", Datetime, W, &[]),
    ("due_date", "Due date", Date, W, &[]),
    ("deal_id", "Deal", Number, W, &[]),
    ("active_flag", "Active", Bool, W, &[]),
    // HubSpot's names for the same facts (see `crm::vocabulary`).
    ("hs_task_subject", "Task title", Str, W, &[]),
    ("hs_activity_type", "Activity type", Str, W, &[]),
    ("hs_timestamp", "Activity date", Datetime, W, &[]),
    ("hubspot_owner_id", "Activity assigned to", Number, W, &[]),
    ("hs_task_status", "Task status", Enumeration, W, &["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"]),
    ("hs_task_completion_date", "Completed at", Datetime, W, &[]),
];

#[rustfmt::skip]
const SYSTEM: &[Row] = &[
    ("hs_object_id", "Record ID", Number, RO, &[]),
    ("hs_createdate", "Create date", Datetime, RO, &[]),
    ("hs_lastmodifieddate", "Last modified date", Datetime, RO, &[]),
];

/// The progress queries filter on these.
const DEAL_INDEXED: &[&str] = &["user_id", "add_time", "won_time", "status"];
const ACTIVITY_INDEXED: &[&str] = &["user_id", "add_time", "marked_as_done_time"];

fn object_type(
    name: &'static str,
    group: &str,
    type_id: &'static str,
    noun: &'static str,
    rows: &'static [Row],
    indexed: &'static [&'static str],
    scopes: [&'static [&'static str]; 2],
) -> ObjectType {
    let properties = defs(group, rows, indexed)
        .chain(defs("system", SYSTEM, indexed))
        .collect();
    ObjectType {
        name,
        type_id,
        noun,
        read_scopes: scopes[0],
        write_scopes: scopes[1],
        schema_read_scopes: scopes[0],
        schema_write_scopes: &["crm.schemas.goals.write"],
        text_properties: &[],
        sorted_indexes: &[],
        properties,
        event_time_property: Some("update_time"),
        rules: None,
        derive: None,
        reactions: None,
    }
}

/// `deals` (HubSpot's deal object type id `0-3`). A write that sets `update_time` dates its
/// history, so stage changes imported from elsewhere count in the period they happened.
pub fn deals() -> ObjectType {
    let mut t = object_type(
        "deals",
        "dealinformation",
        "0-3",
        "DEAL",
        DEAL,
        DEAL_INDEXED,
        [
            &["crm.objects.deals.read", "crm.objects.deals.write"],
            &["crm.objects.deals.write"],
        ],
    );
    t.text_properties = &["title"];
    t.derive = Some(super::vocabulary::derive_deal);
    t
}

/// `activities` (Pipedrive's activities; goalpost's type id `2-1`).
pub fn activities() -> ObjectType {
    let mut t = object_type(
        "activities",
        "activityinformation",
        "2-1",
        "ACTIVITY",
        ACTIVITY,
        ACTIVITY_INDEXED,
        [
            &[
                "crm.objects.activities.read",
                "crm.objects.activities.write",
            ],
            &["crm.objects.activities.write"],
        ],
    );
    t.text_properties = &["subject"];
    t.derive = Some(super::vocabulary::derive_activity);
    t
}
