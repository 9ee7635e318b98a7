//! Pins the SQL the compiler emits: the compared expression per property type and dialect, and
//! the predicate and binds per operator (here), and whole statements (`statements.rs`).

use super::*;
use crate::engine::search::ast::{Filter, Op, Operand, Search, Target};
use crate::engine::types::PropertyType as P;
use Dialect::{Postgres as Pg, Sqlite as Lite};

pub(super) fn doc(name: &str, kind: P) -> Target {
    Target::Doc(name.into(), kind)
}

#[test]
fn compared_expression_per_type_and_dialect() {
    let cases = [
        (
            doc("n", P::Number),
            "((properties ->> 'n')::float8)",
            "CAST((properties ->> 'n') AS REAL)",
        ),
        (
            doc("s", P::String),
            "lower((properties ->> 's') COLLATE \"C\")",
            "lower((properties ->> 's'))",
        ),
        (
            doc("b", P::Bool),
            "lower((properties ->> 'b') COLLATE \"C\")",
            "lower((properties ->> 'b'))",
        ),
        (
            doc("e", P::Enumeration),
            "((properties ->> 'e') COLLATE \"C\")",
            "(properties ->> 'e')",
        ),
        (
            doc("t", P::Datetime),
            "((properties ->> 't') COLLATE \"C\")",
            "(properties ->> 't')",
        ),
        (
            doc("d", P::Date),
            "((properties ->> 'd') COLLATE \"C\")",
            "(properties ->> 'd')",
        ),
        (Target::Id, "id", "id"),
        (Target::TimeColumn("created_at"), "created_at", "created_at"),
    ];
    for (target, pg, lite) in cases {
        assert_eq!(compare_expr(Pg, &target), pg);
        assert_eq!(compare_expr(Lite, &target), lite);
    }
}

/// The WHERE fragment after the fixed scope conditions, and its binds after the portal's.
fn fragment(dialect: Dialect, f: Filter) -> (String, Vec<Bind>) {
    let search = Search {
        groups: vec![vec![f]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: &[],
        sort: None,
        limit: 10,
    };
    let c = compile(dialect, 1, "goal_targets", &search, &After::Start);
    let head = "SELECT COUNT(*) AS n FROM objects WHERE portal_id = ";
    let scope = " AND object_type = 'goal_targets' AND archived = FALSE AND ((";
    let rest = c.count.sql.strip_prefix(head).expect("count head");
    let rest = &rest[rest.find(' ').expect("placeholder")..];
    let rest = rest
        .strip_prefix(scope)
        .expect("scope")
        .strip_suffix("))")
        .expect("tail");
    assert_eq!(c.count.binds[0], Bind::Int(1));
    (rest.to_owned(), c.count.binds[1..].to_vec())
}

#[test]
fn every_operator_on_every_type_pins_sql_and_binds() {
    let targets = [
        (doc("n", P::Number), Operand::Num(5.0)),
        (doc("s", P::String), Operand::Text("ab".into())),
        (doc("b", P::Bool), Operand::Text("true".into())),
        (doc("e", P::Enumeration), Operand::Text("monthly".into())),
        (
            doc("t", P::Datetime),
            Operand::Text("2027-01-01T00:00:00.000Z".into()),
        ),
        (doc("d", P::Date), Operand::Text("2027-01-01".into())),
        (Target::Id, Operand::Int(7)),
        (
            Target::TimeColumn("updated_at"),
            Operand::Int(1_798_761_600_000),
        ),
    ];
    for dialect in [Pg, Lite] {
        // Placeholders: $2, $3… after the portal's $1 on PostgreSQL; ? on SQLite.
        let ph = |i: usize| match dialect {
            Pg => format!("${}", i + 2),
            Lite => "?".to_owned(),
        };
        for (target, v) in &targets {
            let e = compare_expr(dialect, target);
            let b: Bind = v.into();
            let ops: Vec<(Op, String, Vec<Bind>)> = vec![
                (
                    Op::Eq(v.clone()),
                    format!("{e} = {}", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Neq(v.clone()),
                    format!("NOT COALESCE({e} = {}, FALSE)", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Lt(v.clone()),
                    format!("{e} < {}", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Lte(v.clone()),
                    format!("{e} <= {}", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Gt(v.clone()),
                    format!("{e} > {}", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Gte(v.clone()),
                    format!("{e} >= {}", ph(0)),
                    vec![b.clone()],
                ),
                (
                    Op::Between(v.clone(), v.clone()),
                    format!("{e} BETWEEN {} AND {}", ph(0), ph(1)),
                    vec![b.clone(), b.clone()],
                ),
                (
                    Op::In(vec![v.clone(), v.clone()]),
                    format!("{e} IN ({}, {})", ph(0), ph(1)),
                    vec![b.clone(), b.clone()],
                ),
                (
                    Op::NotIn(vec![v.clone()]),
                    format!("NOT COALESCE({e} IN ({}), FALSE)", ph(0)),
                    vec![b.clone()],
                ),
            ];
            for (op, sql, binds) in ops {
                let got = fragment(
                    dialect,
                    Filter {
                        target: target.clone(),
                        op: op.clone(),
                    },
                );
                assert_eq!(got, (sql, binds), "{dialect:?} {target:?} {op:?}");
            }
            let (has, not_has) = match target {
                Target::Doc(name, _) => (
                    format!("(properties ->> '{name}') IS NOT NULL"),
                    format!("(properties ->> '{name}') IS NULL"),
                ),
                _ => ("TRUE".to_owned(), "FALSE".to_owned()),
            };
            let f = |op| Filter {
                target: target.clone(),
                op,
            };
            assert_eq!(fragment(dialect, f(Op::HasProperty)), (has, vec![]));
            assert_eq!(fragment(dialect, f(Op::NotHasProperty)), (not_has, vec![]));
            if let Target::Doc(name, _) = target {
                let text = match dialect {
                    Pg => format!("(' ' || lower((properties ->> '{name}') COLLATE \"C\") || ' ')"),
                    Lite => format!("(' ' || lower((properties ->> '{name}')) || ' ')"),
                };
                let like = format!("{text} LIKE {} ESCAPE '\\'", ph(0));
                let bind = vec![Bind::Text("% ab% %".into())];
                assert_eq!(
                    fragment(dialect, f(Op::ContainsToken("ab%".into()))),
                    (like.clone(), bind.clone())
                );
                assert_eq!(
                    fragment(dialect, f(Op::NotContainsToken("ab%".into()))),
                    (format!("NOT COALESCE({like}, FALSE)"), bind)
                );
            }
        }
    }
}

mod merged;
mod statements;
