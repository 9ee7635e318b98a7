//! PostgreSQL reads without the thread hop: point reads (a GET by id) run on the async worker
//! through `tokio-postgres`, instead of crossing to the blocking pool for Diesel's synchronous
//! connection and back (measured at 29 % of the server's time under W1). Each worker thread
//! has its own small pool (`deadpool-postgres`), so a connection's I/O task runs on the worker
//! that uses it. Everything else keeps Diesel and the blocking pool.

use crate::error::ApiError;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

thread_local! {
    static POOLS: RefCell<HashMap<String, Pool>> = RefCell::new(HashMap::new());
}

/// Connections per worker thread (so up to workers × 4 beside the Diesel pool; count them
/// against PostgreSQL's `max_connections`).
const PER_WORKER: usize = 4;

fn pool(url: &str) -> Result<Pool, ApiError> {
    POOLS.with(|pools| {
        if let Some(p) = pools.borrow().get(url) {
            return Ok(p.clone());
        }
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| ApiError::Internal(format!("PostgreSQL URL: {e}")))?;
        // Bounded waits, so an unreachable server is a quick 503, not a hung request.
        config
            .application_name("goalpost")
            .options("-c statement_timeout=30s")
            .connect_timeout(std::time::Duration::from_secs(5));
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let p = Pool::builder(manager)
            .max_size(PER_WORKER)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .build()
            .map_err(|e| ApiError::Internal(format!("async pool: {e}")))?;
        pools.borrow_mut().insert(url.to_owned(), p.clone());
        Ok(p)
    })
}

/// A connection of this worker's pool for `url`.
pub async fn client(url: &str) -> Result<Object, ApiError> {
    let pool = pool(url)?;
    pool.get().await.map_err(|e| {
        tracing::warn!("async PostgreSQL connection: {e}");
        crate::metrics::get()
            .db_errors
            .with_label_values(&["unavailable"])
            .inc();
        ApiError::Unavailable
    })
}

/// A driver error as the domain sees it: NUL in text is a 400, a lost or refused connection a
/// 503, anything else a 500 whose detail goes to the log.
pub fn error(e: tokio_postgres::Error) -> ApiError {
    // PostgreSQL text cannot hold NUL: bad input, as on the Diesel path (`error.rs`).
    if e.as_db_error()
        .is_some_and(|d| d.message().contains("0x00"))
    {
        return ApiError::bad_request("Text values may not contain NUL characters");
    }
    let kind = if e.is_closed() || e.as_db_error().is_none() {
        "unavailable"
    } else {
        "internal"
    };
    crate::metrics::get()
        .db_errors
        .with_label_values(&[kind])
        .inc();
    if kind == "unavailable" {
        tracing::warn!("database unavailable: {e}");
        ApiError::Unavailable
    } else {
        ApiError::Internal(e.to_string())
    }
}
