//! The property document column: JSONB on PostgreSQL, TEXT holding JSON on SQLite.
//! One SQL type for both lets `schema.rs` and every query be written once.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sqlite::{Sqlite, SqliteValue};
use diesel::{AsExpression, FromSqlRow};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
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

/// A property document as the database returned it, unparsed. Read-only paths (GET, batch read,
/// search pages) take this instead of [`PropsDoc`]: a page that shows only the default
/// properties never parses its documents, and one that shows some parses each once, borrowing
/// names and values from the text instead of building a map.
#[derive(Debug, Clone, FromSqlRow)]
pub struct RawDoc(pub String);

/// A document's entries in stored order, borrowed from its text where no escape was decoded.
pub type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

impl RawDoc {
    /// Every entry. A document that is not an object of strings is an error.
    pub fn pairs(&self) -> serde_json::Result<Pairs<'_>> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        let pairs = de.deserialize_map(PairsVisitor)?;
        de.end()?;
        Ok(pairs)
    }

    /// One value (a full parse: for the odd lookup, not per property).
    pub fn get(&self, name: &str) -> Option<String> {
        let pairs = self.pairs().ok()?;
        pairs
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Pairs<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of string values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some((k, v)) = map.next_entry::<Text, Text>()? {
            out.push((k.0, v.0));
        }
        Ok(out)
    }
}

/// A string borrowed from the input when it holds no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The text of a JSONB value in PostgreSQL's binary form (a version byte, then the text);
/// shared by Diesel's reads and the async driver's.
pub fn jsonb_text(bytes: &[u8]) -> deserialize::Result<String> {
    match bytes.split_first() {
        Some((1, rest)) => Ok(std::str::from_utf8(rest)?.to_owned()),
        _ => Err("unsupported JSONB encoding".into()),
    }
}

impl FromSql<Props, Pg> for RawDoc {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        jsonb_text(value.as_bytes()).map(RawDoc)
    }
}

impl FromSql<Props, Sqlite> for RawDoc {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value).map(RawDoc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_borrow_plain_strings_and_decode_escaped_ones() {
        let doc = RawDoc(r#"{"a":"plain","b\u0041":"x\"y\u00e9","c":""}"#.into());
        let pairs = doc.pairs().unwrap();
        let got: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (&**k, &**v)).collect();
        assert_eq!(got, [("a", "plain"), ("bA", "x\"yé"), ("c", "")]);
        assert!(matches!(pairs[0].1, Cow::Borrowed(_)));
        assert!(matches!(pairs[1].1, Cow::Owned(_)));
        assert_eq!(doc.get("bA").as_deref(), Some("x\"yé"));
        assert_eq!(doc.get("z"), None);
    }

    #[test]
    fn pairs_refuse_what_is_not_an_object_of_strings() {
        for bad in [r#"["a"]"#, r#"{"a":1}"#, r#"{"a":"b"} x"#, r#"{"a":"#] {
            assert!(RawDoc(bad.into()).pairs().is_err(), "{bad}");
        }
    }
}
