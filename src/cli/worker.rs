//! `intake worker [--database URL]`: the write-back worker, the message sender and planner,
//! and the schedule sync, without the web service.

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
    let metrics = match app::serve_worker_metrics(&services, &config, &shutdown).await {
        Ok(metrics) => metrics,
        Err(error) => return usage_error(&error.to_string()),
    };
    let messaging = app::spawn_messaging(&services, &config, &shutdown);
    let retention = tokio::spawn(crate::intake::run_retention(
        services.clone(),
        config.operations.retention,
        shutdown.clone(),
    ));
    let schedule_sync = config.schedule.sync_every.map(|every| {
        tokio::spawn(crate::intake::run_schedule_sync(
            services.clone(),
            every,
            shutdown.clone(),
        ))
    });
    writeback::run_worker(services.clone(), app::worker_settings(&config), shutdown).await;
    for task in messaging {
        drop(task.await);
    }
    if let Some(sync) = schedule_sync {
        drop(sync.await);
    }
    drop(retention.await);
    if let Some(metrics) = metrics {
        drop(metrics.await);
    }
    services.store.close().await;
    ExitCode::SUCCESS
}
