//! The families page and the leaderboard.

use super::charts::{bars, pacing, Bar};
use super::html::{badge, esc, message, num, page, url};
use super::{period, session};
use crate::attainment::board::{self, Filter};
use crate::attainment::pacing::elapsed;
use crate::db;
use crate::engine::search::run::members;
use crate::engine::store::Scope;
use crate::goals::calendar::Milestone;
use crate::goals::rules::{audit, FAMILY};
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::portals::portal_settings;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use std::collections::BTreeMap;

const PAGE: i64 = 25;
const STATUSES: [&str; 5] = ["pending", "in_progress", "achieved", "exceeded", "missed"];

/// 400 for what the request got wrong, 503 when the database failed.
fn status_of(e: &crate::error::ApiError) -> StatusCode {
    match e {
        crate::error::ApiError::Validation(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn select(name: &str, label: &str, options: &[&str], chosen: Option<&str>) -> String {
    let mut s = format!("<label>{label}<select name=\"{name}\"><option value=\"\">any</option>");
    for o in options {
        let sel = if chosen == Some(*o) { " selected" } else { "" };
        s += &format!(
            "<option value=\"{0}\"{sel}>{1}</option>",
            esc(o),
            esc(&o.replace('_', " "))
        );
    }
    s + "</select></label>"
}

/// `GET /dashboard` — families, filterable by owner, team, milestone, period and status.
pub async fn families(req: HttpRequest, state: Data<AppState>, q: QueryParams) -> HttpResponse {
    let s = match session(&req, &state).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let text = |k: &str| {
        q.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let id = |k: &str| {
        text(k).map(|v| {
            v.parse::<i64>()
                .map_err(|_| format!("{k} must be a number, not \"{v}\""))
        })
    };
    let mut filter = Filter {
        milestone: text("milestone"),
        status: text("status"),
        ..Filter::default()
    };
    let parsed = (|| -> Result<(), String> {
        filter.owner = id("owner").transpose()?;
        filter.team = id("team").transpose()?;
        if let Some(m) = &filter.milestone {
            Milestone::NAMES
                .contains(&m.as_str())
                .then_some(())
                .ok_or(format!(
                    "milestone must be one of {}",
                    Milestone::NAMES.join(", ")
                ))?;
        }
        if let Some(st) = &filter.status {
            STATUSES
                .contains(&st.as_str())
                .then_some(())
                .ok_or(format!("status must be one of {}", STATUSES.join(", ")))?;
        }
        Ok(())
    })();
    if let Err(e) = parsed {
        return message(StatusCode::BAD_REQUEST, "Bad filter", &e, Some(&s.csrf));
    }
    let (period_text, after) = (text("period"), text("after"));
    let (portal, f) = (s.who.portal, filter.clone());
    let found = db::run(&state.pool, move |conn| {
        let tz = portal_settings(conn, portal)?.tz();
        let mut f = f;
        if let Some(p) = &period_text {
            f.period = Some(period::parse(p, tz).map_err(crate::error::ApiError::bad_request)?);
        }
        let mut rows = board::families(conn, portal, &f, after.as_deref(), PAGE + 1)?;
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        // The listed families' slices, for their integrity problems: one indexed query.
        let uuids: Vec<String> = rows.iter().map(|r| r.uuid.clone()).collect();
        let slices = members(
            conn,
            Scope {
                portal,
                object_type: "goal_targets",
            },
            FAMILY,
            &uuids,
        )?;
        let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for v in audit(&slices, tz) {
            problems
                .entry(v.family.clone().unwrap_or_default())
                .or_default()
                .push(v.describe());
        }
        Ok((rows, more, problems))
    })
    .await;
    let (rows, more, problems) = match found {
        Ok(x) => x,
        Err(e) => return message(status_of(&e), "Bad filter", &e.to_string(), Some(&s.csrf)),
    };
    let v = |k: &str| esc(q.get(k).unwrap_or(""));
    let mut body = format!(
        "<h1>Goal families</h1><form class=\"filters\" method=\"get\" action=\"/dashboard\" role=\"search\">\
         <label>Owner id<input name=\"owner\" inputmode=\"numeric\" value=\"{}\"></label>\
         <label>Team id<input name=\"team\" inputmode=\"numeric\" value=\"{}\"></label>{}\
         <label>Period<input name=\"period\" placeholder=\"2027-Q1\" value=\"{}\"></label>{}\
         <button type=\"submit\">Filter</button></form>",
        v("owner"),
        v("team"),
        select("milestone", "Milestone", &Milestone::NAMES, filter.milestone.as_deref()),
        v("period"),
        select("status", "Status", &STATUSES, filter.status.as_deref()),
    );
    if rows.is_empty() {
        body += "<p class=\"muted\">No goal families match.</p>";
    } else {
        body += "<table><caption class=\"visually-hidden\">Goal families</caption><thead><tr><th>Family</th><th>Milestone</th>\
                 <th class=\"num\">Slices</th><th class=\"num\">Target</th><th class=\"num\">Value</th><th class=\"num\">Attainment</th>\
                 <th>From</th><th>To</th><th>Problems</th></tr></thead><tbody>";
        for r in &rows {
            let pct = if r.target > 0.0 {
                r.value / r.target * 100.0
            } else {
                0.0
            };
            let mut found = problems.get(&r.uuid).cloned().unwrap_or_default();
            if r.spellings > 1 {
                found.insert(
                    0,
                    format!(
                        "{} other family ids differ from this one only in case",
                        r.spellings - 1
                    ),
                );
            }
            let issues = match Some(&found).filter(|f| !f.is_empty()) {
                Some(list) => format!(
                    "<ul class=\"problems\" aria-label=\"Problems\">{}</ul>",
                    list.iter()
                        .take(3)
                        .map(|p| format!("<li>{}</li>", esc(p)))
                        .collect::<String>()
                ),
                None => "<span class=\"muted\">none</span>".into(),
            };
            let day = |v: &Option<String>| {
                esc(v.as_deref().map(|d| d.get(..10).unwrap_or(d)).unwrap_or(""))
            };
            body += &format!(
                "<tr><td><a href=\"/dashboard/families/{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{} %</td><td>{}</td><td>{}</td><td>{issues}</td></tr>",
                url(&r.uuid),
                esc(r.name.as_deref().unwrap_or(&r.uuid)),
                esc(r.milestone.as_deref().unwrap_or("")),
                r.slices,
                num(r.target),
                num(r.value),
                num(pct),
                day(&r.first_start),
                day(&r.last_end),
            );
        }
        body += "</tbody></table>";
    }
    if let (true, Some(last)) = (more, rows.last()) {
        let mut params: Vec<(String, String)> = ["owner", "team", "milestone", "period", "status"]
            .iter()
            .filter_map(|k| q.get(k).map(|v| (k.to_string(), v.to_owned())))
            .collect();
        params.push(("after".into(), last.key.clone()));
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        body += &format!(
            "<p><a href=\"/dashboard?{}\" rel=\"next\">Next page</a></p>",
            esc(&query)
        );
    }
    page(StatusCode::OK, "Goal families", Some(&s.csrf), &body)
}

/// `GET /dashboard/leaderboard?period=2027-03` — attainment per owner and per team over the
/// slices starting in the period, and the period's pacing.
pub async fn leaderboard(req: HttpRequest, state: Data<AppState>, q: QueryParams) -> HttpResponse {
    let s = match session(&req, &state).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let asked = q
        .get("period")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let portal = s.who.portal;
    let now = s.who.now();
    let found = db::run(&state.pool, move |conn| {
        let tz = portal_settings(conn, portal)?.tz();
        let name = asked.unwrap_or_else(|| period::month_of(now, tz));
        let range = period::parse(&name, tz).map_err(crate::error::ApiError::bad_request)?;
        let standings = board::leaderboard(conn, portal, range)?;
        let teams = crate::crm::lookups::list(conn, portal, "teams")?;
        Ok((name, range, tz, standings, teams))
    })
    .await;
    let (name, range, tz, standings, teams) = match found {
        Ok(x) => x,
        Err(e) => return message(status_of(&e), "Bad period", &e.to_string(), Some(&s.csrf)),
    };
    let team_name = |id: &str| {
        teams
            .iter()
            .find(|(t, _)| t.to_string() == id)
            .and_then(|(_, d)| d.get("name").map(str::to_owned))
            .map_or_else(|| format!("Team {id}"), |n| format!("{n} (team {id})"))
    };
    let share = elapsed(now, range);
    let mut body = format!(
        "<h1>Leaderboard</h1><form class=\"filters\" method=\"get\" action=\"/dashboard/leaderboard\">\
         <label>Period<input name=\"period\" value=\"{}\" placeholder=\"2027-Q1\"></label><button type=\"submit\">Show</button></form>\
         <p class=\"muted\">Slices starting from {} to {} ({} % of the period elapsed).</p>",
        esc(&name),
        period::day(range.0, tz),
        period::day(range.1, tz),
        num(share * 100.0)
    );
    let (mut total_t, mut total_v) = (0.0, 0.0);
    for (kind, title) in [("owner", "Owners"), ("team", "Teams")] {
        let mut items: Vec<Bar> = standings
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| Bar {
                label: if kind == "owner" {
                    format!("Owner {}", r.id)
                } else {
                    team_name(&r.id)
                },
                value: r.value,
                target: r.target,
            })
            .collect();
        if kind == "owner" {
            total_t = items.iter().map(|b| b.target).sum();
            total_v = items.iter().map(|b| b.value).sum();
        }
        // By the share the table shows (0 for a target of 0 or less).
        let shown = |b: &Bar| {
            if b.target > 0.0 {
                b.value / b.target
            } else {
                0.0
            }
        };
        items.sort_by(|a, b| shown(b).total_cmp(&shown(a)));
        body += &format!("<h2>{title}</h2>");
        if items.is_empty() {
            body += "<p class=\"muted\">No goals in this period.</p>";
            continue;
        }
        body += &bars(&format!("{title} attainment, {name}"), &items, Some(share));
        body += &format!("<table><caption class=\"visually-hidden\">{title}</caption><thead><tr><th>{title}</th><th class=\"num\">Target</th><th class=\"num\">Value</th><th class=\"num\">Attainment</th><th>Pace</th></tr></thead><tbody>");
        for b in &items {
            let pace = crate::attainment::pacing::pace(
                b.value,
                b.target,
                b.target * share,
                false,
                now >= range.0,
                now > range.1,
            );
            body += &format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} %</td><td>{}</td></tr>",
                esc(&b.label),
                num(b.target),
                num(b.value),
                num(if b.target > 0.0 { b.value / b.target * 100.0 } else { 0.0 }),
                badge(pace)
            );
        }
        body += "</tbody></table>";
    }
    body += "<h2>Pacing</h2>";
    body += &pacing(
        &format!("Owners' total against pace, {name}"),
        share,
        total_t,
        total_v,
    );
    page(StatusCode::OK, "Leaderboard", Some(&s.csrf), &body)
}
