//! The test plane's fault rules and recorder, as a client sees them.

use super::controls::control;
use super::portal;
use crate::support::family::Family;
use crate::support::{Backend, TestApp};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

async fn faults(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.test_mode = true).await;
    let (p, t) = portal(&app, json!({})).await;
    let add = |body: Value| {
        let app = &app;
        let p = p.clone();
        async move { control(app, Method::POST, &p, "/faults", Some(body)).await }
    };
    let search = |t: String, after: Option<&str>| {
        let app = &app;
        let mut body = json!({"limit": 5, "sorts": ["hs_object_id"]});
        if let Some(a) = after {
            body["after"] = json!(a);
        }
        async move {
            app.send(
                Method::POST,
                "/crm/v3/objects/goal_targets/search",
                Some(&t),
                Some(body),
            )
            .await
        }
    };
    // A rate limit by the portal's clock, with HubSpot's headers and 429 body.
    control(
        &app,
        Method::PUT,
        &p,
        "/clock",
        Some(json!({"now": "2027-01-01T00:00:00Z"})),
    )
    .await;
    let (s, rule) = add(json!({"kind": "rateLimit", "max": 2, "windowMs": 10000})).await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = search(t.clone(), None).await;
        statuses.push(r.status.as_u16());
        assert_eq!(
            r.headers
                .get("x-hubspot-ratelimit-max")
                .unwrap()
                .to_str()
                .unwrap(),
            "2"
        );
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.body["category"], "RATE_LIMITS", "{}", r.body);
            assert_eq!(
                r.headers.get("retry-after").unwrap().to_str().unwrap(),
                "10"
            );
        }
    }
    assert_eq!(statuses, [200, 200, 429]);
    let r = app
        .send(Method::GET, "/v1/goals/find", Some(&t), None)
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.body["success"]),
        (429, &json!(false)),
        "Pipedrive's shape: {}",
        r.body
    );
    assert_eq!(
        r.headers
            .get("x-ratelimit-limit")
            .unwrap()
            .to_str()
            .unwrap(),
        "2"
    );
    control(
        &app,
        Method::POST,
        &p,
        "/clock/advance",
        Some(json!({"seconds": 10})),
    )
    .await;
    assert_eq!(
        search(t.clone(), None).await.status,
        StatusCode::OK,
        "a new window on the portal's clock"
    );
    let rid = rule["id"].as_str().unwrap();
    let (s, _) = control(&app, Method::DELETE, &p, &format!("/faults/{rid}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Every 2nd POST to a path glob fails with the status asked, in the surface's shape; only
    // for the token named.
    let other = app.token(
        p.parse().unwrap(),
        &["crm.objects.goals.read", "crm.objects.goals.write"],
    );
    let (s, b) = add(
        json!({"kind": "error", "status": 503, "every": 2, "method": "post",
        "path": "/crm/v3/objects/*/search", "token": t}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert!(
        !b.to_string().contains(&t),
        "the token is never shown back: {b}"
    );
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(search(t.clone(), None).await);
    }
    assert_eq!(
        got.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>(),
        [200, 503, 200, 503]
    );
    assert_eq!(got[1].body["category"], "INTERNAL_ERROR", "{}", got[1].body);
    assert_eq!(search(other.clone(), None).await.status, StatusCode::OK);
    assert_eq!(search(other.clone(), None).await.status, StatusCode::OK);
    let (_, list) = control(&app, Method::GET, &p, "/faults", None).await;
    assert_eq!(
        (&list["results"][0]["matched"], &list["results"][0]["fired"]),
        (&json!(4), &json!(2)),
        "{list}"
    );
    let (s, _) = control(&app, Method::DELETE, &p, "/faults", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(search(t.clone(), None).await.status, StatusCode::OK);
    assert_eq!(
        search(t.clone(), None).await.status,
        StatusCode::OK,
        "rule removed"
    );

    // Latency: the request is answered no sooner than the rule says (a lower bound only).
    let (s, lat) = add(json!({"kind": "latency", "ms": 150, "method": "GET"})).await;
    assert_eq!(s, StatusCode::CREATED, "{lat}");
    let r = app
        .send(
            Method::GET,
            "/crm/v3/objects/goal_targets?limit=1",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, rec) = control(&app, Method::GET, &p, "/requests?limit=1", None).await;
    assert!(
        rec["results"][0]["durationMs"].as_u64().unwrap() >= 150,
        "{rec}"
    );
    let lid = lat["id"].as_str().unwrap();
    control(&app, Method::DELETE, &p, &format!("/faults/{lid}"), None).await;

    // Search lag: a written object is searchable once the lag has passed on the portal's clock.
    let (s, _) = add(json!({"kind": "searchLag", "ms": 5000})).await;
    assert_eq!(s, StatusCode::CREATED);
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/batch/create",
            Some(&t),
            Some(Family::monthly("lag").body()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(search(t.clone(), None).await.body["total"], 0);
    control(
        &app,
        Method::POST,
        &p,
        "/clock/advance",
        Some(json!({"milliseconds": 5000})),
    )
    .await;
    assert_eq!(search(t.clone(), None).await.body["total"], 12);

    // HubSpot's paging cap: offsets as HubSpot pages them, and a 400 past the cap.
    let (s, _) = add(json!({"kind": "searchCap", "limit": 10})).await;
    assert_eq!(s, StatusCode::CREATED);
    let first = search(t.clone(), None).await;
    assert_eq!(first.body["paging"]["next"]["after"], "5", "{}", first.body);
    let second = search(t.clone(), Some("5")).await;
    assert_eq!(second.body["paging"]["next"]["after"], "10");
    let past = search(t.clone(), Some("10")).await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST, "{}", past.body);
    assert_eq!(past.body["category"], "VALIDATION_ERROR");

    // Bad rules are refused and add nothing.
    let before = control(&app, Method::GET, &p, "/faults", None).await.1["results"]
        .as_array()
        .unwrap()
        .len();
    for bad in [
        json!({"kind": "meteor"}),
        json!({"kind": "error", "status": 200}),
        json!({"kind": "error", "status": 500, "every": 0}),
        json!({"kind": "error", "status": 500, "every": 2, "probability": 0.5}),
        json!({"kind": "latency", "ms": 10, "status": 500}),
        json!({"kind": "rateLimit", "max": 0, "windowMs": 1000}),
        json!({"kind": "searchLag", "ms": 10, "path": "/x"}),
        json!({"kind": "latency", "ms": 1, "path": "no-slash"}),
        json!({"kind": "latency", "ms": 1, "token": "not-a-token"}),
        json!({"kind": "latency", "ms": 1, "colour": "red"}),
    ] {
        let (s, b) = add(bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {b}");
    }
    let after = control(&app, Method::GET, &p, "/faults", None).await.1["results"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);

    // The recorder: what the client sent and got, its token nowhere.
    let (_, rec) = control(&app, Method::GET, &p, "/requests?limit=3", None).await;
    let rec = rec["results"].as_array().unwrap().clone();
    assert_eq!(rec.len(), 3);
    let last = &rec[2];
    assert_eq!(
        (last["method"].as_str(), last["status"].as_u64()),
        (Some("POST"), Some(400))
    );
    assert_eq!(last["body"]["after"], "10");
    assert_eq!(last["response"]["category"], "VALIDATION_ERROR");
    let (_, all) = control(&app, Method::GET, &p, "/requests", None).await;
    let text = all.to_string();
    assert!(
        !text.contains(&t) && !text.contains(&other),
        "tokens redacted"
    );
    assert!(all["results"].as_array().unwrap().iter().any(|e| e["path"]
        == "/crm/v3/objects/goal_targets/batch/create"
        && e["body"]["inputs"]
            .as_array()
            .is_some_and(|i| i.len() == 12)));
    let (s, _) = control(&app, Method::DELETE, &p, "/requests", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        control(&app, Method::GET, &p, "/requests", None).await.1["results"],
        json!([])
    );
    let (s, _) = control(&app, Method::GET, &p, "/requests?limit=0", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn faults_and_the_recorder_on_sqlite() {
    faults(Backend::Sqlite).await;
}

#[actix_web::test]
async fn faults_and_the_recorder_on_postgres() {
    faults(Backend::Postgres).await;
}
