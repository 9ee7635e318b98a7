//! The property document column: JSONB on PostgreSQL, TEXT holding JSON on SQLite.
//! One SQL type for both lets `schema.rs` and every query be written once.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sqlite::{Sqlite, SqliteValue};
use diesel::{AsExpression, FromSqlRow};
use serde_json::{Map, Value};
use std::io::Write;

/// SQL type of `objects.properties`.
#[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId, Debug, Clone, Copy)]
#[diesel(postgres_type(name = "jsonb"))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Props;

/// A stored property map: property name to its normalised string value. Empty values are
/// absent rather than stored, so "has a value" is "has the key".
#[derive(Debug, Clone, Default, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Props)]
pub struct PropsDoc(pub Map<String, Value>);

impl PropsDoc {
    /// The string value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// Sets (`Some`) or clears (`None`) a value.
    pub fn set(&mut self, name: &str, value: Option<String>) {
        match value {
            Some(v) => {
                self.0.insert(name.to_owned(), Value::String(v));
            }
            None => {
                self.0.remove(name);
            }
        }
    }
}

fn parse(bytes: &[u8]) -> deserialize::Result<PropsDoc> {
    match serde_json::from_slice(bytes)? {
        Value::Object(map) => Ok(PropsDoc(map)),
        _ => Err("properties column holds a non-object JSON value".into()),
    }
}

impl FromSql<Props, Pg> for PropsDoc {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        // JSONB binary format: a version byte (1) then the JSON text.
        match value.as_bytes().split_first() {
            Some((1, rest)) => parse(rest),
            _ => Err("unsupported JSONB encoding".into()),
        }
    }
}

impl ToSql<Props, Pg> for PropsDoc {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(&[1])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl FromSql<Props, Sqlite> for PropsDoc {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        parse(text.as_bytes())
    }
}

impl ToSql<Props, Sqlite> for PropsDoc {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}
