//! Configuration as a value: `serve`'s flags, each with its environment variable and its default
//! stated once, here. `main.rs` parses it; tests build it with [`Config::new`] and change fields.
//! Environment variables: DATABASE_URL (read by the CLI, global to every command),
//! GOALPOST_BIND, GOALPOST_BOOTSTRAP_TOKEN, GOALPOST_BODY_LIMIT, GOALPOST_POOL_SIZE,
//! GOALPOST_RATE_LIMIT, GOALPOST_RATE_WINDOW_MS, GOALPOST_MAX_CONNECTIONS, GOALPOST_LOG_FORMAT,
//! GOALPOST_READ_DATABASE_URL, GOALPOST_REPLICA_MAX_LAG_MS, GOALPOST_METRICS_BIND, GOALPOST_TEST_MODE,
//! GOALPOST_EVENTS and the webhook settings below, and RUST_LOG
//! for the log filter.

use clap::{Args, Parser, ValueEnum};
use std::fmt;

/// Everything `serve` needs.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Set from the CLI's global `--database-url`: `sqlite://PATH` or `postgres://…`.
    #[arg(skip)]
    pub database_url: String,
    /// Address to listen on (port 0 picks a free one, printed in the banner).
    #[arg(long, env = "GOALPOST_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Do not run pending migrations at start.
    #[arg(long = "no-migrate", action = clap::ArgAction::SetFalse)]
    pub migrate: bool,
    /// Make sure this token exists in the default portal with every scope.
    #[arg(long, env = "GOALPOST_BOOTSTRAP_TOKEN", hide_env_values = true)]
    pub bootstrap_token: Option<Secret>,
    /// Largest request body in bytes; larger bodies get a 413.
    #[arg(long, env = "GOALPOST_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Database connections in the pool (default: twice the cores, at least 4).
    #[arg(long, env = "GOALPOST_POOL_SIZE", default_value_t = default_pool_size())]
    pub pool_size: u32,
    /// Requests per token per window; 0 turns limits off (the default).
    #[arg(long = "rate-limit", env = "GOALPOST_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit_max: u32,
    /// The rate-limit window in milliseconds (HubSpot's is ten seconds).
    #[arg(long, env = "GOALPOST_RATE_WINDOW_MS", default_value_t = 10_000)]
    pub rate_window_ms: u64,
    /// Open connections at most, per worker thread; further ones wait to be accepted.
    #[arg(long, env = "GOALPOST_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// A PostgreSQL streaming standby to send reads to (repeatable, or comma-separated in the
    /// environment variable). A read that must see the caller's own last write goes to a
    /// replica only once it has replayed that write.
    #[arg(
        long = "read-database-url",
        env = "GOALPOST_READ_DATABASE_URL",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub read_database_urls: Vec<String>,
    /// A replica lagging more than this many milliseconds behind the primary gets no reads.
    #[arg(long, env = "GOALPOST_REPLICA_MAX_LAG_MS", default_value_t = 5_000)]
    pub replica_max_lag_ms: i64,
    /// Also serve `/metrics` without a token on this address (e.g. 127.0.0.1:9090, a port
    /// only the scraper reaches). On the API's own address `/metrics` needs the
    /// `goalpost.metrics.read` scope.
    #[arg(long, env = "GOALPOST_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// Record change events (the outbox behind webhooks and the journal); `off` only to
    /// measure what recording costs.
    #[arg(long, env = "GOALPOST_EVENTS", value_enum, default_value_t = Switch::On)]
    pub events: Switch,
    /// Serve the test control plane (`/goalpost/v1/test/…`: throwaway portals for test
    /// suites). Off by default: those routes are then a 404. Never on with real data.
    #[arg(long, env = "GOALPOST_TEST_MODE")]
    pub test_mode: bool,
    /// Days a change event stays in the journal before the pruning job deletes it.
    #[arg(long, env = "GOALPOST_EVENT_RETENTION_DAYS", default_value_t = 7)]
    pub event_retention_days: u32,
    /// A webhook batch that keeps failing is retried (back-off from 1 s, doubling to 5 min)
    /// for this many seconds, then parked (HubSpot retries for about a day).
    #[arg(long, env = "GOALPOST_WEBHOOK_RETRY_SECONDS", default_value_t = 86_400)]
    pub webhook_retry_seconds: u64,
    /// The first retry's back-off in milliseconds (doubling each time, capped at 5 minutes).
    #[arg(long, env = "GOALPOST_WEBHOOK_BACKOFF_MS", default_value_t = 1_000)]
    pub webhook_backoff_ms: u64,
    /// How long a webhook target may take to answer, in milliseconds.
    #[arg(long, env = "GOALPOST_WEBHOOK_TIMEOUT_MS", default_value_t = 5_000)]
    pub webhook_timeout_ms: u64,
    /// Log lines as text (the default) or as one JSON object per line.
    #[arg(long, env = "GOALPOST_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A per-token request limit over a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_ms: u64,
}

/// Only to build [`Config`] from nothing but its defaults.
#[derive(Parser)]
struct Defaults {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// What `goalpost serve` with no flags would use, for a database URL: the defaults, with
    /// any `GOALPOST_*` environment variable applied as it would be there.
    pub fn new(database_url: impl Into<String>) -> Self {
        let mut config = Defaults::parse_from(["goalpost"]).config;
        config.database_url = database_url.into();
        config
    }

    /// The rate limit, if one is set; a zero window counts as one millisecond.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        (self.rate_limit_max > 0).then_some(RateLimit {
            max: self.rate_limit_max,
            window_ms: self.rate_window_ms.max(1),
        })
    }

    /// Values clap cannot bound by itself.
    pub fn normalised(mut self) -> Self {
        self.max_connections = self.max_connections.max(1);
        self.bootstrap_token = self.bootstrap_token.filter(|t| !t.0.is_empty());
        self
    }
}

/// A secret from the command line or environment: its `Debug` never shows it, so printing a
/// `Config` (or a panic holding one) cannot leak the bootstrap token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// About twice the cores: enough to keep the database busy while handlers wait on it.
pub fn default_pool_size() -> u32 {
    std::thread::available_parallelism()
        .map(|n| (n.get() * 2) as u32)
        .unwrap_or(4)
        .max(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_bootstrap_token() {
        let mut c = Config::new("sqlite://x.db");
        c.bootstrap_token = Some("gp_super_secret".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("gp_super_secret"), "{shown}");
        assert!(shown.contains("Secret(***)"), "{shown}");
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = Config::new("sqlite://x.db");
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert!(c.migrate);
        assert_eq!(c.body_limit, 1024 * 1024);
        assert_eq!(c.rate_limit(), None);
        assert_eq!(c.log_format, LogFormat::Text);
    }
}
