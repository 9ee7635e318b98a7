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

impl Options {
    /// When a failing delivery gives up: `retry_ms` after its first failure (set now if this
    /// is it), and never later than `retry_ms` after its oldest event, so a target that stays
    /// down cannot fall behind retention.
    pub fn give_up_at(&self, first_failure: &mut Option<i64>, now: i64, oldest: i64) -> i64 {
        (*first_failure.get_or_insert(now + self.retry_ms)).min(oldest + self.retry_ms)
    }

    /// The wait before the next try after `attempts` failures: doubling, at most 5 minutes.
    pub fn backoff(&self, attempts: i32) -> i64 {
        self.backoff_ms
            .saturating_mul(1 << (attempts - 1).clamp(0, 20))
            .min(MAX_BACKOFF_MS)
    }
}

/// A POST's outcome: its 2xx status, or the status (when there was one) and why it does not
/// count as delivered.
pub fn answered(sent: Result<ureq::Response, ureq::Error>) -> Result<u16, (Option<u16>, String)> {
    match sent {
        Ok(r) if (200..300).contains(&r.status()) => Ok(r.status()),
        Ok(r) => Err((Some(r.status()), format!("target answered {}", r.status()))),
        Err(ureq::Error::Status(code, _)) => Err((Some(code), format!("target answered {code}"))),
        Err(e) => Err((None, format!("target unreachable: {e}"))),
    }
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
            match pass(&pool, &agent, &ids, &options, &leader) {
                Ok(more) => busy = more,
                Err(e) => tracing::warn!(error = %e, "webhook delivery pass failed"),
            }
        }
    });
}

/// Apps served at once in a pass (each POST holds a thread, never a database connection).
const PARALLEL: usize = 8;

/// A pass's shared context.
struct Ctx<'a> {
    pool: &'a db::Pool,
    agent: &'a ureq::Agent,
    ids: &'a TypeIds,
    o: &'a Options,
    leader: &'a Leader,
    now: i64,
}

impl Ctx<'_> {
    fn conn(&self) -> Result<db::PooledConn, ApiError> {
        self.pool.get().map_err(|_| ApiError::Unavailable)
    }
}

/// One pass: one batch for each app that is due, up to [`PARALLEL`] apps at once; whether some
/// app moved past a full batch (so more may be waiting).
fn pass(
    pool: &db::Pool,
    agent: &ureq::Agent,
    ids: &TypeIds,
    o: &Options,
    leader: &Leader,
) -> Result<bool, ApiError> {
    let now = now_ms();
    let ctx = Ctx {
        pool,
        agent,
        ids,
        o,
        leader,
        now,
    };
    let apps = store::deliverable(&mut *ctx.conn()?)?;
    let lag = AtomicI64::new(0);
    let more = std::sync::atomic::AtomicBool::new(false);
    for chunk in apps.chunks(PARALLEL) {
        std::thread::scope(|scope| {
            for (settings, subs, cursor) in chunk {
                let (lag, more, ctx) = (&lag, &more, &ctx);
                scope.spawn(move || match one(ctx, settings, subs, cursor.clone()) {
                    Ok((l, full)) => {
                        lag.fetch_max(l, Ordering::Relaxed);
                        if full {
                            more.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, app = settings.app_id, "webhook delivery"),
                });
            }
        });
    }
    if super::pipedrive::pass(pool, agent, o, leader)? {
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
/// moved past a full batch. No database connection is held while the target answers, and the
/// cursor moves only if this instance still leads and no one moved it meanwhile.
fn one(
    ctx: &Ctx<'_>,
    settings: &Settings,
    subs: &[Subscription],
    cursor: Cursor,
) -> Result<(i64, bool), ApiError> {
    let now = ctx.now;
    let portal = PortalId(settings.portal_id);
    let batch = events::after(
        &mut *ctx.conn()?,
        portal,
        cursor.last_seq,
        BATCH,
        &Filter::default(),
    )?;
    let Some(last) = batch.last().map(|e| e.seq) else {
        return Ok((0, false));
    };
    let full = batch.len() as i64 == BATCH;
    let lag = now - batch[0].occurred_at;
    if cursor.next_attempt_at > now {
        return Ok((lag, false));
    }
    let from = cursor.last_seq;
    let mut next = cursor.clone();
    let body: Vec<serde_json::Value> = batch
        .iter()
        .filter_map(|e| {
            payload::matching(subs, e, ctx.ids)
                .map(|s| payload::hubspot(e, ctx.ids, Some((s, cursor.attempts))))
        })
        .collect();
    let m = crate::metrics::get();
    let sent = if body.is_empty() {
        Ok(())
    } else {
        post(
            ctx.agent,
            settings,
            &serde_json::to_vec(&body).unwrap_or_default(),
        )
    };
    let n = body.len() as u64;
    let outcome = match sent {
        Ok(()) => {
            m.webhook_events.with_label_values(&["delivered"]).inc_by(n);
            next.last_seq = last;
            next.delivered += n as i64;
            next.attempts = 0;
            next.retry_until = None;
            next.last_error = None;
            Ok((0, full))
        }
        Err(error) => {
            m.webhook_events.with_label_values(&["failed"]).inc_by(n);
            next.attempts += 1;
            let oldest = batch[0].occurred_at;
            if now >= ctx.o.give_up_at(&mut next.retry_until, now, oldest) {
                m.webhook_events.with_label_values(&["parked"]).inc_by(n);
                tracing::warn!(app = next.app_id, from, last, error, "webhook batch parked");
                next.last_seq = last;
                next.parked += n as i64;
                next.attempts = 0;
                next.retry_until = None;
                next.last_error = Some(error.clone());
                let mut conn = ctx.conn()?;
                if ctx.leader.is_leader() {
                    park(&mut conn, &next, (from, &batch, &error), now)?;
                }
                return Ok((0, full));
            }
            next.next_attempt_at = now + ctx.o.backoff(next.attempts);
            next.last_error = Some(error);
            Ok((lag, false))
        }
    };
    if ctx.leader.is_leader() {
        store::save_cursor(&mut *ctx.conn()?, &next, from)?;
    }
    outcome
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
    answered(sent).map(|_| ()).map_err(|(_, why)| why)
}

/// Gives up on a batch after its retry window: records it and moves the cursor past it, in
/// one transaction.
fn park(
    conn: &mut Conn,
    next: &Cursor,
    (from, batch, error): (i64, &[Event], &str),
    now: i64,
) -> Result<(), ApiError> {
    let (first, last) = (batch[0].seq, batch[batch.len() - 1].seq);
    conn.write_tx(|tx| {
        if store::save_cursor_in(tx, next, from)? {
            with_conn!(tx, c => diesel::insert_into(wp::table)
                .values((
                    wp::portal_id.eq(next.portal_id),
                    wp::app_id.eq(next.app_id),
                    wp::from_seq.eq(first),
                    wp::to_seq.eq(last),
                    wp::error.eq(error),
                    wp::parked_at.eq(now),
                ))
                .execute(c))?;
        }
        Ok(())
    })
}
