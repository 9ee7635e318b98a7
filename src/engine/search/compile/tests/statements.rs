//! Whole statements: groups, free text, sorts, keysets, the counted page, fences, index walks,
//! unions and merges, pinned per dialect.

use super::super::*;
use super::doc;
use crate::engine::search::ast::{Filter, Op, Operand, Search, Sort, Target};
use crate::engine::types::PropertyType as P;
use Dialect::{Postgres as Pg, Sqlite as Lite};

#[test]
fn whole_statements_with_groups_query_sort_and_keyset() {
    let amount = doc("hs_target_amount", P::Number);
    let search = Search {
        groups: vec![
            vec![Filter {
                target: doc("hubspot_owner_id", P::Number),
                op: Op::Eq(Operand::Num(7.0)),
            }],
            vec![
                Filter {
                    target: Target::Id,
                    op: Op::Gt(Operand::Int(3)),
                },
                Filter {
                    target: doc("hs_milestone", P::Enumeration),
                    op: Op::HasProperty,
                },
            ],
        ],
        query_terms: vec!["q1".into()],
        text_properties: vec!["hs_goal_name".into()],
        sorted_indexes: &[],
        sort: Some(Sort {
            target: amount,
            descending: true,
        }),
        limit: 100,
    };
    let c = compile(
        Pg,
        1,
        "goal_targets",
        &search,
        &After::Key(Some(Operand::Num(50.0)), 9),
    );
    let where_ = "portal_id = $1 AND object_type = 'goal_targets' AND archived = FALSE AND \
        ((((properties ->> 'hubspot_owner_id')::float8) = $2) OR (id > $3 AND (properties ->> 'hs_milestone') IS NOT NULL)) \
        AND ((' ' || lower((properties ->> 'hs_goal_name') COLLATE \"C\") || ' ') LIKE $4 ESCAPE '\\')";
    assert_eq!(
        c.count.sql,
        format!("SELECT COUNT(*) AS n FROM objects WHERE {where_}")
    );
    let a = "((properties ->> 'hs_target_amount')::float8)";
    assert_eq!(
        c.page.sql,
        format!(
            "SELECT {COLUMNS} FROM objects WHERE {where_} AND ({a} < $5 OR ({a} = $6 AND id < $7)) \
             ORDER BY {a} DESC NULLS FIRST, id DESC LIMIT $8"
        )
    );
    assert_eq!(
        c.page.binds,
        vec![
            Bind::Int(1),
            Bind::Num(7.0),
            Bind::Int(3),
            Bind::Text("% q1%".into()),
            Bind::Num(50.0),
            Bind::Num(50.0),
            Bind::Int(9),
            Bind::Int(101)
        ]
    );
    let c = compile(
        Lite,
        1,
        "goal_targets",
        &Search {
            groups: vec![],
            query_terms: vec![],
            text_properties: vec![],
            sorted_indexes: &[],
            sort: None,
            limit: 10,
        },
        &After::Offset(20),
    );
    assert_eq!(
        c.page.sql,
        format!("SELECT {COLUMNS} FROM objects WHERE portal_id = ? AND object_type = 'goal_targets' AND archived = FALSE ORDER BY id ASC LIMIT ? OFFSET ?")
    );
    assert_eq!(
        c.page.binds,
        vec![Bind::Int(1), Bind::Int(11), Bind::Int(20)]
    );
}

#[test]
fn the_counted_page_is_the_page_with_the_count_as_a_column_and_its_binds_first() {
    let search = Search {
        groups: vec![vec![Filter {
            target: doc("hs_group_correlation_uuid", P::String),
            op: Op::Eq(Operand::Text("f".into())),
        }]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[],
        sort: None,
        limit: 100,
    };
    let lite = compile(Lite, 1, "goal_targets", &search, &After::Start);
    // What a search runs first is exactly this statement.
    assert_eq!(
        counted(Lite, 1, "goal_targets", &search, &After::Start),
        lite.counted
    );
    assert_eq!(
        lite.counted.sql,
        lite.page.sql.replacen(
            &format!("SELECT {COLUMNS} FROM "),
            &format!(
                "SELECT {COLUMNS}, ({}) AS total, CAST(NULL AS BIGINT) AS version FROM ",
                lite.count.sql
            ),
            1
        )
    );
    let binds = [lite.count.binds.clone(), lite.page.binds.clone()].concat();
    assert_eq!(lite.counted.binds, binds);
    // PostgreSQL numbers placeholders through the whole statement: the count's first.
    let pg = compile(Pg, 1, "goal_targets", &search, &After::Start);
    assert_eq!(pg.counted.binds, binds);
    assert_eq!(
        pg.counted.sql,
        format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) AS n FROM objects WHERE portal_id = $1 AND object_type = 'goal_targets' \
             AND archived = FALSE AND ((lower((properties ->> 'hs_group_correlation_uuid') COLLATE \"C\") = $2))) AS total, CAST(NULL AS BIGINT) AS version \
             FROM (SELECT {COLUMNS} FROM objects WHERE portal_id = $3 AND object_type = 'goal_targets' AND archived = FALSE \
             AND ((lower((properties ->> 'hs_group_correlation_uuid') COLLATE \"C\") = $4)) OFFSET 0) AS matches \
             ORDER BY id ASC LIMIT $5"
        )
    );
    // With the write version (to cache the total under): its portal bound between the count's
    // values and the page's; with the version alone, no count at all.
    let versioned = first(
        Pg,
        1,
        "goal_targets",
        &search,
        &After::Start,
        Extra::TotalAndVersion,
    );
    let version = "(SELECT CAST(COALESCE(SUM(writes), 0) AS BIGINT) AS v FROM object_counts \
                   WHERE object_type IN ('goal_targets', '@associations') AND portal_id = $3) AS version";
    assert!(
        versioned
            .sql
            .contains(&format!(") AS total, {version} FROM")),
        "{}",
        versioned.sql
    );
    let mut with_portal = lite.count.binds.clone();
    with_portal.push(Bind::Int(1));
    with_portal.extend(lite.page.binds.clone());
    assert_eq!(versioned.binds, with_portal);
    let checked = first(
        Pg,
        1,
        "goal_targets",
        &search,
        &After::Start,
        Extra::Version,
    );
    assert!(!checked.sql.contains("COUNT(*)"), "{}", checked.sql);
    assert!(
        checked
            .sql
            .contains("CAST(NULL AS BIGINT) AS total, (SELECT CAST(COALESCE(SUM(writes)"),
        "{}",
        checked.sql
    );
}

#[test]
fn equality_in_every_group_fences_the_filter_before_the_sort() {
    let owner = doc("hubspot_owner_id", P::Number);
    let start = doc("hs_start_datetime", P::Datetime);
    let fenced = Search {
        groups: vec![vec![Filter {
            target: owner.clone(),
            op: Op::Eq(Operand::Num(7.0)),
        }]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[],
        sort: Some(Sort {
            target: start.clone(),
            descending: false,
        }),
        limit: 100,
    };
    for (dialect, fence) in [(Pg, "OFFSET 0"), (Lite, "LIMIT -1 OFFSET 0")] {
        let c = compile(dialect, 1, "goal_targets", &fenced, &After::Start);
        let (o, s) = (compare_expr(dialect, &owner), compare_expr(dialect, &start));
        let (p1, p2, p3) = match dialect {
            Pg => ("$1", "$2", "$3"),
            Lite => ("?", "?", "?"),
        };
        assert_eq!(
            c.page.sql,
            format!(
                "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM objects WHERE portal_id = {p1} AND \
                 object_type = 'goal_targets' AND archived = FALSE AND (({o} = {p2})) {fence}) AS matches \
                 ORDER BY {s} ASC NULLS LAST, id ASC LIMIT {p3}"
            )
        );
    }
}

#[test]
fn an_equality_and_sort_index_is_walked_unfenced_only_for_its_own_pair() {
    let owner = doc("hubspot_owner_id", P::Number);
    let start = doc("hs_start_datetime", P::Datetime);
    let search = |op: Op, sort_by: &Target| Search {
        groups: vec![vec![Filter {
            target: owner.clone(),
            op,
        }]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[("hubspot_owner_id", "hs_start_datetime")],
        sort: Some(Sort {
            target: sort_by.clone(),
            descending: true,
        }),
        limit: 100,
    };
    for dialect in [Pg, Lite] {
        let walk = compile(
            dialect,
            1,
            "goal_targets",
            &search(Op::Eq(Operand::Num(7.0)), &start),
            &After::Start,
        );
        let (o, s) = (compare_expr(dialect, &owner), compare_expr(dialect, &start));
        let (p1, p2, p3) = match dialect {
            Pg => ("$1", "$2", "$3"),
            Lite => ("?", "?", "?"),
        };
        assert_eq!(
            walk.page.sql,
            format!(
                "SELECT {COLUMNS} FROM objects WHERE portal_id = {p1} AND object_type = \
                 'goal_targets' AND archived = FALSE AND (({o} = {p2})) \
                 ORDER BY {s} DESC NULLS FIRST, id DESC LIMIT {p3}"
            )
        );
        // Several owners, or another sort: no index yields the order, so the fence stays.
        let many = search(Op::In(vec![Operand::Num(7.0), Operand::Num(8.0)]), &start);
        let other = search(
            Op::Eq(Operand::Num(7.0)),
            &doc("hs_target_amount", P::Number),
        );
        for s in [many, other] {
            let c = compile(dialect, 1, "goal_targets", &s, &After::Start);
            assert!(
                c.page.sql.contains(") AS matches ORDER BY"),
                "{}",
                c.page.sql
            );
        }
    }
}

#[test]
fn selective_or_groups_are_a_union_only_in_the_lite_dialect() {
    let owner = doc("hubspot_owner_id", P::Number);
    let milestone = doc("hs_milestone", P::Enumeration);
    let search = Search {
        groups: vec![
            vec![Filter {
                target: owner.clone(),
                op: Op::Eq(Operand::Num(7.0)),
            }],
            vec![Filter {
                target: milestone.clone(),
                op: Op::Eq(Operand::Text("yearly".into())),
            }],
        ],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[],
        sort: None,
        limit: 10,
    };
    let scope =
        |p: &str| format!("portal_id = {p} AND object_type = 'goal_targets' AND archived = FALSE");
    let lite = compile(Lite, 1, "goal_targets", &search, &After::Start);
    let (o, m) = (compare_expr(Lite, &owner), compare_expr(Lite, &milestone));
    assert_eq!(
        lite.count.sql,
        format!(
            "SELECT COUNT(*) AS n FROM (SELECT id FROM objects WHERE {} AND {o} = ? \
             UNION SELECT id FROM objects WHERE {} AND {m} = ?) AS matched",
            scope("?"),
            scope("?")
        )
    );
    // The page keeps the scope outside the id lists (a keyset condition joins it there).
    assert!(lite.page.sql.contains(&format!(
        "WHERE {} AND id IN (SELECT id FROM objects WHERE {} AND {o} = ? UNION ALL SELECT",
        scope("?"),
        scope("?")
    )));
    let pg = compile(Pg, 1, "goal_targets", &search, &After::Start);
    let (o, m) = (compare_expr(Pg, &owner), compare_expr(Pg, &milestone));
    assert_eq!(
        pg.count.sql,
        format!(
            "SELECT COUNT(*) AS n FROM objects WHERE {} AND (({o} = $2) OR ({m} = $3))",
            scope("$1")
        )
    );
}
