//! goalpost-bench: seeds goal families through the public API of a real `goalpost serve`, then
//! runs workloads W1–W8 for a fixed time with C keep-alive connections, and measures the limits
//! of the parts in the same run — the bare HTTP stack (`GET /health/live`) and the raw database
//! running the same SQL through the same engine functions, without HTTP. Prints a markdown table.
//!
//! cargo run --release --bin goalpost-bench -- --quick                       (SQLite, 100k)
//! cargo run --release --bin goalpost-bench -- --database-url postgres://… --goal-targets 1000000

mod args;
mod client;
mod data;
mod load;
mod peer;
mod report;
mod seed;
mod server;
mod soak;
mod workloads;

use args::Args;
use data::*;
use report::*;
use server::*;
use workloads::*;

use clap::Parser;
use client::Client;
use goalpost::engine::search::ast::{Filter, Op, Operand, Search, Sort, Target};
use goalpost::engine::search::cursor::After;
use goalpost::engine::search::run;
use goalpost::engine::search::totals::Totals;
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
        raw_search(conn, &w2(&pick(&d.families, t, i).uuid))
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
        raw_search(conn, &w3(owner(t, i)))
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
        raw_search(conn, &w4(owner(t, i)))
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
    row!(
        "W9 batch create 100 (new families)",
        http(conns, peer::w9_goalpost("a")),
        None
    );
    row!("W9, 1 connection", http(1, peer::w9_goalpost("b")), None);
    if args.peer.as_deref() == Some("pocketbase") {
        rows.extend(peer::rows(&args.pocketbase, args.goal_targets, conns, secs));
    }

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

/// The engine's search as the database runs it: every total counted (no cache).
fn raw_search(conn: &mut goalpost::db::Conn, search: &Search) -> bool {
    let scope = Scope {
        portal: PortalId(1),
        object_type: "goal_targets",
    };
    run::search(conn, &Totals::disabled(), scope, search, &After::Start).is_ok()
}
