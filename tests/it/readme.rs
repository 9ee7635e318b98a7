//! The README's examples, run as written against a fresh `goalpost serve`: every `sh` block
//! that talks to the server (in order, as one shell session, each `curl` failing on an HTTP
//! error), then the Python block with HubSpot's client and the JavaScript block with
//! Pipedrive's. Only the address is changed (the server listens on a free port) and
//! `cargo run` becomes the built binary, so a newcomer's first requests cannot drift.

use crate::compat::python;
use crate::support::server::Server;
use crate::support::{Backend, TestDb};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fenced blocks of `lang` in the README, in order.
fn blocks(readme: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(tag)) if tag.trim() == lang => current = Some(String::new()),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(block), None) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn check(what: &str, backend: Backend, out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "README {what} failed on {backend:?}:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn readme_examples(backend: Backend) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let server = Server::start_on(TestDb::new(backend), &[]);
    let host = server.base_url.trim_start_matches("http://").to_owned();
    let here = |code: &str| {
        code.replace("localhost:8080", &host)
            .replace("127.0.0.1:8080", &host)
    };

    let shell: Vec<String> = blocks(&readme, "sh")
        .into_iter()
        .filter(|b| b.contains("localhost:8080"))
        .collect();
    assert!(
        shell.len() >= 3,
        "the README's shell examples were not found"
    );
    let bin = env!("CARGO_BIN_EXE_goalpost");
    let mut script =
        String::from("set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; echo; }\n");
    for block in &shell {
        for line in here(block).lines() {
            // The server already runs; `cargo run -q --` is the built binary.
            if line.trim_start().starts_with("cargo run &") {
                continue;
            }
            script.push_str(&line.replace("cargo run -q --", bin));
            script.push('\n');
        }
    }
    script.push_str("printf '%s' \"$TOKEN\" > \"$TOKEN_FILE\"\n");
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("DATABASE_URL", &server.db.url)
        .env("TOKEN_FILE", &token_file)
        .output()
        .expect("run bash");
    let printed = check("shell examples", backend, out);
    assert!(
        printed.contains("\"hs_goal_name\":\"2027 revenue\""),
        "{printed}"
    );
    let token = std::fs::read_to_string(&token_file).expect("the examples set TOKEN");
    assert!(token.starts_with("gp_"), "{token}");

    let [py] = blocks(&readme, "python")
        .try_into()
        .expect("one Python example");
    let out = Command::new(python())
        .args(["-c", &here(&py)])
        .env("TOKEN", &token)
        .output()
        .expect("run python");
    let printed = check("Python example", backend, out);
    assert!(printed.starts_with("4 slices in family"), "{printed}");

    let compat = root.join("tests/compat/node_modules");
    assert!(
        compat.join("pipedrive").is_dir(),
        "no Pipedrive client: run scripts/test"
    );
    let [js] = blocks(&readme, "js")
        .try_into()
        .expect("one JavaScript example");
    let out = Command::new("node")
        .args(["-e", &here(&js)])
        .env("TOKEN", &token)
        .env("NODE_PATH", Path::new(&compat))
        .output()
        .expect("run node");
    let printed = check("JavaScript example", backend, out);
    assert!(printed.starts_with("goal "), "{printed}");
}

#[test]
fn readme_examples_run_as_written_on_sqlite() {
    readme_examples(Backend::Sqlite);
}

#[test]
fn readme_examples_run_as_written_on_postgres() {
    readme_examples(Backend::Postgres);
}
