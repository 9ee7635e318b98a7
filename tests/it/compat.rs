//! Compatibility: HubSpot's official Python and Node clients and Pipedrive's official Node client
//! against
//! a real `goalpost serve`.

use crate::support::server::Server;
use crate::support::{Backend, TestDb, TOKEN};
use std::path::{Path, PathBuf};
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

#[test]
fn hubspot_python_client_owners_on_sqlite() {
    run_script(Backend::Sqlite, "hubspot_owners.py");
}

#[test]
fn hubspot_python_client_owners_on_postgres() {
    run_script(Backend::Postgres, "hubspot_owners.py");
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

/// The README's pytest and Jest set-ups (`tests/compat/pytest`, `tests/compat/jest`), shown
/// there verbatim, run as a suite would run them: they start the built binary in test mode on
/// a free port themselves and make a portal per test.
fn run_suite(backend: Backend, program: &Path, args: &[&str]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    let db = TestDb::new(backend);
    let out = Command::new(program)
        .args(args)
        .current_dir(&dir)
        .env("GOALPOST_BIN", env!("CARGO_BIN_EXE_goalpost"))
        .env("DATABASE_URL", &db.url)
        .output()
        .expect("run the suite");
    assert!(
        out.status.success(),
        "{args:?} failed on {backend:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pytest(backend: Backend) {
    run_suite(
        backend,
        &python(),
        &["-m", "pytest", "-q", "-p", "no:cacheprovider", "pytest"],
    );
}

fn jest(backend: Backend) {
    let jest =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compat/node_modules/.bin/jest");
    assert!(
        jest.is_file(),
        "no jest: run scripts/test (it runs npm ci in tests/compat)"
    );
    run_suite(backend, &jest, &["--rootDir", "jest", "--ci"]);
}

#[test]
fn readme_pytest_setup_with_hubspots_python_client_on_sqlite() {
    pytest(Backend::Sqlite);
}

#[test]
fn readme_pytest_setup_with_hubspots_python_client_on_postgres() {
    pytest(Backend::Postgres);
}

#[test]
fn readme_jest_setup_with_hubspots_and_pipedrives_node_clients_on_sqlite() {
    jest(Backend::Sqlite);
}

#[test]
fn readme_jest_setup_with_hubspots_and_pipedrives_node_clients_on_postgres() {
    jest(Backend::Postgres);
}

/// Each set-up file appears in the README exactly, in a block fenced with its path
/// (```python title=tests/compat/pytest/conftest.py).
#[test]
fn the_readme_shows_the_suite_setups_as_they_run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for (lang, file) in [
        ("python", "tests/compat/pytest/conftest.py"),
        ("python", "tests/compat/pytest/test_goals.py"),
        ("js", "tests/compat/jest/goalpost.js"),
        ("js", "tests/compat/jest/goals.test.js"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let fenced = format!("```{lang} title={file}\n{text}```\n");
        assert!(
            readme.contains(&fenced),
            "README does not show {file} as it is"
        );
    }
}
