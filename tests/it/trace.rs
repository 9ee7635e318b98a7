//! Request ids: every response carries one (`X-HubSpot-Correlation-Id`), an error body names
//! the same one in its API's shape, and the server's log line for the request carries it too.

use crate::both;
use crate::support::http::send;
use crate::support::server::Server;
use crate::support::{Backend, TestApp, TestDb, TOKEN};
use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;

fn header_id(r: &crate::support::Resp) -> String {
    r.headers
        .get("x-hubspot-correlation-id")
        .expect("every response has a request id")
        .to_str()
        .unwrap()
        .to_owned()
}

both!(
    error_bodies_name_the_request_id_of_their_response,
    |app: TestApp| async move {
        let ok = app.get("/crm/v3/objects/goal_targets").await;
        assert_eq!(ok.status, StatusCode::OK);
        let hubspot = app.get("/crm/v3/objects/goal_targets/999999").await;
        assert_eq!(hubspot.status, StatusCode::NOT_FOUND);
        assert_eq!(hubspot.body["correlationId"], json!(header_id(&hubspot)));
        let ids = [header_id(&ok), header_id(&hubspot)];
        assert_ne!(ids[0], ids[1], "each request has its own id");

        // Pipedrive's envelope: a bad body, and an unknown path under its prefix.
        let bad = app.send_raw(Method::POST, "/v1/goals", "[1]").await;
        let unknown = app.get("/api/v1/goals/x/y/z").await;
        for r in [&bad, &unknown] {
            assert!(r.status.is_client_error(), "{:?}", r.status);
            assert_eq!(r.body["success"], json!(false), "{}", r.body);
            assert_eq!(r.body["request_id"], json!(header_id(r)), "{}", r.body);
            assert!(r.body.get("correlationId").is_none(), "{}", r.body);
        }
    }
);

fn log_lines_carry_the_request_id(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut server = Server::start_logging(
        TestDb::new(backend),
        &[("GOALPOST_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
        Stdio::from(log),
    );
    let (status, body) = send(
        &server.base_url,
        "GET",
        "/crm/v3/objects/goal_targets/424242",
        TOKEN,
        None,
        Duration::from_secs(10),
    )
    .expect("request");
    assert_eq!(status, 404, "{body}");
    let id = body["correlationId"]
        .as_str()
        .expect("correlationId")
        .to_owned();
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).is_some());
    let lines: Vec<Value> = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON line: {l}")))
        .collect();
    let ours: Vec<&Value> = lines
        .iter()
        .filter(|l| l["span"]["id"] == json!(id))
        .collect();
    assert!(
        ours.iter().any(|l| l["fields"]["status"] == json!(404)
            && l["fields"]["path"] == json!("/crm/v3/objects/goal_targets/424242")),
        "no request line with id {id}: {lines:#?}"
    );
}

#[test]
fn log_lines_carry_the_request_id_on_sqlite() {
    log_lines_carry_the_request_id(Backend::Sqlite);
}

#[test]
fn log_lines_carry_the_request_id_on_postgres() {
    log_lines_carry_the_request_id(Backend::Postgres);
}
