//! Where reads run when read replicas are configured, and the write positions that keep a
//! token's reads after its own writes (read-your-writes): every write request that succeeded
//! records the primary's WAL position for its token before its response leaves, and a read of
//! that token goes to a replica only once the replica has replayed past it.

use crate::auth::Principal;
use crate::db::{self, cluster, Conn};
use crate::error::ApiError;
use crate::http::extract::TokenId;
use crate::http::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::HttpMessage;

impl AppState {
    /// Runs a read: on a replica that has replayed the caller's last write when replicas are
    /// configured, else (or when that replica fails) on the primary. `point`: a few rows by key
    /// (see `db::run_point`).
    pub async fn read<T, F>(&self, who: &Principal, point: bool, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut Conn) -> Result<T, ApiError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.read_routed(who, point, move |c, _| f(c)).await
    }

    /// As [`AppState::read`], telling `f` whether it runs on a replica: a replica's snapshots
    /// follow the WAL's commit order, the primary's may see concurrent commits in another
    /// order, so what is cached from one is not kept for the other.
    pub async fn read_routed<T, F>(&self, who: &Principal, point: bool, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut Conn, bool) -> Result<T, ApiError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        if let Some(replicas) = self.replicas.as_ref() {
            let token = who.token_id;
            let need = db::run(&self.pool, move |c| cluster::write_position(c, token)).await?;
            let m = crate::metrics::get();
            if let Some(r) = replicas.pick(need) {
                let on_replica = f.clone();
                match db::run_labeled(&r.pool, &r.name, move |c| on_replica(c, true)).await {
                    // A replica that fails (gone, or a query cancelled by recovery) costs the
                    // read a second try on the primary, never a 5xx.
                    Err(ApiError::Unavailable | ApiError::Internal(_)) => r.mark_down(),
                    other => {
                        m.replica_reads.with_label_values(&["replica"]).inc();
                        return other;
                    }
                }
            }
            m.replica_reads.with_label_values(&["primary"]).inc();
        }
        db::run_maybe_point(&self.pool, point, move |c| f(c, false)).await
    }
}

/// Whether a request only reads (GET, and the POSTs that search or read a batch).
fn is_read(method: &Method, path: &str) -> bool {
    method == Method::GET
        || method == Method::HEAD
        || (method == Method::POST && (path.ends_with("/search") || path.ends_with("/batch/read")))
}

/// The middleware: after a successful write of a token, records the primary's WAL position for
/// it (only when this instance has replicas: every instance of one deployment gets the same
/// flags).
pub async fn record_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let write = !is_read(req.method(), req.path());
    let res = next.call(req).await?;
    let Some(state) = state.filter(|s| write && s.replicas.is_some()) else {
        return Ok(res);
    };
    let who = res.request().extensions().get::<TokenId>().copied();
    if let (Some(TokenId(token)), true) = (who, res.status().is_success()) {
        if let Err(e) = db::run(&state.pool, move |c| {
            cluster::record_write_position(c, token)
        })
        .await
        {
            // The write itself succeeded; its token's next reads may then go to the primary.
            tracing::warn!("write position not recorded: {e}");
        }
    }
    Ok(res)
}
