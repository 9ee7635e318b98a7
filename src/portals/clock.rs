//! A portal's clock. Real time unless a test moved it (`serve --test-mode`): frozen at an
//! instant, or running at an offset. Everything a portal's writes and reads take as "now"
//! (`createdAt`/`updatedAt`, history, Pipedrive's `is_active`, open-ended horizons, attainment
//! pacing, the test plane's rate windows) comes from here, so time-dependent behaviour is
//! testable without sleeping.

use crate::db::schema::portals;
use crate::db::with_conn;
use crate::db::Conn;
use crate::engine::store::PortalId;
use crate::engine::value::now_ms;
use crate::error::ApiError;
use diesel::prelude::*;

/// How a portal's "now" relates to real time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Set: time stands still at this instant (ms since the epoch).
    pub frozen: Option<i64>,
    /// Otherwise: real time plus this many ms.
    pub offset: i64,
}

impl Clock {
    /// The portal's now, in ms since the epoch.
    pub fn now(&self) -> i64 {
        self.frozen
            .unwrap_or_else(|| now_ms().saturating_add(self.offset))
    }

    /// Whether this is plain real time.
    pub fn is_real(&self) -> bool {
        self.frozen.is_none() && self.offset == 0
    }

    /// The clock moved to `at`, frozen there or running on from it.
    pub fn set(at: i64, frozen: bool) -> Clock {
        if frozen {
            Clock {
                frozen: Some(at),
                offset: 0,
            }
        } else {
            Clock {
                frozen: None,
                offset: at - now_ms(),
            }
        }
    }

    /// The clock moved forward (or back) by `ms`, keeping whether it is frozen.
    pub fn advance(self, ms: i64) -> Clock {
        match self.frozen {
            Some(at) => Clock {
                frozen: Some(at.saturating_add(ms)),
                offset: 0,
            },
            None => Clock {
                frozen: None,
                offset: self.offset.saturating_add(ms),
            },
        }
    }
}

/// A portal's clock (real time for a portal that does not exist).
pub fn clock(conn: &mut Conn, portal: PortalId) -> Result<Clock, ApiError> {
    let row: Option<(Option<i64>, i64)> = with_conn!(conn, c => portals::table
        .filter(portals::id.eq(portal.0))
        .select((portals::clock_frozen_ms, portals::clock_offset_ms))
        .first(c)
        .optional())?;
    Ok(row
        .map(|(frozen, offset)| Clock { frozen, offset })
        .unwrap_or_default())
}

/// The live portals whose clock a test moved, with their clocks.
pub fn clocked(conn: &mut Conn) -> Result<Vec<(PortalId, Clock)>, ApiError> {
    let rows: Vec<(i64, Option<i64>, i64)> = with_conn!(conn, c => portals::table
        .filter(portals::clock_frozen_ms.is_not_null().or(portals::clock_offset_ms.ne(0)))
        .filter(portals::name.ne(super::DELETED))
        .select((portals::id, portals::clock_frozen_ms, portals::clock_offset_ms))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, frozen, offset)| (PortalId(id), Clock { frozen, offset }))
        .collect())
}

/// Stores a portal's clock.
pub fn set_clock(conn: &mut Conn, portal: PortalId, clock: Clock) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::update(portals::table.find(portal.0))
        .set((
            portals::clock_frozen_ms.eq(clock.frozen),
            portals::clock_offset_ms.eq(clock.offset),
        ))
        .execute(c))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_stands_still_and_advances_by_what_it_is_told() {
        let c = Clock::set(1_000, true);
        assert_eq!(c.now(), 1_000);
        assert_eq!(c.advance(500).now(), 1_500);
        assert!(!c.is_real());
        assert!(Clock::default().is_real());
    }

    #[test]
    fn a_running_clock_keeps_its_offset() {
        let c = Clock::set(now_ms() + 86_400_000, false);
        let d = c.now() - now_ms();
        assert!((86_399_000..=86_400_000).contains(&d), "{d}");
        assert_eq!(c.advance(1_000).offset, c.offset + 1_000);
    }
}
