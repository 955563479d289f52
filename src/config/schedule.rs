//! The schedule's variables: the form rules file, and how far ahead and how often the
//! schedule sync reads the EHR's Appointments.

use std::{path::PathBuf, time::Duration};

use super::{ConfigError, bad};

/// How the schedule comes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleConfig {
    /// `INTAKE_FORM_RULES`: the rules file choosing each visit's form; unset, the shipped
    /// `deploy/form-rules.yaml` (built in).
    pub form_rules: Option<PathBuf>,
    /// `INTAKE_SCHEDULE_SYNC_DAYS`: how many days ahead the sync reads (default 14).
    pub sync_days: u32,
    /// `INTAKE_SCHEDULE_SYNC_SECS`: how often `serve` and `worker` run the sync (default 300);
    /// `None` (`0`) turns it off.
    pub sync_every: Option<Duration>,
}

/// Reads the schedule's variables.
pub(super) fn settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<ScheduleConfig, ConfigError> {
    let whole = |name: &'static str, default: u64| match lookup(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .map_err(|_| bad(name, format!("`{text}` is not a whole number"))),
    };
    let days = whole("INTAKE_SCHEDULE_SYNC_DAYS", 14)?;
    if !(1..=366).contains(&days) {
        return Err(bad(
            "INTAKE_SCHEDULE_SYNC_DAYS",
            format!("`{days}` is not between 1 and 366 days"),
        ));
    }
    let seconds = whole("INTAKE_SCHEDULE_SYNC_SECS", 300)?;
    Ok(ScheduleConfig {
        form_rules: lookup("INTAKE_FORM_RULES").map(PathBuf::from),
        sync_days: u32::try_from(days).unwrap_or(14),
        sync_every: (seconds > 0).then(|| Duration::from_secs(seconds)),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<ScheduleConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        settings(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn the_sync_reads_two_weeks_every_five_minutes_unless_told_otherwise() {
        let defaults = read(&[]).unwrap();
        assert_eq!(
            (defaults.sync_days, defaults.sync_every, defaults.form_rules),
            (14, Some(Duration::from_secs(300)), None)
        );
        let off = read(&[("INTAKE_SCHEDULE_SYNC_SECS", "0")]).unwrap();
        assert_eq!(off.sync_every, None);
        assert_eq!(
            read(&[("INTAKE_SCHEDULE_SYNC_DAYS", "0")])
                .unwrap_err()
                .variable,
            "INTAKE_SCHEDULE_SYNC_DAYS"
        );
        assert_eq!(
            read(&[("INTAKE_SCHEDULE_SYNC_SECS", "often")])
                .unwrap_err()
                .variable,
            "INTAKE_SCHEDULE_SYNC_SECS"
        );
    }
}
