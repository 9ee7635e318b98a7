//! Pipedrive's v1 goals spec as documented: each example fragment of the add and update
//! bodies is accepted as written (ids and targets as strings, `activity_type_id` beside a
//! `deals_started` type), and `find` takes the documented `null` and Pipedrive's paging.

use super::{add_goal, GOALS};
use crate::both;
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

/// The spec's fragments (POST /goals, PUT /goals/{id} descriptions), verbatim.
fn documented(outcome: Value) -> Value {
    json!({
        "title": "Documented",
        "assignee": { "id": "1", "type": "person" },
        "type": { "name": "deals_started", "params": { "pipeline_id": [1, 2], "activity_type_id": [9] } },
        "expected_outcome": outcome,
        "duration": { "start": "2019-01-01", "end": "2022-12-31" },
        "interval": "monthly"
    })
}

both!(documented_bodies_are_accepted, |app: TestApp| async move {
    let quantity = add_goal(
        &app,
        documented(json!({ "target": "50", "tracking_metric": "quantity" })),
    )
    .await;
    let sum = add_goal(
        &app,
        documented(json!({ "target": "50", "tracking_metric": "sum", "currency_id": 1 })),
    )
    .await;
    let r = app
        .send(
            Method::GET,
            &format!("{GOALS}/find?type.params.pipeline_id=1&is_active=all"),
            Some(crate::support::TOKEN),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let goals = r.body["data"]["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 2, "{}", r.body);
    let found = goals.iter().find(|g| g["id"] == quantity.as_str()).unwrap();
    assert_eq!(found["type"]["params"]["activity_type_id"], json!([9]));
    assert_eq!(found["assignee"], json!({"id": 1, "type": "person"}));
    assert_eq!(found["expected_outcome"]["target"], json!(50));

    // The update fragments, each alone (PUT requires nothing).
    for part in [
        json!({ "assignee": { "id": "1", "type": "person" } }),
        json!({ "type": { "name": "deals_started", "params": { "pipeline_id": [1, 2], "activity_type_id": [9] } } }),
        json!({ "expected_outcome": { "target": "50", "tracking_metric": "sum", "currency_id": 1 } }),
        json!({ "duration": { "start": "2019-01-01", "end": "2022-12-31" } }),
        json!({ "duration": { "start": "2019-01-01", "end": null } }),
        json!({ "type": { "name": "deals_won", "params": { "pipeline_id": null } } }),
    ] {
        let r = app
            .send(
                Method::PUT,
                &format!("{GOALS}/{sum}"),
                Some(crate::support::TOKEN),
                Some(part.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{part}: {}", r.body);
    }
});

both!(find_takes_null_and_paging, |app: TestApp| async move {
    let mut ids = Vec::new();
    for n in 0..5 {
        let mut body = documented(json!({ "target": n + 1, "tracking_metric": "quantity" }));
        body["duration"] = json!({ "start": "2026-01-01", "end": null });
        ids.push(add_goal(&app, body).await);
    }
    let find = |q: &'static str| {
        let app = &app;
        async move {
            let r = app
                .send(
                    Method::GET,
                    &format!("{GOALS}/find?{q}"),
                    Some(crate::support::TOKEN),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            r.body
        }
    };
    let all = find("type.params.pipeline_id=null&type.params.activity_type_id=null").await;
    assert_eq!(all["data"]["goals"].as_array().unwrap().len(), 5);
    assert!(all.get("additional_data").is_none(), "unpaged: {all}");

    let mut seen: Vec<String> = Vec::new();
    let first = find("start=0&limit=2").await;
    let pagination = &first["additional_data"]["pagination"];
    assert_eq!(pagination["more_items_in_collection"], true, "{first}");
    assert_eq!(pagination["next_start"], 2);
    for body in [
        first,
        find("start=2&limit=2").await,
        find("start=4&limit=2").await,
    ] {
        for g in body["data"]["goals"].as_array().unwrap() {
            seen.push(g["id"].as_str().unwrap().to_owned());
        }
    }
    let last = find("start=4&limit=2").await;
    assert_eq!(
        last["additional_data"]["pagination"]["more_items_in_collection"],
        false
    );
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids, "pages cover every goal once");

    for bad in [
        "limit=0",
        "limit=501",
        "start=x",
        "type.params.pipeline_id=one",
    ] {
        let r = app
            .send(
                Method::GET,
                &format!("{GOALS}/find?{bad}"),
                Some(crate::support::TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(r.body["success"], false);
    }
});
