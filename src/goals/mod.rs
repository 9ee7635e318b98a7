//! The goal_targets object type: its property catalogue (and, later, its family rules).

pub mod calendar;
pub mod catalogue;
pub mod family;
pub mod hook;
pub mod rules;
pub mod violation;
