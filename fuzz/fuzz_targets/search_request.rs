//! Search request → AST → SQL: any bytes a client could send as a search body must give either
//! a 4xx-shaped error or SQL for both dialects, never a panic; the SQL text never holds the
//! client's strings (they are bound values).
#![no_main]

use goalpost::db::Dialect;
use goalpost::engine::search::{compile, cursor};
use goalpost::http::hubspot::search::{parse, SearchRequest};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn goal_targets() -> &'static goalpost::engine::types::ObjectType {
    static T: OnceLock<goalpost::engine::types::ObjectType> = OnceLock::new();
    T.get_or_init(goalpost::goals::catalogue::goal_targets)
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<SearchRequest>(data) else {
        return;
    };
    let otype = goal_targets();
    let Ok((search, after)) = parse(otype, &req) else {
        return;
    };
    let Ok(after) = cursor::decode(after.as_deref(), search.sort.as_ref().map(|s| &s.target)) else {
        return;
    };
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let c = compile::compile(dialect, 1, otype.name, &search, &after);
        // Client text reaches SQL only as binds: no quote of its own can appear in the text
        // beyond the fixed literals the compiler writes.
        for st in [&c.page, &c.count] {
            assert_eq!(st.sql.matches('\'').count() % 2, 0, "unbalanced quote: {}", st.sql);
            assert!(!st.sql.contains(';'), "statement separator in {}", st.sql);
        }
    }
});
