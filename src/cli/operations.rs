//! The operator's commands: `intake migrate`, `intake check-config`, `intake backup` and
//! `intake purge`.

use std::{path::Path, process::ExitCode};

use super::{print, usage_error};
use crate::{
    app,
    config::{Config, EhrLocation, Overrides},
};

/// Reads the configuration or reports it, exit 2.
pub(super) fn config(database: Option<String>) -> Result<Config, ExitCode> {
    Config::from_env(&Overrides {
        addr: None,
        database_url: database,
    })
    .map_err(|error| usage_error(&format!("configuration: {error}")))
}

/// `intake migrate`: applies the migrations and exits.
pub async fn migrate(database: Option<String>) -> ExitCode {
    let mut config = match config(database) {
        Ok(config) => config,
        Err(code) => return code,
    };
    config.operations.migrate_on_start = true;
    let store = match app::open_store(&config).await {
        Ok(store) => store,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = store.schema_versions().await;
    store.close().await;
    match result {
        Ok((have, _)) => {
            print(&format!(
                "database migrated ({}): at migration {have:04}",
                store.backend_name()
            ));
            ExitCode::SUCCESS
        }
        Err(error) => usage_error(&format!("database: {error}")),
    }
}

/// `intake backup --to FILE`: a consistent copy of a SQLite database; on Postgres, says to use
/// `pg_dump`.
pub async fn backup(database: Option<String>, to: &Path) -> ExitCode {
    let config = match config(database) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if !config.database_url.starts_with("sqlite:") {
        return usage_error(
            "on Postgres, back up with pg_dump: pg_dump --format=custom --file=FILE \"$DATABASE_URL\" \
             (restore with pg_restore; see docs/deploy.md)",
        );
    }
    if to.exists() {
        return usage_error(&format!(
            "{}: already exists; name a new file",
            to.display()
        ));
    }
    let store = match app::open_store(&config).await {
        Ok(store) => store,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = store.backup_to(to).await;
    store.close().await;
    match result {
        Ok(_) => {
            print(&format!(
                "backed up to {}\nThe copy opens only with the key file {} (INTAKE_DATA_KEY_FILE): \
                 keep a copy of that file too, apart from the backups.",
                to.display(),
                config.data_key.path().display()
            ));
            ExitCode::SUCCESS
        }
        Err(error) => usage_error(&format!("{}: {error}", to.display())),
    }
}

/// `intake purge`: the retention purge, now.
pub async fn purge(database: Option<String>) -> ExitCode {
    let config = match config(database) {
        Ok(config) => config,
        Err(code) => return code,
    };
    crate::telemetry::init(&config.log_filter, config.log_json);
    let services = match app::services(&config, false, app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = services.purge(&config.operations.retention).await;
    services.store.close().await;
    match result {
        Ok(counts) => {
            let lines: Vec<String> = counts
                .by_kind()
                .iter()
                .map(|(kind, count)| format!("{kind}: {count}"))
                .collect();
            print(&format!("purged\n  {}", lines.join("\n  ")));
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "the purge failed");
            ExitCode::FAILURE
        }
    }
}

/// `intake check-config`: every variable and the files they name, without the database.
pub async fn check_config() -> ExitCode {
    let config = match config(None) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let forms = match app::load_configured_forms(&config).await {
        Ok(forms) => forms,
        Err(error) => return usage_error(&error.to_string()),
    };
    if let Err(error) = check_files(&config, &forms) {
        return usage_error(&error.to_string());
    }
    print(&summary(&config, forms.iter().count()));
    ExitCode::SUCCESS
}

/// The files the configuration names, read and checked as start-up would.
fn check_files(config: &Config, forms: &crate::forms::FormLibrary) -> Result<(), app::StartError> {
    // A configured key file must read as a key; the one beside a SQLite file may not exist yet
    // (the first start makes it), and this check writes nothing.
    match &config.data_key {
        crate::config::DataKeyFile::Configured(path) => {
            crate::crypt::KeyEncryptionKey::read(path)
                .map_err(|e| app::StartError::DataKey(e.to_string()))?;
        }
        crate::config::DataKeyFile::BesideDatabase(path) if path.exists() => {
            crate::crypt::KeyEncryptionKey::read(path)
                .map_err(|e| app::StartError::DataKey(e.to_string()))?;
        }
        crate::config::DataKeyFile::BesideDatabase(_) => {}
    }
    if let Some(path) = &config.posting_policy {
        app::load_policy(path, forms)?;
    }
    app::load_form_rules(config.schedule.form_rules.as_deref(), forms)?;
    if let Some(smart) = &config.smart {
        crate::ehr::SigningKey::load(&smart.key_file, smart.algorithm, smart.key_id.as_deref())
            .map_err(|e| app::StartError::Ehr(format!("INTAKE_SMART_KEY_FILE: {e}")))?;
    }
    if let EhrLocation::Folder(folder) = &config.ehr
        && folder.exists()
        && !folder.is_dir()
    {
        return Err(app::StartError::Ehr(format!(
            "INTAKE_EHR_FOLDER: {} is not a folder",
            folder.display()
        )));
    }
    crate::notify::Messaging::from_config(config).map_err(app::StartError::Messages)?;
    Ok(())
}

/// What would run, with every password and token masked.
fn summary(config: &Config, forms: usize) -> String {
    let on_off = |on: bool| if on { "on" } else { "off" };
    let days = |d: std::time::Duration| d.as_secs() / 86_400;
    let mut lines = vec![
        format!("listen:          {}", config.addr),
        format!(
            "metrics:         {}",
            config.operations.metrics_addr.map_or_else(
                || format!("{}/metrics", config.addr),
                |a| format!("{a}/metrics (separate listener)")
            )
        ),
        format!("public URL:      {}", config.public_url),
        format!("database:        {}", masked(&config.database_url)),
        match &config.data_key {
            crate::config::DataKeyFile::Configured(path) => {
                format!("data key file:   {}", path.display())
            }
            crate::config::DataKeyFile::BesideDatabase(path) => format!(
                "data key file:   {} (beside the database: set INTAKE_DATA_KEY_FILE in production)",
                path.display()
            ),
        },
        format!(
            "migrate at start: {}",
            on_off(config.operations.migrate_on_start)
        ),
        format!("clinic:          {}", config.clinic.name),
        format!("forms:           {forms} in {}", config.forms_dir.display()),
        format!(
            "posting policy:  {}",
            config
                .posting_policy
                .as_ref()
                .map_or_else(|| "built in".to_owned(), |p| p.display().to_string())
        ),
        format!(
            "form rules:      {}",
            config
                .schedule
                .form_rules
                .as_ref()
                .map_or_else(|| "built in".to_owned(), |p| p.display().to_string())
        ),
    ];
    lines.push(match &config.ehr {
        EhrLocation::Fhir(url) => format!("EHR:             FHIR {}", masked(url.as_str())),
        EhrLocation::Folder(folder) => {
            format!("EHR:             file-drop folder {}", folder.display())
        }
    });
    lines.push(match &config.smart {
        Some(smart) => format!(
            "SMART:           client {} with {} key {}",
            smart.client_id,
            smart.algorithm,
            smart.key_file.display()
        ),
        None => "SMART:           off (no authorization)".to_owned(),
    });
    lines.push(format!(
        "email:           {}",
        config.messages.smtp.as_ref().map_or_else(
            || "off".to_owned(),
            |smtp| format!("{} from {}", masked(&smtp.url), smtp.from)
        )
    ));
    lines.push(format!(
        "texts:           {}",
        config.messages.sms.as_ref().map_or_else(
            || "off".to_owned(),
            |sms| format!("{} from {}", masked(sms.url.as_str()), sms.from)
        )
    ));
    lines.push(format!("worker:          {}", on_off(config.worker)));
    lines.push(format!(
        "retention:       drafts {} days after the visit, answers {} days after submission",
        days(config.operations.retention.drafts),
        days(config.operations.retention.answers)
    ));
    lines.push(format!(
        "client address:  {}",
        config.client_ip_header.as_deref().map_or_else(
            || "the connection's peer".to_owned(),
            |h| format!("header {h}")
        )
    ));
    lines.push(format!(
        "log:             {} as {}",
        config.log_filter,
        if config.log_json { "json" } else { "text" }
    ));
    lines.push("configuration OK".to_owned());
    lines.join("\n")
}

/// A URL with its user's password (or token) replaced by `****`.
fn masked(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("****"));
            }
            parsed.to_string()
        }
        Err(_) => url
            .split('@')
            .next_back()
            .map_or_else(String::new, |host| format!("****@{host}")),
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_url_shows_its_user_and_host_but_never_its_password() {
        assert_eq!(
            masked("postgres://intake:s3cret@db.clinic:5432/intake"),
            "postgres://intake:****@db.clinic:5432/intake"
        );
        assert_eq!(
            masked("sqlite:intake-data/intake.db"),
            "sqlite:intake-data/intake.db"
        );
        assert_eq!(
            masked("smtp://mail:pw@mail.clinic:587?tls=required"),
            "smtp://mail:****@mail.clinic:587?tls=required"
        );
    }
}
