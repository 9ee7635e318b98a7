//! The `goalpost` command line: serve, migrate, token.

use clap::{Parser, Subcommand};
use goalpost::config::{Config, LogFormat};
use goalpost::engine::store::PortalId;
use goalpost::portals::{self, DEFAULT_PORTAL};
use goalpost::{auth, db, http, jobs};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "goalpost",
    version,
    about = "Self-hosted CRM store for sales goals"
)]
struct Cli {
    /// Database: sqlite://PATH (embedded) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://goalpost.db",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve(Config),
    /// Run pending migrations and exit.
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Portal settings: time zone and goal-family validation mode.
    #[command(subcommand)]
    Portal(PortalCommand),
    /// Goal families.
    #[command(subcommand)]
    Families(FamiliesCommand),
    /// Webhook targets and subscriptions (HubSpot's webhooks API, from here).
    #[command(subcommand)]
    Webhooks(goalpost::webhooks::cli::WebhooksCommand),
    /// Plan (and with --apply write) a quota file: CSV or NDJSON, rows or grid.
    Import(goalpost::quotas::cli::ImportArgs),
    /// Write the portal's goal targets as a quota file that `import` reads back unchanged.
    Export(goalpost::quotas::cli::ExportArgs),
}

#[derive(Subcommand)]
enum PortalCommand {
    /// Show a portal's settings.
    Show {
        #[arg(long, default_value_t = DEFAULT_PORTAL)]
        portal: i64,
    },
    /// Change a portal's settings (the portal is created if missing).
    Set {
        #[arg(long, default_value_t = DEFAULT_PORTAL)]
        portal: i64,
        /// IANA time zone milestone periods are cut in, e.g. America/New_York.
        #[arg(long)]
        time_zone: Option<String>,
        /// strict (enforce the goal-family rules) or lenient (store what is given).
        #[arg(long)]
        validation_mode: Option<String>,
    },
}

#[derive(Subcommand)]
enum FamiliesCommand {
    /// List every family or group that breaks a rule, and why; exits 1 if any does.
    Check {
        /// Only this portal (default: every portal).
        #[arg(long)]
        portal: Option<i64>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; prints it alone on stdout, once.
    Create {
        /// Comma-separated scopes, e.g. crm.objects.goals.read,crm.objects.goals.write
        #[arg(long)]
        scopes: String,
        /// Portal (hub id) the token belongs to; created if missing.
        #[arg(long, default_value_t = DEFAULT_PORTAL)]
        portal: i64,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// The Pipedrive user the token acts as ("your goals", a new goal's owner_id).
        #[arg(long, default_value_t = auth::DEFAULT_USER)]
        user_id: i64,
        /// Expire the token after this long: seconds, or with a unit (90s, 30m, 12h, 7d).
        #[arg(long, value_parser = parse_duration_ms)]
        expires_in: Option<i64>,
    },
    /// List tokens (never their secrets): id, name, portal, scopes, created, expires, last used.
    List {
        /// Only this portal's tokens.
        #[arg(long)]
        portal: Option<i64>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token: every running instance refuses it within a second.
    Revoke { id: i64 },
    /// Give a token a new secret (printed alone on stdout, once); the old one stops working,
    /// at once or after --grace.
    Rotate {
        id: i64,
        /// Keep the old secret valid this long: seconds, or 90s, 30m, 12h, 7d.
        #[arg(long, value_parser = parse_duration_ms, default_value = "0")]
        grace: i64,
    },
}

/// `90`, `90s`, `30m`, `12h`, `7d` in milliseconds.
fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("not a duration: {text:?}"))?;
    let scale = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {text:?} (use s, m, h or d)"
            ))
        }
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("too long: {text:?}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::Serve(_))) {
        init_logging(LogFormat::Text);
    }
    let result = match cli.command {
        None => serve(Config::new(cli.database_url)),
        Some(Command::Serve(mut config)) => {
            config.database_url = cli.database_url;
            serve(config)
        }
        Some(Command::Migrate) => migrate(&cli.database_url),
        Some(Command::Token(cmd)) => token(&cli.database_url, cmd),
        Some(Command::Portal(cmd)) => portal(&cli.database_url, cmd),
        Some(Command::Families(FamiliesCommand::Check { portal })) => {
            families_check(&cli.database_url, portal)
        }
        Some(Command::Webhooks(cmd)) => {
            goalpost::webhooks::cli::run(&cli.database_url, cmd, &goalpost::registry().type_ids())
        }
        Some(Command::Import(args)) => {
            goalpost::quotas::cli::import(&cli.database_url, args, &targets())
        }
        Some(Command::Export(args)) => {
            goalpost::quotas::cli::export(&cli.database_url, args, &targets())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("goalpost: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The goal-target type as the server has it (its rule hook and attainment reactions).
fn targets() -> std::sync::Arc<goalpost::engine::types::ObjectType> {
    goalpost::registry()
        .find("goal_targets")
        .expect("goal_targets is built in")
}

/// Log lines on stderr, filtered by RUST_LOG (default `info`), as text or JSON; records of
/// crates that use `log` are forwarded.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn serve(config: Config) -> Result<(), String> {
    let config = config.normalised();
    init_logging(config.log_format);
    let startup = goalpost::prepare(config)?;
    let pool = startup.state.pool.clone();
    let leader = jobs::start(
        &pool,
        startup.stats_mark,
        startup.state.instance.clone(),
        startup.state.config.event_retention_days,
    );
    let _ = startup.state.leader.set(leader.clone());
    let c = &startup.state.config;
    goalpost::webhooks::deliver::start(
        pool.clone(),
        leader.clone(),
        goalpost::registry().type_ids(),
        goalpost::webhooks::deliver::Options {
            retry_ms: (c.webhook_retry_seconds as i64).saturating_mul(1000),
            backoff_ms: c.webhook_backoff_ms as i64,
            timeout: std::time::Duration::from_millis(c.webhook_timeout_ms),
        },
    );
    let served = actix_web::rt::System::new()
        .block_on(http::server::run(startup.state, startup.banner))
        .map_err(|e| e.to_string());
    // A clean stop hands the jobs over at once instead of after the lease runs out.
    leader.release(&pool);
    served
}

fn migrate(database_url: &str) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    let n = conn.migrate()?;
    eprintln!("goalpost: {n} migration(s) run");
    Ok(())
}

fn token(database_url: &str, cmd: TokenCommand) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let e = |e: goalpost::error::ApiError| e.to_string();
    match cmd {
        TokenCommand::Create {
            scopes,
            portal,
            name,
            user_id,
            expires_in,
        } => {
            let scopes = auth::parse_scopes(&scopes)?;
            if expires_in.is_some_and(|ms| ms <= 0) {
                return Err("--expires-in must be longer than zero".into());
            }
            let expires = expires_in.map(|ms| goalpost::engine::value::now_ms() + ms);
            let (id, token) = auth::create_token(
                &mut conn,
                PortalId(portal),
                &name,
                &scopes,
                user_id,
                expires,
            )
            .map_err(e)?;
            eprintln!(
                "goalpost: token {id} {name:?} for portal {portal}, user {user_id}, with scopes {}{}",
                scopes.join(","),
                expires.map_or(String::new(), |x| format!(", expires {}", when(Some(x))))
            );
            println!("{token}");
        }
        TokenCommand::List { portal, json } => {
            let list = auth::list_tokens(&mut conn, portal.map(PortalId)).map_err(e)?;
            if !json {
                println!("ID\tNAME\tPORTAL\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tSTATE");
            }
            let now = goalpost::engine::value::now_ms();
            for t in list {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(_), _) => "revoked",
                    (None, Some(x)) if x <= now => "expired",
                    _ => "active",
                };
                if json {
                    let mut v = serde_json::to_value(&t).map_err(|e| e.to_string())?;
                    v["state"] = state.into();
                    println!("{v}");
                } else {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{state}",
                        t.id,
                        t.name,
                        t.portal,
                        t.scopes,
                        when(Some(t.created_at)),
                        when(t.expires_at),
                        when(t.last_used_at)
                    );
                }
            }
        }
        TokenCommand::Revoke { id } => {
            if !auth::revoke_token(&mut conn, id).map_err(e)? {
                return Err(format!("no token with id {id}"));
            }
            eprintln!("goalpost: token {id} revoked");
        }
        TokenCommand::Rotate { id, grace } => {
            let token = auth::rotate_token(&mut conn, id, grace)
                .map_err(e)?
                .ok_or_else(|| format!("no live token with id {id}"))?;
            eprintln!(
                "goalpost: token {id} has a new secret; the old one {}",
                if grace > 0 {
                    format!("works for {} s more", grace / 1000)
                } else {
                    "no longer works".into()
                }
            );
            println!("{token}");
        }
    }
    Ok(())
}

/// An instant for the token table: ISO UTC, or `-`.
fn when(ms: Option<i64>) -> String {
    ms.map_or("-".into(), goalpost::engine::value::format_ms)
}

fn portal(database_url: &str, cmd: PortalCommand) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let (id, settings) = match cmd {
        PortalCommand::Show { portal } => (
            portal,
            portals::portal_settings(&mut conn, PortalId(portal)).map_err(|e| e.to_string())?,
        ),
        PortalCommand::Set {
            portal,
            time_zone,
            validation_mode,
        } => {
            let mode = match validation_mode.as_deref() {
                None => None,
                Some(m) => Some(portals::ValidationMode::parse(m).ok_or_else(|| {
                    format!("validation mode must be strict or lenient, not {m:?}")
                })?),
            };
            let s = portals::set_portal_settings(
                &mut conn,
                PortalId(portal),
                time_zone.as_deref(),
                mode,
            )
            .map_err(|e| e.to_string())?;
            (portal, s)
        }
    };
    println!(
        "portal {id}: time zone {}, validation mode {}",
        settings.time_zone,
        settings.validation_mode.as_str()
    );
    Ok(())
}

fn families_check(database_url: &str, portal: Option<i64>) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let registry = goalpost::registry();
    let otype = registry
        .find("goal_targets")
        .ok_or("goal_targets type missing")?;
    let portals = match portal {
        Some(p) => vec![PortalId(p)],
        None => portals::portal_ids(&mut conn).map_err(|e| e.to_string())?,
    };
    let mut broken = 0;
    for p in portals {
        let found = goalpost::goals::family::check_portal(&mut conn, &otype, p)
            .map_err(|e| e.to_string())?;
        for v in &found {
            println!("portal {}: {}", p.0, v.describe());
        }
        broken += found.len();
    }
    if broken > 0 {
        Err(format!("{broken} rule violation(s) found"))
    } else {
        eprintln!("goalpost: every goal family obeys the rules");
        Ok(())
    }
}
