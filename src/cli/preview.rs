//! `intake forms preview [PATH] [--addr ADDR]`: the forms being edited, served through the real
//! patient pages on a scratch database and the demo EHR, recompiled whenever a file changes.

use std::{collections::HashMap, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use axum::middleware::map_response;
use tokio_util::sync::CancellationToken;

use super::{
    forms::{compile_files, paths_or_default},
    print, usage_error,
};
use crate::{
    app::{self, form_files},
    config::{Config, Overrides},
    forms::FormLibrary,
    intake::FormCatalog,
    web::{
        self, AppState, CookiePolicy,
        preview::{self, PreviewStatus},
    },
};

/// Runs the preview server until Ctrl-C.
pub async fn preview(paths: &[PathBuf], addr: Option<String>) -> ExitCode {
    let watched = paths_or_default(paths);
    let scratch = std::env::temp_dir().join(format!("intake-preview-{}", uuid::Uuid::new_v4()));
    let empty_forms = scratch.join("no-forms");
    if let Err(error) = std::fs::create_dir_all(&empty_forms) {
        return usage_error(&format!("{}: {error}", scratch.display()));
    }
    // The preview starts with no forms and the watcher swaps in each compile, so a form with
    // errors still gets a page that shows them.
    let vars: HashMap<&str, String> = HashMap::from([
        (
            "INTAKE_ADDR",
            addr.unwrap_or_else(|| "127.0.0.1:8081".to_owned()),
        ),
        (
            "DATABASE_URL",
            format!("sqlite:{}", scratch.join("preview.db").display()),
        ),
        ("INTAKE_DATA_DIR", scratch.display().to_string()),
        (
            "INTAKE_EHR_FOLDER",
            scratch.join("ehr").display().to_string(),
        ),
        ("INTAKE_FORMS_DIR", empty_forms.display().to_string()),
        ("INTAKE_WORKER", "false".to_owned()),
    ]);
    let config = match Config::from_lookup(
        |name| vars.get(name).cloned().or_else(|| std::env::var(name).ok()),
        &Overrides::default(),
    ) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    let services = match app::services(&config, true, app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    let status = Arc::new(PreviewStatus::default());
    tokio::spawn(watch(
        watched.clone(),
        services.forms.clone(),
        services.codes.clone(),
        status.clone(),
    ));
    let state = AppState {
        services: Arc::new(services),
        cookies: CookiePolicy { secure: false },
        limits: std::sync::Arc::default(),
        client_ip_header: None,
    };
    let app = web::router(state.clone(), true)
        .merge(preview::router(state, status))
        .layer(map_response(preview::inject_script));
    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(error) => return usage_error(&format!("cannot listen on {}: {error}", config.addr)),
    };
    let shown: Vec<String> = watched.iter().map(|p| p.display().to_string()).collect();
    print(&format!(
        "Previewing {} at http://{}/preview (Ctrl-C to stop)",
        shown.join(", "),
        config.addr
    ));
    let shutdown = CancellationToken::new();
    tokio::spawn(app::shutdown_signal(shutdown.clone()));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await;
    drop(std::fs::remove_dir_all(&scratch));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => usage_error(&error.to_string()),
    }
}

/// Recompiles whenever the files change; a clean compile replaces the forms being served.
async fn watch(
    paths: Vec<PathBuf>,
    catalog: Arc<FormCatalog>,
    codes: Arc<crate::terminology::CodeLookup>,
    status: Arc<PreviewStatus>,
) {
    let mut last: Option<Vec<(String, String)>> = None;
    loop {
        match form_files(&paths) {
            Ok(files) if last.as_ref() != Some(&files) => {
                let lists = codes
                    .answer_lists_for_forms(files.iter().map(|(_, s)| s.as_str()))
                    .await;
                let compiled = compile_files(&files, &lists);
                let (problems, _) = compiled.problems();
                if compiled.errors.is_empty()
                    && let Ok(library) = FormLibrary::compile_with(
                        files.iter().map(|(f, s)| (f.as_str(), s.as_str())),
                        &lists,
                    )
                {
                    catalog.replace(library);
                }
                let forms = compiled
                    .forms
                    .iter()
                    .map(|(_, _, form)| (form.id.to_string(), form.title.en().to_owned()))
                    .collect();
                status.publish(problems, forms);
                last = Some(files);
            }
            Ok(_) => {}
            Err(error) => status.publish(vec![format!("cannot read the forms: {error}")], vec![]),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
