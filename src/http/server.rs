//! Serving HTTP on a prepared state: the listener's limits, the banner, graceful shutdown.

use crate::http::state::AppState;
use actix_web::web::Data;
use actix_web::HttpServer;
use std::io::Write;

/// What start-up has to tell the person who started the server.
pub struct Banner {
    /// A token generated because the database had none; printed once.
    pub first_token: Option<String>,
    pub migrations_run: usize,
}

/// Serves until SIGINT/SIGTERM (in-flight requests finish first).
pub async fn run(state: AppState, banner: Banner) -> std::io::Result<()> {
    let bind = state.config.bind.clone();
    let state: Data<AppState> = Data::new(state);
    super::watch::start(state.clone());
    if let Some(r) = &state.replicas {
        r.spawn_polling();
    }
    if let Some(addr) = state.config.metrics_bind.clone() {
        let s = state.clone();
        let metrics = HttpServer::new(move || {
            let s = s.clone();
            actix_web::App::new().route(
                "/metrics",
                actix_web::web::get().to(move || {
                    let s = s.clone();
                    async move { super::ops::exposition(&s) }
                }),
            )
        })
        .workers(1)
        .bind(&addr)?;
        for a in metrics.addrs() {
            tracing::info!("metrics: http://{a}/metrics");
        }
        actix_web::rt::spawn(metrics.run());
    }
    let app_state = state.clone();
    let server = HttpServer::new(move || super::app(app_state.clone()))
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
    if banner.migrations_run > 0 {
        writeln!(out, "migrations: {} run", banner.migrations_run)?;
    }
    if state.config.test_mode {
        writeln!(
            out,
            "TEST MODE IS ON: /goalpost/v1/test/… creates and deletes portals. Never use it with real data."
        )?;
    }
    for a in &addrs {
        writeln!(out, "listening: http://{a}")?;
    }
    if let Some(token) = &banner.first_token {
        writeln!(out, "first token (shown once, every scope, portal 1):")?;
        writeln!(out, "token: {token}")?;
    }
    out.flush()?;
    drop(out);
    server.run().await
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
