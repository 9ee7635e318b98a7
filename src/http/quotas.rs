//! Quota files over HTTP: `POST /goalpost/v1/imports` (a CSV or NDJSON body; a dry run unless
//! `dry_run=false`, answering the plan as JSON) and `GET /goalpost/v1/exports` (the file).
//! Scopes `goalpost.quotas.write` and `goalpost.quotas.read` (exports name owners by e-mail
//! only for a token that also has `crm.objects.owners.read`). Bodies are held to the server's
//! body limit; the command line (`goalpost import`) takes files of any size up to 512 MB.

use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::http::state::AppState;
use crate::quotas::read::Format;
use crate::quotas::sheet::Layout;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const READ: &[&str] = &["goalpost.quotas.read", "goalpost.quotas.write"];

pub(super) fn routes() -> Vec<super::RouteEntry> {
    use actix_web::{http::Method, web};
    vec![
        super::entry(Method::POST, "/goalpost/v1/imports".into(), || {
            web::post().to(import)
        }),
        super::entry(Method::GET, "/goalpost/v1/exports".into(), || {
            web::get().to(export)
        }),
    ]
}
const WRITE: &[&str] = &["goalpost.quotas.write"];

fn layout(q: &QueryParams, default: Option<Layout>) -> Result<Option<Layout>, ApiError> {
    match q.get("layout") {
        None => Ok(default),
        Some(l) => Layout::parse(l).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!("layout must be rows or grid, not {l:?}"))
        }),
    }
}

/// The format: `format=`, else the body's content type (CSV unless it says NDJSON).
fn format(q: &QueryParams, req: Option<&HttpRequest>) -> Result<Format, ApiError> {
    if let Some(f) = q.get("format") {
        return Format::parse(f).ok_or_else(|| {
            ApiError::bad_request(format!("format must be csv or ndjson, not {f:?}"))
        });
    }
    let ndjson = req
        .and_then(|r| r.headers().get("content-type"))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("ndjson") || t.contains("jsonl"));
    Ok(if ndjson { Format::Ndjson } else { Format::Csv })
}

/// `POST /goalpost/v1/imports?dry_run=&layout=&format=`
pub async fn import(
    req: HttpRequest,
    state: Data<AppState>,
    who: Principal,
    q: QueryParams,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    who.require(WRITE)?;
    let apply = match q.get("dry_run") {
        None | Some("true") => false,
        Some("false") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "dry_run must be true or false, not {other:?}"
            )))
        }
    };
    let options = (format(&q, Some(&req))?, layout(&q, None)?, apply);
    let otype = state.object_type(who.portal, "goal_targets").await?;
    let (portal, now) = (who.portal, who.now());
    let report = db::run(&state.pool, move |conn| {
        crate::quotas::import(
            conn,
            &otype,
            portal,
            &body[..],
            options,
            now,
            &mut |_, _, _| true,
        )
    })
    .await?;
    if apply {
        if let Some(refused) = report.refusal() {
            return Err(refused);
        }
    }
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /goalpost/v1/exports?layout=&format=`
pub async fn export(
    state: Data<AppState>,
    who: Principal,
    q: QueryParams,
) -> Result<HttpResponse, ApiError> {
    who.require(READ)?;
    // Owners are written by e-mail only for a token that may read owners.
    let emails = who.scopes.iter().any(|s| s == "crm.objects.owners.read");
    let what = (
        layout(&q, Some(Layout::Rows))?.unwrap_or(Layout::Rows),
        format(&q, None)?,
        emails,
    );
    let otype = state.object_type(who.portal, "goal_targets").await?;
    let portal = who.portal;
    // The survey (families, a grid's columns) before the answer starts, so a failure is still
    // an error status; then the slices stream out a chunk of families at a time, each read on
    // a pooled connection that is given back before the chunk is sent: a client that reads
    // slowly (or stops) holds no connection, and one that stops for a minute is dropped.
    let ot = otype.clone();
    let survey = db::run(&state.pool, move |conn| {
        crate::quotas::export::survey(conn, &ot, portal, what)
    })
    .await?;
    let mut head = Vec::new();
    survey.header(&mut head)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    let (pool, survey, otype) = (state.pool.clone(), Arc::new(survey), Arc::new(otype));
    let whole = Arc::new(AtomicBool::new(false));
    let done = whole.clone();
    actix_web::rt::spawn(async move {
        let mut next = Ok(Bytes::from(head));
        for at in 0..=survey.chunks() {
            let stop = next.is_err();
            let sent = tokio::time::timeout(SEND_WITHIN, tx.send(next)).await;
            if stop || !matches!(sent, Ok(Ok(()))) {
                return;
            }
            if at == survey.chunks() {
                done.store(true, Ordering::SeqCst);
                return;
            }
            let (s, ot) = (survey.clone(), otype.clone());
            let bytes = db::run(&pool, move |conn| {
                let mut out = Vec::new();
                crate::quotas::export::chunk(conn, &ot, portal, (&s, at), &mut out)?;
                Ok(out)
            })
            .await;
            // Mid-answer, the status is sent: an error ends the body broken, so the client
            // sees a failed transfer rather than a file that looks complete.
            next = bytes.map(Bytes::from).map_err(|e| {
                tracing::warn!(error = %e, "export stopped");
                std::io::Error::other(e.to_string())
            });
        }
    });
    // The task says when the file is whole: a stream that ends before (the client stalled past
    // SEND_WITHIN) ends with an error, so the transfer fails instead of looking complete.
    let body =
        futures_util::stream::unfold((rx, whole, false), |(mut rx, whole, ended)| async move {
            if ended {
                return None;
            }
            match rx.recv().await {
                Some(item) => Some((item, (rx, whole, false))),
                None if whole.load(Ordering::SeqCst) => None,
                None => Some((
                    Err(std::io::Error::other("export stopped")),
                    (rx, whole, true),
                )),
            }
        });
    let (kind, ext) = match what.1 {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Ndjson => ("application/x-ndjson", "ndjson"),
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"quotas.{ext}\""),
        ))
        .streaming(body))
}

/// How long an export waits for its client to take the next chunk.
const SEND_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);
