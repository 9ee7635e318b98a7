//! Migrations: each backend's tree applies, and its down.sql files undo it completely.

use crate::support::{Backend, TestDb};

fn check(backend: Backend) {
    let db = TestDb::empty(backend);
    let mut conn = goalpost::db::connect(&db.url).expect("connect");
    assert!(conn.migrate().expect("up") >= 1);
    conn.revert_all().expect("down");
    // Everything gone: applying again from scratch works.
    assert!(conn.migrate().expect("up again") >= 1);
    assert_eq!(conn.migrate().expect("idempotent"), 0);
}

#[test]
fn migrations_apply_and_revert_on_sqlite() {
    check(Backend::Sqlite);
}

#[test]
fn migrations_apply_and_revert_on_postgres() {
    check(Backend::Postgres);
}

/// The portal-key migration on a database that already holds objects, history and a unique
/// custom property: history rows get their object's portal, the unique index is rebuilt with
/// the portal first (PostgreSQL), and nothing is lost.
fn upgrade_with_data(backend: Backend) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    use goalpost::db::Conn;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    #[derive(QueryableByName)]
    struct Def {
        #[diesel(sql_type = Text)]
        def: String,
    }
    const SETUP: &str =
        "INSERT INTO portals (id, name, created_at) VALUES (7, 'p7', 0), (8, 'p8', 0);
        INSERT INTO objects (id, portal_id, object_type, properties, created_at, updated_at)
            VALUES (1, 7, 'goal_targets', '{\"k\":\"a\"}', 0, 0),
                   (2, 8, 'goal_targets', '{\"k\":\"a\"}', 0, 0);
        INSERT INTO property_history (object_id, name, value, changed_at, source_type)
            VALUES (1, 'k', 'a', 0, 'API'), (2, 'k', 'a', 0, 'API'), (2, 'k', 'b', 1, 'API'),
                   (2, 'k', 'c', 1, 'API');";
    const PG_INDEX: &str =
        "CREATE UNIQUE INDEX objects_unique_test ON objects ((properties ->> 'k'))
        WHERE portal_id = 7 AND object_type = 'goal_targets' AND archived = FALSE;";
    // History rows whose portal is their object's portal, per portal.
    // (Property history became one row per write later, migration 11; object 2's writes stay
    // three rows: two of `k` in the same millisecond are not folded into one.)
    const MATCHED: &str = "SELECT COUNT(*) AS n FROM object_history h JOIN objects o
        ON o.id = h.object_id AND o.portal_id = h.portal_id WHERE h.portal_id = 8";

    let db = TestDb::empty(backend);
    let mut conn = goalpost::db::connect(&db.url).expect("connect");
    let total = conn.migrate().expect("up");
    // Down to before the portal-key migration (the fifth); later ones come back with it.
    let later = total - 4;
    for _ in 0..later {
        conn.revert_last().expect("down");
    }
    match &mut conn {
        Conn::Pg(c, _) => c.batch_execute(&format!("{SETUP}{PG_INDEX}")),
        Conn::Sqlite(c, _) => c.batch_execute(SETUP),
    }
    .expect("old-schema data");
    assert_eq!(conn.migrate().expect("upgrade"), later);
    let matched = match &mut conn {
        Conn::Pg(c, _) => diesel::sql_query(MATCHED).get_result::<Count>(c),
        Conn::Sqlite(c, _) => diesel::sql_query(MATCHED).get_result::<Count>(c),
    }
    .expect("count")
    .n;
    assert_eq!(matched, 3, "portal 8's history rows carry portal 8");
    // Folded into one row per write, the history still reads back value by value.
    let h = goalpost::engine::store::history(
        &mut conn,
        goalpost::engine::store::PortalId(8),
        &[2],
        &["k".to_owned()],
    )
    .expect("history");
    let values: Vec<_> = h[&(2, "k".to_owned())]
        .iter()
        .map(|r| (r.value.clone(), r.changed_at))
        .collect();
    assert_eq!(
        values,
        [
            (Some("c".into()), 1),
            (Some("b".into()), 1),
            (Some("a".into()), 0)
        ]
    );
    if let Conn::Pg(c, _) = &mut conn {
        let def = diesel::sql_query(
            "SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'objects_unique_test'",
        )
        .get_result::<Def>(c)
        .expect("unique index kept")
        .def;
        assert!(def.contains("btree (portal_id, "), "{def}");
        assert!(def.contains("WHERE"), "{def}");
    }
}

#[test]
fn portal_key_upgrade_keeps_data_on_sqlite() {
    upgrade_with_data(Backend::Sqlite);
}

#[test]
fn portal_key_upgrade_keeps_data_on_postgres() {
    upgrade_with_data(Backend::Postgres);
}

/// PostgreSQL gets expression statistics beside the partial expression indexes (it keeps none
/// for a partial index's expression, and without them planned the family rules' IN lookups as
/// sequential scans).
#[test]
fn expression_statistics_exist_on_postgres() {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let db = TestDb::empty(Backend::Postgres);
    let mut conn = goalpost::db::connect(&db.url).expect("connect");
    conn.migrate().expect("up");
    goalpost::engine::indexes::ensure(&mut conn, &goalpost::registry()).expect("indexes");
    let goalpost::db::Conn::Pg(c, _) = &mut conn else {
        unreachable!()
    };
    let n = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM pg_statistic_ext WHERE stxname LIKE 'objects_goal_targets_%_stats'",
    )
    .get_result::<Count>(c)
    .expect("count")
    .n;
    let indexed = goalpost::goals::catalogue::goal_targets()
        .properties
        .iter()
        .filter(|p| p.indexed)
        .count() as i64;
    assert!(indexed >= 7);
    assert_eq!(n, indexed, "one per indexed goal-target property");
}
