//! Associations (v4, date-versioned forms, `associations=` on reads, associations on create,
//! `associations.{type}` search filters): default and labelled types in both directions,
//! archived objects hidden and back on restore, bad input a 4xx that writes nothing.

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

const V4: &str = "/crm/v4/objects";
const GOALS: &str = "/crm/v3/objects/goal_targets";

async fn create(app: &TestApp, path: &str, props: Value, assoc: Value) -> String {
    let r = app
        .post(path, json!({"properties": props, "associations": assoc}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> crate::support::Resp {
    app.send(method, path, Some(TOKEN), body).await
}

fn to_ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["toObjectId"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_total(app: &TestApp, filter: Value) -> i64 {
    let r = app
        .post(
            &format!("{GOALS}/search"),
            json!({"filterGroups": [{"filters": [filter]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["total"].as_i64().unwrap()
}

both!(lenient: associations_both_ways_labels_reads_and_search, |app: TestApp| async move {
    let deal = create(&app, "/crm/v3/objects/deals", json!({"title": "Big deal"}), json!([])).await;
    let other = create(&app, "/crm/v3/objects/deals", json!({"title": "Other"}), json!([])).await;
    let goal = create(&app, GOALS, json!({"hs_goal_name": "Q1"}), json!([])).await;
    let lone = create(&app, GOALS, json!({"hs_goal_name": "Lone"}), json!([])).await;

    // Default association, then the reverse side sees it with the inverse type.
    let r = send(&app, Method::PUT, &format!("{V4}/goal_targets/{goal}/associations/default/deals/{deal}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["results"][0]["associationSpec"], json!({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1001}));
    let r = app.get(&format!("{V4}/goal_targets/{goal}/associations/deals")).await;
    assert_eq!(r.body["results"], json!([{"toObjectId": deal, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1001, "label": null}]}]));
    let r = app.get(&format!("{V4}/0-3/{deal}/associations/0-74")).await;
    assert_eq!(r.body["results"][0]["associationTypes"][0]["typeId"], 1100, "{}", r.body);

    // A label pair, used on a PUT; the reverse side carries the inverse label.
    let r = app.post("/crm/v4/associations/goal_targets/deals/labels",
        json!({"name": "quota_source", "label": "Quota source", "inverseLabel": "Counted by"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let labelled = r.body["results"][0]["typeId"].as_i64().unwrap();
    let r = send(&app, Method::PUT, &format!("{V4}/goal_targets/{goal}/associations/deals/{other}"),
        Some(json!([{"associationCategory": "USER_DEFINED", "associationTypeId": labelled}]))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["labels"], json!(["Quota source"]));
    assert_eq!(r.body["fromObjectTypeId"], "0-74");
    let r = app.get(&format!("{V4}/deals/{other}/associations/goal_targets")).await;
    let labels: Vec<&Value> = r.body["results"][0]["associationTypes"].as_array().unwrap().iter().map(|t| &t["label"]).collect();
    assert!(labels.contains(&&json!("Counted by")) && labels.contains(&&Value::Null), "{}", r.body);
    let r = app.get("/crm/v4/associations/goal_targets/deals/labels").await;
    assert_eq!(r.body["results"].as_array().unwrap().len(), 2, "default and the label: {}", r.body);

    // Paging by associated id, and the date-versioned form of the same route.
    let r = app.get(&format!("{V4}/goal_targets/{goal}/associations/deals?limit=1")).await;
    assert_eq!(to_ids(&r.body), vec![deal.clone()]);
    let after = r.body["paging"]["next"]["after"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/crm/objects/2026-03/goal_targets/{goal}/associations/deals?limit=1&after={after}")).await;
    assert_eq!(to_ids(&r.body), vec![other.clone()]);
    assert!(r.body.get("paging").is_none());

    // associations= on read and list (v3 shape), and on create.
    let r = app.get(&format!("{GOALS}/{goal}?associations=deals")).await;
    let listed: Vec<(String, String)> = r.body["associations"]["deals"]["results"].as_array().unwrap().iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["type"].as_str().unwrap().to_owned())).collect();
    assert!(listed.contains(&(deal.clone(), "goal_target_to_deal".into())), "{listed:?}");
    assert!(listed.contains(&(other.clone(), "quota_source".into())), "{listed:?}");
    let r = app.get(&format!("{GOALS}?associations=deal&limit=100")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "singular names are for search filters only: {}", r.body);
    let r = app.get(&format!("{GOALS}?associations=deals&limit=100")).await;
    let with: Vec<&Value> = r.body["results"].as_array().unwrap().iter().filter(|o| o.get("associations").is_some()).collect();
    assert_eq!(with.len(), 1, "only the associated goal: {}", r.body);
    let third = create(&app, GOALS, json!({"hs_goal_name": "Made linked"}),
        json!([{"to": {"id": deal}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1001}]}])).await;

    // Search: EQ, IN, HAS_PROPERTY, NOT_HAS_PROPERTY, in HubSpot's singular and plural names.
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deal", "operator": "EQ", "value": deal})).await, 2);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deals", "operator": "IN", "values": [deal, other]})).await, 2);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.0-3", "operator": "EQ", "value": other})).await, 1);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deal", "operator": "HAS_PROPERTY"})).await, 2);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deal", "operator": "NOT_HAS_PROPERTY"})).await, 1);
    let r = app.post(&format!("{GOALS}/search"), json!({"filterGroups": [
        {"filters": [{"propertyName": "associations.deal", "operator": "EQ", "value": other}]},
        {"filters": [{"propertyName": "hs_goal_name", "operator": "EQ", "value": "Lone"}]}]})).await;
    assert_eq!(r.body["total"], 2, "OR groups with an association: {}", r.body);
    let _ = lone;

    // Archiving the deal hides it everywhere; the reverse lookups of the others stay.
    assert_eq!(app.delete(&format!("/crm/v3/objects/deals/{deal}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(to_ids(&app.get(&format!("{V4}/goal_targets/{goal}/associations/deals")).await.body), vec![other.clone()]);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deal", "operator": "EQ", "value": deal})).await, 0);
    assert_eq!(search_total(&app, json!({"propertyName": "associations.deal", "operator": "HAS_PROPERTY"})).await, 1);

    // Batch create, read, labels/archive and archive between the two types.
    let r = app.post("/crm/v4/associations/deals/goal_targets/batch/create", json!({"inputs": [
        {"from": {"id": other}, "to": {"id": third}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1100}]}]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.post("/crm/v4/associations/deals/goal_targets/batch/read", json!({"inputs": [{"id": other}, {"id": "999999"}]})).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    let mut read: Vec<String> = r.body["results"][0]["to"].as_array().unwrap().iter().map(|t| t["toObjectId"].as_str().unwrap().to_owned()).collect();
    read.sort();
    let mut want = vec![goal.clone(), third.clone()];
    want.sort();
    assert_eq!(read, want);
    let r = app.post("/crm/v4/associations/goal_targets/deals/batch/labels/archive", json!({"inputs": [
        {"from": {"id": goal}, "to": {"id": other}, "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": labelled}]}]})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app.get(&format!("{V4}/goal_targets/{goal}/associations/deals")).await;
    assert_eq!(r.body["results"][0]["associationTypes"].as_array().unwrap().len(), 1, "the default stays: {}", r.body);
    let r = app.post("/crm/objects/2026-03/../../associations/2026-03/deals/goal_targets/batch/archive", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post("/crm/associations/2026-03/deals/goal_targets/batch/archive", json!({"inputs": [{"from": {"id": other}, "to": [{"id": third}]}]})).await;
    assert_eq!((r.status, r.body["status"].clone()), (StatusCode::OK, json!("COMPLETE")), "{}", r.body);
    let r = send(&app, Method::DELETE, &format!("{V4}/goal_targets/{goal}/associations/deals/{other}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(to_ids(&app.get(&format!("{V4}/deals/{other}/associations/goal_targets")).await.body).is_empty());

    // Deleting the label removes it and its associations; the pair's default stays listed.
    assert_eq!(send(&app, Method::DELETE, &format!("/crm/v4/associations/goal_targets/deals/labels/{labelled}"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/crm/v4/associations/goal_targets/deals/labels").await.body["results"].as_array().unwrap().len(), 1);
});

both!(
    associations_survive_a_family_archive_and_restore,
    |app: TestApp| async move {
        use crate::support::family::Family;
        let deal = create(
            &app,
            "/crm/v3/objects/deals",
            json!({"title": "Deal"}),
            json!([]),
        )
        .await;
        let r = app
            .post(
                &format!("{GOALS}/batch/create"),
                Family::monthly("fam-assoc").body(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let slice = r.body["results"][0]["id"].as_str().unwrap().to_owned();
        let r = send(
            &app,
            Method::PUT,
            &format!("{V4}/goal_targets/{slice}/associations/default/deals/{deal}"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let path = format!("{V4}/deals/{deal}/associations/goal_targets");
        assert_eq!(to_ids(&app.get(&path).await.body), vec![slice.clone()]);
        let r = app
            .post("/goalpost/v1/families/fam-assoc/archive", json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            to_ids(&app.get(&path).await.body).is_empty(),
            "archived slices are hidden"
        );
        let r = app
            .post("/goalpost/v1/families/fam-assoc/restore", json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            to_ids(&app.get(&path).await.body),
            vec![slice],
            "restored with its associations"
        );
    }
);

both!(lenient: bad_association_input_writes_nothing, |app: TestApp| async move {
    let deal = create(&app, "/crm/v3/objects/deals", json!({"title": "Deal"}), json!([])).await;
    let goal = create(&app, GOALS, json!({"hs_goal_name": "G"}), json!([])).await;
    let before = app.snapshot();
    let spec = |id: i64| json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": id}]);
    let cases: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        (Method::PUT, format!("{V4}/goal_targets/{goal}/associations/deals/{deal}"), Some(spec(1100)), StatusCode::BAD_REQUEST),
        (Method::PUT, format!("{V4}/goal_targets/{goal}/associations/deals/{deal}"), Some(json!({"associationTypeId": 1001})), StatusCode::BAD_REQUEST),
        (Method::PUT, format!("{V4}/goal_targets/{goal}/associations/deals/{deal}"), Some(json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": "x"}])), StatusCode::BAD_REQUEST),
        (Method::PUT, format!("{V4}/goal_targets/{goal}/associations/deals/999999"), Some(spec(1001)), StatusCode::NOT_FOUND),
        (Method::PUT, format!("{V4}/goal_targets/{deal}/associations/deals/{goal}"), Some(spec(1001)), StatusCode::NOT_FOUND),
        (Method::PUT, format!("{V4}/nothing/{goal}/associations/default/deals/{deal}"), None, StatusCode::NOT_FOUND),
        (Method::GET, format!("{V4}/goal_targets/{goal}/associations/deals?limit=501"), None, StatusCode::BAD_REQUEST),
        (Method::GET, format!("{V4}/goal_targets/{goal}/associations/deals?after=x"), None, StatusCode::BAD_REQUEST),
        (Method::POST, "/crm/v4/associations/goal_targets/deals/batch/create".into(), Some(json!({"inputs": [
            {"from": {"id": goal}, "to": {"id": deal}, "types": spec(1001)},
            {"from": {"id": goal}, "to": {"id": "999999"}, "types": spec(1001)}]})), StatusCode::NOT_FOUND),
        (Method::POST, "/crm/v4/associations/goal_targets/deals/batch/associate/default".into(), Some(json!({"inputs": vec![json!({"from": {"id": goal}, "to": {"id": deal}}); 2001]})), StatusCode::BAD_REQUEST),
        (Method::POST, "/crm/v4/associations/goal_targets/deals/labels".into(), Some(json!({"name": "bad name!", "label": "x"})), StatusCode::BAD_REQUEST),
        (Method::DELETE, "/crm/v4/associations/goal_targets/deals/labels/abc".into(), None, StatusCode::BAD_REQUEST),
        (Method::DELETE, "/crm/v4/associations/goal_targets/deals/labels/2999".into(), None, StatusCode::NOT_FOUND),
        (Method::POST, GOALS.into(), Some(json!({"properties": {"hs_goal_name": "x"}, "associations": [{"to": {"id": "999999"}, "types": spec(1001)}]})), StatusCode::BAD_REQUEST),
        (Method::POST, GOALS.into(), Some(json!({"properties": {"hs_goal_name": "x"}, "associations": [{"to": {"id": deal}, "types": spec(7)}]})), StatusCode::BAD_REQUEST),
        (Method::POST, format!("{GOALS}/search"), Some(json!({"filterGroups": [{"filters": [{"propertyName": "associations.nothing", "operator": "EQ", "value": "1"}]}]})), StatusCode::BAD_REQUEST),
        (Method::POST, format!("{GOALS}/search"), Some(json!({"filterGroups": [{"filters": [{"propertyName": "associations.deal", "operator": "LT", "value": "1"}]}]})), StatusCode::BAD_REQUEST),
        (Method::POST, format!("{GOALS}/search"), Some(json!({"filterGroups": [{"filters": [{"propertyName": "associations.deal", "operator": "EQ", "value": "abc"}]}]})), StatusCode::BAD_REQUEST),
        (Method::GET, format!("{GOALS}/{goal}?associations=nothing"), None, StatusCode::BAD_REQUEST),
    ];
    for (method, path, body, status) in cases {
        let r = send(&app, method.clone(), &path, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        assert_eq!(r.body["status"], "error", "HubSpot's shape: {}", r.body);
    }
    assert_eq!(app.snapshot(), before, "bad input wrote something");
});

both!(lenient: a_record_holds_at_most_ten_thousand_of_a_type, |app: TestApp| async move {
    use diesel::connection::SimpleConnection;
    let deal = create(&app, "/crm/v3/objects/deals", json!({"title": "One too many"}), json!([])).await;
    let goal = create(&app, GOALS, json!({"hs_goal_name": "Crowded"}), json!([])).await;
    // 10,000 associations already stored for the goal (their objects need not exist: the cap
    // counts what is stored).
    let mut conn = app.state.pool.get().unwrap();
    let fill = format!(
        "INSERT INTO associations (portal_id, from_id, to_type, to_id, type_id, created_at) \
         SELECT 1, {goal}, 'deals', 1000000 + n, 1001, 0 FROM ({}) AS s",
        match conn.dialect() {
            goalpost::db::Dialect::Postgres => "SELECT generate_series(1, 10000) AS n",
            goalpost::db::Dialect::Sqlite => "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000) SELECT n FROM c",
        }
    );
    goalpost::db::with_conn!(&mut *conn, c => c.batch_execute(&fill)).unwrap();
    drop(conn);
    let before = app.snapshot();
    let r = send(&app, Method::PUT, &format!("{V4}/goal_targets/{goal}/associations/default/deals/{deal}"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("10000"), "{}", r.body);
    assert_eq!(app.snapshot(), before, "the refused association was rolled back");
});
