//! The one bridge from async handlers to blocking Diesel: a pooled connection on tokio's
//! blocking pool (or, for SQLite point reads, inline), inside the caller's tracing span.

use super::{Conn, Dialect, Manager, Pool};
use crate::error::ApiError;

/// The one bridge from async code to blocking Diesel: takes a pooled connection on the
/// blocking thread pool and runs `f` with it.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run_labeled(pool, "primary", f).await
}

/// [`run`] on a pool named `label` in the metrics (`primary`, `replica0`, …).
pub async fn run_labeled<T, F>(pool: &Pool, label: &str, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let label = label.to_owned();
    // The closure runs on tokio's blocking pool inside the caller's span, so its log lines
    // carry the request id.
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let waited = std::time::Instant::now();
        // With no connection left (the server went away), answer at once instead of waiting
        // out the pool's timeout; the pool keeps reconnecting in the background.
        let got = if pool.state().connections == 0 {
            pool.try_get().ok_or(())
        } else {
            pool.get().map_err(|_| ())
        };
        let m = crate::metrics::get();
        m.pool_wait_seconds
            .with_label_values(&[&label])
            .observe(waited.elapsed().as_secs_f64());
        let conn = got.map_err(|_| ApiError::Unavailable)?;
        with_pooled(conn, f)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// Like [`run`], for reads of a few rows by key (a GET by id, a batch read). On SQLite, when a
/// pooled connection is free at this moment, `f` runs inline on the async worker: the lookup
/// takes tens of microseconds, less than the hop to the blocking pool and back, which was 29 %
/// of the server's time under W1 (thread switches in `perf`). SQLite readers never wait for a
/// writer in WAL mode, so the worker is not held up. PostgreSQL (a network round trip) and a
/// busy pool go through `run`. Must not be used for writes or for searches of unbounded cost.
pub async fn run_point<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if let Some(conn) = pool.try_get() {
        if conn.dialect() == Dialect::Sqlite {
            // A panic in `f` becomes a 500 as it would on the blocking pool; the connection,
            // possibly mid-transaction, is dropped by the pool's broken check.
            return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| with_pooled(conn, f)))
                .unwrap_or_else(|_| Err(ApiError::Internal("read task panicked".into())));
        }
        // Handed back before `run` takes one: holding it across the await (as a `match` on
        // `try_get()` does, its temporary lives to the end) let concurrent reads hold every
        // connection while each waited for another — PostgreSQL W1 at 16 connections stalled
        // into the pool's 30 s timeout.
        drop(conn);
    }
    run(pool, f).await
}

/// [`run_point`] when `point` (the caller knows the read is a few rows by key), else [`run`].
pub async fn run_maybe_point<T, F>(pool: &Pool, point: bool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if point {
        run_point(pool, f).await
    } else {
        run(pool, f).await
    }
}

fn with_pooled<T>(
    mut conn: r2d2::PooledConnection<Manager>,
    f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let out = f(&mut conn);
    if let (Err(ApiError::Unavailable), Conn::Pg(_, broken)) = (&out, &mut *conn) {
        *broken = true;
    }
    out
}
