//! Proposed changes with the chart's current value, one of each kind staff compare: the core's
//! tests read them by ids (`tests`), and the edge's staff pages in English
//! (`intake::web::staff_texts`), so both show the same cases (feature `test-support`).

use serde_json::{Value, json};

fn terminology(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": format!("http://terminology.hl7.org/CodeSystem/{system}"), "code": code }] })
}

pub(super) fn penicillin(status: &str, note: Option<&str>) -> Value {
    let mut allergy = json!({
        "resourceType": "AllergyIntolerance",
        "id": "allergy-1",
        "clinicalStatus": terminology("allergyintolerance-clinical", status),
        "verificationStatus": terminology("allergyintolerance-verification", "confirmed"),
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "91936005", "display": "Allergy to penicillin" }], "text": "Penicillin" },
        "criticality": "high",
        "reaction": [{ "manifestation": [{ "text": "Hives" }], "severity": "moderate" }],
        "recordedDate": "2015-06-02",
        "patient": { "reference": "Patient/rosa" },
    });
    if let Some(note) = note {
        allergy["note"] = json!([{ "text": note }]);
    }
    allergy
}

/// A proposal and the chart's current value (`None` for a new entry), by what it shows.
#[derive(Debug)]
pub struct Example {
    /// The test that shows it, which names its snapshots.
    pub name: &'static str,
    /// The resource as proposed.
    pub proposed: Value,
    /// The resource on the chart, if it is there.
    pub on_file: Option<Value>,
}

/// The examples the snapshots show, here by ids and in `web::staff_texts` in English.
pub fn examples() -> Vec<Example> {
    let example = |name, proposed, on_file| Example {
        name,
        proposed,
        on_file,
    };
    vec![
        example(
            "an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words",
            penicillin("resolved", Some("Stopped reacting in 2019")),
            Some(penicillin("active", None)),
        ),
        example(
            "a_new_medicine_reads_as_new_and_says_when_it_is_not_coded",
            new_medicine(),
            None,
        ),
        {
            let (proposed, chart) = stopped_medicine();
            example(
                "a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline",
                proposed,
                Some(chart),
            )
        },
        {
            let (proposed, chart) = resolved_condition();
            example(
                "a_condition_reads_with_its_clinical_status_and_code",
                proposed,
                Some(chart),
            )
        },
        example(
            "an_observation_reads_as_its_value_with_unit_or_answer",
            phq9(),
            None,
        ),
        {
            let (proposed, chart) = new_mobile();
            example(
                "a_patient_update_marks_only_the_details_that_changed",
                proposed,
                Some(chart),
            )
        },
        example(
            "a_questionnaire_response_lists_its_answers_in_order_with_groups_opened",
            answers(),
            None,
        ),
        example(
            "nothing_unchanged_is_marked_and_the_headline_says_so",
            penicillin("active", None),
            Some(penicillin("active", None)),
        ),
    ]
}

fn new_medicine() -> Value {
    json!({
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": { "text": "Metformin 500 mg" },
        "dosage": [{ "text": "twice a day with meals" }],
        "dateAsserted": "2026-11-23T09:05:00Z",
        "subject": { "reference": "Patient/rosa" },
    })
}

fn stopped_medicine() -> (Value, Value) {
    let chart = json!({
        "resourceType": "MedicationStatement",
        "id": "med-1",
        "status": "active",
        "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "314076", "display": "Lisinopril 10 MG Oral Tablet" }] },
        "dosage": [{ "text": "one tablet daily" }],
        "note": [{ "text": "Started by Dr Lee" }],
    });
    let mut proposed = chart.clone();
    proposed["status"] = json!("stopped");
    proposed["note"] =
        json!([{ "text": "Started by Dr Lee" }, { "text": "Stopped in October: cough" }]);
    (proposed, chart)
}

fn resolved_condition() -> (Value, Value) {
    let chart = json!({
        "resourceType": "Condition",
        "clinicalStatus": terminology("condition-clinical", "active"),
        "verificationStatus": terminology("condition-ver-status", "confirmed"),
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "195967001", "display": "Asthma" }] },
        "onsetDateTime": "2009-04",
    });
    let mut proposed = chart.clone();
    proposed["clinicalStatus"] = terminology("condition-clinical", "resolved");
    (proposed, chart)
}

fn phq9() -> Value {
    json!({
        "resourceType": "Observation",
        "status": "preliminary",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "44261-6" }], "text": "PHQ-9 total score" },
        "valueQuantity": { "value": 17, "unit": "{score}" },
        "effectiveDateTime": "2026-11-23T09:05:00Z",
    })
}

fn new_mobile() -> (Value, Value) {
    let chart = json!({
        "resourceType": "Patient",
        "name": [{ "use": "official", "family": "Delgado", "given": ["Rosa", "María"] }],
        "birthDate": "1958-03-14",
        "gender": "female",
        "telecom": [
            { "system": "phone", "use": "mobile", "value": "555-0100" },
            { "system": "email", "value": "rosa@example.org" },
        ],
        "address": [{ "line": ["12 Elm St"], "city": "Springfield", "state": "IL", "postalCode": "62701" }],
        "communication": [{ "language": { "coding": [{ "code": "es", "display": "Spanish" }] }, "preferred": true }],
    });
    let mut proposed = chart.clone();
    proposed["telecom"][0]["value"] = json!("555-0199");
    (proposed, chart)
}

fn answers() -> Value {
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "https://intake.example/forms/adult-previsit|3",
        "status": "completed",
        "authored": "2026-11-23T09:05:00Z",
        "item": [
            { "linkId": "reason", "text": "What is the visit for?", "answer": [{ "valueString": "Knee pain" }] },
            { "linkId": "habits", "text": "Habits", "item": [
                { "linkId": "smoke", "text": "Do you smoke?", "answer": [{ "valueBoolean": false }] },
                { "linkId": "alcohol", "text": "How often do you drink?", "answer": [{ "valueCoding": { "code": "monthly", "display": "Monthly or less" } }] },
            ] },
            { "linkId": "pain", "text": "Pain today (0 to 10)", "answer": [{ "valueInteger": 6 }] },
        ],
    })
}
