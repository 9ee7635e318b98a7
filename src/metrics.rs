//! Prometheus metrics of this process, kept by the `prometheus` crate and rendered in its text
//! format at `/metrics`. One registry per process: every layer counts into it (a family-rule
//! refusal in the engine, a pool wait in `db`, a request in `http`), so it sits at the bottom
//! with `error` and `config`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::sync::LazyLock;

pub struct Metrics {
    registry: Registry,
    /// Requests by route template (not the raw path, so ids do not explode the series),
    /// method and status.
    pub requests: IntCounterVec,
    pub request_seconds: HistogramVec,
    /// Time to get a pooled connection, per database (`primary`, `replica0`, …).
    pub pool_wait_seconds: HistogramVec,
    pub pool_size: IntGaugeVec,
    pub pool_in_use: IntGaugeVec,
    /// Database errors (not bad input: the driver or the server failed).
    pub db_errors: IntCounterVec,
    /// Milliseconds a replica is behind its primary; -1 when it does not answer.
    pub replica_lag_ms: IntGaugeVec,
    /// Reads sent to a replica, and reads kept on the primary because no replica had replayed
    /// the caller's last write (or none was healthy).
    pub replica_reads: IntCounterVec,
    pub family_refusals: IntCounter,
    pub rate_limited: IntCounter,
    pub job_runs: IntCounterVec,
    /// 1 while this instance holds the job lease.
    pub job_leader: IntGauge,
    pub cache_clears: IntCounterVec,
    /// Writes per SQLite group commit.
    pub group_commit_writes: Histogram,
    /// Filtered searches by how their total was had: `hit` (cached, version unchanged),
    /// `miss` (counted), `stale` (cached but written since: counted again).
    pub search_totals: IntCounterVec,
    /// Webhook events by outcome (`delivered`, `failed` attempts, `parked`).
    pub webhook_events: IntCounterVec,
    /// Age of the oldest event some app has not received yet.
    pub webhook_lag_seconds: prometheus::Gauge,
}

fn counter(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("metric");
    r.register(Box::new(c.clone())).expect("register");
    c
}

fn gauge(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("metric");
    r.register(Box::new(g.clone())).expect("register");
    g
}

fn histogram(r: &Registry, name: &str, help: &str, labels: &[&str], b: Vec<f64>) -> HistogramVec {
    let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(b), labels).expect("metric");
    r.register(Box::new(h.clone())).expect("register");
    h
}

const LATENCY: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    fn new() -> Metrics {
        let r = Registry::new_custom(Some("goalpost".into()), None).expect("registry");
        #[cfg(target_os = "linux")]
        let _ = r.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ));
        Metrics {
            requests: counter(
                &r,
                "http_requests_total",
                "HTTP requests answered",
                &["route", "method", "status"],
            ),
            request_seconds: histogram(
                &r,
                "http_request_duration_seconds",
                "HTTP request latency",
                &["route", "method"],
                LATENCY.to_vec(),
            ),
            pool_wait_seconds: histogram(
                &r,
                "db_pool_wait_seconds",
                "Time waiting for a pooled connection",
                &["database"],
                LATENCY.to_vec(),
            ),
            pool_size: gauge(
                &r,
                "db_pool_connections",
                "Open pooled connections",
                &["database"],
            ),
            pool_in_use: gauge(
                &r,
                "db_pool_connections_in_use",
                "Pooled connections in use",
                &["database"],
            ),
            db_errors: counter(
                &r,
                "db_errors_total",
                "Database errors (driver or server, not bad input)",
                &["kind"],
            ),
            replica_lag_ms: gauge(
                &r,
                "replica_lag_milliseconds",
                "Replay lag of each read replica (-1: not answering)",
                &["replica"],
            ),
            webhook_events: counter(
                &r,
                "webhook_events_total",
                "Webhook events by delivery outcome",
                &["outcome"],
            ),
            webhook_lag_seconds: {
                let g = prometheus::Gauge::new(
                    "webhook_delivery_lag_seconds",
                    "Age of the oldest change event not yet delivered to a subscribed app",
                )
                .expect("metric");
                r.register(Box::new(g.clone())).expect("register");
                g
            },
            search_totals: counter(
                &r,
                "search_total_cache_total",
                "Filtered search totals by cache outcome",
                &["outcome"],
            ),
            replica_reads: counter(
                &r,
                "replica_reads_total",
                "Reads by where they ran",
                &["target"],
            ),
            family_refusals: {
                let c = IntCounter::new(
                    "family_rule_refusals_total",
                    "Writes refused by the goal-family rules",
                )
                .expect("metric");
                r.register(Box::new(c.clone())).expect("register");
                c
            },
            rate_limited: {
                let c = IntCounter::new("rate_limited_total", "Requests refused by the rate limit")
                    .expect("metric");
                r.register(Box::new(c.clone())).expect("register");
                c
            },
            job_runs: counter(
                &r,
                "job_runs_total",
                "Background job runs",
                &["job", "outcome"],
            ),
            job_leader: {
                let g = IntGauge::new(
                    "job_leader",
                    "1 while this instance runs the background jobs",
                )
                .expect("metric");
                r.register(Box::new(g.clone())).expect("register");
                g
            },
            cache_clears: counter(
                &r,
                "cache_clears_total",
                "Caches dropped because another instance changed what they hold",
                &["cache"],
            ),
            group_commit_writes: {
                let h = Histogram::with_opts(
                    HistogramOpts::new(
                        "sqlite_group_commit_writes",
                        "Writes per SQLite group commit",
                    )
                    .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0]),
                )
                .expect("metric");
                r.register(Box::new(h.clone())).expect("register");
                h
            },
            registry: r,
        }
    }

    /// Everything, in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail on I/O; a metric the encoder rejects is skipped.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static M: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &M
}
