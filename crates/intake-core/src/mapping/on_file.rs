//! What the patient said of the entries on file (`forms::on_file`): a medicine stopped or
//! taken differently, an allergy or condition no longer true. Each becomes the chart entry with
//! its new status or the patient's words, which the chart diff turns into a version-aware
//! update; an entry the patient confirmed as it is proposes nothing.
//! Spec: <https://hl7.org/fhir/R4/medicationstatement.html>,
//! <https://hl7.org/fhir/R4/allergyintolerance.html>, <https://hl7.org/fhir/R4/condition.html>

use serde_json::json;

use super::{
    ChangeSummary, ExtractContext, OnFileSaid, ProposedChange, ResourceType,
    extract::change_identifier,
};
use crate::{
    engine::{Answer, Answers},
    forms::{
        ExtractHook, Form, Item,
        on_file::{self, finding, medication},
    },
};

/// What a note on the chart says before the patient's words: the chart's language, as the
/// EHR keeps it, not the reader's.
const PATIENT_REPORTS: &str = "Patient reports (";

/// The note the patient's words about an entry on file add to it on the chart, with when they
/// said it: "Patient reports (2026-11-22T10:00:00.000Z): stopped in October".
fn patient_note(authored: &str, words: &str) -> String {
    format!("{PATIENT_REPORTS}{authored}): {words}")
}

/// When, as the FHIR `dateTime` written, and what the patient said, of a note
/// [`patient_note`] made; `None` for any other note.
pub(super) fn patient_note_parts(note: &str) -> Option<(&str, &str)> {
    note.strip_prefix(PATIENT_REPORTS)?.split_once("): ")
}

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
        Some(Answer::String(text) | Answer::Choice(text)) => Some(text.clone()),
        _ => None,
    };
    let reference = text(on_file::entry_id(&group.id))?;
    let (resource_type, id) = reference.split_once('/')?;
    let status = text(on_file::status_id(&group.id))?;
    let details = text(on_file::details_id(&group.id));
    let name = text(on_file::name_id(&group.id)).unwrap_or_default();
    // Confirmed as it is: nothing to change. (The words are asked only with a change.)
    if matches!(status.as_str(), medication::TAKING | finding::STILL) {
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
            let said = if stopped {
                OnFileSaid::Stopped
            } else {
                OnFileSaid::TakenDifferently
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
            // No longer true. The Provenance names the patient as the source; the entry's own
            // asserter stays.
            resource["clinicalStatus"] = json!({ "coding": [{
                "system": format!("http://terminology.hl7.org/CodeSystem/{system}"),
                "code": "resolved",
                "display": "Resolved",
            }] });
            (OnFileSaid::NoLongerTrue, resource_type)
        }
        ExtractHook::Observation => return None,
    };
    if let Some(words) = &details {
        resource["note"] = json!([{ "text": patient_note(context.authored, words) }]);
    }
    Some(ProposedChange {
        identifier,
        resource_type: kind,
        resource,
        summary: ChangeSummary::on_file(&name, said),
        held_because: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::*;
    use crate::{
        engine::{LaunchContext, initial_answers},
        forms::load_yaml,
        mapping::{ChartSnapshot, propose},
    };

    const FORM: &str = "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
        \x20     - { id: meds, type: group, on_file: medication-statement, text: Medicines on file }\n\
        \x20     - { id: allergies, type: group, on_file: allergy-intolerance, text: Allergies on file }\n";

    fn chart() -> ChartSnapshot {
        ChartSnapshot {
            patient: None,
            resources: vec![
                json!({"resourceType": "MedicationStatement", "id": "m1", "meta": {"versionId": "3"}, "status": "active",
                    "medicationCodeableConcept": {"text": "Lisinopril 10 mg"}, "note": [{"text": "from the pharmacy"}]}),
                json!({"resourceType": "MedicationStatement", "id": "m2", "meta": {"versionId": "1"}, "status": "active",
                    "medicationCodeableConcept": {"coding": [{"display": "Metformin 500 mg"}]}}),
                json!({"resourceType": "MedicationStatement", "id": "m3", "status": "stopped",
                    "medicationCodeableConcept": {"text": "Old medicine"}}),
                json!({"resourceType": "AllergyIntolerance", "id": "a1", "meta": {"versionId": "7"},
                    "clinicalStatus": {"coding": [{"code": "active"}]}, "code": {"text": "Penicillin"}}),
            ],
            ..Default::default()
        }
    }

    fn launch(chart: &ChartSnapshot) -> LaunchContext {
        LaunchContext {
            patient: None,
            appointment: None,
            today: time::macros::date!(2026 - 12 - 02),
            now_millis: 0,
            utc_offset: time::UtcOffset::UTC,
            variables: chart.variables().into_iter().collect(),
        }
    }

    /// Sets instance `index` of `group`'s status (and words) as the patient would.
    fn say(answers: &mut Answers, group: &str, index: usize, status: &str, words: Option<&str>) {
        let instances = answers.get_mut(group).unwrap();
        let Answer::Group(inner) = &mut instances[index] else {
            panic!("an instance")
        };
        inner.set(
            &on_file::status_id(group),
            vec![Answer::Choice(status.into())],
        );
        if let Some(words) = words {
            inner.set(
                &on_file::details_id(group),
                vec![Answer::String(words.into())],
            );
        }
    }

    #[test]
    fn each_current_entry_on_file_becomes_an_instance_named_as_the_chart_names_it() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let answers = initial_answers(&form, &launch(&chart()));
        let names: Vec<String> = answers
            .get("meds")
            .iter()
            .map(|i| match i {
                Answer::Group(inner) => inner.get("meds_name")[0].to_input(),
                _ => panic!("an instance"),
            })
            .collect();
        assert_eq!(
            names,
            ["Lisinopril 10 mg", "Metformin 500 mg"],
            "the stopped one is not asked about"
        );
        assert_eq!(answers.get("allergies").len(), 1);
    }

    #[test]
    fn what_the_patient_says_of_entries_on_file_becomes_updates_of_those_entries_only_where_it_changes_them()
     {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let chart = chart();
        let mut answers = initial_answers(&form, &launch(&chart));
        say(
            &mut answers,
            "meds",
            0,
            medication::CHANGED,
            Some("20 mg now"),
        );
        say(&mut answers, "meds", 1, medication::STOPPED, None);
        say(
            &mut answers,
            "allergies",
            0,
            finding::NO_LONGER,
            Some("tested in 2025"),
        );
        let context = ExtractContext {
            words: crate::domain::Ids::ENGLISH,
            submission_id: Uuid::from_u128(1),
            patient_reference: "Patient/p1",
            authored: "2026-12-02T10:00:00Z",
        };
        let changes = propose(&form, &answers, &context, &chart).changes;
        let by_id = |id: &str| -> &Value {
            &changes
                .iter()
                .find(|c| c.resource["id"] == id)
                .unwrap()
                .resource
        };
        let lisinopril = by_id("m1");
        assert_eq!(lisinopril["status"], "active");
        assert_eq!(
            lisinopril["meta"]["versionId"], "3",
            "sent with If-Match on the version seen"
        );
        let notes: Vec<&str> = lisinopril["note"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap())
            .collect();
        assert_eq!(notes[0], "from the pharmacy", "the chart's note is kept");
        assert!(notes[1].ends_with("20 mg now"), "{notes:?}");
        assert_eq!(by_id("m2")["status"], "stopped");
        let penicillin = by_id("a1");
        assert_eq!(
            penicillin["clinicalStatus"]["coding"][0]["code"],
            "resolved"
        );
        assert!(
            penicillin["note"][0]["text"]
                .as_str()
                .unwrap()
                .ends_with("tested in 2025")
        );

        // Confirming everything as it is proposes no change to the chart.
        let mut confirmed = initial_answers(&form, &launch(&chart));
        say(&mut confirmed, "meds", 0, medication::TAKING, None);
        say(&mut confirmed, "meds", 1, medication::TAKING, None);
        say(&mut confirmed, "allergies", 0, finding::STILL, None);
        let changes = propose(&form, &confirmed, &context, &chart).changes;
        let types: Vec<&str> = changes
            .iter()
            .map(|c| c.resource["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["QuestionnaireResponse", "Provenance"]);
    }

    /// SDC `$populate` on the form exported and imported again (as another site would
    /// receive it) starts with the same instances a patient's draft starts with.
    #[test]
    fn the_exported_questionnaire_imported_again_populates_the_same_entries_on_file() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let chart = chart();
        let imported = crate::forms::sdc::import(&crate::forms::sdc::export(&form)).unwrap();
        let response = crate::populate::populate(
            &imported,
            &launch(&chart),
            &crate::populate::Displays::for_form(&imported),
        );
        assert_eq!(response["status"], "in-progress");
        let ours = initial_answers(&form, &launch(&chart));
        let populated = crate::engine::answers_from_response(&form, &response).unwrap();
        assert_eq!(populated.get("meds"), ours.get("meds"));
        assert_eq!(populated.get("allergies"), ours.get("allergies"));
        assert_eq!(ours.get("meds").len(), 2);
    }
}
