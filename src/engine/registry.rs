//! The object types this server knows, found by path name or HubSpot object type id. The
//! engine does not name them: the crate root registers the built-in ones (`crate::registry`).

use super::types::ObjectType;
use std::sync::Arc;

pub struct Registry {
    types: Vec<Arc<ObjectType>>,
}

impl Registry {
    /// A registry of these types, in this order.
    pub fn new(types: Vec<ObjectType>) -> Self {
        Registry {
            types: types.into_iter().map(Arc::new).collect(),
        }
    }

    /// Finds a type by its name (`goal_targets`) or id (`0-74`).
    pub fn find(&self, name_or_id: &str) -> Option<Arc<ObjectType>> {
        self.types
            .iter()
            .find(|t| t.name == name_or_id || t.type_id == name_or_id)
            .cloned()
    }

    /// Type names to HubSpot object type ids (`goal_targets` → `0-74`), for event payloads.
    pub fn type_ids(&self) -> std::collections::HashMap<String, String> {
        self.all()
            .map(|t| (t.name.to_owned(), t.type_id.to_owned()))
            .collect()
    }

    /// Every type, in registration order.
    pub fn all(&self) -> impl Iterator<Item = &ObjectType> {
        self.types.iter().map(|t| t.as_ref())
    }
}
