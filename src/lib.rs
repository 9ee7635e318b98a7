//! goalpost: a self-hosted CRM object store for sales goals, wire-compatible with HubSpot's
//! `goal_targets` API and Pipedrive's Goals API v1.
//!
//! Layers, top to bottom (each module uses only modules below it; `tests/it/layers.rs` checks):
//! `http` (the surfaces) → `webhooks` → `jobs` → `pipedrive` → `attainment` → `goals`, `crm` →
//! `auth` → `portals` → `engine` → `db` → `error`, `config` → `metrics`. This root wires them:
//! the built-in object types (with their attainment reactions) and start-up.

pub mod attainment;
pub mod auth;
pub mod config;
pub mod crm;
pub mod db;
pub mod engine;
pub mod error;
pub mod goals;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod pipedrive;
pub mod portals;
pub mod quotas;
pub mod webhooks;

use config::Config;
pub use engine::registry::Registry;
use engine::store::PortalId;
use http::state::AppState;
use portals::DEFAULT_PORTAL;

/// The built-in object types: goal targets (with the goal-family rules), deals, activities.
pub fn registry() -> Registry {
    use std::sync::Arc;
    let types = attainment::Types::builtin();
    let mut targets = goals::catalogue::goal_targets();
    targets.reactions = Some(Arc::new(attainment::react::OnTargetWrite(types.clone())));
    let [mut deals, mut activities] = [crm::catalogue::deals(), crm::catalogue::activities()];
    for t in [&mut deals, &mut activities] {
        t.reactions = Some(Arc::new(attainment::react::OnRecordWrite {
            kpi_type: t.name,
            types: types.clone(),
        }));
    }
    Registry::new(vec![targets, deals, activities])
}

/// What start-up did, for the banner.
pub struct Startup {
    pub state: AppState,
    pub banner: http::server::Banner,
    /// Where the planner statistics were last refreshed (see `Conn::refresh_stats`).
    pub stats_mark: i64,
}

/// Opens the database, runs migrations, makes sure the default portal exists, applies the
/// bootstrap token, and generates a first token for a database that has none.
pub fn prepare(config: Config) -> Result<Startup, String> {
    let pool = db::pool(&config.database_url, config.pool_size)?;
    engine::events::set_enabled(config.events == config::Switch::On);
    let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
    let migrations_run = if config.migrate { conn.migrate()? } else { 0 };
    let registry = registry();
    engine::indexes::ensure(&mut conn, &registry).map_err(|e| format!("indexes: {e}"))?;
    // A read-only database still serves reads; fresh statistics are an optimisation.
    let stats_mark = conn.refresh_stats(0).unwrap_or_else(|e| {
        tracing::warn!("planner statistics not refreshed: {e}");
        0
    });
    let portal = PortalId(DEFAULT_PORTAL);
    let first_token = (|| -> Result<Option<String>, error::ApiError> {
        portals::ensure_portal(&mut conn, portal, "default")?;
        let all: Vec<String> = auth::ALL_SCOPES.iter().map(|s| s.to_string()).collect();
        if let Some(token) = &config.bootstrap_token {
            auth::store_token(
                &mut conn,
                portal,
                "bootstrap",
                token.expose(),
                &all,
                auth::DEFAULT_USER,
                None,
            )?;
        }
        if auth::count_tokens(&mut conn)? == 0 {
            let (_, token) =
                auth::create_token(&mut conn, portal, "first", &all, auth::DEFAULT_USER, None)?;
            return Ok(Some(token));
        }
        Ok(None)
    })()
    .map_err(|e| format!("start-up: {e}"))?;
    drop(conn);
    Ok(Startup {
        state: AppState::new(pool, registry, config)?,
        banner: http::server::Banner {
            first_token,
            migrations_run,
        },
        stats_mark,
    })
}
