//! The command line: `intake serve`, `intake --version`. Exit code 0 on success, 2 on bad usage
//! or invalid input (with the reason on stderr), 1 when the service fails while running.

use std::{io::Write, process::ExitCode};

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::{
    app::{self, Server},
    config::{Config, Overrides},
    intake::{DemoSeed, seed_demo},
    telemetry,
};

/// Patient intake: adaptive forms, FHIR prefill, exactly-once write-back.
#[derive(Debug, Parser)]
#[command(name = "intake", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service and the write-back worker.
    Serve {
        /// Address to listen on (overrides INTAKE_ADDR).
        #[arg(long)]
        addr: Option<String>,
        /// Database URL, `sqlite:PATH` or `postgres://…` (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
        /// Seed demo data: staff accounts, appointments and invitation links, printed once.
        #[arg(long)]
        demo: bool,
    },
}

/// Parses the arguments and runs the command.
pub async fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            drop(error.print());
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Serve {
            addr,
            database,
            demo,
        } => {
            serve(
                Overrides {
                    addr,
                    database_url: database,
                },
                demo,
            )
            .await
        }
    }
}

async fn serve(overrides: Overrides, demo: bool) -> ExitCode {
    let config = match Config::from_env(&overrides) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    telemetry::init(&config.log_filter, config.log_json);
    let services = match app::services(&config, demo, app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    let seed = if demo {
        match seed_demo(&services).await {
            Ok(seed) => Some(seed),
            Err(error) => return usage_error(&format!("demo data: {error}")),
        }
    } else {
        None
    };
    let public_url = config.public_url.clone();
    let server = match Server::bind(config, services.clone()).await {
        Ok(server) => server,
        Err(error) => return usage_error(&error.to_string()),
    };
    if let Ok(addr) = server.local_addr() {
        tracing::info!(%addr, backend = services.store.backend_name(), "listening");
    }
    if let Some(seed) = seed {
        print_demo(&seed, &public_url);
    }
    let shutdown = CancellationToken::new();
    tokio::spawn(app::shutdown_signal(shutdown.clone()));
    match server.run(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the server failed");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    drop(writeln!(std::io::stderr(), "intake: {message}"));
    ExitCode::from(2)
}

/// Prints the demo's sign-ins and links, once, to stdout (the patients are synthetic).
fn print_demo(seed: &DemoSeed, public_url: &url::Url) {
    let base = public_url.as_str().trim_end_matches('/');
    let mut out = std::io::stdout().lock();
    let mut text =
        format!("\nIntake demo is running at {base}\n\nStaff sign-in ({base}/staff/login):\n");
    for (username, role, password) in &seed.staff {
        text.push_str(&format!(
            "  {username:<10} {password}   ({})\n",
            role.code()
        ));
    }
    text.push_str("\nPatient links (synthetic patients; verify with the date of birth shown):\n");
    for invitation in &seed.invitations {
        text.push_str(&format!(
            "  {} (born {}), {}\n    {base}/i/{}\n",
            invitation.patient_name.as_str(),
            invitation.birth_date.to_fhir(),
            invitation.visit_type,
            invitation.token.expose()
        ));
    }
    drop(writeln!(out, "{text}"));
}
