//! The progress engine's core: one statement that counts and sums qualifying records for many
//! time ranges at once. Pipedrive's goal types (`pipedrive::progress`) and HubSpot goal
//! targets' KPI definitions (`attainment`) are two front ends: each writes the `amount`
//! expression and the conditions; this module writes the ranges and runs the tally.
//!
//! The ranges are a `VALUES` list `iv(k, s_ms, e_ms, s_ts, e_ts, s_d, e_d)`: each range's
//! bounds as epoch ms (row columns), ISO text (datetime properties) and dates in the portal's
//! time zone (date properties), so every kind of time property compares to its own form.

use super::compile::{Bind, Builder};
use super::run::load_statement;
use crate::db::Conn;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use chrono::TimeZone;
use chrono_tz::Tz;
use diesel::sql_types::{BigInt, Double};
use diesel::QueryableByName;

/// One range's records: how many, and the sum of their amounts.
#[derive(QueryableByName, Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    #[diesel(sql_type = BigInt)]
    pub k: i64,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Double)]
    pub total: f64,
}

/// Starts the statement: `WITH iv(…) AS (VALUES …)` for these inclusive epoch-ms ranges.
pub fn ranges(b: &mut Builder, ranges: &[(i64, i64)], tz: Tz) {
    let date = |ms: i64| {
        tz.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default()
    };
    b.push("WITH iv(k, s_ms, e_ms, s_ts, e_ts, s_d, e_d) AS (VALUES ");
    for (k, (s, e)) in ranges.iter().enumerate() {
        b.push(if k > 0 { ", (" } else { "(" });
        for (i, v) in [
            Bind::Int(k as i64),
            Bind::Int(*s),
            Bind::Int(*e),
            Bind::Text(format_ms(*s)),
            Bind::Text(format_ms(*e)),
            Bind::Text(date(*s)),
            Bind::Text(date(*e)),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                b.push(", ");
            }
            b.bind(v);
        }
        b.push(")");
    }
    b.push(")");
}

/// Continues after [`ranges`]: the select over `objects o` joined to each range, with
/// `amount` per record (SQL over `o` and `iv`); the caller then adds ` AND …` conditions
/// (`o.portal_id`, type and liveness are already there) and calls [`run`]. `distinct` keeps a
/// record once per range where a join (history) could repeat it.
pub fn select(b: &mut Builder, portal: i64, object_type: &str, amount: &str, join: &str) {
    b.push(&format!(
        " SELECT k, COUNT(*) AS n, COALESCE(SUM(amount), 0.0) AS total FROM (\
         SELECT DISTINCT iv.k AS k, o.id AS rid, {amount} AS amount FROM iv CROSS JOIN objects o{join}"
    ));
    b.push(" WHERE o.portal_id = ")
        .bind(Bind::Int(portal))
        .push(&format!(
            " AND o.object_type = '{}' AND o.archived = FALSE",
            super::compile::checked(object_type)
        ));
}

/// Closes the statement and runs it: one tally per range, in range order (empty ranges 0).
pub fn run(conn: &mut Conn, mut b: Builder, count: usize) -> Result<Vec<Tally>, ApiError> {
    b.push(") x GROUP BY k");
    let st = b.finish();
    let tallies = load_statement!(conn, st, Tally)?;
    let mut out = vec![Tally::default(); count];
    for t in tallies {
        if let Some(slot) = usize::try_from(t.k).ok().and_then(|k| out.get_mut(k)) {
            *slot = t;
        }
    }
    Ok(out)
}

/// ` AND expr IN (values)`; an empty list matches nothing.
pub fn in_list(b: &mut Builder, expr: &str, values: Vec<Bind>) {
    if values.is_empty() {
        b.push(" AND 1 = 0");
    } else {
        b.push(&format!(" AND {expr} IN ")).list(values);
    }
}

/// A typed zero for `amount` where only the count matters: PostgreSQL reads a bare `0.0` as
/// numeric, and `SUM(numeric)` is not float8.
pub const NO_AMOUNT: &str = "CAST(0 AS DOUBLE PRECISION)";
