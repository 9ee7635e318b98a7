//! Runs a workload for a fixed time on C threads and summarises its latencies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Throughput and latency of one workload run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub errors: usize,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Runs `op` in a loop on `threads` threads for `secs`. Each thread first builds its own state
/// with `init` (a connection); `op` returns whether the operation succeeded.
pub fn run<S, I, F>(threads: usize, secs: f64, init: I, op: F) -> Stats
where
    I: Fn(usize) -> S + Send + Sync + 'static,
    F: Fn(&mut S, usize, u64) -> bool + Send + Sync + 'static,
    S: 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let init = Arc::new(init);
    let op = Arc::new(op);
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (stop, init, op) = (stop.clone(), init.clone(), op.clone());
            std::thread::spawn(move || {
                let mut state = init(t);
                let mut lat = Vec::with_capacity(1 << 16);
                let mut errors = 0;
                let mut i: u64 = 0;
                while !stop.load(Ordering::Relaxed) {
                    let t0 = Instant::now();
                    let ok = op(&mut state, t, i);
                    lat.push(t0.elapsed().as_micros() as u32);
                    errors += usize::from(!ok);
                    i += 1;
                }
                (lat, errors)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(secs));
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (lat, e) = h.join().expect("load thread");
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        if all.is_empty() {
            0.0
        } else {
            all[((all.len() - 1) as f64 * p) as usize] as f64 / 1000.0
        }
    };
    Stats {
        errors,
        per_sec: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}
