//! Delivery to a real HTTP receiver from a real `goalpost serve`: every subscribed event arrives,
//! in order per object, signed so that HubSpot's Python client's validator accepts it; a
//! receiver that fails for a while gets everything afterwards; SIGKILL during delivery loses
//! nothing and repeats only events with their same `eventId`.

use crate::compat::python;
use crate::support::http::send;
use crate::support::receiver::{Hit, Receiver};
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const APP: &str = "/webhooks/v3/4242";
const ENV: &[(&str, &str)] = &[("GOALPOST_WEBHOOK_BACKOFF_MS", "100")];

fn call(server: &Server, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, v) = send(
        &server.base_url,
        method,
        path,
        TOKEN,
        body.as_ref(),
        Duration::from_secs(30),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {v}"
    );
    v
}

/// Points app 4242 at the receiver and subscribes it to goal target creations, deletions and
/// changes of hs_target_amount.
fn subscribe(server: &Server, rx: &Receiver) {
    let settings = json!({"targetUrl": format!("{}/hook?app=4242", rx.url),
        "throttling": {"maxConcurrentRequests": 5, "period": "SECONDLY"}});
    call(server, "PUT", &format!("{APP}/settings"), Some(settings));
    for (event, property) in [
        ("object.creation", None),
        ("object.deletion", None),
        ("object.propertyChange", Some("hs_target_amount")),
    ] {
        let mut body = json!({"eventType": event, "objectTypeId": "0-74", "active": true});
        if let Some(p) = property {
            body["propertyName"] = json!(p);
        }
        call(server, "POST", &format!("{APP}/subscriptions"), Some(body));
    }
}

/// Creates `n` goals (lenient portal) and changes each one's amount twice, in batches of up
/// to 60; returns their ids.
fn write(server: &Server, n: usize) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let all: Vec<usize> = (0..n).collect();
    for chunk in all.chunks(60) {
        let inputs: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"properties": {"hs_goal_name": format!("W{i}"), "hs_target_amount": "1"}}))
            .collect();
        let path = "/crm/v3/objects/goal_targets/batch/create";
        let r = call(server, "POST", path, Some(json!({ "inputs": inputs })));
        let made = r["results"].as_array().unwrap().iter();
        ids.extend(made.map(|o| o["id"].as_str().unwrap().to_owned()));
    }
    for round in 2..4 {
        for chunk in ids.chunks(60) {
            let inputs: Vec<Value> = chunk
                .iter()
                .map(|id| json!({"id": id, "properties": {"hs_target_amount": round.to_string(), "hs_goal_name": "renamed"}}))
                .collect();
            let path = "/crm/v3/objects/goal_targets/batch/update";
            call(server, "POST", path, Some(json!({ "inputs": inputs })));
        }
    }
    ids
}

/// A server on a fresh database whose default portal is lenient (these goals are not families).
fn start(backend: Backend) -> Server {
    let db = TestDb::new(backend);
    let ok = Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .args(["portal", "set", "--validation-mode", "lenient"])
        .env("DATABASE_URL", &db.url)
        .status()
        .unwrap()
        .success();
    assert!(ok, "portal set");
    Server::start_on(db, ENV)
}

/// The journal's events the subscriptions match (renames are not subscribed), in seq order.
fn expected(server: &Server) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = "0".to_owned();
    loop {
        let page = call(
            server,
            "GET",
            &format!("/goalpost/v1/events?after={after}&limit=1000"),
            None,
        );
        out.extend(
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| {
                    e["subscriptionType"] != "object.propertyChange"
                        || e["propertyName"] == "hs_target_amount"
                })
                .cloned(),
        );
        match page["paging"]["next"]["after"].as_str() {
            Some(a) => after = a.to_owned(),
            None => return out,
        }
    }
}

/// The events of the receiver's 2xx-answered deliveries, in arrival order.
fn delivered(rx: &Receiver) -> Vec<Value> {
    rx.hits()
        .iter()
        .filter(|h| h.answered == 200)
        .flat_map(|h| serde_json::from_str::<Vec<Value>>(&h.body).expect("a JSON array of events"))
        .collect()
}

fn wait_for_all(rx: &Receiver, want: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let got = delivered(rx);
        let distinct: BTreeSet<i64> = got.iter().map(|e| e["eventId"].as_i64().unwrap()).collect();
        if distinct.len() >= want || start.elapsed() > Duration::from_secs(60) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Each object's events arrived in the journal's order, every event at least once, and a
/// repeat is the same event (same id, same content but its attempt number).
fn assert_complete_and_ordered(want: &[Value], got: &[Value]) {
    let strip = |e: &Value| {
        let mut e = e.clone();
        for k in [
            "attemptNumber",
            "subscriptionId",
            "appId",
            "subscriptionType",
            "seq",
        ] {
            e.as_object_mut().unwrap().remove(k);
        }
        e
    };
    let mut first: BTreeMap<i64, Value> = BTreeMap::new();
    let mut per_object: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for e in got {
        let id = e["eventId"].as_i64().unwrap();
        match first.get(&id) {
            Some(seen) => assert_eq!(strip(seen), strip(e), "a repeat is the same event"),
            None => {
                first.insert(id, e.clone());
                per_object
                    .entry(e["objectId"].to_string())
                    .or_default()
                    .push(id);
            }
        }
    }
    let want_ids: BTreeSet<i64> = want
        .iter()
        .map(|e| e["eventId"].as_i64().unwrap())
        .collect();
    assert_eq!(
        first.keys().copied().collect::<BTreeSet<_>>(),
        want_ids,
        "every subscribed event, nothing else"
    );
    for e in want {
        assert_eq!(
            strip(&first[&e["eventId"].as_i64().unwrap()]),
            strip(e),
            "delivered as the journal has it"
        );
    }
    let mut want_per_object: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for e in want {
        want_per_object
            .entry(e["objectId"].to_string())
            .or_default()
            .push(e["eventId"].as_i64().unwrap());
    }
    assert_eq!(per_object, want_per_object, "each object's events in order");
}

fn secret(server: &Server) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .args(["webhooks", "show", "4242"])
        .env("DATABASE_URL", &server.db.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("client secret: "))
        .expect("secret shown")
        .to_owned()
}

fn verify_with_python(hit: &Hit, uri: &str, secret: &str) -> bool {
    let input = json!({"signature": hit.headers["x-hubspot-signature-v3"], "secret": secret,
        "body": hit.body, "uri": uri, "timestamp": hit.headers["x-hubspot-request-timestamp"]});
    let mut child = Command::new(python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/compat/verify_signature.py"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

fn delivers_in_order_signed_and_through_a_failing_receiver(backend: Backend) {
    let rx = Receiver::start();
    let server = start(backend);
    subscribe(&server, &rx);
    let ids = write(&server, 30);
    call(
        &server,
        "DELETE",
        &format!("/crm/v3/objects/goal_targets/{}", ids[0]),
        None,
    );
    let want = expected(&server);
    assert_eq!(want.len(), 30 + 60 + 1);
    let got = wait_for_all(&rx, want.len());
    assert_complete_and_ordered(&want, &got);

    // Signed: HubSpot's own validator accepts it; a tampered body it refuses.
    let hit = rx.hits().into_iter().next().unwrap();
    assert_eq!(hit.path, "/hook?app=4242");
    let uri = format!("{}/hook?app=4242", rx.url);
    let secret = secret(&server);
    assert!(
        verify_with_python(&hit, &uri, &secret),
        "the v3 signature verifies"
    );
    let mut tampered = hit.clone();
    tampered.body = tampered.body.replacen("0-74", "0-3", 1);
    assert!(
        !verify_with_python(&tampered, &uri, &secret),
        "a changed body does not"
    );

    // The receiver fails for a while: the batch is retried (attemptNumber counts) and, once it
    // answers again, everything arrives.
    rx.answer(503);
    write(&server, 5);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        rx.hits().iter().any(|h| h.answered == 503),
        "deliveries were tried while it failed"
    );
    rx.answer(200);
    let want = expected(&server);
    let got = wait_for_all(&rx, want.len());
    assert_complete_and_ordered(&want, &got);
    assert!(
        got.iter().any(|e| e["attemptNumber"].as_i64().unwrap() > 0),
        "a retry says so"
    );
    let health = call(&server, "GET", "/health", None);
    assert_eq!(health["detail"]["webhooks"]["apps"], 1, "{health}");
}

fn sigkill_during_delivery_loses_nothing(backend: Backend) {
    let rx = Receiver::start();
    // A slow receiver, so the kill lands while batches are in flight.
    rx.delay(300);
    let server = start(backend);
    subscribe(&server, &rx);
    write(&server, 120);
    let start = Instant::now();
    while rx.hits().is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let db = server.crash();
    let server = Server::start_on(db, ENV);
    rx.delay(0);
    let want = expected(&server);
    assert_eq!(want.len(), 120 * 3);
    let got = wait_for_all(&rx, want.len());
    assert_complete_and_ordered(&want, &got);
}

#[test]
fn delivers_in_order_signed_and_through_a_failing_receiver_on_sqlite() {
    delivers_in_order_signed_and_through_a_failing_receiver(Backend::Sqlite);
}

#[test]
fn delivers_in_order_signed_and_through_a_failing_receiver_on_postgres() {
    delivers_in_order_signed_and_through_a_failing_receiver(Backend::Postgres);
}

#[test]
fn sigkill_during_delivery_loses_nothing_on_sqlite() {
    sigkill_during_delivery_loses_nothing(Backend::Sqlite);
}

#[test]
fn sigkill_during_delivery_loses_nothing_on_postgres() {
    sigkill_during_delivery_loses_nothing(Backend::Postgres);
}
