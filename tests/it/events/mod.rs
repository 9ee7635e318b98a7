//! Change events: the outbox and journal (`outbox`), HubSpot's webhooks API (`subscriptions`),
//! and delivery to a real receiver (`delivery`).

mod delivery;
mod outbox;
mod pipedrive;
mod subscriptions;
