//! The data a run works on: seeding goal families through the batch API, or reading back what a database already holds; which ids and owners a worker picks.

use super::*;

/// What the workloads pick from.
pub struct Data {
    pub families: Vec<seed::Family>,
    pub ids: Vec<String>,
}

pub fn seed_all(addr: &str, n_targets: u64, conns: usize, prefix: &str) -> (Data, f64) {
    let prefix = prefix.to_owned();
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
    let (families, rate) = seed_families(addr, TOKEN, n_targets, conns, move |c, n| {
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
        let ids = v["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|o| o["id"].as_str().expect("id").to_owned())
            .collect();
        seed::Family { uuid, ids }
    });
    let ids = families
        .iter()
        .flat_map(|f| f.ids.iter().cloned())
        .collect();
    (Data { families, ids }, rate)
}

/// Seeds family after family (`send` writes family number `n` and returns it) on `conns`
/// connections until `n_targets` records exist; returns the families and records/s. Shared by
/// goalpost's seeding and the peer's, so both are loaded the same way.
pub fn seed_families(
    addr: &str,
    token: &str,
    n_targets: u64,
    conns: usize,
    send: impl Fn(&mut Client, u64) -> seed::Family + Send + Sync + 'static,
) -> (Vec<seed::Family>, f64) {
    let made = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let out = Arc::new(Mutex::new(Vec::new()));
    let send = Arc::new(send);
    let t0 = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|_| {
            let (made, next, out, send) = (made.clone(), next.clone(), out.clone(), send.clone());
            let (addr, token) = (addr.to_owned(), token.to_owned());
            std::thread::spawn(move || {
                let mut c = Client::connect(&addr, &token).expect("connect");
                let mut mine = Vec::new();
                while made.load(Ordering::Relaxed) < n_targets {
                    let family = send(&mut c, next.fetch_add(1, Ordering::Relaxed));
                    made.fetch_add(family.ids.len() as u64, Ordering::Relaxed);
                    mine.push(family);
                }
                out.lock().expect("lock").extend(mine);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("seed thread");
    }
    let rate = made.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
    let families = std::mem::take(&mut *out.lock().expect("lock"));
    (families, rate)
}

/// Reads back what a reused database holds (sampled), instead of seeding.
pub fn load_existing(url: &str) -> Data {
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

pub fn pick<T>(xs: &[T], t: usize, i: u64) -> &T {
    let h = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (t as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        >> 7;
    &xs[(h % xs.len() as u64) as usize]
}

/// One of the seeder's 500 owners.
pub fn owner(t: usize, i: u64) -> u32 {
    let h = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (t as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        >> 7;
    (h % 500) as u32 + 1
}

/// goal_targets' two-property indexes, so the raw searches compile to the server's SQL.
pub static SORTED: std::sync::LazyLock<&'static [goalpost::engine::types::SortedIndex]> =
    std::sync::LazyLock::new(|| goalpost::goals::catalogue::goal_targets().sorted_indexes);
