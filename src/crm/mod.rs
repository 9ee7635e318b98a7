//! The sales records goal progress is computed from: deals and activities as engine object
//! types (data only, served by the generic routes), and the small lookup tables that give their
//! ids meaning (pipelines, stages, activity types, currencies, teams).

pub mod catalogue;
pub mod lookups;
pub mod owners;
pub mod vocabulary;
