//! `goalpost webhooks …`: the same settings and subscriptions as HubSpot's webhooks API, from
//! the command line, plus what the API does not show: the app's client secret (to verify
//! signatures) and delivery progress.

use super::payload::TypeIds;
use super::store;
use crate::db;
use crate::engine::store::PortalId;
use crate::engine::value::{format_ms, now_ms};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum WebhooksCommand {
    /// An app's target, secret, subscriptions and delivery progress.
    Show {
        app: i64,
        #[arg(long, default_value_t = 1)]
        portal: i64,
    },
    /// Set where an app's events go (creates the app's settings and secret).
    Target {
        app: i64,
        url: String,
        #[arg(long, default_value_t = 1)]
        portal: i64,
        #[arg(long, default_value_t = 10)]
        max_concurrent: i32,
    },
    /// Subscribe an app to an event type (object.creation, object.propertyChange, …).
    Subscribe {
        app: i64,
        event_type: String,
        /// Required for object.* event types, e.g. 0-74 (goal targets), 0-3 (deals).
        #[arg(long)]
        object_type_id: Option<String>,
        /// Required for propertyChange subscriptions.
        #[arg(long)]
        property: Option<String>,
        #[arg(long, default_value_t = 1)]
        portal: i64,
    },
    /// Remove a subscription.
    Unsubscribe {
        app: i64,
        id: i64,
        #[arg(long, default_value_t = 1)]
        portal: i64,
    },
}

/// Runs a command; `ids` maps the served object types' names to their ids.
pub fn run(database_url: &str, cmd: WebhooksCommand, ids: &TypeIds) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let e = |e: crate::error::ApiError| e.to_string();
    match cmd {
        WebhooksCommand::Show { app, portal } => {
            let p = PortalId(portal);
            match store::settings(&mut conn, p, app).map_err(e)? {
                Some(s) => {
                    println!(
                        "target: {} (at most {} at once)",
                        s.target_url, s.max_concurrent
                    );
                    println!("client secret: {}", s.secret);
                }
                None => println!("target: none (set one with `goalpost webhooks target`)"),
            }
            for s in store::subscriptions(&mut conn, p, app).map_err(e)? {
                println!(
                    "subscription {}: {} {} {} {}",
                    s.id,
                    s.event_type,
                    s.object_type_id.as_deref().unwrap_or("-"),
                    s.property_name.as_deref().unwrap_or("-"),
                    if s.active { "active" } else { "paused" }
                );
            }
            if let Some(c) = store::cursor(&mut conn, p, app).map_err(e)? {
                println!(
                    "delivered {} event(s) up to seq {}, parked {}{}",
                    c.delivered,
                    c.last_seq,
                    c.parked,
                    c.last_error
                        .map_or(String::new(), |x| format!(", last error: {x}"))
                );
            }
        }
        WebhooksCommand::Target {
            app,
            url,
            portal,
            max_concurrent,
        } => {
            super::check_url(&url).map_err(|why| format!("the target URL {why}"))?;
            let s = store::put_settings(
                &mut conn,
                PortalId(portal),
                app,
                &url,
                (max_concurrent, "SECONDLY"),
                now_ms(),
            )
            .map_err(e)?;
            println!(
                "app {app}: events go to {} (since {})",
                s.target_url,
                format_ms(s.created_at)
            );
        }
        WebhooksCommand::Subscribe {
            app,
            event_type,
            object_type_id,
            property,
            portal,
        } => {
            let new = super::payload::subscription(
                ids,
                &event_type,
                object_type_id.as_deref(),
                property.as_deref(),
                true,
            )
            .map_err(e)?;
            let s = store::create_subscription(&mut conn, PortalId(portal), app, &new, now_ms())
                .map_err(e)?;
            println!("{}", s.id);
        }
        WebhooksCommand::Unsubscribe { app, id, portal } => {
            if !store::delete_subscription(&mut conn, PortalId(portal), app, id).map_err(e)? {
                return Err(format!("no subscription {id} of app {app}"));
            }
        }
    }
    Ok(())
}
