//! Several instances as deployed (issue 19): two real `goalpost serve` processes on one
//! database — and, on PostgreSQL, a hot standby made with `pg_basebackup -R` serving their
//! reads — behaving as one server: a property created through A is usable through B at once,
//! a token revoked by the CLI is refused by both within a second, a rate limit holds in total,
//! one instance runs the jobs and another takes over when it dies, a token's write through A
//! is found by its next search through B, and reads survive the standby stopping.

use crate::support::family::Family;
use crate::support::http::{send, send_text};
use crate::support::pg;
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);
const OBJECTS: &str = "/crm/v3/objects/goal_targets";

fn cli(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run goalpost");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A new token with every goal scope: (id, secret).
fn token(url: &str) -> (String, String) {
    let secret = cli(url, &["token", "create", "--scopes", "crm.objects.goals.read,crm.objects.goals.write,crm.schemas.goals.write,goalpost.metrics.read"]);
    let list = cli(url, &["token", "list", "--json"]);
    let last: Value = serde_json::from_str(list.lines().last().unwrap()).unwrap();
    (last["id"].to_string(), secret)
}

fn call(base: &str, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    send(base, method, path, token, body.as_ref(), T).expect("answered")
}

fn health(base: &str) -> Value {
    call(base, "GET", "/health", "", None).1
}

/// Prometheus' text format, parsed: every sample line `name{labels} value` by its series.
fn scrape(base: &str, token: &str) -> HashMap<String, f64> {
    let (status, text) = send_text(base, "GET", "/metrics", token, None, T).expect("scraped");
    assert_eq!(status, 200, "{text}");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("not a sample: {l}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a value: {l}"));
            (series.to_owned(), value)
        })
        .collect()
}

fn two_instances(backend: Backend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let env = [
        ("GOALPOST_RATE_LIMIT", "10"),
        ("GOALPOST_RATE_WINDOW_MS", "86400000"),
    ];
    let a = Server::start_on(db, &env);
    let b = Server::start_on(TestDb::at(url.clone()), &env);
    cli(&url, &["portal", "set", "--validation-mode", "lenient"]);

    // A property created through A is usable through B at once (B cached the type before).
    let (_, t1) = token(&url);
    let slice = |props: Value| json!({"properties": props});
    let (s, _) = call(
        &b.base_url,
        "POST",
        OBJECTS,
        &t1,
        Some(slice(json!({"hs_goal_name": "before"}))),
    );
    assert_eq!(s, 201);
    let prop = json!({"name": "quota_tier", "label": "Quota tier", "type": "string", "fieldType": "text", "groupName": "goal_target_information"});
    assert_eq!(
        call(
            &a.base_url,
            "POST",
            "/crm/v3/properties/goal_targets",
            &t1,
            Some(prop)
        )
        .0,
        201
    );
    let (s, body) = call(
        &b.base_url,
        "POST",
        OBJECTS,
        &t1,
        Some(slice(
            json!({"hs_goal_name": "after", "quota_tier": "gold"}),
        )),
    );
    assert_eq!(s, 201, "{body}");
    let filter = json!({"filterGroups": [{"filters": [{"propertyName": "quota_tier", "operator": "EQ", "value": "gold"}]}], "properties": ["quota_tier"]});
    let (s, found) = call(
        &b.base_url,
        "POST",
        &format!("{OBJECTS}/search"),
        &t1,
        Some(filter),
    );
    assert_eq!((s, found["total"].as_i64()), (200, Some(1)), "{found}");

    // A token revoked by the CLI is refused by both within a second.
    let (id2, t2) = token(&url);
    for base in [&a.base_url, &b.base_url] {
        assert_eq!(
            call(base, "GET", OBJECTS, &t2, None).0,
            200,
            "cached on both first"
        );
    }
    cli(&url, &["token", "revoke", &id2]);
    std::thread::sleep(Duration::from_secs(1));
    for base in [&a.base_url, &b.base_url] {
        let (s, body) = call(base, "GET", OBJECTS, &t2, None);
        assert_eq!(
            (s, body["category"].as_str()),
            (401, Some("INVALID_AUTHENTICATION"))
        );
    }

    // The rate limit (10 a window) holds in total across A and B. Windows are aligned to the
    // epoch day; a run that straddles midnight UTC is done again with a fresh token.
    let day = || goalpost::engine::value::now_ms() / 86_400_000;
    loop {
        let (_, t3) = token(&url);
        let started = day();
        let mut codes = Vec::new();
        for i in 0..16 {
            let base = if i % 2 == 0 { &a.base_url } else { &b.base_url };
            codes.push(call(base, "GET", OBJECTS, &t3, None).0);
        }
        if day() != started {
            continue;
        }
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 10, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 429).count(), 6, "{codes:?}");
        break;
    }

    // /metrics parses as Prometheus text and counts what happened.
    let m = scrape(&a.base_url, &t1);
    let served: f64 = m
        .iter()
        .filter(|(k, _)| k.starts_with("goalpost_http_requests_total{"))
        .map(|(_, v)| v)
        .sum();
    assert!(served >= 5.0, "{m:?}");
    assert!(m
        .keys()
        .any(|k| k.starts_with("goalpost_db_pool_wait_seconds_bucket")));
    assert!(
        m.get("goalpost_rate_limited_total")
            .is_some_and(|v| *v >= 1.0)
            || {
                let mb = scrape(&b.base_url, &t1);
                mb.get("goalpost_rate_limited_total")
                    .is_some_and(|v| *v >= 1.0)
            }
    );

    // One instance runs the jobs; when it dies the other takes over within the lease.
    let roles = || [health(&a.base_url), health(&b.base_url)].map(|h| h["detail"]["jobs"].clone());
    let r = roles();
    assert_eq!(r.iter().filter(|j| *j == "leader").count(), 1, "{r:?}");
    let (leader, follower) = if r[0] == "leader" { (a, b) } else { (b, a) };
    let db = leader.crash();
    let deadline = Instant::now() + Duration::from_millis(goalpost::jobs::LEASE_MS as u64 + 3000);
    while health(&follower.base_url)["detail"]["jobs"] != "leader" {
        assert!(
            Instant::now() < deadline,
            "no takeover: {}",
            health(&follower.base_url)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(follower);
    drop(db);
}

#[test]
fn two_instances_behave_as_one_on_sqlite() {
    two_instances(Backend::Sqlite)
}

#[test]
fn two_instances_behave_as_one_on_postgres() {
    two_instances(Backend::Postgres)
}

/// PostgreSQL only: streaming replicas.
#[test]
fn reads_go_to_a_caught_up_replica_and_survive_it_stopping_on_postgres() {
    let primary = pg::own_cluster();
    let url = primary.url_template.replace("{db}", "postgres");
    let standby = primary.standby();
    let replica = standby.url_template.replace("{db}", "postgres");
    let env = [("GOALPOST_READ_DATABASE_URL", replica.as_str())];
    let a = Server::start_on(TestDb::at(url.clone()), &env);
    let b = Server::start_on(TestDb::at(url.clone()), &env);
    let (_, writer) = token(&url);

    // Each family written through A is found by the same token's very next search through B,
    // though the standby's replay is paused (so it cannot have the write): B must see that the
    // replica is behind the token's write and read from the primary.
    let mut on_standby = PgConnection::establish(&replica).expect("connect to the standby");
    on_standby
        .batch_execute("SELECT pg_wal_replay_pause()")
        .unwrap();
    for n in 0..10 {
        let uuid = uuid::Uuid::new_v4().to_string();
        let body = Family::monthly(&uuid)
            .name(&format!("F{n}"))
            .target("10")
            .body();
        let (s, made) = call(
            &a.base_url,
            "POST",
            &format!("{OBJECTS}/batch/create"),
            &writer,
            Some(body),
        );
        assert_eq!(s, 201, "{made}");
        let filter = json!({"filterGroups": [{"filters": [{"propertyName": "hs_group_correlation_uuid", "operator": "EQ", "value": uuid}]}]});
        let (s, found) = call(
            &b.base_url,
            "POST",
            &format!("{OBJECTS}/search"),
            &writer,
            Some(filter),
        );
        assert_eq!(
            (s, found["total"].as_i64()),
            (200, Some(12)),
            "family {n} not read back: {found}"
        );
    }

    on_standby
        .batch_execute("SELECT pg_wal_replay_resume()")
        .unwrap();
    drop(on_standby);

    // A token that has not written reads from the replica once it answers.
    let (_, reader) = token(&url);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert_eq!(call(&b.base_url, "GET", OBJECTS, &reader, None).0, 200);
        let m = scrape(&b.base_url, TOKEN);
        if m.get("goalpost_replica_reads_total{target=\"replica\"}")
            .is_some_and(|v| *v >= 1.0)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no read went to the replica: {}",
            health(&b.base_url)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let h = health(&b.base_url);
    assert!(
        h["detail"]["replicas"][0]["lagMs"].as_i64().unwrap() >= 0,
        "{h}"
    );

    // With the standby stopped, reads still succeed (on the primary), with no 5xx.
    standby.stop();
    for _ in 0..20 {
        for (tok, path) in [
            (&reader, OBJECTS.to_owned()),
            (&writer, format!("{OBJECTS}?limit=100")),
        ] {
            let (s, body) = call(&b.base_url, "GET", &path, tok, None);
            assert_eq!(s, 200, "{body}");
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let h = health(&b.base_url);
    assert_eq!(h["detail"]["replicas"][0]["lagMs"], -1, "{h}");
    assert_eq!(h["detail"]["replicas"][0]["serving"], false, "{h}");
    drop((a, b));
}
