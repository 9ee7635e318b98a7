//! Pipedrive's webhooks (`/v1/webhooks`): each sends the portal's Pipedrive goal events
//! (`pipedrive::events`) to its URL in Pipedrive's payload shape, v1 (`meta`, `current`,
//! `previous`, `event`) or v2 (`meta`, `data`, `previous`), one POST per event, in order, with
//! basic auth when set. Each has its own cursor and the same retry and parking rules as
//! HubSpot's webhooks; delivery runs in the same thread (`deliver`).

use super::deliver::Options;
use crate::db::schema::pipedrive_webhooks as pw;
use crate::db::{with_conn, Conn};
use crate::engine::events::{self, Event, Filter};
use crate::engine::store::PortalId;
use crate::engine::value::{format_ms, now_ms};
use crate::error::ApiError;
use crate::pipedrive::events::{ADDED, DELETED, UPDATED};
use base64::Engine;
use diesel::prelude::*;
use serde_json::{json, Value};

pub const ACTIONS: &[&str] = &[
    "added", "updated", "deleted", "merged", "create", "change", "delete", "*",
];
pub const OBJECTS: &[&str] = &[
    "activity",
    "deal",
    "goal",
    "lead",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
    "*",
];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pw)]
pub struct Hook {
    pub id: i64,
    pub portal_id: i64,
    pub subscription_url: String,
    pub event_action: String,
    pub event_object: String,
    pub user_id: i64,
    pub http_auth_user: Option<String>,
    pub http_auth_password: Option<String>,
    pub version: String,
    pub add_time: i64,
    pub last_seq: i64,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub retry_until: Option<i64>,
    pub last_error: Option<String>,
    pub last_delivery_time: Option<i64>,
    pub last_http_status: Option<i32>,
}

/// What a new webhook asks for (validated by the caller).
pub struct NewHook {
    pub url: String,
    pub action: String,
    pub object: String,
    pub user_id: i64,
    pub auth: (Option<String>, Option<String>),
    pub version: String,
}

/// Pipedrive's `BaseWebhook`; the password is never shown back.
pub fn render(h: &Hook) -> Value {
    let time = |ms: i64| format_ms(ms).replace('T', " ")[..19].to_owned();
    json!({
        "id": h.id, "company_id": h.portal_id, "owner_id": h.user_id, "user_id": h.user_id,
        "admin_id": h.user_id, "event_action": h.event_action, "event_object": h.event_object,
        "subscription_url": h.subscription_url, "version": h.version, "is_active": 1,
        "add_time": time(h.add_time), "remove_time": null, "remove_reason": null, "type": "general",
        "http_auth_user": h.http_auth_user, "http_auth_password": h.http_auth_password.as_ref().map(|_| "******"),
        "last_delivery_time": h.last_delivery_time.map(time), "last_http_status": h.last_http_status,
        "name": null,
    })
}

pub fn list(conn: &mut Conn, portal: PortalId) -> Result<Vec<Hook>, ApiError> {
    Ok(with_conn!(conn, c => pw::table
        .filter(pw::portal_id.eq(portal.0))
        .order(pw::id.asc())
        .select(Hook::as_select())
        .load(c))?)
}

/// Adds a webhook; it gets the portal's events from now on.
pub fn add(conn: &mut Conn, portal: PortalId, new: &NewHook) -> Result<Hook, ApiError> {
    use crate::db::schema::event_sequences as es;
    conn.write_tx(|tx| {
        let last: Option<i64> = with_conn!(tx, c => es::table
            .find(portal.0)
            .select(es::last)
            .first(c)
            .optional())?;
        Ok(with_conn!(tx, c => diesel::insert_into(pw::table)
            .values((
                pw::portal_id.eq(portal.0),
                pw::subscription_url.eq(&new.url),
                pw::event_action.eq(&new.action),
                pw::event_object.eq(&new.object),
                pw::user_id.eq(new.user_id),
                pw::http_auth_user.eq(&new.auth.0),
                pw::http_auth_password.eq(&new.auth.1),
                pw::version.eq(&new.version),
                pw::add_time.eq(now_ms()),
                pw::last_seq.eq(last.unwrap_or(0)),
                pw::attempts.eq(0),
                pw::next_attempt_at.eq(0),
            ))
            .returning(Hook::as_returning())
            .get_result(c))?)
    })
}

pub fn delete(conn: &mut Conn, portal: PortalId, id: i64) -> Result<bool, ApiError> {
    conn.write_tx(|tx| {
        Ok(with_conn!(tx, c => diesel::delete(pw::table
            .filter(pw::portal_id.eq(portal.0))
            .filter(pw::id.eq(id)))
            .execute(c))?
            > 0)
    })
}

/// Whether a webhook wants this goal event.
fn wants(h: &Hook, e: &Event) -> bool {
    let action = match e.event_type.as_str() {
        ADDED => ["added", "create"],
        UPDATED => ["updated", "change"],
        DELETED => ["deleted", "delete"],
        _ => return false,
    };
    (h.event_object == "goal" || h.event_object == "*")
        && (h.event_action == "*" || action.contains(&h.event_action.as_str()))
}

/// One goal event in Pipedrive's payload shape for the webhook's version.
pub fn payload(h: &Hook, e: &Event, host: &str) -> Value {
    let d: Value = e
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let (v1, v2) = match e.event_type.as_str() {
        ADDED => ("added", "create"),
        UPDATED => ("updated", "change"),
        _ => ("deleted", "delete"),
    };
    let user = d["userId"].clone();
    if h.version == "1.0" {
        return json!({
            "v": 1, "matches_filters": {"current": [], "previous": []},
            "meta": {"v": 1, "action": v1, "object": "goal", "id": d["goalId"], "company_id": e.portal_id,
                     "user_id": user, "host": host, "timestamp": e.occurred_at / 1000,
                     "timestamp_milli": e.occurred_at, "permitted_user_ids": [user], "trans_pending": false,
                     "is_bulk_update": false, "webhook_id": h.id.to_string(), "type": "general",
                     "event_id": e.id},
            "retry": h.attempts, "current": d["current"], "previous": d["previous"],
            "indexable_fields": [], "event": format!("{v1}.goal"),
        });
    }
    // v2: `previous` holds only the fields that changed, with their old values.
    let previous = match (&d["previous"], &d["current"]) {
        (Value::Object(p), Value::Object(c)) => Value::Object(
            p.iter()
                .filter(|(k, v)| c.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        (p, _) => p.clone(),
    };
    json!({
        "meta": {"action": v2, "entity": "goal", "entity_id": d["goalId"], "id": e.id.to_string(),
                 "company_id": e.portal_id, "user_id": user, "correlation_id": e.id.to_string(),
                 "is_bulk_edit": false, "timestamp": format_ms(e.occurred_at), "type": "general",
                 "version": "2.0", "webhook_id": h.id.to_string(), "webhook_owner_id": h.user_id,
                 "attempt": h.attempts + 1, "host": host, "change_source": "api",
                 "permitted_user_ids": [user]},
        "data": d["current"],
        "previous": previous,
    })
}

/// Delivers each due webhook's next events, in order, one POST each; stops a webhook at its
/// first failure (retried after back-off). No database connection is held while a target
/// answers; progress is saved only while this instance leads and the webhook's cursor is where
/// this pass found it. Returns whether some webhook read a full batch.
pub fn pass(
    pool: &crate::db::Pool,
    agent: &ureq::Agent,
    o: &Options,
    leader: &crate::jobs::Leader,
) -> Result<bool, ApiError> {
    let conn = || pool.get().map_err(|_| ApiError::Unavailable);
    let hooks: Vec<Hook> =
        with_conn!(&mut *conn()?, c => pw::table.select(Hook::as_select()).load(c))?;
    let now = now_ms();
    let mut more = false;
    for mut h in hooks.into_iter().filter(|h| h.next_attempt_at <= now) {
        let filter = Filter {
            prefix: Some("goal."),
            ..Filter::default()
        };
        let from = h.last_seq;
        let batch = events::after(&mut *conn()?, PortalId(h.portal_id), from, 100, &filter)?;
        more |= batch.len() == 100;
        for e in &batch {
            if wants(&h, e) {
                let body = payload(&h, e, "goalpost").to_string();
                match post(agent, &h, body.as_bytes()) {
                    Ok(status) => {
                        h.last_http_status = Some(status);
                        h.last_delivery_time = Some(now_ms());
                    }
                    Err((status, error)) => {
                        h.last_http_status = status;
                        failed(&mut h, error, (now, e), o);
                        break;
                    }
                }
            }
            h.last_seq = e.seq;
            h.attempts = 0;
            h.retry_until = None;
        }
        if leader.is_leader() {
            save(&mut *conn()?, &h, from)?;
        }
    }
    Ok(more)
}

/// A failed POST: back off, or past the retry window, skip the event (it stays in the
/// journal).
fn failed(h: &mut Hook, error: String, (now, e): (i64, &Event), o: &Options) {
    h.attempts += 1;
    let seq = e.seq;
    if now >= o.give_up_at(&mut h.retry_until, now, e.occurred_at) {
        tracing::warn!(webhook = h.id, error, "Pipedrive webhook event given up");
        h.attempts = 0;
        h.retry_until = None;
        h.last_seq = seq;
    } else {
        h.next_attempt_at = now + o.backoff(h.attempts);
    }
    h.last_error = Some(error);
}

fn post(agent: &ureq::Agent, h: &Hook, body: &[u8]) -> Result<i32, (Option<i32>, String)> {
    let mut req = agent
        .post(&h.subscription_url)
        .set("Content-Type", "application/json");
    if let Some(user) = &h.http_auth_user {
        let pair = format!("{user}:{}", h.http_auth_password.as_deref().unwrap_or(""));
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        req = req.set("Authorization", &format!("Basic {basic}"));
    }
    super::deliver::answered(req.send_bytes(body))
        .map(i32::from)
        .map_err(|(status, why)| (status.map(i32::from), why))
}

fn save(conn: &mut Conn, h: &Hook, from: i64) -> Result<(), ApiError> {
    conn.write_tx(|tx| {
        with_conn!(tx, c => diesel::update(pw::table.find(h.id).filter(pw::last_seq.eq(from)))
            .set((
                pw::last_seq.eq(h.last_seq),
                pw::attempts.eq(h.attempts),
                pw::next_attempt_at.eq(h.next_attempt_at),
                pw::retry_until.eq(h.retry_until),
                pw::last_error.eq(&h.last_error),
                pw::last_delivery_time.eq(h.last_delivery_time),
                pw::last_http_status.eq(h.last_http_status),
            ))
            .execute(c))?;
        Ok(())
    })
}
