//! Tokens and scopes. Tokens are random, shown once, and stored only as SHA-256
//! hashes; each belongs to one portal and carries scopes.

mod cache;
mod tokens;

pub use cache::{Cached, TokenCache};
pub use tokens::{
    count_tokens, create_token, create_token_in, list_tokens, lookup, revoke_token, rotate_token,
    store_token, touch_tokens, TokenInfo,
};

use crate::engine::store::PortalId;
use crate::error::ApiError;
use rand::RngCore;
use sha2::{Digest, Sha256};

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
    "crm.objects.owners.read",
    "goalpost.metrics.read",
    "goalpost.events.read",
    // The test control plane (served only in test mode).
    "goalpost.test",
    "goalpost.webhooks.read",
    "goalpost.webhooks.write",
    "goalpost.quotas.read",
    "goalpost.quotas.write",
];

/// Who is calling: the token's portal, scopes, and the Pipedrive user it acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's row id (what `token list` shows and `token revoke` takes).
    pub token_id: i64,
    pub portal: PortalId,
    pub scopes: Vec<String>,
    pub user_id: i64,
    /// Its portal's clock, so a handler's "now" is the portal's without a query.
    pub clock: crate::portals::Clock,
}

/// The user a token acts as when none was given: the portal's first user (its admin).
pub const DEFAULT_USER: i64 = 1;

impl Principal {
    /// Now, by the portal's clock (real time unless a test moved it).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

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
