//! Compiles a validated [`Search`] to SQL text plus bound values, for either dialect. Property
//! names reach the SQL text only after validation against the definitions (and are checked
//! again here to be plain identifiers); every value is a bound parameter.

use super::ast::{Filter, Op, Operand, Search, Sort, Target};
use super::cursor::After;
use crate::db::Dialect;
use crate::engine::types::PropertyType;

mod filters;
mod merge;
mod page;
#[cfg(test)]
mod tests;

pub use filters::or_groups;
use filters::*;
pub use merge::unfiltered;
use merge::{count_matches, merged, merges_sorted_indexes};
pub use page::{compile, counted, first, members, Extra};
use page::{keyset, order_by, Where};

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

/// A [`Statement`] as a boxed Diesel `sql_query` with its values bound, for whichever backend
/// the surrounding `db::with_conn!` arm is: the one place binds meet Diesel.
macro_rules! bound_query {
    ($st:expr) => {{
        use diesel::sql_types::{BigInt, Double, Text};
        use $crate::engine::search::compile::Bind;
        let st: $crate::engine::search::compile::Statement = $st;
        let mut q = diesel::sql_query(st.sql).into_boxed();
        for b in st.binds {
            q = match b {
                Bind::Int(n) => q.bind::<BigInt, _>(n),
                Bind::Num(f) => q.bind::<Double, _>(f),
                Bind::Text(s) => q.bind::<Text, _>(s),
            };
        }
        q
    }};
}
pub(crate) use bound_query;

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

    /// `(v1, v2, …)`, each value bound.
    pub fn list(&mut self, values: impl IntoIterator<Item = Bind>) -> &mut Self {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    pub fn finish(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
        }
    }
}

/// A property name as it may appear in SQL text: lower-case letters, digits, underscores.
pub(crate) fn checked(name: &str) -> &str {
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
        // Association filters compile to their own subqueries (filters.rs) and are never
        // sorted by; their compared value is the object's id.
        Target::Id | Target::Association(_) => "id".into(),
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
pub(super) fn token_text(dialect: Dialect, name: &str) -> String {
    let raw = raw_text(name);
    match dialect {
        Dialect::Postgres => format!("(' ' || lower({raw} COLLATE \"C\") || ' ')"),
        Dialect::Sqlite => format!("(' ' || lower({raw}) || ' ')"),
    }
}
