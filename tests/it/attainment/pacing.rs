//! Pacing and roll-ups: expected value to date and pace per slice, group and family; a team
//! group rolled up from its members' groups, flagged where its target is not their sum.

use super::{family, record};
use crate::both;
use crate::support::family::{periods, Family};
use crate::support::TestApp;
use actix_web::http::{Method, StatusCode};
use chrono::Datelike;
use serde_json::{json, Value};

both!(lenient: team_rollups_flag_a_target_mismatch_and_slices_show_their_pace, |app: TestApp| async move {
    let r = app.send(Method::PUT, "/goalpost/v1/lookups/teams/3", Some(crate::support::TOKEN), Some(json!({"name": "East", "users": [7, 8]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let kpi = json!({"hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "SUM", "hs_kpi_property_name": "amount"});
    let mut team = kpi.clone();
    team["hubspot_owner_id"] = json!("");
    team["hs_assignee_team_id"] = json!("3");
    // Twelve months ending with the running one: the first has ended, the last is running.
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).unwrap().checked_sub_months(chrono::Months::new(11)).unwrap();
    let months = periods(chrono_tz::UTC, first, 1, 12);
    let f = |g: &str| Family::new("fam", "monthly", months.clone()).group(g);
    family(&app, &f("team").target("300"), team).await;
    family(&app, &f("seven").owner("7").target("100"), kpi.clone()).await;
    family(&app, &f("eight").owner("8").target("150"), kpi).await;
    let running = months[11].0.replace("00:00:00.000Z", "00:00:01.000Z");
    let ended = first.to_string() + "T12:00:00Z";
    record(&app, "deals", json!({"amount": "40", "dealstage": "closedwon", "closedate": running, "hubspot_owner_id": "7"})).await;
    record(&app, "deals", json!({"amount": "1000", "dealstage": "closedwon", "closedate": ended, "hubspot_owner_id": "8"})).await;

    let r = app.get("/goalpost/v1/families/fam/attainment").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    let group = |id: &str| b["groups"].as_array().unwrap().iter().find(|g| g["groupId"] == id).unwrap().clone();
    let seven = group("seven");
    assert_eq!(seven["assignee"], json!({"kind": "owner", "id": "7"}));
    let slices = seven["slices"].as_array().unwrap();
    let (jan, dec) = (&slices[0], &slices[11]);
    assert_eq!(jan["pace"], "ended", "{jan}");
    assert_eq!(jan["elapsed"], 1.0);
    assert_eq!(dec["value"], 40.0, "{dec}");
    let elapsed = dec["elapsed"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&elapsed), "{dec}");
    let expected = dec["expectedToDate"].as_f64().unwrap();
    // `elapsed` is shown to two decimals: the expected value to date is within half a percent.
    assert!((expected - 100.0 * elapsed).abs() <= 0.5, "{dec}");
    let pace = if 40.0 >= expected { "on_track" } else if 40.0 >= expected * 0.8 { "behind" } else { "at_risk" };
    assert_eq!(dec["pace"], pace, "{dec}");
    // Owner 8's January deal: a group total over the months so far.
    let eight = group("eight");
    assert_eq!(eight["totals"]["value"], 1000.0, "{eight}");
    assert_eq!(eight["slices"][0]["outcome"], "exceeded", "{eight}");
    // The team's value is its members' (one KPI over both), its target is not their sum.
    let team = &b["teams"][0];
    assert_eq!(team["teamId"], "3");
    assert_eq!(team["targetMismatch"], true, "{team}");
    let members: Vec<&Value> = team["members"].as_array().unwrap().iter().map(|m| &m["groupId"]).collect();
    assert_eq!(members, [&json!("eight"), &json!("seven")]);
    let jan_team = &team["periods"][0];
    assert_eq!((jan_team["teamTarget"].as_f64(), jan_team["membersTarget"].as_f64()), (Some(300.0), Some(250.0)));
    assert_eq!((jan_team["teamValue"].as_f64(), jan_team["membersValue"].as_f64()), (Some(1000.0), Some(1000.0)));
    assert_eq!(b["totals"]["target"], 300.0 * 12.0 + 100.0 * 12.0 + 150.0 * 12.0);

    let r = app.get("/goalpost/v1/families/nope/attainment").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let reader = app.token(1, &["crm.objects.deals.read"]);
    let r = app.send(Method::GET, "/goalpost/v1/families/fam/attainment", Some(&reader), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
});
