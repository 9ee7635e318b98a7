//! Pipedrive's Goals API v1 over the engine: a goal is a goal family of goal_targets (one group,
//! one slice per interval of its duration) plus a row for what the slices do not hold; its
//! progress is computed in SQL from the deals and activities object types.

pub mod events;
pub mod find;
pub mod model;
pub mod progress;
mod read;
pub mod request;
pub mod results;
pub mod schedule;
pub mod store;
