//! A test portal's data as a whole: snapshots restore exactly what was taken, reset empties,
//! seed loads a fixture through the API (all or nothing).

use super::controls::control;
use super::{portal, rows_of, total, PORTALS};
use crate::support::family::Family;
use crate::support::{Backend, TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

/// What a client can see of a portal: every goal target with every property and its archived
/// ones, a filtered total, its custom properties and its teams.
async fn seen(app: &TestApp, t: &str) -> Value {
    let mut out = Vec::new();
    for archived in [false, true] {
        let r = app
            .send(Method::GET, &format!("/crm/v3/objects/goal_targets?limit=100&archived={archived}&properties=hs_goal_name,hs_target_amount,hs_owner_id,hs_milestone"), Some(t), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        out.push(r.body["results"].clone());
    }
    let filtered = app
        .send(Method::POST, "/crm/v3/objects/goal_targets/search", Some(t), Some(json!({"limit": 1,
            "filterGroups": [{"filters": [{"propertyName": "hs_group_correlation_uuid", "operator": "EQ", "value": "a"}]}]})))
        .await;
    out.push(filtered.body["total"].clone());
    let props = app
        .send(
            Method::GET,
            "/crm/v3/properties/goal_targets",
            Some(t),
            None,
        )
        .await;
    out.push(json!(props.body["results"].as_array().unwrap().len()));
    let team = app
        .send(Method::GET, "/goalpost/v1/lookups/teams/1", Some(t), None)
        .await;
    out.push(json!([team.status.as_u16(), team.body]));
    json!(out)
}

async fn create(app: &TestApp, t: &str, name: &str) -> Value {
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/batch/create",
            Some(t),
            Some(Family::monthly(name).body()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn snapshots(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.test_mode = true).await;
    let (p, t) = portal(&app, json!({})).await;
    let a = create(&app, &t, "a").await;
    app.send(
        Method::PUT,
        "/goalpost/v1/lookups/teams/1",
        Some(&t),
        Some(json!({"name": "T", "users": [1]})),
    )
    .await;
    let taken = seen(&app, &t).await;
    let (s, b) = control(&app, Method::POST, &p, "/snapshots/start", None).await;
    assert_eq!((s, &b["objects"]), (StatusCode::CREATED, &json!(12)), "{b}");
    // Change everything a snapshot holds: more objects, an update, an archive, a property, a team.
    create(&app, &t, "b").await;
    let id = a["results"][0]["id"].as_str().unwrap();
    let r = app
        .send(
            Method::PATCH,
            &format!("/crm/v3/objects/goal_targets/{id}"),
            Some(&t),
            Some(json!({"properties": {"hs_target_amount": "1"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let family = a["results"][0]["properties"]["hs_group_correlation_uuid"]
        .as_str()
        .unwrap();
    let r = app
        .send(
            Method::POST,
            &format!("/goalpost/v1/families/{family}/archive"),
            Some(&t),
            None,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = app.send(Method::POST, "/crm/v3/properties/goal_targets", Some(&t), Some(json!({"name": "region", "label": "Region", "type": "string", "fieldType": "text", "groupName": "goal_target_information"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.send(
        Method::DELETE,
        "/goalpost/v1/lookups/teams/1",
        Some(&t),
        None,
    )
    .await;
    assert_ne!(seen(&app, &t).await, taken);
    let (s, b) = control(&app, Method::POST, &p, "/snapshots/start/restore", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(seen(&app, &t).await, taken, "restored exactly");
    // Writes after a restore: totals (cached by write version) stay exact, ids stay unique.
    create(&app, &t, "c").await;
    assert_eq!(seen(&app, &t).await[2], 12);
    assert_eq!(total(&app, &t).await, json!(24));

    // Reset empties the portal and keeps its token and snapshots; restore brings it back.
    let (s, _) = control(&app, Method::POST, &p, "/reset", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(total(&app, &t).await, json!(0));
    let (_, list) = control(&app, Method::GET, &p, "/snapshots", None).await;
    assert_eq!(list["results"][0]["name"], "start");
    control(&app, Method::POST, &p, "/snapshots/start/restore", None).await;
    assert_eq!(seen(&app, &t).await, taken);

    // Names, unknown snapshots, other portals.
    for (m, tail, want) in [
        (Method::POST, "/snapshots/bad name", StatusCode::BAD_REQUEST),
        (
            Method::POST,
            "/snapshots/nope/restore",
            StatusCode::NOT_FOUND,
        ),
        (Method::DELETE, "/snapshots/nope", StatusCode::NOT_FOUND),
    ] {
        let (s, b) = control(&app, m.clone(), &p, &tail.replace(' ', "%20"), None).await;
        assert_eq!(s, want, "{m} {tail}: {b}");
    }
    let (s, _) = control(&app, Method::POST, "99999", "/snapshots/x", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A deleted portal takes its snapshots with it (their tables have a portal_id too).
    app.send(Method::DELETE, &format!("{PORTALS}/{p}"), Some(TOKEN), None)
        .await;
    assert_eq!(rows_of(&app, p.parse().unwrap()), 0);
}

async fn seed(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.test_mode = true).await;
    let (p, t) = portal(&app, json!({})).await;
    let lines = [
        json!({"method": "POST", "path": "/crm/v3/objects/goal_targets/batch/create", "body": Family::monthly("seeded").body()}),
        json!({"method": "PUT", "path": "/goalpost/v1/lookups/teams/4", "body": {"name": "East", "users": [1, 2]}}),
        json!({"path": "/v1/goals", "body": {"title": "PD", "type": {"name": "deals_won"}, "assignee": {"id": 1, "type": "person"},
            "expected_outcome": {"target": 5, "tracking_metric": "quantity"}, "duration": {"start": "2027-01-01", "end": "2027-03-31"}, "interval": "monthly"}}),
    ];
    let ndjson = lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let r = app
        .send_raw(Method::POST, &format!("{PORTALS}/{p}/seed"), ndjson.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["lines"], 3);
    assert_eq!(r.body["results"][0]["status"], 201);
    assert_eq!(
        total(&app, &t).await,
        json!(15),
        "12 slices and the Pipedrive goal's 3"
    );
    // A refused line: a 400 naming it, and nothing of the seed stays.
    let bad = [
        json!({"path": "/crm/v3/objects/goal_targets/batch/create", "body": Family::monthly("more").body()}),
        json!({"path": "/crm/v3/objects/goal_targets/batch/create", "body": {"inputs": [{"properties": {"hs_milestone": "sometimes"}}]}}),
    ];
    let ndjson = bad
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let r = app
        .send_raw(Method::POST, &format!("{PORTALS}/{p}/seed"), ndjson.clone())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("line 2: POST"),
        "{}",
        r.body
    );
    assert_eq!(total(&app, &t).await, json!(15));
    for body in [
        "{not json",
        "{\"path\": \"/goalpost/v1/test/portals\"}",
        "{\"path\": \"x\"}",
        "{\"path\": \"/x\", \"colour\": 1}",
        // Encoded, the plane's path still matches its routes; a seed line never holds its scope.
        "{\"path\": \"/goalpost/v1/%74est/portals/1/reset\"}",
    ] {
        let r = app
            .send_raw(Method::POST, &format!("{PORTALS}/{p}/seed"), body)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
    }
    let (_, list) = control(&app, Method::GET, &p, "/snapshots", None).await;
    assert_eq!(
        list["results"],
        json!([]),
        "the seed's own snapshot is gone"
    );
    assert_eq!(total(&app, &t).await, json!(15));
    // The default portal and the caller's own are never reset, restored or seeded.
    for tail in ["/reset", "/seed", "/snapshots/x/restore"] {
        let r = app
            .send_raw(Method::POST, &format!("{PORTALS}/1{tail}"), "")
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{tail}: {}", r.body);
    }
}

#[actix_web::test]
async fn snapshots_restore_exactly_and_reset_empties_on_sqlite() {
    snapshots(Backend::Sqlite).await;
}

#[actix_web::test]
async fn snapshots_restore_exactly_and_reset_empties_on_postgres() {
    snapshots(Backend::Postgres).await;
}

#[actix_web::test]
async fn seeding_is_all_or_nothing_on_sqlite() {
    seed(Backend::Sqlite).await;
}

#[actix_web::test]
async fn seeding_is_all_or_nothing_on_postgres() {
    seed(Backend::Postgres).await;
}
