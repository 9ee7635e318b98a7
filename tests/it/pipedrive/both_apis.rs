//! One goal seen through both APIs, and open-ended goals growing with time.

use super::*;

/// The live slices of a Pipedrive goal's group, by start.
async fn group_slices(app: &TestApp, id: &str) -> Vec<Value> {
    let r = app
        .post(
            "/crm/v3/objects/goal_targets/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_target_group_id", "operator": "EQ", "value": id}]}],
                   "sorts": ["hs_start_datetime"], "properties": ["hs_goal_name", "hs_start_datetime", "hs_group_correlation_uuid"], "limit": 100}),
        )
        .await;
    r.body["results"].as_array().unwrap().clone()
}

both!(one_goal_through_both_apis, |app: TestApp| async move {
    let id = add_goal(
        &app,
        goal(
            "Quarter",
            json!({"name": "deals_won"}),
            json!({"id": 1, "type": "person"}),
            json!({"target": 3, "tracking_metric": "quantity"}),
        ),
    )
    .await;
    let found = app.get(&format!("{GOALS}/find?is_active=false")).await;
    assert_eq!(found.body["data"]["goals"][0]["id"], id.as_str());
    let before = group_slices(&app, &id).await;
    assert_eq!(before.len(), 3, "one slice per month of the duration");
    // A rename of the whole family on the HubSpot side shows on Pipedrive's.
    let inputs: Vec<Value> = before
        .iter()
        .map(|s| json!({"id": s["id"], "properties": {"hs_goal_name": "Renamed"}}))
        .collect();
    let r = app
        .post(
            "/crm/v3/objects/goal_targets/batch/update",
            json!({"inputs": inputs}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let found = app
        .get(&format!("{GOALS}/find?is_active=false&title=Renamed"))
        .await;
    assert_eq!(found.body["data"]["goals"].as_array().unwrap().len(), 1);
    // Renaming one slice alone breaks rule 4 and is refused.
    let r = app
        .patch(
            &format!(
                "/crm/v3/objects/goal_targets/{}",
                before[0]["id"].as_str().unwrap()
            ),
            json!({"properties": {"hs_goal_name": "Solo"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A new duration on the Pipedrive side replaces the slices.
    let r = app
        .send(
            Method::PUT,
            &format!("{GOALS}/{id}"),
            Some(crate::support::TOKEN),
            Some(
                json!({"duration": {"start": "2026-01-01", "end": "2026-06-30"}, "title": "Half"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = group_slices(&app, &id).await;
    assert_eq!(after.len(), 6);
    assert!(after
        .iter()
        .all(|s| s["properties"]["hs_goal_name"] == "Half"));
    let family = after[0]["properties"]["hs_group_correlation_uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::support::assert_families_hold(&mut app.state.pool.get().unwrap());
    // Deleting archives the family.
    let r = app
        .send(
            Method::DELETE,
            &format!("{GOALS}/{id}"),
            Some(crate::support::TOKEN),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            StatusCode::OK,
            json!({"success": true, "statusCode": 20000, "statusText": "OK", "service": "statistics-goals-api"})
        )
    );
    assert_eq!(
        app.get(&format!("/goalpost/v1/families/{family}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both!(open_ended_goals_grow_with_time, |app: TestApp| async move {
    use goalpost::pipedrive::store::{extend_open_goals, When};
    let mut body = goal(
        "Open",
        json!({"name": "deals_started"}),
        json!({"id": 1, "type": "person"}),
        json!({"target": 3, "tracking_metric": "quantity"}),
    );
    body["duration"] = json!({"start": "2026-01-01", "end": null});
    let id = add_goal(&app, body).await;
    let count = |app: &TestApp| {
        let mut conn = app.state.pool.get().unwrap();
        goalpost::engine::search::run::members(
            &mut conn,
            goalpost::engine::store::Scope {
                portal: goalpost::engine::store::PortalId(1),
                object_type: "goal_targets",
            },
            "hs_goal_target_group_id",
            std::slice::from_ref(&id),
        )
        .unwrap()
        .len()
    };
    let now = count(&app);
    let today = chrono::Utc::now().date_naive();
    assert!(now >= 12, "slices reach a year ahead: {now}");
    let mut conn = app.state.pool.get().unwrap();
    let otype = goalpost::goals::catalogue::goal_targets();
    let later = When {
        tz: chrono_tz::Tz::UTC,
        today: today + chrono::Duration::days(100),
        now: goalpost::engine::value::now_ms(),
    };
    let added = conn
        .write_tx(|tx| extend_open_goals(tx, &otype, goalpost::engine::store::PortalId(1), later))
        .unwrap();
    assert!(
        (3..=4).contains(&added),
        "about 100 days of months: {added}"
    );
    let again = conn
        .write_tx(|tx| extend_open_goals(tx, &otype, goalpost::engine::store::PortalId(1), later))
        .unwrap();
    assert_eq!(again, 0, "extending is idempotent");
    let broken = goalpost::goals::family::check_portal(
        &mut conn,
        &otype,
        goalpost::engine::store::PortalId(1),
    )
    .unwrap();
    assert!(broken.is_empty());
    drop(conn);
    assert_eq!(count(&app), now + added);
    let r = app.get(&format!("{GOALS}/find")).await;
    assert_eq!(r.body["data"]["goals"][0]["is_active"], true);
});
