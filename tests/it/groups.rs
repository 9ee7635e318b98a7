//! Property groups: HubSpot-defined groups are listed and read-only; custom groups are
//! created, read, relabelled, archived (listed with archived=true) and re-created; a group
//! that still holds properties is not archived; bad input is a 4xx that changes nothing.

use crate::both;
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use serde_json::json;

const GROUPS: &str = "/crm/v3/properties/goal_targets/groups";

both!(lenient: property_groups_round_trip, |app: TestApp| async move {
    let r = app.get(&format!("{GROUPS}/goal_target_information")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"name": "goal_target_information",
        "label": "Goal target information", "displayOrder": 0, "archived": false}));
    let r = app.patch(&format!("{GROUPS}/goal_target_information"), json!({"label": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(app.delete(&format!("{GROUPS}/goal_target_information")).await.status, StatusCode::BAD_REQUEST);

    let r = app.post(GROUPS, json!({"name": "quota_plan", "label": "Quota plan", "displayOrder": 7})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body, json!({"name": "quota_plan", "label": "Quota plan", "displayOrder": 7, "archived": false}));
    let r = app.post(GROUPS, json!({"name": "quota_plan", "label": "Again"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app.patch(&format!("{GROUPS}/quota_plan"), json!({"label": "Quota plan 2027"})).await;
    assert_eq!((r.status, r.body["label"].clone()), (StatusCode::OK, json!("Quota plan 2027")));
    assert_eq!(r.body["displayOrder"], 7, "a field left out stays");
    let listed = app.get(GROUPS).await;
    let names: Vec<&str> = listed.body["results"].as_array().unwrap().iter()
        .map(|g| g["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"quota_plan") && names.contains(&"goal_target_progress"), "{names:?}");

    // A property in the group keeps it from being archived.
    let prop = json!({"name": "plan_code", "label": "Plan code", "type": "string",
                      "fieldType": "text", "groupName": "quota_plan"});
    assert_eq!(app.post("/crm/v3/properties/goal_targets", prop).await.status, StatusCode::CREATED);
    let r = app.delete(&format!("{GROUPS}/quota_plan")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("plan_code"), "{}", r.body);
    assert_eq!(app.delete("/crm/v3/properties/goal_targets/plan_code").await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("{GROUPS}/quota_plan")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("{GROUPS}/quota_plan")).await.status, StatusCode::NOT_FOUND);
    let archived = app.get(&format!("{GROUPS}?archived=true")).await;
    assert_eq!(archived.body["results"][0]["name"], "quota_plan", "{}", archived.body);
    assert_eq!(archived.body["results"][0]["archived"], true);
    let r = app.post(GROUPS, json!({"name": "quota_plan", "label": "Back"})).await;
    assert_eq!((r.status, r.body["label"].clone()), (StatusCode::CREATED, json!("Back")));

    // A group only a property names is listed, read, and stored by a change.
    let prop = json!({"name": "region", "label": "Region", "type": "string",
                      "fieldType": "text", "groupName": "territory"});
    assert_eq!(app.post("/crm/v3/properties/goal_targets", prop).await.status, StatusCode::CREATED);
    assert_eq!(app.get(&format!("{GROUPS}/territory")).await.body["label"], "territory");
    let r = app.patch(&format!("{GROUPS}/territory"), json!({"label": "Territory"})).await;
    assert_eq!((r.status, r.body["label"].clone()), (StatusCode::OK, json!("Territory")), "{}", r.body);
    assert_eq!(app.get(&format!("{GROUPS}/territory")).await.body["label"], "Territory");
    assert_eq!(app.delete(&format!("{GROUPS}/territory")).await.status, StatusCode::BAD_REQUEST);
});

both!(lenient: bad_group_input_changes_nothing, |app: TestApp| async move {
    let before = app.snapshot();
    let before_list = app.get(GROUPS).await.body;
    for (method, path, body, status) in [
        (Method::POST, GROUPS.to_owned(), json!({"name": "Bad Name", "label": "x"}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "hs_mine", "label": "x"}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "ok_name"}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "ok_name", "label": ""}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "ok_name", "label": "a\u{0}b"}), StatusCode::BAD_REQUEST),
        (Method::POST, "/crm/v4/associations/goal_targets/deals/labels".to_owned(), json!({"name": "n", "label": "a\u{0}b"}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "ok_name", "label": "x", "colour": 1}), StatusCode::BAD_REQUEST),
        (Method::POST, GROUPS.to_owned(), json!({"name": "ok_name", "label": "x", "displayOrder": "first"}), StatusCode::BAD_REQUEST),
        (Method::PATCH, format!("{GROUPS}/missing"), json!({"label": "x"}), StatusCode::NOT_FOUND),
        (Method::DELETE, format!("{GROUPS}/missing"), json!(null), StatusCode::NOT_FOUND),
        (Method::GET, "/crm/v3/properties/nothing/groups".to_owned(), json!(null), StatusCode::NOT_FOUND),
    ] {
        let body = (!body.is_null()).then_some(body);
        let r = app.send(method.clone(), &path, Some(crate::support::TOKEN), body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        assert_eq!(r.body["status"], "error", "HubSpot's error shape: {}", r.body);
    }
    assert_eq!(app.get(GROUPS).await.body, before_list);
    assert_eq!(app.snapshot(), before);
    let r = app.send(Method::POST, GROUPS, Some("not-a-token"), Some(json!({"name": "a", "label": "a"}))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});
