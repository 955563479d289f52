//! An urgent flag written to the chart, where the clinic asks for it (`INTAKE_URGENT_FLAG_EHR`):
//! a FHIR `Flag` on the patient, or a `Task` asking for a review of the answers. It posts
//! through the write-back outbox like every other change, exactly once, under an identifier
//! derived from the submission. Specs: <https://hl7.org/fhir/R4/flag.html>,
//! <https://hl7.org/fhir/R4/task.html>

use serde_json::json;
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, ExtractContext, ProposedChange, ResourceType, provenance,
};
use crate::{engine::RaisedFlag, forms::Severity};

/// How an urgent flag is written to the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrgentRecord {
    /// A `Flag` on the patient (category clinical), active from the submission.
    Flag,
    /// A `Task` for the clinic, priority stat, focused on the patient's answers.
    Task,
}

impl UrgentRecord {
    /// Reads `flag` or `task`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "flag" => Some(Self::Flag),
            "task" => Some(Self::Task),
            _ => None,
        }
    }
}

/// The chart record of a submission's urgent flags, or `None` when it raised none. `changes`
/// are the submission's other changes: a Task points at the QuestionnaireResponse among them.
pub fn urgent_record(
    kind: UrgentRecord,
    context: &ExtractContext<'_>,
    flags: &[RaisedFlag],
    changes: &[ProposedChange],
) -> Option<ProposedChange> {
    let messages: Vec<&str> = flags
        .iter()
        .filter(|f| f.severity == Severity::Urgent)
        .map(|f| f.message.en())
        .collect();
    if messages.is_empty() {
        return None;
    }
    let said = messages.join("; ");
    let identifier = ChangeIdentifier(Uuid::new_v5(&context.submission_id, b"UrgentFlag"));
    let patient = json!({ "reference": context.patient_reference });
    let (resource_type, resource) = match kind {
        UrgentRecord::Flag => (
            ResourceType::Flag,
            json!({
                "resourceType": "Flag",
                "identifier": [identifier.to_fhir()],
                "status": "active",
                "category": [{ "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                    "code": "clinical",
                    "display": "Clinical",
                }]}],
                "code": { "text": format!("Urgent answer in the pre-visit intake: {said}") },
                "subject": patient,
                "period": { "start": context.authored },
            }),
        ),
        UrgentRecord::Task => {
            let mut task = json!({
                "resourceType": "Task",
                "identifier": [identifier.to_fhir()],
                "status": "requested",
                "intent": "order",
                "priority": "stat",
                "code": { "text": "Review an urgent answer from the pre-visit intake" },
                "description": said,
                "for": patient,
                "authoredOn": context.authored,
            });
            if let Some(answers) = changes
                .iter()
                .find(|c| c.resource_type == ResourceType::QuestionnaireResponse)
            {
                task["focus"] = provenance::reference(answers);
            }
            (ResourceType::Task, task)
        }
    };
    Some(ProposedChange {
        identifier,
        resource_type,
        resource,
        summary: ChangeSummary::urgent(&said),
        held_because: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{Audience, Text};

    fn flag(severity: Severity, message: &str) -> RaisedFlag {
        RaisedFlag {
            id: "f".into(),
            item_id: "phq9_9".into(),
            severity,
            message: Text::english(message),
            audience: vec![Audience::Clinician],
        }
    }

    fn context() -> ExtractContext<'static> {
        ExtractContext {
            words: crate::domain::Ids::ENGLISH,
            submission_id: Uuid::from_u128(7),
            patient_reference: "Patient/p1",
            authored: "2026-12-04T10:00:00Z",
        }
    }

    #[test]
    fn only_urgent_flags_make_a_record() {
        let warning = [flag(Severity::Warning, "Low score")];
        assert!(urgent_record(UrgentRecord::Flag, &context(), &warning, &[]).is_none());
    }

    #[test]
    fn a_flag_is_active_on_the_patient_with_what_the_urgent_flags_say() {
        let flags = [
            flag(Severity::Urgent, "Thoughts of self-harm"),
            flag(Severity::Info, "Smoker"),
        ];
        let change = urgent_record(UrgentRecord::Flag, &context(), &flags, &[]).unwrap();
        assert_eq!(change.resource_type, ResourceType::Flag);
        assert_eq!(change.held_because, None);
        let r = &change.resource;
        assert_eq!(r["status"], "active");
        assert_eq!(r["subject"]["reference"], "Patient/p1");
        assert_eq!(r["category"][0]["coding"][0]["code"], "clinical");
        assert_eq!(
            r["code"]["text"],
            "Urgent answer in the pre-visit intake: Thoughts of self-harm"
        );
        assert_eq!(r["identifier"][0], change.identifier.to_fhir());
        let again = urgent_record(UrgentRecord::Flag, &context(), &flags, &[]).unwrap();
        assert_eq!(
            again.identifier, change.identifier,
            "the same on every extraction"
        );
    }

    #[test]
    fn a_task_asks_for_a_stat_review_of_the_answers() {
        let answers = ProposedChange {
            identifier: ChangeIdentifier(Uuid::from_u128(9)),
            resource_type: ResourceType::QuestionnaireResponse,
            resource: json!({ "resourceType": "QuestionnaireResponse" }),
            summary: crate::mapping::ChangeSummary::verbatim(""),
            held_because: None,
        };
        let flags = [flag(Severity::Urgent, "Thoughts of self-harm")];
        let change = urgent_record(
            UrgentRecord::Task,
            &context(),
            &flags,
            std::slice::from_ref(&answers),
        )
        .unwrap();
        let r = &change.resource;
        assert_eq!(change.resource_type, ResourceType::Task);
        assert_eq!(
            (r["status"].as_str(), r["intent"].as_str()),
            (Some("requested"), Some("order"))
        );
        assert_eq!(r["priority"], "stat");
        assert_eq!(r["for"]["reference"], "Patient/p1");
        assert_eq!(r["description"], "Thoughts of self-harm");
        assert_eq!(r["focus"]["type"], "QuestionnaireResponse");
        assert_eq!(r["focus"]["identifier"], answers.identifier.to_fhir());
    }
}
