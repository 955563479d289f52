//! The variables of messages to patients: when invitations and reminders go
//! (`INTAKE_INVITE_DAYS_BEFORE`, `INTAKE_REMINDER_HOURS_BEFORE`, `INTAKE_MESSAGE_PLAN_SECS`) and
//! how (`INTAKE_SMTP_URL` with `INTAKE_MAIL_FROM`, `INTAKE_SMS_URL` with `INTAKE_SMS_FROM`).

use std::time::Duration;

use url::Url;

use super::{ConfigError, bad, number};

/// How messages go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSettings {
    /// `INTAKE_INVITE_DAYS_BEFORE`: an invitation goes this long before the visit (default 3
    /// days), or at once when the visit is sooner.
    pub invite_before: Duration,
    /// `INTAKE_REMINDER_HOURS_BEFORE`: a reminder goes this long before the visit (default 24
    /// hours) when the form is not in.
    pub reminder_before: Duration,
    /// `INTAKE_MESSAGE_PLAN_SECS`: how often the planner looks for appointments to invite
    /// (default 60 seconds).
    pub plan_every: Duration,
    /// `INTAKE_SMTP_URL` and `INTAKE_MAIL_FROM`: email; unset, no email.
    pub smtp: Option<SmtpSettings>,
    /// `INTAKE_SMS_URL` and `INTAKE_SMS_FROM`: text messages; unset, no texts.
    pub sms: Option<SmsSettings>,
}

/// An SMTP server. `Debug` hides the URL's password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`, `smtp://relay:25`.
    pub url: String,
    /// The `From` mailbox, e.g. `Riverside Family Practice <intake@riverside.example>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &redacted(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// A text message gateway. `Debug` hides the URL's password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsSettings {
    /// The gateway's messages endpoint, with basic-auth credentials as user and password.
    pub url: Url,
    /// The number (or sender id) texts come from.
    pub from: String,
}

impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &redacted(self.url.as_str()))
            .field("from", &self.from)
            .finish()
    }
}

/// A URL with its password replaced.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "[unparsable]".to_owned(),
    }
}

/// Reads the message variables. A sender needs both its URL and its sender address.
pub(super) fn settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<MessageSettings, ConfigError> {
    let invite_days = number(lookup, "INTAKE_INVITE_DAYS_BEFORE", 3)?;
    let reminder_hours = number(lookup, "INTAKE_REMINDER_HOURS_BEFORE", 24)?;
    if reminder_hours >= invite_days.saturating_mul(24) {
        return Err(bad(
            "INTAKE_REMINDER_HOURS_BEFORE",
            format!(
                "{reminder_hours} hours is not less than INTAKE_INVITE_DAYS_BEFORE ({invite_days} days): the reminder would come before the invitation"
            ),
        ));
    }
    Ok(MessageSettings {
        invite_before: Duration::from_secs(86_400 * invite_days),
        reminder_before: Duration::from_secs(3600 * reminder_hours),
        plan_every: Duration::from_secs(number(lookup, "INTAKE_MESSAGE_PLAN_SECS", 60)?),
        smtp: smtp(lookup)?,
        sms: sms(lookup)?,
    })
}

fn smtp(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpSettings>, ConfigError> {
    let (url, from) = match (lookup("INTAKE_SMTP_URL"), lookup("INTAKE_MAIL_FROM")) {
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err(bad(
                "INTAKE_SMTP_URL",
                "not set, but INTAKE_MAIL_FROM is: set the SMTP server to send email".into(),
            ));
        }
        (Some(_), None) => {
            return Err(bad(
                "INTAKE_MAIL_FROM",
                "required with INTAKE_SMTP_URL: the address email comes from, e.g. `Riverside Family Practice <intake@riverside.example>`".into(),
            ));
        }
        (Some(url), Some(from)) => (url, from),
    };
    let parsed = Url::parse(&url).map_err(|e| bad("INTAKE_SMTP_URL", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(
            "INTAKE_SMTP_URL",
            format!(
                "`{}` is not smtp://host:port or smtps://host:port",
                redacted(&url)
            ),
        ));
    }
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(bad(
            "INTAKE_MAIL_FROM",
            format!("`{from}` is not an address like `Clinic <intake@clinic.example>`"),
        ));
    }
    Ok(Some(SmtpSettings { url, from }))
}

fn sms(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<SmsSettings>, ConfigError> {
    let (url, from) = match (lookup("INTAKE_SMS_URL"), lookup("INTAKE_SMS_FROM")) {
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err(bad(
                "INTAKE_SMS_URL",
                "not set, but INTAKE_SMS_FROM is: set the gateway to send text messages".into(),
            ));
        }
        (Some(_), None) => {
            return Err(bad(
                "INTAKE_SMS_FROM",
                "required with INTAKE_SMS_URL: the number text messages come from".into(),
            ));
        }
        (Some(url), Some(from)) => (url, from.trim().to_owned()),
    };
    let parsed = Url::parse(&url).map_err(|e| bad("INTAKE_SMS_URL", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(
            "INTAKE_SMS_URL",
            format!("`{}` is not an http(s) URL", redacted(&url)),
        ));
    }
    Ok(Some(SmsSettings { url: parsed, from }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<MessageSettings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        settings(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn by_default_invitations_go_three_days_ahead_reminders_a_day_ahead_and_no_sender_is_set_up() {
        let settings = read(&[]).unwrap();
        assert_eq!(settings.invite_before, Duration::from_secs(3 * 86_400));
        assert_eq!(settings.reminder_before, Duration::from_secs(86_400));
        assert_eq!((settings.smtp, settings.sms), (None, None));
    }

    #[test]
    fn each_mistake_names_its_variable() {
        let table: [(&[(&str, &str)], &str); 9] = [
            (
                &[("INTAKE_SMTP_URL", "smtp://mail.example:587")],
                "INTAKE_MAIL_FROM",
            ),
            (&[("INTAKE_MAIL_FROM", "a@b.example")], "INTAKE_SMTP_URL"),
            (
                &[
                    ("INTAKE_SMTP_URL", "http://mail.example"),
                    ("INTAKE_MAIL_FROM", "a@b.example"),
                ],
                "INTAKE_SMTP_URL",
            ),
            (
                &[
                    ("INTAKE_SMTP_URL", "smtp://mail.example"),
                    ("INTAKE_MAIL_FROM", "not an address"),
                ],
                "INTAKE_MAIL_FROM",
            ),
            (
                &[("INTAKE_SMS_URL", "https://gw.example/send")],
                "INTAKE_SMS_FROM",
            ),
            (&[("INTAKE_SMS_FROM", "+15550100")], "INTAKE_SMS_URL"),
            (
                &[
                    ("INTAKE_SMS_URL", "ftp://gw.example"),
                    ("INTAKE_SMS_FROM", "+15550100"),
                ],
                "INTAKE_SMS_URL",
            ),
            (
                &[("INTAKE_INVITE_DAYS_BEFORE", "soon")],
                "INTAKE_INVITE_DAYS_BEFORE",
            ),
            (
                &[
                    ("INTAKE_INVITE_DAYS_BEFORE", "1"),
                    ("INTAKE_REMINDER_HOURS_BEFORE", "24"),
                ],
                "INTAKE_REMINDER_HOURS_BEFORE",
            ),
        ];
        for (vars, variable) in table {
            assert_eq!(read(vars).unwrap_err().variable, variable, "{vars:?}");
        }
    }

    #[test]
    fn passwords_in_sender_urls_never_print() {
        let settings = read(&[
            (
                "INTAKE_SMTP_URL",
                "smtps://intake:s3cret-smtp@mail.example:465",
            ),
            ("INTAKE_MAIL_FROM", "Riverside <intake@riverside.example>"),
            (
                "INTAKE_SMS_URL",
                "https://AC1:s3cret-sms@gw.example/Messages.json",
            ),
            ("INTAKE_SMS_FROM", "+15550100"),
        ])
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("mail.example"), "{printed}");
    }
}
