//! Typed configuration, read once at start-up from the environment (and the command line).
//! A missing or bad value stops start-up with the variable's name. Every variable is in the
//! README and in `deploy/.env.example`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

mod messages;
mod operations;
mod schedule;
mod smart;
mod urgent;

pub use messages::{MessageSettings, SmsSettings, SmtpSettings};
pub use operations::{Operations, Retention};
pub use schedule::ScheduleConfig;
pub use smart::{DEFAULT_SMART_SCOPE, SmartSettings};
pub use urgent::UrgentSettings;

/// Where the EHR is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EhrLocation {
    /// A FHIR R4 REST base URL.
    Fhir(Url),
    /// A file-drop folder.
    Folder(PathBuf),
}

/// Where the key-encryption key that unwraps the database's data key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataKeyFile {
    /// `INTAKE_DATA_KEY_FILE`: a file that must exist (a mounted Secret in production).
    Configured(PathBuf),
    /// Unset with a SQLite database: `PATH.key` beside the database file, made on first start.
    /// Copies of the database file alone read as noise; the disk as a whole does not, which is
    /// why `check-config` warns about it and Postgres refuses it.
    BesideDatabase(PathBuf),
}

impl DataKeyFile {
    /// The file.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Configured(path) | Self::BesideDatabase(path) => path,
        }
    }
}

/// Everything the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `INTAKE_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite:…` or `postgres://…`.
    pub database_url: String,
    /// `INTAKE_DATA_DIR`: the default SQLite file and demo EHR folder live here.
    pub data_dir: PathBuf,
    /// `INTAKE_DATA_KEY_FILE`: the key-encryption key of the patient data at rest. Required
    /// with Postgres (every process must share one key, so none can be made on the spot).
    pub data_key: DataKeyFile,
    /// `INTAKE_RATE_LIMIT`: date-of-birth checks and staff sign-ins allowed per client address
    /// in ten minutes (link opens: three times as many).
    pub rate_limit: u32,
    /// `INTAKE_TRUSTED_NETWORKS`: client networks (CIDRs) the per-address rate limits exempt,
    /// e.g. the clinic's own tablets.
    pub trusted_networks: Vec<ipnet::IpNet>,
    /// `INTAKE_CLIENT_IP_HEADER`: behind a reverse proxy, the header with the client's address
    /// (e.g. `X-Forwarded-For`), for the per-address rate limits; unset, the peer address.
    pub client_ip_header: Option<String>,
    /// `INTAKE_MAX_CONNECTIONS` and `INTAKE_HEADER_TIMEOUT_SECS`: how many connections are
    /// served at once, and how long a connection may take to send a request's headers (also
    /// how long a kept-alive connection may sit idle).
    pub connections: crate::web::listener::ConnectionLimits,
    /// `INTAKE_PUBLIC_URL`: the address patients and staff reach; links start with it, and an
    /// `https` URL turns on `Secure`, `__Host-` cookies.
    pub public_url: Url,
    /// `INTAKE_CLINIC_NAME`, `INTAKE_CLINIC_PHONE`, `INTAKE_CLINIC_LOGO`: who patients are
    /// dealing with, on every patient page and message; `INTAKE_TIMEZONE`: the zone of the
    /// clinic's clocks, in which every time is shown and read.
    pub clinic: crate::domain::Clinic,
    /// `INTAKE_EHR_FHIR_URL` or `INTAKE_EHR_FOLDER`.
    pub ehr: EhrLocation,
    /// SMART Backend Services for the FHIR connector (`INTAKE_SMART_*`); `None` sends requests
    /// without authorization.
    pub smart: Option<SmartSettings>,
    /// `INTAKE_EHR_WRITES`: `transaction` (a Bundle of one entry per change, the default) or
    /// `resource` (each type's own endpoint).
    pub ehr_writes: crate::ehr::Writes,
    /// `INTAKE_EHR_TIMEOUT_SECS`: how long one EHR request may take.
    pub ehr_timeout: Duration,
    /// `INTAKE_FORMS_DIR`: the form YAML files.
    pub forms_dir: PathBuf,
    /// `INTAKE_POSTING_POLICY`: the posting policy file (`deploy/posting-policy.yaml` is the
    /// default, built in when this is unset).
    pub posting_policy: Option<PathBuf>,
    /// `INTAKE_INVITATION_TTL_DAYS`: how long a link works.
    pub invitation_ttl: Duration,
    /// `INTAKE_STAFF_IDLE_MINUTES`: a staff session ends after this long without a request.
    pub staff_idle: Duration,
    /// `INTAKE_STAFF_MAX_HOURS`: and after this long in any case.
    pub staff_max: Duration,
    /// `INTAKE_PATIENT_IDLE_MINUTES`: a patient session ends after this long idle (the draft stays).
    pub patient_idle: Duration,
    /// `INTAKE_VERIFY_CODE`: `off` (the default), `sms` or `email`: after the date of birth, a
    /// one-time code sent to the chart's mobile number or email address.
    pub verify_code: Option<crate::domain::ContactKind>,
    /// `INTAKE_WORKER`: whether this process runs the write-back worker.
    pub worker: bool,
    /// `INTAKE_WORKER_POLL_MS`: how often an idle worker looks for work.
    pub worker_poll: Duration,
    /// `INTAKE_WORKER_BACKOFF_MS`: the wait before the first retry of a failed send; later
    /// waits double from it.
    pub worker_backoff: Duration,
    /// `INTAKE_LOG`: a tracing filter, e.g. `info` or `intake=debug`.
    pub log_filter: String,
    /// `INTAKE_LOG_FORMAT`: `text` or `json`.
    pub log_json: bool,
    /// Messages to patients: when invitations and reminders go, and by which senders.
    pub messages: MessageSettings,
    /// `INTAKE_STAFF_MFA`: `admins` (the default) or `required` (every staff account signs in
    /// with an authenticator app); admins always do.
    pub staff_mfa: crate::domain::MfaPolicy,
    /// `INTAKE_FORM_RULES`, `INTAKE_SCHEDULE_SYNC_DAYS`, `INTAKE_SCHEDULE_SYNC_SECS`.
    pub schedule: ScheduleConfig,
    /// `INTAKE_URGENT_CONTACT`, `INTAKE_FLAG_ESCALATE_MINUTES`, `INTAKE_FLAG_ESCALATION_CONTACT`.
    pub urgent: UrgentSettings,
    /// `INTAKE_RETAIN_*`, `INTAKE_METRICS_ADDR`, `INTAKE_MIGRATE_ON_START`.
    pub operations: Operations,
    /// `INTAKE_TERMINOLOGY_DIR`, `INTAKE_VALUESETS_DIR`, `INTAKE_TERMINOLOGY_URL`: the code
    /// lists staff code entries from, and the value sets answer lists come from.
    pub terminology: crate::terminology::TerminologySettings,
}

/// A variable that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// Command-line values, which win over the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--addr`.
    pub addr: Option<String>,
    /// `--database`.
    pub database_url: Option<String>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::from_lookup(
            |name| std::env::var(name).ok().filter(|v| !v.is_empty()),
            overrides,
        )
    }

    /// Reads variables through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let get =
            |name: &'static str, default: &str| lookup(name).unwrap_or_else(|| default.to_owned());
        let addr_text = overrides
            .addr
            .clone()
            .unwrap_or_else(|| get("INTAKE_ADDR", "127.0.0.1:8080"));
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            bad(
                "INTAKE_ADDR",
                format!("`{addr_text}` is not an address like 127.0.0.1:8080"),
            )
        })?;
        let data_dir = PathBuf::from(get("INTAKE_DATA_DIR", "intake-data"));
        let database_url = overrides
            .database_url
            .clone()
            .or_else(|| lookup("DATABASE_URL"))
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("intake.db").display()));
        if !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|s| database_url.starts_with(s))
        {
            return Err(bad(
                "DATABASE_URL",
                "use a sqlite: or postgres:// URL".into(),
            ));
        }
        let data_key = match lookup("INTAKE_DATA_KEY_FILE") {
            Some(path) => DataKeyFile::Configured(PathBuf::from(path)),
            None => DataKeyFile::BesideDatabase(
                crate::store::sqlite_key_file(&database_url).ok_or_else(|| {
                    bad(
                        "INTAKE_DATA_KEY_FILE",
                        "required with a Postgres database: a file with 32 random bytes in base64 \
                         (`head -c 32 /dev/urandom | base64`), the same for every process; see docs/deploy.md"
                            .into(),
                    )
                })?,
            ),
        };
        let public_text = get("INTAKE_PUBLIC_URL", &format!("http://{addr}"));
        let public_url = Url::parse(&public_text).map_err(|e| {
            bad(
                "INTAKE_PUBLIC_URL",
                format!("`{public_text}` is not a URL: {e}"),
            )
        })?;
        let ehr =
            match (lookup("INTAKE_EHR_FHIR_URL"), lookup("INTAKE_EHR_FOLDER")) {
                (Some(_), Some(_)) => {
                    return Err(bad(
                        "INTAKE_EHR_FHIR_URL",
                        "set either it or INTAKE_EHR_FOLDER, not both".into(),
                    ));
                }
                (Some(url), None) => EhrLocation::Fhir(Url::parse(&url).map_err(|e| {
                    bad("INTAKE_EHR_FHIR_URL", format!("`{url}` is not a URL: {e}"))
                })?),
                (None, folder) => {
                    EhrLocation::Folder(folder.map_or_else(|| data_dir.join("ehr"), PathBuf::from))
                }
            };
        let smart = smart::settings(&lookup, &ehr)?;
        let terminology = terminology_settings(&lookup)?;
        let clinic = clinic(&lookup)?;
        let trusted_networks = trusted_networks(lookup("INTAKE_TRUSTED_NETWORKS").as_deref())?;
        let messages = messages::settings(&lookup)?;
        let urgent = urgent::settings(&lookup, &messages)?;
        Ok(Self {
            urgent,
            trusted_networks,
            addr,
            database_url,
            public_url,
            connections: crate::web::listener::ConnectionLimits {
                max: usize::try_from(number(
                    &lookup,
                    "INTAKE_MAX_CONNECTIONS",
                    crate::web::listener::DEFAULT_MAX_CONNECTIONS,
                )?)
                .unwrap_or(usize::MAX)
                .max(1),
                header_timeout: Duration::from_secs(
                    number(&lookup, "INTAKE_HEADER_TIMEOUT_SECS", 10)?.max(1),
                ),
            },
            client_ip_header: lookup("INTAKE_CLIENT_IP_HEADER").filter(|h| !h.trim().is_empty()),
            rate_limit: u32::try_from(number(
                &lookup,
                "INTAKE_RATE_LIMIT",
                u64::from(crate::web::rate_limit::DEFAULT_CHECKS),
            )?)
            .unwrap_or(u32::MAX),
            clinic,
            ehr,
            smart,
            ehr_writes: match lookup("INTAKE_EHR_WRITES") {
                None => crate::ehr::Writes::default(),
                Some(text) => crate::ehr::Writes::parse(&text).ok_or_else(|| {
                    bad(
                        "INTAKE_EHR_WRITES",
                        format!("`{text}` is not `transaction` or `resource`"),
                    )
                })?,
            },
            ehr_timeout: Duration::from_secs(number(&lookup, "INTAKE_EHR_TIMEOUT_SECS", 20)?),
            forms_dir: PathBuf::from(get("INTAKE_FORMS_DIR", "forms")),
            terminology,
            posting_policy: lookup("INTAKE_POSTING_POLICY").map(PathBuf::from),
            invitation_ttl: Duration::from_secs(
                86_400 * number(&lookup, "INTAKE_INVITATION_TTL_DAYS", 14)?,
            ),
            staff_idle: Duration::from_secs(60 * number(&lookup, "INTAKE_STAFF_IDLE_MINUTES", 15)?),
            staff_max: Duration::from_secs(3600 * number(&lookup, "INTAKE_STAFF_MAX_HOURS", 12)?),
            patient_idle: Duration::from_secs(
                60 * number(&lookup, "INTAKE_PATIENT_IDLE_MINUTES", 30)?,
            ),
            verify_code: match lookup("INTAKE_VERIFY_CODE") {
                None => None,
                Some(text) => {
                    crate::domain::ContactKind::parse_setting(&text).ok_or_else(|| {
                        bad(
                            "INTAKE_VERIFY_CODE",
                            format!("`{text}` is not `off`, `sms` or `email`"),
                        )
                    })?
                }
            },
            worker: flag(&lookup, "INTAKE_WORKER", true)?,
            worker_poll: Duration::from_millis(number(&lookup, "INTAKE_WORKER_POLL_MS", 500)?),
            worker_backoff: Duration::from_millis(number(
                &lookup,
                "INTAKE_WORKER_BACKOFF_MS",
                2000,
            )?),
            log_filter: get("INTAKE_LOG", "info"),
            log_json: match get("INTAKE_LOG_FORMAT", "text").as_str() {
                "text" => false,
                "json" => true,
                other => {
                    return Err(bad(
                        "INTAKE_LOG_FORMAT",
                        format!("`{other}` is not `text` or `json`"),
                    ));
                }
            },
            staff_mfa: match lookup("INTAKE_STAFF_MFA") {
                None => crate::domain::MfaPolicy::default(),
                Some(text) => crate::domain::MfaPolicy::parse(&text).ok_or_else(|| {
                    bad(
                        "INTAKE_STAFF_MFA",
                        format!("`{text}` is not `admins` or `required` (admins always use a second factor)"),
                    )
                })?,
            },
            data_dir,
            data_key,
            messages,
            schedule: schedule::settings(&lookup)?,
            operations: operations::settings(&lookup)?,
        })
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// `INTAKE_TRUSTED_NETWORKS`: a comma-separated list of CIDRs (`10.20.0.0/16`) or single
/// addresses. A wrong entry stops start-up naming it: a typo here must not silently leave the
/// clinic's tablets limited, nor exempt the world.
fn trusted_networks(text: Option<&str>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    bad(
                        "INTAKE_TRUSTED_NETWORKS",
                        format!("`{entry}` is not a network like 10.20.0.0/16 or an address"),
                    )
                })
        })
        .collect()
}

/// The clinic's identity. A logo must be a file that exists, so a typo stops start-up rather
/// than leaving every patient page with a broken image; a time zone must be one the bundled
/// database knows, so a typo does not quietly show every time in UTC.
fn clinic(lookup: &impl Fn(&str) -> Option<String>) -> Result<crate::domain::Clinic, ConfigError> {
    let defaults = crate::domain::Clinic::default();
    let logo = lookup("INTAKE_CLINIC_LOGO").map(PathBuf::from);
    if let Some(path) = &logo
        && !path.is_file()
    {
        return Err(bad(
            "INTAKE_CLINIC_LOGO",
            format!("`{}` is not a file", path.display()),
        ));
    }
    let zone = match lookup("INTAKE_TIMEZONE") {
        None => crate::domain::ClinicZone::utc(),
        Some(name) => crate::domain::ClinicZone::parse(&name)
            .map_err(|error| bad("INTAKE_TIMEZONE", error.to_string()))?,
    };
    Ok(crate::domain::Clinic {
        zone,
        name: lookup("INTAKE_CLINIC_NAME")
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or(defaults.name),
        phone: lookup("INTAKE_CLINIC_PHONE")
            .map(|phone| phone.trim().to_owned())
            .filter(|phone| !phone.is_empty()),
        logo,
    })
}

/// `INTAKE_TERMINOLOGY_DIR`, `INTAKE_VALUESETS_DIR`, `INTAKE_TERMINOLOGY_URL`: read on their
/// own by commands that need no other configuration (`intake forms import`).
pub fn terminology_settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<crate::terminology::TerminologySettings, ConfigError> {
    Ok(crate::terminology::TerminologySettings {
        dir: lookup("INTAKE_TERMINOLOGY_DIR").map(PathBuf::from),
        value_sets_dir: lookup("INTAKE_VALUESETS_DIR").map(PathBuf::from),
        server: match lookup("INTAKE_TERMINOLOGY_URL") {
            Some(url) => Some(Url::parse(&url).map_err(|e| {
                bad(
                    "INTAKE_TERMINOLOGY_URL",
                    format!("`{url}` is not a URL: {e}"),
                )
            })?),
            None => None,
        },
    })
}

fn bad(variable: &'static str, problem: String) -> ConfigError {
    ConfigError { variable, problem }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(bad(
                name,
                format!("`{text}` is not a positive whole number"),
            )),
        },
    }
}

fn flag(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match lookup(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "on") => Ok(true),
        Some("0" | "false" | "off") => Ok(false),
        Some(other) => Err(bad(name, format!("`{other}` is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned(), &Overrides::default())
    }

    #[test]
    fn defaults_run_the_embedded_product() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite:intake-data/intake.db");
        assert_eq!(config.ehr, EhrLocation::Folder("intake-data/ehr".into()));
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!config.secure_cookies());
        assert_eq!(config.invitation_ttl, Duration::from_secs(14 * 86_400));
        assert_eq!(config.verify_code, None);
        assert!(config.clinic.zone.is_utc());
    }

    #[test]
    fn the_clinic_time_zone_is_an_iana_name_and_a_wrong_one_is_named() {
        let set = config(&[("INTAKE_TIMEZONE", "America/New_York")]).unwrap();
        assert_eq!(set.clinic.zone.name(), "America/New_York");
        let error = config(&[("INTAKE_TIMEZONE", "Eastern Time")]).unwrap_err();
        assert_eq!(error.variable, "INTAKE_TIMEZONE");
        assert!(
            error.problem.contains("`Eastern Time`"),
            "{}",
            error.problem
        );
    }

    #[test]
    fn postgres_needs_a_data_key_file_and_sqlite_keeps_one_beside_the_database() {
        assert_eq!(
            config(&[]).unwrap().data_key,
            DataKeyFile::BesideDatabase("intake-data/intake.db.key".into())
        );
        assert_eq!(
            config(&[("DATABASE_URL", "postgres://db/x")])
                .unwrap_err()
                .variable,
            "INTAKE_DATA_KEY_FILE"
        );
        assert_eq!(
            config(&[
                ("DATABASE_URL", "postgres://db/x"),
                ("INTAKE_DATA_KEY_FILE", "/etc/intake/data.key")
            ])
            .unwrap()
            .data_key,
            DataKeyFile::Configured("/etc/intake/data.key".into())
        );
    }

    #[test]
    fn one_time_codes_go_by_text_or_email_and_nothing_else() {
        use crate::domain::ContactKind;
        assert_eq!(
            config(&[("INTAKE_VERIFY_CODE", "sms")])
                .unwrap()
                .verify_code,
            Some(ContactKind::Sms)
        );
        assert_eq!(
            config(&[("INTAKE_VERIFY_CODE", "email")])
                .unwrap()
                .verify_code,
            Some(ContactKind::Email)
        );
        assert_eq!(
            config(&[("INTAKE_VERIFY_CODE", "off")])
                .unwrap()
                .verify_code,
            None
        );
        assert_eq!(
            config(&[("INTAKE_VERIFY_CODE", "pigeon")])
                .unwrap_err()
                .variable,
            "INTAKE_VERIFY_CODE"
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        assert_eq!(
            config(&[("INTAKE_ADDR", "here")]).unwrap_err().variable,
            "INTAKE_ADDR"
        );
        assert_eq!(
            config(&[("DATABASE_URL", "mysql://x")])
                .unwrap_err()
                .variable,
            "DATABASE_URL"
        );
        assert_eq!(
            config(&[("INTAKE_WORKER_POLL_MS", "0")])
                .unwrap_err()
                .variable,
            "INTAKE_WORKER_POLL_MS"
        );
        assert_eq!(
            config(&[("INTAKE_WORKER", "maybe")]).unwrap_err().variable,
            "INTAKE_WORKER"
        );
        let both = config(&[
            ("INTAKE_EHR_FHIR_URL", "http://x"),
            ("INTAKE_EHR_FOLDER", "y"),
        ]);
        assert_eq!(both.unwrap_err().variable, "INTAKE_EHR_FHIR_URL");
    }

    #[test]
    fn the_command_line_wins_over_the_environment() {
        let overrides = Overrides {
            addr: Some("127.0.0.1:9000".into()),
            database_url: Some("postgres://db/x".into()),
        };
        let config = Config::from_lookup(
            |name| (name == "INTAKE_DATA_KEY_FILE").then(|| "data.key".into()),
            &overrides,
        )
        .unwrap();
        assert_eq!(
            (config.addr.port(), config.database_url.as_str()),
            (9000, "postgres://db/x")
        );
    }

    #[test]
    fn every_variable_is_documented_in_the_readme_and_the_example_env_file() {
        let source = [
            include_str!("config.rs"),
            include_str!("config/smart.rs"),
            include_str!("config/messages.rs"),
            include_str!("config/schedule.rs"),
            include_str!("config/operations.rs"),
        ]
        .concat();
        let readme = include_str!("../README.md");
        let example = include_str!("../deploy/.env.example");
        // Every quoted name that starts `INTAKE_` (the test's own variables start `INTAKE_TEST_`).
        let variables: Vec<&str> = source
            .split("\"INTAKE_")
            .skip(1)
            .filter_map(|rest| rest.split_once('"'))
            .map(|(name, _)| name)
            .filter(|name| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .collect();
        assert!(variables.contains(&"SMART_SCOPE"));
        for name in variables {
            let variable = format!("INTAKE_{name}");
            assert!(
                readme.contains(&format!("`{variable}`")),
                "{variable} is not in the README"
            );
            assert!(
                example.contains(&format!("{variable}=")),
                "{variable} is not in deploy/.env.example"
            );
        }
    }

    #[test]
    fn the_terminology_server_and_folder_are_read_and_a_bad_url_is_named() {
        let none = config(&[]).unwrap();
        assert_eq!(
            none.terminology,
            crate::terminology::TerminologySettings::default()
        );
        let set = config(&[
            ("INTAKE_TERMINOLOGY_URL", "https://tx.example.org/fhir"),
            ("INTAKE_TERMINOLOGY_DIR", "/etc/intake/terminology"),
            ("INTAKE_VALUESETS_DIR", "/etc/intake/valuesets"),
        ])
        .unwrap();
        assert_eq!(
            set.terminology.value_sets_dir.as_deref(),
            Some(std::path::Path::new("/etc/intake/valuesets"))
        );
        assert_eq!(
            set.terminology.server.map(|u| u.to_string()).as_deref(),
            Some("https://tx.example.org/fhir")
        );
        assert_eq!(
            set.terminology.dir.as_deref(),
            Some(std::path::Path::new("/etc/intake/terminology"))
        );
        let error = config(&[("INTAKE_TERMINOLOGY_URL", "tx server")]).unwrap_err();
        assert_eq!(error.variable, "INTAKE_TERMINOLOGY_URL");
    }

    #[test]
    fn trusted_networks_are_read_as_cidrs_and_a_wrong_entry_is_named() {
        let trusting = config(&[(
            "INTAKE_TRUSTED_NETWORKS",
            "10.20.0.0/16, 192.0.2.7,fd00::/8",
        )])
        .unwrap();
        let shown: Vec<String> = trusting
            .trusted_networks
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["10.20.0.0/16", "192.0.2.7/32", "fd00::/8"]);
        let error = config(&[("INTAKE_TRUSTED_NETWORKS", "10.20.0.0/16,clinic-wifi")]).unwrap_err();
        assert_eq!(error.variable, "INTAKE_TRUSTED_NETWORKS");
        assert!(error.problem.contains("`clinic-wifi`"), "{}", error.problem);
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure() {
        assert!(
            config(&[("INTAKE_PUBLIC_URL", "https://intake.clinic.example")])
                .unwrap()
                .secure_cookies()
        );
    }
}
