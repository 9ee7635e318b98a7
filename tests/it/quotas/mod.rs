//! Quota import and export: both layouts and formats round-trip unchanged, the plan names what
//! it will do and every line it cannot use, bad files write nothing, the family rules hold.

mod cli;
mod stream;

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use actix_web::test;
use serde_json::{json, Value};

/// Posts a file to the import route; `apply`: dry_run=false.
pub(super) async fn import(
    app: &TestApp,
    file: &str,
    query: &str,
    apply: bool,
) -> (StatusCode, Value) {
    let req = test::TestRequest::post()
        .uri(&format!("/goalpost/v1/imports?dry_run={}{query}", !apply))
        .insert_header(("Authorization", format!("Bearer {TOKEN}")))
        .insert_header(("Content-Type", "text/csv"))
        .set_payload(file.to_owned())
        .to_request();
    let (status, _, body) = app.call_text(req).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

pub(super) async fn export(app: &TestApp, query: &str) -> String {
    let req = test::TestRequest::get()
        .uri(&format!("/goalpost/v1/exports?{query}"))
        .insert_header(("Authorization", format!("Bearer {TOKEN}")))
        .to_request();
    let (status, _, body) = app.call_text(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn targets(app: &TestApp) -> i64 {
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/search",
            Some(TOKEN),
            Some(json!({"limit": 1})),
        )
        .await;
    r.body["total"].as_i64().unwrap()
}

fn sum(plan: &Value, key: &str) -> usize {
    plan["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[key].as_array().map_or(0, Vec::len))
        .sum()
}

/// A year of monthly targets for an owner named by e-mail, and for a team named by name.
pub(super) fn sheet() -> String {
    let mut s = String::from("goal,assignee,team,milestone,period,target,currency\n");
    for m in 1..=12 {
        s += &format!(
            "2027 revenue,ada@example.com,,monthly,2027-{m:02},{},EUR\n",
            1000 * m
        );
    }
    for m in 1..=12 {
        s += &format!("2027 revenue,,East,monthly,2027-{m:02},9000,EUR\n");
    }
    s
}

pub(super) async fn lookups(app: &TestApp) {
    let put =
        |path: &'static str, body: Value| app.send(Method::PUT, path, Some(TOKEN), Some(body));
    assert_eq!(
        put(
            "/goalpost/v1/lookups/owners/7",
            json!({"email": "ada@example.com"})
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        put(
            "/goalpost/v1/lookups/teams/3",
            json!({"name": "East", "users": [7]})
        )
        .await
        .status,
        StatusCode::OK
    );
}

both!(
    a_sheet_is_planned_then_applied_and_round_trips,
    |app: TestApp| async move {
        lookups(&app).await;
        let (s, plan) = import(&app, &sheet(), "", false).await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        assert_eq!(
            (
                plan["applied"].clone(),
                plan["rows"].clone(),
                sum(&plan, "create")
            ),
            (json!(false), json!(24), 24)
        );
        assert_eq!(plan["families"][0]["newGroups"], 2);
        assert_eq!(targets(&app).await, 0, "a dry run writes nothing");
        let (s, done) = import(&app, &sheet(), "", true).await;
        assert_eq!(
            (s, &done["written"]),
            (StatusCode::OK, &json!(24)),
            "{done}"
        );
        assert_eq!(targets(&app).await, 24);
        let r = app
        .send(Method::POST, "/crm/v3/objects/goal_targets/search", Some(TOKEN), Some(json!({"limit": 1,
            "filterGroups": [{"filters": [{"propertyName": "hs_assignee_team_id", "operator": "EQ", "value": "3"}]}]})))
        .await;
        assert_eq!(r.body["total"], 12, "the team named East is team 3");

        // Every layout and format exports what imports back unchanged.
        for (query, layout) in [
            ("layout=rows&format=csv", "rows"),
            ("layout=grid&format=csv", "grid"),
            ("layout=rows&format=ndjson", "rows"),
            ("layout=grid&format=ndjson", "grid"),
        ] {
            let file = export(&app, query).await;
            let format = if query.ends_with("ndjson") {
                "&format=ndjson"
            } else {
                ""
            };
            let (s, again) = import(&app, &file, &format!("&layout={layout}{format}"), true).await;
            assert_eq!(s, StatusCode::OK, "{query}: {again}");
            assert_eq!(
                (
                    sum(&again, "create"),
                    sum(&again, "change"),
                    again["written"].as_u64()
                ),
                (0, 0, Some(0)),
                "{query}: {again}\n{file}"
            );
            let unchanged: u64 = again["families"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["unchanged"].as_u64().unwrap())
                .sum();
            assert_eq!(unchanged, 24, "{query}");
            assert_eq!(again["problems"], json!([]), "{query}");
        }
        let grid = export(&app, "layout=grid").await;
        assert!(
            grid.starts_with("goal,family,assignee,team,milestone,currency,2027-01,2027-02"),
            "{grid}"
        );
        assert!(
            grid.contains(",ada@example.com,,monthly,EUR,1000,2000"),
            "owners by e-mail: {grid}"
        );

        // A re-import with one changed amount updates that slice alone.
        let changed = sheet().replace("2027-03,3000", "2027-03,3500");
        let (_, plan) = import(&app, &changed, "", true).await;
        assert_eq!(
            (sum(&plan, "change"), plan["written"].as_u64()),
            (1, Some(1)),
            "{plan}"
        );
        assert_eq!(targets(&app).await, 24);
        // Next year for the same people: new groups (one goal year each) in the same family,
        // which keeps its stored name; a quarter in this monthly family is refused.
        let next = sheet()
            .replace("2027-", "2028-")
            .replace("2027 revenue", "Renamed");
        let family = plan["families"][0]["family"].as_str().unwrap().to_owned();
        let next = next.replace("Renamed,", &format!("Renamed,{family},"));
        let next = next.replacen("goal,assignee", "goal,family,assignee", 1);
        let quarter = format!("Renamed,{family},ada@example.com,,quarterly,2029-Q1,5,EUR\n");
        let (_, plan) = import(&app, &(next.clone() + &quarter), "", false).await;
        assert_eq!(plan["problems"][0]["line"], 26, "{plan}");
        let (s, plan) = import(&app, &next, "", true).await;
        assert_eq!(
            (
                s,
                plan["written"].as_u64(),
                plan["families"][0]["newGroups"].as_u64()
            ),
            (StatusCode::OK, Some(24), Some(2)),
            "{plan}"
        );
        assert_eq!(plan["families"][0]["goal"], "2027 revenue", "{plan}");
        assert_eq!(targets(&app).await, 48);
    }
);

both!(
    bad_rows_are_named_and_nothing_is_written,
    |app: TestApp| async move {
        lookups(&app).await;
        let file = "goal,assignee,milestone,period,target\n\
                =HYPERLINK(\"http://x\"),7,monthly,2027-01,10\n\
                G,nobody@example.com,monthly,2027-01,10\n\
                G,7,monthly,2027-01-15,10\n\
                G,7,monthly,2027-02,ten\n\
                G,7,sometimes,2027-02,10\n\
                G,7,monthly,2027-03,10,extra\n";
        let (s, body) = import(&app, file, "", false).await;
        assert_eq!(
            s,
            StatusCode::BAD_REQUEST,
            "a ragged row refuses the file: {body}"
        );
        assert!(
            body["message"].as_str().unwrap().starts_with("line 7:"),
            "{body}"
        );
        let file = file.rsplit_once("G,7,monthly,2027-03").unwrap().0;
        let (s, plan) = import(&app, file, "", false).await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        let lines: Vec<u64> = plan["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [2, 3, 4, 5, 6], "{plan}");
        let reasons = plan["problems"].to_string();
        for expected in [
            "formula",
            "unknown owner \\\"nobody@example.com\\\"",
            "whole monthly",
            "not an amount",
            "milestone \\\"sometimes\\\"",
        ] {
            assert!(reasons.contains(expected), "{expected}: {reasons}");
        }
        let (s, refused) = import(&app, file, "", true).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(targets(&app).await, 0);
        for (bad, why) in [
            (&b"goal,goal\nA,B\n"[..], "twice"),
            (&b"goal,period,target\nG\xe9n,2027,1\n"[..], "UTF-8"),
            (&b"goal,,target\nA,2027,1\n"[..], "no name"),
            (&b""[..], "no rows"),
            (&b"-3378"[..], "no rows"),
        ] {
            let (s, body) =
                import(&app, std::str::from_utf8(bad).unwrap_or("\u{0}"), "", true).await;
            let _ = (s, body);
            let req = test::TestRequest::post()
                .uri("/goalpost/v1/imports?dry_run=false")
                .insert_header(("Authorization", format!("Bearer {TOKEN}")))
                .set_payload(bad.to_vec())
                .to_request();
            let (s, _, body) = app.call_text(req).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
            assert!(body.contains(why), "{why}: {body}");
        }
        assert_eq!(targets(&app).await, 0);
    }
);

both!(
    a_strict_portal_refuses_an_incomplete_group_naming_its_rows,
    |app: TestApp| async move {
        let file = "goal,assignee,milestone,period,target\nQ,7,monthly,2027-01,1\nQ,7,monthly,2027-02,1\nQ,7,monthly,2027-04,1\n";
        let (s, plan) = import(&app, file, "", false).await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        let refused = plan["families"][0]["refused"].as_str().unwrap_or_default();
        assert!(
            refused.contains("line "),
            "the dry run tries the rules: {plan}"
        );
        let (_, applied) = import(&app, file, "", true).await;
        assert_eq!(applied["written"], 0, "{applied}");
        assert_eq!(targets(&app).await, 0);
        // Written in one chunk with a family the rules accept: that one is written, Q is named.
        let both = format!("{file}Y,7,yearly,2027,5\nY,8,yearly,2027,6\n");
        let (_, applied) = import(&app, &both, "", true).await;
        assert_eq!(applied["written"], 2, "{applied}");
        let refused = applied["families"][0]["refused"]
            .as_str()
            .unwrap_or_default();
        assert!(refused.contains("line "), "{applied}");
        assert!(applied["families"][1].get("refused").is_none(), "{applied}");
        assert_eq!(targets(&app).await, 2);
        let reader = app.token(1, &["crm.objects.goals.read"]);
        let r = app
            .send(Method::GET, "/goalpost/v1/exports", Some(&reader), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
