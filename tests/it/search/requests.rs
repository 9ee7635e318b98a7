//! Request forms, defaults, limits and bad searches.

use super::*;

both!(lenient: request_forms_defaults_and_limits,
    |app: TestApp| async move {
        for m in 1..=12 {
            app.post(BASE, json!({"properties": {"hs_target_amount": m.to_string(), "hs_goal_name": format!("G{m}")}})).await;
        }
        // An empty body returns everything, 10 at a time, oldest first, with the default properties.
        let r = app.post(SEARCH, json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["total"], 12);
        assert_eq!(r.body["results"].as_array().unwrap().len(), 10);
        assert_eq!(r.body["results"][0]["id"], "1");
        let keys: Vec<&String> = r.body["results"][0]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]
        );
        assert!(r.body["paging"]["next"]["after"].is_string());
        // Both sort forms; values as JSON numbers; properties asked for.
        for sorts in [
            json!(["-hs_target_amount"]),
            json!([{"propertyName": "hs_target_amount", "direction": "DESCENDING"}]),
        ] {
            let r = app.post(SEARCH, json!({"sorts": sorts, "limit": 3, "properties": ["hs_target_amount"],
            "filterGroups": [{"filters": [{"propertyName": "hs_target_amount", "operator": "GTE", "value": 2}]}]})).await;
            let amounts: Vec<&str> = r.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["properties"]["hs_target_amount"].as_str().unwrap())
                .collect();
            assert_eq!(amounts, ["12", "11", "10"], "numbers sort numerically");
            assert_eq!(r.body["total"], 11);
        }
        // A numeric `after` is read as an offset.
        let r = app.post(SEARCH, json!({"after": "10", "limit": 5})).await;
        assert_eq!(r.body["results"].as_array().unwrap().len(), 2);
        assert!(r.body.get("paging").is_none(), "no paging on the last page");
        // The last page is exact: no paging when nothing follows.
        let r = app.post(SEARCH, json!({"limit": 12})).await;
        assert!(r.body.get("paging").is_none());
    }
);

both!(lenient: bad_searches_are_400s_naming_the_problem,
    |app: TestApp| async move {
        let f = |p: &str, op: &str, v: Value| json!({"filterGroups": [{"filters": [{"propertyName": p, "operator": op, "value": v}]}]});
        let many_groups: Vec<Value> = (0..7).map(|_| json!({"filters": [{"propertyName": "hs_goal_name", "operator": "HAS_PROPERTY"}]})).collect();
        let wide_group: Vec<Value> = (0..11)
            .map(|_| json!({"propertyName": "hs_goal_name", "operator": "HAS_PROPERTY"}))
            .collect();
        let too_many: Vec<Value> = (0..5).map(|_| json!({"filters": (0..6).map(|_| json!({"propertyName": "hs_goal_name", "operator": "HAS_PROPERTY"})).collect::<Vec<_>>()})).collect();
        let cases = [
            (f("nope", "EQ", json!("x")), "nope"),
            (
                f("hs_target_amount", "EQ", json!("lots")),
                "hs_target_amount",
            ),
            (
                f("hs_start_datetime", "GT", json!("soon")),
                "hs_start_datetime",
            ),
            (f("hs_goal_name", "LIKE", json!("x")), "LIKE"),
            (f("hs_goal_name", "EQ", json!({"a": 1})), "value"),
            (
                json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_name", "operator": "EQ"}]}]}),
                "needs value",
            ),
            (
                json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_name", "operator": "IN", "values": []}]}]}),
                "needs values",
            ),
            (json!({"filterGroups": many_groups}), "filterGroups"),
            (
                json!({"filterGroups": [{"filters": wide_group}]}),
                "one group",
            ),
            (json!({"filterGroups": too_many}), "Too many filters"),
            // Found by schemathesis: a group without `filters` (required by the schema).
            (json!({"filterGroups": [{}]}), "filters"),
            // Also schemathesis: serde reads a struct from an array by position.
            (json!([null, null]), "JSON object"),
            (json!({"limit": 201}), "limit"),
            (json!({"limit": 0}), "limit"),
            (json!({"sorts": ["nope"]}), "nope"),
            (
                json!({"sorts": [{"propertyName": "hs_goal_name", "direction": "UP"}]}),
                "direction",
            ),
            (json!({"after": "gp1.garbage"}), "after"),
            (json!({"after": "' OR 1=1 --"}), "after"),
            (json!({"query": "x".repeat(3001)}), "query"),
        ];
        for (body, needle) in cases {
            let r = app.post(SEARCH, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(r.body["category"], "VALIDATION_ERROR");
            let msg = r.body["message"].as_str().unwrap();
            assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
            assert!(
                !msg.to_lowercase().contains("sql"),
                "no SQL text in {msg:?}"
            );
        }
    }
);
