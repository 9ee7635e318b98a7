//! Several OR groups each walking an `(equality, sort)` index: a merge of short walks.

use super::super::*;
use super::doc;
use crate::engine::search::ast::{Filter, Op, Operand, Search, Sort, Target};
use crate::engine::types::PropertyType as P;
use Dialect::{Postgres as Pg, Sqlite as Lite};

#[test]
fn or_groups_each_walking_a_sort_index_are_merged_from_short_walks() {
    let owner = doc("hubspot_owner_id", P::Number);
    let amount = doc("hs_target_amount", P::Number);
    let milestone = doc("hs_milestone", P::Enumeration);
    let eq = |t: &Target, v: Operand| Filter {
        target: t.clone(),
        op: Op::Eq(v),
    };
    let search = |second: Filter, sort_by: &Target| Search {
        groups: vec![
            vec![
                eq(&owner, Operand::Num(7.0)),
                Filter {
                    target: amount.clone(),
                    op: Op::Gt(Operand::Num(5.0)),
                },
            ],
            vec![second],
        ],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[
            ("hubspot_owner_id", "hs_target_amount"),
            ("hs_milestone", "hs_target_amount"),
        ],
        sort: Some(Sort {
            target: sort_by.clone(),
            descending: true,
        }),
        limit: 10,
    };
    let yearly = || eq(&milestone, Operand::Text("yearly".into()));
    let scope = "portal_id = ? AND object_type = 'goal_targets' AND archived = FALSE";
    let (o, a, m) = (
        compare_expr(Lite, &owner),
        compare_expr(Lite, &amount),
        compare_expr(Lite, &milestone),
    );
    let order = format!("ORDER BY {a} DESC NULLS FIRST, id DESC");
    let branch = |filters: &str, gi: usize, keyset: &str| {
        format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM objects WHERE {scope} AND {filters}\
             {keyset} {order} LIMIT ?) AS group{gi}"
        )
    };
    let g1 = format!("{o} = ? AND {a} > ?");
    let g2 = format!("{m} = ?");
    let c = compile(
        Lite,
        1,
        "goal_targets",
        &search(yearly(), &amount),
        &After::Offset(5),
    );
    assert_eq!(
        c.page.sql,
        format!(
            "SELECT {COLUMNS} FROM ({} UNION {}) AS matches {order} LIMIT ? OFFSET ?",
            branch(&g1, 0, ""),
            branch(&g2, 1, "")
        )
    );
    // Each walk reads past the skipped rows and one more than the page; the union is cut.
    let int = Bind::Int;
    let text = |s: &str| Bind::Text(s.into());
    assert_eq!(
        c.page.binds,
        vec![
            int(1),
            Bind::Num(7.0),
            Bind::Num(5.0),
            int(16),
            int(1),
            text("yearly"),
            int(16),
            int(11),
            int(5)
        ]
    );
    // A keyset cursor bounds every walk.
    let key = After::Key(Some(Operand::Num(9.0)), 42);
    let c = compile(Lite, 1, "goal_targets", &search(yearly(), &amount), &key);
    let after = format!(" AND ({a} < ? OR ({a} = ? AND id < ?))");
    assert_eq!(
        c.page.sql,
        format!(
            "SELECT {COLUMNS} FROM ({} UNION {}) AS matches {order} LIMIT ?",
            branch(&g1, 0, &after),
            branch(&g2, 1, &after)
        )
    );
    assert_eq!(
        c.counted.sql.matches(" UNION ").count(),
        2,
        "{}",
        c.counted.sql
    );
    // No merge unless every group has the EQ of a pair sorted the search's way.
    let several = Filter {
        target: milestone.clone(),
        op: Op::In(vec![Operand::Text("yearly".into())]),
    };
    let start = doc("hs_start_datetime", P::Datetime);
    for (dialect, s) in [
        (Lite, search(several.clone(), &amount)),
        (Pg, search(several, &amount)),
        (Lite, search(yearly(), &start)),
        (Pg, search(yearly(), &start)),
    ] {
        let c = compile(dialect, 1, "goal_targets", &s, &After::Start);
        assert!(!c.page.sql.contains(") AS group"), "{}", c.page.sql);
    }
    // PostgreSQL merges the same way, numbering placeholders through the statement.
    let pg = compile(
        Pg,
        1,
        "goal_targets",
        &search(yearly(), &amount),
        &After::Start,
    );
    assert!(
        pg.page.sql.ends_with(&format!(
            ") AS group1) AS matches ORDER BY {} DESC NULLS FIRST, id DESC LIMIT $8",
            compare_expr(Pg, &amount)
        )),
        "{}",
        pg.page.sql
    );
}
