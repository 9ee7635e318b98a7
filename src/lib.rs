//! goalpost: a self-hosted CRM object store for sales goals, wire-compatible with HubSpot's
//! `goal_targets` API. Layers: `http` → `engine` (→ `goals` hooks) → `db`.

pub mod auth;
pub mod config;
pub mod crm;
pub mod db;
pub mod engine;
pub mod error;
pub mod goals;
pub mod http;
pub mod pipedrive;

use auth::{Principal, DEFAULT_PORTAL};
use config::Config;
use engine::registry::Registry;
use engine::store::PortalId;
use engine::types::ObjectType;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Shared state of a running server.
pub struct AppState {
    pub pool: db::Pool,
    pub registry: Registry,
    pub tokens: TokenCache,
    pub config: Config,
    /// Per-token rate limits, when configured.
    pub limiter: Option<Arc<http::limits::Limiter>>,
    /// Per-portal object types (built-in plus custom properties), dropped when a portal's
    /// definitions change.
    types: RwLock<HashMap<(i64, &'static str), Arc<ObjectType>>>,
}

impl AppState {
    /// The object type named in a path (name or type id) as `portal` sees it: built-in
    /// properties plus the portal's live custom ones.
    pub async fn object_type(
        &self,
        portal: PortalId,
        name: &str,
    ) -> Result<Arc<ObjectType>, error::ApiError> {
        let base = self
            .registry
            .find(name)
            .ok_or_else(error::ApiError::resource_not_found)?;
        let key = (portal.0, base.name);
        if let Some(t) = self.types.read().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(t);
        }
        let type_name = base.name;
        let custom = db::run(&self.pool, move |conn| {
            engine::properties::load_custom(conn, portal, type_name, false)
        })
        .await?;
        let t = Arc::new(base.with_custom(custom));
        if let Ok(mut m) = self.types.write() {
            m.insert(key, t.clone());
        }
        Ok(t)
    }

    /// Forgets a portal's cached types after its property definitions changed.
    pub fn forget_types(&self, portal: PortalId) {
        if let Ok(mut m) = self.types.write() {
            m.retain(|(p, _), _| *p != portal.0);
        }
    }
}

/// Resolved tokens, keyed by hash so the secrets themselves are not kept. Tokens are never
/// changed in place while the server runs, so entries stay true; the cache is bounded.
#[derive(Default)]
pub struct TokenCache(RwLock<HashMap<String, Principal>>);

const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    pub fn get(&self, token: &str) -> Option<Principal> {
        let key = auth::hash_token(token);
        self.0.read().ok()?.get(&key).cloned()
    }

    pub fn put(&self, token: String, principal: Principal) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= TOKEN_CACHE_MAX {
                map.clear();
            }
            map.insert(auth::hash_token(&token), principal);
        }
    }
}

/// What start-up did, for the banner.
pub struct Startup {
    pub state: AppState,
    /// A token generated because the database had none; printed once.
    pub first_token: Option<String>,
    pub migrations_run: usize,
    /// Where the planner statistics were last refreshed (see `Conn::refresh_stats`).
    pub stats_mark: i64,
}

/// Opens the database, runs migrations, makes sure the default portal exists, applies the
/// bootstrap token, and generates a first token for a database that has none.
pub fn prepare(config: Config) -> Result<Startup, String> {
    let pool = db::pool(&config.database_url, config.pool_size)?;
    let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
    let migrations_run = if config.migrate { conn.migrate()? } else { 0 };
    let registry = Registry::builtin();
    engine::indexes::ensure(&mut conn, &registry).map_err(|e| format!("indexes: {e}"))?;
    // A read-only database still serves reads; fresh statistics are an optimisation.
    let stats_mark = conn.refresh_stats(0).unwrap_or_else(|e| {
        log::warn!("planner statistics not refreshed: {e}");
        0
    });
    let portal = PortalId(DEFAULT_PORTAL);
    let first_token = (|| -> Result<Option<String>, error::ApiError> {
        auth::ensure_portal(&mut conn, portal, "default")?;
        let all: Vec<String> = auth::ALL_SCOPES.iter().map(|s| s.to_string()).collect();
        if let Some(token) = &config.bootstrap_token {
            auth::store_token(
                &mut conn,
                portal,
                "bootstrap",
                token,
                &all,
                auth::DEFAULT_USER,
            )?;
        }
        if auth::count_tokens(&mut conn)? == 0 {
            return Ok(Some(auth::create_token(
                &mut conn,
                portal,
                "first",
                &all,
                auth::DEFAULT_USER,
            )?));
        }
        Ok(None)
    })()
    .map_err(|e| format!("start-up: {e}"))?;
    drop(conn);
    Ok(Startup {
        state: AppState {
            pool,
            registry,
            tokens: TokenCache::default(),
            limiter: config
                .rate_limit
                .map(|l| Arc::new(http::limits::Limiter::new(l))),
            config,
            types: RwLock::new(HashMap::new()),
        },
        first_token,
        migrations_run,
        stats_mark,
    })
}
