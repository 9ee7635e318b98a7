//! Reliability of a real `goalpost serve`: SIGKILL while clients write families (every batch
//! all-or-nothing, every acknowledged write there, every family within the rules), SIGTERM
//! (in-flight requests finish, then a clean exit), and PostgreSQL going away and coming back.

mod faults;

use crate::support::family::Family;
use crate::support::http::{send, Outcome};
use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

/// A batch create of a whole monthly family (one group of 12 slices, UTC).
fn family_body(uuid: &str, name: &str) -> Value {
    Family::monthly(uuid).name(name).target("10").body()
}

/// What one writer knows about one family it wrote.
#[derive(Debug, Default, Clone)]
struct Known {
    uuid: String,
    /// The create was answered 201.
    created: bool,
    ids: Vec<String>,
    /// The last name a rename of it was acknowledged with (or its created name).
    name: String,
    /// A rename sent but never answered.
    pending_name: Option<String>,
    archived: bool,
    archive_pending: bool,
}

/// Writes families in a loop until the server stops answering: create, rename, archive.
fn writer(base: String, w: usize, stop: Arc<AtomicBool>) -> (Vec<Known>, Vec<String>) {
    let mut known: Vec<Known> = Vec::new();
    let mut failures = Vec::new();
    let mut check = |what: &str, r: &Outcome, want: u16| -> Option<bool> {
        match r {
            Ok((status, _)) if *status == want => Some(true),
            Ok((status, body)) => {
                let text = body.to_string();
                failures.push(format!("{what}: {status} {}", &text[..text.len().min(300)]));
                Some(false)
            }
            Err(e) => {
                // After SIGKILL anything goes; under SIGTERM a started response must finish.
                if e.contains("cut short") {
                    failures.push(format!("{what}: {e}"));
                }
                None
            }
        }
    };
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        match i % 4 {
            0 | 3 => {
                let uuid = uuid::Uuid::new_v4().to_string();
                let name = format!("w{w}-{i}");
                let r = send(
                    &base,
                    "POST",
                    "/crm/v3/objects/goal_targets/batch/create",
                    TOKEN,
                    Some(&family_body(&uuid, &name)),
                    TIMEOUT,
                );
                let mut k = Known {
                    uuid,
                    name,
                    ..Known::default()
                };
                match check("create", &r, 201) {
                    Some(true) => {
                        k.created = true;
                        k.ids = r.unwrap().1["results"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|o| o["id"].as_str().unwrap().to_owned())
                            .collect();
                        known.push(k);
                    }
                    Some(false) => {}
                    None => {
                        known.push(k);
                        break;
                    }
                }
            }
            1 => {
                let Some(k) = known.iter_mut().rev().find(|k| k.created && !k.archived) else {
                    continue;
                };
                let name = format!("w{w}-{i}-renamed");
                let inputs: Vec<Value> = k
                    .ids
                    .iter()
                    .map(|id| json!({"id": id, "properties": {"hs_goal_name": name}}))
                    .collect();
                k.pending_name = Some(name.clone());
                let r = send(
                    &base,
                    "POST",
                    "/crm/v3/objects/goal_targets/batch/update",
                    TOKEN,
                    Some(&json!({"inputs": inputs})),
                    TIMEOUT,
                );
                match check("rename", &r, 200) {
                    Some(true) => {
                        k.name = name;
                        k.pending_name = None;
                    }
                    Some(false) => k.pending_name = None,
                    None => break,
                }
            }
            _ => {
                let Some(k) = known.iter_mut().find(|k| k.created && !k.archived) else {
                    continue;
                };
                k.archive_pending = true;
                let r = send(
                    &base,
                    "POST",
                    &format!("/goalpost/v1/families/{}/archive", k.uuid),
                    TOKEN,
                    None,
                    TIMEOUT,
                );
                match check("archive", &r, 200) {
                    Some(true) => {
                        k.archived = true;
                        k.archive_pending = false;
                    }
                    Some(false) => k.archive_pending = false,
                    None => break,
                }
            }
        }
    }
    (known, failures)
}

/// The live and archived slices of a family, through a restarted server.
fn slices(base: &str, uuid: &str, archived: bool) -> Vec<Value> {
    let (status, body) = send(
        base,
        "GET",
        &format!("/goalpost/v1/families/{uuid}?archived={archived}"),
        TOKEN,
        None,
        TIMEOUT,
    )
    .unwrap();
    if status == 404 {
        return Vec::new();
    }
    assert_eq!(status, 200, "{body}");
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["slices"].as_array().unwrap().clone())
        .collect()
}

/// Checks what a crash left against what the writers were told.
fn verify(base: &str, known: &[Known]) -> usize {
    for k in known {
        let live = slices(base, &k.uuid, false);
        let gone = slices(base, &k.uuid, true);
        let ctx = format!("{k:?}: {} live, {} archived", live.len(), gone.len());
        assert!(
            matches!((live.len(), gone.len()), (0, 0) | (12, 0) | (0, 12)),
            "not all-or-nothing: {ctx}"
        );
        if k.created {
            assert_ne!(
                (live.len(), gone.len()),
                (0, 0),
                "acknowledged create lost: {ctx}"
            );
        }
        if k.archived {
            assert_eq!(live.len(), 0, "acknowledged archive lost: {ctx}");
        } else if !k.archive_pending && k.created {
            assert_eq!(live.len(), 12, "{ctx}");
        }
        let names: std::collections::BTreeSet<&str> = live
            .iter()
            .chain(&gone)
            .map(|s| s["properties"]["hs_goal_name"].as_str().unwrap())
            .collect();
        assert!(names.len() <= 1, "half-renamed family: {names:?} {ctx}");
        if let Some(name) = names.first() {
            let allowed = *name == k.name || k.pending_name.as_deref() == Some(*name);
            assert!(
                allowed,
                "family named {name:?}, acknowledged {:?}: {ctx}",
                k.name
            );
        }
    }
    known.iter().filter(|k| k.created).count()
}

fn rules_hold(url: &str) {
    let mut conn = goalpost::db::connect(url).expect("connect");
    crate::support::assert_families_hold(&mut conn);
}

fn run_writers(
    base: &str,
    n: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<(Vec<Known>, Vec<String>)>> {
    (0..n)
        .map(|w| {
            let (base, stop) = (base.to_owned(), stop.clone());
            std::thread::spawn(move || writer(base, w, stop))
        })
        .collect()
}

fn crash_while_writing(backend: Backend) {
    let mut db = TestDb::new(backend);
    let mut acknowledged = 0;
    for round in 0..3 {
        let server = Server::start_on(db, &[]);
        let stop = Arc::new(AtomicBool::new(false));
        let writers = run_writers(&server.base_url, 4, &stop);
        std::thread::sleep(Duration::from_millis(800 + 300 * round));
        db = server.crash();
        let mut known = Vec::new();
        for h in writers {
            let (k, failures) = h.join().unwrap();
            let refused: Vec<_> = failures
                .iter()
                .filter(|f| !f.contains("cut short"))
                .collect();
            assert!(
                refused.is_empty(),
                "writes refused before the crash: {refused:?}"
            );
            known.extend(k);
        }
        let server = Server::start_on(db, &[]);
        acknowledged += verify(&server.base_url, &known);
        db = server.into_db();
        rules_hold(&db.url);
    }
    assert!(
        acknowledged > 10,
        "too few writes to prove anything: {acknowledged}"
    );
    eprintln!("crash consistency on {backend:?}: 3 SIGKILLs survived, {acknowledged} acknowledged families verified");
}

fn graceful_shutdown(backend: Backend) {
    let mut server = Server::start(backend);
    let stop = Arc::new(AtomicBool::new(false));
    let writers = run_writers(&server.base_url, 4, &stop);
    std::thread::sleep(Duration::from_millis(700));
    let asked = Instant::now();
    server.signal("TERM");
    let status = server
        .wait_exit(Duration::from_secs(40))
        .expect("exits after SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    let took = asked.elapsed();
    let mut known = Vec::new();
    for h in writers {
        let (k, failures) = h.join().unwrap();
        assert!(
            failures.is_empty(),
            "requests failed during shutdown: {failures:?}"
        );
        known.extend(k);
    }
    let db = server.into_db();
    let server = Server::start_on(db, &[]);
    let n = verify(&server.base_url, &known);
    rules_hold(&server.db.url);
    eprintln!(
        "graceful shutdown on {backend:?}: exited in {took:?}, {n} acknowledged families verified"
    );
}

#[test]
fn sigkill_while_writing_families_loses_nothing_acknowledged_on_sqlite() {
    crash_while_writing(Backend::Sqlite);
}

#[test]
fn sigkill_while_writing_families_loses_nothing_acknowledged_on_postgres() {
    crash_while_writing(Backend::Postgres);
}

#[test]
fn sigterm_finishes_in_flight_requests_then_exits_on_sqlite() {
    graceful_shutdown(Backend::Sqlite);
}

#[test]
fn sigterm_finishes_in_flight_requests_then_exits_on_postgres() {
    graceful_shutdown(Backend::Postgres);
}
