//! The generic CRM object engine: object types as data, typed property definitions, value
//! normalisation, the object store and property history. Knows nothing of HTTP.

pub mod associations;
pub mod catalogue;
pub mod counts;
pub mod events;
pub mod hooks;
pub mod indexes;
pub mod objects;
pub mod point;
pub mod properties;
pub mod registry;
pub mod rules;
pub mod search;
pub mod store;
pub mod types;
pub mod upsert;
pub mod validate;
pub mod value;
