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

crate::both!(
    archived_and_doubly_named_families_are_refused,
    |app: crate::support::TestApp| async move {
        use crate::quotas::{export, import};
        use actix_web::http::{Method, StatusCode};
        lookups(&app).await;
        let (_, done) = import(&app, &sheet(), "", true).await;
        let family = done["families"][0]["family"].as_str().unwrap().to_owned();
        // Named by id on one row and by goal on another: refused, nothing written twice.
        let both = format!(
        "goal,family,assignee,milestone,period,target\n,{family},ada@example.com,monthly,2027-01,1\n2027 revenue,,ada@example.com,monthly,2027-02,2\n"
    );
        let (_, plan) = import(&app, &both, "", false).await;
        assert!(
            plan["problems"]
                .to_string()
                .contains("both by its id and by its goal name"),
            "{plan}"
        );
        // Without the owners scope an export names owners by id.
        let token = app.token(1, &["goalpost.quotas.read"]);
        let req = actix_web::test::TestRequest::get()
            .uri("/goalpost/v1/exports")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let (status, _, by_id) = app.call_text(req).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !by_id.contains("ada@example.com") && by_id.contains(",7,"),
            "{by_id}"
        );
        assert!(export(&app, "").await.contains("ada@example.com"));
        // An archived family is restored, not written around.
        let r = app
            .send(
                Method::POST,
                &format!("/goalpost/v1/families/{family}/archive"),
                Some(crate::support::TOKEN),
                None,
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        let (_, plan) = import(&app, &sheet(), "", false).await;
        assert!(
            plan["problems"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("is archived"),
            "{plan}"
        );
    }
);
