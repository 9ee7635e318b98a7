//! Single-object routes: create, read, list, update, archive.

use crate::both;
use actix_web::http::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/crm/v3/objects/goal_targets";

pub fn slice(name: &str, month: u32) -> Value {
    json!({"properties": {
        "hs_goal_name": name,
        "hs_target_amount": "5000.00",
        "hs_milestone": "monthly",
        "hs_start_datetime": format!("2027-{month:02}-01T00:00:00Z"),
        "hubspot_owner_id": "42",
    }})
}

both!(lenient: create_returns_201_with_normalised_strings,
    |app: crate::support::TestApp| async move {
        let r = app.post(BASE, slice("Q", 1)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let p = &r.body["properties"];
        assert_eq!(p["hs_goal_name"], "Q");
        assert_eq!(p["hs_target_amount"], "5000.00", "numbers keep their text");
        assert_eq!(p["hs_start_datetime"], "2027-01-01T00:00:00.000Z");
        assert_eq!(p["hs_object_id"], r.body["id"]);
        assert_eq!(p["hs_createdate"], r.body["createdAt"]);
        assert_eq!(r.body["archived"], false);
        assert!(r.body["id"].is_string());
    }
);

both!(lenient: read_returns_defaults_and_requested_properties,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("Q", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = app.get(&format!("{BASE}/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let keys: Vec<&String> = r.body["properties"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]
        );
        // Comma-separated and repeated forms, an unknown name ignored, an empty one null.
        for q in [
            "properties=hs_goal_name,hs_kpi_value,nope",
            "properties=hs_goal_name&properties=hs_kpi_value&properties=nope",
        ] {
            let r = app.get(&format!("{BASE}/{id}?{q}")).await;
            let p = r.body["properties"].as_object().unwrap();
            assert_eq!(p["hs_goal_name"], "Q");
            assert_eq!(p["hs_kpi_value"], Value::Null);
            assert!(!p.contains_key("nope"));
        }
        assert!(r.body.get("archivedAt").is_none());
    }
);

both!(lenient: update_changes_only_given_properties_and_empty_clears,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("Q", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = app
            .patch(
                &format!("{BASE}/{id}"),
                json!({"properties": {"hs_target_amount": "6000", "hubspot_owner_id": ""}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = app
            .get(&format!(
                "{BASE}/{id}?properties=hs_target_amount,hubspot_owner_id,hs_goal_name"
            ))
            .await;
        let p = &r.body["properties"];
        assert_eq!(p["hs_target_amount"], "6000");
        assert_eq!(p["hubspot_owner_id"], Value::Null);
        assert_eq!(p["hs_goal_name"], "Q");
        assert!(r.body["updatedAt"].as_str().unwrap() >= r.body["createdAt"].as_str().unwrap());
    }
);

both!(lenient: history_lists_every_value_newest_first,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("Q", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for amount in ["6000", "7000", "7000"] {
            app.patch(
                &format!("{BASE}/{id}"),
                json!({"properties": {"hs_target_amount": amount}}),
            )
            .await;
        }
        let r = app
            .get(&format!(
                "{BASE}/{id}?propertiesWithHistory=hs_target_amount"
            ))
            .await;
        let h = r.body["propertiesWithHistory"]["hs_target_amount"]
            .as_array()
            .unwrap();
        let values: Vec<&str> = h.iter().map(|e| e["value"].as_str().unwrap()).collect();
        assert_eq!(
            values,
            ["7000", "6000", "5000.00"],
            "an unchanged write adds no entry"
        );
        assert_eq!(h[0]["sourceType"], "API");
        assert!(h[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    }
);

both!(lenient: archive_is_204_idempotent_and_hides_the_object,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("Q", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.delete(&format!("{BASE}/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&format!("{BASE}/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&format!("{BASE}/999999")).await.status,
            StatusCode::NO_CONTENT
        );
        let r = app.get(&format!("{BASE}/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body["category"], "OBJECT_NOT_FOUND");
        let r = app.get(&format!("{BASE}/{id}?archived=true")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["archived"], true);
        assert!(r.body["archivedAt"].is_string());
        let r = app
            .patch(
                &format!("{BASE}/{id}"),
                json!({"properties": {"hs_goal_name": "x"}}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "archived objects cannot be updated"
        );
    }
);

both!(lenient: list_pages_through_everything_once,
    |app: crate::support::TestApp| async move {
        let mut made = Vec::new();
        for m in 1..=7 {
            made.push(
                app.post(BASE, slice("Q", m)).await.body["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        app.delete(&format!("{BASE}/{}", made[3])).await;
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("{BASE}?limit=2&after={a}&properties=hs_goal_name"),
                None => format!("{BASE}?limit=2&properties=hs_goal_name"),
            };
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK);
            let results = r.body["results"].as_array().unwrap();
            assert!(results.len() <= 2);
            seen.extend(results.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
            match r.body["paging"]["next"]["after"].as_str() {
                Some(a) => after = Some(a.to_owned()),
                None => break,
            }
        }
        let mut want = made.clone();
        want.remove(3);
        assert_eq!(seen, want);
        let r = app.get(&format!("{BASE}?archived=true")).await;
        let ids: Vec<&str> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [made[3].as_str()]);
    }
);

both!(lenient: date_versioned_paths_and_type_id_serve_the_same_objects,
    |app: crate::support::TestApp| async move {
        let id = app
            .post("/crm/objects/2026-03/goal_targets", slice("Q", 1))
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for base in [
            BASE,
            "/crm/objects/2026-03/goal_targets",
            "/crm/v3/objects/0-74",
        ] {
            let r = app
                .get(&format!("{base}/{id}?properties=hs_goal_name"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{base}");
            assert_eq!(r.body["properties"]["hs_goal_name"], "Q");
        }
    }
);

both!(lenient: health_answers_without_a_token,
    |app: crate::support::TestApp| async move {
        let r = app
            .send(actix_web::http::Method::GET, "/health", None, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["status"], "ok");
    }
);

// Reads by id with a one-connection pool, one after another and then several at once: each
// must be answered. A read that kept the connection it peeked at while waiting for one from
// the pool (a regression on PostgreSQL) waits out the pool timeout and fails with 503.
async fn reads_with_one_connection(backend: crate::support::Backend) {
    let app = crate::support::TestApp::start_with(backend, |c| c.pool_size = 1).await;
    app.set_mode("lenient");
    let id = app.post(BASE, slice("Q", 1)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = format!("{BASE}/{id}");
    let one = app.get(&p).await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    let r = tokio::join!(app.get(&p), app.get(&p), app.get(&p), app.get(&p));
    for r in [r.0, r.1, r.2, r.3] {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["id"], id.as_str());
    }
}

mod reads_by_id_with_a_one_connection_pool {
    #[actix_web::test]
    async fn sqlite() {
        super::reads_with_one_connection(crate::support::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::reads_with_one_connection(crate::support::Backend::Postgres).await
    }
}
