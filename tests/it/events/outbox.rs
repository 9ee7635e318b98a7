//! The outbox: each write appends exactly its events in its transaction, numbered in order per
//! portal; a refused batch appends none; the journal pages from any cursor and filters; bad
//! journal input is a 400.

use crate::both;
use crate::support::{TestApp, TOKEN};
use actix_web::http::StatusCode;
use serde_json::{json, Value};

const GOALS: &str = "/crm/v3/objects/goal_targets";

/// Every journal event after `after`, walking the pages `limit` at a time.
pub async fn journal(app: &TestApp, after: &str, limit: usize, filter: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = after.to_owned();
    loop {
        let r = app
            .get(&format!(
                "/goalpost/v1/events?after={cursor}&limit={limit}{filter}"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = r.body["results"].as_array().unwrap().clone();
        assert!(page.len() <= limit);
        out.extend(page);
        match r.body["paging"]["next"]["after"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return out,
        }
    }
}

fn summary(events: &[Value]) -> Vec<(String, String, Option<String>, Option<String>)> {
    events
        .iter()
        .map(|e| {
            (
                e["subscriptionType"].as_str().unwrap().to_owned(),
                e["objectId"].to_string(),
                e["propertyName"].as_str().map(str::to_owned),
                e["propertyValue"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

both!(lenient: each_write_appends_exactly_its_events_in_order, |app: TestApp| async move {
    let r = app.post(&format!("{GOALS}/batch/create"), json!({"inputs": [
        {"properties": {"hs_goal_name": "A", "hs_target_amount": "10"}},
        {"properties": {"hs_goal_name": "B"}}]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut ids: Vec<i64> = r.body["results"].as_array().unwrap().iter()
        .map(|o| o["id"].as_str().unwrap().parse().unwrap()).collect();
    ids.sort();
    let (a, b) = (ids[0], ids[1]);
    // An update that changes one value and repeats another: one event, for the real change.
    let r = app.patch(&format!("{GOALS}/{a}"), json!({"properties": {"hs_goal_name": "A", "hs_target_amount": "20"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.delete(&format!("{GOALS}/{b}")).await.status, StatusCode::NO_CONTENT);
    // A batch refused as a whole (one input names a missing object) appends nothing.
    let r = app.post(&format!("{GOALS}/batch/update"), json!({"inputs": [
        {"id": a.to_string(), "properties": {"hs_goal_name": "never"}},
        {"id": "999999999", "properties": {"hs_goal_name": "never"}}]})).await;
    assert!(r.status.is_client_error(), "{}", r.body);

    let events = journal(&app, "0", 2, "").await;
    let (a, b) = (a.to_string(), b.to_string());
    let mut want = vec![
        ("object.creation".to_owned(), a.clone(), None, None),
        ("object.creation".to_owned(), b.clone(), None, None),
    ];
    let mut got = summary(&events);
    // The two creations are one write: their order between them is the batch's.
    got[..2].sort();
    want.sort();
    want.push(("object.propertyChange".into(), a.clone(), Some("hs_target_amount".into()), Some("20".into())));
    want.push(("object.deletion".into(), b.clone(), None, None));
    assert_eq!(got, want, "{events:#?}");
    // Numbered 1, 2, 3, … with no gaps, unique event ids, HubSpot's field names.
    let seqs: Vec<String> = events.iter().map(|e| e["seq"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seqs, ["1", "2", "3", "4"]);
    let mut event_ids: Vec<i64> = events.iter().map(|e| e["eventId"].as_i64().unwrap()).collect();
    event_ids.dedup();
    assert_eq!(event_ids.len(), 4);
    for e in &events {
        assert_eq!(e["objectTypeId"], "0-74");
        assert_eq!(e["portalId"], 1);
        assert_eq!(e["changeSource"], "API");
        assert!(e["occurredAt"].as_i64().unwrap() > 1_700_000_000_000);
    }

    // From any cursor, and filtered.
    assert_eq!(summary(&journal(&app, "2", 10, "").await), summary(&events[2..]));
    let only = journal(&app, "0", 10, &format!("&objectId={a}&eventType=object.propertyChange")).await;
    assert_eq!(summary(&only), summary(&events[2..3]));
    assert_eq!(journal(&app, "0", 10, "&objectType=deals").await.len(), 0);
    assert_eq!(journal(&app, "4", 10, "").await.len(), 0, "nothing after the last");

    // Retention: pruning keeps what is younger than the horizon and drops the rest.
    let mut conn = app.state.pool.get().unwrap();
    assert_eq!(goalpost::engine::events::prune(&mut conn, 0).unwrap(), 0);
    let young = events[2]["occurredAt"].as_i64().unwrap();
    let gone = goalpost::engine::events::prune(&mut conn, young).unwrap();
    drop(conn);
    let left = journal(&app, "0", 10, "").await;
    assert_eq!(gone + left.len(), 4);
    assert!(left.iter().all(|e| e["occurredAt"].as_i64().unwrap() >= young), "{left:#?}");
    let mut conn = app.state.pool.get().unwrap();
    goalpost::engine::events::prune(&mut conn, i64::MAX).unwrap();
    drop(conn);
    assert_eq!(journal(&app, "0", 10, "").await.len(), 0, "all pruned");
});

both!(lenient: association_and_family_writes_have_events, |app: TestApp| async move {
    let r = app.post(GOALS, json!({"properties": {"hs_goal_name": "G"}})).await;
    let goal = r.body["id"].as_str().unwrap().to_owned();
    let r = app.post("/crm/v3/objects/deals", json!({"properties": {"title": "D"}})).await;
    let deal = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/crm/v4/objects/goal_targets/{goal}/associations/default/deals/{deal}");
    let r = app.send(actix_web::http::Method::PUT, &path, Some(TOKEN), None).await;
    assert!(r.status.is_success(), "{}", r.body);
    let events = journal(&app, "2", 10, "").await;
    assert_eq!(events.len(), 2, "one per end: {events:#?}");
    assert_eq!(events[0]["subscriptionType"], "object.associationChange");
    assert_eq!(events[0]["fromObjectId"].to_string(), goal);
    assert_eq!(events[0]["toObjectId"].to_string(), deal);
    assert_eq!(events[0]["toObjectTypeId"], "0-3");
    assert_eq!(events[0]["associationRemoved"], false);
    assert_eq!(events[1]["fromObjectId"].to_string(), deal);
    assert_eq!(events[1]["objectTypeId"], "0-3");
    assert!(events[1]["associationTypeId"].is_i64(), "the reverse end's own type: {events:#?}");
    // The same link again changes nothing, so it has no events.
    let again = format!("/crm/v4/objects/goal_targets/{goal}/associations/default/deals/{deal}");
    let r = app.send(actix_web::http::Method::PUT, &again, Some(TOKEN), None).await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(journal(&app, "4", 10, "").await.len(), 0, "a link that existed is no change");
    let path = format!("/crm/v4/objects/goal_targets/{goal}/associations/deals/{deal}");
    assert_eq!(app.delete(&path).await.status, StatusCode::NO_CONTENT);
    let removed = journal(&app, "4", 10, "").await;
    assert_eq!(removed.len(), 2, "{removed:#?}");
    assert!(removed.iter().all(|e| e["associationRemoved"] == true));
});

both!(
    lenient: journal_refuses_bad_input_and_needs_its_scope,
    |app: TestApp| async move {
        for q in [
            "after=-1",
            "after=x",
            "limit=0",
            "limit=1001",
            "objectType=nope",
            "objectId=abc",
            "eventType=object.nope",
        ] {
            let r = app.get(&format!("/goalpost/v1/events?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
            assert!(
                r.body["message"].as_str().is_some(),
                "{q}: HubSpot's error shape: {}",
                r.body
            );
        }
        // Events carry property values: a journal token sees only the types it may read.
        let r = app
            .post(GOALS, json!({"properties": {"hs_goal_name": "secret"}}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let events_only = app.token(1, &["goalpost.events.read"]);
        let r = app
            .send(
                actix_web::http::Method::GET,
                "/goalpost/v1/events",
                Some(&events_only),
                None,
            )
            .await;
        assert_eq!(
            r.body["results"],
            json!([]),
            "no goal events without a goals scope: {}",
            r.body
        );
        let path = "/goalpost/v1/events?objectType=goal_targets";
        let r = app
            .send(actix_web::http::Method::GET, path, Some(&events_only), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let both = app.token(1, &["goalpost.events.read", "crm.objects.goals.read"]);
        let r = app
            .send(
                actix_web::http::Method::GET,
                "/goalpost/v1/events",
                Some(&both),
                None,
            )
            .await;
        assert_eq!(r.body["results"].as_array().unwrap().len(), 1, "{}", r.body);
        let token = app.token(1, &["crm.objects.goals.read"]);
        let r = app
            .send(
                actix_web::http::Method::GET,
                "/goalpost/v1/events",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
);
