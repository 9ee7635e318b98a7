//! OR groups that each have an EQ on the first property of one of goal_targets' `(equality,
//! sort)` indexes, sorted by its second: the compiler answers these as a merge of one short
//! index walk per group. Random such searches, every page and numeric offsets, against the
//! reference evaluator, on both backends.

use super::*;

/// An EQ on an owner or a milestone: the first properties of goal_targets' pairs.
fn leading_eq(rng: &mut StdRng, owner: bool) -> RFilter {
    let (prop, kind, value) = if owner {
        let v = rng.gen_range(1..6).to_string();
        ("hubspot_owner_id", reference::Kind::Num, v)
    } else {
        let v = pick(rng, MILESTONES).to_string();
        ("hs_milestone", reference::Kind::Enum, v)
    };
    RFilter {
        prop: prop.into(),
        kind,
        op: "EQ".into(),
        value: Some(value),
        high: None,
        values: vec![],
    }
}

fn merged_search(rng: &mut StdRng, objs: &[Obj]) -> RSearch {
    // Random filters to add beside each group's EQ, and a random free-text query.
    let mut extra = random_search(rng, objs);
    let by_start = rng.gen_bool(0.25);
    let groups = (0..rng.gen_range(2..=3))
        .map(|_| {
            // Sorted by start, only the owner pair applies.
            let owner = by_start || rng.gen_bool(0.5);
            let mut g = vec![leading_eq(rng, owner)];
            if let Some(more) = extra.groups.pop() {
                g.extend(more.into_iter().take(rng.gen_range(0..=2)));
            }
            g
        })
        .collect();
    let sort = if by_start {
        ("hs_start_datetime", reference::Kind::Text)
    } else {
        ("hs_target_amount", reference::Kind::Num)
    };
    RSearch {
        groups,
        sort: Some((sort.0.into(), sort.1, rng.gen_bool(0.5))),
        query: extra.query,
        limit: rng.gen_range(1..=25),
    }
}

both!(lenient: or_groups_merged_from_sort_indexes_match_the_reference,
    |app: TestApp| async move {
        let mut rng = StdRng::seed_from_u64(0x3e_46e);
        let objs = seed(&app, &mut rng, 150).await;
        let (mut overlapping, mut multipage) = (0, 0);
        for i in 0..120 {
            let s = merged_search(&mut rng, &objs);
            let want = reference::evaluate(&s, &objs);
            let (got, pages) = walk(&app, &s, &want, i).await;
            assert_eq!(got, want, "search {i}: {}", s.to_wire());
            multipage += usize::from(pages > 2);
            // Objects matched by more than one group must appear once.
            let per_group: usize = s
                .groups
                .iter()
                .map(|g| {
                    let one = RSearch { groups: vec![g.clone()], sort: None, query: s.query.clone(), limit: 1 };
                    reference::evaluate(&one, &objs).len()
                })
                .sum();
            overlapping += usize::from(per_group > want.len());
            // A numeric `after` skips that many rows of the same order.
            let skip = rng.gen_range(0..=want.len());
            let mut body = s.to_wire();
            body["after"] = json!(skip.to_string());
            let r = app.post(SEARCH, body.clone()).await;
            assert_eq!(r.status, StatusCode::OK, "{body}: {:?}", r.body);
            let ids: Vec<i64> = r.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().parse().unwrap())
                .collect();
            let end = (skip + s.limit as usize).min(want.len());
            assert_eq!(ids, want[skip..end], "offset {skip} of search {i}: {body}");
        }
        assert!(
            overlapping > 20 && multipage > 20,
            "weak searches: {overlapping} with overlapping groups, {multipage} multi-page"
        );
        eprintln!("merged: 120 searches, {overlapping} with overlapping groups, {multipage} over 2+ pages");
    }
);
