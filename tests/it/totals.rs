//! Cached totals of filtered searches (engine::search::totals): a repeated search takes its
//! total from the cache while nothing of its type was written, and every kind of write, on
//! this instance or another one on the same database, makes the next search count again.

use crate::both;
use crate::support::TestApp;
use actix_web::http::StatusCode;
use serde_json::{json, Value};

const GOALS: &str = "/crm/v3/objects/goal_targets";

/// Goals whose target is over 100, a page of 5 at a time.
fn over_100(after: Option<&str>) -> Value {
    let mut body = json!({"limit": 5, "filterGroups": [{"filters": [
        {"propertyName": "hs_target_amount", "operator": "GT", "value": "100"}]}]});
    if let Some(a) = after {
        body["after"] = json!(a);
    }
    body
}

async fn total(app: &TestApp) -> i64 {
    let r = app.post(&format!("{GOALS}/search"), over_100(None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["total"].as_i64().unwrap()
}

/// Archives or restores a row behind the engine's back: no write version moves.
fn set_archived_unversioned(app: &TestApp, id: i64, archived: bool) {
    use diesel::prelude::*;
    use goalpost::db::schema::objects;
    let mut conn = app.state.pool.get().unwrap();
    goalpost::db::with_conn!(&mut *conn, c => diesel::update(objects::table.filter(objects::id.eq(id)))
        .set(objects::archived.eq(archived)).execute(c)).unwrap();
}

both!(lenient: filtered_totals_are_cached_until_a_write, |app: TestApp| async move {
    // 1,100 goals over 100 (totals under 100 are counted every time, not cached).
    let mut ids: Vec<i64> = Vec::new();
    for batch in 0..11 {
        let inputs: Vec<_> = (0..100).map(|i| json!({"properties": {
            "hs_goal_name": format!("G{batch}-{i}"), "hs_target_amount": "500"}})).collect();
        let r = app.post(&format!("{GOALS}/batch/create"), json!({"inputs": inputs})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.extend(r.body["results"].as_array().unwrap().iter()
            .map(|o| o["id"].as_str().unwrap().parse::<i64>().unwrap()));
    }
    ids.sort();
    assert_eq!(total(&app).await, 1100);

    // A row archived behind the engine's back moves no version: the page, read fresh, lacks
    // it, while the total, cached, still counts it (which is how we know it was not counted).
    set_archived_unversioned(&app, ids[0], true);
    let first = app.post(&format!("{GOALS}/search"), over_100(None)).await;
    assert_eq!(first.body["total"], 1100, "cached: {}", first.body);
    assert_eq!(first.body["results"][0]["id"], ids[1].to_string(), "the page is read fresh");
    let after = first.body["paging"]["next"]["after"].as_str().unwrap().to_owned();
    let second = app.post(&format!("{GOALS}/search"), over_100(Some(&after))).await;
    assert_eq!(second.body["total"], 1100, "cached on the next page: {}", second.body);
    set_archived_unversioned(&app, ids[0], false);

    // Each write of the type counts again: an update out of the filter, one back into it, an
    // archive, a create.
    let update = |id: i64, amount: &str| {
        let body = json!({"properties": {"hs_target_amount": amount}});
        (format!("{GOALS}/{id}"), body)
    };
    let (path, body) = update(ids[1], "1");
    assert_eq!(app.patch(&path, body).await.status, StatusCode::OK);
    assert_eq!(total(&app).await, 1099);
    let (path, body) = update(ids[1], "900");
    assert_eq!(app.patch(&path, body).await.status, StatusCode::OK);
    assert_eq!(total(&app).await, 1100);
    assert_eq!(app.delete(&format!("{GOALS}/{}", ids[2])).await.status, StatusCode::NO_CONTENT);
    assert_eq!(total(&app).await, 1099);
    let r = app.post(GOALS, json!({"properties": {"hs_target_amount": "700"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(total(&app).await, 1100);

    // Another instance on the same database: its write invalidates this instance's entry.
    let other = app.beside().await;
    assert_eq!(total(&other).await, 1100);
    let (path, body) = update(ids[3], "0");
    assert_eq!(other.patch(&path, body).await.status, StatusCode::OK);
    assert_eq!(total(&app).await, 1099, "this instance sees the other's write");
    assert_eq!(total(&other).await, 1099);

    // The background fold keeps every version: the cache stays valid through it.
    let mut conn = app.state.pool.get().unwrap();
    goalpost::engine::counts::compact(&mut conn).unwrap();
    drop(conn);
    set_archived_unversioned(&app, ids[0], true);
    assert_eq!(total(&app).await, 1099, "still cached after the fold");
    set_archived_unversioned(&app, ids[0], false);

    // A write of another type leaves this type's total cached.
    let r = app.post("/crm/v3/objects/deals", json!({"properties": {"title": "D", "value": "5"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    set_archived_unversioned(&app, ids[0], true);
    assert_eq!(total(&app).await, 1099, "a deal write does not move the goals' version");
    set_archived_unversioned(&app, ids[0], false);
});
