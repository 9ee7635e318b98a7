//! Configuration as a value, built by the CLI from flags and environment and passed in.
//! Environment variables (read by clap in `main.rs`): DATABASE_URL, GOALPOST_BIND,
//! GOALPOST_BOOTSTRAP_TOKEN, GOALPOST_BODY_LIMIT, GOALPOST_POOL_SIZE, GOALPOST_RATE_LIMIT,
//! GOALPOST_RATE_WINDOW_MS, GOALPOST_MAX_CONNECTIONS.

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (printed in the banner).
    pub bind: String,
    /// Run pending migrations at start.
    pub migrate: bool,
    /// A token to make sure exists, with every scope, in the default portal.
    pub bootstrap_token: Option<String>,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// Per-token rate limit (`None`: off, the default).
    pub rate_limit: Option<crate::http::limits::RateLimit>,
    /// Open connections at most, per worker; more wait to be accepted.
    pub max_connections: usize,
}

impl Config {
    /// Defaults for a database URL: what `goalpost serve` uses with no flags.
    pub fn new(database_url: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            bind: "127.0.0.1:8080".into(),
            migrate: true,
            bootstrap_token: None,
            body_limit: 1024 * 1024,
            pool_size: default_pool_size(),
            rate_limit: None,
            max_connections: 4096,
        }
    }
}

/// About twice the cores: enough to keep the database busy while handlers wait on it.
pub fn default_pool_size() -> u32 {
    std::thread::available_parallelism()
        .map(|n| (n.get() * 2) as u32)
        .unwrap_or(4)
        .max(4)
}
