//! Tokens at rest: created, looked up by hash, listed, revoked, rotated, stamped with their last
//! use. Every change that makes a cached token wrong bumps the `tokens` version in its
//! transaction, so every instance drops its cache within one poll.

use super::{generate_token, hash_token, Principal};
use crate::db::schema::api_tokens as t;
use crate::db::{cluster, with_conn, Conn};
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use crate::portals::ensure_portal;
use diesel::prelude::*;

/// Stores a token's hash for a portal (created if missing). `expires_at`: epoch ms, or never.
pub fn store_token(
    conn: &mut Conn,
    portal: PortalId,
    name: &str,
    token: &str,
    scopes: &[String],
    user_id: i64,
    expires_at: Option<i64>,
) -> Result<i64, ApiError> {
    conn.write_tx(|tx| store_token_in(tx, portal, name, token, scopes, user_id, expires_at))
}

/// As [`store_token`], inside the caller's write transaction.
pub fn store_token_in(
    tx: &mut Conn,
    portal: PortalId,
    name: &str,
    token: &str,
    scopes: &[String],
    user_id: i64,
    expires_at: Option<i64>,
) -> Result<i64, ApiError> {
    let hash = hash_token(token);
    let scopes = scopes.join(",");
    {
        ensure_portal(tx, portal, &format!("portal {}", portal.0))?;
        // A secret a rotation retired stays retired: storing it again (a restart with the old
        // bootstrap token) does not bring it back.
        let retired: Option<i64> = with_conn!(tx, c => t::table
            .filter(t::previous_hash.eq(&hash))
            .select(t::id)
            .first(c)
            .optional())?;
        if let Some(id) = retired {
            tracing::warn!("token {id} was rotated away from this secret; it is not stored again");
            return Ok(id);
        }
        // A token stored again (the bootstrap token at every start) keeps its row, name and any
        // revocation: restarting with a revoked bootstrap token does not revive it.
        let id = with_conn!(tx, c => diesel::insert_into(t::table)
            .values((
                t::portal_id.eq(portal.0),
                t::name.eq(name),
                t::token_hash.eq(&hash),
                t::scopes.eq(&scopes),
                t::created_at.eq(now_ms()),
                t::user_id.eq(user_id),
                t::expires_at.eq(expires_at),
            ))
            .on_conflict(t::token_hash)
            .do_update()
            .set((
                t::portal_id.eq(portal.0),
                t::scopes.eq(&scopes),
                t::user_id.eq(user_id),
            ))
            .returning(t::id)
            .get_result(c))?;
        cluster::bump(tx, cluster::TOKENS)?;
        Ok(id)
    }
}

/// Creates a new random token and returns it (the only time it is ever visible) with its id.
pub fn create_token(
    conn: &mut Conn,
    portal: PortalId,
    name: &str,
    scopes: &[String],
    user_id: i64,
    expires_at: Option<i64>,
) -> Result<(i64, String), ApiError> {
    let token = generate_token();
    let id = store_token(conn, portal, name, &token, scopes, user_id, expires_at)?;
    Ok((id, token))
}

/// As [`create_token`], inside the caller's write transaction.
pub fn create_token_in(
    tx: &mut Conn,
    portal: PortalId,
    name: &str,
    scopes: &[String],
    user_id: i64,
) -> Result<(i64, String), ApiError> {
    let token = generate_token();
    let id = store_token_in(tx, portal, name, &token, scopes, user_id, None)?;
    Ok((id, token))
}

pub fn count_tokens(conn: &mut Conn) -> Result<i64, ApiError> {
    Ok(with_conn!(conn, c => t::table.count().get_result(c))?)
}

type Row = (
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// Resolves a presented token: its principal and until when it is valid (`None`: no expiry).
/// The lookup is by hash, so the secret itself never meets SQL. A revoked or expired token,
/// and a rotated token's old secret after its grace period, resolve to nothing.
pub fn lookup(conn: &mut Conn, token: &str) -> Result<Option<(Principal, Option<i64>)>, ApiError> {
    let hash = hash_token(token);
    let row: Option<Row> = with_conn!(conn, c => t::table
        .filter(t::token_hash.eq(&hash).or(t::previous_hash.eq(&hash)))
        .filter(t::revoked_at.is_null())
        .select((
            t::id,
            t::portal_id,
            t::scopes,
            t::user_id,
            t::expires_at,
            t::previous_hash,
            t::previous_expires_at,
        ))
        .first(c)
        .optional())?;
    let Some((id, portal, scopes, user_id, expires, previous, previous_until)) = row else {
        return Ok(None);
    };
    // The old secret of a rotation is valid until its grace ends (and never past the token's).
    let until = if previous.as_deref() == Some(hash.as_str()) {
        let grace = previous_until.unwrap_or(0);
        Some(expires.map_or(grace, |e| e.min(grace)))
    } else {
        expires
    };
    if until.is_some_and(|u| u <= now_ms()) {
        return Ok(None);
    }
    let principal = Principal {
        token_id: id,
        portal: PortalId(portal),
        scopes: scopes.split(',').map(str::to_owned).collect(),
        user_id,
        clock: crate::portals::clock::clock(conn, PortalId(portal))?,
    };
    Ok(Some((principal, until)))
}

/// A token as `token list` shows it: never its secret or hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub portal: i64,
    pub scopes: String,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// Until when the previous secret of a rotation is still accepted.
    pub previous_valid_until: Option<i64>,
}

/// Every token (of one portal, when given), oldest first.
pub fn list_tokens(conn: &mut Conn, portal: Option<PortalId>) -> Result<Vec<TokenInfo>, ApiError> {
    type Listed = (
        i64,
        String,
        i64,
        String,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Listed> = with_conn!(conn, c => {
        let mut q = t::table.into_boxed();
        if let Some(p) = portal {
            q = q.filter(t::portal_id.eq(p.0));
        }
        q.order(t::id)
            .select((
                t::id,
                t::name,
                t::portal_id,
                t::scopes,
                t::user_id,
                t::created_at,
                t::expires_at,
                t::revoked_at,
                t::last_used_at,
                t::previous_expires_at,
            ))
            .load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            id: r.0,
            name: r.1,
            portal: r.2,
            scopes: r.3,
            user_id: r.4,
            created_at: r.5,
            expires_at: r.6,
            revoked_at: r.7,
            last_used_at: r.8,
            previous_valid_until: r.9,
        })
        .collect())
}

/// Revokes a token at once; false when there is no such token. Revoking twice keeps the first
/// time.
pub fn revoke_token(conn: &mut Conn, id: i64) -> Result<bool, ApiError> {
    let now = now_ms();
    let found = conn.write_tx(|tx| {
        let n = with_conn!(tx, c => diesel::update(t::table.filter(t::id.eq(id)))
            .set(t::revoked_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
            >(&format!("COALESCE(revoked_at, {now})"))))
            .execute(c))?;
        cluster::bump(tx, cluster::TOKENS)?;
        Ok(n == 1)
    })?;
    Ok(found)
}

/// Gives a live token a new secret and returns it. The old secret stays valid for `grace_ms`
/// (0: not at all). A revoked token cannot be rotated: `Ok(None)` as for a missing one.
pub fn rotate_token(conn: &mut Conn, id: i64, grace_ms: i64) -> Result<Option<String>, ApiError> {
    let token = generate_token();
    let hash = hash_token(&token);
    let now = now_ms();
    conn.write_tx(|tx| {
        let old: Option<String> = with_conn!(tx, c => t::table
            .filter(t::id.eq(id))
            .filter(t::revoked_at.is_null())
            .select(t::token_hash)
            .first(c)
            .optional())?;
        let Some(old) = old else { return Ok(None) };
        // The old secret is kept (hashed) even without grace, so it is never stored again as
        // a new token; it is accepted only until `previous_expires_at`.
        let (previous, until) = (Some(old), Some(now + grace_ms.max(0)));
        with_conn!(tx, c => diesel::update(t::table.filter(t::id.eq(id)))
            .set((
                t::token_hash.eq(&hash),
                t::previous_hash.eq(previous),
                t::previous_expires_at.eq(until),
            ))
            .execute(c))?;
        cluster::bump(tx, cluster::TOKENS)?;
        Ok(Some(token.clone()))
    })
}

/// Stamps tokens' last use (`(id, epoch ms)`), one statement per token; a later stamp never
/// goes back in time. Called every few seconds with what the instance saw since.
pub fn touch_tokens(conn: &mut Conn, used: &[(i64, i64)]) -> Result<(), ApiError> {
    conn.write_tx(|tx| {
        for &(id, at) in used {
            with_conn!(tx, c => diesel::update(
                t::table
                    .filter(t::id.eq(id))
                    .filter(t::last_used_at.is_null().or(t::last_used_at.lt(at))),
            )
            .set(t::last_used_at.eq(at))
            .execute(c))?;
        }
        Ok(())
    })
}
