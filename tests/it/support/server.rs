//! A real `goalpost serve` process on a free port, for tests that drive it with outside
//! clients (the official HubSpot and Pipedrive clients) or kill and restart it.

use super::{Backend, TestDb, TOKEN};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub base_url: String,
    pub db: TestDb,
    child: Child,
}

impl Server {
    /// Starts the binary on its own database and waits for its `listening:` banner line.
    pub fn start(backend: Backend) -> Server {
        Server::start_on(TestDb::new(backend), &[])
    }

    /// Starts the binary on a given database with extra environment.
    pub fn start_on(db: TestDb, env: &[(&str, &str)]) -> Server {
        Server::start_logging(db, env, Stdio::inherit())
    }

    /// As [`Server::start_on`], with the server's log (stderr) sent to `stderr`.
    pub fn start_logging(db: TestDb, env: &[(&str, &str)], stderr: Stdio) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_goalpost"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &db.url)
            .env("GOALPOST_BOOTSTRAP_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start goalpost");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut base_url = None;
        for line in lines.by_ref() {
            let line = line.expect("banner");
            if let Some(addr) = line.strip_prefix("listening: ") {
                base_url = Some(addr.to_owned());
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            base_url: base_url.expect("server printed its address"),
            db,
            child,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`KILL`, `TERM`) to the process.
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// Waits for the process to exit; its exit status, or `None` after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Kills the process at once (SIGKILL) and hands back its database.
    pub fn crash(mut self) -> TestDb {
        self.signal("KILL");
        let _ = self.child.wait();
        self.into_db()
    }

    /// The database, once the process is gone.
    pub fn into_db(mut self) -> TestDb {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.db, TestDb::at(String::new()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
