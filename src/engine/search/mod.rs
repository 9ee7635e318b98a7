//! Filter search: a request is validated against the object type's property definitions into
//! an AST (`ast`), then compiled to one SQL statement with bound values (`compile`), run by
//! `run`. Nothing is filtered in memory. Pure modules: no HTTP, no connections, except `run`.

pub mod ast;
pub mod compile;
pub mod cursor;
pub mod run;
pub mod tally;
pub mod totals;

pub use ast::{Filter, Op, Operand, Search, Sort, Target};
