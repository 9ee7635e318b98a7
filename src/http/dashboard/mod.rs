//! The goals dashboard (`/dashboard`): families with their problems flagged, one family as a
//! grid with inline target edits, and a leaderboard per period. Served by goalpost itself:
//! the page shell, stylesheet and charts are built in the binary, with no script and nothing
//! fetched from elsewhere.
//!
//! Sign-in takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie scoped to
//! `/dashboard`; every request checks it like the API does (revoked or expired tokens end the
//! session). Every form post must carry the session's CSRF value (derived from the token) and
//! come from this origin. A token without `crm.objects.goals.write` gets a read-only page.

mod charts;
mod family;
mod html;
mod pages;
mod period;

pub use family::{edit, family};
pub use pages::{families, leaderboard};

use super::{entry, RouteEntry};
use crate::auth::Principal;
use crate::http::extract::resolve;
use crate::http::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::Method;
use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use html::{esc, message, page, see_other};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const COOKIE: &str = "goalpost_session";
const READ_SCOPES: &[&str] = &["crm.objects.goals.read", "crm.objects.goals.write"];

/// A signed-in request.
pub struct Session {
    pub who: Principal,
    pub csrf: String,
    pub can_write: bool,
}

/// The CSRF value of a session: a hash of its token, so it needs no server-side state and
/// changes with the token.
fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("goalpost-dashboard-csrf:{token}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The session of a request, or the response to send instead (to the sign-in page).
pub async fn session(req: &HttpRequest, state: &AppState) -> Result<Session, HttpResponse> {
    let token = req.cookie(COOKIE).and_then(|c| unhex(c.value()));
    let Some(token) = token else {
        return Err(see_other("/dashboard/login"));
    };
    let who = match resolve(state, &token).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(signed_out("/dashboard/login?expired=1")),
        Err(e) => {
            return Err(message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                &e.to_string(),
                None,
            ))
        }
    };
    if !READ_SCOPES
        .iter()
        .any(|s| who.scopes.iter().any(|h| h == s))
    {
        return Err(message(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "This token may not read goal targets (crm.objects.goals.read).",
            None,
        ));
    }
    let can_write = who.scopes.iter().any(|s| s == "crm.objects.goals.write");
    Ok(Session {
        csrf: csrf_of(&token),
        who,
        can_write,
    })
}

/// Whether a post comes from this origin: browsers send `Sec-Fetch-Site` and `Origin` on
/// cross-site posts; a `Referer` from elsewhere is refused too.
fn same_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    let host = req.connection_info().host().to_ascii_lowercase();
    for name in ["origin", "referer"] {
        if let Some(v) = headers.get(name) {
            let Some(u) = v.to_str().ok().and_then(|s| url::Url::parse(s).ok()) else {
                return false;
            };
            let at = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                _ => return false,
            };
            if at.to_ascii_lowercase() != host {
                return false;
            }
        }
    }
    true
}

/// A form body's fields.
pub fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Checks a signed-in form post: same origin and the session's CSRF value. `Some`: the
/// refusal to send instead.
pub fn refused(
    req: &HttpRequest,
    s: &Session,
    fields: &HashMap<String, String>,
) -> Option<HttpResponse> {
    // Compared in constant time: every byte, whatever the first difference.
    let csrf_ok = fields.get("csrf").is_some_and(|c| {
        c.len() == s.csrf.len()
            && c.bytes()
                .zip(s.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    (!same_origin(req) || !csrf_ok).then(|| {
        message(
            StatusCode::FORBIDDEN,
            "Refused",
            "This form did not come from this dashboard (cross-site request refused).",
            Some(&s.csrf),
        )
    })
}

fn signed_out(to: &str) -> HttpResponse {
    let mut gone = Cookie::build(COOKIE, "")
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    gone.make_removal();
    let mut r = see_other(to);
    let _ = r.add_cookie(&gone);
    r
}

fn login_page(status: StatusCode, note: &str) -> HttpResponse {
    page(
        status,
        "Sign in",
        None,
        &format!(
            "<div class=\"login\"><h1>Sign in to the goals dashboard</h1>{note}\
             <form method=\"post\" action=\"/dashboard/login\"><label for=\"token\">API token</label>\
             <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required autofocus>\
             <button class=\"primary\" type=\"submit\">Sign in</button></form>\
             <p class=\"muted\">A token with <code>crm.objects.goals.write</code> can edit targets; \
             <code>crm.objects.goals.read</code> alone gives a read-only view.</p></div>"
        ),
    )
}

/// `GET /dashboard/login`
pub async fn login_form(req: HttpRequest) -> HttpResponse {
    let expired = req.query_string().contains("expired=1");
    let note = if expired {
        "<p class=\"alert\" role=\"alert\">Your session ended: the token is no longer valid.</p>"
    } else {
        ""
    };
    login_page(StatusCode::OK, note)
}

/// `POST /dashboard/login` — checks the token and starts the session.
pub async fn login(req: HttpRequest, state: Data<AppState>, body: Bytes) -> HttpResponse {
    if !same_origin(&req) {
        return message(
            StatusCode::FORBIDDEN,
            "Refused",
            "Sign-in from another site is refused.",
            None,
        );
    }
    let token = form(&body)
        .remove("token")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let who = match resolve(&state, &token).await {
        Ok(Some(p)) => p,
        Ok(None) => return login_page(StatusCode::UNAUTHORIZED, "<p class=\"alert\" role=\"alert\">That token is not valid (unknown, revoked or expired).</p>"),
        Err(e) => return message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", &e.to_string(), None),
    };
    if !READ_SCOPES
        .iter()
        .any(|s| who.scopes.iter().any(|h| h == s))
    {
        return login_page(StatusCode::FORBIDDEN, "<p class=\"alert\" role=\"alert\">That token may not read goal targets (it needs crm.objects.goals.read).</p>");
    }
    let secure = req.connection_info().scheme() == "https";
    let cookie = Cookie::build(COOKIE, hex(&token))
        .path("/dashboard")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    let mut r = see_other("/dashboard");
    let _ = r.add_cookie(&cookie);
    r
}

/// `POST /dashboard/logout`
pub async fn logout(req: HttpRequest, state: Data<AppState>, body: Bytes) -> HttpResponse {
    let s = match session(&req, &state).await {
        Ok(s) => s,
        Err(_) => return signed_out("/dashboard/login"),
    };
    if let Some(r) = refused(&req, &s, &form(&body)) {
        return r;
    }
    signed_out("/dashboard/login")
}

/// The cookie holds the token as hex: any byte a token may contain, and nothing a cookie
/// value or its parser would change.
pub fn hex(token: &str) -> String {
    token.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A hidden CSRF field for a form.
pub fn csrf_field(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf)
    )
}

/// The goals dashboard's pages (HTML; see `dashboard`).
pub(super) fn routes() -> Vec<RouteEntry> {
    let board = "/dashboard";
    vec![
        entry(Method::GET, board.into(), || web::get().to(families)),
        entry(Method::GET, format!("{board}/login"), || {
            web::get().to(login_form)
        }),
        entry(Method::POST, format!("{board}/login"), || {
            web::post().to(login)
        }),
        entry(Method::POST, format!("{board}/logout"), || {
            web::post().to(logout)
        }),
        entry(Method::GET, format!("{board}/families/{{uuid}}"), || {
            web::get().to(family)
        }),
        entry(
            Method::POST,
            format!("{board}/families/{{uuid}}/slices/{{id}}"),
            || web::post().to(edit),
        ),
        entry(Method::GET, format!("{board}/leaderboard"), || {
            web::get().to(leaderboard)
        }),
    ]
}
