//! `intake rotate-key --new-key-file FILE`: re-wraps the database's data key under a new
//! key-encryption key. The data is not re-encrypted: only the `data_keys` rows change, in one
//! transaction, so a rotation takes milliseconds whatever the database holds.

use std::{path::Path, process::ExitCode};

use super::{print, usage_error};
use crate::{
    app,
    clock::{Clock as _, SystemClock},
    config::{Config, Overrides},
    crypt::KeyEncryptionKey,
};

/// Unwraps with the configured key, wraps with the one in `new_key_file` (made when missing).
pub async fn rotate_key(database: Option<String>, new_key_file: &Path) -> ExitCode {
    let config = match Config::from_env(&Overrides {
        addr: None,
        database_url: database,
    }) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    if new_key_file == config.data_key.path() {
        return usage_error("--new-key-file names the key file in use; give a new file");
    }
    let old = match app::read_data_key(&config.data_key) {
        Ok(key) => key,
        Err(error) => return usage_error(&error.to_string()),
    };
    let (new, made) = match KeyEncryptionKey::read_or_create(new_key_file) {
        Ok(key) => key,
        Err(error) => return usage_error(&format!("--new-key-file: {error}")),
    };
    let store = match app::open_store(&config).await {
        Ok(store) => store,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = store.rotate_key(&old, &new, SystemClock.now_millis()).await;
    store.close().await;
    match result {
        Ok(keys) => {
            print(&format!(
                "{keys} data key(s) re-wrapped under {}{}.\n\
                 Next: set INTAKE_DATA_KEY_FILE={} for every process (in Kubernetes, replace the \
                 Secret's key file) and restart them; processes still running keep working until \
                 restarted. Keep the old key file with the backups made before now: they open only \
                 with it.",
                new_key_file.display(),
                if made { " (a new key, made now)" } else { "" },
                new_key_file.display()
            ));
            ExitCode::SUCCESS
        }
        Err(error) => usage_error(&format!("database: {error}")),
    }
}
