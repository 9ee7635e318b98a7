//! Injection probes: hostile strings everywhere a client can put them are 4xx or stored verbatim, and leak nothing.

use super::*;

/// Strings an attacker would try on a SQL-backed API.
const HOSTILE: &[&str] = &[
    "' OR '1'='1",
    "x'); DROP TABLE objects; --",
    "\" OR 1=1 --",
    "hs_goal_name') IS NOT NULL OR ('a'='a",
    "properties ->> 'hs_goal_name'",
    "$1",
    "?",
    "%' OR '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "../../etc/passwd",
    "\u{202e}gnp.exe",
];

/// Texts that would mean a database error leaked into a response.
const LEAKS: &[&str] = &[
    "syntax error",
    "SQLSTATE",
    "sqlite",
    "postgres",
    "near \"",
    "diesel",
    "panicked",
];

both!(
    injection_probes_are_4xx_and_change_nothing,
    |app: TestApp| async move {
        app.set_mode("lenient");
        let base = "/crm/v3/objects/goal_targets";
        let made = app
            .post(
                base,
                json!({"properties": {"hs_goal_name": "probe target"}}),
            )
            .await;
        let id = made.body["id"].as_str().unwrap().to_owned();
        let before = app.snapshot();
        let mut probes = 0;
        for h in HOSTILE {
            let e = urlencode(h);
            let requests: Vec<(Method, String, Option<Value>, bool)> = vec![
                // (method, path, body, must be 4xx)
                (
                    Method::POST,
                    base.into(),
                    Some(json!({"properties": {*h: "x"}})),
                    true,
                ),
                (
                    Method::PATCH,
                    format!("{base}/{id}"),
                    Some(json!({"properties": {*h: "x"}})),
                    true,
                ),
                (
                    Method::POST,
                    format!("{base}/search"),
                    Some(
                        json!({"filterGroups": [{"filters": [{"propertyName": h, "operator": "EQ", "value": "x"}]}]}),
                    ),
                    true,
                ),
                (
                    Method::POST,
                    format!("{base}/search"),
                    Some(json!({"sorts": [h]})),
                    true,
                ),
                (
                    Method::POST,
                    format!("{base}/search"),
                    Some(json!({"after": h})),
                    true,
                ),
                (
                    Method::GET,
                    format!("{base}/{id}?idProperty={e}"),
                    None,
                    true,
                ),
                (Method::GET, format!("{base}/{e}"), None, true),
                (Method::DELETE, format!("/v1/goals/{e}"), None, true),
                (
                    Method::GET,
                    format!("/goalpost/v1/families/{e}"),
                    None,
                    true,
                ),
                (
                    Method::GET,
                    format!("/crm/v3/properties/goal_targets/{e}"),
                    None,
                    true,
                ),
                // Values are bound parameters: a hostile value finds nothing and is not an error.
                (
                    Method::POST,
                    format!("{base}/search"),
                    Some(
                        json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_name", "operator": "EQ", "value": h}]}]}),
                    ),
                    false,
                ),
                (
                    Method::POST,
                    format!("{base}/search"),
                    Some(
                        json!({"filterGroups": [{"filters": [{"propertyName": "hs_goal_name", "operator": "CONTAINS_TOKEN", "value": h}]}]}),
                    ),
                    false,
                ),
                (Method::GET, format!("{base}?properties={e}"), None, false),
            ];
            for (method, path, body, must_fail) in requests {
                let r = app.send(method.clone(), &path, Some(TOKEN), body).await;
                let text = r.body.to_string();
                probes += 1;
                assert!(
                    r.status.as_u16() < 500,
                    "{method} {path}: {} {text}",
                    r.status
                );
                if must_fail {
                    assert!(
                        r.status.is_client_error(),
                        "{method} {path}: {} {text}",
                        r.status
                    );
                } else if path.ends_with("/search") {
                    assert_eq!(r.body["total"], 0, "{method} {path} matched: {text}");
                }
                for leak in LEAKS {
                    assert!(
                        !text.to_lowercase().contains(&leak.to_lowercase()),
                        "{method} {path} leaked {leak:?}: {text}"
                    );
                }
            }
        }
        assert_eq!(app.snapshot(), before, "a probe changed data");
        assert!(probes >= 100);
    }
);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
