//! A goal's slices: the milestone periods of its interval that overlap its duration, aligned
//! and consecutive as rule 2 wants. Weeks start on Monday and months on the 1st; quarters and
//! years start on the 1st of the duration's first month (Pipedrive: "a year from the first of
//! the month when the goal is set"). Open-ended goals get slices up to a horizon a year ahead,
//! and more as time passes (see `store::extend_open_goals`).

use super::model::GoalSpec;
use crate::goals::calendar::{local_midnight, period_end, period_start_containing, Milestone};
use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

/// How far ahead of today an open-ended goal's slices reach.
pub const HORIZON_DAYS: u64 = 366;
/// The most slices one goal may have (a weekly goal over about 19 years).
pub const MAX_SLICES: usize = 1000;

/// The first millisecond of a local date.
pub fn day_start(tz: Tz, d: NaiveDate) -> i64 {
    local_midnight(tz, d).unwrap_or(i64::MIN)
}

/// The last millisecond of a local date.
pub fn day_end(tz: Tz, d: NaiveDate) -> i64 {
    d.checked_add_days(Days::new(1))
        .map(|n| day_start(tz, n) - 1)
        .unwrap_or(i64::MAX)
}

/// The first slice's start: the period of the interval holding the duration's start (for
/// quarters and years, the calendar aligns them to the 1st of the start month).
fn first_start(m: Milestone, tz: Tz, start: NaiveDate) -> Option<i64> {
    period_start_containing(m, tz, day_start(tz, start))
}

/// Where an open-ended goal's slices must reach on `today`.
pub fn horizon(tz: Tz, today: NaiveDate) -> i64 {
    day_end(
        tz,
        today
            .checked_add_days(Days::new(HORIZON_DAYS))
            .unwrap_or(today),
    )
}

/// Periods `(start, end)` (epoch ms) from `from` (a period start) until one covers `until`.
pub fn periods_from(
    m: Milestone,
    tz: Tz,
    from: i64,
    until: i64,
) -> Result<Vec<(i64, i64)>, String> {
    let mut out = Vec::new();
    let mut s = from;
    while s <= until {
        if out.len() >= MAX_SLICES {
            return Err(format!(
                "the duration is too long: a goal has at most {MAX_SLICES} intervals"
            ));
        }
        let e = period_end(m, tz, s).ok_or("the duration is outside the calendar")?;
        out.push((s, e));
        s = e + 1;
    }
    Ok(out)
}

/// The slices of a goal; open-ended goals up to the horizon of `today`.
pub fn slices(spec: &GoalSpec, tz: Tz, today: NaiveDate) -> Result<Vec<(i64, i64)>, String> {
    let from =
        first_start(spec.interval, tz, spec.start).ok_or("duration.start is out of range")?;
    let until = match spec.end {
        Some(end) => day_end(tz, end),
        None => horizon(tz, today).max(day_end(tz, spec.start)),
    };
    periods_from(spec.interval, tz, from, until)
}

/// The calendar periods of a goal that overlap `[from, to]` (both epoch ms), each clipped to
/// that range — the per-interval breakdown of a results period.
pub fn periods_within(
    spec: &GoalSpec,
    tz: Tz,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, String> {
    let first =
        first_start(spec.interval, tz, spec.start).ok_or("duration.start is out of range")?;
    // Start from the period holding `from`, keeping the goal's alignment.
    let mut s = first;
    while let Some(e) = period_end(spec.interval, tz, s) {
        if e >= from {
            break;
        }
        s = e + 1;
    }
    Ok(periods_from(spec.interval, tz, s, to)?
        .into_iter()
        .map(|(a, b)| (a.max(from), b.min(to)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::format_ms;
    use crate::pipedrive::model::{AssigneeKind, GoalType};

    fn spec(interval: Milestone, start: &str, end: Option<&str>) -> GoalSpec {
        GoalSpec {
            title: "t".into(),
            goal_type: GoalType::DealsWon,
            pipeline_ids: None,
            stage_id: None,
            activity_type_ids: None,
            assignee_id: 1,
            assignee_kind: AssigneeKind::Person,
            interval,
            start: start.parse().unwrap(),
            end: end.map(|e| e.parse().unwrap()),
            target: 1.0,
            sum: false,
            currency_id: None,
        }
    }

    #[test]
    fn monthly_slices_cover_the_duration() {
        let s = slices(
            &spec(Milestone::Monthly, "2026-01-15", Some("2026-03-02")),
            Tz::UTC,
            "2026-01-01".parse().unwrap(),
        )
        .unwrap();
        let got: Vec<String> = s
            .iter()
            .map(|(a, b)| format!("{}..{}", format_ms(*a), format_ms(*b)))
            .collect();
        assert_eq!(
            got,
            [
                "2026-01-01T00:00:00.000Z..2026-01-31T23:59:59.999Z",
                "2026-02-01T00:00:00.000Z..2026-02-28T23:59:59.999Z",
                "2026-03-01T00:00:00.000Z..2026-03-31T23:59:59.999Z",
            ]
        );
    }

    #[test]
    fn quarters_count_from_the_start_month_and_weeks_from_monday() {
        let q = slices(
            &spec(Milestone::Quarterly, "2026-02-10", Some("2026-05-01")),
            Tz::UTC,
            "2026-01-01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(format_ms(q[0].0), "2026-02-01T00:00:00.000Z");
        assert_eq!(format_ms(q[1].0), "2026-05-01T00:00:00.000Z");
        assert_eq!(q.len(), 2);
        let w = slices(
            &spec(Milestone::Weekly, "2026-11-25", Some("2026-11-30")),
            Tz::UTC,
            "2026-01-01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(format_ms(w[0].0), "2026-11-23T00:00:00.000Z");
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn open_ended_goals_reach_a_year_past_today() {
        let today: NaiveDate = "2026-06-10".parse().unwrap();
        let s = slices(
            &spec(Milestone::Monthly, "2026-01-01", None),
            Tz::UTC,
            today,
        )
        .unwrap();
        assert_eq!(format_ms(s.last().unwrap().0), "2027-06-01T00:00:00.000Z");
        let later = slices(
            &spec(Milestone::Monthly, "2026-01-01", None),
            Tz::UTC,
            "2026-09-10".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(later.len(), s.len() + 3);
    }

    #[test]
    fn results_periods_are_clipped() {
        let g = spec(Milestone::Monthly, "2026-01-01", Some("2026-12-31"));
        let from = day_start(Tz::UTC, "2026-02-10".parse().unwrap());
        let to = day_end(Tz::UTC, "2026-03-05".parse().unwrap());
        let p = periods_within(&g, Tz::UTC, from, to).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(format_ms(p[0].0), "2026-02-10T00:00:00.000Z");
        assert_eq!(format_ms(p[1].1), "2026-03-05T23:59:59.999Z");
    }
}
