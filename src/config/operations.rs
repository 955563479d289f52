//! The variables of running Intake in production: how long it keeps what it no longer needs
//! (`INTAKE_RETAIN_*`), where `/metrics` is served (`INTAKE_METRICS_ADDR`), and whether a
//! process migrates the database when it starts (`INTAKE_MIGRATE_ON_START`).

use std::{net::SocketAddr, time::Duration};

use super::{ConfigError, bad, flag, number};

/// How long Intake keeps what it no longer needs. The audit log is kept whatever these say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `INTAKE_RETAIN_DRAFTS_DAYS`: a draft never submitted is deleted this long after its visit
    /// (default 30 days), with the chart read made for it.
    pub drafts: Duration,
    /// `INTAKE_RETAIN_ANSWERS_DAYS`: a submission's answers are emptied this long after it was
    /// submitted (default 90 days), once every change it proposed is posted or resolved; the
    /// changes themselves, as posted, stay.
    pub answers: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            drafts: Duration::from_secs(30 * 86_400),
            answers: Duration::from_secs(90 * 86_400),
        }
    }
}

/// The operational variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operations {
    /// Retention periods.
    pub retention: Retention,
    /// `INTAKE_METRICS_ADDR`: a separate address for `/metrics` (e.g. `0.0.0.0:9090` inside a
    /// pod); set, `/metrics` is no longer on the public listener.
    pub metrics_addr: Option<SocketAddr>,
    /// `INTAKE_MIGRATE_ON_START`: `true` (the default) migrates the database as a process
    /// starts; `false` leaves it to `intake migrate` (a deployment's migration job) and refuses
    /// to start on a database that is behind.
    pub migrate_on_start: bool,
}

/// Reads the operational variables.
pub(super) fn settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Operations, ConfigError> {
    let days = |name: &'static str, default: u64| {
        number(lookup, name, default).map(|d| Duration::from_secs(d.saturating_mul(86_400)))
    };
    let metrics_addr = match lookup("INTAKE_METRICS_ADDR") {
        None => None,
        Some(text) => Some(text.parse().map_err(|_| {
            bad(
                "INTAKE_METRICS_ADDR",
                format!("`{text}` is not an address like 0.0.0.0:9090"),
            )
        })?),
    };
    Ok(Operations {
        retention: Retention {
            drafts: days("INTAKE_RETAIN_DRAFTS_DAYS", 30)?,
            answers: days("INTAKE_RETAIN_ANSWERS_DAYS", 90)?,
        },
        metrics_addr,
        migrate_on_start: flag(lookup, "INTAKE_MIGRATE_ON_START", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Operations, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        settings(&|name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn by_default_drafts_go_after_30_days_and_answers_after_90_and_metrics_stay_public() {
        let ops = read(&[]).unwrap();
        assert_eq!(ops.retention, Retention::default());
        assert_eq!(ops.retention.drafts, Duration::from_secs(30 * 86_400));
        assert_eq!(ops.retention.answers, Duration::from_secs(90 * 86_400));
        assert_eq!(ops.metrics_addr, None);
        assert!(ops.migrate_on_start);
    }

    #[test]
    fn a_bad_retention_period_or_metrics_address_names_its_variable() {
        for (name, value) in [
            ("INTAKE_RETAIN_DRAFTS_DAYS", "0"),
            ("INTAKE_RETAIN_ANSWERS_DAYS", "ninety"),
            ("INTAKE_METRICS_ADDR", "metrics"),
            ("INTAKE_MIGRATE_ON_START", "sometimes"),
        ] {
            assert_eq!(read(&[(name, value)]).unwrap_err().variable, name);
        }
        let ops = read(&[
            ("INTAKE_RETAIN_DRAFTS_DAYS", "7"),
            ("INTAKE_METRICS_ADDR", "127.0.0.1:9090"),
            ("INTAKE_MIGRATE_ON_START", "false"),
        ])
        .unwrap();
        assert_eq!(ops.retention.drafts, Duration::from_secs(7 * 86_400));
        assert_eq!(ops.metrics_addr.map(|a| a.port()), Some(9090));
        assert!(!ops.migrate_on_start);
    }
}
