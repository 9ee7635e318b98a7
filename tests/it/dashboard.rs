//! The goals dashboard in a real headless Chromium (WebDriver): sign in, filter, open a family,
//! edit a target, see a refusal, see the leaderboard; escaping, a read-only token, cross-site
//! posts and another portal's data. Screenshots go to `target/screenshots/`.

use crate::support::browser::Browser;
use crate::support::http::send;
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

fn token(url: &str, portal: i64, scopes: &[&str]) -> String {
    let pool = goalpost::db::pool(url, 2).expect("pool");
    let mut conn = pool.get().expect("conn");
    let p = goalpost::engine::store::PortalId(portal);
    goalpost::portals::ensure_portal(&mut conn, p, "other").expect("portal");
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    goalpost::auth::create_token(
        &mut conn,
        p,
        "dashboard",
        &scopes,
        goalpost::auth::DEFAULT_USER,
        None,
    )
    .expect("token")
    .1
}

fn call(base: &str, method: &str, path: &str, token: &str, body: Value) -> Value {
    let (status, out) = send(base, method, path, token, Some(&body), T).expect("request");
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {out}"
    );
    out
}

/// One monthly group of 2026 with a revenue KPI.
fn group(uuid: &str, name: &str, gid: &str, owner: &str, team: &str, target: &str) -> Value {
    let inputs: Vec<Value> = (1..=12u32)
        .map(|m| {
            let start = chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
            let next = if m == 12 { chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() } else { chrono::NaiveDate::from_ymd_opt(2026, m + 1, 1).unwrap() };
            let end = next.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::milliseconds(1);
            json!({"properties": {
                "hs_goal_name": name, "hs_goal_type": "sales_quota", "hs_milestone": "monthly", "hs_target_amount": target,
                "hs_start_datetime": format!("{start}T00:00:00.000Z"), "hs_end_datetime": end.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "hs_group_correlation_uuid": uuid, "hs_goal_target_group_id": gid,
                "hubspot_owner_id": owner, "hs_assignee_team_id": team,
                "hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "SUM", "hs_kpi_property_name": "amount",
                "hs_kpi_filter_groups": r#"[{"filters":[{"property":"dealstage","operator":"EQ","value":"closedwon"}]}]"#,
            }})
        })
        .collect();
    json!({ "inputs": inputs })
}

fn seed(base: &str, other: &str) {
    call(
        base,
        "PUT",
        "/goalpost/v1/lookups/teams/3",
        TOKEN,
        json!({"name": "East", "users": [7, 8]}),
    );
    let name = "Revenue <script>alert('x')</script> & more";
    for (gid, owner, team, target) in [
        ("g7", "7", "", "1000"),
        ("g8", "8", "", "1500"),
        ("gt", "", "3", "2000"),
    ] {
        call(
            base,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            group("fam-1", name, gid, owner, team, target),
        );
    }
    call(
        base,
        "POST",
        "/crm/v3/objects/goal_targets/batch/create",
        TOKEN,
        group("fam-2", "Renewals", "r9", "9", "", "500"),
    );
    for (owner, amount, at) in [
        ("7", "400", "2026-12-02T10:00:00Z"),
        ("8", "2000", "2026-11-10T10:00:00Z"),
        ("7", "900", "2026-11-03T00:00:00Z"),
        ("9", "100", "2026-12-01T10:00:00Z"),
    ] {
        call(
            base,
            "POST",
            "/crm/v3/objects/deals",
            TOKEN,
            json!({"properties": {"amount": amount, "dealstage": "closedwon", "closedate": at, "hubspot_owner_id": owner}}),
        );
    }
    call(
        base,
        "POST",
        "/crm/v3/objects/goal_targets/batch/create",
        other,
        group("fam-other", "Other portal's goal", "o1", "7", "", "1"),
    );
}

async fn text(b: &Browser, css: &str) -> String {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn sign_in(b: &Browser, base: &str, token: &str) {
    b.client.goto(&format!("{base}/dashboard")).await.unwrap();
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/dashboard/login"));
    b.client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(token)
        .await
        .unwrap();
    b.client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The post and its redirect complete after the click returns.
    for _ in 0..50 {
        if b.client.current_url().await.unwrap().path() == "/dashboard" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not signed in: {}", text(b, "main").await);
}

async fn slice_target(base: &str, id: &str) -> String {
    let r = call(
        base,
        "GET",
        &format!("/crm/v3/objects/goal_targets/{id}?properties=hs_target_amount"),
        TOKEN,
        json!(null),
    );
    r["properties"]["hs_target_amount"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn drive(backend: Backend, label: &str) {
    let server = Server::start_on(TestDb::new(backend), &[]);
    let base = server.base_url.clone();
    let other = token(
        &server.db.url,
        2,
        &["crm.objects.goals.read", "crm.objects.goals.write"],
    );
    let reader = token(&server.db.url, 1, &["crm.objects.goals.read"]);
    seed(&base, &other);
    let b = Browser::start(false).await;

    // A wrong token is refused on the sign-in page.
    b.client
        .goto(&format!("{base}/dashboard/login"))
        .await
        .unwrap();
    b.client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys("not-a-token")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(&b, "[role=alert]").await.contains("not valid"));

    sign_in(&b, &base, TOKEN).await;
    // The goal name is shown as text, markup and all, and no other portal's family is listed.
    let names: Vec<String> = {
        let mut out = Vec::new();
        for e in b
            .client
            .find_all(Locator::Css("tbody td:first-child a"))
            .await
            .unwrap()
        {
            out.push(e.text().await.unwrap());
        }
        out
    };
    assert_eq!(
        names,
        ["Revenue <script>alert('x')</script> & more", "Renewals"]
    );
    b.screenshot(&format!("dashboard-families-{label}")).await;

    // Filter by owner: only owner 9's family.
    b.client
        .find(Locator::Css("input[name=owner]"))
        .await
        .unwrap()
        .send_keys("9")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if b.client
            .current_url()
            .await
            .unwrap()
            .query()
            .is_some_and(|q| q.contains("owner=9"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(text(&b, "tbody td:first-child a").await, "Renewals");
    b.client
        .goto(&format!("{base}/dashboard?owner=12345"))
        .await
        .unwrap();
    assert!(text(&b, "main").await.contains("No goal families match"));

    // Open the family: its grid, its pace, its team roll-up flagging the mismatch.
    b.client.goto(&format!("{base}/dashboard")).await.unwrap();
    b.client
        .find(Locator::LinkText(
            "Revenue <script>alert('x')</script> & more",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/dashboard/families/fam-1"));
    let main = text(&b, "main").await;
    assert!(
        main.contains("Owner 7") && main.contains("Team 3") && main.contains("target mismatch"),
        "{main}"
    );
    b.screenshot(&format!("dashboard-family-{label}")).await;

    // Edit December's target of owner 7 inline.
    let form = b
        .client
        .find(Locator::Css("tr:first-child td.cell:nth-of-type(12)"))
        .await
        .unwrap();
    let id = form
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("slice-")
        .to_owned();
    let input = b
        .client
        .find(Locator::Css(&format!("#slice-{id} input.target")))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("1234").await.unwrap();
    b.client
        .find(Locator::Css(&format!("#slice-{id} button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(&b, "[role=status]").await.contains("Target saved"));
    assert_eq!(slice_target(&base, &id).await, "1234");

    // A refused edit shows the rule and changes nothing.
    let input = b
        .client
        .find(Locator::Css(&format!("#slice-{id} input.target")))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("lots").await.unwrap();
    b.client
        .find(Locator::Css(&format!("#slice-{id} button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let alert = text(&b, "[role=alert]").await;
    assert!(
        alert.contains("Not saved") && alert.contains("hs_target_amount"),
        "{alert}"
    );
    assert_eq!(slice_target(&base, &id).await, "1234");
    b.screenshot(&format!("dashboard-refusal-{label}")).await;

    // The leaderboard for December: bars per owner and per team, and the pacing chart.
    b.client
        .find(Locator::LinkText("Leaderboard"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .goto(&format!("{base}/dashboard/leaderboard?period=2026-12"))
        .await
        .unwrap();
    assert_eq!(
        b.client
            .find_all(Locator::Css("svg[role=img]"))
            .await
            .unwrap()
            .len(),
        3
    );
    let main = text(&b, "main").await;
    assert!(
        main.contains("Owner 7")
            && main.contains("East (team 3)")
            && !main.contains("Other portal"),
        "{main}"
    );
    b.screenshot(&format!("dashboard-leaderboard-{label}"))
        .await;

    // Signed out, then in with a read-only token: no edit forms.
    b.client
        .find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    sign_in(&b, &base, &reader).await;
    b.client
        .goto(&format!("{base}/dashboard/families/fam-1"))
        .await
        .unwrap();
    assert!(text(&b, "main").await.contains("read-only"));
    assert!(b
        .client
        .find_all(Locator::Css("input.target"))
        .await
        .unwrap()
        .is_empty());
    // Another portal's family is not found from this one.
    b.client
        .goto(&format!("{base}/dashboard/families/fam-other"))
        .await
        .unwrap();
    assert!(text(&b, "main").await.contains("No goal family"));
    b.close().await;

    // A dark-scheme screenshot, for the README's readers who use one.
    let dark = Browser::start(true).await;
    sign_in(&dark, &base, TOKEN).await;
    dark.client
        .goto(&format!("{base}/dashboard/leaderboard?period=2026-12"))
        .await
        .unwrap();
    dark.screenshot(&format!("dashboard-leaderboard-dark-{label}"))
        .await;
    dark.close().await;

    // A cross-site form post with a valid session cookie is refused and changes nothing.
    let r = ureq::post(&format!("{base}/dashboard/families/fam-1/slices/{id}"))
        .set("Cookie", &format!("goalpost_session={TOKEN}"))
        .set("Origin", "http://evil.example")
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string("target=1&csrf=guess");
    assert!(matches!(r, Err(ureq::Error::Status(403, _))), "{r:?}");
    assert_eq!(slice_target(&base, &id).await, "1234");
}

#[actix_web::test]
async fn dashboard_in_a_browser_on_sqlite() {
    drive(Backend::Sqlite, "sqlite").await;
}

#[actix_web::test]
async fn dashboard_in_a_browser_on_postgres() {
    drive(Backend::Postgres, "postgres").await;
}
