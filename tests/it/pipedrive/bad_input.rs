//! Bad Pipedrive input: each a 4xx in Pipedrive's shape that changes nothing.

use super::*;

/// A bad request: method, path, body, token (default: every scope), status, error text.
type Case = (
    Method,
    String,
    Option<Value>,
    Option<String>,
    StatusCode,
    &'static str,
);

/// Every goal row and object, for "nothing changed".
fn state(app: &TestApp) -> (crate::support::Snapshot, i64) {
    use diesel::prelude::*;
    use goalpost::db::schema::pipedrive_goals;
    let mut conn = app.state.pool.get().unwrap();
    let goals: i64 =
        goalpost::db::with_conn!(&mut *conn, c => pipedrive_goals::table.count().get_result(c))
            .unwrap();
    (app.snapshot(), goals)
}

both!(
    bad_input_is_a_pipedrive_error_and_changes_nothing,
    |app: TestApp| async move {
        let id = add_goal(
            &app,
            goal(
                "g",
                json!({"name": "deals_won"}),
                json!({"id": 1, "type": "person"}),
                json!({"target": 3, "tracking_metric": "quantity"}),
            ),
        )
        .await;
        let before = state(&app);
        let valid = goal(
            "g",
            json!({"name": "deals_won"}),
            json!({"id": 1, "type": "person"}),
            json!({"target": 3, "tracking_metric": "quantity"}),
        );
        let without = |field: &str| {
            let mut b = valid.clone();
            b.as_object_mut().unwrap().remove(field);
            b
        };
        let with = |field: &str, v: Value| {
            let mut b = valid.clone();
            b[field] = v;
            b
        };
        let reader = app.token(1, &["goals:read"]);
        let other_portal = app.token(2, &["goals:full"]);
        let cases: Vec<Case> = vec![
            (
                Method::POST,
                GOALS.into(),
                Some(without("assignee")),
                None,
                StatusCode::BAD_REQUEST,
                "assignee is required",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(without("interval")),
                None,
                StatusCode::BAD_REQUEST,
                "interval is required",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(without("duration")),
                None,
                StatusCode::BAD_REQUEST,
                "duration is required",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("interval", json!("daily"))),
                None,
                StatusCode::BAD_REQUEST,
                "interval must be one of",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("type", json!({"name": "deals_lost"}))),
                None,
                StatusCode::BAD_REQUEST,
                "type.name",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("assignee", json!({"id": 1, "type": "robot"}))),
                None,
                StatusCode::BAD_REQUEST,
                "assignee.type",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with(
                    "expected_outcome",
                    json!({"target": 1, "tracking_metric": "sum"}),
                )),
                None,
                StatusCode::BAD_REQUEST,
                "currency_id",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with(
                    "expected_outcome",
                    json!({"target": -1, "tracking_metric": "quantity"}),
                )),
                None,
                StatusCode::BAD_REQUEST,
                "expected_outcome.target",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("duration", json!({"start": "2026-02-30"}))),
                None,
                StatusCode::BAD_REQUEST,
                "duration.start",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("title", json!("x\u{0}y"))),
                None,
                StatusCode::BAD_REQUEST,
                "title",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(with("colour", json!("red"))),
                None,
                StatusCode::BAD_REQUEST,
                "colour",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(json!([1, 2])),
                None,
                StatusCode::BAD_REQUEST,
                "JSON object",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(valid.clone()),
                Some(reader.clone()),
                StatusCode::FORBIDDEN,
                "goals:full",
            ),
            (
                Method::POST,
                GOALS.into(),
                Some(valid.clone()),
                Some("bad-token".into()),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            ),
            (
                Method::PUT,
                format!("{GOALS}/{id}"),
                Some(json!({"duration": {"end": "2025-01-01"}})),
                None,
                StatusCode::BAD_REQUEST,
                "duration.end",
            ),
            (
                Method::PUT,
                format!("{GOALS}/{id}"),
                Some(json!({"title": "x"})),
                Some(reader.clone()),
                StatusCode::FORBIDDEN,
                "goals:full",
            ),
            (
                Method::PUT,
                format!("{GOALS}/{id}"),
                Some(json!({"title": "x"})),
                Some(other_portal.clone()),
                StatusCode::NOT_FOUND,
                "Goal not found",
            ),
            (
                Method::PUT,
                format!("{GOALS}/{}", "0".repeat(32)),
                Some(json!({"title": "x"})),
                None,
                StatusCode::NOT_FOUND,
                "Goal not found",
            ),
            (
                Method::DELETE,
                format!("{GOALS}/'; DROP TABLE objects; --"),
                None,
                None,
                StatusCode::NOT_FOUND,
                "Goal not found",
            ),
            (
                Method::DELETE,
                format!("{GOALS}/{id}"),
                None,
                Some(reader.clone()),
                StatusCode::FORBIDDEN,
                "goals:full",
            ),
            (
                Method::GET,
                format!("{GOALS}/find?period.start=2026-01-01"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "period.end",
            ),
            (
                Method::GET,
                format!("{GOALS}/find?period.end=2026-01-01"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "period.start",
            ),
            (
                Method::GET,
                format!("{GOALS}/find?type.name=nope"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "type.name",
            ),
            (
                Method::GET,
                format!("{GOALS}/{id}/results?period.start=2026-01-01"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "period.end is required",
            ),
            (
                Method::GET,
                format!("{GOALS}/{id}/results?period.start=2025-12-01&period.end=2026-01-31"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "period.start must be on or after",
            ),
            (
                Method::GET,
                format!("{GOALS}/{id}/results?period.start=2026-01-01&period.end=2026-04-01"),
                None,
                None,
                StatusCode::BAD_REQUEST,
                "period.end must be on or before",
            ),
            (
                Method::GET,
                format!(
                    "{GOALS}/{}/results?period.start=2026-01-01&period.end=2026-01-31",
                    "f".repeat(32)
                ),
                None,
                None,
                StatusCode::NOT_FOUND,
                "Goal not found",
            ),
        ];
        for (method, path, body, token, status, message) in cases {
            let token = token.unwrap_or_else(|| crate::support::TOKEN.into());
            let r = app
                .send(
                    method.clone(),
                    &path.replace(' ', "%20"),
                    Some(&token),
                    body,
                )
                .await;
            assert_eq!(r.status, status, "{method} {path}: {}", r.body);
            assert_eq!(r.body["success"], false, "{path}");
            assert_eq!(r.body["data"], Value::Null);
            let error = r.body["error"].as_str().unwrap_or("");
            assert!(
                error.contains(message),
                "{method} {path}: {error:?} lacks {message:?}"
            );
        }
        let r = app.send_raw(Method::POST, GOALS, "{\"title\": ").await;
        assert_eq!(
            (r.status, r.body["success"].clone()),
            (StatusCode::BAD_REQUEST, json!(false))
        );
        assert_eq!(state(&app), before, "bad input changed something");
    }
);
