//! Tokens and scopes. Tokens are random, shown once, and stored only as SHA-256
//! hashes; each belongs to one portal and carries scopes.

use crate::db::schema::api_tokens;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use crate::portals::ensure_portal;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;

/// Every scope goalpost knows. A bootstrap token carries all of them.
pub const ALL_SCOPES: &[&str] = &[
    "crm.objects.goals.read",
    "crm.objects.goals.write",
    "crm.schemas.goals.read",
    "crm.schemas.goals.write",
    "goals:read",
    "goals:full",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.activities.read",
    "crm.objects.activities.write",
];

/// Who is calling: the token's portal, scopes, and the Pipedrive user it acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub portal: PortalId,
    pub scopes: Vec<String>,
    pub user_id: i64,
}

/// The user a token acts as when none was given: the portal's first user (its admin).
pub const DEFAULT_USER: i64 = 1;

impl Principal {
    /// Succeeds when the token holds at least one of `any_of`.
    pub fn require(&self, any_of: &[&str]) -> Result<(), ApiError> {
        if any_of.iter().any(|s| self.scopes.iter().any(|h| h == s)) {
            Ok(())
        } else {
            Err(ApiError::MissingScopes(
                any_of.iter().map(|s| s.to_string()).collect(),
            ))
        }
    }
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: 32 random bytes, hex, with a recognisable prefix.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("gp_{}", hex::encode(bytes))
}

/// Checks a scope list given on the command line.
pub fn parse_scopes(list: &str) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err("give at least one scope".into());
    }
    match scopes.iter().find(|s| !ALL_SCOPES.contains(&s.as_str())) {
        Some(bad) => Err(format!(
            "unknown scope {bad:?}; known scopes: {}",
            ALL_SCOPES.join(",")
        )),
        None => Ok(scopes),
    }
}

/// Stores a token's hash for a portal (created if missing).
pub fn store_token(
    conn: &mut Conn,
    portal: PortalId,
    name: &str,
    token: &str,
    scopes: &[String],
    user_id: i64,
) -> Result<(), ApiError> {
    ensure_portal(conn, portal, &format!("portal {}", portal.0))?;
    let hash = hash_token(token);
    let scopes = scopes.join(",");
    // A token stored again (the bootstrap token at every start) keeps its row and name.
    with_conn!(conn, c => diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::portal_id.eq(portal.0),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(&hash),
            api_tokens::scopes.eq(&scopes),
            api_tokens::created_at.eq(now_ms()),
            api_tokens::user_id.eq(user_id),
        ))
        .on_conflict(api_tokens::token_hash)
        .do_update()
        .set((
            api_tokens::portal_id.eq(portal.0),
            api_tokens::scopes.eq(&scopes),
            api_tokens::user_id.eq(user_id),
        ))
        .execute(c))?;
    Ok(())
}

/// Creates a new random token and returns it (the only time it is ever visible).
pub fn create_token(
    conn: &mut Conn,
    portal: PortalId,
    name: &str,
    scopes: &[String],
    user_id: i64,
) -> Result<String, ApiError> {
    let token = generate_token();
    store_token(conn, portal, name, &token, scopes, user_id)?;
    Ok(token)
}

pub fn count_tokens(conn: &mut Conn) -> Result<i64, ApiError> {
    Ok(with_conn!(conn, c => api_tokens::table.count().get_result(c))?)
}

/// Resolves a presented token. The lookup is by hash, so the secret itself never meets SQL.
pub fn lookup(conn: &mut Conn, token: &str) -> Result<Option<Principal>, ApiError> {
    let hash = hash_token(token);
    let row: Option<(i64, String, i64)> = with_conn!(conn, c => api_tokens::table
        .filter(api_tokens::token_hash.eq(&hash))
        .select((api_tokens::portal_id, api_tokens::scopes, api_tokens::user_id))
        .first(c)
        .optional())?;
    Ok(row.map(|(portal, scopes, user_id)| Principal {
        portal: PortalId(portal),
        scopes: scopes.split(',').map(str::to_owned).collect(),
        user_id,
    }))
}

/// Resolved tokens, keyed by hash so the secrets themselves are not kept. Tokens are never
/// changed in place while the server runs, so entries stay true; the cache is bounded.
#[derive(Default)]
pub struct TokenCache(RwLock<HashMap<String, Principal>>);

const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    pub fn get(&self, token: &str) -> Option<Principal> {
        let key = hash_token(token);
        self.0.read().ok()?.get(&key).cloned()
    }

    pub fn put(&self, token: String, principal: Principal) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= TOKEN_CACHE_MAX {
                map.clear();
            }
            map.insert(hash_token(&token), principal);
        }
    }
}
