//! `goalpost import` and `goalpost export` as an admin runs them: the plan printed, --apply,
//! export to a file that imports back unchanged, and a file over the size limit refused.

use super::{lookups, sheet};
use crate::support::{Backend, TestApp};
use std::process::Command;

fn goalpost(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_goalpost"))
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run goalpost");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn round_trip(backend: Backend) {
    let app = TestApp::start(backend).await;
    lookups(&app).await;
    let url = &app.state.config.database_url;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quotas.csv");
    std::fs::write(&file, sheet()).unwrap();
    let path = file.to_str().unwrap();
    let (ok, plan, err) = goalpost(url, &["import", path]);
    assert!(ok, "{plan}{err}");
    assert!(plan.starts_with("24 rows (rows layout): 1 family (1 new), 2 groups to create; slices: 24 to create, 0 to change, 0 unchanged; 0 lines refused\n"), "{plan}");
    assert!(
        plan.ends_with("dry run: nothing written (add --apply to write the plan)\n"),
        "{plan}"
    );
    let (ok, applied, err) = goalpost(url, &["import", path, "--apply"]);
    assert!(
        ok && applied.ends_with("applied: 24 slices written\n"),
        "{applied}{err}"
    );
    let out = dir.path().join("grid.csv");
    let (ok, _, err) = goalpost(
        url,
        &[
            "export",
            "--layout",
            "grid",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok && err.contains("export: 24 slices"), "{err}");
    let (ok, again, err) = goalpost(url, &["import", out.to_str().unwrap(), "--apply"]);
    assert!(ok, "{again}{err}");
    assert!(
        again.contains("slices: 0 to create, 0 to change, 24 unchanged"),
        "{again}"
    );
    // Bad rows: the plan names them, and the command fails.
    std::fs::write(&file, "goal,assignee,period,target\nG,7,2027-13,5\n").unwrap();
    let (ok, plan, _) = goalpost(url, &["import", path]);
    assert!(
        !ok && plan.contains("  line 2: period \"2027-13\""),
        "{plan}"
    );
    // Over the size limit: refused before reading.
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    let (ok, _, err) = goalpost(url, &["import", big.to_str().unwrap()]);
    assert!(!ok && err.contains("over the limit"), "{err}");
}

#[actix_web::test]
async fn the_command_line_round_trip_on_sqlite() {
    round_trip(Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_command_line_round_trip_on_postgres() {
    round_trip(Backend::Postgres).await;
}
