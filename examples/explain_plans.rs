//! Seeds N goal targets straight into a database (SQL, not the API) and prints the query plans
//! of the common searches, exactly as the search compiler emits them.
//!
//! cargo run --release --example explain_plans -- sqlite:///tmp/plans.db 1000000
//! cargo run --release --example explain_plans -- postgres://… 1000000

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use goalpost::db::with_conn;
use goalpost::db::{connect, Conn, Dialect};
use goalpost::engine::search::ast::{Filter, Op, Operand, Search, Sort, Target};
use goalpost::engine::search::compile::{compile, Bind, Statement};
use goalpost::engine::search::cursor::After;
use goalpost::engine::types::PropertyType as P;

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct LitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn seed_sql(dialect: Dialect, n: i64) -> String {
    // Families of 12 monthly slices; 500 owners; amounts 100..100_000; ten years of starts.
    match dialect {
        Dialect::Postgres => format!(
            "INSERT INTO objects (portal_id, object_type, properties, created_at, updated_at, archived)
             SELECT 1, 'goal_targets', jsonb_build_object(
               'hs_goal_name', 'Goal ' || (g / 12),
               'hs_group_correlation_uuid', md5((g / 12)::text),
               'hs_goal_target_group_id', (g / 12)::text,
               'hubspot_owner_id', (g / 12 % 500)::text,
               'hs_milestone', 'monthly',
               'hs_target_amount', ((g::bigint * 7919) % 100000 + 100)::text,
               'hs_start_datetime', to_char(timestamp '2020-01-01' + ((g % 12 + (g / 12) % 10 * 12) || ' months')::interval, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')),
               1700000000000 + g, 1700000000000 + g, FALSE
             FROM generate_series(0, {}) g", n - 1),
        Dialect::Sqlite => format!(
            "WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < {})
             INSERT INTO objects (portal_id, object_type, properties, created_at, updated_at, archived)
             SELECT 1, 'goal_targets', json_object(
               'hs_goal_name', 'Goal ' || (g / 12),
               'hs_group_correlation_uuid', hex(g / 12),
               'hs_goal_target_group_id', CAST(g / 12 AS TEXT),
               'hubspot_owner_id', CAST(g / 12 % 500 AS TEXT),
               'hs_milestone', 'monthly',
               'hs_target_amount', CAST((g * 7919) % 100000 + 100 AS TEXT),
               'hs_start_datetime', strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || (g % 12 + (g / 12) % 10 * 12) || ' months')),
               1700000000000 + g, 1700000000000 + g, FALSE
             FROM s", n - 1),
    }
}

fn plan(conn: &mut Conn, st: &Statement) -> Vec<String> {
    macro_rules! bound {
        ($q:expr) => {{
            let mut q = $q.into_boxed();
            for b in &st.binds {
                q = match b {
                    Bind::Int(n) => q.bind::<BigInt, _>(*n),
                    Bind::Num(f) => q.bind::<Double, _>(*f),
                    Bind::Text(s) => q.bind::<Text, _>(s.clone()),
                };
            }
            q
        }};
    }
    match conn {
        Conn::Pg(c, _) => bound!(diesel::sql_query(format!(
            "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) {}",
            st.sql
        )))
        .load::<PgPlan>(c)
        .expect("explain")
        .into_iter()
        .map(|p| p.line)
        .collect(),
        Conn::Sqlite(c, _) => bound!(diesel::sql_query(format!("EXPLAIN QUERY PLAN {}", st.sql)))
            .load::<LitePlan>(c)
            .expect("explain")
            .into_iter()
            .map(|p| p.detail)
            .collect(),
    }
}

fn doc(name: &str, kind: P) -> Target {
    Target::Doc(name.into(), kind)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).map_or("sqlite:///tmp/plans.db", String::as_str);
    let n: i64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut conn = connect(url).expect("connect");
    conn.migrate().expect("migrate");
    goalpost::engine::indexes::ensure(&mut conn, &goalpost::registry()).expect("indexes");
    goalpost::portals::ensure_portal(&mut conn, goalpost::engine::store::PortalId(1), "default")
        .expect("portal");
    let have = with_conn!(&mut conn, c => diesel::sql_query("SELECT COUNT(*) AS n FROM objects").get_result::<Count>(c))
        .expect("count")
        .n;
    let dialect = conn.dialect();
    if have < n {
        eprintln!("seeding {n} rows…");
        if dialect == Dialect::Postgres {
            with_conn!(&mut conn, c => c.batch_execute("SET statement_timeout = 0"))
                .expect("timeout");
        }
        with_conn!(&mut conn, c => c.batch_execute("DELETE FROM objects")).expect("clear");
        with_conn!(&mut conn, c => c.batch_execute(&seed_sql(dialect, n))).expect("seed");
        with_conn!(&mut conn, c => c.batch_execute("ANALYZE")).expect("analyze");
    }
    let sorted = goalpost::goals::catalogue::goal_targets().sorted_indexes;
    let eq = |t: Target, v: Operand| Filter {
        target: t,
        op: Op::Eq(v),
    };
    let searches: Vec<(&str, Search, After)> = vec![
        (
            "W2 family: EQ hs_group_correlation_uuid",
            Search {
                groups: vec![vec![eq(
                    doc("hs_group_correlation_uuid", P::String),
                    Operand::Text("2a".into()),
                )]],
                query_terms: vec![],
                text_properties: vec![],
                sorted_indexes: sorted,
                sort: None,
                limit: 100,
            },
            After::Start,
        ),
        (
            "W3 owner EQ + start range, sorted by start, limit 100",
            Search {
                groups: vec![vec![
                    eq(doc("hubspot_owner_id", P::Number), Operand::Num(42.0)),
                    Filter {
                        target: doc("hs_start_datetime", P::Datetime),
                        op: Op::Between(
                            Operand::Text("2021-01-01T00:00:00.000Z".into()),
                            Operand::Text("2023-12-31T23:59:59.999Z".into()),
                        ),
                    },
                ]],
                query_terms: vec![],
                text_properties: vec![],
                sorted_indexes: sorted,
                sort: Some(Sort {
                    target: doc("hs_start_datetime", P::Datetime),
                    descending: false,
                }),
                limit: 100,
            },
            After::Start,
        ),
        (
            "W4 3 filters in 2 OR groups, sorted by amount desc",
            Search {
                groups: vec![
                    vec![
                        eq(doc("hubspot_owner_id", P::Number), Operand::Num(7.0)),
                        Filter {
                            target: doc("hs_target_amount", P::Number),
                            op: Op::Gt(Operand::Num(50_000.0)),
                        },
                    ],
                    vec![eq(
                        doc("hs_milestone", P::Enumeration),
                        Operand::Text("quarterly".into()),
                    )],
                ],
                query_terms: vec![],
                text_properties: vec![],
                sorted_indexes: sorted,
                sort: Some(Sort {
                    target: doc("hs_target_amount", P::Number),
                    descending: true,
                }),
                limit: 100,
            },
            After::Start,
        ),
        (
            "W5 deep page in creation order (keyset)",
            Search {
                groups: vec![],
                query_terms: vec![],
                text_properties: vec![],
                sorted_indexes: sorted,
                sort: None,
                limit: 200,
            },
            After::Key(None, n / 2),
        ),
    ];
    for (name, search, after) in searches {
        let c = compile(dialect, 1, "goal_targets", &search, &after);
        println!("\n## {name}\n{}\n-- page:", c.page.sql);
        for line in plan(&mut conn, &c.page) {
            println!("   {line}");
        }
        println!("-- count:");
        for line in plan(&mut conn, &c.count) {
            println!("   {line}");
        }
    }
}
