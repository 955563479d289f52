//! The FHIR resources of what a patient signed and sent: one `Consent` per consent answered,
//! and one `DocumentReference` per photo, with its bytes.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::json;
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, EntryKind, ExtractContext, ProposedChange, ResourceType,
    provenance,
};
use crate::{
    domain::Phrase,
    engine::{Answer, Answers, FileRef},
    forms::Form,
};

/// Each consent item of `form` that `answers` answered, as a FHIR R4 `Consent`: `active` when
/// the patient agreed, `rejected` when they declined; consent to treatment (scope), the
/// patient, the submission's time, the policy as the form's address with the text's version.
/// Its source is the signature: the drawn signature's PNG (`sourceAttachment`, its bytes from
/// `files`) when the patient drew one, otherwise the QuestionnaireResponse holding the typed
/// name (`sourceReference`). <https://hl7.org/fhir/R4/consent.html>
///
/// Why `sourceAttachment` rather than a Provenance with a `signature`: HFS's `$validate`
/// accepts both, but R4's `source[x]` is one choice (HFS refuses a Consent with both, "only
/// one choice for source allowed"), and the attachment keeps the signature inside the one
/// resource the EHR files as the consent, written exactly once by its identifier like every
/// change. A second Provenance per consent would be one more resource for each EHR to accept
/// and link, beside the one Provenance a submission has. That Provenance already names the
/// QuestionnaireResponse as the source of every change, the Consent included, so a drawn
/// signature loses no link to the answers.
pub fn consents(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    response: ChangeIdentifier,
    files: &BTreeMap<Uuid, Vec<u8>>,
) -> Vec<ProposedChange> {
    form.items()
        .filter_map(|item| {
            let terms = item.consent.as_ref()?;
            let Some(Answer::Boolean(agreed)) = answers.get(&item.id).first() else {
                return None;
            };
            let identifier = change_identifier(context, &format!("Consent/{}", item.id));
            let title = format!("{} (version {})", item.text.en(), terms.version);
            let drawn = drawn_signature(terms, answers, files).filter(|_| *agreed);
            let mut resource = json!({
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
            });
            match drawn {
                Some((file, bytes)) => {
                    let mut attachment =
                        file.fhir_attachment(&format!("Signature drawn by the patient: {title}"));
                    attachment["data"] =
                        json!(base64::engine::general_purpose::STANDARD.encode(bytes));
                    attachment["creation"] = json!(context.authored);
                    if let Some(map) = attachment.as_object_mut() {
                        map.remove("url");
                    }
                    resource["sourceAttachment"] = attachment;
                }
                None => {
                    resource["sourceReference"] = json!({
                        "type": "QuestionnaireResponse",
                        "identifier": response.to_fhir(),
                        "display": title,
                    });
                }
            }
            Some(ProposedChange {
                identifier,
                resource_type: ResourceType::Consent,
                resource,
                summary: ChangeSummary::consent(
                    item.text.en(),
                    &terms.version,
                    *agreed,
                    drawn.is_some(),
                ),
                held_because: None,
            })
        })
        .collect()
}

/// The drawn signature of a consent, with its bytes, when the patient drew one.
fn drawn_signature<'a>(
    terms: &crate::forms::ConsentTerms,
    answers: &'a Answers,
    files: &'a BTreeMap<Uuid, Vec<u8>>,
) -> Option<(&'a FileRef, &'a Vec<u8>)> {
    let drawn = terms.drawn.as_deref()?;
    match answers.get(drawn).first()? {
        Answer::Attachment(file) => Some((file, files.get(&file.id)?)),
        _ => None,
    }
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
    crate::engine::photos(form, answers)
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
                summary: ChangeSummary::entry(EntryKind::Photo, Phrase::verbatim(title)),
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
