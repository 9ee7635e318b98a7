//! The properties API, custom and unique properties, idProperty and upsert, history.

use crate::both;
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

const PROPS: &str = "/crm/v3/properties/goal_targets";
const BASE: &str = "/crm/v3/objects/goal_targets";

fn sku() -> Value {
    json!({"name": "external_key", "label": "External key", "type": "string", "fieldType": "text",
           "groupName": "goal_target_information", "hasUniqueValue": true})
}

both!(lenient: built_in_properties_are_listed_read_only, |app: TestApp| async move {
    let r = app.get(PROPS).await;
    assert_eq!(r.status, StatusCode::OK);
    let all = r.body["results"].as_array().unwrap();
    let milestone = all.iter().find(|p| p["name"] == "hs_milestone").unwrap();
    assert_eq!(milestone["type"], "enumeration");
    assert_eq!(milestone["options"].as_array().unwrap().len(), 4);
    assert_eq!(milestone["hubspotDefined"], true);
    assert_eq!(milestone["modificationMetadata"]["readOnlyDefinition"], true);
    let id = all.iter().find(|p| p["name"] == "hs_object_id").unwrap();
    assert_eq!(id["modificationMetadata"]["readOnlyValue"], true);
    let r = app.get(&format!("{PROPS}/hs_goal_name")).await;
    assert_eq!(r.body["type"], "string");
    let r = app.patch(&format!("{PROPS}/hs_goal_name"), json!({"label": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["errors"][0]["code"], "READ_ONLY_DEFINITION");
    assert_eq!(app.delete(&format!("{PROPS}/hs_goal_name")).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("{PROPS}/nope")).await.status, StatusCode::NOT_FOUND);
    let groups = app.get(&format!("{PROPS}/groups")).await;
    assert!(groups.body["results"].as_array().unwrap().iter().any(|g| g["name"] == "goal_target_information"));
});

both!(lenient: unique_property_upsert_read_search_and_history, |app: TestApp| async move {
    let r = app.post(PROPS, sku()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["hasUniqueValue"], true);
    assert_eq!(r.body["hubspotDefined"], false);
    // Upsert by it: created, then updated.
    let up = |amount: &str| json!({"inputs": [{"id": "KEY-1", "idProperty": "external_key",
        "properties": {"hs_target_amount": amount, "hs_goal_name": "Keyed"}}]});
    let r = app.post(&format!("{BASE}/batch/upsert"), up("10")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["results"][0]["new"], true);
    assert_eq!(r.body["results"][0]["properties"]["external_key"], "KEY-1");
    let id = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let r = app.post(&format!("{BASE}/batch/upsert"), up("20")).await;
    assert_eq!(r.body["results"][0]["new"], false);
    assert_eq!(r.body["results"][0]["id"], id.as_str());
    // Read, patch and batch-read by it (lookups compare as search does: case-insensitively).
    let r = app.get(&format!("{BASE}/key-1?idProperty=external_key&properties=hs_target_amount&propertiesWithHistory=hs_target_amount")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["id"], id.as_str());
    let h: Vec<&str> = r.body["propertiesWithHistory"]["hs_target_amount"].as_array().unwrap().iter().map(|e| e["value"].as_str().unwrap()).collect();
    assert_eq!(h, ["20", "10"]);
    let r = app.patch(&format!("{BASE}/KEY-1?idProperty=external_key"), json!({"properties": {"hs_kpi_value": "3"}})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post(&format!("{BASE}/batch/read"), json!({"idProperty": "external_key", "inputs": [{"id": "KEY-1"}, {"id": "KEY-2"}], "properties": ["hs_kpi_value"]})).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
    assert_eq!(r.body["results"][0]["properties"]["hs_kpi_value"], "3");
    assert_eq!(r.body["errors"][0]["context"]["ids"], json!(["KEY-2"]));
    assert_eq!(app.get(&format!("{BASE}/KEY-2?idProperty=external_key")).await.status, StatusCode::NOT_FOUND);
    // Searchable with every operator, like built-in properties.
    let r = app.post(&format!("{BASE}/search"), json!({"filterGroups": [{"filters": [{"propertyName": "external_key", "operator": "EQ", "value": "key-1"}]}]})).await;
    assert_eq!(r.body["total"], 1);
    let r = app.post(&format!("{BASE}/search"), json!({"filterGroups": [{"filters": [{"propertyName": "external_key", "operator": "CONTAINS_TOKEN", "value": "key*"}]}]})).await;
    assert_eq!(r.body["total"], 1);
    // The database refuses a duplicate value: 409, nothing written.
    let before = app.snapshot();
    let r = app.post(BASE, json!({"properties": {"external_key": "key-1"}})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(app.snapshot(), before);
    // Two inputs naming one object through differently cased unique values: a 400, no write.
    let before = app.snapshot();
    let twice = json!({"inputs": [
        {"id": "KEY-1", "idProperty": "external_key", "properties": {"hs_kpi_value": "8"}},
        {"id": "key-1", "idProperty": "external_key", "properties": {"hs_kpi_value": "9"}}]});
    let r = app.post(&format!("{BASE}/batch/upsert"), twice).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(app.snapshot(), before);
    // Record-id upserts of unknown ids cannot create.
    let r = app.post(&format!("{BASE}/batch/upsert"), json!({"inputs": [{"id": "987654", "properties": {}}]})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

both!(lenient: custom_values_are_typed_and_archived_properties_keep_history, |app: TestApp| async move {
    let r = app.post(&format!("{PROPS}/batch/create"), json!({"inputs": [
        {"name": "weight", "label": "Weight", "type": "number", "fieldType": "number", "groupName": "goal_target_information"},
        {"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "checkbox", "groupName": "goal_target_information",
         "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}]},
    ]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app.post(BASE, json!({"properties": {"weight": "heavy"}})).await;
    assert_eq!(r.errors_code(), "INVALID_INTEGER");
    let r = app.post(BASE, json!({"properties": {"tier": "gold;bronze"}})).await;
    assert_eq!(r.errors_code(), "INVALID_OPTION");
    let r = app.post(BASE, json!({"properties": {"weight": "2.5", "tier": "gold;silver"}})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app.post(&format!("{BASE}/search"), json!({"filterGroups": [{"filters": [{"propertyName": "weight", "operator": "GT", "value": "2"}]}]})).await;
    assert_eq!(r.body["total"], 1);
    // Archive: no longer writable or listed, listed as archived; its history stays.
    assert_eq!(app.delete(&format!("{PROPS}/weight")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.post(BASE, json!({"properties": {"weight": "1"}})).await.errors_code(), "PROPERTY_DOESNT_EXIST");
    let archived = app.get(&format!("{PROPS}?archived=true")).await;
    assert_eq!(archived.body["results"][0]["name"], "weight");
    assert_eq!(archived.body["results"][0]["archived"], true);
    let r = app.post(PROPS, json!({"name": "weight", "label": "Weight", "type": "number", "fieldType": "number", "groupName": "goal_target_information"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "re-creating an archived name");
    let r = app.get(&format!("{BASE}/{id}?propertiesWithHistory=weight")).await;
    assert_eq!(r.body["propertiesWithHistory"]["weight"][0]["value"], "2.5");
    // Definitions change (label) but not type.
    let r = app.patch(&format!("{PROPS}/tier"), json!({"label": "Level", "options": [{"label": "Gold", "value": "gold"}]})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["label"], "Level");
    let r = app.patch(&format!("{PROPS}/tier"), json!({"type": "string"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

both!(lenient: bad_definitions_are_400s_that_change_nothing, |app: TestApp| async move {
    let base = json!({"name": "ok_name", "label": "L", "type": "string", "fieldType": "text", "groupName": "g"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let before = app.get(PROPS).await.body;
    let cases = [
        (with("name", json!("Bad")), "name"),
        (with("name", json!("1abc")), "name"),
        (with("name", json!("hs_mine")), "name"),
        (with("name", json!("x".repeat(101))), "name"),
        (with("name", json!("a-b")), "name"),
        (with("label", json!("")), "label"),
        (with("type", json!("money")), "type"),
        (with("fieldType", json!("select")), "fieldType"),
        (json!({"name": "e", "label": "E", "type": "enumeration", "fieldType": "select", "groupName": "g"}), "options"),
        (json!({"name": "e", "label": "E", "type": "enumeration", "fieldType": "select", "groupName": "g",
                "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "a"}]}), "options"),
    ];
    for (body, field) in cases {
        let r = app.post(PROPS, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.body["category"], "VALIDATION_ERROR");
        assert_eq!(r.body["errors"][0]["in"], field, "{body}: {:?}", r.body);
    }
    assert_eq!(app.post(PROPS, json!({"name": "x"})).await.status, StatusCode::BAD_REQUEST, "missing fields");
    for i in 0..10 {
        let r = app.post(PROPS, with("name", json!(format!("u{i}"))).as_object().cloned().map(|mut o| { o.insert("hasUniqueValue".into(), json!(true)); Value::Object(o) }).unwrap()).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let mut eleventh = with("name", json!("u10"));
    eleventh["hasUniqueValue"] = json!(true);
    let r = app.post(PROPS, eleventh).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["errors"][0]["code"], "TOO_MANY_UNIQUE_PROPERTIES");
    assert_eq!(app.post(PROPS, with("name", json!("hs_goal_name"))).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.post(PROPS, with("name", json!("u1"))).await.status, StatusCode::CONFLICT);
    let after = app.get(PROPS).await.body;
    assert_eq!(after["results"].as_array().unwrap().len(), before["results"].as_array().unwrap().len() + 10);
});

both!(lenient: a_unique_property_over_duplicate_values_is_refused, |app: TestApp| async move {
    app.post(PROPS, json!({"name": "code", "label": "Code", "type": "string", "fieldType": "text", "groupName": "g"})).await;
    app.post(BASE, json!({"properties": {"code": "A"}})).await;
    app.post(BASE, json!({"properties": {"code": "a"}})).await;
    let r = app.post(PROPS, json!({"name": "code2", "label": "C", "type": "string", "fieldType": "text", "groupName": "g", "hasUniqueValue": true})).await;
    assert_eq!(r.status, StatusCode::CREATED, "no values yet");
    // Turning duplicates unique is impossible: archive `code`, re-create it unique.
    app.delete(&format!("{PROPS}/code")).await;
    let r = app.post(PROPS, json!({"name": "code", "label": "Code", "type": "string", "fieldType": "text", "groupName": "g", "hasUniqueValue": true})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(app.get(&format!("{PROPS}/code")).await.status, StatusCode::NOT_FOUND, "nothing created");
});

both!(lenient: property_scopes_are_enforced, |app: TestApp| async move {
    let objects_only = app.token(1, &["crm.objects.goals.read", "crm.objects.goals.write"]);
    let r = app.send(Method::GET, PROPS, Some(&objects_only), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.send(Method::POST, PROPS, Some(&objects_only), Some(sku())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["errors"][0]["context"]["requiredGranularScopes"], json!(["crm.schemas.goals.write"]));
    let other = app.token(1, &["goals:read"]);
    assert_eq!(app.send(Method::GET, PROPS, Some(&other), None).await.status, StatusCode::FORBIDDEN);
    // Another portal's custom properties are invisible.
    app.post(PROPS, sku()).await;
    let stranger = app.token(2, &["crm.schemas.goals.read", "crm.objects.goals.write"]);
    let r = app.send(Method::GET, &format!("{PROPS}/external_key"), Some(&stranger), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.send(Method::POST, BASE, Some(&stranger), Some(json!({"properties": {"external_key": "x"}}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});
