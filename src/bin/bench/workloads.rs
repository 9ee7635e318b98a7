//! The searches of W2-W4, as engine ASTs (for the raw-database side) and as request bodies.

use super::*;

pub fn w2(family: &str) -> Search {
    Search {
        groups: vec![vec![Filter {
            target: Target::Doc("hs_group_correlation_uuid".into(), P::String),
            op: Op::Eq(Operand::Text(family.to_ascii_lowercase())),
        }]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: None,
        limit: 100,
    }
}

pub fn w3(owner: u32) -> Search {
    Search {
        groups: vec![vec![
            Filter {
                target: Target::Doc("hubspot_owner_id".into(), P::Number),
                op: Op::Eq(Operand::Num(owner as f64)),
            },
            Filter {
                target: Target::Doc("hs_start_datetime".into(), P::Datetime),
                op: Op::Between(
                    Operand::Text("2025-01-01T00:00:00.000Z".into()),
                    Operand::Text("2026-12-31T23:59:59.999Z".into()),
                ),
            },
        ]],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: Some(Sort {
            target: Target::Doc("hs_start_datetime".into(), P::Datetime),
            descending: false,
        }),
        limit: 100,
    }
}

pub fn w4(owner: u32) -> Search {
    Search {
        groups: vec![
            vec![
                Filter {
                    target: Target::Doc("hubspot_owner_id".into(), P::Number),
                    op: Op::Eq(Operand::Num(owner as f64)),
                },
                Filter {
                    target: Target::Doc("hs_target_amount".into(), P::Number),
                    op: Op::Gt(Operand::Num(50_000.0)),
                },
            ],
            vec![Filter {
                target: Target::Doc("hs_milestone".into(), P::Enumeration),
                op: Op::Eq(Operand::Text("yearly".into())),
            }],
        ],
        query_terms: vec![],
        text_properties: vec![],
        sorted_indexes: *SORTED,
        sort: Some(Sort {
            target: Target::Doc("hs_target_amount".into(), P::Number),
            descending: true,
        }),
        limit: 100,
    }
}

pub fn w2_body(f: &str) -> String {
    json!({"filterGroups": [{"filters": [{"propertyName": "hs_group_correlation_uuid", "operator": "EQ", "value": f}]}], "limit": 100}).to_string()
}
pub fn w3_body(owner: u32) -> String {
    json!({"filterGroups": [{"filters": [
        {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": owner.to_string()},
        {"propertyName": "hs_start_datetime", "operator": "BETWEEN", "value": "2025-01-01T00:00:00.000Z", "highValue": "2026-12-31T23:59:59.999Z"}]}],
        "sorts": ["hs_start_datetime"], "limit": 100}).to_string()
}
pub fn w4_body(owner: u32) -> String {
    json!({"filterGroups": [
        {"filters": [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": owner.to_string()},
                     {"propertyName": "hs_target_amount", "operator": "GT", "value": "50000"}]},
        {"filters": [{"propertyName": "hs_milestone", "operator": "EQ", "value": "yearly"}]}],
        "sorts": [{"propertyName": "hs_target_amount", "direction": "DESCENDING"}], "limit": 100}).to_string()
}

pub const W1_PROPS: &str =
    "properties=hs_goal_name,hs_target_amount,hs_start_datetime,hs_end_datetime,hubspot_owner_id";
