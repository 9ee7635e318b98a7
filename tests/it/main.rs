//! The integration suite: one binary; every test runs on SQLite and on PostgreSQL.

mod support;

mod association_rules;
mod associations;
mod attainment;
mod auth;
mod bad_input;
mod basic;
mod batch;
mod cluster;
mod compat;
mod counts;
mod dashboard;
mod events;
mod families;
mod group_commit;
mod groups;
mod layers;
mod migrations;
mod openapi;
mod owners;
mod pipedrive;
mod properties;
mod quotas;
mod readme;
mod reliability;
mod search;
mod security;
mod snapshots;
mod test_plane;
mod tokens;
mod totals;
mod trace;
