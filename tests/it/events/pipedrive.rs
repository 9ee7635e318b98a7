//! Pipedrive's webhooks API with the goal events Pipedrive itself does not send: added,
//! updated and deleted goals reach a real receiver in Pipedrive's v1 and v2 payload shapes,
//! in order, with basic auth; bad webhook input is a 400 in Pipedrive's shape.

use crate::support::http::send;
use crate::support::receiver::Receiver;
use crate::support::server::Server;
use crate::support::{Backend, TOKEN};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn call(server: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    send(
        &server.base_url,
        method,
        path,
        TOKEN,
        body.as_ref(),
        Duration::from_secs(30),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

fn goal_events_reach_pipedrive_webhooks(backend: Backend) {
    let rx = Receiver::start();
    let server = Server::start_on(
        crate::support::TestDb::new(backend),
        &[("GOALPOST_WEBHOOK_BACKOFF_MS", "100")],
    );
    for (bad, why) in [
        (
            json!({"event_action": "*", "event_object": "goal"}),
            "no URL",
        ),
        (
            json!({"subscription_url": "ftp://x.example/", "event_action": "*", "event_object": "goal"}),
            "scheme",
        ),
        (
            json!({"subscription_url": "https://x.example/", "event_action": "boom", "event_object": "goal"}),
            "action",
        ),
        (
            json!({"subscription_url": "https://x.example/", "event_action": "*", "event_object": "goal", "version": "3.0"}),
            "version",
        ),
    ] {
        let (status, body) = call(&server, "POST", "/v1/webhooks", Some(bad));
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(body["success"], false, "Pipedrive's error shape: {body}");
    }
    let (status, v1) = call(
        &server,
        "POST",
        "/v1/webhooks",
        Some(json!({
        "subscription_url": format!("{}/pd1", rx.url), "event_action": "*", "event_object": "goal",
        "version": "1.0", "http_auth_user": "u", "http_auth_password": "p"})),
    );
    assert_eq!(status, 201, "{v1}");
    assert_eq!(
        v1["data"]["http_auth_password"], "******",
        "never shown back"
    );
    let (status, v2) = call(
        &server,
        "POST",
        "/v1/webhooks",
        Some(json!({
        "subscription_url": format!("{}/pd2", rx.url), "event_action": "change", "event_object": "goal"})),
    );
    assert_eq!(status, 201, "{v2}");
    assert_eq!(v2["data"]["version"], "2.0");

    let goal = json!({"title": "Q1 deals", "assignee": {"id": 1, "type": "person"},
        "type": {"name": "deals_won", "params": {"pipeline_id": [1]}},
        "expected_outcome": {"target": 10, "tracking_metric": "quantity"},
        "duration": {"start": "2027-01-01", "end": "2027-03-31"}, "interval": "monthly"});
    let (status, added) = call(&server, "POST", "/v1/goals", Some(goal));
    assert_eq!(status, 200, "{added}");
    let id = added["data"]["goal"]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &server,
        "PUT",
        &format!("/v1/goals/{id}"),
        Some(json!({"title": "Q1 deals won"})),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&server, "DELETE", &format!("/v1/goals/{id}"), None);
    assert_eq!(status, 200, "{body}");

    let start = Instant::now();
    while rx.hits().len() < 4 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let hits = rx.hits();
    let first: Vec<Value> = hits
        .iter()
        .filter(|h| h.path == "/pd1")
        .map(|h| serde_json::from_str(&h.body).unwrap())
        .collect();
    let events: Vec<&str> = first.iter().map(|p| p["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        ["added.goal", "updated.goal", "deleted.goal"],
        "{first:#?}"
    );
    assert!(hits
        .iter()
        .filter(|h| h.path == "/pd1")
        .all(|h| h.headers["authorization"] == "Basic dTpw"));
    assert_eq!(first[0]["meta"]["id"], id.as_str());
    assert_eq!(first[0]["current"]["title"], "Q1 deals");
    assert_eq!(first[0]["previous"], Value::Null);
    assert_eq!(first[1]["previous"]["title"], "Q1 deals");
    assert_eq!(first[1]["current"]["title"], "Q1 deals won");
    assert_eq!(first[2]["current"], Value::Null);
    assert_eq!(first[2]["previous"]["title"], "Q1 deals won");

    let second: Vec<Value> = hits
        .iter()
        .filter(|h| h.path == "/pd2")
        .map(|h| serde_json::from_str(&h.body).unwrap())
        .collect();
    assert_eq!(second.len(), 1, "only the change: {second:#?}");
    assert_eq!(second[0]["meta"]["action"], "change");
    assert_eq!(second[0]["meta"]["entity"], "goal");
    assert_eq!(second[0]["meta"]["entity_id"], id.as_str());
    assert_eq!(second[0]["data"]["title"], "Q1 deals won");
    assert_eq!(
        second[0]["previous"],
        json!({"title": "Q1 deals"}),
        "v2: only what changed"
    );

    let (_, listed) = call(&server, "GET", "/v1/webhooks", None);
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
    let hook = v2["data"]["id"].as_i64().unwrap();
    assert_eq!(
        call(&server, "DELETE", &format!("/v1/webhooks/{hook}"), None).0,
        200
    );
    assert_eq!(
        call(&server, "DELETE", &format!("/v1/webhooks/{hook}"), None).0,
        404
    );
    let (_, listed) = call(&server, "GET", "/v1/webhooks", None);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    // The HubSpot journal holds the CRM object events only.
    let (_, journal) = call(&server, "GET", "/goalpost/v1/events?limit=1000", None);
    assert!(journal["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["subscriptionType"]
            .as_str()
            .unwrap()
            .starts_with("object.")));
}

#[test]
fn goal_events_reach_pipedrive_webhooks_on_sqlite() {
    goal_events_reach_pipedrive_webhooks(Backend::Sqlite);
}

#[test]
fn goal_events_reach_pipedrive_webhooks_on_postgres() {
    goal_events_reach_pipedrive_webhooks(Backend::Postgres);
}
