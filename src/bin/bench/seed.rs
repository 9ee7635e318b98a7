//! Realistic goal families for the benchmark: monthly (12), quarterly (4), yearly (1) and weekly
//! (52) groups over several years and many owners, with a custom property, all valid under the
//! strict family rules.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde_json::{json, Value};

const REGIONS: [&str; 3] = ["emea", "apac", "amer"];

/// One family the seeder made.
#[derive(Debug, Clone)]
pub struct Family {
    pub uuid: String,
    pub ids: Vec<String>,
}

fn iso(d: NaiveDate) -> String {
    format!("{}T00:00:00.000Z", d.format("%Y-%m-%d"))
}

fn last_ms(d: NaiveDate) -> String {
    let prev = d - Duration::days(1);
    format!("{}T23:59:59.999Z", prev.format("%Y-%m-%d"))
}

/// The batch-create inputs of family number `n`: its kind, year and owner follow from `n`.
pub fn family_inputs(n: u64, prefix: &str) -> (String, Vec<Value>) {
    let owner = (n % 500) as u32 + 1;
    let year = 2024 + (n / 500 % 5) as i32;
    let uuid = format!("{prefix}-{n:08}");
    // Mostly monthly (the common goal), some quarterly, yearly and weekly.
    let (milestone, count, months) = match n % 20 {
        0 => ("weekly", 52, 0),
        1 | 2 => ("quarterly", 4, 3),
        3 => ("yearly", 1, 12),
        _ => ("monthly", 12, 1),
    };
    let first = if months == 0 {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
        jan1 + Duration::days((7 - jan1.weekday().num_days_from_monday() as i64) % 7)
    } else {
        NaiveDate::from_ymd_opt(year, 1 + (n % 3) as u32 * 3, 1).expect("date")
    };
    let mut inputs = Vec::with_capacity(count);
    let mut start = first;
    for i in 0..count {
        let next = if months == 0 {
            start + Duration::days(7)
        } else {
            start.checked_add_months(Months::new(months)).expect("date")
        };
        inputs.push(json!({"properties": {
            "hs_goal_name": format!("Revenue {owner} {year}"),
            "hs_goal_type": "sales_quota",
            "hs_milestone": milestone,
            "hs_target_amount": format!("{}.00", (n * 7919 + i as u64 * 104_729) % 100_000 + 100),
            "hs_start_datetime": iso(start),
            "hs_end_datetime": last_ms(next),
            "hs_group_correlation_uuid": uuid,
            "hs_goal_target_group_id": format!("{uuid}-g"),
            "hubspot_owner_id": owner.to_string(),
            "bench_region": REGIONS[(n % 3) as usize],
        }}));
        start = next;
    }
    (uuid, inputs)
}
