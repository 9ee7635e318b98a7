//! Compiles a validated [`Search`] to SQL text plus bound values, for either dialect. Property
//! names reach the SQL text only after validation against the definitions (and are checked
//! again here to be plain identifiers); every value is a bound parameter.

use super::ast::{Filter, Op, Operand, Search, Sort, Target};
use super::cursor::After;
use crate::db::Dialect;
use crate::engine::types::PropertyType;

/// One bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Int(i64),
    Num(f64),
    Text(String),
}

impl From<&Operand> for Bind {
    fn from(o: &Operand) -> Self {
        match o {
            Operand::Int(n) => Bind::Int(*n),
            Operand::Num(f) => Bind::Num(*f),
            Operand::Text(s) => Bind::Text(s.clone()),
        }
    }
}

/// SQL text with its binds in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// The page query and the count query of one search, and the two as one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub page: Statement,
    pub count: Statement,
    /// The page with a `total` column: what a search runs first.
    pub counted: Statement,
}

/// The columns every object query selects, in `ObjectRow` order.
pub const COLUMNS: &str =
    "id, portal_id, object_type, properties, created_at, updated_at, archived, archived_at";

/// SQL text under construction, numbering placeholders for the dialect as values are bound.
pub struct Builder {
    dialect: Dialect,
    sql: String,
    binds: Vec<Bind>,
}

impl Builder {
    pub fn new(dialect: Dialect) -> Self {
        Builder {
            dialect,
            sql: String::new(),
            binds: Vec::new(),
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    pub fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        match self.dialect {
            Dialect::Postgres => {
                let n = self.binds.len();
                self.sql.push_str(&format!("${n}"));
            }
            Dialect::Sqlite => self.sql.push('?'),
        }
        self
    }

    pub fn finish(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
        }
    }
}

/// A property name as it may appear in SQL text: lower-case letters, digits, underscores.
fn checked(name: &str) -> &str {
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "property name {name:?} reached the SQL compiler unvalidated"
    );
    name
}

/// The stored text of a document property.
pub fn raw_text(name: &str) -> String {
    format!("(properties ->> '{}')", checked(name))
}

/// The expression a target's values are compared (and sorted, and indexed) by. Text compares
/// bytewise (`COLLATE "C"` on PostgreSQL, SQLite's default), strings fold ASCII case only, so
/// both backends order and match identically.
pub fn compare_expr(dialect: Dialect, target: &Target) -> String {
    match target {
        Target::Id => "id".into(),
        Target::TimeColumn(col) => (*col).into(),
        Target::Doc(name, kind) => {
            let raw = raw_text(name);
            match (dialect, kind) {
                (Dialect::Postgres, PropertyType::Number) => format!("({raw}::float8)"),
                (Dialect::Sqlite, PropertyType::Number) => format!("CAST({raw} AS REAL)"),
                (Dialect::Postgres, PropertyType::String | PropertyType::Bool) => {
                    format!("lower({raw} COLLATE \"C\")")
                }
                (Dialect::Sqlite, PropertyType::String | PropertyType::Bool) => {
                    format!("lower({raw})")
                }
                (Dialect::Postgres, _) => format!("({raw} COLLATE \"C\")"),
                (Dialect::Sqlite, _) => raw,
            }
        }
    }
}

/// Lower-cased text with a space either side, for token matching with LIKE.
fn token_text(dialect: Dialect, name: &str) -> String {
    let raw = raw_text(name);
    match dialect {
        Dialect::Postgres => format!("(' ' || lower({raw} COLLATE \"C\") || ' ')"),
        Dialect::Sqlite => format!("(' ' || lower({raw}) || ' ')"),
    }
}

fn list(b: &mut Builder, values: &[Operand]) {
    b.push("(");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(v.into());
    }
    b.push(")");
}

fn filter(b: &mut Builder, f: &Filter) {
    let e = compare_expr(b.dialect, &f.target);
    let cmp = |b: &mut Builder, op: &str, v: &Operand| {
        b.push(&format!("{e} {op} ")).bind(v.into());
    };
    match &f.op {
        Op::Eq(v) => cmp(b, "=", v),
        Op::Lt(v) => cmp(b, "<", v),
        Op::Lte(v) => cmp(b, "<=", v),
        Op::Gt(v) => cmp(b, ">", v),
        Op::Gte(v) => cmp(b, ">=", v),
        // Negations also match objects without a value.
        Op::Neq(v) => {
            b.push(&format!("NOT COALESCE({e} = "))
                .bind(v.into())
                .push(", FALSE)");
        }
        Op::Between(lo, hi) => {
            b.push(&format!("{e} BETWEEN "))
                .bind(lo.into())
                .push(" AND ")
                .bind(hi.into());
        }
        Op::In(vs) => {
            b.push(&format!("{e} IN "));
            list(b, vs);
        }
        Op::NotIn(vs) => {
            b.push(&format!("NOT COALESCE({e} IN "));
            list(b, vs);
            b.push(", FALSE)");
        }
        Op::HasProperty | Op::NotHasProperty => {
            let has = matches!(f.op, Op::HasProperty);
            match &f.target {
                Target::Doc(name, _) => {
                    let not = if has { "NOT " } else { "" };
                    b.push(&format!("{} IS {not}NULL", raw_text(name)));
                }
                // Row columns always have a value.
                _ => {
                    b.push(if has { "TRUE" } else { "FALSE" });
                }
            }
        }
        Op::ContainsToken(p) | Op::NotContainsToken(p) => {
            let Target::Doc(name, _) = &f.target else {
                unreachable!("validated: tokens only on document properties")
            };
            let negate = matches!(f.op, Op::NotContainsToken(_));
            if negate {
                b.push("NOT COALESCE(");
            }
            b.push(&format!("{} LIKE ", token_text(b.dialect, name)))
                .bind(Bind::Text(format!("% {p} %")))
                .push(" ESCAPE '\\'");
            if negate {
                b.push(", FALSE)");
            }
        }
    }
}

/// Whether every OR group has an equality (EQ or IN): then the matches are few and each group
/// can be answered from its own index.
fn selective(search: &Search) -> bool {
    !search.groups.is_empty()
        && search
            .groups
            .iter()
            .all(|g| g.iter().any(|f| matches!(f.op, Op::Eq(_) | Op::In(_))))
}

/// Whether the search's page can be read in order from one of the type's `(equality, sort)`
/// indexes: one AND group with an EQ on the index's first property, sorted by its second. Then
/// the planner walks that index within the equal value and stops after the page, reading only
/// the page's rows (W3 at 1M on SQLite: 12 ms fenced, under 1 ms walking the index).
fn walks_sorted_index(search: &Search) -> bool {
    matches!(search.groups.as_slice(), [group] if group_walks_sorted_index(search, group))
}

/// Whether one AND group, in the search's order, is a walk of one of the type's `(equality,
/// sort)` indexes: it has an EQ on the index's first property and the search sorts by its second.
fn group_walks_sorted_index(search: &Search, group: &[Filter]) -> bool {
    let Some(Sort {
        target: Target::Doc(by, _),
        ..
    }) = &search.sort
    else {
        return false;
    };
    search.sorted_indexes.iter().any(|(eq, s)| {
        s == by
            && group
                .iter()
                .any(|f| matches!((&f.target, &f.op), (Target::Doc(n, _), Op::Eq(_)) if n == eq))
    })
}

fn scope_conditions(b: &mut Builder, portal: i64, object_type: &str) {
    // The type name is a registry constant; written as a literal so partial indexes apply.
    b.push("portal_id = ")
        .bind(Bind::Int(portal))
        .push(&format!(
            " AND object_type = '{}' AND archived = FALSE",
            checked(object_type)
        ));
}

/// The WHERE clause shared by the page and the count.
fn conditions(b: &mut Builder, portal: i64, object_type: &str, search: &Search) {
    scope_conditions(b, portal, object_type);
    if unions_groups(b.dialect, search) {
        b.push(" AND id IN (");
        id_lists(b, portal, object_type, search, " UNION ALL ", false);
        b.push(")");
    } else if !search.groups.is_empty() {
        b.push(" AND (");
        for (gi, group) in search.groups.iter().enumerate() {
            if gi > 0 {
                b.push(" OR ");
            }
            b.push("(");
            if group.is_empty() {
                b.push("TRUE");
            }
            for (fi, f) in group.iter().enumerate() {
                if fi > 0 {
                    b.push(" AND ");
                }
                filter(b, f);
            }
            b.push(")");
        }
        b.push(")");
    }
    query_conditions(b, search);
}

/// Whether the groups are read as a union of per-group id lists: several selective groups on
/// SQLite, so each group is answered from its own index (SQLite does not turn such an OR into a
/// multi-index union). PostgreSQL does, with a BitmapOr over the groups' indexes, and there the
/// union form was 5x slower at 1M (85 vs 17 ms for W4's count: a hash of the ids and a lookup
/// per id instead of one bitmap heap scan), so it keeps the plain OR.
fn unions_groups(dialect: Dialect, search: &Search) -> bool {
    dialect == Dialect::Sqlite && search.groups.len() > 1 && selective(search)
}

/// Each group's ids (`SELECT id … WHERE scope AND filters`), joined by `union`; with `terms`
/// each list applies the free-text terms too.
fn id_lists(
    b: &mut Builder,
    portal: i64,
    object_type: &str,
    search: &Search,
    union: &str,
    terms: bool,
) {
    for (gi, group) in search.groups.iter().enumerate() {
        if gi > 0 {
            b.push(union);
        }
        b.push("SELECT id FROM objects WHERE ");
        scope_conditions(b, portal, object_type);
        group_conditions(b, group);
        if terms {
            query_conditions(b, search);
        }
    }
}

/// ` AND` each filter of one group.
fn group_conditions(b: &mut Builder, group: &[Filter]) {
    for f in group {
        b.push(" AND ");
        filter(b, f);
    }
}

/// ` AND` each free-text term: it must prefix-match a token of one of the text properties.
fn query_conditions(b: &mut Builder, search: &Search) {
    for term in &search.query_terms {
        b.push(" AND (");
        for (i, name) in search.text_properties.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            b.push(&format!("{} LIKE ", token_text(b.dialect, name)))
                .bind(Bind::Text(format!("% {term}%")))
                .push(" ESCAPE '\\'");
        }
        if search.text_properties.is_empty() {
            b.push("FALSE");
        }
        b.push(")");
    }
}

/// Rows after the cursor row in (sort value, id) order, where an empty value sorts after every
/// value (PostgreSQL's native NULL order, so one btree serves both directions).
fn keyset(b: &mut Builder, sort: Option<&Sort>, value: Option<&Operand>, id: i64) {
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
    conditions(&mut b, portal, object_type, &search);
    let mut st = b.finish();
    if archived {
        st.sql = st.sql.replacen("archived = FALSE", "archived = TRUE", 1);
    }
    st
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
        page: page(dialect, &at, false),
        count: count.finish(),
        counted: page(dialect, &at, true),
    }
}

/// Only [`Compiled::counted`]: what a search runs first (the other two only for an empty page).
pub fn counted(
    dialect: Dialect,
    portal: i64,
    object_type: &str,
    search: &Search,
    after: &After,
) -> Statement {
    let at = Where {
        portal,
        object_type,
        search,
        after,
    };
    page(dialect, &at, true)
}

/// What one search selects.
struct Where<'a> {
    portal: i64,
    object_type: &'a str,
    search: &'a Search,
    after: &'a After,
}

/// The page query; `with_total` adds the count as an uncorrelated scalar subquery in the select
/// list (column `total`). Both planners run that once, and one statement reads one snapshot, so
/// page and total agree without a transaction around two statements (on PostgreSQL, three
/// fewer round trips per search).
fn page(dialect: Dialect, at: &Where<'_>, with_total: bool) -> Statement {
    let search = at.search;
    let mut page = Builder::new(dialect);
    page.push(&format!("SELECT {COLUMNS}"));
    if with_total {
        page.push(", (");
        count_matches(&mut page, at.portal, at.object_type, search);
        page.push(") AS total");
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
    conditions(&mut page, at.portal, at.object_type, search);
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
fn order_by(b: &mut Builder, sort: Option<&Sort>) {
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

#[path = "compile_merge.rs"]
mod merge;
use merge::{count_matches, merged, merges_sorted_indexes};

#[cfg(test)]
#[path = "compile_tests.rs"]
mod tests;
