//! Periods as the dashboard names them (`2027`, `2027-Q1`, `2027-03`), cut in the portal's
//! time zone.

use chrono::{Datelike, Months, NaiveDate, TimeZone};
use chrono_tz::Tz;

/// `(first ms, last ms)` of a named period in `tz`.
pub fn parse(text: &str, tz: Tz) -> Result<(i64, i64), String> {
    let bad = || format!("\"{text}\" is not a period: use 2027, 2027-Q1 or 2027-03");
    let (first, months) = match text.split_once('-') {
        None => (
            NaiveDate::from_ymd_opt(text.parse().map_err(|_| bad())?, 1, 1),
            12,
        ),
        Some((y, q)) if q.starts_with('Q') => {
            let q: u32 = q[1..].parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            (
                NaiveDate::from_ymd_opt(y.parse().map_err(|_| bad())?, 3 * q - 2, 1),
                3,
            )
        }
        Some((y, m)) => (
            NaiveDate::from_ymd_opt(
                y.parse().map_err(|_| bad())?,
                m.parse().map_err(|_| bad())?,
                1,
            ),
            1,
        ),
    };
    let first = first
        .filter(|d| (1970..=9998).contains(&d.year()))
        .ok_or_else(bad)?;
    let next = first
        .checked_add_months(Months::new(months))
        .ok_or_else(bad)?;
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map(|t| t.timestamp_millis())
    };
    Ok((at(first).ok_or_else(bad)?, at(next).ok_or_else(bad)? - 1))
}

/// The month holding `now` in `tz`, named as [`parse`] reads it.
pub fn month_of(now: i64, tz: Tz) -> String {
    let d = tz
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A day in `tz`, for labels.
pub fn day(ms: i64, tz: Tz) -> String {
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_a_time_zone() {
        let ny = chrono_tz::America::New_York;
        let (s, e) = parse("2027-03", ny).unwrap();
        assert_eq!(day(s, ny), "2027-03-01");
        assert_eq!(day(e, ny), "2027-03-31");
        assert_eq!(
            e - s + 1,
            (31 * 24 - 1) * 3_600_000,
            "March loses an hour in New York"
        );
        assert!(
            parse("2027-Q5", ny).is_err()
                && parse("x", ny).is_err()
                && parse("2027-13", ny).is_err()
        );
        assert_eq!(day(parse("2027-Q2", ny).unwrap().0, ny), "2027-04-01");
        assert_eq!(month_of(s, ny), "2027-03");
    }
}
