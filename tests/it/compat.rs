//! Compatibility: HubSpot's official Python and Node clients and Pipedrive's official Node client
//! against
//! a real `goalpost serve`.

use crate::support::server::Server;
use crate::support::{Backend, TOKEN};
use std::path::PathBuf;
use std::process::Command;

/// The Python with `hubspot-api-client` installed: `GOALPOST_PYTHON`, or the project's `.venv`
/// that `scripts/test` creates.
pub(crate) fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("GOALPOST_PYTHON") {
        return p.into();
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        venv.is_file(),
        "no Python with hubspot-api-client: run scripts/test (it creates .venv) or set GOALPOST_PYTHON"
    );
    venv
}

fn run_script(backend: Backend, script: &str) {
    let server = Server::start(backend);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(script);
    let out = Command::new(python())
        .arg(&path)
        .args([&server.base_url, TOKEN])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{script} failed on {backend:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hubspot_python_client_basic_and_batch_on_sqlite() {
    run_script(Backend::Sqlite, "hubspot_goals.py");
}

#[test]
fn hubspot_python_client_basic_and_batch_on_postgres() {
    run_script(Backend::Postgres, "hubspot_goals.py");
}

#[test]
fn hubspot_python_client_search_on_sqlite() {
    run_script(Backend::Sqlite, "hubspot_search.py");
}

#[test]
fn hubspot_python_client_search_on_postgres() {
    run_script(Backend::Postgres, "hubspot_search.py");
}

#[test]
fn hubspot_python_client_properties_on_sqlite() {
    run_script(Backend::Sqlite, "hubspot_properties.py");
}

#[test]
fn hubspot_python_client_properties_on_postgres() {
    run_script(Backend::Postgres, "hubspot_properties.py");
}

/// Runs a Node script of `tests/compat` with its pinned client (`pipedrive`'s v1 GoalsApi, or
/// `@hubspot/api-client`).
fn run_node(backend: Backend, script: &str, package: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    assert!(
        dir.join("node_modules").join(package).is_dir(),
        "no {package}: run scripts/test (it runs npm ci in tests/compat)"
    );
    let server = Server::start(backend);
    let out = Command::new("node")
        .arg(dir.join(script))
        .args([&server.base_url, TOKEN])
        .current_dir(&dir)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{script} failed on {backend:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pipedrive_node_client_goals_on_sqlite() {
    run_node(Backend::Sqlite, "pipedrive_goals.js", "pipedrive");
}

#[test]
fn pipedrive_node_client_goals_on_postgres() {
    run_node(Backend::Postgres, "pipedrive_goals.js", "pipedrive");
}

#[test]
fn hubspot_node_client_every_version_on_sqlite() {
    run_node(Backend::Sqlite, "hubspot_node.js", "@hubspot/api-client");
}

#[test]
fn hubspot_node_client_every_version_on_postgres() {
    run_node(Backend::Postgres, "hubspot_node.js", "@hubspot/api-client");
}
