//! Which appointments are due an invitation, whether a reminder still applies, and which way a
//! message goes. Pure: the appointment, its invitation and messages, the senders set up and the
//! time come in as arguments, so every rule is a row in a table test.

use std::time::Duration;

use serde_json::Value;

use super::{Channel, Purpose};
use crate::domain::{Contact, ContactKind};

/// When invitations and reminders go (`INTAKE_INVITE_DAYS_BEFORE`,
/// `INTAKE_REMINDER_HOURS_BEFORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// An invitation goes this long before the visit (at once when the visit is sooner).
    pub invite_before: Duration,
    /// A reminder goes this long before the visit, when the form is not in.
    pub reminder_before: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            invite_before: Duration::from_secs(3 * 86_400),
            reminder_before: Duration::from_secs(24 * 3600),
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// An appointment as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Not cancelled.
    pub booked: bool,
    /// Its start, epoch milliseconds.
    pub starts_at: i64,
}

/// Whether the planner invites an appointment now: booked, still to come, within
/// `invite_before` of its start, and never invited before (by message or by staff handing the
/// link over at the desk: a second link would stop the first from working, drafts and all).
pub fn invitation_due(visit: Visit, invited_before: bool, now: i64, timing: Timing) -> bool {
    visit.booked
        && !invited_before
        && visit.starts_at > now
        && visit.starts_at.saturating_sub(millis(timing.invite_before)) <= now
}

/// When the reminder for a visit is due.
pub fn reminder_due_at(starts_at: i64, timing: Timing) -> i64 {
    starts_at.saturating_sub(millis(timing.reminder_before))
}

/// Whether an invitation sent `now` gets a reminder queued behind it: only when the reminder's
/// time is still to come (an invitation sent the day before the visit is its own reminder).
pub fn reminder_follows(starts_at: i64, now: i64, timing: Timing) -> bool {
    reminder_due_at(starts_at, timing) > now
}

/// What a sender finds when it takes a message off the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendContext {
    /// The message's purpose.
    pub purpose: Purpose,
    /// When the message was queued, epoch milliseconds.
    pub queued_at: i64,
    /// The visit, if the message is about one.
    pub visit: Option<Visit>,
    /// Whether the link the message carries still works (open: not replaced, used or locked).
    pub link_open: Option<bool>,
    /// Whether the form was submitted on that link.
    pub submitted: bool,
}

/// What to do with a message taken off the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendDecision {
    /// Send it now.
    Send,
    /// Not yet: the visit moved later; try at this time.
    NotBefore(i64),
    /// Do not send it; this is why.
    Cancel(&'static str),
}

/// Whether a message still applies at the moment it would go: nothing for a visit that is over
/// or cancelled, a link that was replaced or used, a form already in, or a code that expired.
pub fn decide_send(
    context: SendContext,
    now: i64,
    timing: Timing,
    code_lifetime: Duration,
) -> SendDecision {
    // An urgent alert is about a submitted form, and goes whatever became of the visit.
    if context.purpose == Purpose::UrgentAlert {
        return SendDecision::Send;
    }
    if context.submitted {
        return SendDecision::Cancel("the form was already submitted");
    }
    if context.link_open == Some(false) {
        return SendDecision::Cancel("the link no longer works (replaced, used or locked)");
    }
    // A code is asked for by a patient on the link, which works until it expires, visit or no.
    let about_the_visit = matches!(context.purpose, Purpose::Invitation | Purpose::Reminder);
    if let Some(visit) = context.visit.filter(|_| about_the_visit) {
        if !visit.booked {
            return SendDecision::Cancel("the visit was cancelled");
        }
        if visit.starts_at <= now {
            return SendDecision::Cancel("the visit has started");
        }
        if context.purpose == Purpose::Reminder {
            let due = reminder_due_at(visit.starts_at, timing);
            if due > now {
                return SendDecision::NotBefore(due);
            }
        }
    }
    if context.purpose == Purpose::OneTimeCode
        && context.queued_at.saturating_add(millis(code_lifetime)) <= now
    {
        return SendDecision::Cancel("the code expired before it could be sent");
    }
    SendDecision::Send
}

/// Where a patient can be reached, from the appointment or the chart.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Reachable {
    /// A mobile number.
    pub mobile: Option<Contact>,
    /// An email address.
    pub email: Option<Contact>,
    /// A BCP 47 language tag (`Patient.communication`).
    pub language: Option<String>,
}

impl std::fmt::Debug for Reachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reachable")
            .field("mobile", &self.mobile.is_some())
            .field("email", &self.email.is_some())
            .field("language", &self.language)
            .finish()
    }
}

impl Reachable {
    /// From the columns an appointment keeps (`patient_mobile`, `patient_email`,
    /// `patient_language`); unusable values count as none.
    pub fn from_columns(mobile: Option<&str>, email: Option<&str>, language: Option<&str>) -> Self {
        Self {
            mobile: mobile.and_then(Contact::phone),
            email: email.and_then(Contact::email),
            language: language.map(str::to_owned),
        }
    }

    /// From a chart's `Patient`: its `telecom` (a mobile number first) and the preferred
    /// `communication` language.
    /// <https://hl7.org/fhir/R4/patient-definitions.html#Patient.communication>
    pub fn from_patient(patient: &Value, today: time::Date) -> Self {
        // A text needs a mobile: a number marked `sms`, or a `phone` whose use is `mobile` (a
        // home or work line may not take texts, unlike a one-time code's fallback).
        let mut textable = patient.clone();
        if let Some(telecom) = textable["telecom"].as_array_mut() {
            telecom.retain(|point| point["system"] != "phone" || point["use"] == "mobile");
        }
        let chart = crate::mapping::ChartSnapshot {
            patient: Some(textable),
            resources: Vec::new(),
            ..Default::default()
        };
        Self {
            mobile: chart.contact(ContactKind::Sms, today),
            email: chart.contact(ContactKind::Email, today),
            language: preferred_language(patient),
        }
    }

    /// Whether nothing is on file.
    pub fn is_empty(&self) -> bool {
        self.mobile.is_none() && self.email.is_none()
    }

    /// The language messages are written in.
    pub fn message_language(&self) -> crate::i18n::Language {
        super::texts::message_language(self.language.as_deref())
    }
}

/// The language the patient prefers: the `communication` marked `preferred`, else the first;
/// its first BCP 47 coding, else its text.
fn preferred_language(patient: &Value) -> Option<String> {
    let communication = patient["communication"].as_array()?;
    let chosen = communication
        .iter()
        .find(|c| c["preferred"] == true)
        .or_else(|| communication.first())?;
    let language = &chosen["language"];
    language["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|coding| coding["code"].as_str())
        .next()
        .or_else(|| language["text"].as_str())
        .map(str::to_owned)
}

/// Which senders are set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendersSetUp {
    /// `INTAKE_SMTP_URL`.
    pub email: bool,
    /// `INTAKE_SMS_URL`.
    pub sms: bool,
}

/// Why a message cannot go to a patient. The text is what staff read on the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unreachable {
    /// Nothing on file.
    #[error("no mobile number or email on the chart")]
    NoContact,
    /// Only a mobile number, and text messages are not set up.
    #[error(
        "the chart has a mobile number but no email, and text messages are not set up (INTAKE_SMS_URL)"
    )]
    NoEmailAndNoTexts,
    /// Only an email address, and email is not set up.
    #[error(
        "the chart has an email but no mobile number, and email is not set up (INTAKE_SMTP_URL)"
    )]
    NoMobileAndNoEmail,
}

impl Unreachable {
    /// What staff read, as a static text (for errors that carry one).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoContact => "no mobile number or email on the chart",
            Self::NoEmailAndNoTexts => {
                "the chart has a mobile number but no email, and text messages are not set up (INTAKE_SMS_URL)"
            }
            Self::NoMobileAndNoEmail => {
                "the chart has an email but no mobile number, and email is not set up (INTAKE_SMTP_URL)"
            }
        }
    }
}

/// The channel and recipient for a message: a text to a mobile number, else an email; with
/// neither sender set up, the log sender (which writes neither the contact nor the link).
pub fn choose_channel(
    reachable: &Reachable,
    set_up: SendersSetUp,
) -> Result<(Channel, Contact), Unreachable> {
    match (&reachable.mobile, &reachable.email) {
        (None, None) => Err(Unreachable::NoContact),
        (Some(mobile), _) if set_up.sms => Ok((Channel::Sms, mobile.clone())),
        (_, Some(email)) if set_up.email => Ok((Channel::Email, email.clone())),
        (mobile, email) if !set_up.sms && !set_up.email => Ok((
            Channel::Log,
            mobile
                .clone()
                .or_else(|| email.clone())
                .ok_or(Unreachable::NoContact)?,
        )),
        (Some(_), None) => Err(Unreachable::NoEmailAndNoTexts),
        (None, Some(_)) | (Some(_), Some(_)) => Err(Unreachable::NoMobileAndNoEmail),
    }
}

/// The channel for a one-time code to a contact of a known kind.
pub fn code_channel(kind: ContactKind, set_up: SendersSetUp) -> Channel {
    match kind {
        ContactKind::Sms if set_up.sms => Channel::Sms,
        ContactKind::Email if set_up.email => Channel::Email,
        _ => Channel::Log,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;
    const NOW: i64 = 1_800_000_000_000;

    fn visit(starts_in: i64) -> Visit {
        Visit {
            booked: true,
            starts_at: NOW + starts_in,
        }
    }

    #[test]
    fn invitations_go_three_days_before_or_at_once_and_never_twice_or_too_late() {
        let timing = Timing::default();
        let cancelled = Visit {
            booked: false,
            ..visit(DAY)
        };
        let table = [
            ("four days ahead: not yet", visit(4 * DAY), false, false),
            ("exactly three days ahead: now", visit(3 * DAY), false, true),
            ("two days ahead: now", visit(2 * DAY), false, true),
            ("in an hour: at once", visit(HOUR), false, true),
            ("already invited", visit(2 * DAY), true, false),
            ("cancelled", cancelled, false, false),
            ("starting now: nothing", visit(0), false, false),
            ("in the past: nothing", visit(-HOUR), false, false),
        ];
        for (case, visit, invited, due) in table {
            assert_eq!(invitation_due(visit, invited, NOW, timing), due, "{case}");
        }
    }

    #[test]
    fn a_reminder_follows_only_an_invitation_sent_before_its_time() {
        let timing = Timing::default();
        assert!(reminder_follows(NOW + 3 * DAY, NOW, timing));
        assert!(reminder_follows(NOW + 25 * HOUR, NOW, timing));
        assert!(!reminder_follows(NOW + 24 * HOUR, NOW, timing));
        assert!(!reminder_follows(NOW + 2 * HOUR, NOW, timing));
        assert_eq!(reminder_due_at(NOW + 3 * DAY, timing), NOW + 2 * DAY);
    }

    #[test]
    fn a_message_is_sent_only_while_it_still_applies() {
        let timing = Timing::default();
        let lifetime = Duration::from_secs(600);
        let context = |purpose, visit: Option<Visit>, link_open, submitted| SendContext {
            purpose,
            queued_at: NOW - 1000,
            visit,
            link_open,
            submitted,
        };
        let cancelled = Visit {
            booked: false,
            ..visit(DAY)
        };
        use Purpose::*;
        use SendDecision::*;
        let table = [
            (
                "an invitation to an open link",
                context(Invitation, Some(visit(DAY)), Some(true), false),
                Send,
            ),
            (
                "a reminder when due",
                context(Reminder, Some(visit(20 * HOUR)), Some(true), false),
                Send,
            ),
            (
                "a reminder after the visit moved later",
                context(Reminder, Some(visit(2 * DAY)), Some(true), false),
                NotBefore(NOW + DAY),
            ),
            (
                "a reminder once the form is in",
                context(Reminder, Some(visit(HOUR)), Some(false), true),
                Cancel("the form was already submitted"),
            ),
            (
                "a reminder for a replaced link",
                context(Reminder, Some(visit(HOUR)), Some(false), false),
                Cancel("the link no longer works (replaced, used or locked)"),
            ),
            (
                "anything for a cancelled visit",
                context(Invitation, Some(cancelled), Some(true), false),
                Cancel("the visit was cancelled"),
            ),
            (
                "anything for a visit that started",
                context(Reminder, Some(visit(-HOUR)), Some(true), false),
                Cancel("the visit has started"),
            ),
            (
                "a fresh code",
                context(OneTimeCode, Some(visit(HOUR)), Some(true), false),
                Send,
            ),
            (
                "a code in the waiting room after the visit's time",
                context(OneTimeCode, Some(visit(-HOUR)), Some(true), false),
                Send,
            ),
        ];
        for (case, context, decision) in table {
            assert_eq!(
                decide_send(context, NOW, timing, lifetime),
                decision,
                "{case}"
            );
        }
        let stale_code = SendContext {
            queued_at: NOW - 600_000,
            ..context(OneTimeCode, Some(visit(HOUR)), Some(true), false)
        };
        assert_eq!(
            decide_send(stale_code, NOW, timing, lifetime),
            Cancel("the code expired before it could be sent")
        );
    }

    fn reachable(mobile: bool, email: bool) -> Reachable {
        Reachable::from_columns(
            mobile.then_some("+1 555 010 4567"),
            email.then_some("maria@example.org"),
            None,
        )
    }

    #[test]
    fn a_mobile_number_gets_a_text_else_an_email_else_the_log_when_nothing_is_set_up() {
        let both = SendersSetUp {
            email: true,
            sms: true,
        };
        let email_only = SendersSetUp {
            email: true,
            sms: false,
        };
        let sms_only = SendersSetUp {
            email: false,
            sms: true,
        };
        let none = SendersSetUp {
            email: false,
            sms: false,
        };
        let channel = |r: &Reachable, s| choose_channel(r, s).map(|(c, _)| c);
        let table = [
            (reachable(true, true), both, Ok(Channel::Sms)),
            (reachable(false, true), both, Ok(Channel::Email)),
            (reachable(true, true), email_only, Ok(Channel::Email)),
            (
                reachable(true, false),
                email_only,
                Err(Unreachable::NoEmailAndNoTexts),
            ),
            (
                reachable(false, true),
                sms_only,
                Err(Unreachable::NoMobileAndNoEmail),
            ),
            (reachable(true, false), none, Ok(Channel::Log)),
            (reachable(false, false), both, Err(Unreachable::NoContact)),
            (reachable(false, false), none, Err(Unreachable::NoContact)),
        ];
        for (index, (reach, set_up, expected)) in table.into_iter().enumerate() {
            assert_eq!(channel(&reach, set_up), expected, "row {index}");
        }
        assert_eq!(
            Unreachable::NoContact.to_string(),
            "no mobile number or email on the chart"
        );
    }

    #[test]
    fn the_chart_gives_the_mobile_number_the_email_and_the_preferred_language() {
        let patient = json!({
            "resourceType": "Patient",
            "telecom": [
                {"system": "phone", "value": "+1-555-0100", "use": "home"},
                {"system": "phone", "value": "+1-555-0199", "use": "mobile"},
                {"system": "email", "value": "ana@example.org"}
            ],
            "communication": [
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}},
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}, "preferred": true}
            ]
        });
        let found = Reachable::from_patient(&patient, time::macros::date!(2026 - 12 - 01));
        assert_eq!(found.mobile.unwrap().expose(), "+1-555-0199");
        assert_eq!(found.email.unwrap().expose(), "ana@example.org");
        assert_eq!(found.language.as_deref(), Some("es-MX"));
        let landline = json!({"resourceType": "Patient", "telecom": [{"system": "phone", "value": "+1-555-0100", "use": "home"}]});
        assert!(
            Reachable::from_patient(&landline, time::macros::date!(2026 - 12 - 01)).is_empty(),
            "a home line takes no texts"
        );
        let bare = Reachable::from_patient(
            &json!({"resourceType": "Patient"}),
            time::macros::date!(2026 - 12 - 01),
        );
        assert!(bare.is_empty());
        assert_eq!(bare.message_language().code(), "en");
    }
}
