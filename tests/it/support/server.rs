//! A real `goalpost serve` process on a free port, for tests that drive it with outside
//! clients (HubSpot's official Python client).

use super::{Backend, TestDb, TOKEN};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Server {
    pub base_url: String,
    _db: TestDb,
    child: Child,
}

impl Server {
    /// Starts the binary on its own database and waits for its `listening:` banner line.
    pub fn start(backend: Backend) -> Server {
        let db = TestDb::new(backend);
        let mut child = Command::new(env!("CARGO_BIN_EXE_goalpost"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &db.url)
            .env("GOALPOST_BOOTSTRAP_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start goalpost");
        let stdout = child.stdout.take().expect("stdout");
        let mut base_url = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("banner");
            if let Some(addr) = line.strip_prefix("listening: ") {
                base_url = Some(addr.to_owned());
                break;
            }
        }
        Server {
            base_url: base_url.expect("server printed its address"),
            _db: db,
            child,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
