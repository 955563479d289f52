//! `intake serve [--addr ADDR] [--database URL] [--demo]`

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::{print, usage_error};
use crate::{
    app::{self, Server},
    config::{Config, Overrides},
    intake::{DemoSeed, seed_demo},
    telemetry,
};

/// Runs the service until SIGTERM or Ctrl-C; `demo` seeds the demo with that many appointments.
pub async fn serve(overrides: Overrides, demo: Option<usize>) -> ExitCode {
    let config = match Config::from_env(&overrides) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    telemetry::init(&config.log_filter, config.log_json);
    let services = match app::services(&config, demo.is_some(), app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    let folder = match &config.ehr {
        crate::config::EhrLocation::Folder(folder) => Some(folder.clone()),
        crate::config::EhrLocation::Fhir(_) => None,
    };
    let seed = if let Some(appointments) = demo {
        match seed_demo(&services, appointments, folder.as_deref()).await {
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

/// Prints the demo's sign-ins and links, once, to stdout (the patients are synthetic).
fn print_demo(seed: &DemoSeed, public_url: &url::Url) {
    let base = public_url.as_str().trim_end_matches('/');
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
    print(&text);
}
