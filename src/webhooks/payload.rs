//! Events in HubSpot's webhook payload shape, which the journal serves too, and which
//! subscription an event goes to.

use super::store::{NewSubscription, Subscription};
use crate::engine::events::Event;
use crate::engine::events::TYPES;
use crate::error::ApiError;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Object type names to HubSpot object type ids (`goal_targets` → `0-74`).
pub type TypeIds = HashMap<String, String>;

/// HubSpot's older per-type event names (`deal.creation`) and the type they stand for.
const LEGACY: &[(&str, &str)] = &[("deal", "0-3"), ("goal_target", "0-74")];

/// The generic event type and object type id a subscription's event type names: `object.x`
/// with the subscription's own object type id, or a legacy `deal.x`.
fn generic(sub: &Subscription) -> (String, Option<String>) {
    if let Some((prefix, rest)) = sub.event_type.split_once('.') {
        if let Some((_, id)) = LEGACY.iter().find(|(p, _)| *p == prefix) {
            return (format!("object.{rest}"), Some((*id).to_owned()));
        }
    }
    (sub.event_type.clone(), sub.object_type_id.clone())
}

/// The object type id a subscription's event type and object type id name (`deal.creation`:
/// `0-3`).
pub fn subscribed_type(event_type: &str, object_type_id: Option<&str>) -> Option<String> {
    let prefix = event_type.split_once('.').map_or("", |x| x.0);
    match LEGACY.iter().find(|(p, _)| *p == prefix) {
        Some((_, id)) => Some((*id).to_owned()),
        None => object_type_id.map(str::to_owned),
    }
}

/// The first active subscription an event matches: same event type, same object type (when
/// the subscription names one), same property (a property change subscription names one).
pub fn matching<'a>(
    subs: &'a [Subscription],
    e: &Event,
    ids: &TypeIds,
) -> Option<&'a Subscription> {
    let type_id = ids.get(&e.object_type).map(String::as_str);
    subs.iter().find(|s| {
        let (event_type, object_type_id) = generic(s);
        s.active
            && event_type == e.event_type
            && object_type_id.as_deref().is_none_or(|t| Some(t) == type_id)
            && (e.event_type != crate::engine::events::PROPERTY_CHANGE
                || s.property_name.as_deref() == e.property_name.as_deref())
    })
}

/// One event as HubSpot posts it (`subscription` and `attempt` are absent from the journal).
pub fn hubspot(e: &Event, ids: &TypeIds, subscription: Option<(&Subscription, i32)>) -> Value {
    let type_id = ids.get(&e.object_type).cloned().unwrap_or_default();
    let mut m = Map::new();
    m.insert("eventId".into(), json!(e.id));
    if let Some((s, attempt)) = subscription {
        m.insert("subscriptionId".into(), json!(s.id));
        m.insert("appId".into(), json!(s.app_id));
        m.insert("attemptNumber".into(), json!(attempt));
        m.insert("subscriptionType".into(), json!(s.event_type));
    } else {
        m.insert("subscriptionType".into(), json!(e.event_type));
    }
    m.insert("portalId".into(), json!(e.portal_id));
    m.insert("occurredAt".into(), json!(e.occurred_at));
    m.insert("objectId".into(), json!(e.object_id));
    m.insert("objectTypeId".into(), json!(type_id));
    if let Some(name) = &e.property_name {
        m.insert("propertyName".into(), json!(name));
        m.insert(
            "propertyValue".into(),
            json!(e.property_value.clone().unwrap_or_default()),
        );
    }
    m.insert("changeSource".into(), json!(e.change_source));
    if let Some(id) = &e.source_id {
        m.insert("sourceId".into(), json!(id));
    }
    if let Some(detail) = e
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
    {
        let other = detail["toObjectType"].as_str().unwrap_or_default();
        m.insert("fromObjectId".into(), json!(e.object_id));
        m.insert("fromObjectTypeId".into(), json!(type_id));
        m.insert("toObjectId".into(), detail["toObjectId"].clone());
        m.insert(
            "toObjectTypeId".into(),
            json!(ids.get(other).cloned().unwrap_or_default()),
        );
        m.insert(
            "associationTypeId".into(),
            detail["associationTypeId"].clone(),
        );
        m.insert(
            "associationRemoved".into(),
            detail["associationRemoved"].clone(),
        );
        m.insert("isPrimaryAssociation".into(), json!(false));
    }
    Value::Object(m)
}

/// A subscription as asked for, checked: a generic `object.*` event type with the object type
/// id (or name) it is for, or a per-type one (`deal.creation`); a property name exactly when
/// it is a property change.
pub fn subscription(
    ids: &TypeIds,
    event_type: &str,
    object_type: Option<&str>,
    property: Option<&str>,
    active: bool,
) -> Result<NewSubscription, ApiError> {
    let bad = |m: String| Err(ApiError::bad_request(m));
    let (prefix, action) = event_type.split_once('.').unwrap_or(("", ""));
    let known_prefix = prefix == "object" || LEGACY.iter().any(|(p, _)| *p == prefix);
    if !known_prefix || !TYPES.contains(&format!("object.{action}").as_str()) {
        return bad(format!(
            "Unknown eventType {event_type:?}; one of: {} (or deal.* / goal_target.* of the same actions)",
            TYPES.join(", ")
        ));
    }
    let object_type_id = match (object_type, prefix) {
        (Some(t), "object") => match ids.iter().find(|(name, id)| *name == t || *id == t) {
            Some((_, id)) => Some(id.clone()),
            None => return bad(format!("Unknown objectTypeId {t:?}")),
        },
        (None, "object") => {
            return bad("objectTypeId is required with an object.* eventType".into())
        }
        (Some(_), _) => return bad("objectTypeId goes with object.* event types only".into()),
        (None, _) => None,
    };
    let property_name = property.filter(|p| !p.is_empty()).map(str::to_owned);
    match (action == "propertyChange", &property_name) {
        (true, None) => bad("propertyName is required for a propertyChange subscription".into()),
        (false, Some(_)) => bad("propertyName goes with propertyChange subscriptions only".into()),
        _ => Ok(NewSubscription {
            event_type: event_type.to_owned(),
            object_type_id,
            property_name,
            active,
        }),
    }
}
