//! Building a built-in property catalogue from compact rows, for every object type the server
//! ships (goal targets, deals, activities).

use super::types::{EnumOption, PropertyDef, PropertyType};

use PropertyType::{Bool, Datetime, Enumeration, Number, String as Str};

/// Writable by clients.
pub const W: bool = false;
/// Calculated or system-set: writes are a READ_ONLY_VALUE error.
pub const RO: bool = true;

/// (name, label, type, read-only, enumeration options)
pub type Row = (
    &'static str,
    &'static str,
    PropertyType,
    bool,
    &'static [&'static str],
);

fn field_type(kind: PropertyType) -> &'static str {
    match kind {
        Str => "text",
        Number => "number",
        PropertyType::Date | Datetime => "date",
        Enumeration => "select",
        Bool => "booleancheckbox",
    }
}

fn option(i: usize, label: String, value: &str) -> EnumOption {
    EnumOption {
        label,
        value: value.into(),
        description: String::new(),
        display_order: i as i32,
        hidden: false,
    }
}

/// Definitions of built-in properties from rows; `indexed` names those to keep an expression
/// index for.
pub fn defs(
    group: &str,
    rows: &'static [Row],
    indexed: &'static [&'static str],
) -> impl Iterator<Item = PropertyDef> {
    let group = group.to_owned();
    rows.iter()
        .map(move |&(name, label, kind, read_only, options)| {
            let options = if kind == Bool {
                vec![
                    option(0, "True".into(), "true"),
                    option(1, "False".into(), "false"),
                ]
            } else {
                options
                    .iter()
                    .enumerate()
                    .map(|(i, v)| option(i, v.replace('_', " "), v))
                    .collect()
            };
            PropertyDef {
                name: name.into(),
                label: label.into(),
                kind,
                field_type: field_type(kind).into(),
                group_name: group.clone(),
                description: String::new(),
                options,
                has_unique_value: false,
                read_only_value: read_only,
                hubspot_defined: true,
                indexed: indexed.contains(&name),
                display_order: -1,
                hidden: false,
                form_field: false,
                created_at: None,
                updated_at: None,
                archived_at: None,
            }
        })
}
