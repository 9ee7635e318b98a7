//! Whole statements: a search's page (fenced, walking an index, or merged), its count, the
//! page with the count as one column, family members, and the keyset and order clauses.

use super::*;

/// Rows after the cursor row in (sort value, id) order, where an empty value sorts after every
/// value (PostgreSQL's native NULL order, so one btree serves both directions).
pub(super) fn keyset(b: &mut Builder, sort: Option<&Sort>, value: Option<&Operand>, id: i64) {
    let Some(sort) = sort else {
        b.push(" AND id > ").bind(Bind::Int(id));
        return;
    };
    let e = compare_expr(b.dialect, &sort.target);
    let (cmp, idcmp) = if sort.descending {
        ("<", "<")
    } else {
        (">", ">")
    };
    match (value, sort.descending) {
        (Some(v), false) => {
            b.push(&format!(" AND ({e} {cmp} ")).bind(v.into());
            b.push(&format!(" OR ({e} = ")).bind(v.into());
            b.push(&format!(" AND id {idcmp} ")).bind(Bind::Int(id));
            b.push(&format!(") OR {e} IS NULL)"));
        }
        (Some(v), true) => {
            b.push(&format!(" AND ({e} {cmp} ")).bind(v.into());
            b.push(&format!(" OR ({e} = ")).bind(v.into());
            b.push(&format!(" AND id {idcmp} "))
                .bind(Bind::Int(id))
                .push("))");
        }
        (None, false) => {
            b.push(&format!(" AND ({e} IS NULL AND id > "))
                .bind(Bind::Int(id))
                .push(")");
        }
        (None, true) => {
            b.push(&format!(" AND (({e} IS NULL AND id < "))
                .bind(Bind::Int(id));
            b.push(&format!(") OR {e} IS NOT NULL)"));
        }
    }
}

/// Objects (live, or with `archived` the archived ones) whose `target` equals one of
/// `operands` as search compares it, through the same expression the indexes hold.
pub fn members(
    dialect: Dialect,
    portal: i64,
    object_type: &str,
    target: Target,
    operands: Vec<Operand>,
    archived: bool,
) -> Statement {
    let search = Search {
        groups: vec![vec![Filter {
            target,
            op: Op::In(operands),
        }]],
        query_terms: Vec::new(),
        text_properties: Vec::new(),
        sorted_indexes: &[],
        sort: None,
        limit: 0,
    };
    let mut b = Builder::new(dialect);
    b.push(&format!("SELECT {COLUMNS} FROM objects WHERE "));
    // No ORDER BY: callers need no order, and one invites walking the id index.
    conditions(&mut b, Scope::new(portal, object_type, archived), &search);
    b.finish()
}

/// Compiles the page query (`limit + 1` rows, to tell whether a next page exists), the count,
/// and the page with the count as one more column.
pub fn compile(
    dialect: Dialect,
    portal: i64,
    object_type: &str,
    search: &Search,
    after: &After,
) -> Compiled {
    let mut count = Builder::new(dialect);
    count_matches(&mut count, portal, object_type, search);
    let at = Where {
        portal,
        object_type,
        search,
        after,
    };
    Compiled {
        page: page(dialect, &at, None),
        count: count.finish(),
        counted: page(dialect, &at, Some(Extra::Total)),
    }
}

/// What a search's first statement reads beside its page, as columns `total` and `version`
/// (each a scalar subquery, or NULL when not asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// The exact count of matches.
    Total,
    /// The count and the scope's write version (`engine::counts::version_sql`), to cache the
    /// count under.
    TotalAndVersion,
    /// Only the write version: the count is cached, and is still true if the version is.
    Version,
}

/// The page with the columns `extra` asks for: what a search runs first (the count and page
/// alone only for an empty page).
pub fn first(
    dialect: Dialect,
    portal: i64,
    object_type: &str,
    search: &Search,
    after: &After,
    extra: Extra,
) -> Statement {
    let at = Where {
        portal,
        object_type,
        search,
        after,
    };
    page(dialect, &at, Some(extra))
}

/// [`first`] with the count alone.
pub fn counted(
    dialect: Dialect,
    portal: i64,
    object_type: &str,
    search: &Search,
    after: &After,
) -> Statement {
    first(dialect, portal, object_type, search, after, Extra::Total)
}

/// What one search selects.
pub(super) struct Where<'a> {
    pub(super) portal: i64,
    pub(super) object_type: &'a str,
    pub(super) search: &'a Search,
    pub(super) after: &'a After,
}

/// The page query; `extra` adds the count and the write version as uncorrelated scalar
/// subqueries in the select list (columns `total`, `version`). Both planners run those once,
/// and one statement reads one snapshot, so page, total and version agree without a
/// transaction around several statements (on PostgreSQL, three fewer round trips per search).
pub(super) fn page(dialect: Dialect, at: &Where<'_>, extra: Option<Extra>) -> Statement {
    let search = at.search;
    let mut page = Builder::new(dialect);
    page.push(&format!("SELECT {COLUMNS}"));
    if let Some(extra) = extra {
        if extra == Extra::Version {
            page.push(", CAST(NULL AS BIGINT) AS total");
        } else {
            page.push(", (");
            count_matches(&mut page, at.portal, at.object_type, search);
            page.push(") AS total");
        }
        if extra == Extra::Total {
            page.push(", CAST(NULL AS BIGINT) AS version");
        } else {
            let mut types = vec![at.object_type];
            for f in search.groups.iter().flatten() {
                if let Target::Association(to) = &f.target {
                    types.push(to);
                }
            }
            page.push(", (")
                .push(&crate::engine::counts::version_sql(&types))
                .bind(Bind::Int(at.portal))
                .push(") AS version");
        }
    }
    if merges_sorted_indexes(search) {
        merged(&mut page, at);
        return page.finish();
    }
    // When every OR group has an equality, the matches are few: let the planner pick the index
    // for the filters and sort them, instead of walking the sort column's index and filtering
    // (both planners otherwise favour an index that yields the ORDER BY, and scan). The
    // subquery with OFFSET 0 is a fence neither planner flattens. Not when an (equality, sort)
    // index yields both the filter and the order: walking it reads only the page.
    let fenced = selective(search) && !walks_sorted_index(search);
    if fenced {
        page.push(&format!(" FROM (SELECT {COLUMNS} FROM objects WHERE "));
    } else {
        page.push(" FROM objects WHERE ");
    }
    conditions(&mut page, Scope::live(at.portal, at.object_type), search);
    if let After::Key(value, id) = at.after {
        keyset(&mut page, search.sort.as_ref(), value.as_ref(), *id);
    }
    if fenced {
        page.push(match dialect {
            Dialect::Postgres => " OFFSET 0) AS matches",
            Dialect::Sqlite => " LIMIT -1 OFFSET 0) AS matches",
        });
    }
    order_by(&mut page, search.sort.as_ref());
    page.push(" LIMIT ").bind(Bind::Int(search.limit + 1));
    if let After::Offset(n) = at.after {
        page.push(" OFFSET ").bind(Bind::Int(*n));
    }
    page.finish()
}

/// ` ORDER BY` the sort, then id; an empty value sorts after every value, as PostgreSQL's
/// btrees order NULLs, so one index serves both directions.
pub(super) fn order_by(b: &mut Builder, sort: Option<&Sort>) {
    match sort {
        None => {
            b.push(" ORDER BY id ASC");
        }
        Some(s) => {
            let e = compare_expr(b.dialect, &s.target);
            let dir = if s.descending {
                "DESC NULLS FIRST"
            } else {
                "ASC NULLS LAST"
            };
            let id_dir = if s.descending { "DESC" } else { "ASC" };
            b.push(&format!(" ORDER BY {e} {dir}, id {id_dir}"));
        }
    }
}
