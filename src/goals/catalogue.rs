//! The goal_targets property catalogue (reference §5): every property HubSpot's goals guide
//! documents, plus the ones seen on real records, with type, field type and read-only flag.

use crate::engine::catalogue::{defs, Row, RO, W};
use crate::engine::types::{ObjectType, PropertyType};
use crate::goals::calendar::Milestone;

use PropertyType::{Bool, Datetime, Enumeration, Number, String as Str};

#[rustfmt::skip]
const GOAL_INFO: &[Row] = &[
    ("hs_goal_name", "Goal name", Str, W, &[]),
    ("hs_goal_type", "Goal type", Str, W, &[]),
    ("hs_target_amount", "Target amount", Number, W, &[]),
    ("hs_target_amount_in_home_currency", "Target amount in home currency", Number, RO, &[]),
    ("hs_start_datetime", "Start date", Datetime, W, &[]),
    ("hs_end_datetime", "End date", Datetime, W, &[]),
    ("hs_start_date", "Start date (legacy)", PropertyType::Date, W, &[]),
    ("hs_end_date", "End date (legacy)", PropertyType::Date, W, &[]),
    ("hs_milestone", "Milestone", Enumeration, W, &Milestone::NAMES),
    ("hs_group_correlation_uuid", "Goal family id", Str, W, &[]),
    ("hs_goal_target_group_id", "Goal target group id", Str, W, &[]),
    ("hs_pipeline_ids", "Pipelines", Str, W, &[]),
    ("hs_pipelines", "Pipelines (legacy)", Str, W, &[]),
    ("hs_fiscal_year_offset", "Fiscal year offset", Number, W, &[]),
    ("hs_goal_target_currency_code", "Currency code", Str, W, &[]),
    ("hs_currency", "Currency", Str, W, &[]),
    ("hs_template_id", "Template id", Number, W, &[]),
    ("hs_forecast_type_id", "Forecast type id", Str, W, &[]),
    ("hs_is_forecastable", "Is forecastable", Bool, W, &[]),
    ("hs_participant_type", "Participant type", Str, W, &[]),
    ("hs_status_display_order", "Status display order", Number, W, &[]),
    ("hs_unique_creation_key", "Unique creation key", Str, RO, &[]),
];

#[rustfmt::skip]
const ASSIGNEES: &[Row] = &[
    ("hubspot_owner_id", "Owner", Number, W, &[]),
    ("hs_assignee_user_id", "Assignee user id", Number, W, &[]),
    ("hs_assignee_team_id", "Assignee team id", Number, W, &[]),
    ("hubspot_team_id", "Team", Number, W, &[]),
    ("hs_assignee_property_name", "Assignee property", Str, W, &[]),
    ("hs_created_by_user_id", "Created by user id", Number, W, &[]),
    ("hs_updated_by_user_id", "Updated by user id", Number, W, &[]),
    ("hs_team_id", "Team id", Number, W, &[]),
    ("hs_user_id", "User id", Number, W, &[]),
    ("hs_all_owner_ids", "All owner ids", Str, RO, &[]),
    ("hs_all_team_ids", "All team ids", Str, RO, &[]),
];

#[rustfmt::skip]
const PROGRESS: &[Row] = &[
    ("hs_kpi_value", "Progress value", Number, W, &[]),
    ("hs_kpi_progress_percent", "Progress percent", Number, RO, &[]),
    ("hs_kpi_value_last_calculated_at", "Progress last calculated", Datetime, RO, &[]),
    ("hs_kpi_value_calculated_at", "Progress calculated at", Datetime, RO, &[]),
    ("hs_should_recalculate", "Should recalculate", Bool, W, &[]),
    ("hs_status", "Status", Enumeration, RO, &["pending", "in_progress", "achieved", "missed", "exceeded"]),
    ("hs_outcome", "Outcome", Enumeration, RO, &["in_progress", "achieved", "missed", "exceeded"]),
    ("hs_kpi_metric_type", "KPI metric type", Str, W, &[]),
    ("hs_kpi_tracking_method", "KPI tracking method", Str, W, &[]),
    ("hs_kpi_unit_type", "KPI unit type", Str, W, &[]),
    ("hs_kpi_display_unit", "KPI display unit", Str, W, &[]),
    ("hs_kpi_object_type", "KPI object type", Str, W, &[]),
    ("hs_kpi_object_type_id", "KPI object type id", Str, W, &[]),
    ("hs_kpi_property_name", "KPI property", Str, W, &[]),
    ("hs_kpi_time_period_property", "KPI time period property", Str, W, &[]),
    ("hs_kpi_time_period_property_type", "KPI time period property type", Str, W, &[]),
    ("hs_kpi_filter_groups", "KPI filter groups", Str, W, &[]),
    ("hs_static_kpi_filter_groups", "Static KPI filter groups", Str, W, &[]),
    ("hs_kpi_is_team_rollup", "KPI is team rollup", Bool, W, &[]),
];

#[rustfmt::skip]
const NOTIFICATIONS: &[Row] = &[
    ("hs_should_notify_on_edit_updates", "Notify on edit updates", Bool, W, &[]),
    ("hs_should_notify_on_achieved", "Notify on achieved", Bool, W, &[]),
    ("hs_should_notify_on_exceeded", "Notify on exceeded", Bool, W, &[]),
    ("hs_should_notify_on_kickoff", "Notify on kickoff", Bool, W, &[]),
    ("hs_should_notify_on_missed", "Notify on missed", Bool, W, &[]),
    ("hs_should_notify_on_progress_updates", "Notify on progress updates", Bool, W, &[]),
    ("hs_edit_updates_notification_frequency", "Edit updates frequency", Str, W, &[]),
    ("hs_progress_updates_notification_frequency", "Progress updates frequency", Str, W, &[]),
];

#[rustfmt::skip]
const SYSTEM: &[Row] = &[
    ("hs_object_id", "Record ID", Number, RO, &[]),
    ("hs_createdate", "Create date", Datetime, RO, &[]),
    ("hs_lastmodifieddate", "Last modified date", Datetime, RO, &[]),
];

/// Properties searched often enough to keep an expression index for (issue: search at 1M rows).
const INDEXED: &[&str] = &[
    "hs_group_correlation_uuid",
    "hs_goal_target_group_id",
    "hubspot_owner_id",
    "hs_milestone",
    "hs_start_datetime",
    "hs_end_datetime",
    "hs_target_amount",
    // The goals dashboard's status filter (PERFORMANCE.md, "The goals dashboard at 1M").
    "hs_status",
    // The quota import finds a file's families by goal name, a batch at a time while it
    // writes: without it each batch scanned the table (PERFORMANCE.md, "Quota import").
    "hs_goal_name",
];

/// The `goal_targets` object type (HubSpot object type id `0-74`).
pub fn goal_targets() -> ObjectType {
    let properties = defs("goal_target_information", GOAL_INFO, INDEXED)
        .chain(defs("goal_target_assignees", ASSIGNEES, INDEXED))
        .chain(defs("goal_target_progress", PROGRESS, INDEXED))
        .chain(defs("goal_target_notifications", NOTIFICATIONS, INDEXED))
        .chain(defs("goal_target_information", SYSTEM, INDEXED))
        .collect();
    ObjectType {
        name: "goal_targets",
        type_id: "0-74",
        noun: "GOAL_TARGET",
        read_scopes: &["crm.objects.goals.read", "crm.objects.goals.write"],
        write_scopes: &["crm.objects.goals.write"],
        schema_read_scopes: &[
            "crm.schemas.goals.read",
            "crm.schemas.goals.write",
            "crm.objects.goals.read",
            "crm.objects.goals.write",
        ],
        schema_write_scopes: &["crm.schemas.goals.write"],
        text_properties: &["hs_goal_name"],
        // An owner's goals over a period, in date order: the goals dashboard's query. An owner's
        // or a milestone's largest targets: each OR group of such a search walks its own index
        // (see `search::compile`). Each pair also serves EQ on its first property alone, so
        // those two need no single-property index.
        sorted_indexes: &[
            ("hubspot_owner_id", "hs_start_datetime"),
            ("hubspot_owner_id", "hs_target_amount"),
            ("hs_milestone", "hs_target_amount"),
        ],
        properties,
        event_time_property: None,
        rules: Some(std::sync::Arc::new(super::hook::FamilyRules)),
        derive: None,
        reactions: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::db::Dialect;
    use crate::engine::indexes::statements;

    #[test]
    fn a_property_leading_a_pair_has_its_single_index_dropped_after_the_pair_exists() {
        let otype = super::goal_targets();
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let all = statements(dialect, &otype);
            let at = |prefix: &str| all.iter().position(|s| s.starts_with(prefix));
            let create = |name: &str| at(&format!("CREATE INDEX IF NOT EXISTS {name} ON"));
            let drop = |name: &str| at(&format!("DROP INDEX IF EXISTS {name}"));
            let (owner, milestone) = (
                "objects_goal_targets_hubspot_owner_id",
                "objects_goal_targets_hs_milestone",
            );
            for (single, pair) in [
                (
                    owner,
                    "objects_goal_targets_hubspot_owner_id__hs_target_amount",
                ),
                (
                    milestone,
                    "objects_goal_targets_hs_milestone__hs_target_amount",
                ),
            ] {
                assert_eq!(create(single), None, "{all:#?}");
                let (made, dropped) = (create(pair), drop(single));
                assert!(made.is_some() && dropped.is_some(), "{all:#?}");
                assert!(made < dropped, "{all:#?}");
            }
            // Properties that lead no pair keep their own index.
            assert!(create("objects_goal_targets_hs_target_amount").is_some());
            assert_eq!(all.iter().filter(|s| s.starts_with("DROP")).count(), 2);
        }
    }
}
