//! HubSpot's webhooks API shapes: settings and subscriptions per portal and app, their
//! validation (nothing changes on a refusal), the 207 of a batch update naming unknown ids, and
//! the scopes.

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::json;

const APP: &str = "/webhooks/v3/77";

both!(
    settings_are_validated_and_kept_per_portal,
    |app: TestApp| async move {
        assert_eq!(
            app.get(&format!("{APP}/settings")).await.status,
            StatusCode::NOT_FOUND
        );
        let good = json!({"targetUrl": "https://hooks.example.com/in?x=1",
        "throttling": {"maxConcurrentRequests": 10, "period": "SECONDLY"}});
        let r = app
            .send(
                Method::PUT,
                &format!("{APP}/settings"),
                Some(TOKEN),
                Some(good),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["targetUrl"], "https://hooks.example.com/in?x=1");
        assert_eq!(
            r.body["throttling"],
            json!({"maxConcurrentRequests": 10, "period": "SECONDLY"})
        );
        assert!(r.body["createdAt"].as_str().unwrap().ends_with('Z'));
        let kept = r.body.clone();
        let long = format!("https://example.com/{}", "a".repeat(2100));
        for (bad, why) in [
            (
                json!({"targetUrl": "ftp://example.com/x", "throttling": {"maxConcurrentRequests": 5}}),
                "scheme",
            ),
            (
                json!({"targetUrl": "not a url", "throttling": {"maxConcurrentRequests": 5}}),
                "not a URL",
            ),
            (
                json!({"targetUrl": long, "throttling": {"maxConcurrentRequests": 5}}),
                "length",
            ),
            (
                json!({"targetUrl": "https://u:p@example.com/", "throttling": {"maxConcurrentRequests": 5}}),
                "credentials",
            ),
            (
                json!({"targetUrl": "https://example.com/", "throttling": {"maxConcurrentRequests": 0}}),
                "throttling",
            ),
            (
                json!({"targetUrl": "https://example.com/", "throttling": {"maxConcurrentRequests": 5, "period": "HOURLY"}}),
                "period",
            ),
            (
                json!({"targetUrl": "https://example.com/"}),
                "throttling missing",
            ),
            (
                json!({"targetUrl": "https://example.com/", "throttling": {"maxConcurrentRequests": 5}, "extra": 1}),
                "unknown field",
            ),
        ] {
            let r = app
                .send(
                    Method::PUT,
                    &format!("{APP}/settings"),
                    Some(TOKEN),
                    Some(bad),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
            assert!(
                r.body["category"].as_str().is_some(),
                "{why}: HubSpot's error shape: {}",
                r.body
            );
        }
        let r = app.get("/webhooks/v3/abc/settings").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(
            app.get(&format!("{APP}/settings")).await.body,
            kept,
            "refusals changed nothing"
        );

        // Another portal has its own settings for the same app id.
        let other = app.token(2, &["goalpost.webhooks.write"]);
        let r = app
            .send(Method::GET, &format!("{APP}/settings"), Some(&other), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        // Scopes: reading needs a webhooks scope; changing needs the write one.
        let reader = app.token(1, &["goalpost.webhooks.read"]);
        assert_eq!(
            app.send(Method::GET, &format!("{APP}/settings"), Some(&reader), None)
                .await
                .status,
            StatusCode::OK
        );
        let r = app
            .send(
                Method::DELETE,
                &format!("{APP}/settings"),
                Some(&reader),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let goals = app.token(1, &["crm.objects.goals.write"]);
        let r = app
            .send(
                Method::GET,
                &format!("{APP}/subscriptions"),
                Some(&goals),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        assert_eq!(
            app.delete(&format!("{APP}/settings")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get(&format!("{APP}/settings")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    subscriptions_take_hubspots_shapes,
    |app: TestApp| async move {
        let subs = format!("{APP}/subscriptions");
        for (bad, why) in [
            (
                json!({"eventType": "object.propertyChange", "objectTypeId": "0-74"}),
                "no propertyName",
            ),
            (json!({"eventType": "object.creation"}), "no objectTypeId"),
            (
                json!({"eventType": "object.creation", "objectTypeId": "0-999"}),
                "unknown type",
            ),
            (
                json!({"eventType": "object.explode", "objectTypeId": "0-74"}),
                "unknown event",
            ),
            (
                json!({"eventType": "contact.creation"}),
                "a type not served",
            ),
            (
                json!({"eventType": "object.creation", "objectTypeId": "0-74", "propertyName": "x"}),
                "property on a creation",
            ),
            (
                json!({"eventType": "deal.creation", "objectTypeId": "0-3"}),
                "objectTypeId on a legacy type",
            ),
        ] {
            let r = app.post(&subs, bad).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        }
        assert_eq!(
            app.get(&subs).await.body,
            json!({"results": []}),
            "refusals created nothing"
        );

        let r = app.post(&subs, json!({"eventType": "object.propertyChange", "objectTypeId": "0-74",
        "propertyName": "hs_target_amount", "active": true, "eventTypeName": "Goal target property change"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"]
            .as_str()
            .expect("HubSpot's id is a string")
            .to_owned();
        assert_eq!(r.body["eventType"], "object.propertyChange");
        assert_eq!(r.body["propertyName"], "hs_target_amount");
        assert_eq!(r.body["objectTypeId"], "0-74");
        assert_eq!(r.body["active"], true);
        let r = app.post(&subs, json!({"eventType": "deal.creation"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["active"], false, "HubSpot: active defaults to false");
        let deal_sub = r.body["id"].as_str().unwrap().to_owned();

        assert_eq!(
            app.get(&subs).await.body["results"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(app.get(&format!("{subs}/{id}")).await.body["id"], id);
        let r = app
            .patch(&format!("{subs}/{id}"), json!({"active": false}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["active"], false);
        assert_eq!(
            app.patch(&format!("{subs}/999999"), json!({"active": false}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let r = app
            .post(
                &format!("{subs}/batch/update"),
                json!({"inputs": [
        {"id": id.parse::<i64>().unwrap(), "active": true}, {"id": 4567, "active": true}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
        assert_eq!(r.body["results"][0]["active"], true);
        assert_eq!(r.body["errors"][0]["category"], "SUBSCRIPTION_ID_NOT_FOUND");
        assert_eq!(
            r.body["errors"][0]["context"]["subscriptionIds"],
            json!(["4567"])
        );
        let r = app
            .post(
                &format!("{subs}/batch/update"),
                json!({"inputs": [
        {"id": deal_sub.parse::<i64>().unwrap(), "active": true}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "COMPLETE");

        // Another portal sees none of them.
        let other = app.token(2, &["goalpost.webhooks.write"]);
        let r = app.send(Method::GET, &subs, Some(&other), None).await;
        assert_eq!(r.body, json!({"results": []}));
        let r = app
            .send(Method::GET, &format!("{subs}/{id}"), Some(&other), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        assert_eq!(
            app.delete(&format!("{subs}/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get(&format!("{subs}/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);
