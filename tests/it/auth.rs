//! Tokens, scopes and portals.

use crate::basic::slice;
use crate::both;
use actix_web::http::{Method, StatusCode};
use serde_json::json;

const BASE: &str = "/crm/v3/objects/goal_targets";

both!(lenient: missing_or_unknown_token_is_401,
    |app: crate::support::TestApp| async move {
        for token in [None, Some("nope"), Some("")] {
            let r = app.send(Method::GET, BASE, token, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert_eq!(r.body["category"], "INVALID_AUTHENTICATION");
            assert_eq!(r.body["status"], "error");
            let cid = r.body["correlationId"].as_str().unwrap();
            assert_eq!(
                r.headers
                    .get("X-HubSpot-Correlation-Id")
                    .unwrap()
                    .to_str()
                    .unwrap(),
                cid
            );
        }
    }
);

both!(lenient: scopes_are_enforced_per_route,
    |app: crate::support::TestApp| async move {
        let read_only = app.token(1, &["crm.objects.goals.read"]);
        let write = app.token(1, &["crm.objects.goals.write"]);
        let other = app.token(1, &["goals:read"]);
        let before = app.snapshot();
        let r = app
            .send(Method::POST, BASE, Some(&read_only), Some(slice("A", 1)))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.body["category"], "MISSING_SCOPES");
        assert_eq!(
            r.body["errors"][0]["context"]["requiredGranularScopes"],
            json!(["crm.objects.goals.write"])
        );
        let r = app
            .send(
                Method::POST,
                &format!("{BASE}/batch/create"),
                Some(&read_only),
                Some(json!({"inputs": [slice("A", 1)]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.snapshot(), before);
        assert_eq!(
            app.send(Method::GET, BASE, Some(&read_only), None)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.send(Method::GET, BASE, Some(&other), None).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .send(Method::POST, BASE, Some(&write), Some(slice("A", 1)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        // Write implies read.
        assert_eq!(
            app.send(Method::GET, BASE, Some(&write), None).await.status,
            StatusCode::OK
        );
    }
);

both!(lenient: a_portal_never_sees_another_portals_objects,
    |app: crate::support::TestApp| async move {
        let id = app.post(BASE, slice("Mine", 1)).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let stranger = app.token(2, &["crm.objects.goals.read", "crm.objects.goals.write"]);
        let before = app.snapshot();
        let s = Some(stranger.as_str());
        assert_eq!(
            app.send(Method::GET, &format!("{BASE}/{id}"), s, None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .send(
                Method::PATCH,
                &format!("{BASE}/{id}"),
                s,
                Some(json!({"properties": {"hs_goal_name": "Theirs"}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.send(Method::DELETE, &format!("{BASE}/{id}"), s, None)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        let r = app
            .send(
                Method::POST,
                &format!("{BASE}/batch/archive"),
                s,
                Some(json!({"inputs": [{"id": id}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app
            .send(
                Method::POST,
                &format!("{BASE}/batch/read"),
                s,
                Some(json!({"inputs": [{"id": id}], "properties": []})),
            )
            .await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS);
        assert_eq!(r.body["results"], json!([]));
        let r = app.send(Method::GET, BASE, s, None).await;
        assert_eq!(r.body["results"], json!([]));
        let r = app
            .send(
                Method::POST,
                &format!("{BASE}/batch/update"),
                s,
                Some(json!({"inputs": [{"id": id, "properties": {"hs_goal_name": "x"}}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.snapshot(), before, "nothing of portal 1 changed");
    }
);

both!(lenient: tokens_are_stored_only_as_hashes,
    |app: crate::support::TestApp| async move {
        use diesel::prelude::*;
        use goalpost::db::schema::api_tokens;
        let token = app.token(1, &["crm.objects.goals.read"]);
        let mut conn = app.state.pool.get().unwrap();
        let stored: Vec<String> = goalpost::db::with_conn!(&mut *conn, c => api_tokens::table.select(api_tokens::token_hash).load(c)).unwrap();
        assert!(!stored
            .iter()
            .any(|h| h.contains(&token) || h.contains(crate::support::TOKEN)));
        assert!(stored.contains(&goalpost::auth::hash_token(&token)));
    }
);
