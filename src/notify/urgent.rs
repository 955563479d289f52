//! Urgent alerts: who an urgent flag reaches and what the alert says. Pure: the form, the flags
//! raised, the settings and the time come in; the urgent-flag records and their outbox messages
//! come out, to be stored in the submission's own transaction.
//!
//! What an alert says is fixed and carries no patient data: the clinic's name, "an urgent
//! answer needs review" and the staff link to the pre-visit summary (which needs a sign-in).
//! Staff read English, as on the staff pages.

use uuid::Uuid;

use crate::{
    config::UrgentSettings,
    domain::{Channel, Purpose, UrgentContact},
    engine::RaisedFlag,
    forms::{Form, Severity},
    store::{NewMessage, NewUrgentFlag},
};

/// What an alert needs besides its recipients.
#[derive(Debug, Clone, Copy)]
pub struct AlertContext<'a> {
    /// The clinic's name.
    pub clinic: &'a str,
    /// `INTAKE_PUBLIC_URL`.
    pub public_url: &'a url::Url,
    /// The submission whose summary the link opens.
    pub submission_id: Uuid,
    /// The appointment the submission is for.
    pub appointment_id: Uuid,
}

/// Whether an alert is the first or the escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// When the flag is raised.
    Raised,
    /// After `INTAKE_FLAG_ESCALATE_MINUTES` without an acknowledgement.
    Escalated {
        /// How long it waited.
        minutes: u64,
    },
}

/// The urgent flags among `flags`, each with an alert to every recipient: the flag's own
/// `notify` list, else the form's, else `INTAKE_URGENT_CONTACT`, else the log.
pub fn urgent_flags(
    form: &Form,
    flags: &[RaisedFlag],
    settings: &UrgentSettings,
    context: AlertContext<'_>,
    now: i64,
) -> Vec<NewUrgentFlag> {
    let escalate_after = i64::try_from(settings.escalate_after.as_millis()).unwrap_or(i64::MAX);
    flags
        .iter()
        .filter(|flag| flag.severity == Severity::Urgent)
        .map(|flag| {
            let id = Uuid::now_v7();
            let own = form
                .flag(&flag.id)
                .map(|f| f.notify.as_slice())
                .unwrap_or_default();
            let recipients = [own, form.notify.as_slice(), settings.contacts.as_slice()]
                .into_iter()
                .find(|list| !list.is_empty())
                .unwrap_or_default();
            NewUrgentFlag {
                id,
                submission_id: context.submission_id,
                appointment_id: context.appointment_id,
                flag_id: flag.id.clone(),
                raised_at: now,
                escalate_at: now.saturating_add(escalate_after),
                messages: alerts(id, recipients, Round::Raised, context, now),
            }
        })
        .collect()
}

/// The escalation of an urgent flag nobody acknowledged: to `INTAKE_FLAG_ESCALATION_CONTACT`,
/// else `INTAKE_URGENT_CONTACT` again, else the log.
pub fn escalation(
    urgent_flag_id: Uuid,
    settings: &UrgentSettings,
    context: AlertContext<'_>,
    now: i64,
) -> Vec<NewMessage> {
    let recipients = if settings.escalation_contacts.is_empty() {
        &settings.contacts
    } else {
        &settings.escalation_contacts
    };
    let minutes = settings.escalate_after.as_secs() / 60;
    alerts(
        urgent_flag_id,
        recipients,
        Round::Escalated { minutes },
        context,
        now,
    )
}

/// One message per recipient (one to the log when there is none).
fn alerts(
    urgent_flag_id: Uuid,
    recipients: &[UrgentContact],
    round: Round,
    context: AlertContext<'_>,
    now: i64,
) -> Vec<NewMessage> {
    let link = format!(
        "{}/clinician/submissions/{}",
        context.public_url.as_str().trim_end_matches('/'),
        context.submission_id
    );
    let message = |channel: Channel, recipient: &str| {
        let (subject, body) = text(channel, round, context.clinic, &link, urgent_flag_id);
        NewMessage {
            id: Uuid::now_v7(),
            invitation_id: None,
            appointment_id: Some(context.appointment_id),
            purpose: Purpose::UrgentAlert,
            channel,
            recipient: recipient.to_owned(),
            language: "en".into(),
            subject,
            body,
            due_at: now,
        }
    };
    if recipients.is_empty() {
        return vec![message(Channel::Log, "log")];
    }
    recipients
        .iter()
        .map(|contact| message(contact.channel(), contact.address()))
        .collect()
}

/// The subject and body of an alert on `channel`.
pub fn text(
    channel: Channel,
    round: Round,
    clinic: &str,
    link: &str,
    urgent_flag_id: Uuid,
) -> (String, String) {
    let (headline, why) = match round {
        Round::Raised => ("an urgent answer needs review", String::new()),
        Round::Escalated { minutes } => (
            "an urgent answer still needs review",
            format!(" Nobody has acknowledged it in {minutes} minutes."),
        ),
    };
    let subject = format!("{clinic}: {headline}");
    let body = match channel {
        Channel::Webhook => serde_json::json!({
            "alert": urgent_flag_id,
            "event": match round {
                Round::Raised => "urgent_flag.raised",
                Round::Escalated { .. } => "urgent_flag.escalated",
            },
            "clinic": clinic,
            "text": format!("{}.{}", capitalised(headline), why),
            "link": link,
        })
        .to_string(),
        Channel::Sms => super::texts::to_gsm7(&format!("{clinic}: {headline}.{why} {link}")),
        Channel::Email | Channel::Log => format!(
            "{clinic}: {headline}.{why}\r\n\r\nOpen it in Intake (staff sign-in needed):\r\n{link}\r\n\r\nAcknowledge it there, with a note, once someone has acted on it.\r\n"
        ),
    };
    (subject, body)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(yaml: &str) -> Form {
        crate::forms::load_yaml("f.yaml", yaml).unwrap()
    }

    const FORM: &str = r#"
id: f
version: "1"
title: { en: F }
notify: [desk@clinic.example]
crisis: { en: "Call or text 988, or 911." }
sections:
  - id: s
    title: { en: S }
    items:
      - id: q
        type: boolean
        text: { en: Q }
        flags:
          - id: own
            severity: urgent
            when: "%q = true"
            message: { en: "Patient said yes to Q" }
            notify: ["+15550102000", "https://hooks.clinic.example/x"]
            for: [clinician, patient]
          - id: formwide
            severity: urgent
            when: "%q = true"
            message: { en: "Patient said yes" }
          - id: mild
            severity: warning
            when: "%q = true"
            message: { en: "mild" }
"#;

    fn raised(form: &Form) -> Vec<RaisedFlag> {
        form.items()
            .flat_map(|i| &i.flags)
            .map(|f| RaisedFlag {
                id: f.id.clone(),
                item_id: "q".into(),
                severity: f.severity,
                message: f.message.clone(),
                audience: f.audience.clone(),
            })
            .collect()
    }

    #[test]
    fn each_urgent_flag_alerts_its_own_list_else_the_forms_else_the_clinics_contact() {
        let form = form(FORM);
        let url = url::Url::parse("https://intake.clinic.example/").unwrap();
        let submission_id = Uuid::now_v7();
        let context = AlertContext {
            clinic: "Riverside",
            public_url: &url,
            submission_id,
            appointment_id: Uuid::now_v7(),
        };
        let settings = UrgentSettings {
            contacts: vec![UrgentContact::parse("oncall@clinic.example").unwrap()],
            ..UrgentSettings::default()
        };
        let flags = urgent_flags(&form, &raised(&form), &settings, context, 1_000);
        assert_eq!(flags.len(), 2, "the warning alerts nobody");
        let to = |i: usize| -> Vec<(Channel, String)> {
            flags[i]
                .messages
                .iter()
                .map(|m| (m.channel, m.recipient.clone()))
                .collect()
        };
        assert_eq!(
            to(0),
            [
                (Channel::Sms, "+15550102000".to_owned()),
                (
                    Channel::Webhook,
                    "https://hooks.clinic.example/x".to_owned()
                )
            ]
        );
        assert_eq!(to(1), [(Channel::Email, "desk@clinic.example".to_owned())]);
        assert_eq!(flags[0].escalate_at, 1_000 + 15 * 60_000);

        let email = &flags[1].messages[0];
        assert_eq!(email.subject, "Riverside: an urgent answer needs review");
        let link = format!("https://intake.clinic.example/clinician/submissions/{submission_id}");
        assert!(email.body.contains(&link), "{}", email.body);
        let hook: serde_json::Value = serde_json::from_str(&flags[0].messages[1].body).unwrap();
        assert_eq!(hook["text"], "An urgent answer needs review.");
        assert_eq!(hook["alert"], flags[0].id.to_string());
        for message in flags.iter().flat_map(|f| &f.messages) {
            for clinical in ["Patient said", "yes", "own", "formwide", "Q"] {
                assert!(
                    !message.body.contains(clinical),
                    "{clinical} in {}",
                    message.body
                );
            }
        }
    }

    #[test]
    fn with_no_contact_anywhere_the_alert_goes_to_the_log_and_escalation_says_how_long_it_waited() {
        let url = url::Url::parse("http://127.0.0.1:8080").unwrap();
        let context = AlertContext {
            clinic: "Riverside",
            public_url: &url,
            submission_id: Uuid::now_v7(),
            appointment_id: Uuid::now_v7(),
        };
        let settings = UrgentSettings::default();
        let messages = escalation(Uuid::now_v7(), &settings, context, 5);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].channel, Channel::Log);
        assert!(
            messages[0]
                .body
                .contains("still needs review. Nobody has acknowledged it in 15 minutes."),
            "{}",
            messages[0].body
        );
    }
}
