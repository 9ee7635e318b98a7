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
    },
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
        Some(Command::Token(TokenCommand::Create {
            scopes,
            portal,
            name,
            user_id,
        })) => create_token(&cli.database_url, &scopes, portal, &name, user_id),
        Some(Command::Portal(cmd)) => portal(&cli.database_url, cmd),
        Some(Command::Families(FamiliesCommand::Check { portal })) => {
            families_check(&cli.database_url, portal)
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
    jobs::start(&startup.state.pool, startup.stats_mark);
    actix_web::rt::System::new()
        .block_on(http::server::run(startup.state, startup.banner))
        .map_err(|e| e.to_string())
}

fn migrate(database_url: &str) -> Result<(), String> {
    let mut conn = db::connect(database_url)?;
    let n = conn.migrate()?;
    eprintln!("goalpost: {n} migration(s) run");
    Ok(())
}

fn create_token(
    database_url: &str,
    scopes: &str,
    portal: i64,
    name: &str,
    user_id: i64,
) -> Result<(), String> {
    let scopes = auth::parse_scopes(scopes)?;
    let mut conn = db::connect(database_url)?;
    conn.migrate()?;
    let token = auth::create_token(&mut conn, PortalId(portal), name, &scopes, user_id)
        .map_err(|e| e.to_string())?;
    eprintln!(
        "goalpost: token {name:?} for portal {portal}, user {user_id}, with scopes {}",
        scopes.join(",")
    );
    println!("{token}");
    Ok(())
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
