//! HubSpot's Owners API over the owners lookup: shapes, paging, filters, teams, bad input.

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

async fn put(app: &TestApp, kind: &str, id: i64, body: Value) -> (StatusCode, Value) {
    let r = app
        .send(
            Method::PUT,
            &format!("/goalpost/v1/lookups/{kind}/{id}"),
            Some(TOKEN),
            Some(body),
        )
        .await;
    (r.status, r.body)
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let r = app.send(Method::GET, path, Some(TOKEN), None).await;
    (r.status, r.body)
}

both!(owners_as_hubspot_serves_them, |app: TestApp| async move {
    let ada = json!({"email": "Ada@Example.com", "first_name": "Ada", "last_name": "Lovelace", "user_id": 70});
    assert_eq!(put(&app, "owners", 7, ada).await.0, StatusCode::OK);
    put(&app, "owners", 8, json!({"email": "bob@example.com"})).await;
    put(
        &app,
        "owners",
        9,
        json!({"email": "cy@example.com", "archived": true, "user_id": 90}),
    )
    .await;
    put(&app, "teams", 3, json!({"name": "East", "users": [70, 8]})).await;
    put(&app, "teams", 5, json!({"name": "West", "users": [70]})).await;

    let (s, page) = get(&app, "/crm/v3/owners/").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let ids: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7", "8"], "live owners only");
    let first = &page["results"][0];
    assert_eq!(
        (
            &first["email"],
            &first["firstName"],
            &first["lastName"],
            &first["userId"],
            &first["type"]
        ),
        (
            &json!("Ada@Example.com"),
            &json!("Ada"),
            &json!("Lovelace"),
            &json!(70),
            &json!("PERSON")
        )
    );
    assert_eq!(
        first["teams"],
        json!([{"id": "3", "name": "East", "primary": true}, {"id": "5", "name": "West", "primary": false}])
    );
    assert_eq!(
        page["results"][1]["teams"][0]["id"], "3",
        "no user id: its owner id is its user id"
    );
    assert!(first["createdAt"].as_str().unwrap().ends_with('Z') && page.get("paging").is_none());

    // Paging, filters, archived, by user id.
    let (_, one) = get(&app, "/crm/v3/owners?limit=1").await;
    assert_eq!(one["paging"]["next"]["after"], "7");
    let (_, two) = get(&app, "/crm/v3/owners?limit=1&after=7").await;
    assert_eq!(
        (two["results"][0]["id"].as_str(), two.get("paging")),
        (Some("8"), None)
    );
    let (_, found) = get(&app, "/crm/v3/owners/?email=ada@EXAMPLE.com").await;
    assert_eq!(found["results"].as_array().unwrap().len(), 1);
    let (_, archived) = get(&app, "/crm/v3/owners/?archived=True").await;
    assert_eq!(archived["results"][0]["id"], "9");
    assert_eq!(
        (
            &archived["results"][0]["userId"],
            &archived["results"][0]["userIdIncludingInactive"]
        ),
        (&Value::Null, &json!(90))
    );
    let (s, by_user) = get(&app, "/crm/owners/2026-03/70?idProperty=userId").await;
    assert_eq!((s, &by_user["id"]), (StatusCode::OK, &json!("7")));
    assert_eq!(
        get(&app, "/crm/v3/owners/9").await.0,
        StatusCode::NOT_FOUND,
        "archived: only with archived=true"
    );
    assert_eq!(
        get(&app, "/crm/v3/owners/9?archived=true").await.0,
        StatusCode::OK
    );

    // Bad input: a clear 400 (404 for no such owner) that changes nothing.
    for path in [
        "/crm/v3/owners?limit=0",
        "/crm/v3/owners?limit=501",
        "/crm/v3/owners?after=x",
        "/crm/v3/owners?archived=maybe",
        "/crm/v3/owners/7?idProperty=email",
    ] {
        assert_eq!(get(&app, path).await.0, StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(
        get(&app, "/crm/v3/owners/nope").await.0,
        StatusCode::NOT_FOUND
    );
    for body in [
        json!({"email": "not-an-address"}),
        json!({"email": "x@y.z", "type": "BOT"}),
        json!({"email": "x@y.z", "created_at": 1}),
        json!({"first_name": "No mail"}),
    ] {
        let (s, b) = put(&app, "owners", 7, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {b}");
    }
    assert_eq!(get(&app, "/crm/v3/owners/7").await.1["firstName"], "Ada");
    let reader = app.token(1, &["crm.objects.goals.read"]);
    let r = app
        .send(Method::GET, "/crm/v3/owners/", Some(&reader), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});
