//! The goals dashboard in a real headless Chromium (WebDriver): sign in, filter, open a family,
//! edit a target, see a refusal, see the leaderboard; escaping, a read-only token, cross-site
//! posts and another portal's data. Screenshots go to `target/screenshots/`.

use super::seed::{call, seed, token};
use crate::support::browser::Browser;
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use fantoccini::Locator;
use serde_json::json;

async fn sign_in(b: &Browser, base: &str, token: &str) {
    b.goto(&format!("{base}/dashboard")).await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/dashboard/login"));
    b.fill("#token", token).await;
    b.click(Locator::Css("form button[type=submit]")).await;
    b.wait_url(|u| u.path() == "/dashboard").await;
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
    b.goto(&format!("{base}/dashboard/login")).await;
    b.fill("#token", "not-a-token").await;
    b.click(Locator::Css("form button[type=submit]")).await;
    assert!(b.text("[role=alert]").await.contains("not valid"));

    sign_in(&b, &base, TOKEN).await;
    // The goal name is shown as text, markup and all, and no other portal's family is listed.
    let name = "Revenue <script>alert('x')</script> & more";
    assert_eq!(b.texts("tbody td:first-child a").await, [name, "Renewals"]);
    b.screenshot(&format!("dashboard-families-{label}")).await;

    // Filter by owner: only owner 9's family; an owner with none: nothing.
    b.fill("input[name=owner]", "9").await;
    b.click(Locator::Css("form.filters button")).await;
    b.wait_url(|u| u.query().is_some_and(|q| q.contains("owner=9")))
        .await;
    assert_eq!(b.texts("tbody td:first-child a").await, ["Renewals"]);
    b.goto(&format!("{base}/dashboard?owner=12345")).await;
    assert!(b.text("main").await.contains("No goal families match"));

    // Open the family: its grid, its pace, its team roll-up flagging the mismatch.
    b.goto(&format!("{base}/dashboard")).await;
    b.click(Locator::LinkText(name)).await;
    b.wait_url(|u| u.path().ends_with("/dashboard/families/fam-1"))
        .await;
    let main = b.text("main").await;
    assert!(
        main.contains("Owner 7") && main.contains("Team 3") && main.contains("target mismatch"),
        "{main}"
    );
    b.screenshot(&format!("dashboard-family-{label}")).await;

    // Edit December's target of owner 7 inline.
    let cell = b
        .client
        .find(Locator::Css("tr:first-child td.cell:nth-of-type(12)"))
        .await
        .unwrap();
    let id = cell
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("slice-")
        .to_owned();
    b.fill(&format!("#slice-{id} input.target"), "1234").await;
    b.click(Locator::Css(&format!("#slice-{id} button"))).await;
    assert!(b.text("[role=status]").await.contains("Target saved"));
    assert_eq!(slice_target(&base, &id).await, "1234");

    // A refused edit shows the rule and changes nothing.
    b.fill(&format!("#slice-{id} input.target"), "lots").await;
    b.click(Locator::Css(&format!("#slice-{id} button"))).await;
    let alert = b.text("[role=alert]").await;
    assert!(
        alert.contains("Not saved") && alert.contains("hs_target_amount"),
        "{alert}"
    );
    assert_eq!(slice_target(&base, &id).await, "1234");
    b.screenshot(&format!("dashboard-refusal-{label}")).await;

    // The leaderboard for December: bars per owner and per team, and the pacing chart.
    b.click(Locator::LinkText("Leaderboard")).await;
    b.wait_url(|u| u.path() == "/dashboard/leaderboard").await;
    b.goto(&format!("{base}/dashboard/leaderboard?period=2026-12"))
        .await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("svg[role=img]"))
            .await
            .unwrap()
            .len(),
        3
    );
    let main = b.text("main").await;
    assert!(
        main.contains("Owner 7")
            && main.contains("East (team 3)")
            && !main.contains("Other portal"),
        "{main}"
    );
    b.screenshot(&format!("dashboard-leaderboard-{label}"))
        .await;

    // Signed out, then in with a read-only token: no edit forms.
    b.click(Locator::Css("header form button")).await;
    b.wait_url(|u| u.path() == "/dashboard/login").await;
    sign_in(&b, &base, &reader).await;
    b.goto(&format!("{base}/dashboard/families/fam-1")).await;
    assert!(b.text("main").await.contains("read-only"));
    assert!(b
        .client
        .find_all(Locator::Css("input.target"))
        .await
        .unwrap()
        .is_empty());
    // Another portal's family is not found from this one.
    b.goto(&format!("{base}/dashboard/families/fam-other"))
        .await;
    assert!(b.text("main").await.contains("No goal family"));
    b.close().await;

    // A dark-scheme screenshot, for the README's readers who use one.
    let dark = Browser::start(true).await;
    sign_in(&dark, &base, TOKEN).await;
    dark.goto(&format!("{base}/dashboard/leaderboard?period=2026-12"))
        .await;
    dark.screenshot(&format!("dashboard-leaderboard-dark-{label}"))
        .await;
    dark.close().await;

    // A cross-site form post with a valid session cookie is refused and changes nothing.
    let r = ureq::post(&format!("{base}/dashboard/families/fam-1/slices/{id}"))
        .set(
            "Cookie",
            &format!("goalpost_session={}", goalpost::http::dashboard::hex(TOKEN)),
        )
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
