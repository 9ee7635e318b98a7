//! The `goalpost serve` process a run measures, started on a free port and stopped on drop.

use super::*;

pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(bin: &str, url: &str) -> Server {
        let mut child = Command::new(bin)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", url)
            .env("GOALPOST_BOOTSTRAP_TOKEN", TOKEN)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start goalpost serve");
        let out = child.stdout.take().expect("stdout");
        let mut addr = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.expect("banner");
            if let Some(a) = line.strip_prefix("listening: http://") {
                addr = a.to_owned();
                break;
            }
        }
        Server { child, addr }
    }

    /// Peak resident memory (VmHWM) in MB.
    pub fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
