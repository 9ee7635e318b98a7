//! Attainment for HubSpot goal targets: each target with a KPI definition (`hs_kpi_*`) gets
//! its `hs_kpi_value`, `hs_kpi_progress_percent`, `hs_status` and `hs_outcome` computed from
//! the stored deals or activities, and kept true as they change (see `react`). Also the
//! roll-ups and pacing the goals dashboard and `/goalpost/v1/families/{uuid}/attainment` show.
//!
//! Sits above `goals` and `crm` (it reads both types) and below `pipedrive`, whose results
//! share the tally engine (`engine::search::tally`).

pub mod board;
pub mod definition;
pub mod evaluate;
pub mod pacing;
pub mod react;
pub mod refresh;

use crate::engine::types::ObjectType;

/// The types attainment reads and writes, as catalogue copies without reactions (so the
/// computed writes set nothing off).
#[derive(Debug, Clone)]
pub struct Types {
    pub targets: ObjectType,
    pub counted: Vec<ObjectType>,
}

impl Types {
    pub fn builtin() -> Self {
        Types {
            targets: crate::goals::catalogue::goal_targets(),
            counted: vec![
                crate::crm::catalogue::deals(),
                crate::crm::catalogue::activities(),
            ],
        }
    }
}
