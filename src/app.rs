//! Assembling the service from its configuration, and running it until told to stop.

use std::{path::Path, sync::Arc};

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{
    clock::{Clock, SystemClock},
    config::{Config, EhrLocation, SmartSettings},
    ehr::{Ehr, FhirRest, FileDrop, SigningKey, SmartAuthorizer, SmartClient},
    forms::FormLibrary,
    intake::{DEMO_EHR_FILES, FormCatalog, Lifetimes, Services},
    mapping::PostingPolicy,
    store::Store,
    web::{self, AppState, CookiePolicy},
    writeback,
};

/// Why the service could not start. Each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The forms did not compile.
    #[error("forms: {0}")]
    Forms(String),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The EHR connector could not be set up.
    #[error("EHR: {0}")]
    Ehr(String),
    /// The posting policy file is wrong.
    #[error("posting policy: {0}")]
    Policy(String),
    /// The email or text message sender could not be set up.
    #[error("messages: {0}")]
    Messages(String),
    /// The form rules file is wrong.
    #[error("form rules: {0}")]
    FormRules(String),
    /// A value-set file (`INTAKE_TERMINOLOGY_DIR`) or the terminology server's URL is wrong.
    #[error("terminology: {0}")]
    Terminology(#[from] crate::terminology::LookupError),
    /// The key-encryption key (`INTAKE_DATA_KEY_FILE`) could not be read.
    #[error("INTAKE_DATA_KEY_FILE: {0}")]
    DataKey(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// The YAML files a set of paths names: a directory gives its `*.yaml` files and those of its
/// `valuesets/`; a form file also brings its directory's value sets. Sorted, without repeats.
pub fn form_files(paths: &[std::path::PathBuf]) -> std::io::Result<Vec<(String, String)>> {
    let mut found = std::collections::BTreeSet::new();
    let yaml_in = |dir: &Path,
                   found: &mut std::collections::BTreeSet<std::path::PathBuf>|
     -> std::io::Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                found.insert(path);
            }
        }
        Ok(())
    };
    for path in paths {
        if path.is_dir() {
            yaml_in(path, &mut found)?;
            yaml_in(&path.join("valuesets"), &mut found)?;
        } else {
            std::fs::metadata(path)?;
            found.insert(path.clone());
            let dir = path.parent().unwrap_or(Path::new("."));
            yaml_in(&dir.join("valuesets"), &mut found)?;
        }
    }
    found
        .into_iter()
        .map(|path| Ok((path.display().to_string(), std::fs::read_to_string(&path)?)))
        .collect()
}

/// Compiles every form under `dir` (with its value sets), a `value_set` given as a canonical
/// URL expanded from the HL7 core value sets only: for tools and tests without the site's
/// terminology. The server uses [`load_site_forms`].
pub fn load_forms(dir: &Path) -> Result<FormLibrary, StartError> {
    let files = form_files(&[dir.to_path_buf()])
        .map_err(|e| StartError::Forms(format!("{}: {e}", dir.display())))?;
    let core = crate::terminology::AnswerLists::offline(crate::terminology::hl7_core());
    compile_library(&files, &core)
}

/// Compiles every form under `dir` (with its value sets), a `value_set` given as a canonical
/// URL expanded by the site's terminology (`INTAKE_VALUESETS_DIR`, `INTAKE_TERMINOLOGY_URL`,
/// the HL7 core value sets) as an import's `answerValueSet` is.
pub async fn load_site_forms(
    dir: &Path,
    codes: &crate::terminology::CodeLookup,
) -> Result<FormLibrary, StartError> {
    let files = form_files(&[dir.to_path_buf()])
        .map_err(|e| StartError::Forms(format!("{}: {e}", dir.display())))?;
    let lists = codes
        .answer_lists_for_forms(files.iter().map(|(_, text)| text.as_str()))
        .await;
    compile_library(&files, &lists)
}

/// The forms of `config`'s folder, `value_set` URLs resolved by its terminology settings: what
/// `intake serve` loads, for the commands that check or use the same forms.
pub async fn load_configured_forms(config: &Config) -> Result<FormLibrary, StartError> {
    let codes = crate::terminology::CodeLookup::load(&config.terminology)?;
    load_site_forms(&config.forms_dir, &codes).await
}

fn compile_library(
    files: &[(String, String)],
    lists: &dyn crate::forms::sdc::ValueSetSource,
) -> Result<FormLibrary, StartError> {
    FormLibrary::compile_with(
        files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str())),
        lists,
    )
    .map_err(|e| StartError::Forms(e.to_string()))
}

/// Connects the configured EHR. With `demo`, an empty file-drop folder is first filled with the
/// shipped synthetic patients.
pub fn connect_ehr(config: &Config, demo: bool) -> Result<Arc<dyn Ehr>, StartError> {
    match &config.ehr {
        EhrLocation::Fhir(url) => {
            let rest = FhirRest::new(url.as_str(), config.ehr_timeout)
                .map_err(|e| StartError::Ehr(e.to_string()))?
                .writing(config.ehr_writes);
            Ok(Arc::new(match &config.smart {
                Some(smart) => {
                    rest.authorized_by(Arc::new(smart_authorizer(url.as_str(), smart, config)?))
                }
                None => rest,
            }))
        }
        EhrLocation::Folder(folder) => {
            let ehr = FileDrop::new(folder)
                .map_err(|e| StartError::Ehr(format!("{}: {e}", folder.display())))?;
            if demo {
                for (name, text) in DEMO_EHR_FILES {
                    let path = folder.join(name);
                    if !path.exists() {
                        std::fs::write(&path, text)
                            .map_err(|e| StartError::Ehr(format!("{}: {e}", path.display())))?;
                    }
                }
            }
            Ok(Arc::new(ehr))
        }
    }
}

/// The SMART Backend Services authorizer, with its key read (and checked) now, so a bad key
/// stops start-up.
fn smart_authorizer(
    fhir_base: &str,
    smart: &SmartSettings,
    config: &Config,
) -> Result<SmartAuthorizer, StartError> {
    let key = SigningKey::load(&smart.key_file, smart.algorithm, smart.key_id.as_deref())
        .map_err(|e| StartError::Ehr(format!("INTAKE_SMART_KEY_FILE: {e}")))?;
    let client = SmartClient {
        client_id: smart.client_id.clone(),
        key,
        scope: smart.scope.clone(),
    };
    // The system clock, not the service's injected one: the authorization server checks the
    // assertion's expiry against real time.
    SmartAuthorizer::new(fhir_base, client, config.ehr_timeout, Arc::new(SystemClock))
        .map_err(|e| StartError::Ehr(e.to_string()))
}

/// Builds the services from configuration.
pub async fn services(
    config: &Config,
    demo: bool,
    clock: Arc<dyn Clock>,
) -> Result<Services, StartError> {
    if let Some(path) = config.database_url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StartError::Store(crate::store::StoreError::Database(e.into())))?;
        }
    }
    let store = open_with_key(config).await?;
    // Before the first sign-in, so an unknown username is refused as fast as a known one.
    if let Err(error) = crate::auth::on_password_thread(crate::auth::prepare_decoy).await {
        tracing::warn!(%error, "the decoy password hash could not be made at start-up");
    }
    let codes = Arc::new(crate::terminology::CodeLookup::load(&config.terminology)?);
    let forms = load_site_forms(&config.forms_dir, &codes).await?;
    let policy = match &config.posting_policy {
        Some(path) => load_policy(path, &forms)?,
        None => PostingPolicy::default(),
    };
    let messaging =
        Arc::new(crate::notify::Messaging::from_config(config).map_err(StartError::Messages)?);
    let clinic = Arc::new(config.clinic.clone());
    let code_sender = Arc::new(crate::notify::OutboxCodeSender::new(
        store.clone(),
        clock.clone(),
        clinic.clone(),
        messaging.senders.set_up(),
    ));
    let schedule = Arc::new(crate::intake::ScheduleSettings {
        rules: load_form_rules(config.schedule.form_rules.as_deref(), &forms)?,
        sync_days: config.schedule.sync_days,
    });
    Ok(Services {
        codes,
        schedule,
        store,
        ehr: connect_ehr(config, demo)?,
        forms: Arc::new(FormCatalog::new(forms)),
        clock,
        policy,
        metrics: Arc::default(),
        drafts: Arc::default(),
        sessions: Arc::default(),
        verify_code: config.verify_code,
        code_sender,
        clinic,
        messaging,
        staff_mfa: config.staff_mfa,
        lifetimes: Lifetimes {
            invitation: config.invitation_ttl,
            staff_idle: config.staff_idle,
            staff_max: config.staff_max,
            patient_idle: config.patient_idle,
        },
    })
}

/// Reads the posting policy file; a form it names must be one of the forms in service.
pub fn load_policy(path: &Path, forms: &FormLibrary) -> Result<PostingPolicy, StartError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| StartError::Policy(format!("{}: {e}", path.display())))?;
    let policy = PostingPolicy::from_yaml(&path.display().to_string(), &text)
        .map_err(|e| StartError::Policy(e.to_string()))?;
    if let Some(unknown) = policy
        .forms()
        .find(|id| crate::forms::FormId::parse(id).is_none_or(|id| forms.get(&id).is_none()))
    {
        return Err(StartError::Policy(format!(
            "{}: names the form `{unknown}`, which is not among the forms in service",
            path.display()
        )));
    }
    Ok(policy)
}

/// Reads the form rules file; every form it names must be in service. Without a file, the
/// shipped rules when the forms they name are all in service, else no rules (each synced visit
/// is then a problem saying so).
pub fn load_form_rules(
    path: Option<&Path>,
    forms: &FormLibrary,
) -> Result<crate::schedule::FormRules, StartError> {
    let in_service = |id: &crate::forms::FormId| forms.get(id).is_some();
    let Some(path) = path else {
        return Ok(crate::schedule::FormRules::from_yaml(
            "deploy/form-rules.yaml",
            crate::schedule::SHIPPED_RULES,
            in_service,
        )
        .unwrap_or_default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| StartError::FormRules(format!("{}: {e}", path.display())))?;
    crate::schedule::FormRules::from_yaml(&path.display().to_string(), &text, in_service)
        .map_err(|e| StartError::FormRules(e.to_string()))
}

/// How the write-back worker paces itself.
pub fn worker_settings(config: &Config) -> writeback::WorkerSettings {
    writeback::WorkerSettings {
        poll: config.worker_poll,
        backoff_base: config.worker_backoff,
        ehr_timeout: config.ehr_timeout,
    }
}

/// How the message sender paces itself: as the write-back worker polls and backs off.
pub fn outbox_settings(config: &Config) -> crate::notify::OutboxSettings {
    crate::notify::OutboxSettings {
        poll: config.worker_poll,
        backoff_base: config.worker_backoff,
        send_timeout: std::time::Duration::from_secs(30),
    }
}

/// How often a worker looks for urgent flags to escalate: often enough that an escalation is
/// late by seconds, not minutes; one indexed read when none is due.
const ESCALATION_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts the message sender, the planner and the urgent flags' escalation beside the
/// write-back worker.
pub fn spawn_messaging(
    services: &Services,
    config: &Config,
    shutdown: &CancellationToken,
) -> [tokio::task::JoinHandle<()>; 3] {
    [
        tokio::spawn(crate::intake::run_escalation(
            services.clone(),
            ESCALATION_EVERY,
            shutdown.clone(),
        )),
        tokio::spawn(crate::notify::run_outbox(
            services.clone(),
            outbox_settings(config),
            shutdown.clone(),
        )),
        tokio::spawn(crate::notify::run_planner(
            services.clone(),
            shutdown.clone(),
        )),
    ]
}

/// The system clock, shared.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A bound, ready-to-run server.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    services: Services,
    config: Config,
}

impl Server {
    /// Binds the configured address (port 0 picks a free one).
    pub async fn bind(config: Config, services: Services) -> Result<Self, StartError> {
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartError::Listen {
                    addr: config.addr,
                    source,
                })?;
        let metrics_listener = match config.operations.metrics_addr {
            None => None,
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartError::Listen { addr, source })?,
            ),
        };
        Ok(Self {
            listener,
            metrics_listener,
            services,
            config,
        })
    }

    /// The address `/metrics` is served on when it has a listener of its own.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` fires, then stops taking connections, lets requests in flight
    /// finish, and stops the worker after its current send.
    pub async fn run(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let worker = self.config.worker.then(|| {
            tokio::spawn(writeback::run_worker(
                self.services.clone(),
                worker_settings(&self.config),
                shutdown.clone(),
            ))
        });
        let messaging = self
            .config
            .worker
            .then(|| spawn_messaging(&self.services, &self.config, &shutdown));
        let schedule_sync = self.config.schedule.sync_every.map(|every| {
            tokio::spawn(crate::intake::run_schedule_sync(
                self.services.clone(),
                every,
                shutdown.clone(),
            ))
        });
        let retention = self.config.worker.then(|| {
            tokio::spawn(crate::intake::run_retention(
                self.services.clone(),
                self.config.operations.retention,
                shutdown.clone(),
            ))
        });
        let state = app_state(&self.services, &self.config);
        let metrics_server = self.metrics_listener.map(|listener| {
            let app = web::metrics_router(state.clone());
            let stop = shutdown.clone();
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .await
            })
        });
        web::listener::serve(
            self.listener,
            web::router(state, metrics_server.is_none()),
            self.config.connections,
            shutdown.clone(),
        )
        .await?;
        shutdown.cancel();
        if let Some(worker) = worker {
            drop(worker.await);
        }
        for task in messaging.into_iter().flatten() {
            drop(task.await);
        }
        if let Some(sync) = schedule_sync {
            drop(sync.await);
        }
        if let Some(task) = retention {
            drop(task.await);
        }
        if let Some(task) = metrics_server {
            drop(task.await);
        }
        self.services.store.close().await;
        Ok(())
    }
}

/// What every handler can reach, from the services and the configuration.
fn app_state(services: &Services, config: &Config) -> AppState {
    AppState {
        services: Arc::new(services.clone()),
        cookies: CookiePolicy {
            secure: config.secure_cookies(),
        },
        limits: Arc::new(
            web::rate_limit::RateLimits::new(config.rate_limit)
                .shared(services.store.clone())
                .trusting(config.trusted_networks.clone()),
        ),
        client_ip_header: config.client_ip_header.clone(),
    }
}

/// For `intake worker`: `/metrics` (and `/healthz`) on `INTAKE_METRICS_ADDR` when it is set,
/// until `shutdown` fires.
pub async fn serve_worker_metrics(
    services: &Services,
    config: &Config,
    shutdown: &CancellationToken,
) -> Result<Option<tokio::task::JoinHandle<std::io::Result<()>>>, StartError> {
    let Some(addr) = config.operations.metrics_addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!(%addr, "metrics listening");
    let app = web::metrics_router(app_state(services, config));
    let stop = shutdown.clone();
    Ok(Some(tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    })))
}

/// Fires on Ctrl-C or SIGTERM.
pub async fn shutdown_signal(token: CancellationToken) {
    let ctrl_c = async {
        drop(tokio::signal::ctrl_c().await);
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => drop(signal.recv().await),
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    token.cancel();
}

/// Opens (creating a SQLite file's folder) and migrates the configured database, for commands
/// that need only the store, such as `intake staff`.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    if let Some(path) = config.database_url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StartError::Store(crate::store::StoreError::Database(e.into())))?;
        }
    }
    open_with_key(config).await
}

/// Reads the key-encryption key (making the file beside a SQLite database on its first start,
/// and saying so without the key) and opens the database with it.
async fn open_with_key(config: &Config) -> Result<Store, StartError> {
    let kek = read_data_key(&config.data_key)?;
    Ok(Store::open(
        &config.database_url,
        config.operations.migrate_on_start,
        &kek,
    )
    .await?)
}

/// The key-encryption key `INTAKE_DATA_KEY_FILE` names, or the one beside a SQLite database
/// (made when missing).
pub fn read_data_key(
    file: &crate::config::DataKeyFile,
) -> Result<crate::crypt::KeyEncryptionKey, StartError> {
    use crate::{config::DataKeyFile, crypt::KeyEncryptionKey};
    let bad = |e: crate::crypt::KeyFileError| StartError::DataKey(e.to_string());
    match file {
        DataKeyFile::Configured(path) => KeyEncryptionKey::read(path).map_err(bad),
        DataKeyFile::BesideDatabase(path) => {
            let (key, made) = KeyEncryptionKey::read_or_create(path).map_err(bad)?;
            if made {
                tracing::warn!(
                    key_file = %path.display(),
                    "made a key-encryption key for the patient data beside the SQLite database; \
                     set INTAKE_DATA_KEY_FILE to keep it elsewhere, and back it up apart from the database"
                );
            }
            Ok(key)
        }
    }
}
