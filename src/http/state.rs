//! The state every handler shares: the pool, the registry, the caches, the configuration.

use crate::auth::TokenCache;
use crate::config::Config;
use crate::db;
use crate::engine;
use crate::engine::registry::Registry;
use crate::engine::search::totals::Totals;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error;
use crate::http::limits::Limiter;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Shared state of a running server.
pub struct AppState {
    pub pool: db::Pool,
    pub registry: Registry,
    pub tokens: TokenCache,
    pub config: Config,
    /// Per-token rate limits, when configured.
    pub limiter: Option<Arc<Limiter>>,
    /// Read replicas, when configured.
    pub replicas: Option<Arc<db::replicas::Replicas>>,
    /// This process's name among the instances on the database (in the job lease, `/health`).
    pub instance: String,
    /// Whether this instance runs the background jobs (set once they start; tests run none).
    pub leader: OnceLock<Arc<crate::jobs::Leader>>,
    /// Per-portal object types (built-in plus custom properties), dropped when a portal's
    /// definitions change.
    pub(crate) types: RwLock<HashMap<(i64, &'static str), Arc<ObjectType>>>,
    /// Totals of filtered searches read on the primary, and on replicas (`engine::search::
    /// totals`; kept apart, see `AppState::read_routed`).
    pub totals: Arc<Totals>,
    pub replica_totals: Arc<Totals>,
    /// The test plane's fault rules and recorder (used only in test mode).
    pub faults: crate::http::test_plane::faults::Faults,
    pub recorder: crate::http::test_plane::recorder::Recorder,
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

    /// The type again from the database when it lacks one of `names`: a property another
    /// instance created a moment ago is known before a write naming it is refused (the
    /// version poll would drop the cached type only within its interval).
    pub async fn knowing(
        &self,
        portal: PortalId,
        otype: Arc<ObjectType>,
        names: impl IntoIterator<Item = &str>,
    ) -> Result<Arc<ObjectType>, error::ApiError> {
        if names.into_iter().all(|n| otype.property(n).is_some()) {
            return Ok(otype);
        }
        self.forget_types(portal);
        self.object_type(portal, otype.name).await
    }

    /// Whether point reads run on the async worker (`db::async_pg`): on PostgreSQL without
    /// replicas (a replica read needs the write-position check of `AppState::read`).
    pub fn async_reads(&self) -> bool {
        self.replicas.is_none()
            && (self.config.database_url.starts_with("postgres://")
                || self.config.database_url.starts_with("postgresql://"))
    }

    /// Forgets every portal's cached types (a definition changed on another instance).
    pub fn forget_all_types(&self) {
        if let Ok(mut m) = self.types.write() {
            m.clear();
        }
    }

    /// Forgets a portal's cached types after its property definitions changed.
    pub fn forget_types(&self, portal: PortalId) {
        if let Ok(mut m) = self.types.write() {
            m.retain(|(p, _), _| *p != portal.0);
        }
    }
}

impl AppState {
    /// State for a prepared database (and its replicas, if any).
    pub fn new(pool: db::Pool, registry: Registry, config: Config) -> Result<Self, String> {
        let replicas = if config.read_database_urls.is_empty() {
            None
        } else {
            Some(Arc::new(db::replicas::Replicas::open(
                &config.read_database_urls,
                config.pool_size,
                config.replica_max_lag_ms,
            )?))
        };
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        Ok(AppState {
            pool,
            registry,
            tokens: TokenCache::default(),
            limiter: config.rate_limit().map(|l| Arc::new(Limiter::new(l))),
            replicas,
            instance: format!(
                "{host}-{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().to_string()[..8]
            ),
            leader: OnceLock::new(),
            config,
            types: RwLock::new(HashMap::new()),
            totals: Arc::default(),
            replica_totals: Arc::default(),
            faults: Default::default(),
            recorder: Default::default(),
        })
    }
}
