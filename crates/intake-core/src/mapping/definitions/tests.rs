//! Definition-based extraction through the form model: an imported Questionnaire's answers
//! become proposed changes that wait for staff, a Patient as an update of the chart's.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    engine::{Answer, Answers},
    forms::sdc::{ImportError, export, import},
    mapping::{
        ChartSnapshot, ExtractContext, HoldReason, PostingPolicy, ResourceType, Route, propose,
    },
};

const CONTEXT: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemExtractionContext";
const SD: &str = "http://hl7.org/fhir/StructureDefinition/";

fn questionnaire() -> Value {
    json!({
        "resourceType": "Questionnaire",
        "url": "http://example.org/Questionnaire/about-you",
        "status": "active",
        "extension": [{"url": CONTEXT, "valueExpression": {"language": "text/fhirpath", "expression": "%patient"}}],
        "item": [{"linkId": "about", "type": "group", "text": "About you", "item": [
            {"linkId": "family", "type": "string", "text": "Family name",
             "definition": format!("{SD}Patient#Patient.name.family")},
            {"linkId": "phone", "type": "string", "text": "Phone",
             "definition": format!("{SD}Patient#Patient.telecom.value")},
            {"linkId": "allergy", "type": "group", "text": "Allergy", "repeats": true,
             "extension": [{"url": CONTEXT, "valueCode": "AllergyIntolerance"}],
             "item": [{"linkId": "substance", "type": "string", "text": "To what",
                       "definition": format!("{SD}AllergyIntolerance#AllergyIntolerance.code")}]},
        ]}]
    })
}

fn context() -> ExtractContext<'static> {
    ExtractContext {
        words: crate::domain::Ids::ENGLISH,
        submission_id: Uuid::from_u128(3),
        patient_reference: "Patient/p1",
        authored: "2026-11-22T10:00:00Z",
    }
}

fn answers() -> Answers {
    let mut answers = Answers::default();
    answers.set("family", vec![Answer::String("Chalmers-Smith".into())]);
    answers.set("phone", vec![Answer::String("555-0100".into())]);
    let mut allergy = Answers::default();
    allergy.set("substance", vec![Answer::String("latex".into())]);
    answers.set("allergy", vec![Answer::Group(allergy)]);
    answers
}

#[test]
fn an_imported_questionnaires_definitions_propose_a_patient_update_and_an_unconfirmed_allergy() {
    let form = import(&questionnaire()).unwrap();
    let chart = ChartSnapshot {
        patient: Some(json!({"resourceType": "Patient", "id": "p1",
            "name": [{"family": "Chalmers", "given": ["Peter"]}], "birthDate": "1974-12-25"})),
        ..ChartSnapshot::default()
    };
    let changes = propose(&form, &answers(), &context(), &chart).changes;
    let patient = changes
        .iter()
        .find(|c| c.resource_type == ResourceType::Patient)
        .expect("a Patient update");
    // The chart's patient (same id, so the write is an update) with the answered elements.
    assert_eq!(patient.resource["id"], "p1");
    assert_eq!(patient.resource["birthDate"], "1974-12-25");
    assert_eq!(
        patient.resource["name"],
        json!([{"family": "Chalmers-Smith", "given": ["Peter"]}])
    );
    assert_eq!(patient.resource["telecom"], json!([{"value": "555-0100"}]));
    assert!(
        patient.resource.get("identifier").is_none(),
        "the chart's identifiers only"
    );
    let allergy = changes
        .iter()
        .find(|c| c.resource_type == ResourceType::AllergyIntolerance)
        .expect("an allergy");
    assert_eq!(allergy.resource["code"], json!({"text": "latex"}));
    assert_eq!(allergy.resource["patient"]["reference"], "Patient/p1");
    assert_eq!(
        allergy.resource["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
    assert_eq!(
        allergy.resource["identifier"][0],
        allergy.identifier.to_fhir()
    );
    // Both wait for staff under the default posting policy.
    let policy = PostingPolicy::default();
    for change in [patient, allergy] {
        assert_eq!(
            policy.route(change, "about_you"),
            Route::Hold(HoldReason::PatientReportedNeedsReview)
        );
    }
    assert_eq!(
        propose(&form, &answers(), &context(), &chart).changes,
        changes,
        "the same every run"
    );
}

#[test]
fn the_extraction_context_and_definitions_survive_export_and_import_again() {
    let form = import(&questionnaire()).unwrap();
    let exported = export(&form);
    assert_eq!(
        exported["extension"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["url"] == CONTEXT)
            .count(),
        1
    );
    let again = import(&exported).unwrap();
    assert_eq!(export(&again), exported);
    let about = &exported["item"][0];
    assert_eq!(
        about["item"][0]["definition"],
        format!("{SD}Patient#Patient.name.family")
    );
    assert_eq!(
        about["item"][2]["extension"][0],
        json!({"url": CONTEXT, "valueCode": "AllergyIntolerance"})
    );
}

#[test]
fn a_context_making_a_resource_intake_does_not_post_is_refused_naming_the_item_and_type() {
    let mut questionnaire = questionnaire();
    questionnaire["item"][0]["item"][2]["extension"][0]["valueCode"] = json!("Immunization");
    let error = import(&questionnaire).unwrap_err();
    let ImportError::Unsupported { item, feature } = &error else {
        panic!("{error}");
    };
    assert_eq!(item.as_deref(), Some("allergy"));
    assert!(feature.contains("Immunization"), "{feature}");
}

#[test]
fn a_search_of_a_whole_type_names_the_type_to_make_and_a_narrower_search_is_refused() {
    let mut questionnaire = questionnaire();
    questionnaire["extension"][0]["valueExpression"] =
        json!({"language": "application/x-fhir-query", "expression": "Patient"});
    let form = import(&questionnaire).unwrap();
    assert_eq!(
        form.extraction_context
            .as_ref()
            .and_then(|c| c.resource.as_deref()),
        Some("Patient")
    );
    questionnaire["extension"][0]["valueExpression"]["expression"] =
        json!("Patient?_id={{%patient.id}}");
    let error = import(&questionnaire).unwrap_err().to_string();
    assert!(error.contains("application/x-fhir-query"), "{error}");
}

#[test]
fn a_top_level_group_with_a_context_is_a_section_that_makes_its_resource_and_exports_it_again() {
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "status": "active",
        "item": [{"linkId": "condition", "type": "group", "text": "A condition",
            "extension": [{"url": CONTEXT, "valueCode": "Condition"}],
            "item": [{"linkId": "what", "type": "string", "text": "What",
                      "definition": format!("{SD}Condition#Condition.code")},
                     {"linkId": "since", "type": "date", "text": "Since",
                      "definition": format!("{SD}Condition#Condition.onset[x]")}]}]
    });
    let form = import(&questionnaire).unwrap();
    assert!(form.sections[0].extraction_context.is_some());
    assert_eq!(
        export(&form)["item"][0]["extension"][0],
        json!({"url": CONTEXT, "valueCode": "Condition"})
    );
    let mut answers = Answers::default();
    answers.set("what", vec![Answer::String("asthma".into())]);
    answers.set(
        "since",
        vec![Answer::Date(time::macros::date!(2010 - 05 - 01))],
    );
    let changes = crate::mapping::extract(&form, &answers, &context());
    let condition = changes
        .iter()
        .find(|c| c.resource_type == ResourceType::Condition)
        .expect("a condition");
    assert_eq!(condition.resource["code"], json!({"text": "asthma"}));
    assert_eq!(condition.resource["onsetDateTime"], "2010-05-01");
    assert_eq!(condition.resource["subject"]["reference"], "Patient/p1");
    assert_eq!(
        condition.resource["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
}
