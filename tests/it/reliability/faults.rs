//! Database faults: PostgreSQL going away and coming back, a read-only SQLite file, a full disk.

use super::*;

/// PostgreSQL stopped under load: 503s in each API's shape within a bounded time, never a 500
/// or a hang, `/health` 503; started again: goalpost recovers without a restart.
#[test]
fn postgres_going_away_is_a_503_and_coming_back_recovers() {
    let cluster = crate::support::pg::own_cluster();
    let admin = cluster.url_template.replace("{db}", "postgres");
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::PgConnection::establish(&admin).expect("own cluster");
        c.batch_execute("CREATE DATABASE goalpost_fault").unwrap();
    }
    let url = cluster.url_template.replace("{db}", "goalpost_fault");
    let server = Server::start_on(TestDb::at(url), &[("GOALPOST_POOL_SIZE", "4")]);
    let base = server.base_url.clone();
    let get = |path: &str| send(&base, "GET", path, TOKEN, None, Duration::from_secs(30));
    let create = |name: &str| {
        let uuid = uuid::Uuid::new_v4().to_string();
        send(
            &base,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            Some(&family_body(&uuid, name)),
            Duration::from_secs(30),
        )
    };
    assert_eq!(create("before").unwrap().0, 201);
    assert_eq!(get("/health").unwrap().0, 200);

    cluster.stop();
    let mut worst = Duration::ZERO;
    for round in 0..3 {
        for path in [
            "/crm/v3/objects/goal_targets?limit=5",
            "/v1/goals/find",
            "/health",
        ] {
            let started = Instant::now();
            let (status, body) = get(path).unwrap();
            worst = worst.max(started.elapsed());
            assert_eq!(status, 503, "round {round} {path}: {body}");
            if path.starts_with("/crm") {
                assert_eq!(body["category"], "SERVICE_UNAVAILABLE", "{body}");
            } else if path.starts_with("/v1") {
                assert_eq!(body["success"], false, "{body}");
            }
        }
        let (status, body) = create("during").unwrap();
        assert_eq!(status, 503, "{body}");
    }
    assert!(
        worst < Duration::from_secs(15),
        "a request waited {worst:?}"
    );

    cluster.start();
    let back = Instant::now();
    loop {
        if matches!(get("/health"), Ok((200, _))) && matches!(create("after"), Ok((201, _))) {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "goalpost did not recover"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, body) = get("/crm/v3/objects/goal_targets?limit=100").unwrap();
    assert_eq!(status, 200);
    let names: std::collections::BTreeSet<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["properties"]["hs_goal_name"].as_str().unwrap_or(""))
        .collect();
    assert!(
        !names.contains("during"),
        "a write refused with 503 was stored"
    );
    eprintln!(
        "postgres fault: slowest 503 {worst:?}, recovered {:?} after restart",
        back.elapsed()
    );
}

/// The SQLite database opened read-only (a read-only disk): reads work, writes are a clear 503,
/// and the database is intact afterwards.
#[test]
fn sqlite_read_only_database_refuses_writes_clearly() {
    let server = Server::start(Backend::Sqlite);
    assert_eq!(
        send(
            &server.base_url,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            Some(&family_body("ro-family", "kept")),
            TIMEOUT
        )
        .unwrap()
        .0,
        201
    );
    let db = server.into_db();
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let ro = Server::start_on(
        TestDb::at(format!("sqlite://file:{path}?mode=ro")),
        &[("GOALPOST_BOOTSTRAP_TOKEN", "")],
    );
    let before = std::fs::read(&path).unwrap();
    let (status, body) = send(
        &ro.base_url,
        "GET",
        "/goalpost/v1/families/ro-family",
        TOKEN,
        None,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    for (method, path, body) in [
        (
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            Some(family_body("ro-2", "new")),
        ),
        ("POST", "/goalpost/v1/families/ro-family/archive", None),
    ] {
        let (status, resp) =
            send(&ro.base_url, method, path, TOKEN, body.as_ref(), TIMEOUT).unwrap();
        assert_eq!(status, 503, "{path}: {resp}");
        assert!(
            resp["message"].as_str().unwrap().contains("read-only"),
            "{resp}"
        );
    }
    drop(ro);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the read-only server changed the file"
    );
    let server = Server::start_on(db, &[]);
    assert_eq!(slices(&server.base_url, "ro-family", false).len(), 12);
}

/// Unmounts the small file system of the full-disk test.
struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// The SQLite database on a full disk: writes fail with a clear 503 (never a 500), reads keep
/// working, every acknowledged family is complete and the database passes integrity_check.
#[test]
fn sqlite_full_disk_is_a_clear_503_and_the_database_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "*** full-disk test NOT RUN: this machine does not let the test mount a small tmpfs"
        );
        return;
    }
    let _mount = Mount(dir.path().to_owned());
    let url = format!("sqlite://{}/full.db", dir.path().display());
    let server = Server::start_on(TestDb::at(url.clone()), &[]);
    let mut known = Vec::new();
    let mut full_at = None;
    for i in 0..2000 {
        let uuid = format!("full-{i}");
        let (status, body) = send(
            &server.base_url,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            Some(&family_body(&uuid, &format!("n{i}"))),
            TIMEOUT,
        )
        .unwrap();
        match status {
            201 => known.push(Known {
                uuid,
                created: true,
                name: format!("n{i}"),
                ..Known::default()
            }),
            503 => {
                assert!(body["message"].as_str().unwrap().contains("full"), "{body}");
                full_at = Some(i);
                break;
            }
            other => panic!("family {i}: {other} {body}"),
        }
    }
    let full_at = full_at.expect("the disk never filled");
    // Reads still answer; a second write is refused the same way.
    assert_eq!(
        send(
            &server.base_url,
            "GET",
            "/crm/v3/objects/goal_targets?limit=3",
            TOKEN,
            None,
            TIMEOUT
        )
        .unwrap()
        .0,
        200
    );
    assert_eq!(
        send(
            &server.base_url,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            Some(&family_body("one-more", "x")),
            TIMEOUT
        )
        .unwrap()
        .0,
        503
    );
    verify(&server.base_url, &known);
    drop(server);
    let mut conn = goalpost::db::connect(&url).unwrap();
    let check: String = goalpost::db::with_conn!(&mut conn, c => {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct R {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        diesel::sql_query("PRAGMA integrity_check").get_result::<R>(c).map(|r| r.integrity_check)
    })
    .unwrap();
    assert_eq!(check, "ok");
    eprintln!("full disk: refused cleanly after {full_at} families; integrity_check ok");
}
