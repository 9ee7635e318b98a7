//! The milestone calendar: which instants start a milestone period in a portal's time zone, and
//! where each period ends. Months are calendar months; quarters and years are 3 and 12 months
//! from the first of any month (fiscal years); weeks run Monday to Sunday. A period runs from
//! its first millisecond to its last, local midnight to local midnight, so boundaries stay right
//! across daylight-saving changes.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Milestone {
    /// The milestone names, as HubSpot's `hs_milestone` and Pipedrive's `interval` spell them.
    pub const NAMES: [&'static str; 4] = ["weekly", "monthly", "quarterly", "yearly"];
    const ALL: [Milestone; 4] = [
        Milestone::Weekly,
        Milestone::Monthly,
        Milestone::Quarterly,
        Milestone::Yearly,
    ];

    pub fn parse(s: &str) -> Option<Milestone> {
        let at = Self::NAMES.iter().position(|n| *n == s)?;
        Some(Self::ALL[at])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Slices a whole goal year has (weekly: 52 or 53).
    pub fn slices_per_year(self) -> &'static [usize] {
        match self {
            Milestone::Weekly => &[52, 53],
            Milestone::Monthly => &[12],
            Milestone::Quarterly => &[4],
            Milestone::Yearly => &[1],
        }
    }
}

/// The instant of a local midnight; where midnight falls in a DST gap, the first instant after.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> Option<i64> {
    let naive = date.and_hms_opt(0, 0, 0)?;
    for hour in 0..4 {
        let t: NaiveDateTime = naive + chrono::Duration::hours(hour);
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return Some(dt.timestamp_millis());
        }
    }
    None
}

fn local(tz: Tz, ms: i64) -> Option<DateTime<Tz>> {
    tz.timestamp_millis_opt(ms).single()
}

/// The local date after one period that starts on `date`.
fn next_start_date(m: Milestone, date: NaiveDate) -> Option<NaiveDate> {
    match m {
        Milestone::Weekly => date.checked_add_days(Days::new(7)),
        Milestone::Monthly => date.checked_add_months(Months::new(1)),
        Milestone::Quarterly => date.checked_add_months(Months::new(3)),
        Milestone::Yearly => date.checked_add_months(Months::new(12)),
    }
}

/// Whether `ms` is the first millisecond of a period of `m` in `tz`.
pub fn is_period_start(m: Milestone, tz: Tz, ms: i64) -> bool {
    let Some(t) = local(tz, ms) else { return false };
    let date = t.date_naive();
    let day_ok = match m {
        Milestone::Weekly => date.weekday() == Weekday::Mon,
        _ => date.day() == 1,
    };
    day_ok && local_midnight(tz, date) == Some(ms)
}

/// The first millisecond of the period of `m` containing `ms` (months align to the 1st).
pub fn period_start_containing(m: Milestone, tz: Tz, ms: i64) -> Option<i64> {
    let date = local(tz, ms)?.date_naive();
    let start = match m {
        Milestone::Weekly => date - Days::new(date.weekday().num_days_from_monday() as u64),
        _ => date.with_day(1)?,
    };
    local_midnight(tz, start)
}

/// The last millisecond of the period that starts at `start_ms`.
pub fn period_end(m: Milestone, tz: Tz, start_ms: i64) -> Option<i64> {
    let date = local(tz, start_ms)?.date_naive();
    Some(local_midnight(tz, next_start_date(m, date)?)? - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::{format_ms, parse_instant};
    use crate::portals::zone;

    fn ms(s: &str) -> i64 {
        parse_instant(s).unwrap()
    }

    #[test]
    fn months_end_on_their_last_millisecond() {
        let utc = zone("UTC").unwrap();
        let s = ms("2027-02-01T00:00:00Z");
        assert!(is_period_start(Milestone::Monthly, utc, s));
        assert_eq!(
            format_ms(period_end(Milestone::Monthly, utc, s).unwrap()),
            "2027-02-28T23:59:59.999Z"
        );
        assert_eq!(
            format_ms(period_end(Milestone::Monthly, utc, ms("2028-02-01")).unwrap()),
            "2028-02-29T23:59:59.999Z"
        );
        assert!(!is_period_start(
            Milestone::Monthly,
            utc,
            ms("2027-02-02T00:00:00Z")
        ));
        assert!(!is_period_start(
            Milestone::Monthly,
            utc,
            ms("2027-02-01T00:00:00.001Z")
        ));
    }

    #[test]
    fn fiscal_quarters_and_years_start_on_any_first() {
        let utc = zone("UTC").unwrap();
        let april = ms("2027-04-01");
        assert!(is_period_start(Milestone::Yearly, utc, april));
        assert_eq!(
            format_ms(period_end(Milestone::Yearly, utc, april).unwrap()),
            "2028-03-31T23:59:59.999Z"
        );
        assert_eq!(
            format_ms(period_end(Milestone::Quarterly, utc, april).unwrap()),
            "2027-06-30T23:59:59.999Z"
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        let utc = zone("UTC").unwrap();
        let monday = ms("2026-12-28"); // a Monday
        assert!(is_period_start(Milestone::Weekly, utc, monday));
        assert!(!is_period_start(Milestone::Weekly, utc, ms("2026-12-29")));
        assert_eq!(
            format_ms(period_end(Milestone::Weekly, utc, monday).unwrap()),
            "2027-01-03T23:59:59.999Z"
        );
        assert_eq!(
            period_start_containing(Milestone::Weekly, utc, ms("2027-01-02T10:00:00Z")),
            Some(monday)
        );
    }

    #[test]
    fn new_york_months_follow_daylight_saving() {
        let ny = zone("America/New_York").unwrap();
        // March 2027: starts at EST midnight (05:00Z), ends just before EDT midnight (04:00Z).
        let march = ms("2027-03-01T05:00:00Z");
        assert!(is_period_start(Milestone::Monthly, ny, march));
        assert_eq!(
            format_ms(period_end(Milestone::Monthly, ny, march).unwrap()),
            "2027-04-01T03:59:59.999Z"
        );
        // November 2027: starts in EDT (04:00Z), ends in EST (05:00Z).
        let nov = ms("2027-11-01T04:00:00Z");
        assert!(is_period_start(Milestone::Monthly, ny, nov));
        assert_eq!(
            format_ms(period_end(Milestone::Monthly, ny, nov).unwrap()),
            "2027-12-01T04:59:59.999Z"
        );
        assert!(!is_period_start(
            Milestone::Monthly,
            ny,
            ms("2027-03-01T00:00:00Z")
        ));
    }
}
