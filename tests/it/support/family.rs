//! A goal-family builder: batch-create inputs for one group of consecutive slices, with
//! defaults a test overrides only where it matters (name "Revenue", type `sales_quota`,
//! target 1000, owner 7, group `g-<family>`).

use chrono::{Duration, Months, NaiveDate, TimeZone};
use serde_json::{json, Value};

/// (start, end) of consecutive periods: `months` long each (0 = a week), in `tz`.
pub fn periods(
    tz: chrono_tz::Tz,
    first: NaiveDate,
    months: u32,
    n: usize,
) -> Vec<(String, String)> {
    let iso = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let next = |d: NaiveDate| {
        if months == 0 {
            d + Duration::days(7)
        } else {
            d.checked_add_months(Months::new(months)).unwrap()
        }
    };
    let mut out = Vec::new();
    let mut d = first;
    for _ in 0..n {
        let end = iso(next(d)) - Duration::milliseconds(1);
        out.push((
            iso(d).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            end.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        ));
        d = next(d);
    }
    out
}

/// `n` calendar months in UTC from `year`-`month`.
pub fn utc_months(year: i32, month: u32, n: usize) -> Vec<(String, String)> {
    periods(
        chrono_tz::UTC,
        NaiveDate::from_ymd_opt(year, month, 1).unwrap(),
        1,
        n,
    )
}

/// One group of a goal family, as batch-create inputs.
#[derive(Debug, Clone)]
pub struct Family {
    uuid: String,
    group: String,
    name: String,
    milestone: String,
    owner: String,
    target: String,
    slices: Vec<(String, String)>,
}

impl Family {
    /// A group of the given slices.
    pub fn new(uuid: &str, milestone: &str, slices: Vec<(String, String)>) -> Family {
        Family {
            uuid: uuid.to_owned(),
            group: format!("g-{uuid}"),
            name: "Revenue".into(),
            milestone: milestone.to_owned(),
            owner: "7".into(),
            target: "1000".into(),
            slices,
        }
    }

    /// A whole monthly family: the twelve months of 2026 in UTC.
    pub fn monthly(uuid: &str) -> Family {
        Family::new(uuid, "monthly", utc_months(2026, 1, 12))
    }

    pub fn group(mut self, group: &str) -> Self {
        self.group = group.to_owned();
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn owner(mut self, owner: &str) -> Self {
        self.owner = owner.to_owned();
        self
    }

    pub fn target(mut self, target: &str) -> Self {
        self.target = target.to_owned();
        self
    }

    /// The inputs of a batch create, one per slice.
    pub fn inputs(&self) -> Vec<Value> {
        self.slices
            .iter()
            .map(|(s, e)| {
                json!({"properties": {
                    "hs_goal_name": self.name, "hs_goal_type": "sales_quota",
                    "hs_milestone": self.milestone, "hs_target_amount": self.target,
                    "hs_start_datetime": s, "hs_end_datetime": e,
                    "hs_group_correlation_uuid": self.uuid, "hs_goal_target_group_id": self.group,
                    "hubspot_owner_id": self.owner,
                }})
            })
            .collect()
    }

    /// A whole batch-create body.
    pub fn body(&self) -> Value {
        json!({ "inputs": self.inputs() })
    }
}

/// Fails unless every goal family of portal 1 obeys the rules, and no history row lacks its
/// object (the audit `goalpost families check` runs, on the stored data).
pub fn assert_families_hold(conn: &mut goalpost::db::Conn) {
    let otype = goalpost::goals::catalogue::goal_targets();
    let broken =
        goalpost::goals::family::check_portal(conn, &otype, goalpost::engine::store::PortalId(1))
            .unwrap();
    assert!(
        broken.is_empty(),
        "{:?}",
        broken.iter().map(|v| v.describe()).collect::<Vec<_>>()
    );
    assert_eq!(orphan_history(conn), 0, "history rows without their object");
}

/// History rows whose object does not exist.
pub fn orphan_history(conn: &mut goalpost::db::Conn) -> i64 {
    use diesel::dsl::{exists, not};
    use diesel::prelude::*;
    use goalpost::db::schema::{object_history as h, objects};
    goalpost::db::with_conn!(conn, c => h::table
        .filter(not(exists(
            objects::table
                .filter(objects::portal_id.eq(h::portal_id))
                .filter(objects::id.eq(h::object_id)),
        )))
        .count()
        .get_result(c))
    .expect("count orphan history")
}
