//! The FHIR resources of what a patient signed and sent: one `Consent` per consent answered,
//! and one `DocumentReference` per photo, with its bytes.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::json;
use uuid::Uuid;

use super::{ChangeIdentifier, ExtractContext, ProposedChange, ResourceType, provenance};
use crate::{
    engine::{Answer, Answers},
    forms::Form,
};

/// Each consent item of `form` that `answers` answered, as a FHIR R4 `Consent`: `active` when
/// the patient agreed, `rejected` when they declined; consent to treatment (scope), the
/// patient, the submission's time, the policy as the form's address with the text's version,
/// and the QuestionnaireResponse holding the signed name as its source.
/// <https://hl7.org/fhir/R4/consent.html>
pub fn consents(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    response: ChangeIdentifier,
) -> Vec<ProposedChange> {
    form.items()
        .filter_map(|item| {
            let terms = item.consent.as_ref()?;
            let Some(Answer::Boolean(agreed)) = answers.get(&item.id).first() else {
                return None;
            };
            let identifier = change_identifier(context, &format!("Consent/{}", item.id));
            let resource = json!({
                "resourceType": "Consent",
                "identifier": [identifier.to_fhir()],
                "status": if *agreed { "active" } else { "rejected" },
                "scope": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment",
                    "display": "Treatment",
                }]},
                "category": [{"coding": [{
                    "system": "http://loinc.org",
                    "code": "59284-0",
                    "display": "Patient Consent",
                }]}],
                "patient": {"reference": context.patient_reference},
                "dateTime": context.authored,
                "policy": [{"uri": policy_uri(form, &item.id, &terms.version)}],
                "sourceReference": {
                    "type": "QuestionnaireResponse",
                    "identifier": response.to_fhir(),
                    "display": format!("{} (version {})", item.text.en(), terms.version),
                },
            });
            Some(ProposedChange {
                identifier,
                resource_type: ResourceType::Consent,
                resource,
                summary: format!(
                    "Consent {}: {} (version {})",
                    if *agreed { "given" } else { "declined" },
                    item.text.en(),
                    terms.version
                ),
                held_because: None,
            })
        })
        .collect()
}

/// The consent text's address and version: the form's URL, the item, and `|version` as FHIR
/// canonical references carry a version.
fn policy_uri(form: &Form, item: &str, version: &str) -> String {
    format!("{}/consent/{item}|{version}", form.url)
}

/// Each photo among `answers` whose bytes are in `files`, as a `DocumentReference` of the
/// patient with the image inline. <https://hl7.org/fhir/R4/documentreference.html>
pub fn documents(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    files: &BTreeMap<Uuid, Vec<u8>>,
) -> Vec<ProposedChange> {
    crate::summary::photos(form, answers)
        .into_iter()
        .filter_map(|(title, file)| {
            let bytes = files.get(&file.id)?;
            let identifier = change_identifier(context, &format!("DocumentReference/{}", file.id));
            let mut attachment = file.fhir_attachment(&title);
            attachment["data"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
            attachment["creation"] = json!(context.authored);
            if let Some(map) = attachment.as_object_mut() {
                map.remove("url");
            }
            let resource = json!({
                "resourceType": "DocumentReference",
                "identifier": [identifier.to_fhir()],
                "status": "current",
                "type": {"text": title},
                "subject": {"reference": context.patient_reference},
                "date": context.authored,
                "description": "Sent by the patient with the pre-visit intake",
                "content": [{"attachment": attachment}],
            });
            Some(ProposedChange {
                identifier,
                resource_type: ResourceType::DocumentReference,
                resource,
                summary: format!("Photo: {title}"),
                held_because: None,
            })
        })
        .collect()
}

/// Adds `more` to a submission's `changes` and makes the Provenance (the last change) name
/// them too.
pub fn with_provenance(
    mut changes: Vec<ProposedChange>,
    more: Vec<ProposedChange>,
    context: &ExtractContext<'_>,
) -> Vec<ProposedChange> {
    if more.is_empty() {
        return changes;
    }
    changes.retain(|c| c.resource_type != ResourceType::Provenance);
    changes.extend(more);
    let provenance = provenance(context, &changes);
    changes.push(provenance);
    changes
}

fn change_identifier(context: &ExtractContext<'_>, key: &str) -> ChangeIdentifier {
    ChangeIdentifier(Uuid::new_v5(&context.submission_id, key.as_bytes()))
}

/// The identifier of the submission's QuestionnaireResponse, which a Consent names as source.
pub fn response_identifier(context: &ExtractContext<'_>) -> ChangeIdentifier {
    change_identifier(context, "QuestionnaireResponse")
}
