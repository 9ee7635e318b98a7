//! Rule hooks: how an object type adds invariants to every write without the engine knowing
//! them. A write takes the hook's lock keys first, changes the rows, then asks the hook to
//! check the state it left — inside the same transaction, so a refusal writes nothing.

use crate::db::json::PropsDoc;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::error::ApiError;

/// What kind of write happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// New objects, as whole new groups where the type has groups (HubSpot batch create).
    Create,
    /// New objects forming a new group whose size is set by the caller (a Pipedrive goal's
    /// duration), not by the type's notion of a whole group.
    CreateSpan,
    /// New objects joining existing groups (an open-ended goal growing with time).
    Extend,
    Update,
    Archive,
    Restore,
}

/// One object a write touched.
#[derive(Debug, Clone)]
pub struct Touched {
    /// Its index in the request's inputs, where there was one.
    pub input: Option<usize>,
    pub id: i64,
    /// The live state before the write (`None`: created or restored).
    pub before: Option<PropsDoc>,
    /// The live state after the write (`None`: archived).
    pub after: Option<PropsDoc>,
    /// The object's creation time (epoch ms): its `hs_createdate`.
    pub created_at: i64,
}

/// A write, as a hook sees it.
#[derive(Debug)]
pub struct Written<'a> {
    pub portal: PortalId,
    pub object_type: &'a str,
    pub kind: WriteKind,
    pub touched: &'a [Touched],
    /// Where the write came from (`API`, `CALCULATED`, …).
    pub source: &'a str,
    pub now: i64,
}

/// Invariants of an object type.
pub trait Rules: Send + Sync + std::fmt::Debug {
    /// Lock keys a write must hold, from the states it reads and writes.
    fn lock_keys(&self, docs: &[&PropsDoc]) -> Vec<String>;

    /// Checks the state the write left; an error rolls the write back.
    fn check(&self, conn: &mut Conn, write: &Written<'_>) -> Result<(), ApiError>;
}

/// Values a write makes stale on other objects, brought up to date in the write's transaction
/// (goal targets' attainment after a deal moves). Runs after the rule hook's check.
pub trait Reactions: Send + Sync + std::fmt::Debug {
    /// Returns the ids of the written objects it rewrote, so the write returns them as they
    /// now are.
    fn after(&self, conn: &mut Conn, write: &Written<'_>) -> Result<Vec<i64>, ApiError>;
}
