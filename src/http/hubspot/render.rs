//! Stored objects as HubSpot's `SimplePublicObject`, serialised straight into the response.
//! Read paths render borrowed views of the stored text: no `serde_json::Value` tree per object
//! and no map per document (building and freeing those was a quarter of a search page's time).

use crate::db::json::{Pairs, PropsDoc};
use crate::engine::store::{History, HistoryRow, ObjectRow, ObjectView};
use crate::engine::types::{ObjectType, DEFAULT_PROPERTIES};
use crate::engine::value::Instant;
use crate::error::ApiError;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Which properties a response carries besides the defaults.
#[derive(Debug, Clone)]
pub enum Wanted {
    /// Only the defaults.
    Defaults,
    /// Every property that has a value (write responses).
    AllSet,
    /// The named ones; unknown names are ignored, known but empty ones are `null`.
    Names(Vec<String>),
}

/// [`Wanted`] resolved against the type once per request: known names, each once, defaults out.
#[derive(Debug)]
pub struct Shown<'a> {
    all_set: bool,
    names: Vec<&'a str>,
}

impl Wanted {
    pub fn resolve<'a>(&'a self, otype: &ObjectType) -> Shown<'a> {
        let names = match self {
            Wanted::Names(names) => {
                let mut seen = HashSet::new();
                names
                    .iter()
                    .map(String::as_str)
                    .filter(|n| {
                        otype.property(n).is_some()
                            && !DEFAULT_PROPERTIES.contains(n)
                            && seen.insert(*n)
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Shown {
            all_set: matches!(self, Wanted::AllSet),
            names,
        }
    }
}

impl Shown<'_> {
    /// Whether rendering reads the document at all.
    fn reads_doc(&self) -> bool {
        self.all_set || !self.names.is_empty()
    }
}

/// An object's properties: parsed (after a write) or borrowed from the stored text (reads).
enum Doc<'a> {
    Parsed(&'a PropsDoc),
    Borrowed(Pairs<'a>),
}

impl Doc<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        match self {
            Doc::Parsed(d) => d.get(name),
            Doc::Borrowed(pairs) => pairs.iter().find(|(k, _)| k == name).map(|(_, v)| &**v),
        }
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
        match self {
            Doc::Parsed(d) => Box::new(
                d.0.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v))),
            ),
            Doc::Borrowed(pairs) => Box::new(pairs.iter().map(|(k, v)| (&**k, &**v))),
        }
    }
}

/// One object ready to serialise.
pub struct Rendered<'a> {
    id: i64,
    created_at: i64,
    updated_at: i64,
    archived: bool,
    archived_at: Option<i64>,
    doc: Doc<'a>,
    shown: &'a Shown<'a>,
    history: Option<(&'a ObjectType, &'a [String], &'a History)>,
}

/// The history asked for, with the type whose properties it may name.
pub type HistoryAsked<'a> = Option<(&'a [String], &'a History)>;

impl<'a> Rendered<'a> {
    /// An object just written (its document is parsed anyway).
    pub fn row(
        otype: &'a ObjectType,
        row: &'a ObjectRow,
        shown: &'a Shown<'a>,
        history: HistoryAsked<'a>,
    ) -> Self {
        Rendered {
            id: row.id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            archived: row.archived,
            archived_at: row.archived_at,
            doc: Doc::Parsed(&row.properties),
            shown,
            history: history.map(|(n, h)| (otype, n, h)),
        }
    }

    /// An object read for display: its document is parsed only if a shown property needs it.
    pub fn view(
        otype: &'a ObjectType,
        view: &'a ObjectView,
        shown: &'a Shown<'a>,
        history: HistoryAsked<'a>,
    ) -> Result<Self, ApiError> {
        let pairs = if shown.reads_doc() {
            view.properties.pairs().map_err(|e| {
                ApiError::Internal(format!("object {}: bad property document: {e}", view.id))
            })?
        } else {
            Vec::new()
        };
        Ok(Rendered {
            id: view.id,
            created_at: view.created_at,
            updated_at: view.updated_at,
            archived: view.archived,
            archived_at: view.archived_at,
            doc: Doc::Borrowed(pairs),
            shown,
            history: history.map(|(n, h)| (otype, n, h)),
        })
    }
}

/// Renders a stored object as a `SimplePublicObject` value (for responses that edit it further).
pub fn render(
    otype: &ObjectType,
    row: &ObjectRow,
    wanted: &Wanted,
    history: HistoryAsked<'_>,
) -> Value {
    let shown = wanted.resolve(otype);
    // Rendering has no failing step (string keys, no custom errors), so this is never Null.
    serde_json::to_value(Rendered::row(otype, row, &shown, history)).unwrap_or(Value::Null)
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Each of these appears twice per object: formatted once.
        let mut id = itoa::Buffer::new();
        let id = id.format(self.id);
        let created = Instant(self.created_at).text();
        let updated = Instant(self.updated_at).text();
        let (created, updated) = (created.as_str(), updated.as_str());
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", id)?;
        m.serialize_entry(
            "properties",
            &Properties {
                r: self,
                id,
                created,
                updated,
            },
        )?;
        m.serialize_entry("createdAt", created)?;
        m.serialize_entry("updatedAt", updated)?;
        m.serialize_entry("archived", &self.archived)?;
        if let Some(at) = self.archived_at {
            m.serialize_entry("archivedAt", &Instant(at))?;
        }
        if let Some((otype, names, hist)) = self.history {
            m.serialize_entry(
                "propertiesWithHistory",
                &WithHistory {
                    otype,
                    id: self.id,
                    names,
                    hist,
                },
            )?;
        }
        m.end()
    }
}

/// The `properties` map, with the object's id and instants already formatted.
struct Properties<'r> {
    r: &'r Rendered<'r>,
    id: &'r str,
    created: &'r str,
    updated: &'r str,
}

impl Serialize for Properties<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let mut m = s.serialize_map(None)?;
        for name in DEFAULT_PROPERTIES {
            let value = match name {
                "hs_object_id" => self.id,
                "hs_createdate" => self.created,
                _ => self.updated,
            };
            m.serialize_entry(name, value)?;
        }
        if r.shown.all_set {
            // Defaults are columns, never document keys; skipping them keeps keys unique.
            for (k, v) in r.doc.entries() {
                if !DEFAULT_PROPERTIES.contains(&k) {
                    m.serialize_entry(k, v)?;
                }
            }
        }
        for name in &r.shown.names {
            m.serialize_entry(name, &r.doc.get(name))?;
        }
        m.end()
    }
}

struct WithHistory<'a> {
    otype: &'a ObjectType,
    id: i64,
    names: &'a [String],
    hist: &'a History,
}

impl Serialize for WithHistory<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let mut seen = HashSet::new();
        for name in self.names {
            if self.otype.property(name).is_none() || !seen.insert(name) {
                continue;
            }
            let rows = self
                .hist
                .get(&(self.id, name.clone()))
                .map_or(&[][..], Vec::as_slice);
            m.serialize_entry(name, &Entries(rows))?;
        }
        m.end()
    }
}

struct Entries<'a>(&'a [HistoryRow]);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for h in self.0 {
            seq.serialize_element(&Entry(h))?;
        }
        seq.end()
    }
}

struct Entry<'a>(&'a HistoryRow);

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", h.value.as_deref().unwrap_or_default())?;
        m.serialize_entry("timestamp", &Instant(h.changed_at))?;
        m.serialize_entry("sourceType", &h.source_type)?;
        if let Some(id) = &h.source_id {
            m.serialize_entry("sourceId", id)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::json::RawDoc;
    use serde_json::json;

    fn stored() -> (ObjectRow, ObjectView) {
        let doc = json!({"hs_goal_name": "Q1 \"big\" \u{e9}\\n", "hs_target_amount": "5000"});
        let text = doc.to_string();
        let row = ObjectRow {
            id: 42,
            portal_id: 1,
            object_type: "goal_targets".into(),
            properties: PropsDoc(doc.as_object().cloned().unwrap_or_default()),
            created_at: 1_700_000_000_123,
            updated_at: 1_700_000_100_456,
            archived: true,
            archived_at: Some(1_700_000_200_789),
        };
        let view = ObjectView {
            id: row.id,
            properties: RawDoc(text),
            created_at: row.created_at,
            updated_at: row.updated_at,
            archived: row.archived,
            archived_at: row.archived_at,
        };
        (row, view)
    }

    #[test]
    fn a_view_renders_exactly_as_its_parsed_row_in_hubspots_key_order() {
        let otype = crate::goals::catalogue::goal_targets();
        let (row, view) = stored();
        let names = [
            "hs_target_amount",
            "hs_object_id",
            "nope",
            "hs_goal_name",
            "hs_target_amount",
            "hs_milestone",
        ];
        let wanted = Wanted::Names(names.iter().map(|n| n.to_string()).collect());
        let shown = wanted.resolve(&otype);
        let from_view =
            serde_json::to_string(&Rendered::view(&otype, &view, &shown, None).unwrap()).unwrap();
        let from_row = serde_json::to_string(&Rendered::row(&otype, &row, &shown, None)).unwrap();
        assert_eq!(from_view, from_row);
        // Defaults first, then each known name once in the order asked; unknown names dropped,
        // known but empty ones null.
        assert_eq!(
            from_view,
            concat!(
                r#"{"id":"42","properties":{"hs_createdate":"2023-11-14T22:13:20.123Z","#,
                r#""hs_lastmodifieddate":"2023-11-14T22:15:00.456Z","hs_object_id":"42","#,
                r#""hs_target_amount":"5000","hs_goal_name":"Q1 \"big\" é\\n","hs_milestone":null},"#,
                r#""createdAt":"2023-11-14T22:13:20.123Z","updatedAt":"2023-11-14T22:15:00.456Z","#,
                r#""archived":true,"archivedAt":"2023-11-14T22:16:40.789Z"}"#
            )
        );
        let all = Wanted::AllSet.resolve(&otype);
        let v = serde_json::to_value(Rendered::view(&otype, &view, &all, None).unwrap()).unwrap();
        assert_eq!(v, render(&otype, &row, &Wanted::AllSet, None));
        assert_eq!(v["properties"]["hs_goal_name"], "Q1 \"big\" é\\n");
    }

    #[test]
    fn a_corrupt_document_is_an_error_only_when_a_property_is_shown() {
        let otype = crate::goals::catalogue::goal_targets();
        let (_, mut view) = stored();
        view.properties = RawDoc(r#"{"hs_goal_name": 7}"#.into());
        let defaults = Wanted::Defaults.resolve(&otype);
        assert!(Rendered::view(&otype, &view, &defaults, None).is_ok());
        let named = Wanted::Names(vec!["hs_goal_name".into()]);
        let shown = named.resolve(&otype);
        assert!(matches!(
            Rendered::view(&otype, &view, &shown, None),
            Err(ApiError::Internal(_))
        ));
    }
}
