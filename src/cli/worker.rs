//! `intake worker [--database URL]`: the write-back worker, the message sender and the
//! message planner, without the web service.

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::usage_error;
use crate::{
    app,
    config::{Config, Overrides},
    telemetry, writeback,
};

/// Drains the outboxes until SIGTERM or Ctrl-C, finishing the sends in progress.
pub async fn worker(overrides: Overrides) -> ExitCode {
    let config = match Config::from_env(&overrides) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    telemetry::init(&config.log_filter, config.log_json);
    let services = match app::services(&config, false, app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    tracing::info!(backend = services.store.backend_name(), "worker only");
    let shutdown = CancellationToken::new();
    tokio::spawn(app::shutdown_signal(shutdown.clone()));
    let messaging = app::spawn_messaging(&services, &config, &shutdown);
    writeback::run_worker(services.clone(), app::worker_settings(&config), shutdown).await;
    for task in messaging {
        drop(task.await);
    }
    services.store.close().await;
    ExitCode::SUCCESS
}
