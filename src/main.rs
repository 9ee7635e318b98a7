//! The `goalpost` command line: serve, migrate, token.

use clap::{Parser, Subcommand};
use goalpost::config::{default_pool_size, Config};
use goalpost::engine::store::PortalId;
use goalpost::{auth, db, http};
use std::process::ExitCode;

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
    Serve(ServeArgs),
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
        #[arg(long, default_value_t = auth::DEFAULT_PORTAL)]
        portal: i64,
    },
    /// Change a portal's settings (the portal is created if missing).
    Set {
        #[arg(long, default_value_t = auth::DEFAULT_PORTAL)]
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

/// `serve`'s flags; also parsed alone (flags from the environment and defaults) when no
/// command is given, so `goalpost` and `goalpost serve` read the same settings.
#[derive(Parser)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "GOALPOST_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Do not run pending migrations at start.
    #[arg(long)]
    no_migrate: bool,
    /// Make sure this token exists in the default portal with every scope.
    #[arg(long, env = "GOALPOST_BOOTSTRAP_TOKEN", hide_env_values = true)]
    bootstrap_token: Option<String>,
    /// Largest request body in bytes; larger bodies get a 413.
    #[arg(long, env = "GOALPOST_BODY_LIMIT", default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Database connections in the pool (default: twice the cores).
    #[arg(long, env = "GOALPOST_POOL_SIZE")]
    pool_size: Option<u32>,
    /// Requests per token per window; 0 turns limits off (the default).
    #[arg(long, env = "GOALPOST_RATE_LIMIT", default_value_t = 0)]
    rate_limit: u32,
    /// The rate-limit window in milliseconds (HubSpot's is ten seconds).
    #[arg(long, env = "GOALPOST_RATE_WINDOW_MS", default_value_t = 10_000)]
    rate_window_ms: u64,
    /// Open connections at most, per worker thread; further ones wait to be accepted.
    #[arg(long, env = "GOALPOST_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; prints it alone on stdout, once.
    Create {
        /// Comma-separated scopes, e.g. crm.objects.goals.read,crm.objects.goals.write
        #[arg(long)]
        scopes: String,
        /// Portal (hub id) the token belongs to; created if missing.
        #[arg(long, default_value_t = auth::DEFAULT_PORTAL)]
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
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.database_url, ServeArgs::parse_from(["goalpost"])),
        Some(Command::Serve(args)) => serve(cli.database_url, args),
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

fn serve(database_url: String, args: ServeArgs) -> Result<(), String> {
    let config = Config {
        database_url,
        bind: args.bind,
        migrate: !args.no_migrate,
        bootstrap_token: args.bootstrap_token.filter(|t| !t.is_empty()),
        body_limit: args.body_limit,
        pool_size: args.pool_size.unwrap_or_else(default_pool_size),
        rate_limit: (args.rate_limit > 0).then_some(goalpost::http::limits::RateLimit {
            max: args.rate_limit,
            window_ms: args.rate_window_ms.max(1),
        }),
        max_connections: args.max_connections.max(1),
    };
    actix_web::rt::System::new()
        .block_on(http::server::run(config))
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
            auth::portal_settings(&mut conn, PortalId(portal)).map_err(|e| e.to_string())?,
        ),
        PortalCommand::Set {
            portal,
            time_zone,
            validation_mode,
        } => {
            let mode = match validation_mode.as_deref() {
                None => None,
                Some(m) => Some(auth::ValidationMode::parse(m).ok_or_else(|| {
                    format!("validation mode must be strict or lenient, not {m:?}")
                })?),
            };
            let s =
                auth::set_portal_settings(&mut conn, PortalId(portal), time_zone.as_deref(), mode)
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
    let registry = goalpost::engine::registry::Registry::builtin();
    let otype = registry
        .find("goal_targets")
        .ok_or("goal_targets type missing")?;
    let portals = match portal {
        Some(p) => vec![PortalId(p)],
        None => auth::portal_ids(&mut conn).map_err(|e| e.to_string())?,
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
