//! Search: HubSpot's request forms and limits, and a differential test that checks random
//! searches on both backends against a plain in-memory evaluator of the same semantics.

mod requests;

mod merged;
mod reference;

use crate::both;
use crate::support::TestApp;
use actix_web::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reference::{Obj, RFilter, RSearch};
use serde_json::{json, Value};

const SEARCH: &str = "/crm/v3/objects/goal_targets/search";
const BASE: &str = "/crm/v3/objects/goal_targets";

/// (property, type) pairs the random searches use.
const PROPS: &[(&str, reference::Kind)] = &[
    ("hs_goal_name", reference::Kind::Str),
    ("hs_target_amount", reference::Kind::Num),
    ("hubspot_owner_id", reference::Kind::Num),
    ("hs_milestone", reference::Kind::Enum),
    ("hs_start_datetime", reference::Kind::Text),
    ("hs_start_date", reference::Kind::Text),
    ("hs_is_forecastable", reference::Kind::Str),
    ("hs_group_correlation_uuid", reference::Kind::Str),
    ("hs_object_id", reference::Kind::Id),
    ("hs_createdate", reference::Kind::Time),
];

const NAMES: &[&str] = &[
    "Big Deal",
    "big deal q1",
    "Q1 Revenue",
    "alpha-beta",
    "50% off",
    "under_score",
    "Zeta",
    "q1",
];
const AMOUNTS: &[&str] = &[
    "0", "5", "10", "10.50", "-3", "100", "99.99", "1000", "2500.25",
];
const MILESTONES: &[&str] = &["weekly", "monthly", "quarterly", "yearly"];
const UUIDS: &[&str] = &["aaaa-1111", "AAAA-1111", "bbbb-2222", "cccc-3333"];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn random_props(rng: &mut StdRng) -> Value {
    let day = rng.gen_range(0..900i64);
    let ms = 1_767_225_600_000 + day * 86_400_000; // from 2026-01-01
                                                   // Datetimes sent as epoch ms or ISO; stored normalised either way.
    let dt = if rng.gen_bool(0.5) {
        ms.to_string()
    } else {
        goalpost::engine::value::format_ms(ms)
    };
    let date =
        goalpost::engine::value::format_ms(ms + 86_400_000 * rng.gen_range(0..3))[..10].to_owned();
    let values = [
        ("hs_goal_name", pick(rng, NAMES).to_string()),
        ("hs_target_amount", pick(rng, AMOUNTS).to_string()),
        ("hubspot_owner_id", rng.gen_range(1..5).to_string()),
        ("hs_milestone", pick(rng, MILESTONES).to_string()),
        ("hs_start_datetime", dt),
        ("hs_start_date", date),
        (
            "hs_is_forecastable",
            pick(rng, &["true", "FALSE", "True"]).to_string(),
        ),
        ("hs_group_correlation_uuid", pick(rng, UUIDS).to_string()),
    ];
    let mut p = serde_json::Map::new();
    for (k, v) in values {
        if rng.gen_bool(0.8) {
            p.insert(k.into(), json!(v));
        }
    }
    Value::Object(p)
}

/// Creates `n` random goal targets and reads back what was stored.
async fn seed(app: &TestApp, rng: &mut StdRng, n: usize) -> Vec<Obj> {
    let mut made = 0;
    while made < n {
        let k = (n - made).min(40);
        let inputs: Vec<Value> = (0..k)
            .map(|_| json!({"properties": random_props(rng)}))
            .collect();
        let r = app
            .post(&format!("{BASE}/batch/create"), json!({"inputs": inputs}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        made += k;
    }
    // One archived object that must never appear.
    let gone = app
        .post(BASE, json!({"properties": {"hs_goal_name": "Big Deal"}}))
        .await;
    app.delete(&format!("{BASE}/{}", gone.body["id"].as_str().unwrap()))
        .await;
    let names: Vec<&str> = PROPS.iter().map(|(p, _)| *p).collect();
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let r = app
            .get(&format!(
                "{BASE}?limit=100&properties={}{after}",
                names.join(",")
            ))
            .await;
        out.extend(
            r.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(Obj::from_wire),
        );
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = format!("&after={a}"),
            None => break,
        }
    }
    assert_eq!(out.len(), n);
    out
}

fn random_operand(rng: &mut StdRng, objs: &[Obj], prop: &str, kind: reference::Kind) -> String {
    // Mostly values that exist (so filters hit), sometimes other ones, in the forms clients send.
    let existing: Vec<&String> = objs.iter().filter_map(|o| o.props.get(prop)).collect();
    if !existing.is_empty() && rng.gen_bool(0.7) {
        let v = (*pick(rng, &existing)).clone();
        return match kind {
            reference::Kind::Str if rng.gen_bool(0.3) => v.to_ascii_uppercase(),
            _ => v,
        };
    }
    match kind {
        reference::Kind::Num => pick(rng, &["7", "10", "-1", "50.5", "3"]).to_string(),
        reference::Kind::Id => rng.gen_range(0..(objs.len() as i64 + 5)).to_string(),
        reference::Kind::Time => objs[rng.gen_range(0..objs.len())].created_at.to_string(),
        reference::Kind::Text if prop == "hs_start_date" => "2026-06-01".into(),
        reference::Kind::Text => pick(rng, &["2026-06-01T00:00:00Z", "1780000000000"]).to_string(),
        reference::Kind::Enum => pick(rng, MILESTONES).to_string(),
        reference::Kind::Str => pick(rng, NAMES).to_string(),
    }
}

fn random_search(rng: &mut StdRng, objs: &[Obj]) -> RSearch {
    let mut groups = Vec::new();
    for _ in 0..rng.gen_range(0..=3) {
        let mut g = Vec::new();
        for _ in 0..rng.gen_range(1..=3) {
            let &(prop, kind) = pick(rng, PROPS);
            let ops: &[&str] = match kind {
                reference::Kind::Str => &[
                    "EQ",
                    "NEQ",
                    "IN",
                    "NOT_IN",
                    "HAS_PROPERTY",
                    "NOT_HAS_PROPERTY",
                    "CONTAINS_TOKEN",
                    "NOT_CONTAINS_TOKEN",
                    "LT",
                    "GTE",
                    "BETWEEN",
                ],
                reference::Kind::Id | reference::Kind::Time => &[
                    "EQ",
                    "NEQ",
                    "LT",
                    "LTE",
                    "GT",
                    "GTE",
                    "BETWEEN",
                    "IN",
                    "NOT_IN",
                    "HAS_PROPERTY",
                ],
                _ => &[
                    "EQ",
                    "NEQ",
                    "LT",
                    "LTE",
                    "GT",
                    "GTE",
                    "BETWEEN",
                    "IN",
                    "NOT_IN",
                    "HAS_PROPERTY",
                    "NOT_HAS_PROPERTY",
                ],
            };
            let op = pick(rng, ops).to_string();
            let mut f = RFilter {
                prop: prop.into(),
                kind,
                op: op.clone(),
                value: None,
                high: None,
                values: vec![],
            };
            match op.as_str() {
                "HAS_PROPERTY" | "NOT_HAS_PROPERTY" => {}
                "IN" | "NOT_IN" => {
                    f.values = (0..rng.gen_range(1..4))
                        .map(|_| random_operand(rng, objs, prop, kind))
                        .collect()
                }
                "BETWEEN" => {
                    f.value = Some(random_operand(rng, objs, prop, kind));
                    f.high = Some(random_operand(rng, objs, prop, kind));
                }
                "CONTAINS_TOKEN" | "NOT_CONTAINS_TOKEN" => {
                    f.value = Some(
                        pick(
                            rng,
                            &[
                                "big",
                                "q1",
                                "*eal",
                                "deal*",
                                "50%",
                                "under_score",
                                "alpha*",
                                "*",
                                "BIG",
                            ],
                        )
                        .to_string(),
                    )
                }
                _ => f.value = Some(random_operand(rng, objs, prop, kind)),
            }
            g.push(f);
        }
        groups.push(g);
    }
    let sort = if rng.gen_bool(0.7) {
        let &(prop, kind) = pick(rng, PROPS);
        Some((prop.to_string(), kind, rng.gen_bool(0.5)))
    } else {
        None
    };
    let query = rng
        .gen_bool(0.15)
        .then(|| pick(rng, &["big", "q1 rev", "DEAL", "zz", "al"]).to_string());
    RSearch {
        groups,
        sort,
        query,
        limit: rng.gen_range(1..=25),
    }
}

/// Every page of a search, through `paging.next.after`: the ids in order and how many pages,
/// checking each page's `total` against `want` and its length against the limit.
async fn walk(app: &TestApp, s: &RSearch, want: &[i64], i: usize) -> (Vec<i64>, usize) {
    let mut got: Vec<i64> = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = s.to_wire();
        if let Some(a) = &after {
            body["after"] = json!(a);
        }
        let r = app.post(SEARCH, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "search {i} {body}: {:?}", r.body);
        assert_eq!(
            r.body["total"].as_u64().unwrap() as usize,
            want.len(),
            "total of search {i}: {body}"
        );
        let results = r.body["results"].as_array().unwrap();
        assert!(results.len() as i64 <= s.limit);
        got.extend(
            results
                .iter()
                .map(|o| o["id"].as_str().unwrap().parse::<i64>().unwrap()),
        );
        pages += 1;
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => break,
        }
        assert!(pages < 500, "paging does not end");
    }
    (got, pages)
}

both!(lenient: random_searches_match_the_reference_on_every_page,
    |app: TestApp| async move {
        let mut rng = StdRng::seed_from_u64(0x9_0a1);
        let objs = seed(&app, &mut rng, 150).await;
        let (mut nonempty, mut multipage) = (0, 0);
        for i in 0..250 {
            let s = random_search(&mut rng, &objs);
            let want = reference::evaluate(&s, &objs);
            let (got, pages) = walk(&app, &s, &want, i).await;
            assert_eq!(got, want, "search {i}: {}", s.to_wire());
            nonempty += usize::from(!want.is_empty());
            multipage += usize::from(pages > 2);
        }
        // The random searches must exercise something: hits, and paging over several pages.
        assert!(
            nonempty > 120 && multipage > 60,
            "weak searches: {nonempty} with hits, {multipage} multi-page"
        );
        eprintln!("differential: 250 searches, {nonempty} with hits, {multipage} over 2+ pages");
    }
);

both!(lenient: searches_see_writes_immediately, |app: TestApp| async move {
    let body = json!({"filterGroups": [{"filters": [{"propertyName": "hs_group_correlation_uuid", "operator": "EQ", "value": "fam-1"}]}]});
    let r = app
        .post(
            BASE,
            json!({"properties": {"hs_group_correlation_uuid": "fam-1"}}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app.post(SEARCH, body.clone()).await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["results"][0]["id"], id.as_str());
    app.delete(&format!("{BASE}/{id}")).await;
    assert_eq!(
        app.post(SEARCH, body).await.body["total"],
        0,
        "archived objects leave search at once"
    );
});
