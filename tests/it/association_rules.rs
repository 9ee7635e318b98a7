//! Associations' edges: both types' scopes, batch read paging and duplicates, a traced batch
//! create whose association cannot be written (207, the others written), label ids never
//! reused, and the `/crm/associations/v4` spelling.

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

const GOALS: &str = "/crm/v3/objects/goal_targets";

async fn create(app: &TestApp, path: &str, props: Value) -> String {
    let r = app.post(path, json!({"properties": props})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

both!(lenient: association_edges, |app: TestApp| async move {
    let goal = create(&app, GOALS, json!({"hs_goal_name": "G"})).await;
    let mut deals = Vec::new();
    for i in 0..3 {
        deals.push(create(&app, "/crm/v3/objects/deals", json!({"title": format!("D{i}")})).await);
    }
    let inputs: Vec<Value> = deals.iter().map(|d| json!({"from": {"id": goal}, "to": {"id": d}})).collect();
    let r = app.post("/crm/associations/v4/goal_targets/deals/batch/associate/default", json!({"inputs": inputs})).await;
    assert_eq!(r.status, StatusCode::OK, "the v4 spelling under /crm/associations: {}", r.body);

    // A token with deal scopes alone reads neither side of a goal-deal association.
    let deals_only = app.token(1, &["crm.objects.deals.read", "crm.objects.deals.write"]);
    for (method, path) in [
        (Method::GET, format!("/crm/v4/objects/deals/{}/associations/goal_targets", deals[0])),
        (Method::GET, format!("/crm/v3/objects/deals/{}?associations=goal_targets", deals[0])),
        (Method::PUT, format!("/crm/v4/objects/deals/{}/associations/default/goal_targets/{goal}", deals[0])),
    ] {
        let r = app.send(method.clone(), &path, Some(&deals_only), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.body);
    }
    let r = app.send(Method::POST, "/crm/v3/objects/deals/search", Some(&deals_only), Some(json!({"filterGroups": [{"filters": [
        {"propertyName": "associations.goal_target", "operator": "HAS_PROPERTY"}]}]}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Batch read: one result per object however often it is asked, paged by `after`.
    let r = app.post("/crm/v4/associations/goal_targets/deals/batch/read",
        json!({"inputs": [{"id": goal}, {"id": goal}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["results"][0]["to"].as_array().unwrap().len(), 3);
    let r = app.post("/crm/v4/associations/goal_targets/deals/batch/read",
        json!({"inputs": [{"id": goal, "after": deals[1]}]})).await;
    let to: Vec<&str> = r.body["results"][0]["to"].as_array().unwrap().iter().map(|t| t["toObjectId"].as_str().unwrap()).collect();
    assert_eq!(to, vec![deals[2].as_str()]);

    // Traced batch create: the input whose association names no object is the 207's error;
    // the other is written with its association.
    let r = app.post(&format!("{GOALS}/batch/create"), json!({"inputs": [
        {"properties": {"hs_goal_name": "ok"}, "objectWriteTraceId": "a",
         "associations": [{"to": {"id": deals[0]}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1001}]}]},
        {"properties": {"hs_goal_name": "bad"}, "objectWriteTraceId": "b",
         "associations": [{"to": {"id": "999999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1001}]}]}]})).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    assert_eq!(r.body["results"][0]["objectWriteTraceId"], "a");
    assert_eq!(r.body["errors"][0]["context"]["objectWriteTraceId"], json!(["b"]));
    let written = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/crm/v4/objects/goal_targets/{written}/associations/deals")).await;
    assert_eq!(r.body["results"][0]["toObjectId"], deals[0].as_str());

    // A deleted label's ids are not handed out again.
    let labels = "/crm/v4/associations/goal_targets/deals/labels";
    let first = app.post(labels, json!({"name": "one", "label": "One"})).await.body["results"][0]["typeId"].as_i64().unwrap();
    let r = app.send(Method::DELETE, &format!("{labels}/{first}"), Some(TOKEN), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let second = app.post(labels, json!({"name": "one", "label": "One again"})).await.body["results"][0]["typeId"].as_i64().unwrap();
    assert!(second > first + 1, "{second} after {first}");
    let _ = app.snapshot();
});
