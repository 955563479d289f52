//! The audit log in plain words: each action the code records, and the ids and codes an
//! event's detail holds, as an admin reads them. An action or a detail this table does not
//! know is shown as it is stored, so a new one never hides an event.

use serde_json::Value;

use crate::{
    domain::{ClinicZone, StaffRole},
    intake::FormCatalog,
    mapping::HoldReason,
    web::{
        format,
        staff_texts::{StaffTexts, Words},
    },
};

/// Every action the code records, in the users' words, by area.
pub(super) const ACTIONS: [(&str, Words); 47] = [
    ("patient_data.viewed", StaffTexts::audit_viewed),
    ("staff.signed_in", StaffTexts::audit_signed_in),
    ("staff.sign_in_failed", StaffTexts::audit_sign_in_failed),
    ("staff.signed_out", StaffTexts::audit_signed_out),
    ("staff.second_factor_used", StaffTexts::audit_code_used),
    ("staff.second_factor_failed", StaffTexts::audit_code_refused),
    ("staff.recovery_code_used", StaffTexts::audit_recovery_used),
    ("staff.second_factor_enrolled", StaffTexts::audit_enrolled),
    ("staff.password_changed", StaffTexts::audit_password_changed),
    ("staff.account_added", StaffTexts::audit_account_added),
    ("staff.account_disabled", StaffTexts::audit_account_disabled),
    ("staff.account_enabled", StaffTexts::audit_account_enabled),
    ("staff.password_reset", StaffTexts::audit_password_reset),
    ("staff.role_changed", StaffTexts::audit_role_changed),
    (
        "staff.second_factor_reset",
        StaffTexts::audit_authenticator_forgotten,
    ),
    ("change.approved", StaffTexts::audit_change_accepted),
    ("change.edited", StaffTexts::audit_change_edited),
    ("change.rejected", StaffTexts::audit_change_rejected),
    ("change.retried", StaffTexts::audit_change_retried),
    ("change.held", StaffTexts::audit_change_held),
    ("change.queued", StaffTexts::audit_change_queued),
    ("change.posted", StaffTexts::audit_change_posted),
    ("change.failed", StaffTexts::audit_change_failed),
    (
        "change.retry_scheduled",
        StaffTexts::audit_change_retry_scheduled,
    ),
    ("submission.received", StaffTexts::audit_submission_received),
    ("submission.reviewed", StaffTexts::audit_submission_reviewed),
    ("urgent_flag.raised", StaffTexts::audit_urgent_raised),
    ("urgent_flag.escalated", StaffTexts::audit_urgent_escalated),
    (
        "urgent_flag.acknowledged",
        StaffTexts::audit_urgent_acknowledged,
    ),
    ("appointment.booked", StaffTexts::audit_appointment_booked),
    (
        "appointment.rebooked",
        StaffTexts::audit_appointment_rebooked,
    ),
    ("appointment.moved", StaffTexts::audit_appointment_moved),
    (
        "appointment.cancelled",
        StaffTexts::audit_appointment_cancelled,
    ),
    ("invitation.issued", StaffTexts::audit_link_issued),
    ("invitation.sent", StaffTexts::audit_link_sent),
    ("invitation.opened", StaffTexts::audit_link_opened),
    (
        "invitation.birth_date_proven",
        StaffTexts::audit_birth_date_proven,
    ),
    ("invitation.code_sent", StaffTexts::audit_code_sent),
    ("invitation.verified", StaffTexts::audit_link_verified),
    (
        "invitation.verification_failed",
        StaffTexts::audit_verification_failed,
    ),
    ("invitation.locked", StaffTexts::audit_link_locked),
    ("invitation.unlocked", StaffTexts::audit_link_unlocked),
    ("invitation.cancelled", StaffTexts::audit_link_cancelled),
    ("message.sent", StaffTexts::audit_message_sent),
    ("message.failed", StaffTexts::audit_message_failed),
    ("message.cancelled", StaffTexts::audit_message_cancelled),
    ("message.unsendable", StaffTexts::audit_message_unsendable),
];

/// `code` in words; the code itself when the table does not know it.
pub(super) fn action(code: &str) -> String {
    ACTIONS
        .iter()
        .find(|(known, _)| *known == code)
        .map_or_else(|| code.to_owned(), |(_, words)| words(StaffTexts))
}

/// The labels of the details events hold.
const LABELS: [(&str, Words); 28] = [
    ("username", StaffTexts::audit_detail_username),
    ("role", StaffTexts::audit_detail_role),
    ("from", StaffTexts::audit_detail_from),
    ("to", StaffTexts::audit_detail_to),
    ("recovery_codes", StaffTexts::audit_detail_recovery_codes),
    ("fields", StaffTexts::audit_detail_fields),
    ("reason", StaffTexts::audit_detail_reason),
    ("bulk", StaffTexts::audit_detail_bulk),
    ("form", StaffTexts::audit_detail_form),
    ("form_hash", StaffTexts::audit_detail_form_version),
    ("changes", StaffTexts::audit_detail_changes),
    ("ehr_resource_id", StaffTexts::audit_detail_ehr_id),
    ("retry_at", StaffTexts::audit_detail_retry_at),
    ("attempts", StaffTexts::audit_detail_attempts),
    ("appointment", StaffTexts::audit_detail_appointment),
    ("ehr_appointment", StaffTexts::audit_detail_ehr_appointment),
    ("ehr_version", StaffTexts::audit_detail_ehr_version),
    ("starts_at", StaffTexts::audit_detail_starts_at),
    ("invitation", StaffTexts::audit_detail_invitation),
    ("submission", StaffTexts::audit_detail_submission),
    ("messages", StaffTexts::audit_detail_messages),
    ("purpose", StaffTexts::audit_detail_purpose),
    ("channel", StaffTexts::audit_detail_channel),
    ("sends", StaffTexts::audit_detail_sends),
    ("with", StaffTexts::audit_detail_with),
    ("noted", StaffTexts::audit_detail_noted),
    ("alerts", StaffTexts::audit_detail_alerts),
    ("id", StaffTexts::audit_detail_id),
];

/// An event's detail, each part "Label: value", in words where the code is known: roles, hold
/// reasons, message purposes and channels, times on the clinic's clocks, forms by title. A
/// detail that is not an object is shown as its JSON.
pub(super) fn detail(zone: &ClinicZone, forms: &FormCatalog, detail: &Value) -> Vec<String> {
    let Value::Object(map) = detail else {
        return vec![detail.to_string()];
    };
    map.iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| {
            let label = LABELS
                .iter()
                .find(|(known, _)| *known == key)
                .map_or_else(|| key.replace('_', " "), |(_, words)| words(StaffTexts));
            StaffTexts.audit_detail(label, value_in_words(zone, forms, key, value))
        })
        .collect()
}

fn value_in_words(zone: &ClinicZone, forms: &FormCatalog, key: &str, value: &Value) -> String {
    match (key, value) {
        ("role" | "from" | "to", Value::String(code)) => StaffRole::parse(code)
            .map_or_else(|| code.clone(), |role| StaffTexts.message(&role.message())),
        ("reason", Value::String(code)) => HoldReason::parse(code).map_or_else(
            || code.clone(),
            |reason| StaffTexts.message(&reason.message()),
        ),
        ("purpose", Value::String(code)) => format::purpose(code),
        ("channel", Value::String(code)) => format::channel(code),
        ("form", Value::String(id)) => format::form_name(forms, id),
        // A version is its content hash: its start tells versions apart.
        ("form_hash", Value::String(hash)) => hash.chars().take(12).collect(),
        ("retry_at" | "starts_at", Value::Number(at)) => at
            .as_i64()
            .map_or_else(|| at.to_string(), |at| format::when(zone, at)),
        ("changes" | "messages", Value::Array(items)) => items.len().to_string(),
        (_, Value::Bool(yes)) => {
            if *yes {
                StaffTexts.audit_detail_yes()
            } else {
                StaffTexts.audit_detail_no()
            }
        }
        (_, Value::String(text)) => text.clone(),
        (_, Value::Array(items)) => items
            .iter()
            .map(|item| value_in_words(zone, forms, "", item))
            .collect::<Vec<_>>()
            .join(", "),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn forms() -> FormCatalog {
        FormCatalog::new(
            crate::app::load_forms(concat!(env!("CARGO_MANIFEST_DIR"), "/forms").as_ref()).unwrap(),
        )
    }

    #[test]
    fn every_action_the_code_records_reads_in_words() {
        let codes: Vec<&str> = ACTIONS.iter().map(|(code, _)| *code).collect();
        for (code, _) in ACTIONS {
            assert_ne!(action(code), code, "{code} has words");
            assert_eq!(
                codes.iter().filter(|c| **c == code).count(),
                1,
                "{code} once"
            );
        }
        assert_eq!(action("change.approved"), "Change accepted");
        assert_eq!(action("something.new"), "something.new", "shown as stored");
    }

    #[test]
    fn a_detail_reads_as_labelled_words_with_codes_times_and_forms_in_words() {
        let zone = ClinicZone::parse("America/New_York").unwrap();
        let forms = forms();
        let retry = crate::clock::millis(time::macros::datetime!(2026-11-23 14:30 UTC));
        let said = |value: Value| detail(&zone, &forms, &value);
        assert_eq!(
            said(json!({ "from": "front_desk", "to": "clinician", "username": "cy" })),
            ["From: Front desk", "To: Clinician", "Username: cy"]
        );
        assert_eq!(
            said(json!({ "reason": "identity-mismatch" })),
            [format!(
                "Reason: {}",
                StaffTexts.message(&HoldReason::IdentityMismatch.message())
            )]
        );
        assert_eq!(
            said(json!({ "reason": "Already on the chart" })),
            ["Reason: Already on the chart"],
            "a reason staff typed is shown as typed"
        );
        assert_eq!(
            said(json!({ "retry_at": retry, "bulk": true, "ehr_appointment": null })),
            ["In bulk: yes", "Retry at: 23 Nov 2026, 09:30"]
        );
        assert_eq!(
            said(json!({ "form": "previsit-basic", "changes": ["a", "b", "c"] })),
            ["Changes: 3", "Form: Before your visit (previsit-basic)"]
        );
        assert_eq!(
            said(json!({ "fields": ["code.text", "status"], "new_thing": 2 })),
            ["Fields changed: code.text, status", "new thing: 2"]
        );
        assert_eq!(said(json!({})), Vec::<String>::new());
        assert_eq!(said(json!([1, 2])), ["[1,2]"]);
    }
}
