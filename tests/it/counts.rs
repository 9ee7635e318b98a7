//! The kept live counts behind unfiltered search totals (engine::counts): exact after creates,
//! archives, restores and a family archive, and after the background fold, on both backends.

use crate::both;
use crate::support::{count_drift, TestApp};
use actix_web::http::StatusCode;
use serde_json::json;

const GOALS: &str = "/crm/v3/objects/goal_targets";

async fn total(app: &TestApp) -> i64 {
    let r = app
        .post(&format!("{GOALS}/search"), json!({"limit": 1}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["total"].as_i64().unwrap()
}

fn kept_rows(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use goalpost::db::schema::object_counts;
    let mut conn = app.state.pool.get().unwrap();
    goalpost::db::with_conn!(&mut *conn, c => object_counts::table.count().get_result(c)).unwrap()
}

both!(lenient: unfiltered_totals_stay_exact_through_writes_and_folds, |app: TestApp| async move {
    let inputs: Vec<_> = (0..30).map(|i| json!({"properties": {"hs_goal_name": format!("G{i}")}})).collect();
    let r = app.post(&format!("{GOALS}/batch/create"), json!({"inputs": inputs})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ids: Vec<String> = r.body["results"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(total(&app).await, 30);
    let archive: Vec<_> = ids[..10].iter().map(|id| json!({"id": id})).collect();
    assert_eq!(app.post(&format!("{GOALS}/batch/archive"), json!({"inputs": archive.clone()})).await.status, StatusCode::NO_CONTENT);
    // Archiving again changes nothing (the rows are already archived).
    assert_eq!(app.post(&format!("{GOALS}/batch/archive"), json!({"inputs": archive})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(total(&app).await, 20);
    assert!(kept_rows(&app) >= 2, "deltas appended, not one row rewritten");

    let mut conn = app.state.pool.get().unwrap();
    let folded = goalpost::engine::counts::compact(&mut conn).unwrap();
    assert!(folded >= 1, "{folded}");
    assert!(count_drift(&mut conn).is_empty());
    assert_eq!(goalpost::engine::counts::compact(&mut conn).unwrap(), 0, "nothing left to fold");
    drop(conn);
    assert_eq!(kept_rows(&app), 1, "one row per scope after the fold");
    assert_eq!(total(&app).await, 20);
    // A filtered search still counts its matches.
    let r = app.post(&format!("{GOALS}/search"), json!({"filterGroups": [{"filters": [
        {"propertyName": "hs_goal_name", "operator": "IN", "values": ["G15", "G16", "G3"]}]}]})).await;
    assert_eq!(r.body["total"], 2, "G3 is archived: {}", r.body);
    let _ = app.snapshot();
});
