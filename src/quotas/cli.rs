//! `goalpost import` and `goalpost export`: quota files from and to the command line. An
//! import prints its plan and writes only with `--apply`, with periodic progress lines on
//! stderr for long files.

use super::read::{Format, MAX_BYTES};
use super::sheet::Layout;
use crate::db;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::portals::DEFAULT_PORTAL;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Progress of an apply on stderr: a bar with rate and ETA redrawn on a terminal, a plain line
/// every few seconds otherwise (logs, CI).
struct Progress {
    /// Nothing is shown before this: a small file imports without a progress display.
    quiet_until: Instant,
    terminal: bool,
    phase: String,
    started: Instant,
    said: Instant,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Progress {
            quiet_until: now + Duration::from_secs(1),
            terminal: std::io::stderr().is_terminal(),
            phase: String::new(),
            started: now,
            said: now,
        }
    }

    /// Shows `done` of `total` families (`total` 0: rows read so far, the total unknown).
    fn show(&mut self, phase: &str, done: usize, total: usize) {
        let every = if self.terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(5)
        };
        let first = phase != self.phase;
        if first {
            // A new phase starts its own clock; its start is shown at once.
            self.phase = phase.to_owned();
            self.started = Instant::now();
        }
        let last = total > 0 && done == total;
        if Instant::now() < self.quiet_until || (!first && !last && self.said.elapsed() < every) {
            return;
        }
        self.said = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let line = if total == 0 {
            format!("{phase}: {done} rows, {rate:.0}/s")
        } else {
            let eta = if rate > 0.0 {
                format!("{:.0}s", (total - done) as f64 / rate)
            } else {
                "?".into()
            };
            let bar = if self.terminal {
                let filled = done * 30 / total;
                format!("[{}{}] ", "#".repeat(filled), "-".repeat(30 - filled))
            } else {
                String::new()
            };
            format!("{phase}: {bar}{done}/{total} families, {rate:.0}/s, ETA {eta}")
        };
        if self.terminal {
            eprint!("\r\x1b[K{line}");
            if last {
                eprintln!();
            }
        } else {
            eprintln!("import {line}");
        }
    }
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The quota file (CSV or NDJSON; `-` reads standard input).
    pub file: String,
    #[arg(long, default_value_t = DEFAULT_PORTAL)]
    pub portal: i64,
    /// rows or grid (default: rows when the file has a `period` column, else grid).
    #[arg(long)]
    pub layout: Option<String>,
    /// csv or ndjson (default: by the file's extension, else csv).
    #[arg(long)]
    pub format: Option<String>,
    /// Write the plan (without it, the plan is only printed).
    #[arg(long)]
    pub apply: bool,
    /// Print the plan as JSON instead of lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long, default_value_t = DEFAULT_PORTAL)]
    pub portal: i64,
    /// rows (one row per slice) or grid (one row per assignee, one column per period).
    #[arg(long, default_value = "rows")]
    pub layout: String,
    /// csv or ndjson.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub output: Option<String>,
}

fn layout(s: &str) -> Result<Layout, String> {
    Layout::parse(s).ok_or_else(|| format!("--layout must be rows or grid, not {s:?}"))
}

fn format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("--format must be csv or ndjson, not {s:?}"))
}

/// The file to read, streamed (`-`: standard input).
fn open(path: &str) -> Result<Box<dyn Read>, String> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let len = file.metadata().map_err(|e| format!("{path}: {e}"))?.len();
    // Refused before reading a byte; the reader checks again as it streams (a pipe has no size).
    if len > MAX_BYTES {
        return Err(format!(
            "{path} is {len} bytes, over the limit of {MAX_BYTES}: split it by goal"
        ));
    }
    Ok(Box::new(file))
}

/// `goalpost import FILE`
pub fn import(database_url: &str, args: ImportArgs, base: &ObjectType) -> Result<(), String> {
    let fmt = match &args.format {
        Some(f) => format(f)?,
        None => Format::of_path(&args.file),
    };
    let lay = args.layout.as_deref().map(layout).transpose()?;
    let input = open(&args.file)?;
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let portal = PortalId(args.portal);
    let e = |e: crate::error::ApiError| e.to_string();
    if args.apply {
        crate::portals::ensure_portal(&mut conn, portal, &format!("portal {}", portal.0))
            .map_err(e)?;
        // The indexes `serve` makes at start: the rules read families by them.
        crate::engine::indexes::ensure_type(&mut conn, base).map_err(e)?;
    }
    let custom =
        crate::engine::properties::load_custom(&mut conn, portal, base.name, false).map_err(e)?;
    let otype = base.with_custom(custom);
    let now = crate::portals::clock::clock(&mut conn, portal)
        .map_err(e)?
        .now();
    // Ctrl-C stops between families: what is written is whole families, and a re-run finishes.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // A second Ctrl-C (say, while standard input blocks) ends the process at once.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("import: stopped (nothing of the batch being written was committed)");
            std::process::exit(130);
        }
    });
    let mut bar = Progress::new();
    let mut progress = |phase: &str, done: usize, total: usize| {
        bar.show(phase, done, total);
        !stop.load(Ordering::SeqCst)
    };
    let report = super::import(
        &mut conn,
        &otype,
        portal,
        input,
        (fmt, lay, args.apply),
        now,
        &mut progress,
    )
    .map_err(e)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", report.text());
    }
    if report.interrupted.is_some() {
        return Err("interrupted".into());
    }
    if report.totals.problems > 0 || report.totals.refused > 0 {
        return Err("some rows cannot be used (see the plan above)".into());
    }
    Ok(())
}

/// `goalpost export`
pub fn export(database_url: &str, args: ExportArgs, base: &ObjectType) -> Result<(), String> {
    let what = (layout(&args.layout)?, format(&args.format)?, true);
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let n = super::export::export(&mut conn, base, PortalId(args.portal), what, &mut out)
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    if args.output.is_some() {
        eprintln!("export: {n} slices");
    }
    Ok(())
}
