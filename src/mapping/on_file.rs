//! What the patient said of the entries on file (`forms::on_file`): a medicine stopped or
//! taken differently, an allergy or condition no longer true. Each becomes the chart entry with
//! its new status or the patient's words, which the chart diff turns into a version-aware
//! update; an entry the patient confirmed as it is proposes nothing.
//! Spec: <https://hl7.org/fhir/R4/medicationstatement.html>,
//! <https://hl7.org/fhir/R4/allergyintolerance.html>, <https://hl7.org/fhir/R4/condition.html>

use serde_json::json;

use super::{ExtractContext, ProposedChange, ResourceType, extract::change_identifier};
use crate::{
    engine::{Answer, Answers},
    forms::{
        ExtractHook, Form, Item,
        on_file::{self, finding, medication},
    },
};

/// The changes to entries on file that the answers to `form` ask for.
pub fn on_file_changes(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
) -> Vec<ProposedChange> {
    let mut changes = Vec::new();
    for group in form.items() {
        let Some(kind) = group.on_file else {
            continue;
        };
        for (index, instance) in answers.get(&group.id).iter().enumerate() {
            if let Answer::Group(inner) = instance
                && let Some(change) = change_of(group, kind, inner, index, context)
            {
                changes.push(change);
            }
        }
    }
    changes
}

fn change_of(
    group: &Item,
    kind: ExtractHook,
    inner: &Answers,
    index: usize,
    context: &ExtractContext<'_>,
) -> Option<ProposedChange> {
    let text = |id: String| match inner.get(&id).first() {
        Some(Answer::String(text) | Answer::Choice(text) | Answer::Reference(text)) => {
            Some(text.clone())
        }
        _ => None,
    };
    let reference = text(on_file::entry_id(&group.id))?;
    let (resource_type, id) = reference.split_once('/')?;
    let status = text(on_file::status_id(&group.id))?;
    let details = text(on_file::details_id(&group.id));
    let name = text(on_file::name_id(&group.id)).unwrap_or_default();
    let unchanged = matches!(status.as_str(), medication::TAKING | finding::STILL);
    if unchanged && details.is_none() {
        return None;
    }
    let identifier = change_identifier(context, &format!("{}/{index}/on-file", group.id));
    let patient = json!({ "reference": context.patient_reference });
    let mut resource = json!({
        "resourceType": resource_type,
        "id": id,
        "identifier": [identifier.to_fhir()],
    });
    let (said, kind) = match kind {
        ExtractHook::MedicationStatement => {
            let stopped = status == medication::STOPPED;
            resource["status"] = json!(if stopped { "stopped" } else { "active" });
            resource["informationSource"] = patient;
            resource["dateAsserted"] = json!(context.authored);
            let said = match status.as_str() {
                medication::STOPPED => "stopped taking it",
                medication::CHANGED => "takes it differently now",
                _ => "still takes it",
            };
            (said, ResourceType::MedicationStatement)
        }
        ExtractHook::AllergyIntolerance | ExtractHook::Condition => {
            let (system, resource_type) = if kind == ExtractHook::Condition {
                ("condition-clinical", ResourceType::Condition)
            } else {
                (
                    "allergyintolerance-clinical",
                    ResourceType::AllergyIntolerance,
                )
            };
            if status == finding::NO_LONGER {
                resource["clinicalStatus"] = json!({ "coding": [{
                    "system": format!("http://terminology.hl7.org/CodeSystem/{system}"),
                    "code": "resolved",
                    "display": "Resolved",
                }] });
            }
            resource["asserter"] = patient;
            let said = if status == finding::NO_LONGER {
                "says it is no longer true"
            } else {
                "says it is still true"
            };
            (said, resource_type)
        }
        ExtractHook::Observation => return None,
    };
    if let Some(words) = &details {
        resource["note"] =
            json!([{ "text": format!("Patient reports ({}): {words}", context.authored) }]);
    }
    Some(ProposedChange {
        identifier,
        resource_type: kind,
        resource,
        summary: format!("{name}: the patient {said}"),
        held_because: None,
    })
}
