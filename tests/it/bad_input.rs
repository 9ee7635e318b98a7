//! Bad input of every kind gets a 4xx in its API's shape (HubSpot's here, Pipedrive's for
//! `/v1` paths) and changes nothing.

use crate::basic::slice;
use crate::both;
use actix_web::http::{Method, StatusCode};
use serde_json::json;

const BASE: &str = "/crm/v3/objects/goal_targets";

fn assert_hubspot_error(body: &serde_json::Value, category: &str) {
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["correlationId"]
        .as_str()
        .is_some_and(|c| c.len() == 36));
}

both!(lenient: malformed_bodies_are_400s,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("A", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = app.snapshot();
        let cases: Vec<(Method, String, &str)> = vec![
            (Method::POST, BASE.into(), "{\"properties\":"),
            (Method::POST, BASE.into(), "%%%"),
            (Method::POST, BASE.into(), "{}"),
            (Method::POST, BASE.into(), "{\"properties\": [1, 2]}"),
            (
                Method::POST,
                BASE.into(),
                "{\"properties\": {\"hs_goal_name\": {\"a\": 1}}}",
            ),
            (Method::PATCH, format!("{BASE}/{id}"), "[]"),
            (
                Method::POST,
                format!("{BASE}/batch/create"),
                "{\"input\": []}",
            ),
            (
                Method::POST,
                format!("{BASE}/batch/update"),
                "{\"inputs\": [{\"properties\": {}}]}",
            ),
            (
                Method::POST,
                format!("{BASE}/batch/archive"),
                "{\"inputs\": [{\"id\": true}]}",
            ),
            (
                Method::POST,
                format!("{BASE}/batch/read"),
                "{\"inputs\": 5}",
            ),
        ];
        for (method, path, body) in cases {
            let r = app.send_raw(method.clone(), &path, body).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{method} {path} {body}: {:?}",
                r.body
            );
            assert_hubspot_error(&r.body, "VALIDATION_ERROR");
        }
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: unknown_read_only_and_mistyped_values_are_named,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("A", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = app.snapshot();
        let cases = [
            ("nope", "1", "PROPERTY_DOESNT_EXIST"),
            ("hs_object_id", "5", "READ_ONLY_VALUE"),
            ("hs_createdate", "2027-01-01", "READ_ONLY_VALUE"),
            ("hs_status", "achieved", "READ_ONLY_VALUE"),
            ("hs_target_amount", "12abc", "INVALID_INTEGER"),
            ("hs_target_amount", "NaN", "INVALID_INTEGER"),
            ("hs_milestone", "daily", "INVALID_OPTION"),
            ("hs_milestone", "MONTHLY", "INVALID_OPTION"),
            ("hs_start_datetime", "next tuesday", "INVALID_DATE"),
            ("hs_start_date", "2027-01-01T10:00:00Z", "INVALID_DATE"),
            ("hs_is_forecastable", "yes", "INVALID_OPTION"),
        ];
        for (name, value, code) in cases {
            for (method, path) in [
                (Method::POST, BASE.to_string()),
                (Method::PATCH, format!("{BASE}/{id}")),
            ] {
                let r = app
                    .send(
                        method.clone(),
                        &path,
                        Some(crate::support::TOKEN),
                        Some(json!({"properties": {name: value}})),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "{method} {name}={value}");
                assert_hubspot_error(&r.body, "VALIDATION_ERROR");
                assert_eq!(r.body["errors"][0]["code"], code, "{name}={value}");
                assert_eq!(
                    r.body["errors"][0]["context"]["propertyName"],
                    json!([name])
                );
            }
        }
        let long = "x".repeat(65_537);
        let r = app
            .post(BASE, json!({"properties": {"hs_goal_name": long}}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: bad_ids_are_404s_in_hubspot_shape,
    |app: crate::support::TestApp| async move {
        for id in ["abc", "-1", "0", "1%27%20OR%201=1", "99999999999999999999"] {
            let r = app.get(&format!("{BASE}/{id}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
            assert_hubspot_error(&r.body, "OBJECT_NOT_FOUND");
        }
        let r = app.get("/crm/v3/objects/not_a_type").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_hubspot_error(&r.body, "OBJECT_NOT_FOUND");
        let r = app.get("/no/such/route").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_hubspot_error(&r.body, "OBJECT_NOT_FOUND");
        // A version HubSpot does not publish (or a beta) names the versions served, and a
        // write to it writes nothing.
        let before = app.snapshot();
        for path in ["/crm/objects/2024-01/goal_targets", "/crm/properties/2026-09-beta/goal_targets",
                     "/crm/objects/v9/goal_targets/batch/create"] {
            let r = app.post(path, serde_json::json!({"inputs": []})).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert_hubspot_error(&r.body, "OBJECT_NOT_FOUND");
            let message = r.body["message"].as_str().unwrap();
            assert!(message.contains("v3, 2025-09, 2026-03, 2026-09"), "{message}");
        }
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: bad_query_parameters_are_400s,
    |app: crate::support::TestApp| async move {
        for q in ["limit=0", "limit=ten", "after=xyz", "archived=maybe"] {
            let r = app.get(&format!("{BASE}?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
            assert_hubspot_error(&r.body, "VALIDATION_ERROR");
        }
        // A NUL in a name asked for is a name no property has (schemathesis found a 500 here
        // on PostgreSQL, whose text cannot hold NUL).
        let r = app.get(&format!("{BASE}?propertiesWithHistory=a%00b&properties=c%00d")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
);

both!(lenient: hostile_strings_are_stored_verbatim_not_executed,
    |app: crate::support::TestApp| async move {
        let hostile = "'); DROP TABLE objects; -- \"<script>\" ☃ ->> '$.x' \\u0000";
        let r = app
            .post(BASE, json!({"properties": {"hs_goal_name": hostile}}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap();
        let r = app
            .get(&format!("{BASE}/{id}?properties=hs_goal_name"))
            .await;
        assert_eq!(r.body["properties"]["hs_goal_name"], hostile);
        let before = app.snapshot();
        let r = app
            .post(BASE, json!({"properties": {"hs_goal_name": "a\u{0000}b"}}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "NUL is refused on both backends"
        );
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: nul_in_a_search_value_is_a_400_on_both_backends,
    |app: crate::support::TestApp| async move {
        for filter in [
            json!({"propertyName": "hs_goal_name", "operator": "EQ", "value": "a\u{0000}b"}),
            json!({"propertyName": "hs_goal_name", "operator": "IN", "values": ["x", "\u{0000}"]}),
        ] {
            let body = json!({"filterGroups": [{"filters": [filter]}]});
            let r = app.post(&format!("{BASE}/search"), body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
            assert_hubspot_error(&r.body, "VALIDATION_ERROR");
            assert!(r.body["message"].as_str().unwrap().contains("NUL"), "{}", r.body);
        }
    }
);

#[actix_web::test]
async fn oversized_bodies_are_413s() {
    for backend in [
        crate::support::Backend::Sqlite,
        crate::support::Backend::Postgres,
    ] {
        let app = crate::support::TestApp::start_with(backend, |c| c.body_limit = 10_000).await;
        let before = app.snapshot();
        let big = json!({"properties": {"hs_goal_name": "x".repeat(20_000)}}).to_string();
        let r = app.send_raw(Method::POST, BASE, big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend:?}");
        assert_hubspot_error(&r.body, "VALIDATION_ERROR");
        assert_eq!(app.snapshot(), before);
    }
}

both!(
    unserved_methods_are_405s_in_each_apis_shape,
    |app: crate::support::TestApp| async move {
        let hubspot = app
            .send(
                Method::PUT,
                "/crm/v3/objects/goal_targets",
                Some(crate::support::TOKEN),
                None,
            )
            .await;
        assert_eq!(hubspot.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(hubspot.headers.get("allow").unwrap(), "GET, POST");
        assert_eq!(hubspot.body["status"], json!("error"), "{}", hubspot.body);
        for path in ["/v1/goals/find", "/api/v1/goals/find"] {
            let pd = app
                .send(Method::POST, path, Some(crate::support::TOKEN), None)
                .await;
            assert_eq!(pd.status, StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(pd.headers.get("allow").unwrap(), "GET");
            assert_eq!(pd.body["success"], json!(false), "{}", pd.body);
            assert_eq!(pd.body["errorCode"], json!(405), "{}", pd.body);
        }
    }
);
