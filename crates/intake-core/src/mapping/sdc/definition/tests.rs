//! Definition-based extraction on small Questionnaires: types, nesting, repeats and the update of
//! an existing resource through an expression.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::{
    fhirpath::Clock,
    mapping::sdc::{DerivedIds, ExtractRequest, Extracted, extract},
};

const SD: &str = "http://hl7.org/fhir/StructureDefinition/";

fn context_code(code: &str) -> Json {
    json!({"url": super::CONTEXT_URL, "valueCode": code})
}

fn context_expression(expression: &str) -> Json {
    json!({"url": super::CONTEXT_URL,
        "valueExpression": {"language": "text/fhirpath", "expression": expression}})
}

fn defined(link: &str, kind: &str, path: &str) -> Json {
    let resource = path.split('.').next().unwrap();
    json!({"linkId": link, "type": kind, "definition": format!("{SD}{resource}#{path}")})
}

fn run_with(
    questionnaire: &Json,
    response: &Json,
    variables: &BTreeMap<String, Json>,
) -> Extracted {
    let request = ExtractRequest {
        questionnaire,
        response,
        variables,
        clock: Clock::parse("2026-11-22T10:00:00Z").unwrap(),
    };
    extract(&request, &mut DerivedIds::new(Uuid::nil()))
}

fn run(questionnaire: &Json, response: &Json) -> Extracted {
    run_with(questionnaire, response, &BTreeMap::new())
}

fn entries(extracted: &Extracted) -> Vec<Json> {
    extracted.bundle["entry"].as_array().unwrap().clone()
}

fn answer(link: &str, values: Json) -> Json {
    let answers: Vec<Json> = values.as_array().unwrap().clone();
    json!({"linkId": link, "answer": answers})
}

#[test]
fn answers_become_a_new_patient_with_each_answer_converted_to_its_elements_type() {
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "extension": [context_code("Patient")],
        "item": [
            defined("family", "string", "Patient.name.family"),
            defined("given", "string", "Patient.name.given"),
            defined("gender", "choice", "Patient.gender"),
            defined("born", "date", "Patient.birthDate"),
            defined("alive", "boolean", "Patient.active"),
            defined("status", "choice", "Patient.maritalStatus"),
        ]
    });
    let married =
        json!({"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"});
    let response = json!({"resourceType": "QuestionnaireResponse", "item": [
        answer("family", json!([{"valueString": "Chalmers"}])),
        answer("given", json!([{"valueString": "Peter"}])),
        answer("gender", json!([{"valueCoding": {"system": "http://hl7.org/fhir/administrative-gender", "code": "male"}}])),
        answer("born", json!([{"valueDate": "1974-12-25"}])),
        answer("alive", json!([{"valueBoolean": true}])),
        answer("status", json!([{"valueCoding": married}])),
    ]});
    let extracted = run(&questionnaire, &response);
    assert_eq!(extracted.issues, []);
    let entries = entries(&extracted);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["request"],
        json!({"method": "POST", "url": "Patient"})
    );
    assert_eq!(
        entries[0]["resource"],
        json!({
            "resourceType": "Patient",
            "name": [{"family": "Chalmers", "given": ["Peter"]}],
            "gender": "male",
            "birthDate": "1974-12-25",
            "active": true,
            "maritalStatus": {"coding": [married]},
        })
    );
}

#[test]
fn a_repeating_group_with_a_definition_makes_one_element_per_instance() {
    // The smart-forms story's shape: a repeating `Patient.name` group and extensions.
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "extension": [context_code("Patient")],
        "item": [{"linkId": "p", "type": "group", "item": [
            {"linkId": "name", "type": "group", "repeats": true,
             "definition": format!("{SD}Patient#Patient.name"), "item": [
                defined("given", "string", "Patient.name.given"),
                defined("family", "string", "Patient.name.family"),
            ]},
            {"linkId": "hair", "type": "group", "definition": format!("{SD}Patient#Patient.extension"), "item": [
                defined("colour", "string", "Patient.extension.valueString"),
                defined("url", "string", "Patient.extension.url"),
            ]},
        ]}]
    });
    let name = |given: &[&str], family: &str| {
        let given: Vec<Json> = given.iter().map(|g| json!({"valueString": g})).collect();
        json!({"linkId": "name", "item": [
            answer("given", Json::from(given)),
            answer("family", json!([{"valueString": family}])),
        ]})
    };
    let response = json!({"resourceType": "QuestionnaireResponse", "item": [{"linkId": "p", "item": [
        name(&["Jo", "Ann"], "Smith"),
        name(&["Jo"], "Jones"),
        {"linkId": "hair", "item": [
            answer("colour", json!([{"valueString": "red"}])),
            answer("url", json!([{"valueString": "http://example.org/hair"}])),
        ]},
    ]}]});
    let extracted = run(&questionnaire, &response);
    assert_eq!(extracted.issues, []);
    assert_eq!(
        entries(&extracted)[0]["resource"],
        json!({
            "resourceType": "Patient",
            "name": [
                {"given": ["Jo", "Ann"], "family": "Smith"},
                {"given": ["Jo"], "family": "Jones"},
            ],
            "extension": [{"valueString": "red", "url": "http://example.org/hair"}],
        })
    );
}

#[test]
fn a_repeating_group_with_a_context_makes_one_resource_per_instance_with_quantities_and_concepts() {
    let unit = json!({"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
        "valueCoding": {"system": "http://unitsofmeasure.org", "code": "kg", "display": "kg"}});
    let mut weight = defined("weight", "decimal", "Observation.value[x]");
    weight["extension"] = json!([unit]);
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "item": [{"linkId": "obs", "type": "group", "repeats": true,
            "extension": [context_expression("Observation")],
            "item": [defined("code", "choice", "Observation.code"), weight,
                     defined("status", "choice", "Observation.status")]}]
    });
    let instance = |kg: f64| {
        json!({"linkId": "obs", "item": [
            answer("code", json!([{"valueCoding": {"system": "http://loinc.org", "code": "29463-7"}}])),
            answer("weight", json!([{"valueDecimal": kg}])),
            answer("status", json!([{"valueCoding": {"code": "final"}}])),
        ]})
    };
    let response =
        json!({"resourceType": "QuestionnaireResponse", "item": [instance(70.5), instance(71.0)]});
    let extracted = run(&questionnaire, &response);
    assert_eq!(extracted.issues, []);
    let entries = entries(&extracted);
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[1]["resource"],
        json!({
            "resourceType": "Observation",
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "valueQuantity": {"value": 71.0, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
            "status": "final",
        })
    );
}

#[test]
fn an_expression_context_updates_the_existing_resource_it_gives() {
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "extension": [context_expression("%patient")],
        "item": [defined("phone", "string", "Patient.telecom.value"),
                 defined("born", "date", "Patient.birthDate")]
    });
    let patient = json!({"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01",
        "name": [{"family": "Chalmers"}]});
    let variables = BTreeMap::from([("patient".to_owned(), patient)]);
    let response = json!({"resourceType": "QuestionnaireResponse", "item": [
        answer("phone", json!([{"valueString": "555-0100"}])),
        answer("born", json!([{"valueDate": "1970-01-02"}])),
    ]});
    let extracted = run_with(&questionnaire, &response, &variables);
    assert_eq!(extracted.issues, []);
    let entries = entries(&extracted);
    assert_eq!(
        entries[0]["request"],
        json!({"method": "PUT", "url": "Patient/p1"})
    );
    assert_eq!(
        entries[0]["resource"],
        json!({"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-02",
            "name": [{"family": "Chalmers"}], "telecom": [{"value": "555-0100"}]})
    );
    // Without a patient to update, a new one is made from the items' definitions.
    let extracted = run(&questionnaire, &response);
    assert_eq!(entries_of(&extracted)[0]["request"]["method"], "POST");
}

fn entries_of(extracted: &Extracted) -> Vec<Json> {
    entries(extracted)
}

#[test]
fn a_nested_context_makes_its_own_resource_and_unanswered_ones_make_none() {
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "extension": [context_code("Patient")],
        "item": [
            defined("family", "string", "Patient.name.family"),
            {"linkId": "allergy", "type": "group", "repeats": true,
             "extension": [context_code("AllergyIntolerance")],
             "item": [defined("what", "string", "AllergyIntolerance.code"),
                      defined("note", "text", "AllergyIntolerance.note.text")]},
        ]
    });
    let response = json!({"resourceType": "QuestionnaireResponse", "item": [
        {"linkId": "allergy", "item": [
            answer("what", json!([{"valueString": "latex"}])),
            answer("note", json!([{"valueString": "rash"}])),
        ]},
        {"linkId": "allergy", "item": []},
    ]});
    let extracted = run(&questionnaire, &response);
    assert_eq!(extracted.issues, []);
    let resources: Vec<Json> = entries(&extracted)
        .into_iter()
        .map(|e| e["resource"].clone())
        .collect();
    assert_eq!(
        resources,
        [
            json!({"resourceType": "AllergyIntolerance", "code": {"text": "latex"}, "note": [{"text": "rash"}]})
        ],
        "no Patient (nothing answered) and no empty allergy"
    );
}

#[test]
fn an_answer_that_does_not_fit_its_element_is_an_issue_naming_the_item() {
    let questionnaire = json!({
        "resourceType": "Questionnaire",
        "extension": [context_code("Patient")],
        "item": [defined("born", "boolean", "Patient.birthDate"),
                 defined("nowhere", "string", "Patient.colour")]
    });
    let response = json!({"resourceType": "QuestionnaireResponse", "item": [
        answer("born", json!([{"valueBoolean": true}])),
        answer("nowhere", json!([{"valueString": "x"}])),
    ]});
    let extracted = run(&questionnaire, &response);
    let locations: Vec<&str> = extracted
        .issues
        .iter()
        .map(|i| i.location.as_str())
        .collect();
    assert_eq!(locations, ["item `born`", "item `nowhere`"]);
    assert_eq!(entries(&extracted), Vec::<Json>::new());
}
