//! What each instance watches so that several on one database behave as one server: the
//! versions of what it caches (tokens, property definitions), polled every [`POLL_MS`] — a
//! revocation, rotation or definition change made through any instance or the CLI drops this
//! instance's copy within that bound — and the periodic stamp of its tokens' last use.

use crate::auth::touch_tokens;
use crate::db::cluster::{self, PROPERTIES, TOKENS};
use crate::http::state::AppState;
use actix_web::web::Data;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often the versions are read: a revoked token is refused everywhere within this (plus a
/// request's own time), well inside the one second promised.
pub const POLL_MS: u64 = 250;
/// How often last-use stamps are written.
const STAMP_EVERY: Duration = Duration::from_secs(5);

/// The versions last seen, per cache.
#[derive(Default)]
pub struct Seen(HashMap<String, i64>);

/// One poll: reads the versions and drops every cache whose version moved (all of them on the
/// first poll, which may follow changes made while this instance started).
pub fn poll_once(state: &AppState, seen: &mut Seen) -> Result<(), crate::error::ApiError> {
    let mut conn = state
        .pool
        .get()
        .map_err(|_| crate::error::ApiError::Unavailable)?;
    for (name, version) in cluster::versions(&mut conn)? {
        if seen.0.get(&name) == Some(&version) {
            continue;
        }
        let m = crate::metrics::get();
        match name.as_str() {
            TOKENS => state.tokens.clear(),
            PROPERTIES => state.forget_all_types(),
            _ => {}
        }
        m.cache_clears.with_label_values(&[&name]).inc();
        seen.0.insert(name, version);
    }
    Ok(())
}

/// Starts the watcher thread of a serving process.
pub fn start(state: Data<AppState>) {
    std::thread::spawn(move || {
        let mut seen = Seen::default();
        let mut stamped = Instant::now();
        loop {
            if let Err(e) = poll_once(&state, &mut seen) {
                tracing::debug!("cache versions not read: {e}");
            }
            if stamped.elapsed() >= STAMP_EVERY {
                stamped = Instant::now();
                stamp(&state);
            }
            std::thread::sleep(Duration::from_millis(POLL_MS));
        }
    });
}

/// Writes the last uses noted since the previous stamp.
pub fn stamp(state: &AppState) {
    let used = state.tokens.take_uses();
    if used.is_empty() {
        return;
    }
    if let Ok(mut conn) = state.pool.get() {
        if let Err(e) = touch_tokens(&mut conn, &used) {
            tracing::debug!("token last use not stamped: {e}");
        }
    }
}
