//! Period labels of quota sheets, in a portal's time zone: `2027` (a calendar year), `2027-Q1`,
//! `2027-01`, `2027-W05` (an ISO week), or a first day `2027-04-01` with an explicit milestone
//! (fiscal years and quarters that start on another month). A label names exactly one whole
//! milestone period; anything else is refused with the reason.

use crate::goals::calendar::{is_period_start, local_midnight, period_end, Milestone};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;

/// A period: its milestone, first and last millisecond, and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub milestone: Milestone,
    pub start: i64,
    pub end: i64,
    pub label: String,
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The milestone and first day a label names; `None` when it is no label.
fn parse_label(label: &str) -> Option<(Milestone, NaiveDate)> {
    let year = |s: &str| s.parse::<i32>().ok().filter(|y| (1900..=9998).contains(y));
    let b = label.as_bytes();
    match b.len() {
        4 => Some((Milestone::Yearly, date(year(label)?, 1, 1)?)),
        7 if b[4] == b'-' && b[5] == b'Q' => {
            let q = (b[6] as char)
                .to_digit(10)
                .filter(|q| (1..=4).contains(q))?;
            Some((
                Milestone::Quarterly,
                date(year(&label[..4])?, 3 * q - 2, 1)?,
            ))
        }
        7 if b[4] == b'-' => {
            let m = label[5..]
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=12).contains(m))?;
            Some((Milestone::Monthly, date(year(&label[..4])?, m, 1)?))
        }
        8 if b[4] == b'-' && b[5] == b'W' => {
            let w = label[6..].parse::<u32>().ok()?;
            Some((
                Milestone::Weekly,
                NaiveDate::from_isoywd_opt(year(&label[..4])?, w, Weekday::Mon)?,
            ))
        }
        _ => None,
    }
}

/// Reads a period: a label, or a first day with its milestone (`milestone` must agree with a
/// label when both are given).
pub fn parse(raw: &str, milestone: Option<Milestone>, tz: Tz) -> Result<Period, String> {
    let raw = raw.trim();
    let (m, first) = match (parse_label(raw), milestone) {
        (Some((m, d)), None) => (m, d),
        (Some((m, d)), Some(given)) if given == m => (m, d),
        (Some((m, _)), Some(given)) => {
            return Err(format!(
                "period {raw:?} is {}, but the milestone says {}",
                m.name(),
                given.name()
            ))
        }
        (None, Some(m)) => {
            let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                format!("period {raw:?} is not 2027, 2027-Q1, 2027-01, 2027-W05 or a first day such as 2027-04-01")
            })?;
            (m, d)
        }
        (None, None) => {
            return Err(format!(
                "period {raw:?} is not 2027, 2027-Q1, 2027-01 or 2027-W05 (a first day such as 2027-04-01 needs a milestone)"
            ))
        }
    };
    let start =
        local_midnight(tz, first).ok_or_else(|| format!("period {raw:?} has no start in {tz}"))?;
    if !is_period_start(m, tz, start) {
        return Err(format!(
            "period {raw:?} does not start a whole {} period in {tz}",
            m.name()
        ));
    }
    let end = period_end(m, tz, start).ok_or_else(|| format!("period {raw:?} has no end"))?;
    Ok(Period {
        milestone: m,
        start,
        end,
        label: label(m, tz, start),
    })
}

/// The label of the period of `m` starting at `start`: the short form where one exists
/// (calendar years and quarters, months, ISO weeks), else its first day.
pub fn label(m: Milestone, tz: Tz, start: i64) -> String {
    let Some(d) = tz
        .timestamp_millis_opt(start)
        .single()
        .map(|t| t.date_naive())
    else {
        return start.to_string();
    };
    match m {
        Milestone::Yearly if d.month() == 1 => format!("{}", d.year()),
        Milestone::Quarterly if (d.month() - 1) % 3 == 0 => {
            format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
        }
        Milestone::Monthly => format!("{}-{:02}", d.year(), d.month()),
        Milestone::Weekly => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::format_ms;

    fn p(raw: &str, m: Option<Milestone>, tz: &str) -> Result<Period, String> {
        parse(raw, m, tz.parse().unwrap())
    }

    #[test]
    fn labels_name_whole_periods_in_the_portal_zone() {
        let jan = p("2027-01", None, "America/New_York").unwrap();
        assert_eq!(format_ms(jan.start), "2027-01-01T05:00:00.000Z");
        assert_eq!(format_ms(jan.end), "2027-02-01T04:59:59.999Z");
        assert_eq!(p("2027-Q2", None, "UTC").unwrap().label, "2027-Q2");
        assert_eq!(p("2027", None, "UTC").unwrap().milestone, Milestone::Yearly);
        let w = p("2027-W05", None, "UTC").unwrap();
        assert_eq!(
            (format_ms(w.start).as_str(), w.label.as_str()),
            ("2027-02-01T00:00:00.000Z", "2027-W05")
        );
        let fiscal = p("2027-04-01", Some(Milestone::Yearly), "UTC").unwrap();
        assert_eq!(fiscal.label, "2027-04-01");
        assert_eq!(
            p(&fiscal.label, Some(Milestone::Yearly), "UTC").unwrap(),
            fiscal
        );
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        assert!(p("2027-13", None, "UTC").unwrap_err().contains("not 2027"));
        assert!(p("2027-Q5", None, "UTC").is_err());
        assert!(p("2027-04-02", Some(Milestone::Monthly), "UTC")
            .unwrap_err()
            .contains("whole monthly"));
        assert!(p("2027-04-01", None, "UTC")
            .unwrap_err()
            .contains("needs a milestone"));
        assert!(p("2027-01", Some(Milestone::Yearly), "UTC")
            .unwrap_err()
            .contains("milestone says"));
        assert!(p("2027-W54", None, "UTC").is_err());
    }
}
