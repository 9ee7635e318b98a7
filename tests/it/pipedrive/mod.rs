//! Pipedrive's Goals API v1: progress for every goal type over known deals and activities,
//! bad input in Pipedrive's error shape that changes nothing, one goal seen through both APIs,
//! and open-ended goals growing with time.

mod bad_input;
mod both_apis;
mod documented;

use crate::both;
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

const GOALS: &str = "/v1/goals";

async fn lookup(app: &TestApp, kind: &str, id: i64, body: Value) {
    let r = app
        .send(
            Method::PUT,
            &format!("/goalpost/v1/lookups/{kind}/{id}"),
            Some(crate::support::TOKEN),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Creates records of a type; returns their ids in order.
async fn create(app: &TestApp, object_type: &str, records: Vec<Value>) -> Vec<String> {
    let inputs: Vec<Value> = records
        .into_iter()
        .map(|p| json!({ "properties": p }))
        .collect();
    let r = app
        .post(
            &format!("/crm/v3/objects/{object_type}/batch/create"),
            json!({ "inputs": inputs }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut rows: Vec<(i64, String)> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let id = o["id"].as_str().unwrap().to_owned();
            (id.parse().unwrap(), id)
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, id)| id).collect()
}

async fn add_goal(app: &TestApp, body: Value) -> String {
    let r = app.post(GOALS, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["success"], true);
    r.body["data"]["goal"]["id"].as_str().unwrap().to_owned()
}

fn goal(title: &str, kind: Value, assignee: Value, outcome: Value) -> Value {
    json!({
        "title": title, "type": kind, "assignee": assignee, "expected_outcome": outcome,
        "duration": {"start": "2026-01-01", "end": "2026-03-31"}, "interval": "monthly"
    })
}

async fn progress(app: &TestApp, id: &str, start: &str, end: &str) -> (f64, Value) {
    let r = app
        .get(&format!(
            "{GOALS}/{id}/results?period.start={start}&period.end={end}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["data"]["progress"].as_f64().unwrap(),
        r.body["data"]["intervals"].clone(),
    )
}

/// Deals and activities with known times, owners, currencies, pipelines and stages.
async fn sales(app: &TestApp) {
    lookup(app, "currencies", 1, json!({"code": "EUR", "name": "Euro"})).await;
    lookup(
        app,
        "activity_types",
        5,
        json!({"key_string": "call", "name": "Call"}),
    )
    .await;
    lookup(
        app,
        "activity_types",
        6,
        json!({"key_string": "email", "name": "Email"}),
    )
    .await;
    lookup(
        app,
        "stages",
        3,
        json!({"name": "Proposal", "pipeline_id": 1, "deal_probability": 40}),
    )
    .await;
    lookup(app, "teams", 7, json!({"name": "East", "users": [1, 2]})).await;
    let deals = create(
        app,
        "deals",
        vec![
            json!({"title": "D1", "user_id": "1", "value": "100", "currency": "EUR", "status": "won", "pipeline_id": "1", "add_time": "2026-01-05 09:00:00", "won_time": "2026-02-10 10:00:00"}),
            json!({"title": "D2", "user_id": "2", "value": "50", "currency": "EUR", "status": "won", "pipeline_id": "2", "add_time": "2026-01-20 09:00:00", "won_time": "2026-03-15 10:00:00"}),
            json!({"title": "D3", "user_id": "1", "value": "70", "currency": "USD", "status": "won", "pipeline_id": "1", "add_time": "2026-02-01 09:00:00", "won_time": "2026-02-20 10:00:00"}),
            json!({"title": "D4", "user_id": "3", "value": "200", "currency": "EUR", "status": "open", "pipeline_id": "1", "stage_id": "3", "add_time": "2026-03-01 09:00:00", "update_time": "2026-03-01 09:00:00", "expected_close_date": "2026-03-31"}),
            json!({"title": "D5", "user_id": "1", "value": "80", "currency": "EUR", "status": "deleted", "pipeline_id": "1", "add_time": "2026-01-10 09:00:00"}),
            json!({"title": "D6", "user_id": "1", "value": "30", "currency": "eur", "status": "open", "pipeline_id": "1", "stage_id": "2", "probability": "50", "add_time": "2026-02-01 08:00:00", "update_time": "2026-02-01 08:00:00", "expected_close_date": "2026-02-28"}),
        ],
    )
    .await;
    // D6 enters stage 3 in February, leaves, and enters it again in March.
    for (stage, at) in [
        ("3", "2026-02-14 12:00:00"),
        ("4", "2026-03-02 12:00:00"),
        ("3", "2026-03-05 12:00:00"),
    ] {
        let r = app
            .patch(
                &format!("/crm/v3/objects/deals/{}", deals[5]),
                json!({"properties": {"stage_id": stage, "update_time": at}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    create(
        app,
        "activities",
        vec![
            json!({"subject": "A1", "type": "call", "user_id": "1", "add_time": "2026-01-03 09:00:00", "done": "true", "marked_as_done_time": "2026-01-04 09:00:00", "deal_id": deals[0]}),
            json!({"subject": "A2", "type": "email", "user_id": "2", "add_time": "2026-01-15 09:00:00", "done": "false"}),
            json!({"subject": "A3", "type": "call", "user_id": "1", "add_time": "2026-02-02 09:00:00", "done": "true", "marked_as_done_time": "2026-03-01 09:00:00", "deal_id": deals[1]}),
            json!({"subject": "A4", "type": "call", "user_id": "3", "add_time": "2026-02-05 09:00:00", "active_flag": "false"}),
        ],
    )
    .await;
}

const PERIODS: [(&str, &str); 4] = [
    ("2026-01-01", "2026-03-31"),
    ("2026-01-01", "2026-01-31"),
    ("2026-02-01", "2026-02-28"),
    ("2026-03-01", "2026-03-31"),
];

both!(progress_for_every_goal_type, |app: TestApp| async move {
    sales(&app).await;
    let company = json!({"id": 1, "type": "company"});
    let person = json!({"id": 1, "type": "person"});
    let team = json!({"id": 7, "type": "team"});
    let count = json!({"target": 2, "tracking_metric": "quantity"});
    let eur = json!({"target": 200, "tracking_metric": "sum", "currency_id": 1});
    // (goal, progress over Q1, January, February, March)
    let cases: Vec<(Value, [f64; 4])> = vec![
        // Not deleted, by add_time: D1 D2 | D3 D6 | D4.
        (
            goal(
                "started",
                json!({"name": "deals_started"}),
                company.clone(),
                count.clone(),
            ),
            [5.0, 2.0, 2.0, 1.0],
        ),
        // Person 1's EUR won deals: D1 in February (D3 is in USD).
        (
            goal(
                "won eur",
                json!({"name": "deals_won"}),
                person.clone(),
                eur.clone(),
            ),
            [100.0, 0.0, 100.0, 0.0],
        ),
        // Team 7 (users 1, 2) in pipeline 1: D1 and D3 in February (D2 is in pipeline 2).
        (
            goal(
                "won team",
                json!({"name": "deals_won", "params": {"pipeline_id": [1]}}),
                team.clone(),
                count.clone(),
            ),
            [2.0, 0.0, 2.0, 0.0],
        ),
        // Entering stage 3: D6 in February; D4 and D6 again in March; distinct deals per period.
        (
            goal(
                "progressed",
                json!({"name": "deals_progressed", "params": {"stage_id": 3}}),
                company.clone(),
                count.clone(),
            ),
            [2.0, 0.0, 1.0, 2.0],
        ),
        (
            goal(
                "progressed eur",
                json!({"name": "deals_progressed", "params": {"stage_id": 3}}),
                company.clone(),
                eur.clone(),
            ),
            [230.0, 0.0, 30.0, 230.0],
        ),
        // Won EUR by won_time (D1 100 Feb, D2 50 Mar) plus open EUR weighted by close date
        // (D6 30 × 50 % Feb; D4 200 × its stage's 40 % Mar).
        (
            goal(
                "forecast",
                json!({"name": "revenue_forecast"}),
                company.clone(),
                eur.clone(),
            ),
            [245.0, 0.0, 115.0, 130.0],
        ),
        // Calls added (A4 is deleted): A1 Jan, A3 Feb.
        (
            goal(
                "calls",
                json!({"name": "activities_added", "params": {"activity_type_id": [5]}}),
                company.clone(),
                count.clone(),
            ),
            [2.0, 1.0, 1.0, 0.0],
        ),
        (
            goal(
                "added",
                json!({"name": "activities_added"}),
                company.clone(),
                count.clone(),
            ),
            [3.0, 2.0, 1.0, 0.0],
        ),
        // Person 1's completed activities on pipeline 2 deals: A3 (deal D2) in March.
        (
            goal(
                "done",
                json!({"name": "activities_completed", "params": {"pipeline_id": [2]}}),
                person.clone(),
                count.clone(),
            ),
            [1.0, 0.0, 0.0, 1.0],
        ),
    ];
    for (body, want) in cases {
        let title = body["title"].as_str().unwrap().to_owned();
        let id = add_goal(&app, body).await;
        for ((start, end), want) in PERIODS.iter().zip(want) {
            let (got, intervals) = progress(&app, &id, start, end).await;
            assert_eq!(got, want, "{title} {start}..{end}");
            let sum: f64 = intervals
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["progress"].as_f64().unwrap())
                .sum();
            if !title.starts_with("progressed") {
                assert_eq!(sum, want, "{title}: intervals add up");
            }
        }
    }
});

both!(
    progress_is_written_to_the_hubspot_side,
    |app: TestApp| async move {
        sales(&app).await;
        let id = add_goal(
            &app,
            goal(
                "won eur",
                json!({"name": "deals_won"}),
                json!({"id": 1, "type": "person"}),
                json!({"target": 200, "tracking_metric": "sum", "currency_id": 1}),
            ),
        )
        .await;
        progress(&app, &id, "2026-01-01", "2026-01-31").await;
        let r = app
        .post(
            "/crm/v3/objects/goal_targets/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_name", "operator": "EQ", "value": "won eur"}]}],
                   "sorts": ["hs_start_datetime"], "properties": ["hs_kpi_value", "hs_kpi_progress_percent", "hs_kpi_value_last_calculated_at"]}),
        )
        .await;
        let kpi: Vec<(&str, &str)> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["properties"]["hs_kpi_value"].as_str().unwrap(),
                    o["properties"]["hs_kpi_progress_percent"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(kpi, [("0", "0"), ("100", "50"), ("0", "0")]);
    }
);
