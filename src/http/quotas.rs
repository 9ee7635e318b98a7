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
    // an error status; then the slices stream out a chunk of families at a time, through a
    // small channel: a slow client holds the writer back instead of the server buffering.
    let ot = otype.clone();
    let survey = db::run(&state.pool, move |conn| {
        crate::quotas::export::survey(conn, &ot, portal, what)
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let pool = state.pool.clone();
    let failed = tx.clone();
    actix_web::rt::spawn(async move {
        let wrote = db::run(&pool, move |conn| {
            let mut out = ChannelWriter {
                tx,
                buf: Vec::with_capacity(CHUNK_BYTES),
            };
            crate::quotas::export::write(conn, &otype, portal, &survey, &mut out)
        })
        .await;
        if let Err(e) = wrote {
            // Mid-answer, the status is sent: the body ends with an error, so the client
            // sees a broken transfer rather than a file that looks complete.
            tracing::warn!(error = %e, "export stopped");
            let _ = failed.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
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

/// Bytes sent per message of an export's stream.
const CHUNK_BYTES: usize = 64 << 10;

/// A `Write` on the blocking thread that sends the bytes to the answer's stream in chunks.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        // The client went away: stop writing (the export ends with this error).
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the client closed the connection"))
    }
}
