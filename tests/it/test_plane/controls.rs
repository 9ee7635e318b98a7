//! The test plane's clock: timestamps, Pipedrive's is_active and open-ended horizons follow it.

use super::{portal, PORTALS};
use crate::support::family::Family;
use crate::support::{Backend, TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

pub(super) async fn control(
    app: &TestApp,
    method: Method,
    p: &str,
    tail: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let r = app
        .send(method, &format!("{PORTALS}/{p}{tail}"), Some(TOKEN), body)
        .await;
    (r.status, r.body)
}

fn pd_goal(title: &str, end: Value) -> Value {
    json!({
        "title": title, "type": {"name": "deals_started"}, "assignee": {"id": 1, "type": "person"},
        "expected_outcome": {"target": 3, "tracking_metric": "quantity"},
        "duration": {"start": "2027-01-01", "end": end}, "interval": "monthly"
    })
}

/// How many goal targets a Pipedrive goal has (its slices).
async fn slices(app: &TestApp, t: &str, goal: &str) -> i64 {
    let filter =
        json!({"propertyName": "hs_goal_target_group_id", "operator": "EQ", "value": goal});
    let body = json!({"limit": 1, "filterGroups": [{"filters": [filter]}]});
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/search",
            Some(t),
            Some(body),
        )
        .await;
    r.body["total"].as_i64().unwrap()
}

async fn clock(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.test_mode = true).await;
    let (p, t) = portal(&app, json!({})).await;
    let (s, b) = control(
        &app,
        Method::PUT,
        &p,
        "/clock",
        Some(json!({"now": "2027-01-15T09:00:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["now"].as_str(), &b["frozen"]),
        (Some("2027-01-15T09:00:00.000Z"), &json!(true))
    );
    // Writes take the portal's now: createdAt, updatedAt and history.
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/batch/create",
            Some(&t),
            Some(Family::monthly("f").body()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.body["results"][0]["createdAt"],
        "2027-01-15T09:00:00.000Z"
    );
    let id = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = control(
        &app,
        Method::POST,
        &p,
        "/clock/advance",
        Some(json!({"hours": 2})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .send(
            Method::PATCH,
            &format!("/crm/v3/objects/goal_targets/{id}"),
            Some(&t),
            Some(json!({"properties": {"hs_target_amount": "7"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["updatedAt"], "2027-01-15T11:00:00.000Z");
    let r = app
        .send(
            Method::GET,
            &format!("/crm/v3/objects/goal_targets/{id}?propertiesWithHistory=hs_target_amount"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        r.body["propertiesWithHistory"]["hs_target_amount"][0]["timestamp"],
        "2027-01-15T11:00:00.000Z",
        "{}",
        r.body
    );
    // Another portal keeps real time.
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/batch/create",
            Some(TOKEN),
            Some(Family::monthly("g").body()),
        )
        .await;
    assert!(
        r.body["results"][0]["createdAt"].as_str().unwrap() < "2027",
        "{}",
        r.body
    );

    // Pipedrive: is_active follows the portal's today, and an open-ended goal's slices reach a
    // year past it as the clock moves.
    let r = app
        .send(
            Method::POST,
            "/v1/goals",
            Some(&t),
            Some(pd_goal("Jan", json!("2027-01-31"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["goal"]["is_active"], true);
    let r = app
        .send(
            Method::POST,
            "/v1/goals",
            Some(&t),
            Some(pd_goal("Open", Value::Null)),
        )
        .await;
    let open = r.body["data"]["goal"]["id"].as_str().unwrap().to_owned();
    let before = slices(&app, &t, &open).await;
    assert_eq!(before, 13, "January 2027 through January 2028");
    let (s, b) = control(
        &app,
        Method::POST,
        &p,
        "/clock/advance",
        Some(json!({"days": 60})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["now"], "2027-03-16T11:00:00.000Z");
    let r = app
        .send(
            Method::GET,
            "/v1/goals/find?title=Jan&is_active=all",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.body["data"]["goals"][0]["is_active"], false, "{}", r.body);
    assert_eq!(
        slices(&app, &t, &open).await,
        before + 2,
        "two more months of horizon"
    );

    // Running from a set instant; back to real time; bad input changes nothing.
    let (_, b) = control(
        &app,
        Method::PUT,
        &p,
        "/clock",
        Some(json!({"now": 1_800_000_000_000i64, "frozen": false})),
    )
    .await;
    assert_eq!(b["frozen"], false);
    assert!(
        b["now"].as_str().unwrap() >= "2027-01-15T08:00:00.000Z",
        "{b}"
    );
    for (m, tail, body) in [
        (Method::PUT, "/clock", json!({"now": "soon"})),
        (
            Method::PUT,
            "/clock",
            json!({"now": "2027-01-01", "extra": 1}),
        ),
        (Method::PUT, "/clock", json!({})),
        (Method::POST, "/clock/advance", json!({"days": -1})),
        (Method::POST, "/clock/advance", json!({})),
        (Method::POST, "/clock/advance", json!({"days": "1"})),
    ] {
        let (s, b) = control(&app, m.clone(), &p, tail, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{m} {tail} {body}: {b}");
    }
    let (_, b) = control(&app, Method::GET, &p, "/clock", None).await;
    assert_eq!(b["frozen"], false, "unchanged by the refused requests");
    let (_, b) = control(&app, Method::DELETE, &p, "/clock", None).await;
    assert_eq!((&b["frozen"], &b["offsetMs"]), (&json!(false), &json!(0)));
    let (s, _) = control(&app, Method::GET, "99999", "/clock", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = app
        .send(Method::GET, &format!("{PORTALS}/{p}/clock"), Some(&t), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a test portal's token cannot drive the plane"
    );
}

#[actix_web::test]
async fn a_portal_clock_drives_timestamps_is_active_and_horizons_on_sqlite() {
    clock(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_portal_clock_drives_timestamps_is_active_and_horizons_on_postgres() {
    clock(Backend::Postgres).await;
}
