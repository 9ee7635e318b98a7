//! Migrations: each backend's tree applies, and its down.sql files undo it completely.

use crate::support::{Backend, TestDb};

fn check(backend: Backend) {
    let db = TestDb::new(backend);
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
