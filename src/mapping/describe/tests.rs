use serde_json::{Value, json};

use super::*;

/// The comparison as a clerk reads it: the headline, then each fact, chart first, marked `*`
/// where it differs.
fn render(proposed: &Value, on_file: Option<&Value>) -> String {
    let compared = compare(proposed, on_file);
    let mut out = format!("{}\n", compared.headline);
    for row in &compared.rows {
        out.push_str(&format!(
            "{} {}: {} | {}\n",
            if row.differs { "*" } else { " " },
            row.label,
            row.on_file.as_deref().unwrap_or("—"),
            row.proposed.as_deref().unwrap_or("—"),
        ));
    }
    out
}

fn terminology(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": format!("http://terminology.hl7.org/CodeSystem/{system}"), "code": code }] })
}

fn penicillin(status: &str, note: Option<&str>) -> Value {
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

#[test]
fn an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words() {
    let chart = penicillin("active", None);
    let proposed = penicillin("resolved", Some("Stopped reacting in 2019"));
    insta::assert_snapshot!(render(&proposed, Some(&chart)));
    assert_eq!(
        compare(&proposed, Some(&chart)).headline,
        "Penicillin allergy — active → resolved; patient says: Stopped reacting in 2019"
    );
}

#[test]
fn a_new_medicine_reads_as_new_and_says_when_it_is_not_coded() {
    let proposed = json!({
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": { "text": "Metformin 500 mg" },
        "dosage": [{ "text": "twice a day with meals" }],
        "dateAsserted": "2026-11-23T09:05:00Z",
        "subject": { "reference": "Patient/rosa" },
    });
    insta::assert_snapshot!(render(&proposed, None));
    let compared = compare(&proposed, None);
    assert!(!compared.on_file);
    assert!(compared.rows.iter().all(|r| !r.differs));
}

#[test]
fn a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline() {
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
    insta::assert_snapshot!(render(&proposed, Some(&chart)));
    assert_eq!(
        compare(&proposed, Some(&chart)).headline,
        "Lisinopril 10 MG Oral Tablet — active → stopped; patient says: Stopped in October: cough"
    );
}

#[test]
fn a_condition_reads_with_its_clinical_status_and_code() {
    let chart = json!({
        "resourceType": "Condition",
        "clinicalStatus": terminology("condition-clinical", "active"),
        "verificationStatus": terminology("condition-ver-status", "confirmed"),
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "195967001", "display": "Asthma" }] },
        "onsetDateTime": "2009-04",
    });
    let mut proposed = chart.clone();
    proposed["clinicalStatus"] = terminology("condition-clinical", "resolved");
    insta::assert_snapshot!(render(&proposed, Some(&chart)));
}

#[test]
fn an_observation_reads_as_its_value_with_unit_or_answer() {
    let proposed = json!({
        "resourceType": "Observation",
        "status": "preliminary",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "44261-6" }], "text": "PHQ-9 total score" },
        "valueQuantity": { "value": 17, "unit": "{score}" },
        "effectiveDateTime": "2026-11-23T09:05:00Z",
    });
    insta::assert_snapshot!(render(&proposed, None));
    let smoker = json!({
        "resourceType": "Observation",
        "status": "preliminary",
        "code": { "text": "Do you smoke?" },
        "valueBoolean": false,
    });
    assert_eq!(describe(&smoker).rows[0].value, "No");
}

#[test]
fn a_patient_update_marks_only_the_details_that_changed() {
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
    insta::assert_snapshot!(render(&proposed, Some(&chart)));
    let compared = compare(&proposed, Some(&chart));
    let changed: Vec<&str> = compared
        .rows
        .iter()
        .filter(|r| r.differs)
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(changed, ["Mobile"]);
}

#[test]
fn a_questionnaire_response_lists_its_answers_in_order_with_groups_opened() {
    let proposed = json!({
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
    });
    insta::assert_snapshot!(render(&proposed, None));
}

#[test]
fn nothing_unchanged_is_marked_and_the_headline_says_so() {
    let chart = penicillin("active", None);
    let compared = compare(&chart, Some(&chart));
    assert!(compared.rows.iter().all(|r| !r.differs));
    assert_eq!(compared.headline, "Penicillin allergy — no change");
}

#[test]
fn a_resource_of_another_type_is_named_without_failing() {
    let view = describe(&json!({ "resourceType": "Provenance" }));
    assert_eq!((view.kind, view.subject.as_str()), ("Entry", "Provenance"));
    assert_eq!(describe(&json!("not even an object")).subject, "?");
}

#[test]
fn dates_read_as_people_write_them() {
    assert_eq!(words::date("2019-03-04"), "4 Mar 2019");
    assert_eq!(words::date("2019-03"), "Mar 2019");
    assert_eq!(words::date("2019"), "2019");
    assert_eq!(words::date("2026-11-23T09:05:00Z"), "23 Nov 2026");
    assert_eq!(words::date("2019-13-01"), "2019");
}
