//! The goal_targets object type: its property catalogue (and, later, its family rules).

pub mod catalogue;
