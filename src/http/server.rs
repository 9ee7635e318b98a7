//! Starting the HTTP server: start-up work, the banner, request logging, graceful shutdown.

use crate::config::Config;
use crate::AppState;
use actix_web::middleware::Logger;
use actix_web::web::Data;
use actix_web::{App, HttpServer};
use std::io::Write;

/// Prepares the database and serves until SIGINT/SIGTERM (in-flight requests finish first).
pub async fn run(config: Config) -> std::io::Result<()> {
    let bind = config.bind.clone();
    let startup = crate::prepare(config).map_err(std::io::Error::other)?;
    let state: Data<AppState> = Data::new(startup.state);
    let app_state = state.clone();
    spawn_stats_refresh(state.pool.clone(), startup.stats_mark);
    spawn_goal_horizon(state.pool.clone());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(
                crate::http::limits::rate_limit,
            ))
            // One line per request: method, path (no query, which may hold a token), status, ms.
            .wrap(
                Logger::new("%{method}xi %U %s %Dms")
                    .custom_request_replace("method", |req| req.method().to_string()),
            )
            .configure(|cfg| crate::http::configure(cfg, app_state.clone()))
    })
    .shutdown_timeout(30)
    // Slow or hostile clients: a request's head must arrive within 10 s, and a worker holds
    // at most this many connections.
    .client_request_timeout(std::time::Duration::from_secs(10))
    .client_disconnect_timeout(std::time::Duration::from_secs(5))
    .max_connections(state.config.max_connections)
    .bind(&bind)?;
    let addrs = server.addrs();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "goalpost {} — {}",
        env!("CARGO_PKG_VERSION"),
        redact(&state.config.database_url)
    )?;
    if startup.migrations_run > 0 {
        writeln!(out, "migrations: {} run", startup.migrations_run)?;
    }
    for a in &addrs {
        writeln!(out, "listening: http://{a}")?;
    }
    if let Some(token) = &startup.first_token {
        writeln!(out, "first token (shown once, every scope, portal 1):")?;
        writeln!(out, "token: {token}")?;
    }
    out.flush()?;
    drop(out);
    server.run().await
}

/// Keeps SQLite's planner statistics fresh while data grows: checks every 10 s and analyses
/// again each time the data has doubled. PostgreSQL's autovacuum does this itself, so there the
/// thread ends at once.
fn spawn_stats_refresh(pool: crate::db::Pool, mut mark: i64) {
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(10));
        if let Ok(mut conn) = pool.get() {
            if conn.dialect() != crate::db::Dialect::Sqlite {
                return;
            }
            match conn.refresh_stats(mark) {
                Ok(m) => mark = m,
                Err(e) => log::warn!("refreshing SQLite statistics: {e}"),
            }
        }
    });
}

/// Keeps open-ended Pipedrive goals' slices a year ahead of today: at start, then hourly.
fn spawn_goal_horizon(pool: crate::db::Pool) {
    std::thread::spawn(move || loop {
        if let Ok(mut conn) = pool.get() {
            match extend_all(&mut conn) {
                Ok(0) => {}
                Ok(n) => log::info!("open-ended goals: {n} slice(s) added"),
                Err(e) => log::warn!("extending open-ended goals: {e}"),
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(3600));
    });
}

fn extend_all(conn: &mut crate::db::Conn) -> Result<usize, crate::error::ApiError> {
    use crate::pipedrive::store::{extend_open_goals, When};
    let otype = crate::goals::catalogue::goal_targets();
    let mut added = 0;
    for portal in crate::auth::portal_ids(conn)? {
        added += conn.write_tx(|tx| {
            let settings = crate::auth::portal_settings(tx, portal)?;
            let tz =
                crate::goals::calendar::zone(&settings.time_zone).unwrap_or(chrono_tz::Tz::UTC);
            extend_open_goals(tx, &otype, portal, When::now(tz))
        })?;
    }
    Ok(added)
}

/// The database URL without its password, for the banner.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
