//! The chart diff: what extraction proposes, compared with what the chart held when the patient
//! started, so only changes are proposed.
//!
//! - A new allergy, medication or condition that the chart already has, active, is not proposed
//!   again (it is listed as already on file).
//! - A resource that names a chart resource by id (the patient changed something on file: a
//!   medication stopped, an allergy no longer true) becomes an update of that resource, sent
//!   only if the chart's version is still the one the patient saw (`If-Match`), and only if
//!   something changed.
//! - Anything else is new.

use serde_json::{Value, json};

use super::{ChangeSummary, ChartSnapshot, ProposedChange, ResourceType};
use crate::forms::on_file::is_current;

/// The outcome of the comparison.
#[derive(Debug, Clone, Default)]
pub struct Compared {
    /// What to propose.
    pub changes: Vec<ProposedChange>,
    /// Summaries of what was left out because the chart already has it (health data: shown to
    /// staff, never logged).
    pub already_on_file: Vec<ChangeSummary>,
}

/// Compares `changes` with `chart`.
pub fn compare_with_chart(changes: Vec<ProposedChange>, chart: &ChartSnapshot) -> Compared {
    let mut out = Compared::default();
    for change in changes {
        if !is_clinical(change.resource_type) {
            out.changes.push(change);
            continue;
        }
        let on_file = change.resource["id"]
            .as_str()
            .and_then(|id| chart.find(change.resource_type, id));
        match on_file {
            Some(current) => match update_of(current, &change) {
                Some(update) => out.changes.push(update),
                None => out.already_on_file.push(change.summary),
            },
            None if is_current(&change.resource)
                && chart
                    .of_type(change.resource_type)
                    .any(|r| is_current(r) && same_concept(r, &change.resource)) =>
            {
                out.already_on_file.push(change.summary);
            }
            None => {
                let mut change = change;
                // An id that names nothing on the chart is not ours to use: the EHR assigns it.
                if let Some(resource) = change.resource.as_object_mut() {
                    resource.remove("id");
                }
                out.changes.push(change);
            }
        }
    }
    out
}

fn is_clinical(resource_type: ResourceType) -> bool {
    matches!(
        resource_type,
        ResourceType::AllergyIntolerance
            | ResourceType::MedicationStatement
            | ResourceType::Condition
    )
}

/// The status elements a patient can change on a resource on file (notes are added to).
const STATUS_ELEMENTS: [&str; 2] = ["status", "clinicalStatus"];

/// The chart resource with the patient's status changes, or `None` when nothing changed. It
/// keeps the chart's id and version (for `If-Match`) and gains the change's identifier, so a
/// retry after an unanswered send can find it.
fn update_of(current: &Value, change: &ProposedChange) -> Option<ProposedChange> {
    let mut updated = current.clone();
    let mut changed = false;
    for element in STATUS_ELEMENTS {
        if let Some(value) = change.resource.get(element)
            && current.get(element) != Some(value)
        {
            updated[element] = value.clone();
            changed = true;
        }
    }
    // The patient's words are added to the chart's notes, never written over them.
    if let Some(Value::Array(added)) = change.resource.get("note") {
        let mut notes = current["note"].as_array().cloned().unwrap_or_default();
        let new: Vec<Value> = added
            .iter()
            .filter(|n| !notes.contains(n))
            .cloned()
            .collect();
        if !new.is_empty() {
            notes.extend(new);
            updated["note"] = Value::Array(notes);
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    for element in ["informationSource", "dateAsserted"] {
        if let Some(value) = change.resource.get(element) {
            updated[element] = value.clone();
        }
    }
    let identifier = change.identifier.to_fhir();
    match updated["identifier"].as_array_mut() {
        Some(list) => list.push(identifier),
        None => updated["identifier"] = json!([identifier]),
    }
    Some(ProposedChange {
        resource: updated,
        summary: change.summary.clone().update_on_file(),
        ..change.clone()
    })
}

/// Whether two resources are about the same substance, medicine or condition: a shared coding,
/// or the same words.
fn same_concept(a: &Value, b: &Value) -> bool {
    let (a, b) = (concept(a), concept(b));
    let codings = |c: &Value| -> Vec<(String, String)> {
        c["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some((
                    c["system"].as_str()?.to_owned(),
                    c["code"].as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    let shared = codings(a).iter().any(|x| codings(b).contains(x));
    let words = |c: &Value| {
        c["text"]
            .as_str()
            .or_else(|| c["coding"][0]["display"].as_str())
            .map(|t| t.trim().to_lowercase())
    };
    shared || words(a).is_some_and(|w| Some(w) == words(b))
}

fn concept(resource: &Value) -> &Value {
    match resource.get("medicationCodeableConcept") {
        Some(medication) => medication,
        None => &resource["code"],
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::mapping::ChangeIdentifier;

    fn proposed(resource: Value) -> ProposedChange {
        ProposedChange {
            identifier: ChangeIdentifier(Uuid::from_u128(7)),
            resource_type: ResourceType::parse(resource["resourceType"].as_str().unwrap()).unwrap(),
            resource,
            summary: ChangeSummary::verbatim("summary"),
            held_because: None,
        }
    }

    fn chart() -> ChartSnapshot {
        ChartSnapshot {
            patient: None,
            resources: vec![
                json!({"resourceType": "MedicationStatement", "id": "m1", "meta": {"versionId": "3"},
                    "status": "active", "medicationCodeableConcept": {"text": "Lisinopril 10 mg"}}),
                json!({"resourceType": "AllergyIntolerance", "id": "a1",
                    "clinicalStatus": {"coding": [{"code": "active"}]},
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005"}], "text": "Penicillin"}}),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn what_the_chart_already_has_is_not_proposed_again() {
        let compared = compare_with_chart(
            vec![
                proposed(
                    json!({"resourceType": "AllergyIntolerance", "code": {"text": " penicillin "},
                    "clinicalStatus": {"coding": [{"code": "active"}]}}),
                ),
                proposed(
                    json!({"resourceType": "AllergyIntolerance", "code": {"text": "Latex"},
                    "clinicalStatus": {"coding": [{"code": "active"}]}}),
                ),
            ],
            &chart(),
        );
        assert_eq!(compared.already_on_file.len(), 1);
        assert_eq!(compared.changes.len(), 1);
        assert_eq!(compared.changes[0].resource["code"]["text"], "Latex");
    }

    #[test]
    fn a_medication_the_patient_stopped_updates_the_one_on_file() {
        let compared = compare_with_chart(
            vec![proposed(
                json!({"resourceType": "MedicationStatement", "id": "m1", "status": "stopped",
                "medicationCodeableConcept": {"text": "Lisinopril 10 mg"}, "informationSource": {"reference": "Patient/p"}}),
            )],
            &chart(),
        );
        let [update] = compared.changes.as_slice() else {
            panic!("one update")
        };
        assert_eq!(update.resource["id"], "m1");
        assert_eq!(
            update.resource["meta"]["versionId"], "3",
            "kept for If-Match"
        );
        assert_eq!(update.resource["status"], "stopped");
        assert_eq!(
            update.resource["informationSource"]["reference"],
            "Patient/p"
        );
        assert_eq!(
            update.resource["identifier"][0],
            update.identifier.to_fhir()
        );
    }

    #[test]
    fn a_resource_on_file_that_did_not_change_is_not_sent() {
        let compared = compare_with_chart(
            vec![proposed(
                json!({"resourceType": "MedicationStatement", "id": "m1", "status": "active"}),
            )],
            &chart(),
        );
        assert!(compared.changes.is_empty());
        assert_eq!(
            compared.already_on_file,
            [ChangeSummary::verbatim("summary")]
        );
    }

    #[test]
    fn an_id_the_chart_does_not_have_is_dropped_and_the_change_is_new() {
        let compared = compare_with_chart(
            vec![proposed(
                json!({"resourceType": "Condition", "id": "zz", "code": {"text": "Asthma"}}),
            )],
            &chart(),
        );
        assert!(compared.changes[0].resource.get("id").is_none());
    }
}
