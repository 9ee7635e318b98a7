//! Delivery: on the job leader only (so each batch is sent by one instance), every app with
//! settings and an active subscription gets its portal's events in `seq` order, at most 100 a
//! POST and one POST in flight per app, so one object's events arrive in order. The cursor
//! moves past a batch only after the target answers 2xx: a crash or a failure sends the same
//! events again, with the same `eventId`s. A failing batch is retried with back-off for the
//! retry window, then parked (recorded, and still in the journal) and delivery goes on. Memory
//! stays bounded whatever the target does: one batch per app, and a timeout on every POST.

use super::payload::{self, TypeIds};
use super::sign;
use super::store::{self, Cursor, Settings, Subscription};
use crate::db::schema::webhook_parked as wp;
use crate::db::{self, with_conn, Conn};
use crate::engine::events::{self, Event, Filter};
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use crate::jobs::Leader;
use diesel::prelude::*;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const BATCH: i64 = 100;
const MAX_BACKOFF_MS: i64 = 300_000;

/// How delivery retries and waits.
#[derive(Debug, Clone)]
pub struct Options {
    pub retry_ms: i64,
    pub backoff_ms: i64,
    pub timeout: Duration,
}

/// What `/health` shows of delivery (this instance's view, updated every pass).
#[derive(Default)]
pub struct Status {
    /// Age in ms of the oldest event not yet delivered to some app (0 when all caught up).
    pub lag_ms: AtomicI64,
    pub apps: AtomicI64,
    pub parked: AtomicI64,
}

pub fn status() -> &'static Status {
    static S: std::sync::OnceLock<Status> = std::sync::OnceLock::new();
    S.get_or_init(Status::default)
}

/// Starts the delivery thread.
pub fn start(pool: db::Pool, leader: Arc<Leader>, ids: TypeIds, options: Options) {
    let agent = ureq::AgentBuilder::new()
        .timeout(options.timeout)
        .redirects(0)
        .build();
    std::thread::spawn(move || {
        let mut busy = false;
        loop {
            // Idle between passes only when the last one found nothing more to send.
            if !busy {
                std::thread::sleep(Duration::from_millis(200));
            }
            busy = false;
            if !leader.is_leader() {
                continue;
            }
            match pass(&pool, &agent, &ids, &options) {
                Ok(more) => busy = more,
                Err(e) => tracing::warn!(error = %e, "webhook delivery pass failed"),
            }
        }
    });
}

/// One pass: one batch for each app that is due, the apps in parallel; whether some app moved
/// past a full batch (so more may be waiting).
fn pass(
    pool: &db::Pool,
    agent: &ureq::Agent,
    ids: &TypeIds,
    o: &Options,
) -> Result<bool, ApiError> {
    let apps = {
        let mut conn = pool.get().map_err(|_| ApiError::Unavailable)?;
        store::deliverable(&mut conn)?
    };
    let now = now_ms();
    let lag = AtomicI64::new(0);
    let more = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for (settings, subs, cursor) in &apps {
            let (lag, more) = (&lag, &more);
            scope.spawn(move || {
                let Ok(mut conn) = pool.get() else { return };
                match one(
                    &mut conn,
                    agent,
                    ids,
                    o,
                    settings,
                    subs,
                    cursor.clone(),
                    now,
                ) {
                    Ok((l, full)) => {
                        lag.fetch_max(l, Ordering::Relaxed);
                        if full {
                            more.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, app = settings.app_id, "webhook delivery"),
                }
            });
        }
    });
    let pipedrive_more = {
        let mut conn = pool.get().map_err(|_| ApiError::Unavailable)?;
        super::pipedrive::pass(&mut conn, agent, o)?
    };
    if pipedrive_more {
        more.store(true, Ordering::Relaxed);
    }
    let s = status();
    s.lag_ms
        .store(lag.load(Ordering::Relaxed), Ordering::Relaxed);
    s.apps.store(apps.len() as i64, Ordering::Relaxed);
    s.parked
        .store(apps.iter().map(|a| a.2.parked).sum(), Ordering::Relaxed);
    crate::metrics::get()
        .webhook_lag_seconds
        .set(lag.load(Ordering::Relaxed) as f64 / 1000.0);
    Ok(more.load(Ordering::Relaxed))
}

/// Delivers (or retries) one app's next batch; returns its lag in ms, and whether the cursor
/// moved past a full batch.
#[allow(clippy::too_many_arguments)]
fn one(
    conn: &mut Conn,
    agent: &ureq::Agent,
    ids: &TypeIds,
    o: &Options,
    settings: &Settings,
    subs: &[Subscription],
    mut cursor: Cursor,
    now: i64,
) -> Result<(i64, bool), ApiError> {
    let portal = PortalId(settings.portal_id);
    let batch = events::after(conn, portal, cursor.last_seq, BATCH, &Filter::default())?;
    let Some(last) = batch.last().map(|e| e.seq) else {
        return Ok((0, false));
    };
    let full = batch.len() as i64 == BATCH;
    let lag = now - batch[0].occurred_at;
    if cursor.next_attempt_at > now {
        return Ok((lag, false));
    }
    let body: Vec<serde_json::Value> = batch
        .iter()
        .filter_map(|e| {
            payload::matching(subs, e, ids)
                .map(|s| payload::hubspot(e, ids, Some((s, cursor.attempts))))
        })
        .collect();
    if body.is_empty() {
        cursor.last_seq = last;
        store::save_cursor(conn, &cursor)?;
        return Ok((0, full));
    }
    let m = crate::metrics::get();
    match post(
        agent,
        settings,
        &serde_json::to_vec(&body).unwrap_or_default(),
    ) {
        Ok(()) => {
            m.webhook_events
                .with_label_values(&["delivered"])
                .inc_by(body.len() as u64);
            cursor.last_seq = last;
            cursor.delivered += body.len() as i64;
            cursor.attempts = 0;
            cursor.retry_until = None;
            cursor.last_error = None;
            store::save_cursor(conn, &cursor)?;
            Ok((0, full))
        }
        Err(error) => {
            m.webhook_events
                .with_label_values(&["failed"])
                .inc_by(body.len() as u64);
            cursor.attempts += 1;
            let until = *cursor.retry_until.get_or_insert(now + o.retry_ms);
            if now >= until {
                m.webhook_events
                    .with_label_values(&["parked"])
                    .inc_by(body.len() as u64);
                park(conn, &mut cursor, &batch, body.len() as i64, &error, now)?;
                return Ok((0, full));
            }
            let backoff = o
                .backoff_ms
                .saturating_mul(1 << (cursor.attempts - 1).clamp(0, 20))
                .min(MAX_BACKOFF_MS);
            cursor.next_attempt_at = now + backoff;
            cursor.last_error = Some(error);
            store::save_cursor(conn, &cursor)?;
            Ok((lag, false))
        }
    }
}

/// POSTs one batch, signed; `Err` says why it did not count as delivered.
fn post(agent: &ureq::Agent, s: &Settings, body: &[u8]) -> Result<(), String> {
    let timestamp = now_ms();
    let signature = sign::v3(&s.secret, "POST", &s.target_url, body, timestamp);
    let sent = agent
        .post(&s.target_url)
        .set("Content-Type", "application/json")
        .set("X-HubSpot-Signature-v3", &signature)
        .set("X-HubSpot-Request-Timestamp", &timestamp.to_string())
        .set("X-HubSpot-Signature", &sign::v1(&s.secret, body))
        .set("X-HubSpot-Signature-Version", "v1")
        .send_bytes(body);
    match sent {
        Ok(r) if (200..300).contains(&r.status()) => Ok(()),
        Ok(r) => Err(format!("target answered {}", r.status())),
        Err(ureq::Error::Status(code, _)) => Err(format!("target answered {code}")),
        Err(e) => Err(format!("target unreachable: {e}")),
    }
}

/// Gives up on a batch after its retry window: records it and moves on.
fn park(
    conn: &mut Conn,
    cursor: &mut Cursor,
    batch: &[Event],
    n: i64,
    error: &str,
    now: i64,
) -> Result<(), ApiError> {
    let (from, to) = (batch[0].seq, batch[batch.len() - 1].seq);
    conn.write_tx(|tx| {
        with_conn!(tx, c => diesel::insert_into(wp::table)
            .values((
                wp::portal_id.eq(cursor.portal_id),
                wp::app_id.eq(cursor.app_id),
                wp::from_seq.eq(from),
                wp::to_seq.eq(to),
                wp::error.eq(error),
                wp::parked_at.eq(now),
            ))
            .execute(c))?;
        Ok(())
    })?;
    tracing::warn!(app = cursor.app_id, from, to, error, "webhook batch parked");
    cursor.last_seq = to;
    cursor.parked += n;
    cursor.attempts = 0;
    cursor.retry_until = None;
    cursor.last_error = Some(error.to_owned());
    store::save_cursor(conn, cursor)
}
