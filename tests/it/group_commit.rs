//! SQLite's group commit (`db/writer.rs`): writes of one process share a transaction, each in
//! its own savepoint. About SQLite only. Whatever the grouping (it depends on timing), a
//! refused write leaves nothing and gets its own error, a panicking write is rolled back and
//! panics in its own thread only, every acknowledged write is committed and visible to other
//! connections when its call returns, and the writes around a refused one all land.

use crate::support::{Backend, TestDb};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use goalpost::db::{self, with_conn, Conn};
use goalpost::error::ApiError;
use std::sync::Arc;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn rows(conn: &mut Conn, x: i64) -> i64 {
    with_conn!(conn, c => diesel::sql_query(format!("SELECT COUNT(*) AS n FROM t WHERE x = {x}"))
        .get_result::<N>(c))
    .expect("count")
    .n
}

#[test]
fn concurrent_writes_commit_alone_or_together_and_a_refused_one_leaves_nothing_on_sqlite() {
    let tdb = TestDb::new(Backend::Sqlite);
    let pool = Arc::new(db::pool(&tdb.url, 8).expect("pool"));
    with_conn!(&mut *pool.get().unwrap(), c => c.batch_execute("CREATE TABLE t (x BIGINT NOT NULL, step INTEGER NOT NULL)"))
        .unwrap();
    let threads: Vec<_> = (0..8)
        .map(|w| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                for i in 0..50 {
                    let x = w * 1000 + i;
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        pool.get().unwrap().write_tx(|tx| {
                            // Two statements per write: a refusal after the first must undo it.
                            with_conn!(tx, c => c.batch_execute(&format!("INSERT INTO t VALUES ({x}, 1)")))?;
                            if i % 5 == 0 {
                                return Err(ApiError::bad_request(format!("refused {x}")));
                            }
                            if i % 17 == 3 {
                                panic!("write {x} panics");
                            }
                            with_conn!(tx, c => c.batch_execute(&format!("INSERT INTO t VALUES ({x}, 2)")))?;
                            Ok(x)
                        })
                    }));
                    // Acknowledged means committed: another connection sees both rows now.
                    let mut other = pool.get().unwrap();
                    match &r {
                        Ok(Ok(got)) => assert_eq!((*got, rows(&mut other, x)), (x, 2)),
                        Ok(Err(e)) => {
                            assert!(e.to_string().contains(&format!("refused {x}")), "{e}");
                            assert_eq!(rows(&mut other, x), 0);
                        }
                        Err(_) => assert_eq!(rows(&mut other, x), 0, "a panicked write left rows"),
                    }
                    outcomes.push((x, r.is_ok_and(|r| r.is_ok())));
                }
                outcomes
            })
        })
        .collect();
    let outcomes: Vec<(i64, bool)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    // How the writes grouped (timing-dependent, so shown, not asserted).
    let h = &goalpost::metrics::get().group_commit_writes;
    eprintln!(
        "{} writes in {} commits",
        h.get_sample_sum(),
        h.get_sample_count()
    );
    let mut conn = pool.get().unwrap();
    let total = with_conn!(&mut *conn, c => diesel::sql_query("SELECT COUNT(*) AS n FROM t").get_result::<N>(c))
        .unwrap()
        .n;
    let acknowledged = outcomes.iter().filter(|(_, ok)| *ok).count() as i64;
    assert_eq!(total, acknowledged * 2);
    let succeeds = |i: i64| i % 5 != 0 && i % 17 != 3;
    let expected: Vec<i64> = (0..8)
        .flat_map(|w| (0..50).filter(|i| succeeds(*i)).map(move |i| w * 1000 + i))
        .collect();
    let mut got: Vec<i64> = outcomes
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(x, _)| *x)
        .collect();
    got.sort();
    assert_eq!(got, expected, "refusals and panics are per write");
}
