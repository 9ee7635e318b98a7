//! Change events leaving the process: HubSpot-style webhook settings and subscriptions per
//! portal and app (`store`), the payload shape (`payload`), signatures (`sign`) and the
//! delivery loop (`deliver`). The events themselves are recorded by the engine
//! (`engine::events`) in each write's transaction.

pub mod cli;
pub mod deliver;
pub mod payload;
pub mod pipedrive;
pub mod sign;
pub mod store;
