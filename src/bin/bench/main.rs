//! goalpost-bench: seeds goal families through the public API of a real `goalpost serve`, then
//! runs workloads W1–W8 for a fixed time with C keep-alive connections, and measures the limits
//! of the parts in the same run — the bare HTTP stack (`GET /health/live`) and the raw database
//! running the same SQL through the same engine functions, without HTTP. Prints a markdown table.
//!
//! cargo run --release --bin goalpost-bench -- --quick                       (SQLite, 100k)
//! cargo run --release --bin goalpost-bench -- --database-url postgres://… --goal-targets 1000000

mod client;
mod load;
mod seed;
mod soak;

use clap::Parser;
use client::Client;
use goalpost::engine::search::ast::{Filter, Op, Operand, Search, Sort, Target};
use goalpost::engine::search::cursor::After;
use goalpost::engine::search::run;
use goalpost::engine::store::{self, Archived, PortalId, Scope};
use goalpost::engine::types::PropertyType as P;
use load::Stats;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const TOKEN: &str = "bench-token";

/// One operation of a workload over HTTP, or against the database directly.
type HttpOp = Arc<dyn Fn(&mut Client, usize, u64) -> bool + Send + Sync>;
type RawOp = Arc<dyn Fn(&mut goalpost::db::Conn, usize, u64) -> bool + Send + Sync>;
const TYPE: &str = "/crm/v3/objects/goal_targets";

#[derive(Parser)]
#[command(about = "Load generator for goalpost")]
struct Args {
    /// Database for the server under test (a fresh SQLite file by default).
    #[arg(long, default_value = "sqlite:///tmp/goalpost-bench.db")]
    database_url: String,
    /// Goal targets to seed (a full run is 1,000,000).
    #[arg(long, default_value_t = 1_000_000)]
    goal_targets: u64,
    /// Seconds per workload.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// 100,000 goal targets and 2 s a workload: the CI smoke run.
    #[arg(long)]
    quick: bool,
    /// Keep the data already in the database instead of seeding a fresh one.
    #[arg(long)]
    reuse: bool,
    /// Write the markdown table here too.
    #[arg(long)]
    out: Option<String>,
    /// The goalpost binary (default: next to this one).
    #[arg(long)]
    server: Option<String>,
    /// Soak instead of the table: the W8 mix for this many seconds (after a quick seed), with
    /// server memory sampled; exits 1 on any failed request or if memory keeps growing.
    #[arg(long)]
    soak: Option<f64>,
    /// Run only the workloads whose labels start with one of these (comma-separated, e.g.
    /// `W4,W6`); bare HTTP always runs, as every ratio needs it.
    #[arg(long)]
    only: Option<String>,
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(bin: &str, url: &str) -> Server {
        let mut child = Command::new(bin)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", url)
            .env("GOALPOST_BOOTSTRAP_TOKEN", TOKEN)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start goalpost serve");
        let out = child.stdout.take().expect("stdout");
        let mut addr = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.expect("banner");
            if let Some(a) = line.strip_prefix("listening: http://") {
                addr = a.to_owned();
                break;
            }
        }
        Server { child, addr }
    }

    /// Peak resident memory (VmHWM) in MB.
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the workloads pick from.
struct Data {
    families: Vec<seed::Family>,
    ids: Vec<String>,
}

fn seed_all(addr: &str, n_targets: u64, conns: usize, prefix: &str) -> (Data, f64) {
    let mut c = Client::connect(addr, TOKEN).expect("connect");
    let prop = json!({"name": "bench_region", "label": "Region", "type": "string", "fieldType": "text", "groupName": "goal_target_information"});
    let (status, _) = c
        .request(
            "POST",
            "/crm/v3/properties/goal_targets",
            Some(prop.to_string().as_bytes()),
        )
        .expect("property");
    assert!(status == 201 || status == 409, "custom property: {status}");
    let made = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let out = Arc::new(Mutex::new(Vec::new()));
    let t0 = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|_| {
            let (made, next, out, addr, prefix) = (
                made.clone(),
                next.clone(),
                out.clone(),
                addr.to_owned(),
                prefix.to_owned(),
            );
            std::thread::spawn(move || {
                let mut c = Client::connect(&addr, TOKEN).expect("connect");
                let mut mine = Vec::new();
                while made.load(Ordering::Relaxed) < n_targets {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let (uuid, inputs) = seed::family_inputs(n, &prefix);
                    let body = json!({"inputs": inputs}).to_string();
                    let (status, resp) = c
                        .request(
                            "POST",
                            &format!("{TYPE}/batch/create"),
                            Some(body.as_bytes()),
                        )
                        .expect("seed");
                    assert_eq!(status, 201, "seed: {}", String::from_utf8_lossy(&resp));
                    let v: Value = serde_json::from_slice(&resp).expect("json");
                    let ids: Vec<String> = v["results"]
                        .as_array()
                        .expect("results")
                        .iter()
                        .map(|o| o["id"].as_str().expect("id").to_owned())
                        .collect();
                    made.fetch_add(ids.len() as u64, Ordering::Relaxed);
                    mine.push(seed::Family { uuid, ids });
                }
                out.lock().expect("lock").extend(mine);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("seed thread");
    }
    let secs = t0.elapsed().as_secs_f64();
    let families = std::mem::take(&mut *out.lock().expect("lock"));
    let ids = families
        .iter()
        .flat_map(|f| f.ids.iter().cloned())
        .collect();
    let rate = made.load(Ordering::Relaxed) as f64 / secs;
    (Data { families, ids }, rate)
}

/// Reads back what a reused database holds (sampled), instead of seeding.
fn load_existing(url: &str) -> Data {
    let pool = goalpost::db::pool(url, 1).expect("pool");
    let mut conn = pool.get().expect("conn");
    let scope = Scope {
        portal: PortalId(1),
        object_type: "goal_targets",
    };
    let mut families: std::collections::BTreeMap<String, seed::Family> = Default::default();
    let mut from = 1;
    loop {
        let rows = store::page(&mut conn, scope, false, from, 10_000).expect("page");
        if rows.is_empty() {
            break;
        }
        from = rows.last().map_or(from, |r| r.id + 1);
        for r in rows {
            let uuid = r
                .properties
                .get("hs_group_correlation_uuid")
                .unwrap_or("")
                .to_owned();
            families
                .entry(uuid.clone())
                .or_insert(seed::Family { uuid, ids: vec![] })
                .ids
                .push(r.id.to_string());
        }
    }
    let families: Vec<_> = families.into_values().collect();
    let ids = families
        .iter()
        .flat_map(|f| f.ids.iter().cloned())
        .collect();
    Data { families, ids }
}

fn pick<T>(xs: &[T], t: usize, i: u64) -> &T {
    let h = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (t as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        >> 7;
    &xs[(h % xs.len() as u64) as usize]
}

/// One of the seeder's 500 owners.
fn owner(t: usize, i: u64) -> u32 {
    let h = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (t as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        >> 7;
    (h % 500) as u32 + 1
}

/// goal_targets' two-property indexes, so the raw searches compile to the server's SQL.
static SORTED: std::sync::LazyLock<&'static [goalpost::engine::types::SortedIndex]> =
    std::sync::LazyLock::new(|| goalpost::goals::catalogue::goal_targets().sorted_indexes);

fn w2(family: &str) -> Search {
    Search {
        groups: vec![vec![Filter {
            target: Target::Doc("hs_group_correlation_uuid".into(), P::String),
            op: Op::Eq(Operand::Text(family.to_ascii_lowercase())),
        }]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: None,
        limit: 100,
    }
}

fn w3(owner: u32) -> Search {
    Search {
        groups: vec![vec![
            Filter {
                target: Target::Doc("hubspot_owner_id".into(), P::Number),
                op: Op::Eq(Operand::Num(owner as f64)),
            },
            Filter {
                target: Target::Doc("hs_start_datetime".into(), P::Datetime),
                op: Op::Between(
                    Operand::Text("2025-01-01T00:00:00.000Z".into()),
                    Operand::Text("2026-12-31T23:59:59.999Z".into()),
                ),
            },
        ]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: Some(Sort {
            target: Target::Doc("hs_start_datetime".into(), P::Datetime),
            descending: false,
        }),
        limit: 100,
    }
}

fn w4(owner: u32) -> Search {
    Search {
        groups: vec![
            vec![
                Filter {
                    target: Target::Doc("hubspot_owner_id".into(), P::Number),
                    op: Op::Eq(Operand::Num(owner as f64)),
                },
                Filter {
                    target: Target::Doc("hs_target_amount".into(), P::Number),
                    op: Op::Gt(Operand::Num(50_000.0)),
                },
            ],
            vec![Filter {
                target: Target::Doc("hs_milestone".into(), P::Enumeration),
                op: Op::Eq(Operand::Text("yearly".into())),
            }],
        ],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: Some(Sort {
            target: Target::Doc("hs_target_amount".into(), P::Number),
            descending: true,
        }),
        limit: 100,
    }
}

fn w2_body(f: &str) -> String {
    json!({"filterGroups": [{"filters": [{"propertyName": "hs_group_correlation_uuid", "operator": "EQ", "value": f}]}], "limit": 100}).to_string()
}
fn w3_body(owner: u32) -> String {
    json!({"filterGroups": [{"filters": [
        {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": owner.to_string()},
        {"propertyName": "hs_start_datetime", "operator": "BETWEEN", "value": "2025-01-01T00:00:00.000Z", "highValue": "2026-12-31T23:59:59.999Z"}]}],
        "sorts": ["hs_start_datetime"], "limit": 100}).to_string()
}
fn w4_body(owner: u32) -> String {
    json!({"filterGroups": [
        {"filters": [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": owner.to_string()},
                     {"propertyName": "hs_target_amount", "operator": "GT", "value": "50000"}]},
        {"filters": [{"propertyName": "hs_milestone", "operator": "EQ", "value": "yearly"}]}],
        "sorts": [{"propertyName": "hs_target_amount", "direction": "DESCENDING"}], "limit": 100}).to_string()
}

const W1_PROPS: &str =
    "properties=hs_goal_name,hs_target_amount,hs_start_datetime,hs_end_datetime,hubspot_owner_id";

fn main() {
    let mut args = Args::parse();
    if args.quick {
        args.goal_targets = args.goal_targets.min(100_000);
        args.seconds = args.seconds.min(2.0);
    }
    if args.soak.is_some() {
        // The soak measures the mix only; the single workloads run for a blink.
        args.goal_targets = args.goal_targets.min(20_000);
        args.seconds = 0.05;
    }
    let backend = if args.database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    if !args.reuse {
        reset(&args.database_url);
    }
    let bin = args.server.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().expect("exe");
        me.with_file_name("goalpost").to_string_lossy().into_owned()
    });
    let server = Server::start(&bin, &args.database_url);
    let addr = server.addr.clone();
    let conns = args.connections;
    let secs = args.seconds;
    eprintln!(
        "goalpost-bench: {backend}, {} goal targets, {conns} connections, {secs} s a workload",
        args.goal_targets
    );

    let (data, seed_rate) = if args.reuse {
        (load_existing(&args.database_url), 0.0)
    } else {
        let prefix = format!("bench{}", std::process::id());
        seed_all(&addr, args.goal_targets, conns, &prefix)
    };
    eprintln!(
        "seeded: {} families, {} goal targets, {seed_rate:.0} goal targets/s",
        data.families.len(),
        data.ids.len()
    );
    let settle_secs = settle(&args.database_url);
    eprintln!("settled in {settle_secs:.1} s");
    let data = Arc::new(data);

    let http = |c: usize, f: HttpOp| -> Stats {
        let a = addr.clone();
        load::run(
            c,
            secs,
            move |_| Client::connect(&a, TOKEN).expect("connect"),
            move |cl, t, i| f(cl, t, i),
        )
    };
    let pool = goalpost::db::pool(&args.database_url, goalpost::config::default_pool_size())
        .expect("pool");
    // Like the server: each operation takes a connection from a pool of the server's size.
    let raw = |c: usize, f: RawOp| -> Stats {
        let p = pool.clone();
        load::run(
            c,
            secs,
            move |_| p.clone(),
            move |p, t, i| p.get().is_ok_and(|mut conn| f(&mut conn, t, i)),
        )
    };
    let scope = || Scope {
        portal: PortalId(1),
        object_type: "goal_targets",
    };
    let ok = |r: std::io::Result<(u16, Vec<u8>)>, want: u16| matches!(r, Ok((s, _)) if s == want);

    let mut rows: Vec<(String, Stats, Option<Stats>)> = Vec::new();
    let live: HttpOp = Arc::new(move |c, _, _| ok(c.request("GET", "/health/live", None), 200));
    let bare = http(conns, live.clone());
    rows.push(("bare HTTP: GET /health/live".into(), bare, None));
    // The floor under every 1-connection latency: one HTTP exchange that does nothing.
    rows.push(("bare HTTP, 1 connection".into(), http(1, live), None));

    let only = args.only.clone();
    let want = move |label: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|w| label.starts_with(w.trim())))
    };
    // Runs a workload only if it is wanted (its HTTP and raw runs are the macro's arguments).
    macro_rules! row {
        ($label:expr, $http:expr, $raw:expr $(,)?) => {{
            let label: String = $label.into();
            if want(&label) {
                rows.push((label, $http, $raw));
            }
        }};
    }

    // W1–W4, over HTTP and raw.
    let d = data.clone();
    let w1 = Arc::new(move |c: &mut Client, t: usize, i: u64| {
        ok(
            c.request(
                "GET",
                &format!("{TYPE}/{}?{W1_PROPS}", pick(&d.ids, t, i)),
                None,
            ),
            200,
        )
    });
    let d = data.clone();
    let w1_raw = Arc::new(move |conn: &mut goalpost::db::Conn, t: usize, i: u64| {
        let id: i64 = pick(&d.ids, t, i).parse().unwrap_or(1);
        store::load(conn, scope(), &[id], Archived::Live).is_ok_and(|r| r.len() == 1)
    });
    let d = data.clone();
    let w2h = Arc::new(move |c: &mut Client, t: usize, i: u64| {
        ok(
            c.request(
                "POST",
                &format!("{TYPE}/search"),
                Some(w2_body(&pick(&d.families, t, i).uuid).as_bytes()),
            ),
            200,
        )
    });
    let d = data.clone();
    let w2r = Arc::new(move |conn: &mut goalpost::db::Conn, t: usize, i: u64| {
        run::search(
            conn,
            scope(),
            &w2(&pick(&d.families, t, i).uuid),
            &After::Start,
        )
        .is_ok()
    });
    let w3h = Arc::new(move |c: &mut Client, t: usize, i: u64| {
        ok(
            c.request(
                "POST",
                &format!("{TYPE}/search"),
                Some(w3_body(owner(t, i)).as_bytes()),
            ),
            200,
        )
    });
    let w3r = Arc::new(move |conn: &mut goalpost::db::Conn, t: usize, i: u64| {
        run::search(conn, scope(), &w3(owner(t, i)), &After::Start).is_ok()
    });
    let w4h = Arc::new(move |c: &mut Client, t: usize, i: u64| {
        ok(
            c.request(
                "POST",
                &format!("{TYPE}/search"),
                Some(w4_body(owner(t, i)).as_bytes()),
            ),
            200,
        )
    });
    let w4r = Arc::new(move |conn: &mut goalpost::db::Conn, t: usize, i: u64| {
        run::search(conn, scope(), &w4(owner(t, i)), &After::Start).is_ok()
    });

    row!(
        "W1 GET by id, 5 properties",
        http(conns, w1.clone()),
        Some(raw(conns, w1_raw.clone())),
    );
    row!(
        "W1 GET by id, 1 connection",
        http(1, w1.clone()),
        Some(raw(1, w1_raw.clone())),
    );
    row!(
        "W2 search family EQ",
        http(conns, w2h.clone()),
        Some(raw(conns, w2r.clone())),
    );
    row!(
        "W3 owner EQ + start range + sort, limit 100",
        http(conns, w3h.clone()),
        Some(raw(conns, w3r.clone())),
    );
    row!(
        "W3, 1 connection",
        http(1, w3h.clone()),
        Some(raw(1, w3r.clone())),
    );
    row!(
        "W4 3 filters in 2 OR groups, amount desc",
        http(conns, w4h.clone()),
        Some(raw(conns, w4r.clone())),
    );

    // W5: page 1 and page 1,000 (or the middle page of a smaller store) of a 200-per-page walk.
    let pages = (data.ids.len() / 200).max(1);
    let deep = 1000.min(pages / 2).max(1);
    let mut c = Client::connect(&addr, TOKEN).expect("connect");
    let mut after: Option<String> = None;
    let walk = if want("W5") { deep } else { 1 };
    for _ in 1..walk {
        let body = match &after {
            Some(a) => json!({"limit": 200, "after": a}),
            None => json!({"limit": 200}),
        };
        let (_, resp) = c
            .request(
                "POST",
                &format!("{TYPE}/search"),
                Some(body.to_string().as_bytes()),
            )
            .expect("walk");
        let v: Value = serde_json::from_slice(&resp).expect("json");
        after = v["paging"]["next"]["after"].as_str().map(str::to_owned);
    }
    let page1 = json!({"limit": 200}).to_string();
    let deep_body = json!({"limit": 200, "after": after}).to_string();
    row!(
        "W5 page 1 of a 200-per-page walk",
        http(
            conns,
            Arc::new(move |c, _, _| {
                ok(
                    c.request("POST", &format!("{TYPE}/search"), Some(page1.as_bytes())),
                    200,
                )
            }),
        ),
        None,
    );
    row!(
        format!("W5 page {deep} of the walk"),
        http(
            conns,
            Arc::new(move |c, _, _| {
                ok(
                    c.request(
                        "POST",
                        &format!("{TYPE}/search"),
                        Some(deep_body.as_bytes()),
                    ),
                    200,
                )
            }),
        ),
        None,
    );

    // W6: whole monthly families created (rules checked); W7: whole families renamed.
    let counter = Arc::new(AtomicU64::new(10_000_000));
    let prefix = format!("w6-{}", std::process::id());
    let (ctr, pre) = (counter.clone(), prefix.clone());
    let w6 = Arc::new(move |c: &mut Client, _: usize, _: u64| {
        let mut n = ctr.fetch_add(1, Ordering::Relaxed);
        while n % 20 < 4 {
            n = ctr.fetch_add(1, Ordering::Relaxed); // monthly families only
        }
        let (_, inputs) = seed::family_inputs(n, &pre);
        ok(
            c.request(
                "POST",
                &format!("{TYPE}/batch/create"),
                Some(json!({"inputs": inputs}).to_string().as_bytes()),
            ),
            201,
        )
    });
    let monthly: Arc<Vec<seed::Family>> = Arc::new(
        data.families
            .iter()
            .filter(|f| f.ids.len() == 12)
            .cloned()
            .collect(),
    );
    let m = monthly.clone();
    let w7 = Arc::new(move |c: &mut Client, t: usize, i: u64| {
        let f = pick(&m, t, i);
        let name = format!("Renamed {}", i % 7);
        let inputs: Vec<Value> = f
            .ids
            .iter()
            .map(|id| json!({"id": id, "properties": {"hs_goal_name": name}}))
            .collect();
        ok(
            c.request(
                "POST",
                &format!("{TYPE}/batch/update"),
                Some(json!({"inputs": inputs}).to_string().as_bytes()),
            ),
            200,
        )
    });
    row!(
        "W6 batch create a monthly family (12)",
        http(conns, w6.clone()),
        None,
    );
    row!(
        "W7 batch rename a whole family (12)",
        http(conns, w7.clone()),
        None,
    );
    let (a, b, c3, d4, e, f7) = (w1, w2h, w3h, w4h, w6, w7);
    let mix: HttpOp = Arc::new(move |c, t, i| match i % 20 {
        0 => e(c, t, i),
        1 => f7(c, t, i),
        k if k % 4 == 0 => a(c, t, i),
        k if k % 4 == 1 => b(c, t, i),
        k if k % 4 == 2 => c3(c, t, i),
        _ => d4(c, t, i),
    });
    if let Some(soak_secs) = args.soak {
        let failed = soak::run(server.child.id(), &addr, conns, soak_secs, mix);
        // `exit` runs no destructors: stop the server first, or it outlives the soak.
        drop(server);
        std::process::exit(i32::from(failed));
    }
    row!("W8 mix: 90% W1–W4, 10% W6–W7", http(conns, mix), None,);

    let rss = server.peak_rss_mb();
    let table = render(
        backend,
        &args,
        seed_rate,
        settle_secs,
        rss,
        &rows,
        bare.per_sec,
    );
    println!("{table}");
    if let Some(path) = &args.out {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(table.as_bytes()))
            .expect("write table");
    }
}

fn reset(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    } else {
        let mut conn = goalpost::db::connect(url).expect("connect");
        goalpost::db::with_conn!(&mut conn, c => diesel::connection::SimpleConnection::batch_execute(c,
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        .expect("reset database");
    }
}

/// Brings a freshly loaded database to the steady state a store in service is in, so the
/// workloads measure queries rather than the aftermath of the bulk load. On PostgreSQL that is
/// what autovacuum does in time: set hint bits and the visibility map (index-only counts need
/// it) and refresh statistics; measured right after seeding, the first workloads instead race
/// autovacuum over a million fresh rows on the same two cores. On SQLite it folds the WAL back
/// into the database file. Returns the seconds it took (reported beside the seeding rate).
fn settle(url: &str) -> f64 {
    let started = Instant::now();
    let mut conn = goalpost::db::connect(url).expect("connect");
    // One statement at a time: VACUUM cannot run inside the implicit transaction of a
    // multi-statement string.
    let statements: &[&str] = if url.starts_with("postgres") {
        &[
            "VACUUM (ANALYZE) objects",
            "VACUUM (ANALYZE) property_history",
        ]
    } else {
        &["PRAGMA wal_checkpoint(TRUNCATE)"]
    };
    for sql in statements {
        goalpost::db::with_conn!(&mut conn, c => diesel::connection::SimpleConnection::batch_execute(c, sql))
            .expect("settle the database");
    }
    started.elapsed().as_secs_f64()
}

fn render(
    backend: &str,
    args: &Args,
    seed_rate: f64,
    settle_secs: f64,
    rss: f64,
    rows: &[(String, Stats, Option<Stats>)],
    bare: f64,
) -> String {
    let mut s = format!(
        "\n### {backend}: {} goal targets, {} connections, {} s a workload\n\nseeding through the API: {seed_rate:.0} goal targets/s; then settled (PostgreSQL: VACUUM ANALYZE; SQLite: WAL checkpoint) in {settle_secs:.1} s; server peak RSS {rss:.0} MB\n\n\
         | workload | req/s | p50 ms | p99 ms | errors | raw DB req/s | raw p50 ms | HTTP/raw-DB | HTTP/bare-HTTP |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        args.goal_targets, args.connections, args.seconds
    );
    for (name, h, r) in rows {
        let (rr, rp, ratio) = match r {
            Some(r) => (
                format!("{:.0}", r.per_sec),
                format!("{:.3}", r.p50_ms),
                format!("{:.2}", h.per_sec / r.per_sec.max(1e-9)),
            ),
            None => ("".into(), "".into(), "".into()),
        };
        s += &format!(
            "| {name} | {:.0} | {:.3} | {:.3} | {} | {rr} | {rp} | {ratio} | {:.2} |\n",
            h.per_sec,
            h.p50_ms,
            h.p99_ms,
            h.errors,
            h.per_sec / bare.max(1e-9)
        );
    }
    s
}
