//! Batch routes: read, create, update, upsert, archive; caps, duplicates, 207s, atomicity.

use crate::basic::slice;
use crate::both;
use actix_web::http::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/crm/v3/objects/goal_targets";

fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

both!(lenient: batch_create_writes_all_in_order_with_201,
    |app: crate::support::TestApp| async move {
        let inputs: Vec<Value> = (1..=12).map(|m| slice("Family", m)).collect();
        let r = app
            .post(&format!("{BASE}/batch/create"), json!({"inputs": inputs}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["status"], "COMPLETE");
        let starts: Vec<&str> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["properties"]["hs_start_datetime"].as_str().unwrap())
            .collect();
        assert_eq!(starts[0], "2027-01-01T00:00:00.000Z");
        assert_eq!(starts[11], "2027-12-01T00:00:00.000Z");
        assert!(r.body["startedAt"].is_string() && r.body["completedAt"].is_string());
    }
);

both!(lenient: batch_create_is_all_or_nothing_without_trace_ids,
    |app: crate::support::TestApp| async move {
        let before = app.snapshot();
        let mut inputs: Vec<Value> = (1..=3).map(|m| slice("F", m)).collect();
        inputs[1]["properties"]["hs_target_amount"] = json!("lots");
        let r = app
            .post(&format!("{BASE}/batch/create"), json!({"inputs": inputs}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["category"], "VALIDATION_ERROR");
        assert_eq!(r.body["errors"][0]["code"], "INVALID_INTEGER");
        assert_eq!(r.body["errors"][0]["in"], "inputs[1].properties");
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: batch_create_with_trace_ids_writes_the_good_and_answers_207,
    |app: crate::support::TestApp| async move {
        let mut inputs: Vec<Value> = (1..=3).map(|m| slice("F", m)).collect();
        for (i, input) in inputs.iter_mut().enumerate() {
            input["objectWriteTraceId"] = json!(format!("t{i}"));
        }
        inputs[2]["properties"]["nope"] = json!("x");
        let r = app
            .post(&format!("{BASE}/batch/create"), json!({"inputs": inputs}))
            .await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{:?}", r.body);
        assert_eq!(ids(&r.body).len(), 2);
        // Each written object echoes its input's trace id.
        let traces: Vec<&Value> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| &o["objectWriteTraceId"])
            .collect();
        assert_eq!(traces, [&json!("t0"), &json!("t1")], "{}", r.body);
        assert_eq!(r.body["numErrors"], 1);
        assert_eq!(
            r.body["errors"][0]["context"]["objectWriteTraceId"],
            json!(["t2"])
        );
        assert_eq!(
            r.body["errors"][0]["errors"][0]["code"],
            "PROPERTY_DOESNT_EXIST"
        );
        assert_eq!(app.snapshot().objects.len(), 2);
    }
);

both!(lenient: batch_read_returns_found_and_207s_the_missing,
    |app: crate::support::TestApp| async move {
        let made = ids(&app
            .post(
                &format!("{BASE}/batch/create"),
                json!({"inputs": [slice("A", 1), slice("B", 2)]}),
            )
            .await
            .body);
        let r = app.post(&format!("{BASE}/batch/read"), json!({
        "inputs": [{"id": made[1]}, {"id": made[0]}], "properties": ["hs_goal_name"], "propertiesWithHistory": []
    })).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(ids(&r.body), [made[1].clone(), made[0].clone()]);
        assert_eq!(r.body["results"][0]["properties"]["hs_goal_name"], "B");
        let r = app
            .post(
                &format!("{BASE}/batch/read"),
                json!({
                    "inputs": [{"id": made[0]}, {"id": "987654"}], "properties": [],
                    "propertiesWithHistory": ["hs_goal_name"]
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS);
        assert_eq!(r.body["errors"][0]["category"], "OBJECT_NOT_FOUND");
        assert_eq!(r.body["errors"][0]["context"]["ids"], json!(["987654"]));
        assert_eq!(
            r.body["results"][0]["propertiesWithHistory"]["hs_goal_name"][0]["value"],
            "A"
        );
    }
);

both!(lenient: batch_update_changes_every_input_in_one_transaction,
    |app: crate::support::TestApp| async move {
        let made = ids(&app
            .post(
                &format!("{BASE}/batch/create"),
                json!({"inputs": [slice("A", 1), slice("A", 2)]}),
            )
            .await
            .body);
        let inputs: Vec<Value> = made
            .iter()
            .map(|id| json!({"id": id, "properties": {"hs_goal_name": "Renamed"}}))
            .collect();
        let r = app
            .post(&format!("{BASE}/batch/update"), json!({"inputs": inputs}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["properties"]["hs_goal_name"] == "Renamed"));
        // One unknown id fails the whole batch and changes nothing.
        let before = app.snapshot();
        let r = app
            .post(
                &format!("{BASE}/batch/update"),
                json!({"inputs": [
                    {"id": made[0], "properties": {"hs_goal_name": "Again"}},
                    {"id": "424242", "properties": {"hs_goal_name": "Again"}}
                ]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: batch_upsert_by_record_id_updates_and_says_not_new,
    |app: crate::support::TestApp| async move {
        let made = ids(&app
            .post(
                &format!("{BASE}/batch/create"),
                json!({"inputs": [slice("A", 1)]}),
            )
            .await
            .body);
        let r = app.post(&format!("{BASE}/batch/upsert"), json!({"inputs": [
        {"id": made[0], "idProperty": "hs_object_id", "properties": {"hs_target_amount": "1"}}
    ]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["results"][0]["new"], false);
        assert_eq!(r.body["results"][0]["properties"]["hs_target_amount"], "1");
        let r = app
            .post(
                &format!("{BASE}/batch/upsert"),
                json!({"inputs": [
                    {"id": made[0], "idProperty": "hs_goal_name", "properties": {}}
                ]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "a non-unique idProperty is refused"
        );
    }
);

both!(lenient: batch_archive_is_204_and_archives_all,
    |app: crate::support::TestApp| async move {
        let made = ids(&app
            .post(
                &format!("{BASE}/batch/create"),
                json!({"inputs": [slice("A", 1), slice("A", 2), slice("A", 3)]}),
            )
            .await
            .body);
        let r = app
            .post(
                &format!("{BASE}/batch/archive"),
                json!({"inputs": [{"id": made[0]}, {"id": made[2]}, {"id": "777777"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let live = app.get(BASE).await;
        assert_eq!(ids(&live.body), [made[1].clone()]);
    }
);

both!(lenient: batch_caps_and_duplicates_are_400s_that_change_nothing,
    |app: crate::support::TestApp| async move {
        let made = ids(&app
            .post(
                &format!("{BASE}/batch/create"),
                json!({"inputs": [slice("A", 1)]}),
            )
            .await
            .body);
        let before = app.snapshot();
        let many: Vec<Value> = (0..101).map(|_| slice("X", 1)).collect();
        let r = app
            .post(&format!("{BASE}/batch/create"), json!({"inputs": many}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body["message"]
            .as_str()
            .unwrap()
            .contains("maximum number of inputs supported in a batch is 100"));
        let with_history: Vec<Value> = (0..51).map(|i| json!({"id": i.to_string()})).collect();
        let r = app.post(&format!("{BASE}/batch/read"), json!({"inputs": with_history, "properties": [], "propertiesWithHistory": ["hs_goal_name"]})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body["message"]
            .as_str()
            .unwrap()
            .contains("property histories is 50"));
        for route in ["update", "upsert"] {
            let r = app
                .post(
                    &format!("{BASE}/batch/{route}"),
                    json!({"inputs": [
                        {"id": made[0], "properties": {"hs_goal_name": "x"}},
                        {"id": made[0], "properties": {"hs_goal_name": "y"}}
                    ]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{route}");
            assert_eq!(r.body["context"]["ids"], json!([made[0]]));
        }
        let r = app
            .post(
                &format!("{BASE}/batch/archive"),
                json!({"inputs": [{"id": made[0]}, {"id": made[0]}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.snapshot(), before);
    }
);

both!(lenient: trace_ids_are_echoed_by_every_write,
    |app: crate::support::TestApp| async move {
        let mut one = slice("T", 1);
        one["objectWriteTraceId"] = json!("single");
        let created = app.post(BASE, one).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["objectWriteTraceId"], json!("single"));
        let id = created.body["id"].as_str().unwrap().to_owned();
        let untraced = app.post(BASE, slice("T", 2)).await;
        assert!(untraced.body.get("objectWriteTraceId").is_none(), "{}", untraced.body);

        let patched = app
            .patch(
                &format!("{BASE}/{id}"),
                json!({"properties": {"hs_goal_name": "U"}, "objectWriteTraceId": "patch"}),
            )
            .await;
        assert_eq!(patched.body["objectWriteTraceId"], json!("patch"), "{}", patched.body);

        // Batch update and upsert: results come back in input order, each with its trace.
        for route in ["update", "upsert"] {
            let r = app
                .post(
                    &format!("{BASE}/batch/{route}"),
                    json!({"inputs": [
                        {"id": id, "properties": {"hs_goal_name": route}, "objectWriteTraceId": format!("{route}-0")},
                    ]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{route}: {}", r.body);
            assert_eq!(r.body["results"][0]["objectWriteTraceId"], json!(format!("{route}-0")));
        }
    }
);
