//! openapi.yaml and the served route table cannot drift: every route is documented, every
//! documented operation is served, and real responses carry only documented fields.

use crate::basic::slice;
use crate::both;
use serde_json::Value;
use std::collections::BTreeSet;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml at the top level");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// `{anything}` → `{}` so parameter names do not matter.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_served() {
    let spec = spec();
    let documented: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), shape(path)))
        })
        .collect();
    let registry = goalpost::registry();
    let served: BTreeSet<(String, String)> = goalpost::http::route_table()
        .iter()
        .flat_map(|r| {
            let types: Vec<&str> = registry.all().map(|t| t.name).collect();
            let method = r.method.to_string();
            let path = r.path.clone();
            types
                .into_iter()
                .map(move |t| (method.clone(), shape(&path.replace("{objectType}", t))))
        })
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in openapi.yaml: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "in openapi.yaml but not served: {unserved:?}"
    );
}

/// The keys a schema declares, following one `$ref`.
fn declared(spec: &Value, schema: &str) -> BTreeSet<String> {
    spec["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema}"))
        .keys()
        .cloned()
        .collect()
}

fn assert_keys_declared(body: &Value, spec: &Value, schema: &str) {
    let allowed = declared(spec, schema);
    for key in body.as_object().expect("object body").keys() {
        assert!(allowed.contains(key), "{key} is not declared in {schema}");
    }
    for req in spec["components"]["schemas"][schema]["required"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert!(
            body.get(req.as_str().unwrap()).is_some(),
            "{schema} requires {req}"
        );
    }
}

both!(lenient: responses_carry_only_documented_fields,
    |app: crate::support::TestApp| async move {
        let spec = spec();
        let base = "/crm/v3/objects/goal_targets";
        let created = app.post(base, slice("A", 1)).await.body;
        assert_keys_declared(&created, &spec, "SimplePublicObject");
        let id = created["id"].as_str().unwrap();
        let read = app
            .get(&format!("{base}/{id}?propertiesWithHistory=hs_goal_name"))
            .await
            .body;
        assert_keys_declared(&read, &spec, "SimplePublicObjectWithAssociations");
        let list = app.get(&format!("{base}?limit=1")).await.body;
        assert_keys_declared(
            &list,
            &spec,
            "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
        );
        let batch = app
            .post(
                &format!("{base}/batch/read"),
                serde_json::json!({"inputs": [{"id": id}, {"id": "5555"}], "properties": []}),
            )
            .await
            .body;
        assert_keys_declared(&batch, &spec, "BatchResponseSimplePublicObjectWithErrors");
        let upsert = app
            .post(
                &format!("{base}/batch/upsert"),
                serde_json::json!({"inputs": [{"id": id, "properties": {}}]}),
            )
            .await
            .body;
        assert_keys_declared(&upsert, &spec, "BatchResponseSimplePublicUpsertObject");
        assert_keys_declared(&upsert["results"][0], &spec, "SimplePublicUpsertObject");
        let found = app
            .post(&format!("{base}/search"), serde_json::json!({"limit": 1}))
            .await
            .body;
        assert_keys_declared(
            &found,
            &spec,
            "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
        );
        let err = app.get(&format!("{base}/nope")).await.body;
        assert_keys_declared(&err, &spec, "Error");
    }
);

both!(
    pipedrive_responses_carry_only_documented_fields,
    |app: crate::support::TestApp| async move {
        let spec = spec();
        let added = app
            .post(
                "/v1/goals",
                serde_json::json!({"title": "t", "assignee": {"id": 1, "type": "person"},
                "type": {"name": "deals_progressed", "params": {"stage_id": 2, "pipeline_id": [1]}},
                "expected_outcome": {"target": 5, "tracking_metric": "sum", "currency_id": 1},
                "duration": {"start": "2026-01-01", "end": "2026-02-28"}, "interval": "monthly"}),
            )
            .await
            .body;
        assert_keys_declared(&added, &spec, "PdUpsertGoalResponse");
        assert_keys_declared(&added["data"]["goal"], &spec, "PdGoal");
        let id = added["data"]["goal"]["id"].as_str().unwrap();
        let found = app.get("/v1/goals/find?is_active=false").await.body;
        assert_keys_declared(&found, &spec, "PdGetGoalsResponse");
        let results = app
            .get(&format!(
                "/v1/goals/{id}/results?period.start=2026-01-01&period.end=2026-01-31"
            ))
            .await
            .body;
        assert_keys_declared(&results, &spec, "PdGoalResultResponse");
        let error = app.get("/v1/goals/find?period.start=2026-01-01").await.body;
        assert_keys_declared(&error, &spec, "PdError");
    }
);
