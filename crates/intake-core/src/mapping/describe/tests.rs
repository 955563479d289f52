use serde_json::{Value, json};

use super::*;
use crate::domain::Arg;

/// A phrase by its ids: `{id}` for a message, `"…"` for text as written, `{id: name=…}` for a
/// message of parts, `[…; …]` for a list, `lower(…)` for the in-sentence form.
pub(crate) fn shape(phrase: &Phrase) -> String {
    match phrase {
        Phrase::Verbatim(text) => format!("{text:?}"),
        Phrase::Said(message) if message.args.is_empty() => format!("{{{}}}", message.id),
        Phrase::Said(message) => {
            let args: Vec<String> = message
                .args
                .iter()
                .map(|(name, arg)| match arg {
                    Arg::Number(n) => format!("{name}={n}"),
                    Arg::Text(text) | Arg::Decimal(text) => format!("{name}={text:?}"),
                    Arg::Date(date) => format!("{name}={date}"),
                })
                .collect();
            format!("{{{}: {}}}", message.id, args.join(", "))
        }
        Phrase::Composed { id, parts } => {
            let parts: Vec<String> = parts
                .iter()
                .map(|(name, part)| format!("{name}={}", shape(part)))
                .collect();
            format!("{{{id}: {}}}", parts.join(", "))
        }
        Phrase::Joined { items, by } => {
            let items: Vec<String> = items.iter().map(shape).collect();
            format!("[{:?}: {}]", by, items.join(", "))
        }
        Phrase::InSentence(inner) => format!("lower({})", shape(inner)),
    }
}

/// The comparison by its ids: the headline, then each fact, chart first, marked `*` where it
/// differs. The staff pages' English rendering of the same examples is pinned in
/// `web::staff_texts::tests`.
fn render(proposed: &Value, on_file: Option<&Value>) -> String {
    let compared = compare(proposed, on_file);
    let mut out = format!("{}\n", shape(&compared.headline));
    for row in &compared.rows {
        let side = |value: &Option<Phrase>| value.as_ref().map_or_else(|| "—".to_owned(), shape);
        out.push_str(&format!(
            "{} {}: {} | {}\n",
            if row.differs { "*" } else { " " },
            shape(&row.label),
            side(&row.on_file),
            side(&row.proposed),
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

/// A proposal and the chart's current value (`None` for a new entry), by what it shows.
pub(crate) struct Example {
    /// The test that shows it, which names its snapshots.
    pub name: &'static str,
    pub proposed: Value,
    pub on_file: Option<Value>,
}

/// The examples the snapshots show, here by ids and in `web::staff_texts` in English.
pub(crate) fn examples() -> Vec<Example> {
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

/// The example `name`, compared.
fn compared(name: &str) -> ChangeComparison {
    let example = examples().into_iter().find(|e| e.name == name).unwrap();
    compare(&example.proposed, example.on_file.as_ref())
}

/// The example `name`, by its ids.
fn rendered(name: &str) -> String {
    let example = examples().into_iter().find(|e| e.name == name).unwrap();
    render(&example.proposed, example.on_file.as_ref())
}

fn said(id: &'static str) -> Phrase {
    Phrase::said(id)
}

#[test]
fn an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words() {
    let name = "an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words";
    insta::assert_snapshot!(rendered(name));
    let Phrase::Composed { id, parts } = compared(name).headline else {
        panic!("a headline of parts");
    };
    assert_eq!(id, "describe-headline-said");
    assert_eq!(
        parts[1].1,
        Phrase::composed(
            "describe-moved",
            vec![
                ("from", said("fhir-code-active").in_sentence()),
                ("to", said("fhir-code-resolved").in_sentence()),
            ],
        )
    );
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped reacting in 2019"));
}

#[test]
fn a_new_medicine_reads_as_new_and_says_when_it_is_not_coded() {
    let name = "a_new_medicine_reads_as_new_and_says_when_it_is_not_coded";
    insta::assert_snapshot!(rendered(name));
    let compared = compared(name);
    assert!(!compared.on_file);
    assert!(compared.rows.iter().all(|r| !r.differs));
    assert_eq!(compared.rows[1].proposed, Some(said("describe-not-coded")));
}

#[test]
fn a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline() {
    let name =
        "a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline";
    insta::assert_snapshot!(rendered(name));
    let Phrase::Composed { parts, .. } = compared(name).headline else {
        panic!("a headline of parts");
    };
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped in October: cough"));
}

#[test]
fn the_patients_words_come_apart_from_the_heading_without_the_time_intake_writes_before_them() {
    // As `on_file` writes the patient's words into the note the chart keeps.
    let note = "Patient reports (2026-11-22T10:00:00.000Z): Stopped reacting in 2019";
    let compared = super::compare(
        &penicillin("resolved", Some(note)),
        Some(&penicillin("active", None)),
    );
    let said = compared.patient_says.as_ref().unwrap();
    assert_eq!(said.words, "Stopped reacting in 2019");
    assert_eq!(said.at.as_deref(), Some("2026-11-22T10:00:00.000Z"));
    let Phrase::Composed { parts, .. } = &compared.headline else {
        panic!("a headline of parts");
    };
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped reacting in 2019"));
    let Phrase::Composed { id, parts } = &compared.heading else {
        panic!("a heading of parts");
    };
    assert_eq!(
        (*id, parts.len()),
        ("describe-headline", 2),
        "no words, no time"
    );
    // A note Intake did not write is the patient's words as they stand, with no time.
    let other = super::compare(
        &penicillin("resolved", Some("Stopped reacting in 2019")),
        Some(&penicillin("active", None)),
    );
    assert_eq!(other.patient_says.unwrap().at, None);
    let unchanged = super::compare(
        &penicillin("active", None),
        Some(&penicillin("active", None)),
    );
    assert_eq!(unchanged.patient_says, None);
    assert_eq!(unchanged.heading, unchanged.headline);
}

#[test]
fn a_condition_reads_with_its_clinical_status_and_code() {
    insta::assert_snapshot!(rendered(
        "a_condition_reads_with_its_clinical_status_and_code"
    ));
}

#[test]
fn an_observation_reads_as_its_value_with_unit_or_answer() {
    insta::assert_snapshot!(rendered(
        "an_observation_reads_as_its_value_with_unit_or_answer"
    ));
    let smoker = json!({
        "resourceType": "Observation",
        "status": "preliminary",
        "code": { "text": "Do you smoke?" },
        "valueBoolean": false,
    });
    assert_eq!(describe(&smoker).rows[0].value, said("describe-no"));
}

#[test]
fn a_patient_update_marks_only_the_details_that_changed() {
    let name = "a_patient_update_marks_only_the_details_that_changed";
    insta::assert_snapshot!(rendered(name));
    let compared = compared(name);
    let changed: Vec<&Phrase> = compared
        .rows
        .iter()
        .filter(|r| r.differs)
        .map(|r| &r.label)
        .collect();
    assert_eq!(changed, [&said("fact-mobile")]);
}

#[test]
fn a_questionnaire_response_lists_its_answers_in_order_with_groups_opened() {
    insta::assert_snapshot!(rendered(
        "a_questionnaire_response_lists_its_answers_in_order_with_groups_opened"
    ));
}

#[test]
fn nothing_unchanged_is_marked_and_the_headline_says_so() {
    let compared = compared("nothing_unchanged_is_marked_and_the_headline_says_so");
    assert!(compared.rows.iter().all(|r| !r.differs));
    assert_eq!(
        shape(&compared.headline),
        "{describe-headline: title={describe-title-allergy: subject=\"Penicillin\"}, what={describe-no-change}}"
    );
}

#[test]
fn a_resource_of_another_type_is_named_without_failing() {
    let view = describe(&json!({ "resourceType": "Provenance" }));
    assert_eq!(
        (view.kind, view.subject),
        (Kind::Entry, Phrase::verbatim("Provenance"))
    );
    assert_eq!(
        describe(&json!("not even an object")).subject,
        Phrase::verbatim("?")
    );
}

#[test]
fn dates_read_as_people_write_them() {
    let date = |text| shape(&words::date(text));
    assert_eq!(
        date("2019-03-04"),
        "{describe-date-day: day=\"4\", month={month-short-3}, year=\"2019\"}"
    );
    assert_eq!(
        date("2019-03"),
        "{describe-date-month: month={month-short-3}, year=\"2019\"}"
    );
    assert_eq!(date("2019"), "\"2019\"");
    assert_eq!(
        date("2026-11-23T09:05:00Z"),
        "{describe-date-day: day=\"23\", month={month-short-11}, year=\"2026\"}"
    );
    assert_eq!(date("2019-13-01"), "\"2019\"");
}

#[test]
fn every_code_and_fact_is_listed_once() {
    let ids = message_ids();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert_eq!(
        words::code_in_words("some-new-code"),
        Phrase::verbatim("Some new code")
    );
}
