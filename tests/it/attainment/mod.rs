//! Attainment for HubSpot goal targets, computed from their KPI definitions over deals and
//! activities written in HubSpot's vocabulary (and Pipedrive's), and kept true as they move.

mod definitions;
mod pacing;

use crate::both;
use crate::support::family::{periods, utc_months, Family};
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// Batch-creates a family group with these extra properties on every slice; returns the slice
/// ids in period order.
pub async fn family(app: &TestApp, f: &Family, extra: Value) -> Vec<String> {
    let mut inputs = f.inputs();
    for i in &mut inputs {
        let props = i["properties"].as_object_mut().unwrap();
        for (k, v) in extra.as_object().unwrap() {
            props.insert(k.clone(), v.clone());
        }
    }
    let r = app
        .post(
            "/crm/v3/objects/goal_targets/batch/create",
            json!({ "inputs": inputs }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut rows: Vec<(String, String)> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["properties"]["hs_start_datetime"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                o["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, id)| id).collect()
}

/// Creates one record; returns its id.
pub async fn record(app: &TestApp, object_type: &str, props: Value) -> String {
    let r = app
        .post(
            &format!("/crm/v3/objects/{object_type}"),
            json!({ "properties": props }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A slice's computed properties.
pub async fn slice(app: &TestApp, id: &str) -> Map<String, Value> {
    let r = app
        .get(&format!(
            "/crm/v3/objects/goal_targets/{id}?properties=hs_kpi_value,hs_kpi_progress_percent,hs_status,hs_outcome,\
             hs_kpi_value_calculated_at,hs_kpi_value_last_calculated_at,hs_should_recalculate,hs_target_amount"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["properties"].as_object().unwrap().clone()
}

pub async fn value(app: &TestApp, id: &str) -> Option<String> {
    slice(app, id).await["hs_kpi_value"]
        .as_str()
        .map(str::to_owned)
}

#[derive(Debug, PartialEq)]
pub enum Phase {
    Before,
    During,
    After,
}

/// Where now is against a UTC calendar month.
pub fn now_in(year: i32, month: u32) -> Phase {
    let (start, end) = utc_months(year, month, 1).remove(0);
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    if now < start {
        Phase::Before
    } else if now <= end {
        Phase::During
    } else {
        Phase::After
    }
}

const WON_AMOUNT: &str =
    r#"[{"filters":[{"property":"dealstage","operator":"EQ","value":"closedwon"}]}]"#;

fn revenue_kpi() -> Value {
    json!({
        "hs_kpi_object_type": "DEAL", "hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "SUM",
        "hs_kpi_property_name": "amount", "hs_kpi_time_period_property": "closedate",
        "hs_kpi_filter_groups": WON_AMOUNT, "hs_kpi_tracking_method": "HIGHER_IS_BETTER",
    })
}

both!(
    sum_and_count_over_deals_with_filters_pipelines_and_owners,
    |app: TestApp| async move {
        // A deal that exists before the goal is counted when the goal is created.
        record(&app, "deals", json!({"dealname": "A", "amount": "100", "dealstage": "closedwon", "closedate": "2027-01-10T12:00:00Z", "hubspot_owner_id": "7", "pipeline": "2"})).await;
        let sum = family(
            &app,
            &Family::new("sum", "monthly", utc_months(2027, 1, 12)).target("400"),
            revenue_kpi(),
        )
        .await;
        let count = family(&app, &Family::new("count", "monthly", utc_months(2027, 1, 12)).target("4"), json!({
        "hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "COUNT", "hs_pipeline_ids": "2;5",
    })).await;
        assert_eq!(value(&app, &sum[0]).await.as_deref(), Some("100"));
        assert_eq!(value(&app, &count[0]).await.as_deref(), Some("1"));
        // Deals written afterwards move the slices they fall in: another owner's and a deal not
        // yet won do not count towards the sum; the count goal counts every deal of pipeline 2 or 5.
        record(&app, "deals", json!({"dealname": "B", "amount": "50", "dealstage": "closedwon", "closedate": "2027-01-20T00:00:00Z", "hubspot_owner_id": "8", "pipeline": "2"})).await;
        record(&app, "deals", json!({"dealname": "C", "amount": "30", "dealstage": "appointmentscheduled", "closedate": "2027-01-15T00:00:00Z", "hubspot_owner_id": "7", "pipeline": "5"})).await;
        record(&app, "deals", json!({"dealname": "D", "amount": "70.5", "dealstage": "closedwon", "closedate": "2027-02-03T00:00:00Z", "hubspot_owner_id": "7", "pipeline": "9"})).await;
        // Pipedrive's vocabulary is the same deal store.
        record(&app, "deals", json!({"title": "E", "value": "25", "status": "won", "close_time": "2027-01-31T23:59:59.999Z", "user_id": "7", "pipeline_id": "5"})).await;
        let jan = slice(&app, &sum[0]).await;
        assert_eq!(jan["hs_kpi_value"], "125", "{jan:?}");
        assert_eq!(jan["hs_kpi_progress_percent"], "31.25");
        assert!(jan["hs_kpi_value_calculated_at"].is_string(), "{jan:?}");
        assert_eq!(value(&app, &sum[1]).await.as_deref(), Some("70.5"));
        assert_eq!(value(&app, &sum[2]).await.as_deref(), Some("0"));
        assert_eq!(
            value(&app, &count[0]).await.as_deref(),
            Some("3"),
            "A, C and E are owner 7's deals in pipelines 2 and 5"
        );
        assert_eq!(value(&app, &count[1]).await.as_deref(), Some("0"));
        // Status follows the clock: pending before January 2027, then running, then missed
        // (125 of 400).
        let (status, outcome) = match now_in(2027, 1) {
            Phase::Before => ("pending", "in_progress"),
            Phase::During => ("in_progress", "in_progress"),
            Phase::After => ("missed", "missed"),
        };
        assert_eq!(
            (jan["hs_status"].as_str(), jan["hs_outcome"].as_str()),
            (Some(status), Some(outcome)),
            "{jan:?}"
        );
    }
);

both!(
    a_deal_moving_between_periods_moves_attainment,
    |app: TestApp| async move {
        let ids = family(
            &app,
            &Family::new("move", "monthly", utc_months(2027, 1, 12)),
            revenue_kpi(),
        )
        .await;
        let deal = record(&app, "deals", json!({"amount": "100", "dealstage": "closedwon", "closedate": "2027-01-10T00:00:00Z", "hubspot_owner_id": "7"})).await;
        assert_eq!(value(&app, &ids[0]).await.as_deref(), Some("100"));
        let path = format!("/crm/v3/objects/deals/{deal}");
        let r = app
            .patch(
                &path,
                json!({"properties": {"closedate": "2027-02-10T00:00:00Z"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            value(&app, &ids[0]).await.as_deref(),
            Some("0"),
            "moved out of January"
        );
        assert_eq!(
            value(&app, &ids[1]).await.as_deref(),
            Some("100"),
            "moved into February"
        );
        // Pipedrive's name for the amount, and a lost deal.
        app.patch(&path, json!({"properties": {"value": "60"}}))
            .await;
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("60"));
        app.patch(&path, json!({"properties": {"dealstage": "closedlost"}}))
            .await;
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("0"));
        app.patch(&path, json!({"properties": {"status": "won"}}))
            .await;
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("60"));
        // A reassigned deal leaves its old owner's goal; an archived one leaves every goal.
        app.patch(&path, json!({"properties": {"hubspot_owner_id": "8"}}))
            .await;
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("0"));
        app.patch(&path, json!({"properties": {"hubspot_owner_id": "7"}}))
            .await;
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("60"));
        assert_eq!(app.delete(&path).await.status, StatusCode::NO_CONTENT);
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("0"));
        // The target's own change recomputes too, and the write's response shows the result.
        record(&app, "deals", json!({"amount": "50", "dealstage": "closedwon", "closedate": "2027-02-11T00:00:00Z", "hubspot_owner_id": "7"})).await;
        assert_eq!(slice(&app, &ids[1]).await["hs_kpi_progress_percent"], "5");
        let r = app
            .patch(
                &format!("/crm/v3/objects/goal_targets/{}", ids[1]),
                json!({"properties": {"hs_target_amount": "500"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["properties"]["hs_kpi_progress_percent"], "10",
            "{}",
            r.body
        );
    }
);

both!(activities_counted_for_a_team, |app: TestApp| async move {
    let r = app
        .send(
            Method::PUT,
            "/goalpost/v1/lookups/teams/3",
            Some(crate::support::TOKEN),
            Some(json!({"name": "East", "users": [7, 8]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut f = Family::new("calls", "monthly", utc_months(2027, 1, 12)).target("3");
    f = f.owner("");
    let ids = family(&app, &f, json!({
        "hubspot_owner_id": "", "hs_assignee_team_id": "3",
        "hs_kpi_object_type": "ACTIVITY", "hs_kpi_metric_type": "COUNT",
        "hs_kpi_time_period_property": "hs_task_completion_date",
        "hs_kpi_filter_groups": r#"[{"filters":[{"property":"hs_task_status","operator":"EQ","value":"COMPLETED"}]}]"#,
    })).await;
    for (owner, status, at) in [
        ("7", "COMPLETED", "2027-01-05T10:00:00Z"),
        ("8", "COMPLETED", "2027-01-06T10:00:00Z"),
        ("9", "COMPLETED", "2027-01-07T10:00:00Z"),
        ("7", "NOT_STARTED", "2027-01-08T10:00:00Z"),
    ] {
        record(&app, "activities", json!({"hs_task_subject": "call", "hubspot_owner_id": owner, "hs_task_status": status, "hs_task_completion_date": at})).await;
    }
    // Pipedrive's vocabulary: done, marked as done.
    record(&app, "activities", json!({"subject": "call", "user_id": "8", "done": "true", "marked_as_done_time": "2027-01-09T10:00:00Z"})).await;
    assert_eq!(
        value(&app, &ids[0]).await.as_deref(),
        Some("3"),
        "team members' completed activities"
    );
    let s = slice(&app, &ids[0]).await;
    assert_eq!(s["hs_kpi_progress_percent"], "100");
    // The team loses a member: its goal counts one person's activities now.
    let r = app
        .send(
            Method::PUT,
            "/goalpost/v1/lookups/teams/3",
            Some(crate::support::TOKEN),
            Some(json!({"name": "East", "users": [7]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(value(&app, &ids[0]).await.as_deref(), Some("1"));
    // 3 of 3: achieved once January 2027 has begun.
    let status = if now_in(2027, 1) == Phase::Before {
        "pending"
    } else {
        "achieved"
    };
    assert_eq!(s["hs_status"], status, "{s:?}");
});

both!(
    a_manual_value_wins_until_cleared,
    |app: TestApp| async move {
        let ids = family(
            &app,
            &Family::new("manual", "monthly", utc_months(2027, 1, 12)),
            revenue_kpi(),
        )
        .await;
        let path = format!("/crm/v3/objects/goal_targets/{}", ids[0]);
        let r = app
            .patch(&path, json!({"properties": {"hs_kpi_value": "999"}}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        record(&app, "deals", json!({"amount": "100", "dealstage": "closedwon", "closedate": "2027-01-10T00:00:00Z", "hubspot_owner_id": "7"})).await;
        let s = slice(&app, &ids[0]).await;
        assert_eq!(s["hs_kpi_value"], "999", "{s:?}");
        assert_eq!(s["hs_kpi_progress_percent"], "99.9");
        assert!(
            s["hs_kpi_value_calculated_at"].is_null(),
            "an override is not a computed value: {s:?}"
        );
        // Cleared: computed again at once.
        app.patch(&path, json!({"properties": {"hs_kpi_value": ""}}))
            .await;
        let s = slice(&app, &ids[0]).await;
        assert_eq!(s["hs_kpi_value"], "100", "{s:?}");
        assert!(s["hs_kpi_value_calculated_at"].is_string());
    }
);

both!(
    periods_follow_the_portal_time_zone_across_dst,
    |app: TestApp| async move {
        app.set_time_zone("America/New_York");
        let tz = chrono_tz::America::New_York;
        let f = Family::new(
            "dst",
            "monthly",
            periods(tz, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(), 1, 12),
        );
        let ids = family(&app, &f, revenue_kpi()).await;
        // 23:30 on March 31 in New York (daylight time) is April 1 in UTC: March's.
        // 23:30 on February 28 in New York (standard time) is March 1 in UTC: before the goal.
        // 00:30 on November 7 in New York, after the autumn change: November's.
        for at in [
            "2027-04-01T03:30:00Z",
            "2027-03-01T04:30:00Z",
            "2027-11-07T04:30:00Z",
            "2027-03-14T07:30:00Z",
        ] {
            record(&app, "deals", json!({"amount": "10", "dealstage": "closedwon", "closedate": at, "hubspot_owner_id": "7"})).await;
        }
        assert_eq!(
            value(&app, &ids[0]).await.as_deref(),
            Some("20"),
            "March: the 14th (after the spring change) and the 31st"
        );
        assert_eq!(value(&app, &ids[1]).await.as_deref(), Some("0"), "April");
        assert_eq!(
            value(&app, &ids[8]).await.as_deref(),
            Some("10"),
            "November"
        );
    }
);

both!(recalculation_on_demand, |app: TestApp| async move {
    let ids = family(
        &app,
        &Family::new("again", "monthly", utc_months(2027, 1, 12)),
        revenue_kpi(),
    )
    .await;
    let before = slice(&app, &ids[0]).await["hs_kpi_value_last_calculated_at"].clone();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = app
        .patch(
            &format!("/crm/v3/objects/goal_targets/{}", ids[0]),
            json!({"properties": {"hs_should_recalculate": "true"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = slice(&app, &ids[0]).await;
    assert_eq!(s["hs_should_recalculate"], "false", "{s:?}");
    assert_ne!(s["hs_kpi_value_last_calculated_at"], before);
    std::thread::sleep(std::time::Duration::from_millis(5));
    // The family route recalculates every slice.
    let r = app
        .post("/goalpost/v1/families/again/recalculate", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["recalculated"], 12, "{}", r.body);
    assert_eq!(
        r.body["changed"], 12,
        "an explicit recalculation stamps every slice: {}",
        r.body
    );
    assert_ne!(
        slice(&app, &ids[0]).await["hs_kpi_value_last_calculated_at"],
        s["hs_kpi_value_last_calculated_at"]
    );
});
