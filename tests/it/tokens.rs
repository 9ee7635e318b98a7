//! The token lifecycle (issue 19): `goalpost token create --expires-in / list / revoke /
//! rotate`, driven through the real CLI against the test's database, and the server refusing
//! what they turned off — HubSpot's 401 on HubSpot routes, Pipedrive's on Pipedrive's — once
//! its cache-version poll has run (the poll a serving process runs every 250 ms).

use crate::support::{Backend, TestApp};
use actix_web::http::{Method, StatusCode};
use goalpost::http::watch::{poll_once, Seen};
use serde_json::Value;
use std::process::Command;

const BASE: &str = "/crm/v3/objects/goal_targets?limit=1";

/// Runs `goalpost token …` on the app's database: (success, stdout, stderr).
fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .arg("token")
        .args(args)
        .env("DATABASE_URL", app.db_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run goalpost token");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A token made by the CLI: (id, secret).
fn create(app: &TestApp, extra: &[&str]) -> (i64, String) {
    let mut args = vec![
        "create",
        "--scopes",
        "crm.objects.goals.read,goals:read",
        "--name",
        "ci",
    ];
    args.extend_from_slice(extra);
    let (ok, out, err) = cli(app, &args);
    assert!(ok, "{err}");
    let secret = out.trim().to_owned();
    let listed = list(app);
    let row = listed.last().expect("listed");
    assert_eq!(row["name"], "ci");
    (row["id"].as_i64().unwrap(), secret)
}

fn list(app: &TestApp) -> Vec<Value> {
    let (ok, out, err) = cli(app, &["list", "--json"]);
    assert!(ok, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn status(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = app.send(Method::GET, path, Some(token), None).await;
    (r.status, r.body)
}

async fn lifecycle(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut seen = Seen::default();
    let (id, secret) = create(&app, &[]);
    assert_eq!(status(&app, &secret, BASE).await.0, StatusCode::OK);

    // `list` shows what an admin needs and never the secret or its hash.
    let (ok, table, _) = cli(&app, &["list"]);
    assert!(ok);
    assert!(
        table.contains("LAST USED") && table.contains("ci"),
        "{table}"
    );
    let hash = goalpost::auth::hash_token(&secret);
    assert!(
        !table.contains(&secret) && !table.contains(&hash),
        "{table}"
    );
    let row = list(&app).into_iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(row["state"], "active");
    assert_eq!(row["portal"], 1);
    assert!(row["last_used_at"].is_null(), "not stamped yet");
    goalpost::http::watch::stamp(&app.state);
    let row = list(&app).into_iter().find(|r| r["id"] == id).unwrap();
    assert!(row["last_used_at"].as_i64().unwrap() > 0, "{row}");

    // Rotate with a grace period: both secrets work until it ends.
    let (ok, out, err) = cli(&app, &["rotate", &id.to_string(), "--grace", "1h"]);
    assert!(ok, "{err}");
    let rotated = out.trim().to_owned();
    assert_ne!(rotated, secret);
    poll_once(&app.state, &mut seen).unwrap();
    assert_eq!(status(&app, &secret, BASE).await.0, StatusCode::OK);
    assert_eq!(status(&app, &rotated, BASE).await.0, StatusCode::OK);
    // Rotate again without grace: only the newest secret works.
    let (ok, out, _) = cli(&app, &["rotate", &id.to_string()]);
    assert!(ok);
    let newest = out.trim().to_owned();
    poll_once(&app.state, &mut seen).unwrap();
    for old in [&secret, &rotated] {
        let (s, body) = status(&app, old, BASE).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(body["category"], "INVALID_AUTHENTICATION");
    }
    assert_eq!(status(&app, &newest, BASE).await.0, StatusCode::OK);

    // Revoke: refused on both surfaces, in each one's own shape, once the poll has run.
    assert_eq!(
        status(&app, &newest, "/v1/goals/find").await.0,
        StatusCode::OK
    );
    let (ok, _, err) = cli(&app, &["revoke", &id.to_string()]);
    assert!(ok, "{err}");
    poll_once(&app.state, &mut seen).unwrap();
    let (s, body) = status(&app, &newest, BASE).await;
    assert_eq!(
        (s, body["category"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("INVALID_AUTHENTICATION"))
    );
    let (s, body) = status(&app, &newest, "/v1/goals/find").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["success"], false, "{body}");
    let row = list(&app).into_iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(row["state"], "revoked");
    // A revoked token cannot be rotated back to life; unknown ids are errors, not silence.
    assert!(!cli(&app, &["rotate", &id.to_string()]).0);
    assert!(!cli(&app, &["revoke", "999999"]).0);
    // Storing a rotated-away secret again (a restart with an old bootstrap token) does not
    // bring it back.
    let mut conn = app.state.pool.get().unwrap();
    let all: Vec<String> = goalpost::auth::ALL_SCOPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let portal = goalpost::engine::store::PortalId(1);
    goalpost::auth::store_token(&mut conn, portal, "bootstrap", &rotated, &all, 1, None).unwrap();
    drop(conn);
    poll_once(&app.state, &mut seen).unwrap();
    assert_eq!(
        status(&app, &rotated, BASE).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Other tokens are untouched.
    assert_eq!(
        status(&app, crate::support::TOKEN, BASE).await.0,
        StatusCode::OK
    );
}

async fn expiry(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (id, secret) = create(&app, &["--expires-in", "2s"]);
    let row = list(&app).into_iter().find(|r| r["id"] == id).unwrap();
    assert!(row["expires_at"].as_i64().unwrap() > row["created_at"].as_i64().unwrap());
    assert_eq!(
        status(&app, &secret, BASE).await.0,
        StatusCode::OK,
        "valid until it expires"
    );
    // The cached entry carries the expiry: no poll is needed for it to stop working.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (s, body) = status(&app, &secret, BASE).await;
    assert_eq!(
        (s, body["category"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("INVALID_AUTHENTICATION"))
    );
    let row = list(&app).into_iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(row["state"], "expired");
    let (ok, _, err) = cli(
        &app,
        &["create", "--scopes", "goals:read", "--expires-in", "soon"],
    );
    assert!(!ok && err.contains("not a duration"), "{err}");
    let (ok, _, err) = cli(
        &app,
        &["create", "--scopes", "goals:read", "--expires-in", "0"],
    );
    assert!(!ok && err.contains("longer than zero"), "{err}");
}

mod token_lifecycle_through_the_cli {
    #[actix_web::test]
    async fn sqlite() {
        super::lifecycle(super::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::lifecycle(super::Backend::Postgres).await
    }
}

mod tokens_expire {
    #[actix_web::test]
    async fn sqlite() {
        super::expiry(super::Backend::Sqlite).await
    }
    #[actix_web::test]
    async fn postgres() {
        super::expiry(super::Backend::Postgres).await
    }
}
