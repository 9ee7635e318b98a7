//! The test control plane: off by default (every route a 404), and in test mode throwaway
//! portals that parallel tests use side by side and delete with everything in them.

mod controls;
mod data;
mod faults;

use crate::support::family::Family;
use crate::support::{Backend, TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

pub(super) const PORTALS: &str = "/goalpost/v1/test/portals";

fn test_routes() -> Vec<(Method, String)> {
    goalpost::http::route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/goalpost/v1/test/"))
        .map(|r| {
            let path = r.path.replace("{portalId}", "2");
            (
                r.method,
                path.replace("{name}", "s").replace("{faultId}", "1"),
            )
        })
        .collect()
}

async fn off(backend: Backend) {
    let app = TestApp::start(backend).await;
    let routes = test_routes();
    assert_eq!(routes.len(), 18, "{routes:?}");
    // Not registered: a 404 whatever the method, token or body.
    for (method, path) in routes {
        for m in [method.clone(), Method::GET, Method::PUT] {
            for token in [Some(TOKEN), None] {
                let r = app.send(m.clone(), &path, token, Some(json!({}))).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.body);
            }
            let r = app.send_raw(m.clone(), &path, "{not json").await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.body);
        }
    }
}

pub(super) async fn portal(app: &TestApp, body: Value) -> (String, String) {
    let r = app
        .send(Method::POST, PORTALS, Some(TOKEN), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (
        r.body["portalId"].as_str().unwrap().to_owned(),
        r.body["token"].as_str().unwrap().to_owned(),
    )
}

pub(super) async fn total(app: &TestApp, token: &str) -> Value {
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/search",
            Some(token),
            Some(json!({"limit": 1})),
        )
        .await;
    if r.status != StatusCode::OK {
        return json!(r.status.as_u16());
    }
    r.body["total"].clone()
}

/// Rows a portal still has in any table with a `portal_id` column, found in the database's
/// catalogue (so a new table that `db::purge` forgets fails this test).
pub(super) fn rows_of(app: &TestApp, portal: i64) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.pool.get().unwrap();
    let catalogue = match conn.dialect() {
        goalpost::db::Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.columns \
             WHERE column_name = 'portal_id' AND table_schema = current_schema()"
        }
        goalpost::db::Dialect::Sqlite => {
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'portal_id'"
        }
    };
    let tables: Vec<Name> =
        goalpost::db::with_conn!(&mut *conn, c => diesel::sql_query(catalogue).load(c)).unwrap();
    assert!(tables.len() >= 18, "{}", tables.len());
    let sql = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT COUNT(*) AS n FROM {} WHERE portal_id = {portal}",
                t.name
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let counts: Vec<N> = goalpost::db::with_conn!(&mut *conn, c => diesel::sql_query(format!("SELECT CAST(SUM(n) AS BIGINT) AS n FROM ({sql}) x")).load(c)).unwrap();
    counts[0].n
}

async fn on(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.test_mode = true).await;
    // Two portals made at once, each with its own token: the same family written in both.
    let ((a, ta), (b, tb)) = futures_join(
        portal(&app, json!({})),
        portal(
            &app,
            json!({"validationMode": "lenient", "timeZone": "Europe/Paris"}),
        ),
    )
    .await;
    assert_ne!(a, b);
    for t in [&ta, &tb] {
        let r = app
            .send(
                Method::POST,
                "/crm/v3/objects/goal_targets/batch/create",
                Some(t),
                Some(Family::monthly("same").body()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = app
        .send(
            Method::PUT,
            "/goalpost/v1/lookups/teams/1",
            Some(&tb),
            Some(json!({"name": "T", "users": [1]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            total(&app, &ta).await,
            total(&app, &tb).await,
            total(&app, TOKEN).await
        ),
        (json!(12), json!(12), json!(0))
    );
    let r = app
        .send(Method::GET, "/goalpost/v1/families/same", Some(&tb), None)
        .await;
    assert_eq!(
        r.body["groups"][0]["slices"].as_array().map(Vec::len),
        Some(12)
    );
    // Asked-for scopes only.
    let (_, reader) = portal(&app, json!({"scopes": ["crm.objects.goals.read"]})).await;
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets",
            Some(&reader),
            Some(json!({"properties": {}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Delete b: its token stops working and nothing of it is left; a is untouched.
    let b_id: i64 = b.parse().unwrap();
    assert!(rows_of(&app, b_id) > 12);
    let r = app
        .send(Method::DELETE, &format!("{PORTALS}/{b}"), Some(TOKEN), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(rows_of(&app, b_id), 0);
    assert_eq!(total(&app, &tb).await, json!(401));
    assert_eq!(total(&app, &ta).await, json!(12));
    let r = app
        .send(Method::DELETE, &format!("{PORTALS}/{b}"), Some(TOKEN), None)
        .await;
    // Deleting again purges again (a write under way at the first delete may have left rows).
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // A new portal never gets a deleted one's id, even the highest.
    let (c, _) = portal(&app, json!({})).await;
    let r = app
        .send(Method::DELETE, &format!("{PORTALS}/{c}"), Some(TOKEN), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let (d, _) = portal(&app, json!({})).await;
    assert_eq!(d.parse::<i64>().unwrap(), c.parse::<i64>().unwrap() + 1);

    // Bad input: a 400 that creates nothing; no test scope: a 403; its own portal: refused.
    let before = app
        .send(Method::POST, PORTALS, Some(TOKEN), Some(json!({})))
        .await
        .body["portalId"]
        .clone();
    for body in [
        json!({"scopes": ["no.such.scope"]}),
        json!({"validationMode": "loose"}),
        json!({"timeZone": "Mars/Base"}),
        json!({"extra": 1}),
        json!({"scopes": "crm.objects.goals.read"}),
        json!({"scopes": ["goalpost.test"]}),
        json!({"name": "(deleted)"}),
    ] {
        let r = app
            .send(Method::POST, PORTALS, Some(TOKEN), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
    }
    let after = app
        .send(Method::POST, PORTALS, Some(TOKEN), Some(json!({})))
        .await
        .body["portalId"]
        .clone();
    assert_eq!(
        after.as_str().unwrap().parse::<i64>().unwrap(),
        before.as_str().unwrap().parse::<i64>().unwrap() + 1,
        "no portal made by a refused request"
    );
    let r = app
        .send(Method::POST, PORTALS, Some(&ta), Some(json!({})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .send(Method::DELETE, &format!("{PORTALS}/1"), Some(TOKEN), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for raw in ["0", "x", "99999"] {
        let r = app
            .send(
                Method::DELETE,
                &format!("{PORTALS}/{raw}"),
                Some(TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{raw}: {}", r.body);
    }
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

#[actix_web::test]
async fn test_mode_off_every_route_is_a_404_on_sqlite() {
    off(Backend::Sqlite).await;
}

#[actix_web::test]
async fn test_mode_off_every_route_is_a_404_on_postgres() {
    off(Backend::Postgres).await;
}

#[actix_web::test]
async fn throwaway_portals_on_sqlite() {
    on(Backend::Sqlite).await;
}

#[actix_web::test]
async fn throwaway_portals_on_postgres() {
    on(Backend::Postgres).await;
}

/// The banner of a server started with `GOALPOST_TEST_MODE=true`, up to its address.
#[test]
fn the_banner_says_test_mode_is_on() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/t.db", dir.path().display()),
        )
        .env("GOALPOST_TEST_MODE", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("listening: ");
        banner.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        banner.iter().any(|l| l.starts_with("TEST MODE IS ON")),
        "{banner:#?}"
    );
}
