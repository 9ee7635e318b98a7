//! Security: tokens only as hashes at rest, every route's scope enforced (walking the route
//! table), cross-portal probes on every route, per-token rate limits in each API's shape.

mod injection;

use crate::both;
use crate::support::{Backend, TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

/// Real objects of portal 1 for every path parameter: (goal family, slice id, deal id,
/// activity id, Pipedrive goal id).
struct Fixture {
    family: String,
    ids: [(String, String); 3],
    goal: String,
}

const SECRET: &str = "SECRET-portal-1";

async fn fixture(app: &TestApp) -> Fixture {
    let r = app
        .post(
            "/v1/goals",
            json!({"title": SECRET, "assignee": {"id": 1, "type": "person"}, "type": {"name": "deals_won"},
                   "expected_outcome": {"target": 1, "tracking_metric": "quantity"},
                   "duration": {"start": "2026-01-01", "end": "2026-03-31"}, "interval": "monthly"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let goal = r.body["data"]["goal"]["id"].as_str().unwrap().to_owned();
    let found = app
        .post(
            "/crm/v3/objects/goal_targets/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_target_group_id", "operator": "EQ", "value": goal}]}],
                   "properties": ["hs_group_correlation_uuid"]}),
        )
        .await;
    let slice = found.body["results"][0]["id"].as_str().unwrap().to_owned();
    let family = found.body["results"][0]["properties"]["hs_group_correlation_uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = app
        .post(
            "/crm/v3/objects/deals",
            json!({"properties": {"title": SECRET}}),
        )
        .await;
    let activity = app
        .post(
            "/crm/v3/objects/activities",
            json!({"properties": {"subject": SECRET}}),
        )
        .await;
    let put = app
        .send(
            Method::PUT,
            "/goalpost/v1/lookups/currencies/1",
            Some(TOKEN),
            Some(json!({"code": "EUR", "name": SECRET})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    Fixture {
        family,
        ids: [
            ("goal_targets".into(), slice),
            ("deals".into(), deal.body["id"].as_str().unwrap().to_owned()),
            (
                "activities".into(),
                activity.body["id"].as_str().unwrap().to_owned(),
            ),
        ],
        goal,
    }
}

/// Every served route as concrete requests on the fixture's objects.
fn requests(f: &Fixture) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for r in goalpost::http::route_table() {
        for (otype, id) in &f.ids {
            if !r.path.contains("{objectType}") && otype != "goal_targets" {
                continue;
            }
            let prop = if otype == "goal_targets" {
                "hs_goal_name"
            } else {
                "title"
            };
            let path = r
                .path
                .replace("{objectType}", otype)
                .replace("{objectId}", id)
                .replace("{propertyName}", prop)
                .replace("{fromObjectType}", "goal_targets")
                .replace("{toObjectType}", "deals")
                .replace("{toObjectId}", &f.ids[1].1)
                .replace("{associationTypeId}", "2000")
                .replace("{groupName}", "goal_target_information")
                .replace("{uuid}", &f.family)
                .replace("{kind}", "currencies")
                .replace(
                    "{id}",
                    if r.path.contains("lookups") {
                        "1"
                    } else {
                        &f.goal
                    },
                );
            let path = if path.ends_with("/results") {
                format!("{path}?period.start=2026-01-01&period.end=2026-01-31")
            } else {
                path
            };
            out.push((r.method.clone(), path));
        }
    }
    // The dashboard signs in with a session cookie, not a bearer token: its scopes are
    // checked by `dashboard::session`. The test plane is a 404 outside test mode; its scope
    // is checked by `test_plane`.
    out.retain(|(_, p)| {
        !p.starts_with("/health")
            && !p.starts_with("/dashboard")
            && !p.starts_with("/goalpost/v1/test/")
    });
    out
}

fn body_for(method: &Method) -> Option<Value> {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}))
}

both!(
    tokens_are_stored_only_as_hashes,
    |app: TestApp| async move {
        use diesel::prelude::*;
        use goalpost::db::schema::api_tokens;
        let extra = app.token(1, &["goals:read"]);
        let mut conn = app.state.pool.get().unwrap();
        let rows: Vec<(String, String, String)> =
            goalpost::db::with_conn!(&mut *conn, c => api_tokens::table
        .select((api_tokens::name, api_tokens::token_hash, api_tokens::scopes))
        .load(c))
            .unwrap();
        let hashes: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        for secret in [TOKEN, extra.as_str()] {
            assert!(hashes.contains(&goalpost::auth::hash_token(secret).as_str()));
            assert!(rows.iter().all(|(n, h, s)| !n.contains(secret)
                && !h.contains(secret)
                && !s.contains(secret)));
        }
        assert!(hashes
            .iter()
            .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())));
    }
);

both!(every_route_enforces_its_scopes, |app: TestApp| async move {
    let f = fixture(&app).await;
    // A token whose one scope no route accepts on its own for these objects.
    let weak = app.token(1, &["crm.schemas.goals.read"]);
    let mut refused = 0;
    for (method, path) in requests(&f) {
        let schema_read = path.contains("/properties/") && method == Method::GET;
        let goal_schema = schema_read && path.contains("goal_targets");
        let weak_r = app
            .send(method.clone(), &path, Some(&weak), body_for(&method))
            .await;
        let full_r = app
            .send(method.clone(), &path, Some(TOKEN), body_for(&method))
            .await;
        if goal_schema {
            assert_ne!(weak_r.status, StatusCode::FORBIDDEN, "{method} {path}");
            continue;
        }
        assert!(
            !weak_r.status.is_success(),
            "{method} {path}: {}",
            weak_r.status
        );
        assert_ne!(
            full_r.status,
            StatusCode::FORBIDDEN,
            "{method} {path} with every scope"
        );
        if body_for(&method).is_none() || weak_r.status == StatusCode::FORBIDDEN {
            assert_eq!(
                weak_r.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                weak_r.body
            );
            refused += 1;
        }
    }
    // Scopes are checked before anything is looked up, so the walk stays valid after the
    // full-scope requests archive fixture objects.
    assert!(refused >= 60, "only {refused} requests refused");
});

both!(other_portals_see_nothing, |app: TestApp| async move {
    let f = fixture(&app).await;
    let before = app.snapshot();
    let stranger = app.token(2, goalpost::auth::ALL_SCOPES);
    for (method, path) in requests(&f) {
        let r = app
            .send(method.clone(), &path, Some(&stranger), body_for(&method))
            .await;
        let text = r.body.to_string();
        assert!(!text.contains(SECRET), "{method} {path} leaked: {text}");
        assert!(
            !text.contains(&f.family) || path.contains(&f.family),
            "{method} {path}: {text}"
        );
        let by_id = path.contains(&f.goal)
            || f.ids
                .iter()
                .any(|(_, id)| path.ends_with(&format!("/{id}")));
        if by_id && method == Method::GET {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {text}");
        }
        assert!(r.status.as_u16() < 500, "{method} {path}: {}", r.status);
    }
    assert_eq!(app.snapshot(), before, "a stranger changed portal 1");
});

async fn rate_limits(backend: Backend) {
    let app = TestApp::start_with(backend, |c| {
        c.rate_limit_max = 3;
        c.rate_window_ms = 60_000;
    })
    .await;
    let base = "/crm/v3/objects/goal_targets";
    for remaining in ["2", "1", "0"] {
        let r = app.get(base).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get("x-hubspot-ratelimit-remaining").unwrap(),
            remaining
        );
        assert_eq!(r.headers.get("x-hubspot-ratelimit-max").unwrap(), "3");
        assert_eq!(
            r.headers
                .get("x-hubspot-ratelimit-interval-milliseconds")
                .unwrap(),
            "60000"
        );
    }
    let before = app.snapshot();
    let r = app
        .post(base, json!({"properties": {"hs_goal_name": "x"}}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["category"], "RATE_LIMITS");
    assert!(r.headers.contains_key("retry-after"));
    let r = app.get("/v1/goals/find").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.headers.get("x-ratelimit-limit").unwrap(), "3");
    assert_eq!(r.headers.get("x-ratelimit-remaining").unwrap(), "0");
    assert!(r.headers.get("x-ratelimit-reset").is_some());
    assert_eq!(app.snapshot(), before, "a refused request wrote");
    // Another token has its own window; health checks carry no token and are not counted.
    let other = app.token(1, &["goals:read"]);
    let r = app
        .send(Method::GET, "/v1/goals/find", Some(&other), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get("x-ratelimit-remaining").unwrap(), "2");
    assert_eq!(
        app.send(Method::GET, "/health", None, None).await.status,
        StatusCode::OK
    );
}

mod rate_limits_per_token {
    #[actix_web::test]
    async fn sqlite() {
        super::rate_limits(super::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::rate_limits(super::Backend::Postgres).await
    }
}
