//! Goal-family rules (strict mode, the default) on every write path, the calendar in a time
//! zone, family operations, the audit, and concurrent writers.

mod archive;
mod calendar;
mod concurrency;

use crate::both;
use crate::support::family::{periods, utc_months, Family};
use crate::support::TestApp;
use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};

const BASE: &str = "/crm/v3/objects/goal_targets";
const FAMILIES: &str = "/goalpost/v1/families";

/// Batch-create inputs for one group.
fn group(
    family: &str,
    group: &str,
    milestone: &str,
    owner: &str,
    slices: &[(String, String)],
) -> Vec<Value> {
    Family::new(family, milestone, slices.to_vec())
        .group(group)
        .owner(owner)
        .inputs()
}

async fn create(app: &TestApp, inputs: Vec<Value>) -> crate::support::Resp {
    app.post(&format!("{BASE}/batch/create"), json!({"inputs": inputs}))
        .await
}

fn ids(r: &crate::support::Resp) -> Vec<String> {
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A 400 naming the rule, with nothing written.
async fn refused(app: &TestApp, inputs: Vec<Value>, rule: &str, expected: Option<&str>) -> Value {
    let before = app.snapshot();
    let r = create(app, inputs).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.body["category"], "VALIDATION_ERROR");
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains(&format!("rule {rule}")), "{msg}");
    let e = &r.body["errors"][0];
    assert_eq!(e["code"], "GOAL_FAMILY_RULE");
    assert_eq!(e["context"]["rule"], json!([rule]));
    assert!(
        e["context"]["inputIndex"].is_array(),
        "names the input: {e}"
    );
    if let Some(x) = expected {
        assert_eq!(e["context"]["expected"], json!([x]), "{e}");
    }
    assert_eq!(app.snapshot(), before, "nothing written");
    r.body
}

both!(
    a_whole_monthly_family_is_created_and_readable,
    |app: TestApp| async move {
        let r = create(
            &app,
            group("fam-a", "g1", "monthly", "7", &utc_months(2027, 1, 12)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let f = app.get(&format!("{FAMILIES}/fam-a")).await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.body["milestone"], "monthly");
        assert_eq!(f.body["groups"][0]["groupId"], "g1");
        assert_eq!(f.body["groups"][0]["assignee"]["hubspot_owner_id"], "7");
        let slices = f.body["groups"][0]["slices"].as_array().unwrap();
        assert_eq!(slices.len(), 12);
        assert_eq!(
            slices[1]["properties"]["hs_end_datetime"],
            "2027-02-28T23:59:59.999Z"
        );
        assert_eq!(
            app.get(&format!("{FAMILIES}/nope")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    broken_creates_are_refused_naming_rule_input_and_expected,
    |app: TestApp| async move {
        let months = utc_months(2027, 1, 13);
        // A gap: March missing (and so only 11 slices).
        let mut gap = group("f", "g", "monthly", "7", &months[..12]);
        gap.remove(2);
        refused(&app, gap, "3", Some("2027-03-01T00:00:00.000Z")).await;
        // An overlap / duplicate: February twice.
        let mut dup = group("f", "g", "monthly", "7", &months[..12]);
        dup[2] = dup[1].clone();
        refused(&app, dup, "2", None).await;
        // A misaligned start.
        let mut mis = group("f", "g", "monthly", "7", &months[..12]);
        mis[0]["properties"]["hs_start_datetime"] = json!("2027-01-02T00:00:00Z");
        refused(&app, mis, "2", Some("2027-01-01T00:00:00.000Z")).await;
        // An end that is not the last millisecond.
        let mut end = group("f", "g", "monthly", "7", &months[..12]);
        end[1]["properties"]["hs_end_datetime"] = json!("2027-03-01T00:00:00Z");
        refused(&app, end, "2", Some("2027-02-28T23:59:59.999Z")).await;
        // Too few, too many.
        refused(
            &app,
            group("f", "g", "monthly", "7", &months[..11]),
            "3",
            Some("12"),
        )
        .await;
        refused(
            &app,
            group("f", "g", "monthly", "7", &months[..13]),
            "3",
            Some("12"),
        )
        .await;
        // Mixed correlation uuids in one group.
        let mut mixed = group("f", "g", "monthly", "7", &months[..12]);
        mixed[5]["properties"]["hs_group_correlation_uuid"] = json!("other");
        refused(&app, mixed, "4", Some("f")).await;
        // Mixed group ids: two groups of 6, neither a goal year.
        let mut split = group("f", "g", "monthly", "7", &months[..12]);
        for s in &mut split[6..] {
            s["properties"]["hs_goal_target_group_id"] = json!("g2");
        }
        refused(&app, split, "3", None).await;
        // Missing required properties.
        let mut bare = group("f", "g", "monthly", "7", &months[..12]);
        bare[3]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("hs_end_datetime");
        refused(&app, bare, "1", None).await;
        // A group whose owner differs slice to slice.
        let mut owners = group("f", "g", "monthly", "7", &months[..12]);
        owners[4]["properties"]["hubspot_owner_id"] = json!("8");
        refused(&app, owners, "4", Some("7")).await;
    }
);

both!(
    new_groups_must_agree_with_their_family_and_be_new,
    |app: TestApp| async move {
        let months = utc_months(2027, 1, 12);
        assert_eq!(
            create(&app, group("fam", "g1", "monthly", "7", &months))
                .await
                .status,
            StatusCode::CREATED
        );
        // Another assignee joins the family: fine.
        assert_eq!(
            create(&app, group("fam", "g2", "monthly", "8", &months))
                .await
                .status,
            StatusCode::CREATED
        );
        // A group that renames the goal: refused, expected the family's name.
        let mut renamed = group("fam", "g3", "monthly", "9", &months);
        for s in &mut renamed {
            s["properties"]["hs_goal_name"] = json!("Other");
        }
        refused(&app, renamed, "4", Some("Revenue")).await;
        // The same group again: 409.
        let before = app.snapshot();
        let r = create(&app, group("fam", "g1", "monthly", "7", &months)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.body["category"], "CONFLICT");
        assert!(r.body["message"].as_str().unwrap().contains("g1"));
        assert_eq!(app.snapshot(), before);
        // One batch may hold several groups of one family.
        let mut two = group("fam2", "h1", "monthly", "7", &months);
        two.extend(group("fam2", "h2", "monthly", "8", &months));
        assert_eq!(create(&app, two).await.status, StatusCode::CREATED);
        let f = app.get(&format!("{FAMILIES}/fam2")).await;
        assert_eq!(f.body["groups"].as_array().unwrap().len(), 2);
    }
);

both!(
    single_slice_renames_are_refused_whole_family_renames_pass,
    |app: TestApp| async move {
        let made = ids(&create(
            &app,
            group("fam", "g1", "monthly", "7", &utc_months(2027, 1, 12)),
        )
        .await);
        let before = app.snapshot();
        let r = app
            .patch(
                &format!("{BASE}/{}", made[3]),
                json!({"properties": {"hs_goal_name": "Solo"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let msg = r.body["message"].as_str().unwrap();
        assert!(
            msg.contains("rule 4") && msg.contains("hs_goal_name") && msg.contains("fam"),
            "{msg}"
        );
        assert_eq!(
            r.body["errors"][0]["context"]["expected"],
            json!(["Revenue"])
        );
        assert_eq!(app.snapshot(), before);
        // Moving one slice's dates is refused too (rule 2: it would overlap).
        let r = app.patch(&format!("{BASE}/{}", made[3]), json!({"properties": {
        "hs_start_datetime": "2027-03-01T00:00:00Z", "hs_end_datetime": "2027-03-31T23:59:59.999Z"}})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // A per-slice change is fine.
        let r = app
            .patch(
                &format!("{BASE}/{}", made[3]),
                json!({"properties": {"hs_target_amount": "5", "hs_kpi_value": "2"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        // The whole family renamed in one batch update: fine; upsert of all: fine.
        let all: Vec<Value> = made
            .iter()
            .map(|id| json!({"id": id, "properties": {"hs_goal_name": "Renamed"}}))
            .collect();
        assert_eq!(
            app.post(&format!("{BASE}/batch/update"), json!({"inputs": all}))
                .await
                .status,
            StatusCode::OK
        );
        let half: Vec<Value> = made[..6]
            .iter()
            .map(|id| json!({"id": id, "properties": {"hs_goal_name": "Half"}}))
            .collect();
        let r = app
            .post(&format!("{BASE}/batch/upsert"), json!({"inputs": half}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "half a family renamed by upsert"
        );
    }
);
