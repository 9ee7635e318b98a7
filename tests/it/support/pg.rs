//! A throwaway PostgreSQL cluster for the test run: started once with `initdb`/`pg_ctl` in a
//! temp dir on a unix socket (as the `postgres` user when running as root, since `initdb`
//! refuses root), stopped by a watchdog when the test process exits. Each test gets a fresh
//! database in it, cloned from a template the first caller migrates once (`CREATE DATABASE …
//! TEMPLATE` copies files, where running every migration again costs each test its DDL).
//! `GOALPOST_TEST_PG_URL` points the suite at an existing server instead.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

struct Cluster {
    /// URL of the maintenance database, with `{db}` where a database name goes.
    url_template: String,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static TEMPLATE: OnceLock<String> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Creates a database with every migration applied and returns its URL.
pub fn fresh_database() -> String {
    let template = TEMPLATE.get_or_init(|| {
        let (name, url) = create("");
        let mut conn = goalpost::db::connect(&url).expect("connect to the template");
        conn.migrate().expect("migrate the template");
        // `TEMPLATE` needs the source without sessions.
        drop(conn);
        name
    });
    create(&format!("TEMPLATE {template}")).1
}

/// Creates an empty database and returns its URL.
pub fn empty_database() -> String {
    create("").1
}

/// Creates a database; its name and URL.
fn create(options: &str) -> (String, String) {
    let cluster = CLUSTER.get_or_init(start).as_ref().unwrap_or_else(|e| {
        panic!(
            "\n\n*** PostgreSQL tests cannot run: {e}\n*** Install PostgreSQL's server (apt-get install postgresql) \
             or set GOALPOST_TEST_PG_URL=postgres://user@host/postgres\n\n"
        )
    });
    let name = format!(
        "goalpost_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let admin = cluster.url_template.replace("{db}", "postgres");
    let mut conn = PgConnection::establish(&admin).expect("connect to test cluster");
    conn.batch_execute(&format!("CREATE DATABASE {name} {options}"))
        .expect("create test database");
    let url = cluster.url_template.replace("{db}", &name);
    (name, url)
}

fn start() -> Result<Cluster, String> {
    if let Ok(url) = std::env::var("GOALPOST_TEST_PG_URL") {
        // Swap the database name for a placeholder: postgres://u@h:p/NAME?opts
        let (base, query) = url
            .split_once('?')
            .map_or((url.as_str(), ""), |(b, q)| (b, q));
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        return Ok(Cluster {
            url_template: format!("{base}/{{db}}{q}"),
        });
    }
    let own = launch()?;
    let url_template = own.url_template.clone();
    // The shared cluster lives until the test process ends (the watchdog stops it).
    std::mem::forget(own);
    Ok(Cluster { url_template })
}

/// A cluster a test starts for itself, to stop and start it (fault injection).
pub struct OwnCluster {
    /// URL with `{db}` where a database name goes.
    pub url_template: String,
    bin: PathBuf,
    data: PathBuf,
    opts: String,
    log: String,
    root: bool,
}

impl OwnCluster {
    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let mut cmd = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let out = cmd
            .args(["-D", &self.data.to_string_lossy()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Stops the server (fast shutdown: sessions are cut).
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"])
            .expect("pg_ctl stop");
    }

    /// Starts it again.
    pub fn start(&self) {
        self.pg_ctl(&["-o", &self.opts, "-l", &self.log, "-w", "start"])
            .expect("pg_ctl start");
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}

/// Starts a new cluster of its own, or says why it cannot.
pub fn own_cluster() -> OwnCluster {
    launch().unwrap_or_else(|e| panic!("*** PostgreSQL fault tests cannot run: {e}"))
}

fn launch() -> Result<OwnCluster, String> {
    let bin = find_bin_dir()
        .ok_or("initdb and pg_ctl were not found on PATH or under /usr/lib/postgresql/*/bin")?;
    let root = is_root();
    let dir = cluster_dir(root)?;
    let data = dir.join("data");
    let run = |args: &[&str]| run_pg(&bin, root, args);
    let data_s = data.to_string_lossy().to_string();
    let dir_s = dir.to_string_lossy().to_string();
    run(&[
        "initdb",
        "-D",
        &data_s,
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        "-E",
        "UTF8",
    ])?;
    let opts = format!(
        "-k {dir_s} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300"
    );
    let log = format!("{dir_s}/log");
    run(&[
        "pg_ctl", "-D", &data_s, "-o", &opts, "-l", &log, "-w", "start",
    ])?;
    spawn_watchdog(&bin, &data, &dir, root);
    Ok(OwnCluster {
        url_template: format!("postgres://postgres@localhost/{{db}}?host={dir_s}"),
        bin,
        data,
        opts,
        log,
        root,
    })
}

/// A temp directory for a cluster (owned by `postgres` when running as root).
fn cluster_dir(root: bool) -> Result<PathBuf, String> {
    let dir = tempfile::Builder::new()
        .prefix("goalpost-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if root {
        let uid = id_of("-u")?;
        let gid = id_of("-g")?;
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
    }
    Ok(dir)
}

/// Runs one of PostgreSQL's programs (as `postgres` when running as root).
fn run_pg(bin: &Path, root: bool, args: &[&str]) -> Result<(), String> {
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]);
        c.arg(bin.join(args[0]));
        c
    } else {
        Command::new(bin.join(args[0]))
    };
    let out = cmd
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed: {}{}",
            args[0],
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl OwnCluster {
    /// A hot standby of this cluster: a base backup (`pg_basebackup -R`, so it streams from
    /// this one) started on a socket directory of its own.
    pub fn standby(&self) -> OwnCluster {
        let host = self
            .url_template
            .split("host=")
            .nth(1)
            .expect("the cluster's socket directory")
            .to_owned();
        let dir = cluster_dir(self.root).expect("standby directory");
        let data = dir.join("data");
        let (data_s, dir_s) = (data.display().to_string(), dir.display().to_string());
        run_pg(
            &self.bin,
            self.root,
            &[
                "pg_basebackup",
                "-D",
                &data_s,
                "-R",
                "-X",
                "stream",
                "-h",
                &host,
                "-U",
                "postgres",
                "--no-sync",
            ],
        )
        .expect("pg_basebackup");
        let opts = format!(
            "-k {dir_s} -c listen_addresses='' -c hot_standby=on -c fsync=off -c max_connections=300"
        );
        let log = format!("{dir_s}/log");
        run_pg(
            &self.bin,
            self.root,
            &[
                "pg_ctl", "-D", &data_s, "-o", &opts, "-l", &log, "-w", "start",
            ],
        )
        .expect("start the standby");
        spawn_watchdog(&self.bin, &data, &dir, self.root);
        OwnCluster {
            url_template: format!("postgres://postgres@localhost/{{db}}?host={dir_s}"),
            bin: self.bin.clone(),
            data,
            opts,
            log,
            root: self.root,
        }
    }
}

/// Stops the cluster and removes its files once this test process has exited.
fn spawn_watchdog(bin: &Path, data: &Path, dir: &Path, root: bool) {
    let pg_ctl = bin.join("pg_ctl");
    let stop = format!(
        "{} -D {} -m immediate stop",
        pg_ctl.display(),
        data.display()
    );
    let stop = if root {
        format!("runuser -u postgres -- {stop}")
    } else {
        stop
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    candidates.sort();
    candidates.reverse();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates.into_iter().find(|d| {
        d.join("initdb").is_file() && d.join("pg_ctl").is_file() && d.join("postgres").is_file()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn id_of(flag: &str) -> Result<u32, String> {
    let out = Command::new("id")
        .args([flag, "postgres"])
        .output()
        .map_err(|e| e.to_string())?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "running as root but there is no postgres user to run initdb as".to_string())
}
