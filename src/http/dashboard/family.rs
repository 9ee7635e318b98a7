//! One family as a grid (a row per assignee's group, a column per period) with inline target
//! edits, written through the same validation and family rules as the API.

use super::html::{badge, esc, message, num, page, see_other, url};
use super::{csrf_field, form, period, refused, session, Session};
use crate::attainment::pacing;
use crate::db;
use crate::engine::objects::{self, invalid_values_message, Source, Update};
use crate::engine::store::PortalId;
use crate::error::ApiError;
use crate::goals::family as families;
use crate::goals::rules::{audit, FAMILY};
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::portals::clock::clock;
use crate::portals::portal_settings;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// What the grid shows of a family: its attainment (as the API gives it) and its problems.
struct Loaded {
    view: Value,
    problems: Vec<String>,
    tz: chrono_tz::Tz,
}

async fn load(
    state: &AppState,
    portal: PortalId,
    uuid: String,
) -> Result<Option<Loaded>, ApiError> {
    let otype = state.object_type(portal, "goal_targets").await?;
    db::run(&state.pool, move |conn| {
        let rows = families::load(conn, &otype, portal, &uuid, false)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let tz = portal_settings(conn, portal)?.tz();
        let teams = crate::crm::lookups::team_members(conn, portal, None)?;
        let problems = audit(&rows, tz).iter().map(|v| v.describe()).collect();
        Ok(Some(Loaded {
            view: pacing::family(&uuid, &rows, &teams, clock(conn, portal)?.now()),
            problems,
            tz,
        }))
    })
    .await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn grid(s: &Session, l: &Loaded, uuid: &str) -> String {
    let starts: BTreeSet<String> = l.view["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| {
            g["slices"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["start"].as_str().map(str::to_owned))
        })
        .collect();
    let label = |start: &str| {
        crate::engine::value::parse_instant(start)
            .map(|ms| period::day(ms, l.tz))
            .unwrap_or_default()
    };
    let mut h = String::from("<table class=\"grid\"><caption class=\"visually-hidden\">Targets and progress per assignee and period</caption><thead><tr><th scope=\"col\">Assignee</th>");
    for st in &starts {
        h += &format!("<th scope=\"col\">{}</th>", esc(&label(st)));
    }
    h += "<th scope=\"col\" class=\"num\">Total</th></tr></thead><tbody>";
    for g in l.view["groups"].as_array().into_iter().flatten() {
        let who = match (g["assignee"]["kind"].as_str(), g["assignee"]["id"].as_str()) {
            (Some("owner"), Some(id)) => format!("Owner {id}"),
            (Some("team"), Some(id)) => format!("Team {id}"),
            _ => "Everyone".into(),
        };
        h += &format!(
            "<tr><th scope=\"row\">{}<br><span class=\"muted\">group {}</span></th>",
            esc(&who),
            esc(g["groupId"].as_str().unwrap_or(""))
        );
        let slices: Vec<&Value> = g["slices"].as_array().into_iter().flatten().collect();
        for st in &starts {
            let Some(x) = slices.iter().find(|x| x["start"].as_str() == Some(st)) else {
                h += "<td class=\"muted\">—</td>";
                continue;
            };
            let id = x["id"].as_str().unwrap_or("");
            let target = if s.can_write {
                format!(
                    "<form method=\"post\" action=\"/dashboard/families/{}/slices/{}\">{}\
                     <input class=\"target\" name=\"target\" value=\"{}\" aria-label=\"Target for {who} from {at}\" inputmode=\"decimal\" required>\
                     <button type=\"submit\" aria-label=\"Save the target for {who} from {at}\">Save</button></form>",
                    url(uuid),
                    url(id),
                    csrf_field(s),
                    esc(&crate::attainment::refresh::number_text(f(&x["target"]))),
                    who = esc(&who),
                    at = esc(&label(st))
                )
            } else {
                format!("target {}", num(f(&x["target"])))
            };
            let value = x["value"].as_f64().map_or("no value".into(), |v| {
                format!("{} ({} %)", num(v), num(f(&x["percent"])))
            });
            let manual = if x["manual"] == true {
                " <span class=\"muted\">manual</span>"
            } else {
                ""
            };
            h += &format!(
                "<td class=\"cell\" id=\"slice-{}\">{target}<div>{}{manual}</div><div>{} {}</div></td>",
                esc(id),
                esc(&value),
                x["status"].as_str().map(badge).unwrap_or_default(),
                badge(x["pace"].as_str().unwrap_or("not_started")),
            );
        }
        let t = &g["totals"];
        h += &format!(
            "<td class=\"num\">{} of {}<br>{}</td></tr>",
            num(f(&t["value"])),
            num(f(&t["target"])),
            badge(t["pace"].as_str().unwrap_or(""))
        );
    }
    h + "</tbody></table>"
}

fn teams(l: &Loaded) -> String {
    let list = l.view["teams"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return String::new();
    }
    let mut h = String::from("<h2>Team roll-ups</h2><table><thead><tr><th>Team</th><th>Period</th><th class=\"num\">Team target</th><th class=\"num\">Members' targets</th><th class=\"num\">Team value</th><th class=\"num\">Members' values</th><th>Check</th></tr></thead><tbody>");
    for t in &list {
        for p in t["periods"].as_array().into_iter().flatten() {
            let start = p["start"]
                .as_str()
                .and_then(crate::engine::value::parse_instant)
                .map(|ms| period::day(ms, l.tz))
                .unwrap_or_default();
            let flag = if p["targetMismatch"] == true {
                "<span class=\"badge at_risk\">target mismatch</span>"
            } else {
                "<span class=\"badge on_track\">sums agree</span>"
            };
            h += &format!(
                "<tr><td>Team {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{flag}</td></tr>",
                esc(t["teamId"].as_str().unwrap_or("")),
                esc(&start),
                num(f(&p["teamTarget"])),
                num(f(&p["membersTarget"])),
                num(f(&p["teamValue"])),
                num(f(&p["membersValue"])),
            );
        }
    }
    h + "</tbody></table>"
}

fn render(s: &Session, l: &Loaded, uuid: &str, status: StatusCode, note: &str) -> HttpResponse {
    let v = &l.view;
    let t = &v["totals"];
    let name = v["name"].as_str().unwrap_or(uuid);
    let mut body = format!(
        "<p><a href=\"/dashboard\">All families</a></p><h1>{}</h1><p class=\"muted\">{} · family {}{}</p>{note}\
         <p>{} of {} ({} %) · expected to date {} · {}</p>",
        esc(name),
        esc(v["milestone"].as_str().unwrap_or("")),
        esc(uuid),
        if s.can_write { "" } else { " · read-only" },
        num(f(&t["value"])),
        num(f(&t["target"])),
        num(f(&t["percent"])),
        num(f(&t["expectedToDate"])),
        badge(t["pace"].as_str().unwrap_or("")),
    );
    if !l.problems.is_empty() {
        body += &format!(
            "<h2>Problems</h2><ul class=\"problems\">{}</ul>",
            l.problems
                .iter()
                .map(|p| format!("<li>{}</li>", esc(p)))
                .collect::<String>()
        );
    }
    body += &grid(s, l, uuid);
    body += &teams(l);
    page(status, name, Some(&s.csrf), &body)
}

/// `GET /dashboard/families/{uuid}`
pub async fn family(
    req: HttpRequest,
    state: Data<AppState>,
    path: Path<String>,
    q: QueryParams,
) -> HttpResponse {
    let s = match session(&req, &state).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let uuid = path.into_inner();
    match load(&state, s.who.portal, uuid.clone()).await {
        Ok(Some(l)) => {
            let note = if q.get("saved").is_some() {
                "<p class=\"notice\" role=\"status\">Target saved.</p>"
            } else {
                ""
            };
            render(&s, &l, &uuid, StatusCode::OK, note)
        }
        Ok(None) => message(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("No goal family {uuid}"),
            Some(&s.csrf),
        ),
        Err(e) => message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            &e.to_string(),
            Some(&s.csrf),
        ),
    }
}

/// The rule a refused write broke, as a person reads it.
fn refusal(e: &ApiError) -> String {
    match e {
        // Each broken rule or bad value on its own, named by its property where it has one.
        ApiError::Validation(v) if !v.errors.is_empty() => v
            .errors
            .iter()
            .map(|d| {
                match d
                    .context
                    .get("propertyName")
                    .and_then(|n| n.get(0))
                    .and_then(|n| n.as_str())
                {
                    Some(name) => format!("{name}: {}", d.message),
                    None => d.message.clone(),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => e.to_string(),
    }
}

/// `POST /dashboard/families/{uuid}/slices/{id}` — sets one slice's `hs_target_amount`.
pub async fn edit(
    req: HttpRequest,
    state: Data<AppState>,
    path: Path<(String, String)>,
    body: Bytes,
) -> HttpResponse {
    let s = match session(&req, &state).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fields = form(&body);
    if let Some(r) = refused(&req, &s, &fields) {
        return r;
    }
    if !s.can_write {
        return message(
            StatusCode::FORBIDDEN,
            "Read-only",
            "This token may not change goal targets (crm.objects.goals.write).",
            Some(&s.csrf),
        );
    }
    let (uuid, raw_id) = path.into_inner();
    let portal = s.who.portal;
    let written = async {
        let otype = state.object_type(portal, "goal_targets").await?;
        let id: i64 = raw_id
            .parse()
            .map_err(|_| ApiError::object_not_found(&raw_id))?;
        // An empty value would clear the target: the grid sets targets, it does not remove them.
        let given = fields.get("target").map(|t| t.trim()).unwrap_or_default();
        if given.is_empty() {
            let errors = vec![crate::error::ErrorDetail::property(
                "INVALID_PROPERTY_VALUE",
                "hs_target_amount",
                "a target is required".into(),
            )];
            return Err(ApiError::invalid(invalid_values_message(&errors), errors));
        }
        let mut input = Map::new();
        input.insert("hs_target_amount".into(), Value::String(given.to_owned()));
        let changes = objects::validate(&otype, &input)
            .map_err(|errs| ApiError::invalid(invalid_values_message(&errs), errs))?;
        let u = uuid.clone();
        db::run(&state.pool, move |conn| {
            conn.write_tx(|tx| {
                // Only a slice of this family, in this portal.
                let rows = families::load(tx, &otype, portal, &u, false)?;
                if !rows
                    .iter()
                    .any(|r| r.id == id && r.properties.get(FAMILY) == Some(u.as_str()))
                {
                    return Err(ApiError::object_not_found(&id.to_string()));
                }
                let now = clock(tx, portal)?.now();
                objects::update(
                    tx,
                    &otype,
                    portal,
                    &[Update {
                        input: 0,
                        id,
                        changes,
                    }],
                    now,
                    &Source::api(),
                )
            })
        })
        .await
    }
    .await;
    match written {
        Ok(_) => see_other(&format!(
            "/dashboard/families/{}?saved={}#slice-{}",
            url(&uuid),
            url(&raw_id),
            url(&raw_id)
        )),
        Err(e @ ApiError::NotFound { .. }) => message(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("No such slice in family {uuid}: {e}"),
            Some(&s.csrf),
        ),
        // The database failed, not the edit.
        Err(e) if !matches!(e, ApiError::Validation(_) | ApiError::Conflict(_)) => message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "The target could not be saved; try again.",
            Some(&s.csrf),
        ),
        Err(e) => match load(&state, portal, uuid.clone()).await {
            Ok(Some(l)) => {
                let note = format!(
                    "<p class=\"alert\" role=\"alert\">Not saved: {}</p>",
                    esc(&refusal(&e))
                );
                render(&s, &l, &uuid, StatusCode::BAD_REQUEST, &note)
            }
            _ => message(
                StatusCode::NOT_FOUND,
                "Not found",
                &refusal(&e),
                Some(&s.csrf),
            ),
        },
    }
}
