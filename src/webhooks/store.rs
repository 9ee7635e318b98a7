//! Webhook settings and subscriptions per portal and app, as HubSpot's webhooks API manages
//! them, and each app's delivery cursor.

use crate::db::schema::{
    webhook_cursors as wc, webhook_settings as ws, webhook_subscriptions as wsub,
};
use crate::db::{with_conn, Conn};
use crate::engine::store::PortalId;
use crate::error::ApiError;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ws)]
pub struct Settings {
    pub portal_id: i64,
    pub app_id: i64,
    pub target_url: String,
    pub max_concurrent: i32,
    pub period: String,
    pub secret: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wsub)]
pub struct Subscription {
    pub id: i64,
    pub portal_id: i64,
    pub app_id: i64,
    pub event_type: String,
    pub object_type_id: Option<String>,
    pub property_name: Option<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a new subscription asks for.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub event_type: String,
    pub object_type_id: Option<String>,
    pub property_name: Option<String>,
    pub active: bool,
}

pub fn settings(conn: &mut Conn, portal: PortalId, app: i64) -> Result<Option<Settings>, ApiError> {
    Ok(with_conn!(conn, c => ws::table
        .find((portal.0, app))
        .select(Settings::as_select())
        .first(c)
        .optional())?)
}

/// Creates or changes an app's settings; a new app gets a fresh client secret.
pub fn put_settings(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
    target_url: &str,
    (max_concurrent, period): (i32, &str),
    now: i64,
) -> Result<Settings, ApiError> {
    conn.write_tx(|tx| {
        let secret = uuid::Uuid::new_v4().to_string();
        with_conn!(tx, c => diesel::insert_into(ws::table)
            .values((
                ws::portal_id.eq(portal.0),
                ws::app_id.eq(app),
                ws::target_url.eq(target_url),
                ws::max_concurrent.eq(max_concurrent),
                ws::period.eq(period),
                ws::secret.eq(&secret),
                ws::created_at.eq(now),
                ws::updated_at.eq(now),
            ))
            .on_conflict((ws::portal_id, ws::app_id))
            .do_update()
            .set((
                ws::target_url.eq(target_url),
                ws::max_concurrent.eq(max_concurrent),
                ws::period.eq(period),
                ws::updated_at.eq(now),
            ))
            .execute(c))?;
        let s = settings(tx, portal, app)?
            .ok_or_else(|| ApiError::Internal("settings vanished".into()))?;
        // Delivery starts from here: every event after the target was first set.
        start_cursor(tx, &s)?;
        Ok(s)
    })
}

/// Removes an app's settings and its delivery cursor (its subscriptions stay, paused until a
/// target is set again, which starts delivery afresh from that moment).
pub fn delete_settings(conn: &mut Conn, portal: PortalId, app: i64) -> Result<bool, ApiError> {
    conn.write_tx(|tx| {
        with_conn!(tx, c => diesel::delete(wc::table.find((portal.0, app))).execute(c))?;
        Ok(with_conn!(tx, c => diesel::delete(ws::table.find((portal.0, app))).execute(c))? > 0)
    })
}

pub fn subscriptions(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
) -> Result<Vec<Subscription>, ApiError> {
    Ok(with_conn!(conn, c => wsub::table
        .filter(wsub::portal_id.eq(portal.0))
        .filter(wsub::app_id.eq(app))
        .order(wsub::id.asc())
        .select(Subscription::as_select())
        .load(c))?)
}

pub fn subscription(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
    id: i64,
) -> Result<Option<Subscription>, ApiError> {
    Ok(with_conn!(conn, c => wsub::table
        .filter(wsub::portal_id.eq(portal.0))
        .filter(wsub::app_id.eq(app))
        .filter(wsub::id.eq(id))
        .select(Subscription::as_select())
        .first(c)
        .optional())?)
}

pub fn create_subscription(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
    new: &NewSubscription,
    now: i64,
) -> Result<Subscription, ApiError> {
    conn.write_tx(|tx| {
        Ok(with_conn!(tx, c => diesel::insert_into(wsub::table)
            .values((
                wsub::portal_id.eq(portal.0),
                wsub::app_id.eq(app),
                wsub::event_type.eq(&new.event_type),
                wsub::object_type_id.eq(&new.object_type_id),
                wsub::property_name.eq(&new.property_name),
                wsub::active.eq(new.active),
                wsub::created_at.eq(now),
                wsub::updated_at.eq(now),
            ))
            .returning(Subscription::as_returning())
            .get_result(c))?)
    })
}

/// Sets subscriptions active or not, in one transaction; returns those that exist (an id that
/// is not the app's changes nothing).
pub fn set_active(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
    changes: &[(i64, bool)],
    now: i64,
) -> Result<Vec<Subscription>, ApiError> {
    conn.write_tx(|tx| {
        let mut out = Vec::with_capacity(changes.len());
        for &(id, active) in changes {
            let n = with_conn!(tx, c => diesel::update(wsub::table
                .filter(wsub::portal_id.eq(portal.0))
                .filter(wsub::app_id.eq(app))
                .filter(wsub::id.eq(id)))
                .set((wsub::active.eq(active), wsub::updated_at.eq(now)))
                .execute(c))?;
            if n > 0 {
                out.extend(subscription(tx, portal, app, id)?);
            }
        }
        Ok(out)
    })
}

pub fn delete_subscription(
    conn: &mut Conn,
    portal: PortalId,
    app: i64,
    id: i64,
) -> Result<bool, ApiError> {
    conn.write_tx(|tx| {
        Ok(with_conn!(tx, c => diesel::delete(wsub::table
            .filter(wsub::portal_id.eq(portal.0))
            .filter(wsub::app_id.eq(app))
            .filter(wsub::id.eq(id)))
            .execute(c))?
            > 0)
    })
}

/// Delivery progress of one app in one portal.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wc)]
pub struct Cursor {
    pub portal_id: i64,
    pub app_id: i64,
    pub last_seq: i64,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub retry_until: Option<i64>,
    pub last_error: Option<String>,
    pub delivered: i64,
    pub parked: i64,
}

/// Every app with settings, a cursor and at least one active subscription: three reads
/// however many apps there are (a pass runs every 200 ms).
pub fn deliverable(
    conn: &mut Conn,
) -> Result<Vec<(Settings, Vec<Subscription>, Cursor)>, ApiError> {
    let all: Vec<Settings> =
        with_conn!(conn, c => ws::table.select(Settings::as_select()).load(c))?;
    let mut subs: Vec<Subscription> = with_conn!(conn, c => wsub::table
        .filter(wsub::active.eq(true))
        .order(wsub::id.asc())
        .select(Subscription::as_select())
        .load(c))?;
    let cursors: Vec<Cursor> =
        with_conn!(conn, c => wc::table.select(Cursor::as_select()).load(c))?;
    let mut out = Vec::new();
    for s in all {
        let key = (s.portal_id, s.app_id);
        let (mine, rest): (Vec<_>, Vec<_>) = subs
            .into_iter()
            .partition(|x| (x.portal_id, x.app_id) == key);
        subs = rest;
        // Every target has a cursor from the moment it is set (`put_settings`).
        let cursor = cursors.iter().find(|c| (c.portal_id, c.app_id) == key);
        if let (false, Some(cursor)) = (mine.is_empty(), cursor) {
            out.push((s, mine, cursor.clone()));
        }
    }
    Ok(out)
}

/// An app's delivery cursor, if its target was ever set.
pub fn cursor(conn: &mut Conn, portal: PortalId, app: i64) -> Result<Option<Cursor>, ApiError> {
    Ok(with_conn!(conn, c => wc::table
        .find((portal.0, app))
        .select(Cursor::as_select())
        .first(c)
        .optional())?)
}

/// Makes an app's cursor at the portal's latest event, unless it has one; in the caller's
/// write transaction.
fn start_cursor(tx: &mut Conn, s: &Settings) -> Result<Cursor, ApiError> {
    use crate::db::schema::event_sequences as es;
    let last: Option<i64> = with_conn!(tx, c => es::table
        .find(s.portal_id)
        .select(es::last)
        .first(c)
        .optional())?;
    with_conn!(tx, c => diesel::insert_into(wc::table)
        .values((
            wc::portal_id.eq(s.portal_id),
            wc::app_id.eq(s.app_id),
            wc::last_seq.eq(last.unwrap_or(0)),
            wc::attempts.eq(0),
            wc::next_attempt_at.eq(0),
            wc::delivered.eq(0),
            wc::parked.eq(0),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(with_conn!(tx, c => wc::table
        .find((s.portal_id, s.app_id))
        .select(Cursor::as_select())
        .first(c))?)
}

/// Saves a cursor's progress, if it is still where this delivery found it (`from`): another
/// instance that took over delivery may have moved it, and a cursor never moves back.
pub fn save_cursor(conn: &mut Conn, k: &Cursor, from: i64) -> Result<bool, ApiError> {
    conn.write_tx(|tx| save_cursor_in(tx, k, from))
}

/// As [`save_cursor`], in the caller's write transaction.
pub fn save_cursor_in(tx: &mut Conn, k: &Cursor, from: i64) -> Result<bool, ApiError> {
    let n = with_conn!(tx, c => diesel::update(wc::table
        .filter(wc::portal_id.eq(k.portal_id))
        .filter(wc::app_id.eq(k.app_id))
        .filter(wc::last_seq.eq(from)))
        .set((
            wc::last_seq.eq(k.last_seq),
            wc::attempts.eq(k.attempts),
            wc::next_attempt_at.eq(k.next_attempt_at),
            wc::retry_until.eq(k.retry_until),
            wc::last_error.eq(&k.last_error),
            wc::delivered.eq(k.delivered),
            wc::parked.eq(k.parked),
        ))
        .execute(c))?;
    Ok(n > 0)
}
