//! The variables of urgent flags: who they reach (`INTAKE_URGENT_CONTACT`), when an
//! unacknowledged one is sent again and to whom (`INTAKE_FLAG_ESCALATE_MINUTES`,
//! `INTAKE_FLAG_ESCALATION_CONTACT`), and whether they are also written to the chart
//! (`INTAKE_URGENT_FLAG_EHR`).

use std::time::Duration;

use super::{ConfigError, MessageSettings, bad, number};
use crate::{
    domain::{Channel, UrgentContact},
    mapping::UrgentRecord,
};

/// Who urgent flags reach and when they are escalated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentSettings {
    /// `INTAKE_URGENT_CONTACT`: a comma-separated list of email addresses, E.164 mobile numbers
    /// and https webhook URLs; a form's `notify:` lists (form-wide or per flag) replace it. With
    /// none, alerts go to the log.
    pub contacts: Vec<UrgentContact>,
    /// `INTAKE_FLAG_ESCALATE_MINUTES` (default 15): an urgent flag nobody acknowledged by then
    /// is sent once more, to the escalation contacts.
    pub escalate_after: Duration,
    /// `INTAKE_FLAG_ESCALATION_CONTACT`: who the escalation goes to; unset, the urgent
    /// contacts again.
    pub escalation_contacts: Vec<UrgentContact>,
    /// `INTAKE_URGENT_FLAG_EHR`: `flag` or `task` also writes each submission's urgent flags to
    /// the chart as a FHIR `Flag` or `Task`; `off` (the default) does not.
    pub ehr_record: Option<UrgentRecord>,
}

impl Default for UrgentSettings {
    fn default() -> Self {
        Self {
            contacts: Vec::new(),
            escalate_after: Duration::from_secs(15 * 60),
            escalation_contacts: Vec::new(),
            ehr_record: None,
        }
    }
}

/// Reads the urgent-flag variables. An email or mobile contact needs its sender set up, so a
/// misconfiguration stops start-up instead of an alert failing when it matters.
pub(super) fn settings(
    lookup: &impl Fn(&str) -> Option<String>,
    messages: &MessageSettings,
) -> Result<UrgentSettings, ConfigError> {
    let contacts = list(lookup, "INTAKE_URGENT_CONTACT", messages)?;
    let escalation_contacts = list(lookup, "INTAKE_FLAG_ESCALATION_CONTACT", messages)?;
    Ok(UrgentSettings {
        contacts,
        escalate_after: Duration::from_secs(
            60 * number(lookup, "INTAKE_FLAG_ESCALATE_MINUTES", 15)?,
        ),
        escalation_contacts,
        ehr_record: ehr_record(lookup)?,
    })
}

fn ehr_record(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<UrgentRecord>, ConfigError> {
    const NAME: &str = "INTAKE_URGENT_FLAG_EHR";
    match lookup(NAME).as_deref().map(str::trim) {
        None | Some("" | "off") => Ok(None),
        Some(text) => UrgentRecord::parse(text)
            .map(Some)
            .ok_or_else(|| bad(NAME, format!("`{text}` is not one of flag, task, off"))),
    }
}

fn list(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    messages: &MessageSettings,
) -> Result<Vec<UrgentContact>, ConfigError> {
    let Some(text) = lookup(name) else {
        return Ok(Vec::new());
    };
    let contacts = UrgentContact::parse_list(&text).map_err(|e| bad(name, e.to_string()))?;
    for contact in &contacts {
        match contact.channel() {
            Channel::Email if messages.smtp.is_none() => {
                return Err(bad(
                    name,
                    "an email address needs INTAKE_SMTP_URL and INTAKE_MAIL_FROM".into(),
                ));
            }
            Channel::Sms if messages.sms.is_none() => {
                return Err(bad(
                    name,
                    "a mobile number needs INTAKE_SMS_URL and INTAKE_SMS_FROM".into(),
                ));
            }
            _ => {}
        }
    }
    Ok(contacts)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<UrgentSettings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = |name: &str| vars.get(name).cloned();
        let messages = super::super::messages::settings(&lookup)?;
        settings(&lookup, &messages)
    }

    #[test]
    fn urgent_contacts_are_read_as_a_list_and_escalation_defaults_to_fifteen_minutes() {
        let read = read(&[
            ("INTAKE_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("INTAKE_MAIL_FROM", "Clinic <intake@clinic.example>"),
            (
                "INTAKE_URGENT_CONTACT",
                "oncall@clinic.example, https://hooks.clinic.example/urgent",
            ),
        ])
        .unwrap();
        assert_eq!(read.contacts.len(), 2);
        assert_eq!(read.escalate_after, Duration::from_secs(900));
        assert!(read.escalation_contacts.is_empty());
    }

    #[test]
    fn a_bad_contact_or_one_without_its_sender_stops_start_up_naming_the_variable() {
        let bad = read(&[("INTAKE_URGENT_CONTACT", "5550102000")]).unwrap_err();
        assert_eq!(bad.variable, "INTAKE_URGENT_CONTACT");
        let no_smtp =
            read(&[("INTAKE_FLAG_ESCALATION_CONTACT", "lead@clinic.example")]).unwrap_err();
        assert_eq!(no_smtp.variable, "INTAKE_FLAG_ESCALATION_CONTACT");
        assert!(no_smtp.problem.contains("INTAKE_SMTP_URL"), "{no_smtp}");
        let minutes = read(&[("INTAKE_FLAG_ESCALATE_MINUTES", "0")]).unwrap_err();
        assert_eq!(minutes.variable, "INTAKE_FLAG_ESCALATE_MINUTES");
    }

    #[test]
    fn the_chart_record_is_off_unless_flag_or_task_is_asked_for() {
        assert_eq!(read(&[]).unwrap().ehr_record, None);
        assert_eq!(
            read(&[("INTAKE_URGENT_FLAG_EHR", "off")])
                .unwrap()
                .ehr_record,
            None
        );
        assert_eq!(
            read(&[("INTAKE_URGENT_FLAG_EHR", "task")])
                .unwrap()
                .ehr_record,
            Some(UrgentRecord::Task)
        );
        let wrong = read(&[("INTAKE_URGENT_FLAG_EHR", "Flags")]).unwrap_err();
        assert_eq!(wrong.variable, "INTAKE_URGENT_FLAG_EHR");
        assert!(wrong.problem.contains("flag, task, off"), "{wrong}");
    }
}
