//! Messages name their field's path; the forms Pipedrive's clients send are read.

use super::*;
use serde_json::{json, Map};

fn body(change: Value) -> Map<String, Value> {
    let mut b = json!({
        "title": "Won deals",
        "assignee": {"id": 7, "type": "person"},
        "type": {"name": "deals_won", "params": {"pipeline_id": [1]}},
        "expected_outcome": {"target": 5, "tracking_metric": "quantity"},
        "duration": {"start": "2026-01-01", "end": null},
        "interval": "monthly"
    });
    for (k, v) in change.as_object().unwrap() {
        b[k] = v.clone();
    }
    b.as_object().unwrap().clone()
}

fn problem(change: Value) -> String {
    read(&body(change.clone()))
        .and_then(GoalRequest::into_spec)
        .expect_err(&change.to_string())
}

#[test]
fn every_message_names_the_path_of_its_field() {
    let cases = [
        (
            json!({"assignee": {"id": "x", "type": "person"}}),
            "assignee.id must be a positive whole number, not \"x\"",
        ),
        (
            json!({"assignee": {"id": 1, "type": "person", "x": 1}}),
            "assignee.x: unknown field `x`",
        ),
        (
            json!({"type": {"name": "deals_won", "params": {"pipeline_id": [1, 0]}}}),
            "type.params.pipeline_id must be a positive whole number, not 0",
        ),
        (
            json!({"type": {"name": "deals_won", "params": {"pipeline_id": {}}}}),
            "type.params.pipeline_id must be an array of ids or null",
        ),
        (
            json!({"expected_outcome": {"target": 5, "tracking_metric": "count"}}),
            "expected_outcome.tracking_metric must be one of quantity, sum, not \"count\"",
        ),
        (
            json!({"expected_outcome": {"target": "1e16", "tracking_metric": "quantity"}}),
            "expected_outcome.target must be a number of at least 0",
        ),
        (
            json!({"duration": {"start": 20260101}}),
            "duration.start: invalid type: integer",
        ),
        (
            json!({"title": "a\u{0}b"}),
            "title must be at most 255 characters, without NUL",
        ),
        (
            json!({"title": "x".repeat(256)}),
            "title must be at most 255 characters",
        ),
        (json!({"title": 5}), "title: invalid type: integer"),
        (json!({"interval": null}), "interval is required"),
        (json!({"colour": 1}), "colour: unknown field `colour`"),
        (
            json!({"type": {"name": "deals_won", "params": [null, null]}}),
            "type.params must be an object",
        ),
        (
            json!({"assignee": [1, "person"]}),
            "assignee must be an object",
        ),
    ];
    for (change, want) in cases {
        let got = problem(change.clone());
        assert!(got.starts_with(want), "{change}: {got}");
    }
}

#[test]
fn flexible_forms_pipedrive_clients_send_are_read() {
    let spec = read(&body(json!({
        "assignee": {"id": "7", "type": "user"},
        "type": {"name": "deals_won", "params": {"pipeline_id": "3"}},
        "expected_outcome": {"target": "12.5", "tracking_metric": "quantity"}
    })))
    .and_then(GoalRequest::into_spec)
    .unwrap();
    assert_eq!(
        (spec.assignee_id, spec.assignee_kind),
        (7, AssigneeKind::Person)
    );
    assert_eq!(spec.pipeline_ids, Some(vec![3]));
    assert_eq!(spec.target, 12.5);
    let spec = read(&body(
        json!({"type": {"name": "deals_won", "params": {"pipeline_id": null}}}),
    ))
    .and_then(GoalRequest::into_spec)
    .unwrap();
    assert_eq!(spec.pipeline_ids, None);
}
