//! Whole-response snapshots (insta) of the main responses of each surface, identical on both
//! backends: one snapshot file per response, checked by the SQLite and the PostgreSQL run
//! alike. Volatile values (ids, instants, request ids) are redacted first, so a snapshot
//! changes only when the wire shape does. After an intended change, run the suite with
//! `INSTA_UPDATE=always` and review the `tests/it/snapshots/` diff.

use crate::both;
use crate::support::family::Family;
use crate::support::{Resp, TestApp};
use actix_web::http::Method;
use serde_json::{json, Value};

/// Keys whose values change from run to run.
const VOLATILE: &[&str] = &[
    "id",
    "createdAt",
    "updatedAt",
    "archivedAt",
    "requestedAt",
    "startedAt",
    "completedAt",
    "correlationId",
    "request_id",
    "hs_object_id",
    "hs_createdate",
    "hs_lastmodifieddate",
    "hs_kpi_value_last_calculated_at",
    "timestamp",
    "after",
    "link",
    "report_ids",
];

fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            // A document's properties come back in the order the backend stores them
            // (PostgreSQL's JSONB orders keys by length): clients may not rely on it.
            if let Some(Value::Object(props)) = m.get_mut("properties") {
                props.sort_keys();
            }
            for (k, v) in m.iter_mut() {
                // Object and goal ids are strings; an assignee's id (a number) is data.
                let volatile = VOLATILE.contains(&k.as_str()) && !v.is_null();
                if volatile && !(k == "id" && v.is_number()) {
                    *v = json!(format!("[{k}]"));
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Status and body, redacted.
fn shown(r: &Resp) -> Value {
    let mut body = r.body.clone();
    redact(&mut body);
    json!({"status": r.status.as_u16(), "body": body})
}

both!(hubspot_responses, |app: TestApp| async move {
    let base = "/crm/v3/objects/goal_targets";
    let family = Family::new(
        "5c3f0d2e-9a41-4b7e-8c55-0f1e2d3c4b5a",
        "quarterly",
        crate::support::family::periods(
            chrono_tz::UTC,
            chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            3,
            4,
        ),
    )
    .name("Calls 2027");
    let created = app
        .post(&format!("{base}/batch/create"), family.body())
        .await;
    insta::assert_json_snapshot!("hubspot_batch_create", shown(&created));
    let id = created.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let read = app
        .get(&format!(
            "{base}/{id}?properties=hs_goal_name,hs_target_amount&propertiesWithHistory=hs_goal_name"
        ))
        .await;
    insta::assert_json_snapshot!("hubspot_read_with_history", shown(&read));

    let search = app
        .post(
            &format!("{base}/search"),
            json!({"filterGroups": [{"filters": [{"propertyName": "hs_milestone", "operator": "EQ", "value": "quarterly"}]}],
                   "sorts": ["hs_start_datetime"], "properties": ["hs_start_datetime", "hs_end_datetime"], "limit": 2}),
        )
        .await;
    insta::assert_json_snapshot!("hubspot_search_page", shown(&search));

    let invalid = app
        .patch(
            &format!("{base}/{id}"),
            json!({"properties": {"hs_target_amount": "lots", "nope": "1"}}),
        )
        .await;
    insta::assert_json_snapshot!("hubspot_invalid_values", shown(&invalid));

    let rule = app
        .patch(
            &format!("{base}/{id}"),
            json!({"properties": {"hs_goal_name": "Only this quarter"}}),
        )
        .await;
    insta::assert_json_snapshot!("hubspot_family_rule", shown(&rule));

    let missing = app.get(&format!("{base}/987654321")).await;
    insta::assert_json_snapshot!("hubspot_not_found", shown(&missing));
});

both!(pipedrive_responses, |app: TestApp| async move {
    let goals = "/v1/goals";
    let added = app
        .post(
            goals,
            json!({"title": "Won deals", "assignee": {"id": 1, "type": "person"},
                   "type": {"name": "deals_won", "params": {"pipeline_id": [1]}},
                   "expected_outcome": {"target": 10, "tracking_metric": "quantity"},
                   "duration": {"start": "2026-01-01", "end": "2026-03-31"}, "interval": "monthly"}),
        )
        .await;
    insta::assert_json_snapshot!("pipedrive_add", shown(&added));
    let id = added.body["data"]["goal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let found = app.get(&format!("{goals}/find?is_active=all")).await;
    insta::assert_json_snapshot!("pipedrive_find", shown(&found));

    let results = app
        .get(&format!(
            "{goals}/{id}/results?period.start=2026-01-01&period.end=2026-03-31"
        ))
        .await;
    insta::assert_json_snapshot!("pipedrive_results", shown(&results));

    let bad = app
        .send(
            Method::POST,
            goals,
            Some(crate::support::TOKEN),
            Some(json!({"title": "x", "interval": "daily"})),
        )
        .await;
    insta::assert_json_snapshot!("pipedrive_bad_input", shown(&bad));

    let deleted = app.delete(&format!("{goals}/{id}")).await;
    insta::assert_json_snapshot!("pipedrive_delete", shown(&deleted));
});
