//! The goals dashboard in a real headless Chromium (WebDriver): sign in, filter, open a family,
//! edit a target, see a refusal, see the leaderboard; escaping, a read-only token, cross-site
//! posts and another portal's data. Screenshots go to `target/screenshots/`.

use super::seed::{call, seed, token};
use crate::support::browser::Browser;
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;

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
