//! Owners: the people (and queues) goals and deals are assigned to, kept as the `owners`
//! lookup (id, e-mail, name, user id) and served as HubSpot's Owners API v3 objects, so clients
//! can resolve `hubspot_owner_id`, and imports can name assignees by e-mail. An owner's teams
//! are the `teams` records that list its user id (its owner id when it has none).

use super::lookups;
use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use serde_json::{json, Value};

/// One owner as stored.
#[derive(Debug, Clone)]
pub struct Owner {
    pub id: i64,
    pub doc: PropsDoc,
}

impl Owner {
    fn text(&self, field: &str) -> Option<&str> {
        self.doc.0.get(field).and_then(Value::as_str)
    }

    pub fn email(&self) -> Option<&str> {
        self.text("email")
    }

    /// The user id team lists name it by.
    pub fn user_id(&self) -> i64 {
        self.doc
            .0
            .get("user_id")
            .and_then(Value::as_i64)
            .unwrap_or(self.id)
    }

    pub fn archived(&self) -> bool {
        self.doc.0.get("archived").and_then(Value::as_bool) == Some(true)
    }

    /// HubSpot's `PublicOwner`; `teams`: (id, name) of the teams listing it, in id order
    /// (the first is its primary team).
    pub fn public(&self, teams: &[(i64, String)]) -> Value {
        let at = |f: &str| self.doc.0.get(f).and_then(Value::as_i64).unwrap_or(0);
        let user = self.doc.0.get("user_id").and_then(Value::as_i64);
        let teams: Vec<Value> = teams
            .iter()
            .enumerate()
            .map(|(i, (id, name))| json!({"id": id.to_string(), "name": name, "primary": i == 0}))
            .collect();
        let mut out = json!({
            "id": self.id.to_string(),
            "type": self.text("type").unwrap_or("PERSON"),
            "createdAt": format_ms(at("created_at")),
            "updatedAt": format_ms(at("updated_at")),
            "archived": self.archived(),
            "teams": teams,
        });
        for (field, name) in [
            ("email", "email"),
            ("first_name", "firstName"),
            ("last_name", "lastName"),
        ] {
            if let Some(v) = self.text(field) {
                out[name] = json!(v);
            }
        }
        // As HubSpot shows a deactivated user: no userId, the id kept in
        // userIdIncludingInactive.
        out["userId"] = if self.archived() {
            Value::Null
        } else {
            json!(user)
        };
        out["userIdIncludingInactive"] = json!(user);
        out
    }
}

/// What the lookup's field types cannot say: an e-mail address, and HubSpot's owner types.
pub fn check(doc: &PropsDoc) -> Result<(), ApiError> {
    let email = doc
        .0
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(ApiError::bad_request(format!(
            "Invalid owners record: email {email:?} is not an e-mail address"
        )));
    }
    match doc.0.get("type").and_then(Value::as_str) {
        None | Some("PERSON") | Some("QUEUE") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid owners record: type must be PERSON or QUEUE, not {other:?}"
        ))),
    }
}

/// Every owner of a portal, by id.
pub fn all(conn: &mut Conn, portal: PortalId) -> Result<Vec<Owner>, ApiError> {
    Ok(lookups::list(conn, portal, "owners")?
        .into_iter()
        .map(|(id, doc)| Owner { id, doc })
        .collect())
}

/// The teams of each owner: (team id, name), in team id order.
pub fn teams_of(
    conn: &mut Conn,
    portal: PortalId,
    owners: &[Owner],
) -> Result<Vec<Vec<(i64, String)>>, ApiError> {
    let teams = lookups::list(conn, portal, "teams")?;
    Ok(owners
        .iter()
        .map(|o| {
            let user = o.user_id();
            teams
                .iter()
                .filter(|(_, doc)| {
                    doc.0
                        .get("users")
                        .and_then(Value::as_array)
                        .is_some_and(|u| u.iter().any(|v| v.as_i64() == Some(user)))
                })
                .map(|(id, doc)| {
                    let name = doc
                        .0
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    (*id, name.to_owned())
                })
                .collect()
        })
        .collect())
}

/// Stamps an owner record being written at `now`: `updated_at`, and `created_at` kept from
/// the record it replaces (HubSpot's owners carry both).
pub fn stamp(
    conn: &mut Conn,
    portal: PortalId,
    id: i64,
    doc: &mut PropsDoc,
    now: i64,
) -> Result<(), ApiError> {
    let before = lookups::get_many(conn, portal, "owners", &[id])?;
    let created = before
        .first()
        .and_then(|(_, d)| d.0.get("created_at").and_then(Value::as_i64))
        .unwrap_or(now);
    doc.0.insert("created_at".into(), json!(created));
    doc.0.insert("updated_at".into(), json!(now));
    Ok(())
}

/// Owner ids by lower-cased e-mail, for names in an import: live owners only, and an e-mail
/// two owners share names neither.
pub fn by_email(owners: &[Owner]) -> std::collections::HashMap<String, i64> {
    let mut out = std::collections::HashMap::new();
    let mut shared = std::collections::HashSet::new();
    for o in owners.iter().filter(|o| !o.archived()) {
        let Some(e) = o.email().map(str::to_lowercase) else {
            continue;
        };
        if out.insert(e.clone(), o.id).is_some() {
            shared.insert(e);
        }
    }
    out.retain(|e, _| !shared.contains(e));
    out
}
