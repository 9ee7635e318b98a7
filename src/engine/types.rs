//! Object types and typed property definitions: the data that makes an object type.

use serde::Serialize;

/// The type of a property's value (HubSpot's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PropertyType {
    String,
    Number,
    Date,
    Datetime,
    Enumeration,
    Bool,
}

impl PropertyType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => PropertyType::String,
            "number" => PropertyType::Number,
            "date" => PropertyType::Date,
            "datetime" => PropertyType::Datetime,
            "enumeration" => PropertyType::Enumeration,
            "bool" => PropertyType::Bool,
            _ => return None,
        })
    }

    /// The field types HubSpot allows for this type.
    pub fn field_types(self) -> &'static [&'static str] {
        match self {
            PropertyType::Bool => &["booleancheckbox", "calculation_equation"],
            PropertyType::Enumeration => &[
                "booleancheckbox",
                "checkbox",
                "radio",
                "select",
                "calculation_equation",
            ],
            PropertyType::Date | PropertyType::Datetime => &["date"],
            PropertyType::String => &[
                "file",
                "text",
                "textarea",
                "calculation_equation",
                "html",
                "phonenumber",
            ],
            PropertyType::Number => &["number", "calculation_equation"],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::Number => "number",
            PropertyType::Date => "date",
            PropertyType::Datetime => "datetime",
            PropertyType::Enumeration => "enumeration",
            PropertyType::Bool => "bool",
        }
    }
}

/// One option of an enumeration property.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumOption {
    pub label: String,
    pub value: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub display_order: i32,
    #[serde(default)]
    pub hidden: bool,
}

/// A property definition.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDef {
    pub name: String,
    pub label: String,
    pub kind: PropertyType,
    pub field_type: String,
    pub group_name: String,
    pub description: String,
    pub options: Vec<EnumOption>,
    pub has_unique_value: bool,
    /// Clients may not write the value (`modificationMetadata.readOnlyValue`).
    pub read_only_value: bool,
    pub hubspot_defined: bool,
    /// Searches on it are common: an expression index is kept for it.
    pub indexed: bool,
    pub display_order: i32,
    pub hidden: bool,
    pub form_field: bool,
    /// Custom definitions: when they were made and changed (epoch ms).
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub archived_at: Option<i64>,
}

/// Where a property's value lives: the row's own columns, or the property document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// `objects.id`
    Id,
    /// `objects.created_at`
    CreatedAt,
    /// `objects.updated_at`
    UpdatedAt,
    /// A key of `objects.properties`.
    Document,
}

/// The properties every object has, backed by row columns.
pub const DEFAULT_PROPERTIES: [&str; 3] = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"];

impl PropertyDef {
    pub fn storage(&self) -> Storage {
        match self.name.as_str() {
            "hs_object_id" => Storage::Id,
            "hs_createdate" => Storage::CreatedAt,
            "hs_lastmodifieddate" => Storage::UpdatedAt,
            _ => Storage::Document,
        }
    }
}

/// An object type: its names, scopes and property catalogue (built-in definitions, plus a
/// portal's custom ones in the per-portal copy a request works with).
#[derive(Debug, Clone)]
pub struct ObjectType {
    /// Path name, e.g. `goal_targets`.
    pub name: &'static str,
    /// HubSpot object type id, e.g. `0-74`; accepted in paths too.
    pub type_id: &'static str,
    /// Singular noun used in messages.
    pub noun: &'static str,
    pub read_scopes: &'static [&'static str],
    pub write_scopes: &'static [&'static str],
    /// Scopes to read and to change property definitions.
    pub schema_read_scopes: &'static [&'static str],
    pub schema_write_scopes: &'static [&'static str],
    /// Properties whose tokens the search `query` matches.
    pub text_properties: &'static [&'static str],
    /// Two-property indexes `(equality, sort)` for the type's common "one owner, in date order"
    /// searches: a search with an EQ on the first, sorted by the second, reads its page straight
    /// from the index in order instead of fetching and sorting every match.
    pub sorted_indexes: &'static [SortedIndex],
    pub properties: Vec<PropertyDef>,
    /// A datetime property that, when a write sets it, dates that write's history entries
    /// (deals: `update_time`, so imported stage changes keep their real times).
    pub event_time_property: Option<&'static str>,
    /// Invariants checked on every write (goal_targets: the goal-family rules).
    pub rules: Option<std::sync::Arc<dyn super::rules::Rules>>,
    /// Fills in synonym properties from a write's changes (and the state before it).
    pub derive: Option<Derive>,
    /// Work a write of this type sets off on other objects (attached by the crate root).
    pub reactions: Option<std::sync::Arc<dyn super::rules::Reactions>>,
}

/// See [`ObjectType::derive`]: `(state before, changes to extend, now)`.
pub type Derive = fn(Option<&crate::db::json::PropsDoc>, &mut super::objects::Changes, i64);

/// `(equality property, sort property)`, see [`ObjectType::sorted_indexes`].
pub type SortedIndex = (&'static str, &'static str);

impl ObjectType {
    pub fn property(&self, name: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// This type with a portal's custom definitions added.
    pub fn with_custom(&self, custom: Vec<PropertyDef>) -> ObjectType {
        let mut t = self.clone();
        t.properties.extend(custom);
        t
    }
}
