//! The goals dashboard's queries, each one statement over the goal targets' indexes: a page
//! of families (grouped in the family-id index's order, so a page reads only its families'
//! rows), and a period's leaderboard (the slices starting in the period, through the start
//! index, summed per owner and per team).

use crate::db::Conn;
use crate::engine::search::compile::{compare_expr, raw_text, Bind, Builder};
use crate::engine::search::run::load_statement;
use crate::engine::search::Target;
use crate::engine::store::PortalId;
use crate::engine::types::PropertyType;
use crate::engine::value::format_ms;
use crate::error::ApiError;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel::QueryableByName;

/// What the families page filters on (empty: no filter).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub owner: Option<i64>,
    pub team: Option<i64>,
    pub milestone: Option<String>,
    /// Only slices overlapping this range (epoch ms, inclusive).
    pub period: Option<(i64, i64)>,
    pub status: Option<String>,
}

/// One family of a page, summed over its slices that pass the filter.
#[derive(QueryableByName, Debug, Clone)]
pub struct FamilyRow {
    /// The family id as compared (case-folded): the page's cursor.
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub uuid: String,
    /// How many spellings of the id (differing in case) the row folds together.
    #[diesel(sql_type = BigInt)]
    pub spellings: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub milestone: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub slices: i64,
    #[diesel(sql_type = Double)]
    pub target: f64,
    #[diesel(sql_type = Double)]
    pub value: f64,
    #[diesel(sql_type = Nullable<Text>)]
    pub first_start: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_end: Option<String>,
}

fn doc(b: &Builder, name: &str, kind: PropertyType) -> String {
    compare_expr(b.dialect(), &Target::Doc(name.into(), kind))
}

fn scope(b: &mut Builder, portal: PortalId) {
    b.push(" FROM objects WHERE portal_id = ")
        .bind(Bind::Int(portal.0))
        .push(" AND object_type = 'goal_targets' AND archived = FALSE");
}

fn in_period(b: &mut Builder, (s, e): (i64, i64)) {
    let (start, end) = (
        doc(b, "hs_start_datetime", PropertyType::Datetime),
        doc(b, "hs_end_datetime", PropertyType::Datetime),
    );
    b.push(&format!(" AND {start} <= "))
        .bind(Bind::Text(format_ms(e)))
        .push(&format!(" AND {end} >= "))
        .bind(Bind::Text(format_ms(s)));
}

/// A page of families in family-id order after `after`, at most `limit`.
pub fn families(
    conn: &mut Conn,
    portal: PortalId,
    f: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<FamilyRow>, ApiError> {
    let mut b = Builder::new(conn.dialect());
    let key = doc(&b, "hs_group_correlation_uuid", PropertyType::String);
    let num = |b: &Builder, n| format!("COALESCE({}, 0)", doc(b, n, PropertyType::Number));
    b.push(&format!(
        "SELECT {key} AS key, MIN({uuid}) AS uuid, COUNT(DISTINCT {uuid}) AS spellings, MIN({name}) AS name, MIN({ms}) AS milestone, \
         COUNT(*) AS slices, CAST(SUM({target}) AS DOUBLE PRECISION) AS target, \
         CAST(SUM({value}) AS DOUBLE PRECISION) AS value, MIN({start}) AS first_start, MAX({end}) AS last_end",
        uuid = raw_text("hs_group_correlation_uuid"),
        name = raw_text("hs_goal_name"),
        ms = raw_text("hs_milestone"),
        target = num(&b, "hs_target_amount"),
        value = num(&b, "hs_kpi_value"),
        start = raw_text("hs_start_datetime"),
        end = raw_text("hs_end_datetime"),
    ));
    scope(&mut b, portal);
    b.push(&format!(" AND {key} IS NOT NULL"));
    // Grouped and paged in the family-id index's order (the case-folded id): a page reads only
    // its own families' rows. Ids differing only in case fold into one row, which says so.
    if let Some(a) = after {
        b.push(&format!(" AND {key} > "))
            .bind(Bind::Text(a.to_ascii_lowercase()));
    }
    if let Some(o) = f.owner {
        let e = doc(&b, "hubspot_owner_id", PropertyType::Number);
        b.push(&format!(" AND {e} = ")).bind(Bind::Num(o as f64));
    }
    if let Some(t) = f.team {
        let (a, c) = (
            doc(&b, "hs_assignee_team_id", PropertyType::Number),
            doc(&b, "hubspot_team_id", PropertyType::Number),
        );
        b.push(&format!(" AND ({a} = "))
            .bind(Bind::Num(t as f64))
            .push(&format!(" OR {c} = "))
            .bind(Bind::Num(t as f64))
            .push(")");
    }
    if let Some(m) = &f.milestone {
        let e = doc(&b, "hs_milestone", PropertyType::Enumeration);
        b.push(&format!(" AND {e} = ")).bind(Bind::Text(m.clone()));
    }
    if let Some(p) = f.period {
        in_period(&mut b, p);
    }
    if let Some(s) = &f.status {
        // The compared form, which is what the index holds.
        let e = doc(&b, "hs_status", PropertyType::Enumeration);
        b.push(&format!(" AND {e} = ")).bind(Bind::Text(s.clone()));
    }
    b.push(&format!(" GROUP BY {key} ORDER BY {key} LIMIT "))
        .bind(Bind::Int(limit));
    let st = b.finish();
    Ok(load_statement!(conn, st, FamilyRow)?)
}

/// One assignee's sums over a period.
#[derive(QueryableByName, Debug, Clone)]
pub struct Standing {
    /// `owner` or `team`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = BigInt)]
    pub slices: i64,
    #[diesel(sql_type = Double)]
    pub target: f64,
    #[diesel(sql_type = Double)]
    pub value: f64,
}

/// Every owner's and team's target and value over the slices starting within `period`.
pub fn leaderboard(
    conn: &mut Conn,
    portal: PortalId,
    (s, e): (i64, i64),
) -> Result<Vec<Standing>, ApiError> {
    let mut b = Builder::new(conn.dialect());
    let start = doc(&b, "hs_start_datetime", PropertyType::Datetime);
    let num = |b: &Builder, n| format!("COALESCE({}, 0)", doc(b, n, PropertyType::Number));
    let (owner, team) = (
        format!(
            "COALESCE({}, {})",
            raw_text("hubspot_owner_id"),
            raw_text("hs_assignee_user_id")
        ),
        format!(
            "COALESCE({}, {})",
            raw_text("hs_assignee_team_id"),
            raw_text("hubspot_team_id")
        ),
    );
    b.push(&format!(
        "SELECT CASE WHEN {owner} IS NOT NULL THEN 'owner' ELSE 'team' END AS kind, \
         COALESCE({owner}, {team}) AS id, COUNT(*) AS slices, \
         CAST(SUM({t}) AS DOUBLE PRECISION) AS target, CAST(SUM({v}) AS DOUBLE PRECISION) AS value",
        t = num(&b, "hs_target_amount"),
        v = num(&b, "hs_kpi_value"),
    ));
    scope(&mut b, portal);
    b.push(&format!(" AND {start} >= "))
        .bind(Bind::Text(format_ms(s)));
    b.push(&format!(" AND {start} <= "))
        .bind(Bind::Text(format_ms(e)));
    b.push(&format!(
        " AND COALESCE({owner}, {team}) IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
    ));
    let st = b.finish();
    Ok(load_statement!(conn, st, Standing)?)
}
