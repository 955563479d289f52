//! The SDC round trip a medication review makes: `$populate` fills one group per medicine on
//! file, the patient marks one stopped, `$extract` turns the groups back into
//! MedicationStatements, and the chart diff proposes exactly one change: an update of the
//! stopped medicine, over the version the patient saw, not a second MedicationStatement.
//!
//! `$populate` runs on the form model the patient pages run (the Questionnaire imported, as
//! `intake populate` does). The form model has no template-based extraction (the importer
//! refuses `templateExtract`), so `$extract` reads the Questionnaire with its template added,
//! as `intake extract` reads a Questionnaire file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

use std::collections::BTreeMap;

use intake::{
    engine::LaunchContext,
    fhirpath::Clock,
    forms::sdc::import,
    mapping::{
        ChartContext, ChartSnapshot, ExtractContext, ResourceType, proposals_from_extract,
        sdc::{DerivedIds, ExtractRequest, extract},
    },
    populate::{Displays, populate},
};
use serde_json::{Value, json};
use uuid::Uuid;

const SDC: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-";

fn value(expression: &str) -> Value {
    json!({"extension": [{"url": format!("{SDC}templateExtractValue"), "valueString": expression}]})
}

fn initial(expression: &str) -> Value {
    json!([{"url": format!("{SDC}initialExpression"),
        "valueExpression": {"language": "text/fhirpath", "expression": expression}}])
}

/// A medication review: one group per active medicine on file.
fn questionnaire() -> Value {
    json!({
        "resourceType": "Questionnaire",
        "url": "https://intake.example/Questionnaire/medication-review",
        "status": "active",
        "item": [{
            "linkId": "medications",
            "type": "group",
            "repeats": true,
            "extension": [
                {"url": format!("{SDC}itemPopulationContext"), "valueExpression": {
                    "name": "med", "language": "text/fhirpath",
                    "expression": "%MedicationStatement.entry.resource.where(status = 'active')"}},
            ],
            "item": [
                {"linkId": "id", "type": "string", "readOnly": true, "extension": initial("%med.id")},
                {"linkId": "name", "type": "string", "readOnly": true,
                    "extension": initial("%med.medicationCodeableConcept.text")},
                {"linkId": "status", "type": "choice", "extension": initial("%med.status"),
                    "answerOption": [
                        {"valueCoding": {"system": "http://hl7.org/fhir/CodeSystem/medication-statement-status", "code": "active", "display": "Still taking"}},
                        {"valueCoding": {"system": "http://hl7.org/fhir/CodeSystem/medication-statement-status", "code": "stopped", "display": "Stopped"}}]},
            ],
        }],
    })
}

/// The review with each group written back to its own MedicationStatement (`resourceId`).
fn with_template(mut questionnaire: Value) -> Value {
    questionnaire["contained"] = json!([{
        "resourceType": "MedicationStatement",
        "id": "medication",
        "status": "active",
        "_status": value("item.where(linkId = 'status').answer.value.code"),
        "medicationCodeableConcept": {"_text": value("item.where(linkId = 'name').answer.value")},
        "subject": {"_reference": value("%resource.subject.reference")},
    }]);
    questionnaire["item"][0]["extension"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"url": format!("{SDC}templateExtract"), "extension": [
            {"url": "template", "valueReference": {"reference": "#medication"}},
            {"url": "resourceId", "valueString": "item.where(linkId = 'id').answer.value"}]}),
        );
    questionnaire
}

fn chart() -> ChartSnapshot {
    let medication = |id: &str, version: &str, name: &str| {
        json!({"resourceType": "MedicationStatement", "id": id, "meta": {"versionId": version},
            "status": "active", "medicationCodeableConcept": {"text": name},
            "subject": {"reference": "Patient/p1"}})
    };
    ChartSnapshot {
        patient: Some(
            json!({"resourceType": "Patient", "id": "p1", "name": [{"text": "Ada Example"}]}),
        ),
        resources: vec![
            medication("m1", "3", "Lisinopril 10 mg"),
            medication("m2", "1", "Metformin 500 mg"),
        ],
        ..Default::default()
    }
}

#[test]
fn a_medicine_marked_stopped_becomes_one_update_of_the_one_on_file() {
    let form = import(&questionnaire()).unwrap();
    let chart = chart();
    let clock = Clock::parse("2026-11-22T09:00:00Z").unwrap();
    let context = ChartContext::of(Some(&chart));
    let launch = LaunchContext {
        patient: context.patient,
        appointment: None,
        today: time::macros::date!(2026 - 11 - 22),
        now_millis: 1_795_338_000_000,
        utc_offset: time::UtcOffset::UTC,
        variables: context.variables,
    };

    let mut response = populate(&form, &launch, &Displays::for_form(&form));
    let groups = response["item"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "one group per medicine on file");
    assert_eq!(
        groups[0]["item"][1]["answer"][0]["valueString"],
        "Lisinopril 10 mg"
    );
    assert_eq!(
        groups[0]["item"][2]["answer"][0]["valueCoding"]["code"],
        "active"
    );

    // The patient says they stopped the first.
    response["item"][0]["item"][2]["answer"][0]["valueCoding"] = json!({
        "system": "http://hl7.org/fhir/CodeSystem/medication-statement-status",
        "code": "stopped", "display": "Stopped"});
    response["status"] = json!("completed");

    let variables: BTreeMap<String, Value> = BTreeMap::new();
    let questionnaire = with_template(questionnaire());
    let extracted = extract(
        &ExtractRequest {
            questionnaire: &questionnaire,
            response: &response,
            variables: &variables,
            clock,
        },
        &mut DerivedIds::for_response(&response),
    );
    assert_eq!(extracted.issues.len(), 0, "{:?}", extracted.issues);
    let methods: Vec<&str> = extracted.bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["PUT", "PUT"],
        "$extract writes each medicine back to its own id"
    );

    let context = ExtractContext {
        words: intake::i18n::Language::english(),
        submission_id: Uuid::from_u128(42),
        patient_reference: "Patient/p1",
        authored: "2026-11-22T09:00:00Z",
    };
    let (compared, skipped) =
        proposals_from_extract(&response, &extracted.bundle, &context, &chart);
    assert!(skipped.is_empty());
    let types: Vec<ResourceType> = compared.changes.iter().map(|c| c.resource_type).collect();
    assert_eq!(
        types,
        [
            ResourceType::QuestionnaireResponse,
            ResourceType::MedicationStatement,
            ResourceType::Provenance
        ]
    );
    let update = &compared.changes[1].resource;
    assert_eq!(update["id"], "m1");
    assert_eq!(update["status"], "stopped");
    assert_eq!(
        update["meta"]["versionId"], "3",
        "sent with If-Match on the version the patient saw"
    );
    assert_eq!(
        update["medicationCodeableConcept"]["text"],
        "Lisinopril 10 mg"
    );
    assert_eq!(
        compared.already_on_file.len(),
        1,
        "the medicine still taken is not sent again"
    );
}
