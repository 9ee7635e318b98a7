//! A file larger than one batch: the import streams it through its spool a batch of whole
//! families at a time, Ctrl-C stops it between families with only whole families written, a
//! re-run finishes the rest, and the export of it streams back out.

use super::targets;
use crate::support::{TestApp, TOKEN};
use actix_web::test;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// More families than the import plans in one batch (500), in file order.
const FAMILIES: usize = 1500;

/// Monthly targets for `FAMILIES` goals, each family's rows spread through the file (month
/// by month), so the spool has to gather them.
fn big_sheet() -> String {
    let mut out = String::from("goal,assignee,period,target\n");
    for month in 1..=12 {
        for g in 0..FAMILIES {
            out += &format!("Goal {g},{},2027-{month:02},{}\n", 1 + g % 40, 100 + g);
        }
    }
    out
}

crate::both!(
    ctrl_c_stops_between_families_and_a_rerun_finishes,
    |app: TestApp| async move {
        let url = app.state.config.database_url.clone();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("quotas.csv");
        std::fs::write(&file, big_sheet()).unwrap();
        let path = file.to_str().unwrap().to_owned();
        let run = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_goalpost"))
                .args(args)
                .env("DATABASE_URL", &url)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run goalpost")
        };
        let mut child = run(&["import", &path, "--apply"]);
        // Once the writing has started (its progress line), Ctrl-C.
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = Vec::new();
        for line in stderr.lines() {
            let line = line.unwrap();
            let writing = line.starts_with("import writing:");
            seen.push(line);
            if writing {
                break;
            }
        }
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!out.status.success(), "{stdout}{seen:?}");
        let at = stdout.find("interrupted after ").expect(&stdout);
        let words: Vec<&str> = stdout[at..].split([' ', '(']).collect();
        let (done, of, written): (usize, usize, usize) = (
            words[2].parse().unwrap(),
            words[4].parse().unwrap(),
            words[7].parse().unwrap(),
        );
        assert_eq!(of, FAMILIES, "{stdout}");
        assert!(done > 0 && done < FAMILIES, "{stdout}");
        // Whole families only: twelve slices each, as many as the database holds.
        assert_eq!(written, done * 12, "{stdout}");
        assert_eq!(targets(&app).await as usize, written);

        let again = run(&["import", &path, "--apply"])
            .wait_with_output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&again.stdout).into_owned();
        assert!(again.status.success(), "{stdout}");
        let rest = (FAMILIES - done) * 12;
        assert!(
            stdout.contains(&format!(
                "slices: {rest} to create, 0 to change, {written} unchanged"
            )),
            "{stdout}"
        );
        assert!(
            stdout.ends_with(&format!("applied: {rest} slices written\n")),
            "{stdout}"
        );
        assert_eq!(targets(&app).await as usize, FAMILIES * 12);

        // The export streams (no length up front) and imports back unchanged.
        let req = test::TestRequest::get()
            .uri("/goalpost/v1/exports?layout=rows")
            .insert_header(("Authorization", format!("Bearer {TOKEN}")))
            .to_request();
        let (status, streamed, body) = app.call_streamed(req).await;
        assert!(status.is_success() && streamed, "{status} {streamed}");
        assert_eq!(body.lines().count(), 1 + FAMILIES * 12);
        std::fs::write(&file, body).unwrap();
        let back = run(&["import", &path]).wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&back.stdout).into_owned();
        assert!(
            stdout.contains(&format!(
                "slices: 0 to create, 0 to change, {} unchanged",
                FAMILIES * 12
            )),
            "{stdout}"
        );
    }
);
