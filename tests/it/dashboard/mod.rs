//! The goals dashboard: in a real browser (`browser`), and its sessions, scopes and form checks
//! in process (`session`).

mod browser;
mod seed;
mod session;
