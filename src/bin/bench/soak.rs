//! The soak: the W8 mix (90 % reads, 10 % family writes) at high concurrency for minutes,
//! with the server's resident memory sampled, to show zero failed requests and flat memory.

use super::client::Client;
use super::load;
use super::HttpOp;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Current resident memory (VmRSS) of a process in MB.
fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs the soak and prints its summary; returns whether it failed.
pub fn run(pid: u32, addr: &str, conns: usize, secs: f64, mix: HttpOp) -> bool {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (samples, stop) = (samples.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(mut s) = samples.lock() {
                    s.push(rss_mb(pid));
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        })
    };
    let a = addr.to_owned();
    let stats = load::run(
        conns,
        secs,
        move |_| Client::connect(&a, super::TOKEN).expect("connect"),
        move |c, t, i| mix(c, t, i),
    );
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    // Memory after the first quarter (pools, caches and allocator arenas warm) against the end.
    let warm = samples.get(samples.len() / 4).copied().unwrap_or(0.0);
    let end = samples.last().copied().unwrap_or(0.0);
    let peak = samples.iter().copied().fold(0.0, f64::max);
    let requests = (stats.per_sec * secs).round();
    println!(
        "soak: {secs:.0} s, {conns} connections, {requests:.0} requests ({:.0}/s), {} failed, \
         p50 {:.2} ms, p99 {:.2} ms, RSS warm {warm:.1} MB, end {end:.1} MB, peak {peak:.1} MB",
        stats.per_sec, stats.errors, stats.p50_ms, stats.p99_ms
    );
    let growing = end > warm * 1.5 + 16.0;
    if stats.errors > 0 {
        eprintln!("soak FAILED: {} requests failed", stats.errors);
    }
    if growing {
        eprintln!("soak FAILED: memory grew from {warm:.1} MB to {end:.1} MB");
    }
    stats.errors > 0 || growing
}
