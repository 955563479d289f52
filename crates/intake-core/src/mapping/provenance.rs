//! The Provenance of a submission's changes: the patient as the source, through the intake.
//! Spec: <https://hl7.org/fhir/R4/provenance.html>

use serde_json::{Value, json};
use uuid::Uuid;

use super::{ChangeIdentifier, ChangeSummary, ExtractContext, ProposedChange, ResourceType};

/// One Provenance for every change of a submission. Provenance has no `identifier` element, so
/// its id is chosen here (the change identifier's UUID) and it is written with an idempotent
/// `PUT`, which makes a second send harmless.
pub fn provenance(context: &ExtractContext<'_>, changes: &[ProposedChange]) -> ProposedChange {
    let identifier = ChangeIdentifier(Uuid::new_v5(&context.submission_id, b"Provenance"));
    let target: Vec<Value> = changes.iter().map(reference).collect();
    let source = changes
        .iter()
        .find(|c| c.resource_type == ResourceType::QuestionnaireResponse)
        .map(|c| json!([{ "role": "source", "what": reference(c) }]));
    let mut resource = json!({
        "resourceType": "Provenance",
        "id": identifier.0.to_string(),
        "target": target,
        "recorded": context.authored,
        "activity": {
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                "code": "CREATE",
                "display": "create",
            }],
            "text": "Reported by the patient through the pre-visit intake",
        },
        "agent": [{
            "type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "code": "informant",
                "display": "Informant",
            }]},
            "who": { "reference": context.patient_reference },
        }],
    });
    if let Some(entity) = source {
        resource["entity"] = entity;
    }
    ProposedChange {
        identifier,
        resource_type: ResourceType::Provenance,
        resource,
        summary: ChangeSummary::provenance(),
        held_because: None,
    }
}

/// A reference to a change: by id for a resource already on the chart, otherwise by the
/// change's identifier (the EHR assigns the id when it creates the resource).
pub(super) fn reference(change: &ProposedChange) -> Value {
    match change.resource["id"].as_str() {
        Some(id) => json!({ "reference": format!("{}/{id}", change.resource_type) }),
        None => json!({
            "type": change.resource_type.as_str(),
            "identifier": change.identifier.to_fhir(),
        }),
    }
}
